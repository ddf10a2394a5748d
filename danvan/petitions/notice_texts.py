"""The printed wording of the numbered notices: titles, symbols, body sentences, the names of bodies.

The words of an official document are Vietnamese by law (Decree 30/2020), so everything here is
document content, not UI text, and is not translated. One place holds it so that a clerk's
correction ("Về việc" instead of "V/v") is one edit, and the form each notice follows is named
next to its wording:

- acceptance of a complaint: notice of acceptance (Law 02/2011 Art. 27; Decree 124/2020 form 04);
- acceptance of a denunciation: decision to accept (Law 25/2018 Art. 29; Decree 31/2019 form);
- forwarding: forwarding slip (Circular 05/2021 form 03), sent to the competent body, the filer informed;
- guidance: guidance slip to the filer (Circular 05/2021: "hướng dẫn người gửi đơn");
- non-acceptance: notice with the reason (Law 02/2011 Art. 27; Law 25/2018 Art. 29);
- extension: decision to extend the resolution of a denunciation (Law 25/2018 Art. 30);
- result: notice of the result (Law 25/2018 Art. 40) or the reply to a recommendation or feedback;
- refusal of a reception: notice of refusal (Law 42/2013 Art. 9; Decree 154/2026 Art. 4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from danvan.core.text import strip_diacritics
from danvan.documents.decree30 import format_short_date
from danvan.orgs.models import OrgUnit

PEOPLES_COMMITTEE = "Ủy ban nhân dân"
_DIVISION_WORDS = ("thành phố", "thị trấn", "thị xã", "đặc khu", "tỉnh", "huyện", "quận", "xã", "phường")
IDENTITY_WITHHELD = "(thông tin người tố cáo được giữ bí mật)"
ANONYMOUS_FILER = "người gửi đơn không ghi tên"

KIND_WORDS = {
    "complaint": "khiếu nại",
    "denunciation": "tố cáo",
    "recommendation": "kiến nghị",
    "feedback": "phản ánh",
    "mixed": "khiếu nại, tố cáo, kiến nghị, phản ánh",
}
FILER_WORDS = {
    "complaint": "người khiếu nại",
    "denunciation": "người tố cáo",
    "recommendation": "người kiến nghị",
    "feedback": "người phản ánh",
    "mixed": "người gửi đơn",
}
GROUND_WORDS = {
    "ineligible": "đơn không đủ điều kiện xử lý",
    "out_of_time": "đơn gửi quá thời hiệu",
    "finally_decided": "vụ việc đã được giải quyết bằng quyết định có hiệu lực pháp luật, không có tình tiết mới",
    "illegible": "đơn không đọc được hoặc nội dung không rõ ràng",
    "duplicate": "đơn trùng lặp với đơn đã được xử lý",
    "anonymous_denunciation": "đơn tố cáo không rõ họ tên, địa chỉ người tố cáo",
}
OUTCOME_WORDS = {"upheld": "đúng toàn bộ", "partly": "đúng một phần", "rejected": "sai toàn bộ"}
REFUSAL_WORDS = {
    "incapacitated": "người đến trong tình trạng say do dùng chất kích thích, mắc bệnh tâm thần hoặc bệnh khác "
                     "làm mất khả năng nhận thức",
    "disruptive": "người đến có hành vi đe dọa, xúc phạm, gây rối trật tự nơi tiếp công dân",
    "already_resolved": "vụ việc đã được giải quyết đúng chính sách, pháp luật, đã được kiểm tra, rà soát "
                        "và trả lời nhưng vẫn cố tình khiếu nại, tố cáo kéo dài",
    "other_legal": "trường hợp khác theo quy định của pháp luật",
}


@dataclass(frozen=True)
class Heading:
    """Type code (Appendix III, or the form's own), the printed type name, and the summary line."""

    code: str
    title: str
    summary: str


def heading(kind: str, petition_kind: str) -> Heading:
    """What a notice of ``kind`` is called, for a petition of ``petition_kind`` ('' for a reception refusal)."""
    word = KIND_WORDS.get(petition_kind, "đơn")
    if kind == "acceptance":
        if petition_kind == "denunciation":
            return Heading("QĐ", "QUYẾT ĐỊNH", "Về việc thụ lý tố cáo")
        return Heading("TB", "THÔNG BÁO", f"Về việc thụ lý giải quyết {word}")
    if kind == "forward":
        return Heading("PC", "PHIẾU CHUYỂN ĐƠN", f"Về việc chuyển đơn {word}")
    if kind == "guidance":
        return Heading("PHD", "PHIẾU HƯỚNG DẪN", f"Về việc hướng dẫn {FILER_WORDS.get(petition_kind, 'người gửi đơn')}")
    if kind == "not_accepted":
        return Heading("TB", "THÔNG BÁO", f"Về việc không thụ lý giải quyết {word}")
    if kind == "extension":
        return Heading("QĐ", "QUYẾT ĐỊNH", f"Về việc gia hạn giải quyết {word}")
    if kind == "result":
        if petition_kind in ("recommendation", "feedback"):
            return Heading("TB", "THÔNG BÁO", f"Về việc trả lời {word}")
        return Heading("TB", "THÔNG BÁO", f"Về kết quả giải quyết {word}")
    if kind == "refusal":
        return Heading("TB", "THÔNG BÁO", "Về việc từ chối tiếp công dân")
    raise ValueError(f"unknown notice kind {kind!r}")


# --------------------------------------------------------------------------- names of bodies


def administrative_name(unit: OrgUnit) -> str:
    """ "Tỉnh Lai Châu" → "tỉnh Lai Châu"; "Lai Châu" of type "tỉnh" → "tỉnh Lai Châu"."""
    name = " ".join(unit.name.split())
    if name.lower().startswith(_DIVISION_WORDS):
        return name[:1].lower() + name[1:]
    if unit.division_type:
        return f"{unit.division_type.lower()} {name}"
    return name


def issuing_body(unit: OrgUnit) -> str:
    if unit.kind.is_administrative:
        return f"{PEOPLES_COMMITTEE} {administrative_name(unit)}".upper()
    return " ".join(unit.name.split()).upper()


def parent_body(unit: OrgUnit) -> str:
    """A department prints its people's committee above its own name; a people's committee prints none."""
    parent = unit.parent
    if parent is not None and not unit.kind.is_administrative and parent.kind.is_administrative:
        return f"{PEOPLES_COMMITTEE} {administrative_name(parent)}".upper()
    return ""


def body_in_text(unit: OrgUnit) -> str:
    """The body as a sentence names it: "Ủy ban nhân dân xã Bình Lư", "Sở Nội vụ"."""
    if unit.kind.is_administrative:
        return f"{PEOPLES_COMMITTEE} {administrative_name(unit)}"
    return " ".join(unit.name.split())


def symbol(code: str, unit: OrgUnit) -> str:
    """ "TB-UBND" for a people's committee; the body's initials otherwise ("TB-SNV")."""
    if unit.kind.is_administrative:
        return f"{code}-UBND"
    initials = "".join(w[0] for w in strip_diacritics(unit.name).split() if w[:1].isalpha()).upper()
    return f"{code}-{initials or 'VP'}"


def place(unit: OrgUnit) -> str:
    """Where the body sits, without the type word: "Bình Lư" (a department: its parent's place)."""
    where = unit
    if not unit.kind.is_administrative and unit.parent is not None and unit.parent.kind.is_administrative:
        where = unit.parent
    name = " ".join(where.name.split())
    for word in _DIVISION_WORDS:
        if name.lower().startswith(word + " "):
            return name[len(word) + 1:].strip()
    return name


def signer_position(unit: OrgUnit) -> tuple[str, list[str]]:
    if unit.kind.is_administrative:
        return "CHỦ TỊCH", [f"TM. {PEOPLES_COMMITTEE.upper()}"]
    return "THỦ TRƯỞNG", []


def day(value: dt.date | str | None) -> str:
    """A date inside the text ("05/6/2026"); accepts the ISO strings that notice data keeps."""
    if value in (None, ""):
        return "…"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return format_short_date(value)
