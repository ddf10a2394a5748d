"""The synthesis report (Decree 30 "BC"): reopened with python-docx, figures compared with the aggregate."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import docx
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from docx.oxml.ns import qn

from danvan.reports.aggregation import aggregate_period
from danvan.reports.models import DataValue, Submission, SubmissionStatus
from danvan.reports.synthesis import format_number, synthesis_docx, synthesis_filename
from danvan.reports.totals import refresh_anchor_totals
from danvan.reports.validation import counted_numbers, spec_for

pytestmark = pytest.mark.django_db

MM = 36000
FIGURES_HEADER = ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Kết quả"]


def _count(submission: Submission, status: str, *, late: bool, at: dt.datetime) -> None:
    """What submit/accept do to the rows, written directly: status, dates and the counted figures."""
    submission.status = status
    submission.is_late = late
    submission.submitted_at = submission.first_submitted_at = at
    submission.save()
    spec = spec_for(submission.period.regime.form)
    DataValue.objects.bulk_create(
        DataValue(submission=submission, indicator_id=ind_id, period_id=submission.period_id,
                  anchor_id=submission.anchor_id, num=num)
        for ind_id, num in counted_numbers(spec, submission.values)
    )
    refresh_anchor_totals(submission.period_id, [submission.anchor_id])


@pytest.fixture
def reported(period: Any, tree: dict[str, Any]) -> Any:
    """A1 submitted late, Adep accepted on time, A2 never started."""
    a1 = Submission.objects.get(period=period, org_unit=tree["A1"])
    a1.values = {"sessions": 12, "participants": 340, "own_plan": True, "received": 10, "resolved": 8,
                 "satisfaction": 90, "budget": 1500000}
    a1.answers = {"highlights": "Tổ chức 12 buổi tuyên truyền.", "difficulties": "Thiếu kinh phí.\nCần tập huấn thêm."}
    _count(a1, SubmissionStatus.SUBMITTED, late=True, at=dt.datetime(2026, 6, 6, 3, 0, tzinfo=dt.UTC))
    dep = Submission.objects.get(period=period, org_unit=tree["Adep"])
    dep.values = {"sessions": 3, "own_plan": False, "received": 5, "resolved": 5, "satisfaction": 80.5,
                  "budget": 2000000}
    dep.answers = {"highlights": "Sở hướng dẫn các xã xây dựng kế hoạch."}
    _count(dep, SubmissionStatus.ACCEPTED, late=False, at=dt.datetime(2026, 6, 2, 3, 0, tzinfo=dt.UTC))
    period.data_version += 1
    period.save()
    return period


def _open(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def _texts(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def _table(document: Any, header: list[str]) -> list[list[str]]:
    for table in document.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows and rows[0] == header:
            return rows
    raise AssertionError(f"no table {header}")


@pytest.fixture
def province_report(reported: Any, tree: dict[str, Any]) -> Any:
    return _open(synthesis_docx(reported, tree["A"]))


def test_header_number_line_and_title(province_report):
    header = province_report.tables[0]
    assert [p.text for p in header.cell(0, 0).paragraphs if p.text.strip()] == ["ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU"]
    assert header.cell(1, 0).text == "Số:        /BC-UBND"  # numbered in the register when signed
    assert header.cell(1, 1).text.startswith("Lai Châu, ngày ")
    texts = _texts(province_report)
    assert texts[0] == "BÁO CÁO"
    assert texts[1] == "Kết quả thực hiện công tác dân vận chính quyền 6 tháng đầu năm 2026"
    assert any("báo cáo kết quả thực hiện công tác dân vận chính quyền 6 tháng đầu năm 2026" in t
               and t.startswith("Ủy ban nhân dân tỉnh Lai Châu") for t in texts)


def test_parts_in_order(province_report):
    headings = [t for t in _texts(province_report) if t[:3] in ("I. ", "II.", "III", "IV.")]
    assert headings == [
        "I. TÌNH HÌNH GỬI BÁO CÁO",
        "II. KẾT QUẢ SỐ LIỆU TỔNG HỢP",
        "III. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG",
        "IV. ĐƠN VỊ GỬI BÁO CÁO CHẬM HẠN, CHƯA GỬI BÁO CÁO",
    ]


def test_completeness(province_report):
    texts = _texts(province_report)
    assert "- Số đơn vị phải báo cáo: 3." in texts
    assert "- Số đơn vị đã gửi báo cáo: 2, đạt tỷ lệ 66,7%; trong đó đúng hạn: 1, chậm hạn: 1." in texts
    assert "- Số đơn vị chưa gửi báo cáo: 1." in texts
    rows = _table(province_report, ["STT", "Đơn vị", "Phải báo cáo", "Đã gửi", "Đúng hạn", "Chậm hạn", "Tỷ lệ"])
    assert rows[1:] == [  # children in tree order
        ["1", "Xã Bình Lư", "1", "1", "0", "1", "100%"],
        ["2", "Phường Tân Phong", "1", "0", "0", "0", "0%"],
    ]


def test_aggregated_table_equals_the_aggregate(province_report, reported, tree):
    rows = _table(province_report, FIGURES_HEADER)
    agg = aggregate_period(reported, root=tree["A"])
    figures = {row[1]: row for row in rows[1:] if row[1]}
    assert list(figures) == ["sessions", "participants", "own_plan", "received", "resolved", "satisfaction", "budget",
                             "resolved_rate"]
    for code, row in figures.items():
        assert row[4] == format_number(agg.value(tree["A"].pk, code)), code
    # And by hand: sum, share of yes, average, max, ratio.
    assert {code: row[4] for code, row in figures.items()} == {
        "sessions": "15", "participants": "340", "own_plan": "50", "received": "15", "resolved": "13",
        "satisfaction": "85,25", "budget": "2.000.000", "resolved_rate": "86,67",
    }
    assert figures["own_plan"][3] == "% số đơn vị" and figures["satisfaction"][3] == "%"
    sections = [row for row in rows[1:] if not row[1]]
    assert [row[0] for row in sections] == ["I", "II"] and sections[0][2] == "Công tác tuyên truyền"


def test_narratives_named_by_unit_section_by_section(province_report):
    texts = _texts(province_report)
    start = texts.index("III. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG")
    end = texts.index("IV. ĐƠN VỊ GỬI BÁO CÁO CHẬM HẠN, CHƯA GỬI BÁO CÁO")
    assert texts[start + 1 : end] == [
        "1. Công tác tuyên truyền",
        "a) Kết quả nổi bật",
        "- Xã Bình Lư: Tổ chức 12 buổi tuyên truyền.",
        "- Sở Nội vụ: Sở hướng dẫn các xã xây dựng kế hoạch.",
        "2. Tiếp công dân, giải quyết đơn thư",
        "a) Khó khăn, vướng mắc",
        "- Xã Bình Lư: Thiếu kinh phí.",
        "Cần tập huấn thêm.",
    ]


def test_late_and_missing_units_named(province_report):
    texts = _texts(province_report)
    start = texts.index("IV. ĐƠN VỊ GỬI BÁO CÁO CHẬM HẠN, CHƯA GỬI BÁO CÁO")
    assert texts[start + 1 : start + 5] == [
        "1. Đơn vị gửi báo cáo chậm hạn (hạn gửi ngày 05/6/2026)",
        "- Xã Bình Lư (gửi ngày 06/6/2026).",
        "2. Đơn vị chưa gửi báo cáo",
        "- Phường Tân Phong.",
    ]
    assert texts[start + 5].startswith("Trên đây là báo cáo kết quả thực hiện công tác dân vận chính quyền")


def test_recipients_and_blank_signer_of_a_province(province_report):
    footer = province_report.tables[-1]
    assert [p.text for p in footer.cell(0, 0).paragraphs if p.text] == ["Nơi nhận:", "- Lưu: VT."]
    assert [p.text for p in footer.cell(0, 1).paragraphs if p.text] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


def test_commune_report_goes_to_the_province_signed_by_its_head(reported, tree, make_user):
    make_user("chu_tich", (tree["A1"], "head"), full_name="Lò Văn Thắng", position="Chủ tịch")
    make_user("pho_chu_tich", (tree["A1"], "head"), full_name="Lò Thị Mai", position="Phó Chủ tịch")
    document = _open(synthesis_docx(reported, tree["A1"]))
    header = document.tables[0]
    assert [p.text for p in header.cell(0, 0).paragraphs if p.text.strip()] == ["ỦY BAN NHÂN DÂN\nXÃ BÌNH LƯ"]
    assert header.cell(1, 1).text.startswith("Bình Lư, ngày ")
    footer = document.tables[-1]
    assert [p.text for p in footer.cell(0, 0).paragraphs if p.text] == [
        "Nơi nhận:", "- Ủy ban nhân dân tỉnh Lai Châu (báo cáo);", "- Lưu: VT.",
    ]
    assert [p.text for p in footer.cell(0, 1).paragraphs if p.text] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Lò Văn Thắng"]
    rows = {row[1]: row[4] for row in _table(document, FIGURES_HEADER)[1:] if row[1]}
    assert rows["sessions"] == "12" and rows["own_plan"] == "100"  # only the commune's own report
    texts = _texts(document)
    assert "- Sở Nội vụ: Sở hướng dẫn các xã xây dựng kế hoạch." not in texts
    assert "- Số đơn vị phải báo cáo: 1." in texts


def test_only_a_deputy_signs_for_the_head(reported, tree, make_user):
    make_user("pho", (tree["A1"], "head"), full_name="Lò Thị Mai", position="Phó Chủ tịch")
    footer = _open(synthesis_docx(reported, tree["A1"])).tables[-1]
    assert [p.text for p in footer.cell(0, 1).paragraphs if p.text] == [
        "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lò Thị Mai",
    ]


def test_a_period_with_nothing_received(period, tree):
    texts = _texts(_open(synthesis_docx(period, tree["A"])))
    assert "- Số đơn vị đã gửi báo cáo: 0, đạt tỷ lệ 0%; trong đó đúng hạn: 0, chậm hạn: 0." in texts
    assert "Chưa có đơn vị nào gửi phần thuyết minh." in texts
    assert "1. Đơn vị gửi báo cáo chậm hạn (hạn gửi ngày 05/6/2026)" in texts
    assert "Không có." in texts


def test_page_is_a4_and_every_run_times_new_roman(province_report):
    (section,) = province_report.sections
    assert abs(section.page_width - 210 * MM) <= MM // 10 and abs(section.page_height - 297 * MM) <= MM // 10
    assert abs(section.left_margin - 30 * MM) <= MM // 10
    runs = list(province_report.element.body.iter(qn("w:r")))
    assert len(runs) > 50
    for run in runs:
        fonts = run.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts.get(qn("w:ascii")) == "Times New Roman" and fonts.get(qn("w:hAnsi")) == "Times New Roman"


@pytest.mark.parametrize(("who", "allowed"), [
    ("own", True), ("parent", True), ("sibling", False), ("other_province", False), ("nobody", False),
    ("anonymous", False),
])
def test_who_may_produce_it(reported, tree, make_user, who, allowed):
    grants = {
        "own": [(tree["A1"], "officer")], "parent": [(tree["A"], "viewer")], "sibling": [(tree["A2"], "admin")],
        "other_province": [(tree["B"], "admin")], "nobody": [],
    }
    actor = AnonymousUser() if who == "anonymous" else make_user(who, *grants[who])
    if allowed:
        assert synthesis_docx(reported, tree["A1"], actor=actor)[:2] == b"PK"
    else:
        with pytest.raises(PermissionDenied):
            synthesis_docx(reported, tree["A1"], actor=actor)


def test_format_number_and_filename(reported, tree):
    assert format_number(None) == "-"
    assert format_number(1234567.0) == "1.234.567"
    assert format_number(85.25) == "85,25" and format_number(2 / 3 * 100) == "66,67"
    assert synthesis_filename(reported, tree["A1"]) == "BC-xa-binh-lu-6-thang-dau-nam-2026.docx"
