"""The demonstration data set: Lai Châu province (official code "12").

Everything here is **demonstration data**, written to look like a real province so that a newcomer
recognises the shapes of the work. It is not an official record:

* the departments, committees, villages and people are plausible examples, not a census;
* the former district "Huyện Tam Đường" and its communes are real names from before the reform of
  1 July 2025, but which new commune each one went to (``FORMER_COMMUNES``) is a simplified
  mapping made up for the demonstration — the official resolutions of the National Assembly
  Standing Committee are the authority for the real one;
* the former units carry no official code: their old statistics codes are not in the official list
  the platform loads, and inventing them would look authoritative when it is not.

The current province and communes themselves come from ``danvan orgs load-official``; the demo
only refers to them by their official codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PROVINCE_CODE = "12"

# The last day the district level existed; the two-level government began the next day.
DISTRICT_LAST_DAY = dt.date(2025, 6, 30)

# The one password of every demo log-in (12+ characters, not a common password), printed by
# ``danvan demo load``. The demo refuses to run on a production deployment (DEBUG off).
DEMO_PASSWORD = "DanVan@2026-demo"  # noqa: S105 - public demo credential, printed on purpose  # nosec B105

# The one TOTP secret of every demo log-in that must use two-factor, printed so that a newcomer
# can add it to an authenticator app once and log in as any of them (base32, 20 bytes).
DEMO_TOTP_SECRET = "DANVANDEMOLAICHAUTAMDUONGBINHLUZ"  # noqa: S105 - public demo secret  # nosec B105

# Current communes used by the demo, by key: official 5-digit codes from the official list.
COMMUNES = {
    "binhlu": "03390",  # Xã Bình Lư
    "taleng": "03405",  # Xã Tả Lèng
    "khunha": "03430",  # Xã Khun Há
    "banbo": "03424",  # Xã Bản Bo
    "tanphong": "03408",  # Phường Tân Phong
    "doanket": "03388",  # Phường Đoàn Kết
}


@dataclass(frozen=True)
class UnitSpec:
    key: str
    kind: str
    name: str
    division_type: str = ""


# Units under the province itself.
PROVINCE_UNITS = [
    UnitSpec("vp", "department", "Văn phòng Ủy ban nhân dân tỉnh"),
    UnitSpec("snv", "department", "Sở Nội vụ"),
    UnitSpec("stp", "department", "Sở Tư pháp"),
    UnitSpec("stc", "department", "Sở Tài chính"),
    UnitSpec("tt", "department", "Thanh tra tỉnh"),
    UnitSpec("snnmt", "department", "Sở Nông nghiệp và Môi trường"),
    UnitSpec("sgddt", "department", "Sở Giáo dục và Đào tạo"),
    UnitSpec("syt", "department", "Sở Y tế"),
    UnitSpec("sdttg", "department", "Sở Dân tộc và Tôn giáo"),
    UnitSpec("mttq", "front", "Ủy ban MTTQ Việt Nam tỉnh Lai Châu"),
    UnitSpec("btgdv", "party", "Ban Tuyên giáo và Dân vận Tỉnh ủy Lai Châu"),
]

# Villages and residential groups, by commune key.
VILLAGES: dict[str, list[tuple[str, str]]] = {
    "binhlu": [("Bản Nà Luồng", "Bản"), ("Bản Hon", "Bản"), ("Tổ dân phố số 1", "Tổ dân phố")],
    "taleng": [("Bản Tả Lèng", "Bản"), ("Bản Lùng Thàng", "Bản"), ("Bản Sì Thâu Chải", "Bản")],
    "khunha": [("Bản Khun Há", "Bản"), ("Bản Pá Bon", "Bản")],
    "banbo": [("Bản Nà Đon", "Bản"), ("Bản Nà Tăm", "Bản")],
    "tanphong": [("Tổ dân phố số 1", "Tổ dân phố"), ("Tổ dân phố số 2", "Tổ dân phố"), ("Tổ dân phố số 8", "Tổ dân phố")],
    "doanket": [("Tổ dân phố số 3", "Tổ dân phố"), ("Tổ dân phố số 5", "Tổ dân phố"), ("Bản Cư Nhà La", "Bản")],
}

# The Fatherland Front committees of a few communes.
COMMUNE_FRONTS = {
    "binhlu": "Ủy ban MTTQ Việt Nam xã Bình Lư",
    "taleng": "Ủy ban MTTQ Việt Nam xã Tả Lèng",
    "tanphong": "Ủy ban MTTQ Việt Nam phường Tân Phong",
}

FORMER_DISTRICT = UnitSpec("tamduong", "district", "Huyện Tam Đường", "Huyện")

# Former communes of Huyện Tam Đường and the current commune (key) each one is linked to.
# Demonstration mapping: see the module docstring.
FORMER_COMMUNES: list[tuple[str, str, str]] = [
    ("Thị trấn Tam Đường", "Thị trấn", "binhlu"),
    ("Xã Bình Lư", "Xã", "binhlu"),
    ("Xã Sơn Bình", "Xã", "binhlu"),
    ("Xã Tả Lèng", "Xã", "taleng"),
    ("Xã Giang Ma", "Xã", "taleng"),
    ("Xã Hồ Thầu", "Xã", "taleng"),
    ("Xã Khun Há", "Xã", "khunha"),
    ("Xã Nùng Nàng", "Xã", "khunha"),
    ("Xã Bản Bo", "Xã", "banbo"),
    ("Xã Nà Tăm", "Xã", "banbo"),
    ("Xã Bản Giang", "Xã", "banbo"),
    ("Xã Bản Hon", "Xã", "banbo"),
    ("Xã Thèn Sin", "Xã", "banbo"),
]


@dataclass(frozen=True)
class UserSpec:
    username: str
    full_name: str
    position: str
    grants: tuple[tuple[str, str], ...] = ()  # (unit key, role); unit keys as above, "province" for the province
    superuser: bool = False


USERS = [
    UserSpec("quantri", "Quản trị hệ thống", "Quản trị hệ thống", superuser=True),
    UserSpec("admin.laichau", "Nguyễn Văn An", "Chuyên viên quản trị, Sở Nội vụ", (("province", "admin"),)),
    UserSpec("lanhdao.laichau", "Hoàng Văn Thắng", "Phó Chủ tịch UBND tỉnh", (("province", "head"),)),
    UserSpec("canbo.laichau", "Lò Thị Mai", "Chuyên viên Sở Nội vụ", (("snv", "officer"),)),
    UserSpec("tiepdan.binhlu", "Vàng Thị Dung", "Công chức Văn phòng - Thống kê", (("binhlu", "reception_officer"),)),
    UserSpec("xuly.binhlu", "Tẩn Văn Hòa", "Công chức Tư pháp - Hộ tịch", (("binhlu", "case_handler"),)),
    UserSpec("mttq.laichau", "Phạm Thị Hà", "Phó Chủ tịch Ủy ban MTTQ tỉnh", (("mttq", "front_supervisor"),)),
    UserSpec("xem.taleng", "Lý Thị Sa", "Công chức xã Tả Lèng", (("taleng", "viewer"),)),
    UserSpec(
        "canbo.kiemnhiem", "Đỗ Minh Tuấn", "Chuyên viên Văn phòng UBND tỉnh, kiêm nhiệm tại phường Tân Phong",
        (("province", "officer"), ("tanphong", "officer")),
    ),
]

EMAIL_DOMAIN = "demo.danvan.example"
