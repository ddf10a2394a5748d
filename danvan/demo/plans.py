"""Demonstration plans: Lai Châu's 2026 plan, three communes' plans derived from it, a thematic programme.

The first screen of ``make run`` should show the cascade as it is lived: the province issues its
annual plan and requires a plan from every commune and department by 31/01/2026; Xã Bình Lư
issues on time, Phường Tân Phong late, Xã Tả Lèng is still drafting, and every other unit has
nothing yet. One task of the province (the satisfaction survey, which only the province runs) is
carried by no commune, so the coverage matrix shows a gap; Tân Phong also leaves out one task.

The wording is written for the demonstration in the style of real plans (it is not a copy of
any document). The documents cited (Kết luận 114-KL/TW, Chỉ thị 33/CT-TTg, Luật 10/2022/QH15)
are real; the plans' numbers, dates and signers are made up.

Everything goes through ``danvan.plans.services`` and ``danvan.legal.services``, like an
officer's work, so the demo keeps working when their internals change. ``load_demo_plans`` is
idempotent: when the province's 2026 plan exists it does nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from danvan.orgs.models import OrgKind, OrgUnit

from . import data

YEAR = 2026
PROVINCE_TITLE = "Kế hoạch thực hiện công tác dân vận chính quyền năm 2026"
PROVINCE_BODY = "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU"
PROVINCE_SIGNER = ("Hoàng Văn Thắng", "PHÓ CHỦ TỊCH", "KT.")  # the demo's "lanhdao.laichau"
SUBORDINATE_DUE = dt.date(YEAR, 1, 31)

# (doc_type word, number, symbol, date, issuer, summary) — real documents.
LEGAL_BASES = [
    ("Kết luận", "114", "KL/TW", "2015-07-14", "Ban Bí thư",
     "Về nâng cao chất lượng, hiệu quả công tác dân vận của cơ quan nhà nước, chính quyền các cấp"),
    ("Chỉ thị", "33", "CT-TTg", "2021-11-26", "Thủ tướng Chính phủ",
     "Về tăng cường và đổi mới công tác dân vận của cơ quan hành chính nhà nước, chính quyền các cấp "
     "trong tình hình mới"),
    ("Luật", "10/2022", "QH15", "2022-11-10", "Quốc hội", "Luật Thực hiện dân chủ ở cơ sở"),
]

PURPOSES = [
    "Tạo chuyển biến rõ nét trong nhận thức và hành động của người đứng đầu cơ quan hành chính nhà nước, "
    "cán bộ, công chức, viên chức về vị trí, vai trò của công tác dân vận chính quyền, nhất là ở các xã, "
    "phường sau sắp xếp đơn vị hành chính và tổ chức chính quyền địa phương hai cấp.",
    "Xây dựng chính quyền các cấp gần dân, sát dân, trọng dân, vì Nhân dân phục vụ; phát huy quyền làm chủ "
    "của Nhân dân, củng cố niềm tin và sự đồng thuận xã hội trong thực hiện nhiệm vụ phát triển kinh tế - xã "
    "hội năm 2026.",
]
REQUIREMENTS = [
    "Bám sát chỉ đạo của Trung ương, của Tỉnh ủy; gắn công tác dân vận với nhiệm vụ chính trị của từng cơ "
    "quan, đơn vị, địa phương; nội dung cụ thể, có người chịu trách nhiệm và thời hạn hoàn thành.",
    "Phối hợp chặt chẽ với Ủy ban Mặt trận Tổ quốc Việt Nam và các tổ chức chính trị - xã hội; định kỳ kiểm "
    "tra, sơ kết, kịp thời biểu dương cách làm hay, chấn chỉnh hạn chế.",
]


@dataclass(frozen=True)
class TargetSpec:
    text: str
    value: int
    share_of_units: bool = False


TARGETS = [
    TargetSpec("100% cơ quan, đơn vị thuộc tỉnh và UBND các xã, phường xây dựng, ban hành kế hoạch thực hiện "
               "công tác dân vận chính quyền năm 2026 trước ngày 31/01/2026.", 100, share_of_units=True),
    TargetSpec("100% cán bộ, công chức, viên chức được quán triệt Kết luận số 114-KL/TW, Chỉ thị số 33/CT-TTg "
               "và Luật Thực hiện dân chủ ở cơ sở.", 100),
    TargetSpec("95% cơ quan, đơn vị, UBND các xã, phường đăng ký ít nhất 01 mô hình “Dân vận khéo” gắn với "
               "nhiệm vụ chính trị của đơn vị.", 95),
    TargetSpec("100% Chủ tịch UBND các xã, phường tổ chức đối thoại trực tiếp với Nhân dân ít nhất 01 lần "
               "trong năm.", 100),
    TargetSpec("Mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước đạt "
               "từ 85% trở lên.", 85),
]


@dataclass(frozen=True)
class TaskSpec:
    key: str
    text: str
    lead: str = ""  # a key of data.PROVINCE_UNITS
    due: dt.date | None = None


@dataclass(frozen=True)
class SectionSpec:
    number: str
    title: str
    tasks: list[TaskSpec] = field(default_factory=list)


SECTIONS = [
    SectionSpec("1", "Quán triệt, tuyên truyền chủ trương của Đảng, chính sách, pháp luật của Nhà nước về công tác dân vận", [
        TaskSpec("quan-triet", "Tổ chức quán triệt Kết luận số 114-KL/TW, Chỉ thị số 33/CT-TTg và Luật Thực hiện dân "
                 "chủ ở cơ sở đến toàn thể cán bộ, công chức, viên chức; hoàn thành trong quý I năm 2026.",
                 "snv", dt.date(YEAR, 3, 31)),
        TaskSpec("tuyen-truyen", "Đa dạng hóa hình thức tuyên truyền về công tác dân vận chính quyền trên Cổng Thông "
                 "tin điện tử tỉnh, trang thông tin điện tử và hệ thống loa truyền thanh các xã, phường; chú trọng "
                 "tuyên truyền bằng tiếng Mông, Dao, Thái ở vùng sâu, vùng xa.", "vp"),
        TaskSpec("boi-duong", "Lồng ghép nội dung kỹ năng dân vận, văn hóa công sở vào các lớp bồi dưỡng cán bộ, công "
                 "chức cấp xã sau sắp xếp đơn vị hành chính.", "snv", dt.date(YEAR, 9, 30)),
    ]),
    SectionSpec("2", "Nâng cao hiệu lực, hiệu quả quản lý nhà nước; đẩy mạnh cải cách hành chính, chuyển đổi số", [
        TaskSpec("mot-cua", "Duy trì hoạt động hiệu quả của Trung tâm Phục vụ hành chính công tỉnh và bộ phận một cửa "
                 "các xã, phường; công khai đầy đủ thủ tục hành chính, không để hồ sơ trễ hạn do lỗi của cán bộ, "
                 "công chức.", "vp"),
        TaskSpec("dvc-truc-tuyen", "Đẩy mạnh dịch vụ công trực tuyến toàn trình; tổ công nghệ số cộng đồng hướng dẫn "
                 "người dân vùng cao sử dụng tài khoản định danh điện tử để nộp hồ sơ.", "vp"),
        TaskSpec("khao-sat", "Khảo sát mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính "
                 "nhà nước các cấp; công bố kết quả trước ngày 15/12/2026.", "snv", dt.date(YEAR, 12, 15)),
    ]),
    SectionSpec("3", "Thực hiện dân chủ ở cơ sở", [
        TaskSpec("luat-dan-chu", "Triển khai Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15 và các văn bản hướng dẫn; "
                 "công khai thông tin để Nhân dân biết, bàn, quyết định và kiểm tra, giám sát theo quy định.", "snv"),
        TaskSpec("thanh-tra-nhan-dan", "Kiện toàn, nâng cao chất lượng hoạt động của Ban Thanh tra nhân dân và Ban Giám "
                 "sát đầu tư của cộng đồng ở các xã, phường mới.", "snv", dt.date(YEAR, 6, 30)),
        TaskSpec("thu-hoi-dat", "Thực hiện dân chủ trong thu hồi đất, bồi thường, hỗ trợ, tái định cư các dự án trọng "
                 "điểm; tổ chức đối thoại với người có đất bị thu hồi trước khi phê duyệt phương án.", "snnmt"),
    ]),
    SectionSpec("4", "Tiếp công dân, đối thoại với Nhân dân; giải quyết khiếu nại, tố cáo, kiến nghị", [
        TaskSpec("tiep-dan", "Người đứng đầu cơ quan, đơn vị và Chủ tịch UBND các xã, phường trực tiếp tiếp công dân "
                 "định kỳ theo Luật Tiếp công dân; công khai lịch tiếp công dân.", "tt"),
        TaskSpec("doi-thoai", "Tổ chức đối thoại trực tiếp giữa người đứng đầu chính quyền với Nhân dân ít nhất 01 lần "
                 "trong năm; theo dõi, đôn đốc thực hiện những nội dung đã trả lời tại buổi đối thoại.", "snv",
                 dt.date(YEAR, 10, 31)),
        TaskSpec("ton-dong", "Giải quyết dứt điểm các vụ việc khiếu nại, tố cáo tồn đọng, kéo dài; không để hình thành "
                 "điểm nóng về an ninh, trật tự.", "tt", dt.date(YEAR, 9, 30)),
        TaskSpec("cu-tri", "Trả lời, giải quyết kịp thời kiến nghị của cử tri sau các kỳ họp Hội đồng nhân dân.", "vp"),
    ]),
    SectionSpec("5", "Phong trào thi đua “Dân vận khéo”", [
        TaskSpec("dang-ky-mo-hinh", "Mỗi cơ quan, đơn vị, UBND xã, phường đăng ký ít nhất 01 mô hình “Dân vận khéo” "
                 "trước ngày 31/3/2026, ưu tiên giảm nghèo, xóa bỏ hủ tục, bảo vệ rừng.", "snv", dt.date(YEAR, 3, 31)),
        TaskSpec("bieu-duong", "Sơ kết, biểu dương, nhân rộng mô hình, điển hình “Dân vận khéo” tiêu biểu gắn với tổng "
                 "kết phong trào thi đua năm 2026.", "snv", dt.date(YEAR, 12, 15)),
    ]),
    SectionSpec("6", "Công tác dân vận trong vùng đồng bào dân tộc thiểu số và công tác tôn giáo", [
        TaskSpec("nguoi-co-uy-tin", "Thực hiện đầy đủ, kịp thời chính sách đối với đồng bào dân tộc thiểu số và người "
                 "có uy tín; phát huy vai trò người có uy tín trong vận động Nhân dân.", "sdttg"),
        TaskSpec("tao-hon", "Vận động đồng bào xóa bỏ tảo hôn, hôn nhân cận huyết thống; nâng cao tỷ lệ trẻ em trong độ "
                 "tuổi đến trường và chăm sóc sức khỏe bà mẹ, trẻ em.", "syt"),
        TaskSpec("ton-giao", "Nắm chắc tình hình hoạt động tôn giáo, tín ngưỡng; giải quyết kịp thời, đúng pháp luật "
                 "nhu cầu chính đáng của các tổ chức, cá nhân tôn giáo.", "sdttg"),
    ]),
    SectionSpec("7", "Phối hợp với Mặt trận Tổ quốc, các tổ chức chính trị - xã hội; kiểm tra, giám sát", [
        TaskSpec("giam-sat", "Phối hợp với Ủy ban MTTQ Việt Nam tỉnh lấy ý kiến, giám sát, phản biện xã hội đối với dự "
                 "thảo chính sách liên quan trực tiếp đến quyền, lợi ích của Nhân dân.", "vp"),
        TaskSpec("kiem-tra", "Kiểm tra việc thực hiện công tác dân vận chính quyền tại ít nhất 08 xã, phường và 03 sở, "
                 "ngành; hoàn thành trước ngày 31/10/2026.", "snv", dt.date(YEAR, 10, 31)),
    ]),
]

# (unit key or "", unit as written, role, duties, co-operating unit keys)
ASSIGNMENTS = [
    ("snv", "Sở Nội vụ", "lead",
     "Chủ trì, phối hợp với các cơ quan, đơn vị hướng dẫn, theo dõi, đôn đốc, kiểm tra việc thực hiện Kế hoạch; "
     "tổng hợp, tham mưu UBND tỉnh báo cáo kết quả 6 tháng và năm.", ("vp", "tt")),
    ("tt", "Thanh tra tỉnh", "co-operating",
     "Theo dõi, tổng hợp kết quả tiếp công dân, giải quyết khiếu nại, tố cáo, kiến nghị; gửi Sở Nội vụ cùng kỳ báo cáo.",
     ()),
    ("sdttg", "Sở Dân tộc và Tôn giáo", "co-operating",
     "Tham mưu thực hiện chính sách dân tộc, tôn giáo và công tác vận động người có uy tín.", ()),
    ("vp", "Văn phòng Ủy ban nhân dân tỉnh", "co-operating",
     "Đăng tải tin, bài về công tác dân vận chính quyền; theo dõi việc trả lời kiến nghị của cử tri.", ()),
    ("", "Các sở, ban, ngành tỉnh; UBND các xã, phường", "other",
     "Xây dựng, ban hành kế hoạch của cơ quan, đơn vị, địa phương trước ngày 31/01/2026; báo cáo kết quả 6 tháng "
     "trước ngày 05/6/2026 và báo cáo năm trước ngày 15/11/2026 về UBND tỉnh (qua Sở Nội vụ).", ()),
    ("mttq", "Ủy ban MTTQ Việt Nam tỉnh Lai Châu", "other",
     "Đề nghị phối hợp giám sát việc thực hiện Kế hoạch và phản ánh kiến nghị của Nhân dân.", ()),
]

DEADLINES = [
    ("subordinate_plans", "Các cơ quan, đơn vị, UBND các xã, phường ban hành kế hoạch năm 2026", SUBORDINATE_DUE),
    ("half_year_report", "Báo cáo kết quả 6 tháng đầu năm 2026 gửi UBND tỉnh (qua Sở Nội vụ)", dt.date(YEAR, 6, 5)),
    ("annual_report", "Báo cáo kết quả năm 2026 gửi UBND tỉnh (qua Sở Nội vụ)", dt.date(YEAR, 11, 15)),
]

RECIPIENTS = [
    "Bộ Nội vụ (b/c)", "Thường trực Tỉnh ủy (b/c)", "Thường trực HĐND tỉnh", "Chủ tịch, các PCT UBND tỉnh",
    "Ban Tuyên giáo và Dân vận Tỉnh ủy", "Ủy ban MTTQ Việt Nam tỉnh", "Các sở, ban, ngành tỉnh", "UBND các xã, phường",
    "Lưu: VT, NC.",
]

# Progress recorded on the province's plan by late in the year: (task key, status, progress).
PROGRESS = [
    ("quan-triet", "done", 100), ("dang-ky-mo-hinh", "done", 100), ("mot-cua", "in_progress", 80),
    ("doi-thoai", "in_progress", 60), ("kiem-tra", "in_progress", 40),
]

# The year before: the source of "copy from last year's plan" (districts still existed then).
LAST_YEAR = 2025
LAST_YEAR_SECTIONS = ["1", "2", "3", "4", "5"]
LAST_YEAR_UNITS = ("snv", "tt", "vp")  # the departments that existed under these names in January 2025
LAST_YEAR_WORDING = [  # applied in this order
    (" sau sắp xếp đơn vị hành chính và tổ chức chính quyền địa phương hai cấp", ""),
    (" sau sắp xếp đơn vị hành chính", ""),
    ("các xã, phường mới", "các xã, phường"),
    ("UBND các xã, phường", "UBND các huyện, thành phố"),
    ("các xã, phường", "các xã, phường, thị trấn"),
    ("Ban Tuyên giáo và Dân vận Tỉnh ủy", "Ban Dân vận Tỉnh ủy"),
]


@dataclass(frozen=True)
class CommunePlanSpec:
    commune: str  # a key of data.COMMUNES
    body: str
    place: str
    signer: tuple[str, str, str]
    issued_on: dt.date | None  # None: still a draft
    number: int | None
    leave_out: tuple[str, ...]  # tasks of the province the commune does not carry
    local: dict[str, str]  # task key -> the commune's own wording
    own_tasks: list[tuple[str, str]]  # (section number, text): tasks with no counterpart above


COMMUNE_PLANS = [
    CommunePlanSpec(
        "binhlu", "ỦY BAN NHÂN DÂN XÃ BÌNH LƯ", "Bình Lư", ("Lò Văn Thanh", "CHỦ TỊCH", "TM."),
        dt.date(YEAR, 1, 20), 4, ("khao-sat",),
        {"doi-thoai": "Chủ tịch UBND xã đối thoại trực tiếp với Nhân dân các bản Nà Luồng, Bản Hon trong quý II "
                      "năm 2026; công khai kết quả giải quyết các kiến nghị tại nhà văn hóa bản."},
        [("5", "Xây dựng mô hình “Dân vận khéo” vận động Nhân dân hiến đất mở rộng đường liên bản Nà Luồng - "
               "Bản Hon.")],
    ),
    CommunePlanSpec(
        "tanphong", "ỦY BAN NHÂN DÂN PHƯỜNG TÂN PHONG", "Tân Phong", ("Nguyễn Thị Thu Hà", "PHÓ CHỦ TỊCH", "KT."),
        dt.date(YEAR, 2, 9), 12, ("khao-sat", "tao-hon"),
        {"mot-cua": "Duy trì bộ phận một cửa phường thân thiện; niêm yết công khai thủ tục hành chính và số điện "
                    "thoại đường dây nóng của Chủ tịch UBND phường."},
        [("2", "Hướng dẫn các tổ dân phố số 1, số 2, số 8 sử dụng ứng dụng phản ánh hiện trường của tỉnh.")],
    ),
    CommunePlanSpec(
        "taleng", "ỦY BAN NHÂN DÂN XÃ TẢ LÈNG", "Tả Lèng", ("", "", ""),
        None, None, ("khao-sat",), {}, [],
    ),
]

COMMUNE_RECIPIENTS = [
    "UBND tỉnh (qua Sở Nội vụ) (b/c)", "Thường trực Đảng ủy xã", "Thường trực HĐND xã", "Chủ tịch, các PCT UBND xã",
    "Ủy ban MTTQ Việt Nam xã", "Các thôn, bản, tổ dân phố", "Lưu: VT.",
]

THEMATIC_TITLE = "Chương trình “Chính quyền thân thiện, vì Nhân dân phục vụ” năm 2026"
THEMATIC_SECTIONS = [
    ("1", "Cán bộ, công chức thân thiện, tận tụy", [
        "Công chức bộ phận một cửa thực hiện “4 xin, 4 luôn”: xin chào, xin lỗi, xin cảm ơn, xin phép; luôn mỉm "
        "cười, luôn nhẹ nhàng, luôn thấu hiểu, luôn giúp đỡ.",
        "Đeo thẻ công chức, niêm yết số điện thoại của Chủ tịch UBND xã tại bộ phận một cửa và nhà văn hóa các bản.",
    ]),
    ("2", "Lắng nghe và giải quyết kịp thời ý kiến của Nhân dân", [
        "Đặt hòm thư góp ý tại trụ sở và các bản; mở, xử lý thư góp ý hằng tuần và trả lời công khai.",
        "Tổ chức tổ công tác của xã xuống bản giải quyết thủ tục hành chính cho người cao tuổi, người khuyết tật "
        "mỗi quý một lần.",
        "Trả lời bằng văn bản mọi phản ánh, kiến nghị trong 07 ngày làm việc.",
    ]),
    ("3", "Kiểm tra, đánh giá", [
        "Lấy phiếu đánh giá sự hài lòng của người dân sau mỗi lần giải quyết thủ tục hành chính; tổng hợp hằng tháng.",
        "Sơ kết 6 tháng, tổng kết năm; biểu dương công chức được Nhân dân đánh giá cao.",
    ]),
]


# --------------------------------------------------------------------------- loading


def _issue_date(day: dt.date) -> dt.date:
    """A machine whose clock is behind the demo's dates still loads it (issue dates cannot be in the future)."""
    return min(day, timezone.localdate())


def _units() -> dict[str, OrgUnit]:
    province = OrgUnit.objects.get(code=data.PROVINCE_CODE, kind__code="province", valid_to__isnull=True)
    units = {"province": province}
    for key, code in data.COMMUNES.items():
        units[key] = OrgUnit.objects.get(code=code, kind__code="commune", valid_to__isnull=True)
    for spec in data.PROVINCE_UNITS:
        found = OrgUnit.objects.filter(parent=province, name=spec.name, valid_to__isnull=True).order_by("pk").first()
        if found is not None:
            units[spec.key] = found
    for key, name in data.COMMUNE_FRONTS.items():
        front = OrgUnit.objects.filter(parent=units[key], name=name, valid_to__isnull=True).order_by("pk").first()
        if front is not None:
            units[f"{key}-front"] = front
    return units


def _legal_bases(actor: Any) -> list[Any]:
    from danvan.legal import services as legal_services

    legal_services.load_core_documents(actor=actor)
    return [
        legal_services.register_document(actor=actor, doc_type=t, number=n, symbol=s, issued_on=d, issuer=i, title=title)
        for t, n, s, d, i, title in LEGAL_BASES
    ]


def _adapt(text: str, year: int) -> str:
    """The 2026 wording for an earlier year: that year's dates, and the districts that still existed then."""
    if year == YEAR:
        return text
    for before, after in LAST_YEAR_WORDING:
        text = text.replace(before, after)
    return text.replace(str(YEAR), str(year))


def _fill_plan(actor: Any, plan: Any, units: dict[str, OrgUnit], sections: list[SectionSpec], *,
               year: int = YEAR) -> dict[str, Any]:
    """Sections, tasks, targets, assignments and deadlines of a province plan; returns the tasks by key."""
    from danvan.plans import services

    this_year = year == YEAR
    kinds = list(OrgKind.objects.filter(code__in=["commune", "department"]))
    for spec in TARGETS:
        shared = spec.share_of_units and this_year
        services.add_target(
            actor=actor, plan=plan, text=_adapt(spec.text, year), value=Decimal(spec.value), unit="%",
            measurement="share_of_units" if shared else "entered", scope_kinds=kinds if shared else (),
        )
    tasks: dict[str, Any] = {}
    for sec in sections:
        section = services.add_section(actor=actor, plan=plan, number=sec.number, title=sec.title)
        for t in sec.tasks:
            lead = t.lead if this_year or t.lead in LAST_YEAR_UNITS else ""
            tasks[t.key] = services.add_task(
                actor=actor, plan=plan, section=section, text=_adapt(t.text, year), lead_unit=units.get(lead),
                due_on=t.due.replace(year=year) if t.due else None,
            )
    for key, name, role, duties, co in ASSIGNMENTS:
        if not this_year and key and key not in LAST_YEAR_UNITS:
            continue
        services.add_assignment(
            actor=actor, plan=plan, unit=units.get(key) if key else None, unit_name=_adapt(name, year), role=role,
            duties=_adapt(duties, year), co_units=[units[c] for c in co if c in units],
        )
    for kind, label, due in DEADLINES:
        if kind == "subordinate_plans" and not this_year:
            continue
        services.add_deadline(actor=actor, plan=plan, text=_adapt(label, year), due_on=due.replace(year=year), kind=kind)
    return tasks


def _province_plan(actor: Any, units: dict[str, OrgUnit], documents: list[Any], *, year: int, number: int,
                   issued_on: dt.date) -> tuple[Any, dict[str, Any]]:
    from danvan.plans import services

    this_year = year == YEAR
    plan = services.create_plan(
        actor=actor, issuer=units["province"], title=_adapt(PROVINCE_TITLE, year), year=year,
        issuing_body=PROVINCE_BODY, place="Lai Châu", symbol="KH-UBND",
        purposes=[_adapt(p, year) for p in PURPOSES], requirements=[_adapt(r, year) for r in REQUIREMENTS],
        recipients=[_adapt(r, year) for r in RECIPIENTS],
        signer_name=PROVINCE_SIGNER[0], signer_position=PROVINCE_SIGNER[1], signer_authority=PROVINCE_SIGNER[2],
        requires_subordinate_plans=this_year, subordinate_due_on=SUBORDINATE_DUE if this_year else None,
        subordinate_kinds=list(OrgKind.objects.filter(code__in=["commune", "department"])) if this_year else [],
    )
    services.set_legal_bases(actor=actor, plan=plan, documents=documents if this_year else documents[:2])
    sections = SECTIONS if this_year else [s for s in SECTIONS if s.number in LAST_YEAR_SECTIONS]
    tasks = _fill_plan(actor, plan, units, sections, year=year)
    plan.refresh_from_db()
    plan = services.issue_plan(actor=actor, plan=plan, expected_version=plan.lock_version,
                               issued_on=_issue_date(issued_on), number=number)
    return plan, tasks


def _commune_plan(actor: Any, parent: Any, spec: CommunePlanSpec, units: dict[str, OrgUnit],
                  parent_tasks: dict[str, Any]) -> Any:
    from danvan.plans import services
    from danvan.plans.models import PlanSection, Task

    commune = units[spec.commune]
    place_name = commune.name[:1].lower() + commune.name[1:]  # "xã Bình Lư"
    plan = services.derive_plan(actor=actor, parent_plan=parent, issuer=commune)
    name, position, authority = spec.signer
    services.update_plan(
        actor=actor, plan=plan, expected_version=plan.lock_version,
        title=f"Kế hoạch thực hiện công tác dân vận chính quyền trên địa bàn {place_name} năm {YEAR}",
        issuing_body=spec.body, parent_body="", place=spec.place,
        signer_name=name, signer_position=position, signer_authority=authority,
        recipients=[r.replace(" xã", " phường") if commune.division_type == "Phường" else r for r in COMMUNE_RECIPIENTS]
        if spec.issued_on else [],
    )
    derived = {t.parent_task_id: t for t in Task.objects.filter(plan=plan)}
    for key in spec.leave_out:
        services.delete_task(actor=actor, task=derived[parent_tasks[key].pk])
    for key, wording in spec.local.items():
        services.update_task(actor=actor, task=derived[parent_tasks[key].pk], text=wording)
    sections = {s.number: s for s in PlanSection.objects.filter(plan=plan)}
    for number, text in spec.own_tasks:
        services.add_task(actor=actor, plan=plan, section=sections.get(number), text=text)
    if spec.issued_on is None:
        return plan
    office = "Văn phòng HĐND và UBND " + ("phường" if commune.division_type == "Phường" else "xã")
    services.add_assignment(
        actor=actor, plan=plan, unit_name=office, role="lead",
        duties="Tham mưu UBND theo dõi, đôn đốc thực hiện Kế hoạch; tổng hợp báo cáo 6 tháng, năm gửi UBND tỉnh.",
    )
    front = units.get(f"{spec.commune}-front")
    if front is not None:
        services.add_assignment(
            actor=actor, plan=plan, unit=front, unit_name=front.name, role="other",
            duties="Đề nghị phối hợp tuyên truyền, vận động Nhân dân và giám sát việc thực hiện Kế hoạch.",
        )
    services.add_deadline(actor=actor, plan=plan, kind="half_year_report", due_on=dt.date(YEAR, 5, 30),
                          text="Báo cáo kết quả 6 tháng gửi UBND tỉnh (qua Sở Nội vụ)")
    services.add_deadline(actor=actor, plan=plan, kind="annual_report", due_on=dt.date(YEAR, 11, 10),
                          text="Báo cáo kết quả năm gửi UBND tỉnh (qua Sở Nội vụ)")
    plan.refresh_from_db()
    return services.issue_plan(actor=actor, plan=plan, expected_version=plan.lock_version,
                               issued_on=_issue_date(spec.issued_on), number=spec.number)


def _thematic(actor: Any, units: dict[str, OrgUnit], documents: list[Any]) -> Any:
    from danvan.plans import services

    commune = units["binhlu"]
    plan = services.create_plan(
        actor=actor, issuer=commune, title=THEMATIC_TITLE, year=YEAR, kind="thematic", doc_type="CTr",
        symbol="CTr-UBND", issuing_body="ỦY BAN NHÂN DÂN XÃ BÌNH LƯ", place="Bình Lư",
        purposes=["Xây dựng hình ảnh chính quyền xã thân thiện, gần dân; người dân hài lòng khi đến làm việc."],
        requirements=["Mỗi cán bộ, công chức xã đăng ký ít nhất một việc làm cụ thể và thực hiện trong năm 2026."],
        recipients=["Thường trực Đảng ủy xã", "Ủy ban MTTQ Việt Nam xã", "Các bản, tổ dân phố", "Lưu: VT."],
        signer_name="Lò Văn Thanh", signer_position="CHỦ TỊCH", signer_authority="TM.",
    )
    services.set_legal_bases(actor=actor, plan=plan, documents=documents[1:])
    services.add_target(actor=actor, plan=plan, text="90% người dân được hỏi hài lòng khi giải quyết thủ tục hành "
                        "chính tại xã.", value=Decimal(90), unit="%")
    services.add_target(actor=actor, plan=plan, text="Không có phản ánh, kiến nghị quá hạn trả lời.", value=Decimal(0),
                        unit="phản ánh")
    for number, title, tasks in THEMATIC_SECTIONS:
        section = services.add_section(actor=actor, plan=plan, number=number, title=title)
        for text in tasks:
            services.add_task(actor=actor, plan=plan, section=section, text=text)
    services.add_assignment(actor=actor, plan=plan, unit_name="Văn phòng HĐND và UBND xã", role="lead",
                            duties="Theo dõi, đôn đốc; tổng hợp phiếu đánh giá hằng tháng.")
    plan.refresh_from_db()
    return services.issue_plan(actor=actor, plan=plan, expected_version=plan.lock_version,
                               issued_on=_issue_date(dt.date(YEAR, 3, 2)), number=2)


def _progress(actor: Any, plan: Any, tasks: dict[str, Any]) -> None:
    from danvan.plans import services

    for key, status, progress in PROGRESS:
        services.record_task_progress(actor=actor, task=tasks[key], status=status, progress=progress)
    target = plan.targets.order_by("order", "pk")[2:3].first()
    if target is not None:
        services.record_target_value(actor=actor, target=target, current_value=Decimal(97))


def province_plan_exists() -> bool:
    from danvan.plans.models import Plan

    return Plan.objects.alive().filter(
        issuer__code=data.PROVINCE_CODE, issuer__kind__code="province", year=YEAR, title=PROVINCE_TITLE
    ).exists()


def load_demo_plans(*, actor: Any = None) -> int:
    """Create the demo plans unless the province's 2026 plan is there; returns how many plans were created.

    Runs inside ``load_demo``'s transaction, after the units it refers to.
    """
    if province_plan_exists():
        return 0
    units = _units()
    documents = _legal_bases(actor)
    last_year, _tasks = _province_plan(actor, units, documents, year=LAST_YEAR, number=9,
                                       issued_on=dt.date(LAST_YEAR, 1, 8))
    from danvan.plans import services

    services.close_plan(actor=actor, plan=last_year)
    plan, tasks = _province_plan(actor, units, documents, year=YEAR, number=15, issued_on=dt.date(YEAR, 1, 6))
    for spec in COMMUNE_PLANS:
        _commune_plan(actor, plan, spec, units, tasks)
    _thematic(actor, units, documents)
    _progress(actor, plan, tasks)
    return 2 + len(COMMUNE_PLANS) + 1
