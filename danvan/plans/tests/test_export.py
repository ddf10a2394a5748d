"""A plan exported as a Decree 30 document, and read back by the import parser into the same structure."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import docx
import pytest
from django.utils import timezone

from danvan.legal.models import DocType, LegalDocument
from danvan.legal.services import register_document
from danvan.orgs import services as org_services
from danvan.plans.export import citation, export_plan_docx, format_value, plan_to_document
from danvan.plans.models import (
    Assignment,
    DeadlineKind,
    Plan,
    PlanDeadline,
    PlanLegalBasis,
    PlanSection,
    Target,
    Task,
)
from danvan.plans.parsing import parse_file

TITLE = "Triển khai thực hiện công tác dân vận chính quyền năm 2026"
PURPOSES = [
    "Nâng cao nhận thức, trách nhiệm của cán bộ, công chức xã đối với công tác dân vận chính quyền.",
    "Xây dựng chính quyền gần dân, sát dân, phục vụ Nhân dân.",
]
REQUIREMENTS = ["Bám sát sự chỉ đạo của cấp trên, bảo đảm thiết thực, hiệu quả, tránh hình thức."]
RECIPIENTS = ["Ủy ban nhân dân tỉnh (b/c)", "Ban Dân vận Đảng ủy xã", "Các thôn, bản"]
SECTIONS = [
    (
        "Tuyên truyền, quán triệt các văn bản về công tác dân vận",
        [
            "Tổ chức hội nghị quán triệt Chỉ thị số 33/CT-TTg cho cán bộ, công chức xã.",
            "Đăng tin, bài tuyên truyền trên Trang thông tin điện tử xã.",
        ],
    ),
    ("Nâng cao hiệu quả cải cách hành chính", ["Rút ngắn thời gian giải quyết thủ tục hành chính."]),
    ("Thực hiện dân chủ ở cơ sở", []),
]


def _legal(doc_type: str, number: str, symbol: str, issued_on: dt.date, issuer: str, title: str) -> LegalDocument:
    """Through the registry's own service, so that keys match what an import looks up."""
    from danvan.accounts.models import User

    actor = User.objects.filter(username="p3-registrar").first()
    if actor is None:
        from danvan.orgs.models import Membership, OrgUnit

        actor = User.objects.create_user(username="p3-registrar", password="mat-khau-rat-dai-2026")
        Membership.objects.create(user=actor, org_unit=OrgUnit.objects.get(name="Tỉnh Lai Châu"), role="officer")
    return register_document(
        actor=actor, doc_type=doc_type, number=number, symbol=symbol, issued_on=issued_on, issuer=issuer, title=title
    )


def _plan(issuer: Any, **fields: Any) -> Plan:
    values: dict[str, Any] = {
        "issuer": issuer,
        "issuing_body": "ỦY BAN NHÂN DÂN XÃ BÌNH LƯ",
        "number": 5,
        "number_year": 2026,
        "symbol": "KH-UBND",
        "place": "Bình Lư",
        "issued_on": dt.date(2026, 1, 5),
        "title": TITLE,
        "year": 2026,
        "purposes": PURPOSES,
        "requirements": REQUIREMENTS,
        "recipients": RECIPIENTS,
        "signer_name": "Nguyễn Văn An",
        "signer_position": "Chủ tịch",
        "signer_authority": "TM.",
    }
    values.update(fields)
    return Plan.objects.create(**values)


@pytest.fixture
def full_plan(tree: dict[str, Any], kinds: dict[str, Any], make_user: Any) -> Plan:
    author = make_user("p3-officer", (tree["A1"], "officer"))
    police = org_services.create_unit(
        actor=None, kind=kinds["department"], name="Công an xã Bình Lư", parent=tree["A1"], audit_event=False
    )
    plan = _plan(
        tree["A1"],
        created_by=author,
        requires_subordinate_plans=True,
        subordinate_due_on=dt.date(2026, 1, 31),
    )
    bases = [
        _legal(
            DocType.CONCLUSION, "114", "KL/TW", dt.date(2015, 7, 14), "Ban Bí thư Trung ương Đảng",
            "nâng cao hiệu quả công tác dân vận của cơ quan nhà nước các cấp",
        ),
        _legal(
            DocType.DIRECTIVE, "33", "CT-TTg", dt.date(2021, 11, 26), "Thủ tướng Chính phủ",
            "tiếp tục tăng cường và đổi mới công tác dân vận của cơ quan hành chính nhà nước",
        ),
        _legal(
            DocType.LAW, "10/2022", "QH15", dt.date(2022, 11, 10), "Quốc hội", "Luật Thực hiện dân chủ ở cơ sở"
        ),
        _legal(
            DocType.PLAN, "4812", "KH-UBND", dt.date(2025, 12, 26), "Ủy ban nhân dân tỉnh Lai Châu",
            "Về triển khai công tác dân vận chính quyền trên địa bàn tỉnh năm 2026",
        ),
    ]
    for order, document in enumerate(bases):
        PlanLegalBasis.objects.create(plan=plan, document=document, order=order)
    Target.objects.create(plan=plan, text="cơ quan, đơn vị, thôn, bản xây dựng kế hoạch", value=Decimal("100"), unit="%", order=1)
    Target.objects.create(
        plan=plan, text="95% thôn, bản đăng ký mô hình “Dân vận khéo”", value=Decimal("95.00"), unit="%", order=2
    )
    Target.objects.create(plan=plan, text="Tổ chức đối thoại với Nhân dân", value=Decimal("12"), unit="cuộc", order=3)
    for order, (title, tasks) in enumerate(SECTIONS):
        section = PlanSection.objects.create(plan=plan, number=str(order + 7), title=title, order=order)
        for position, text in enumerate(tasks):
            Task.objects.create(plan=plan, section=section, text=text, order=position)
    office = Assignment.objects.create(
        plan=plan, unit_name="Văn phòng HĐND và UBND xã", role="lead", order=1,
        duties="Tham mưu UBND xã theo dõi, đôn đốc, tổng hợp kết quả thực hiện Kế hoạch",
    )
    office.co_units.add(police)
    Assignment.objects.create(
        plan=plan, unit_name="Công chức Văn hóa - Xã hội", role="lead", order=2, due_on=dt.date(2026, 6, 30),
        duties="Đăng tin, bài tuyên truyền về công tác dân vận chính quyền",
    )
    Assignment.objects.create(
        plan=plan, unit=police, unit_name="Công an xã Bình Lư", role="co-operating", order=3,
        duties="Bảo đảm an ninh, trật tự tại các buổi đối thoại",
    )
    Assignment.objects.create(
        plan=plan, unit_name="Các thôn, bản", role="other", order=4, duties="Triển khai Kế hoạch đến Nhân dân"
    )
    PlanDeadline.objects.create(
        plan=plan, kind=DeadlineKind.ANNUAL_REPORT, text="Báo cáo năm", due_on=dt.date(2026, 11, 15)
    )
    PlanDeadline.objects.create(
        plan=plan, kind=DeadlineKind.HALF_YEAR_REPORT, text="Báo cáo 6 tháng", due_on=dt.date(2026, 6, 5)
    )
    return plan


def _parse(plan: Plan, tmp_path: Any) -> dict[str, Any]:
    path = tmp_path / "plan.docx"
    path.write_bytes(export_plan_docx(plan))
    return parse_file(path)


def _opened(plan: Plan) -> Any:
    return docx.Document(io.BytesIO(export_plan_docx(plan)))


def _texts(opened: Any) -> list[str]:
    return [p.text for p in opened.paragraphs if p.text.strip()]


# --- round trip -------------------------------------------------------------------------


def test_round_trip_header_and_title(full_plan, tmp_path):
    parsed = _parse(full_plan, tmp_path)
    assert parsed["doc_type"] == "KH"
    assert (parsed["number"], parsed["symbol"]) == ("05", "KH-UBND")
    assert int(parsed["number"]) == full_plan.number
    assert parsed["issuer"] == "ỦY BAN NHÂN DÂN XÃ BÌNH LƯ"
    assert parsed["place"] == "Bình Lư"
    assert parsed["issued_on"] == "2026-01-05"
    assert parsed["title"] == TITLE
    assert parsed["year"] == 2026


def test_round_trip_references(full_plan, tmp_path):
    parsed = _parse(full_plan, tmp_path)
    # The task also cites 33/CT-TTg: it is still one reference.
    assert parsed["references"] == [
        {"type": "Kết luận", "number": "114", "symbol": "KL/TW", "date": "2015-07-14",
         "issuer": "Ban Bí thư Trung ương Đảng"},
        {"type": "Chỉ thị", "number": "33", "symbol": "CT-TTg", "date": "2021-11-26",
         "issuer": "Thủ tướng Chính phủ"},
        {"type": "Luật", "number": "10/2022", "symbol": "QH15", "date": "2022-11-10", "issuer": "Quốc hội"},
        {"type": "Kế hoạch", "number": "4812", "symbol": "KH-UBND", "date": "2025-12-26",
         "issuer": "Ủy ban nhân dân tỉnh Lai Châu"},
    ]


def test_round_trip_purposes_targets_sections(full_plan, tmp_path):
    parsed = _parse(full_plan, tmp_path)
    assert parsed["purposes"] == PURPOSES
    assert parsed["requirements"] == REQUIREMENTS
    assert [(t["value"], t["unit"]) for t in parsed["targets"]] == [(100, "%"), (95, "%"), (12, "cuộc")]
    assert parsed["targets"][0]["text"] == "100% cơ quan, đơn vị, thôn, bản xây dựng kế hoạch"
    assert parsed["targets"][1]["text"] == "95% thôn, bản đăng ký mô hình “Dân vận khéo”"
    # Stored numbers ("7", "8", "9") are stale: the document numbers sections from 1.
    assert [(s["number"], s["title"], s["tasks"]) for s in parsed["sections"]] == [
        (str(i + 1), title, tasks) for i, (title, tasks) in enumerate(SECTIONS)
    ]


def test_round_trip_assignments_and_deadlines(full_plan, tmp_path):
    parsed = _parse(full_plan, tmp_path)
    assert [(a["unit"], a["role"]) for a in parsed["assignments"]] == [
        ("Văn phòng HĐND và UBND xã", "lead"),
        ("Công an xã Bình Lư", "co-operating"),  # "chủ trì, phối hợp với Công an xã Bình Lư"
        ("Công chức Văn hóa - Xã hội", "lead"),
        ("Công an xã Bình Lư", "co-operating"),
        ("Các thôn, bản", "other"),
    ]
    assert "tham mưu UBND xã theo dõi, đôn đốc" in parsed["assignments"][0]["duties"]
    assert sorted(d["due"] for d in parsed["deadlines"]) == [
        "2026-01-31",  # subordinate plans
        "2026-06-05",  # 6-month report
        "2026-06-30",  # an assignment's own deadline
        "2026-11-15",  # annual report
    ]
    texts = {d["due"]: d["text"] for d in parsed["deadlines"]}
    assert texts["2026-06-05"] == "báo cáo 6 tháng trước ngày 05/6/2026"
    assert texts["2026-11-15"] == "báo cáo năm trước ngày 15/11/2026"


def test_round_trip_recipients_and_signer(full_plan, tmp_path):
    parsed = _parse(full_plan, tmp_path)
    assert parsed["recipients"] == RECIPIENTS
    assert parsed["signer"] == {"name": "Nguyễn Văn An", "position": "CHỦ TỊCH", "authority": "TM."}


def test_importing_the_export_gives_the_same_plan_back(full_plan, tree, make_user, tmp_path):
    """Export → parse → import (P1's service) → export → parse: a fixed point, except the draft's number."""
    from danvan.plans.services import create_plan_from_import

    first = _parse(full_plan, tmp_path)
    officer = make_user("p3-importer", (tree["A1"], "officer"))
    copy = create_plan_from_import(actor=officer, issuer=tree["A1"], parsed=first)
    second = _parse(copy, tmp_path)
    same = [
        "doc_type", "symbol", "issuer", "place", "issued_on", "title", "year", "references", "purposes",
        "requirements", "targets", "sections", "recipients", "signer",
    ]
    assert {key: second[key] for key in same} == {key: first[key] for key in same}
    assert second["number"] is None  # an import is a draft: the number is given when it is issued
    assert {(a["unit"], a["role"]) for a in second["assignments"]} == {
        (a["unit"], a["role"]) for a in first["assignments"]
    }
    assert {d["due"] for d in second["deadlines"]} == {d["due"] for d in first["deadlines"]}


# --- document text ------------------------------------------------------------------------


def test_document_reads_like_an_official_plan(full_plan):
    texts = _texts(_opened(full_plan))
    assert texts[0] == "KẾ HOẠCH" and texts[1] == TITLE
    assert texts[2:7] == [
        "Căn cứ Kết luận số 114-KL/TW ngày 14/7/2015 của Ban Bí thư Trung ương Đảng về nâng cao hiệu quả "
        "công tác dân vận của cơ quan nhà nước các cấp;",
        "Căn cứ Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ về tiếp tục tăng cường và "
        "đổi mới công tác dân vận của cơ quan hành chính nhà nước;",
        "Căn cứ Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15 ngày 10/11/2022 của Quốc hội;",
        "Căn cứ Kế hoạch số 4812/KH-UBND ngày 26/12/2025 của Ủy ban nhân dân tỉnh Lai Châu về triển khai "
        "công tác dân vận chính quyền trên địa bàn tỉnh năm 2026;",
        f"Ủy ban nhân dân xã Bình Lư ban hành Kế hoạch {TITLE[0].lower() + TITLE[1:]}, như sau:",
    ]
    headings = [t for t in texts if t.split(".")[0] in ("I", "II", "III", "IV", "V")]
    assert headings == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. CHỈ TIÊU",
        "III. NỘI DUNG, NHIỆM VỤ",
        "IV. TỔ CHỨC THỰC HIỆN",
    ]
    assert "1. Văn phòng HĐND và UBND xã: chủ trì, phối hợp với Công an xã Bình Lư; tham mưu UBND xã theo dõi, " \
        "đôn đốc, tổng hợp kết quả thực hiện Kế hoạch." in texts
    assert "2. Công chức Văn hóa - Xã hội: chủ trì đăng tin, bài tuyên truyền về công tác dân vận chính quyền, " \
        "hoàn thành trước ngày 30/6/2026." in texts
    assert "3. Công an xã Bình Lư: phối hợp bảo đảm an ninh, trật tự tại các buổi đối thoại." in texts
    assert (
        "Thời hạn: xây dựng kế hoạch thực hiện của cơ quan, đơn vị trước ngày 31/01/2026; "
        "báo cáo 6 tháng trước ngày 05/6/2026; báo cáo năm trước ngày 15/11/2026."
    ) in texts
    assert texts[-1] == f"Trên đây là Kế hoạch {TITLE[0].lower() + TITLE[1:]} của Ủy ban nhân dân xã Bình Lư./."
    header = _opened(full_plan).tables[0]
    assert header.cell(1, 0).paragraphs[0].text == "Số: 05/KH-UBND"
    assert header.cell(1, 1).paragraphs[0].text == "Bình Lư, ngày 05 tháng 01 năm 2026"


def test_numbering_closes_up_when_parts_are_empty(tree, tmp_path):
    plan = _plan(tree["A1"], purposes=[], requirements=[])
    section = PlanSection.objects.create(plan=plan, number="III", title="Tuyên truyền", order=0)
    Task.objects.create(plan=plan, section=section, text="Tổ chức hội nghị.")
    Assignment.objects.create(plan=plan, unit_name="Công chức Văn phòng - Thống kê", role="lead", duties="")
    texts = _texts(_opened(plan))
    assert "I. NỘI DUNG, NHIỆM VỤ" in texts
    assert "II. TỔ CHỨC THỰC HIỆN" in texts
    assert "1. Tuyên truyền" in texts
    assert "1. Công chức Văn phòng - Thống kê: chủ trì tổ chức thực hiện." in texts
    assert not [t for t in texts if t.startswith(("III.", "IV."))]
    parsed = _parse(plan, tmp_path)
    assert parsed["sections"] == [{"number": "1", "title": "Tuyên truyền", "tasks": ["Tổ chức hội nghị."]}]
    assert [(a["unit"], a["role"]) for a in parsed["assignments"]] == [("Công chức Văn phòng - Thống kê", "lead")]


def test_only_purposes_gives_a_purposes_part(tree, tmp_path):
    plan = _plan(tree["A1"], requirements=[])
    texts = _texts(_opened(plan))
    assert "I. MỤC ĐÍCH" in texts and "1. Mục đích" in texts
    assert "2. Yêu cầu" not in texts
    assert _parse(plan, tmp_path)["purposes"] == PURPOSES


def test_nested_sections_become_lettered_points(tree):
    plan = _plan(tree["A1"])
    top = PlanSection.objects.create(plan=plan, title="Tuyên truyền", order=0)
    first = PlanSection.objects.create(plan=plan, parent=top, title="Hội nghị", order=1)
    PlanSection.objects.create(plan=plan, parent=top, title="Tin bài", order=2)
    Task.objects.create(plan=plan, section=first, text="Tổ chức hội nghị quán triệt.")
    texts = _texts(_opened(plan))
    start = texts.index("1. Tuyên truyền")
    assert texts[start : start + 4] == ["1. Tuyên truyền", "a) Hội nghị", "- Tổ chức hội nghị quán triệt.", "b) Tin bài"]


def test_draft_has_blank_number_and_date(tree, tmp_path):
    plan = _plan(tree["A1"], number=None, number_year=None, issued_on=None)
    header = _opened(plan).tables[0]
    number = header.cell(1, 0).paragraphs[0].text
    assert number.startswith("Số:") and number.endswith("/KH-UBND") and not any(c.isdigit() for c in number)
    year = timezone.localdate().year
    assert header.cell(1, 1).paragraphs[0].text == f"Bình Lư, ngày     tháng     năm {year}"
    parsed = _parse(plan, tmp_path)
    assert (parsed["number"], parsed["symbol"], parsed["issued_on"]) == (None, "KH-UBND", str(year))


@pytest.mark.parametrize(
    ("authority", "position", "lines", "parsed"),
    [
        ("TM.", "Chủ tịch", ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], ("TM.", "CHỦ TỊCH")),
        ("KT.", "Phó Chủ tịch", ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], ("KT.", "PHÓ CHỦ TỊCH")),
        ("Q.", "Chủ tịch", ["TM. ỦY BAN NHÂN DÂN", "Q. CHỦ TỊCH"], ("Q.", "CHỦ TỊCH")),
        ("TL.", "Chánh Văn phòng", ["TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"], ("TL.", "CHÁNH VĂN PHÒNG")),
        ("TUQ.", "Chánh Văn phòng", ["TUQ. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"], ("TUQ.", "CHÁNH VĂN PHÒNG")),
        ("", "Chủ tịch", ["CHỦ TỊCH"], (None, "CHỦ TỊCH")),
    ],
)
def test_signing_authority(tree, tmp_path, authority, position, lines, parsed):
    plan = _plan(tree["A1"], signer_authority=authority, signer_position=position)
    cell = _opened(plan).tables[-1].cell(0, 1)
    assert [p.text for p in cell.paragraphs if p.text.strip()] == [*lines, "Nguyễn Văn An"]
    signer = _parse(plan, tmp_path)["signer"]
    assert (signer["authority"], signer["position"], signer["name"]) == (*parsed, "Nguyễn Văn An")


def test_department_defaults_come_from_the_unit_tree(tree):
    plan = _plan(tree["Adep"], issuing_body="", place="", signer_position="", signer_authority="")
    document = plan_to_document(plan)
    assert document.issuing_body == "SỞ NỘI VỤ"
    assert document.parent_body == "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU"
    assert document.place == "Lai Châu"
    assert document.signer is not None and document.signer.position == "GIÁM ĐỐC"
    assert document.preamble[-1].startswith("Sở Nội vụ ban hành Kế hoạch")


def test_commune_without_printed_body_gets_its_committee(tree):
    plan = _plan(tree["A2"], issuing_body="", place="")
    document = plan_to_document(plan)
    assert (document.issuing_body, document.parent_body, document.place) == (
        "ỦY BAN NHÂN DÂN PHƯỜNG TÂN PHONG",
        "",
        "Tân Phong",
    )
    assert document.preamble[-1].startswith("Ủy ban nhân dân phường Tân Phong ban hành")


def test_own_preamble_is_kept_and_does_not_repeat_a_citation(tree):
    plan = _plan(tree["A1"], preamble="Thực hiện Chỉ thị số 33/CT-TTg của Thủ tướng Chính phủ;\nUBND xã ban hành Kế hoạch.")
    directive = _legal(DocType.DIRECTIVE, "33", "CT-TTg", dt.date(2021, 11, 26), "Thủ tướng Chính phủ", "")
    law = _legal(DocType.LAW, "10/2022", "QH15", dt.date(2022, 11, 10), "Quốc hội", "Thực hiện dân chủ ở cơ sở")
    PlanLegalBasis.objects.create(plan=plan, document=directive, order=0)
    PlanLegalBasis.objects.create(plan=plan, document=law, order=1)
    assert list(plan_to_document(plan).preamble) == [
        "Căn cứ Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15 ngày 10/11/2022 của Quốc hội;",
        "Thực hiện Chỉ thị số 33/CT-TTg của Thủ tướng Chính phủ;",
        "UBND xã ban hành Kế hoạch.",
    ]


def test_export_queries_do_not_grow_with_the_plan(full_plan, tree, django_assert_max_num_queries):
    small = _plan(tree["A2"], number=1)
    with django_assert_max_num_queries(10):
        export_plan_docx(small)
    for order in range(30):
        section = PlanSection.objects.create(plan=full_plan, title=f"Mục {order}", order=10 + order)
        Task.objects.bulk_create(Task(plan=full_plan, section=section, text=f"Việc {order}-{n}.") for n in range(5))
    with django_assert_max_num_queries(10):
        data = export_plan_docx(full_plan)
    assert b"word/document.xml" in data


# --- pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"doc_type": DocType.RESOLUTION, "number": "25", "symbol": "NQ/TW", "issued_on": dt.date(2013, 6, 3),
             "issuer": "Ban Chấp hành Trung ương Đảng", "title": "Về tăng cường công tác dân vận"},
            "Căn cứ Nghị quyết số 25-NQ/TW ngày 03/6/2013 của Ban Chấp hành Trung ương Đảng về tăng cường công tác dân vận;",
        ),
        (
            {"doc_type": DocType.DECREE, "number": "30/2020", "symbol": "NĐ-CP", "issued_on": dt.date(2020, 3, 5),
             "issuer": "Chính phủ", "title": "công tác văn thư."},
            "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư;",
        ),
        (
            {"doc_type": DocType.LAW, "number": "42/2013", "symbol": "QH13", "issued_on": None, "issuer": "",
             "title": "Tiếp công dân"},
            "Căn cứ Luật Tiếp công dân số 42/2013/QH13;",
        ),
        (
            {"doc_type": DocType.OTHER, "number": "12", "symbol": "UBND-VP", "issued_on": dt.date(2026, 1, 2),
             "issuer": "", "title": ""},
            "Căn cứ văn bản số 12/UBND-VP ngày 02/01/2026;",
        ),
    ],
)
def test_citation_forms(fields, expected):
    assert citation(LegalDocument(**fields)) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(Decimal("95.00"), "95"), (Decimal("97.50"), "97,5"), (Decimal("100"), "100")]
)
def test_target_values_use_the_decimal_comma(value, expected):
    assert format_value(value) == expected


def test_target_value_is_written_when_the_text_lacks_it(tree):
    plan = _plan(tree["A1"])
    Target.objects.create(plan=plan, text="Hộ gia đình đạt chuẩn văn hóa", value=Decimal("97.5"), unit="%")
    Target.objects.create(plan=plan, text="Không có số liệu", value=None, unit="")
    texts = _texts(_opened(plan))
    assert "- 97,5% hộ gia đình đạt chuẩn văn hóa" in texts
    assert "- Không có số liệu" in texts


def test_preamble_names_the_body_and_does_not_repeat_the_type(tree, make_user):
    """ "Ủy ban nhân dân tỉnh Lai Châu ban hành Kế hoạch thực hiện …", never "Kế hoạch kế hoạch"."""
    from danvan.orgs.models import OrgUnit
    from danvan.plans.export import plan_to_document
    from danvan.plans.models import Plan

    OrgUnit.objects.filter(pk=tree["A"].pk).update(name="Lai Châu", division_type="Tỉnh")
    tree["A"].refresh_from_db()
    plan = Plan.objects.create(issuer=tree["A"], title="Kế hoạch thực hiện công tác dân vận năm 2026", year=2026)
    text = "\n".join(plan_to_document(plan).preamble)
    assert "Ủy ban nhân dân tỉnh Lai Châu ban hành Kế hoạch thực hiện công tác dân vận năm 2026, như sau:" in text
    assert "Kế hoạch kế hoạch" not in text
