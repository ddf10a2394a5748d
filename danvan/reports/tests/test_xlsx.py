"""The offline Excel template: written, filled with openpyxl as a user would, read back; every bad upload."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook

from danvan.reports import xlsx
from danvan.reports.models import ReportForm, Submission
from danvan.reports.xlsx import (
    ANSWERS_SHEET,
    META_SHEET,
    VALUES_HEADER_ROW,
    VALUES_SHEET,
    read_upload,
    template_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are checked as their English msgids (the Vietnamese catalogue comes later)."""
    with translation.override("en"):
        yield

V = f"Sheet “{VALUES_SHEET}”"
A = f"Sheet “{ANSWERS_SHEET}”"


@pytest.fixture
def submission(period: Any, tree: dict[str, Any]) -> Submission:
    s = Submission.objects.get(period=period, org_unit=tree["A1"])
    s.values = {"sessions": 3, "own_plan": True, "satisfaction": 87.5}
    s.corrections = {"own_plan": "Đã ban hành Kế hoạch số 12/KH-UBND"}
    s.answers = {"highlights": "Tổ chức 3 buổi tuyên truyền."}
    s.save()
    return s


def _open(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))


def _save(wb: Any) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row_of(ws: Any, code: str, col: int = 2) -> int:
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, col).value == code:
            return row
    raise AssertionError(code)


def _fill(data: bytes, values: dict[str, Any] | None = None, reasons: dict[str, Any] | None = None,
          answers: dict[str, Any] | None = None) -> bytes:
    """What an officer does in Excel: type into the value, reason and answer cells, save."""
    wb = _open(data)
    ws, qs = wb[VALUES_SHEET], wb[ANSWERS_SHEET]
    for code, value in (values or {}).items():
        ws.cell(_row_of(ws, code), 6).value = value
    for code, value in (reasons or {}).items():
        ws.cell(_row_of(ws, code), 7).value = value
    for code, value in (answers or {}).items():
        qs.cell(_row_of(qs, code, 1), 3).value = value
    return _save(wb)


def _errors(submission: Submission, data: Any) -> list[str]:
    with pytest.raises(ValidationError) as info:
        read_upload(submission, data)
    return info.value.messages


# --- the template ----------------------------------------------------------------------------


def test_template_has_one_row_per_indicator_in_form_order_with_sections(submission):
    wb = _open(template_xlsx(submission))
    assert wb.sheetnames == [VALUES_SHEET, ANSWERS_SHEET, META_SHEET]
    ws = wb[VALUES_SHEET]
    header = [ws.cell(VALUES_HEADER_ROW, c).value for c in range(1, 8)]
    assert header == ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Loại", "Giá trị", "Lý do điều chỉnh"]
    body = [
        tuple(ws.cell(r, c).value for c in range(1, 6)) for r in range(VALUES_HEADER_ROW + 1, ws.max_row + 1)
    ]
    assert body == [
        ("I", None, "Công tác tuyên truyền", None, None),
        (1, "sessions", "Số buổi tuyên truyền", "buổi", "Số lượng"),
        (2, "participants", "Số lượt người tham dự", "lượt người", "Số lượng"),
        (3, "own_plan", "Đã ban hành kế hoạch của đơn vị", None, "Có/Không"),
        ("II", None, "Tiếp công dân, giải quyết đơn thư", None, None),
        (4, "received", "Số đơn thư tiếp nhận", "đơn", "Số lượng"),
        (5, "resolved", "Số đơn thư đã giải quyết", "đơn", "Số lượng"),
        (6, "satisfaction", "Chỉ số hài lòng", "%", "Tỷ lệ (%)"),
        (7, "budget", "Kinh phí", "đồng", "Số tiền"),
        (8, "resolved_rate", "Tỷ lệ giải quyết", "%", "Tự tính"),
    ]
    assert "Xã Bình Lư" in ws["A2"].value and "6 tháng đầu năm 2026" in ws["A3"].value


def test_template_prefills_current_values_reasons_and_answers(submission):
    wb = _open(template_xlsx(submission))
    ws = wb[VALUES_SHEET]
    assert ws.cell(_row_of(ws, "sessions"), 6).value == 3
    assert ws.cell(_row_of(ws, "own_plan"), 6).value == "Có"
    assert ws.cell(_row_of(ws, "satisfaction"), 6).value == 87.5
    assert ws.cell(_row_of(ws, "received"), 6).value is None
    assert ws.cell(_row_of(ws, "own_plan"), 7).value == "Đã ban hành Kế hoạch số 12/KH-UBND"
    qs = wb[ANSWERS_SHEET]
    assert [qs.cell(1, c).value for c in (1, 2, 3)] == ["Mã câu hỏi", "Nội dung", "Trả lời"]
    assert [(qs.cell(r, 1).value, qs.cell(r, 2).value, qs.cell(r, 3).value) for r in (2, 3)] == [
        ("highlights", "Kết quả nổi bật", "Tổ chức 3 buổi tuyên truyền."),
        ("difficulties", "Khó khăn, vướng mắc", None),
    ]


def test_template_validations_by_type(submission):
    ws = _open(template_xlsx(submission))[VALUES_SHEET]
    rules = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            rules[rng.coord] = (dv.type, dv.operator, dv.formula1, dv.formula2)
    assert rules[f"F{_row_of(ws, 'sessions')}"] == ("whole", "greaterThanOrEqual", "0", None)
    assert rules[f"F{_row_of(ws, 'received')}"] == ("whole", "greaterThanOrEqual", "0", None)
    assert rules[f"F{_row_of(ws, 'satisfaction')}"] == ("decimal", "between", "0", "100")
    assert rules[f"F{_row_of(ws, 'own_plan')}"] == ("list", None, '"Có,Không"', None)
    assert rules[f"F{_row_of(ws, 'budget')}"] == ("decimal", "greaterThanOrEqual", "0", None)
    assert f"F{_row_of(ws, 'resolved_rate')}" not in rules  # computed: nothing to type


def test_template_locks_codes_and_names_and_unlocks_values_and_reasons(submission):
    wb = _open(template_xlsx(submission))
    ws = wb[VALUES_SHEET]
    assert ws.protection.sheet is True and not ws.protection.password
    row = _row_of(ws, "sessions")
    for col in (1, 2, 3, 4, 5):
        assert ws.cell(row, col).protection.locked is True
    for col in (6, 7):
        assert ws.cell(row, col).protection.locked is False
    assert ws.cell(VALUES_HEADER_ROW, 2).protection.locked is True
    assert ws.cell(_row_of(ws, "resolved_rate"), 6).protection.locked is True
    qs = wb[ANSWERS_SHEET]
    assert qs.protection.sheet is True
    assert qs.cell(2, 1).protection.locked is True and qs.cell(2, 3).protection.locked is False


def test_hidden_sheet_identifies_form_period_unit(submission, small_form):
    meta = _open(template_xlsx(submission))[META_SHEET]
    assert meta.sheet_state == "hidden"
    found = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, meta.max_row + 1)}
    assert found["form_code"] == "test-form" and found["form_version"] == "1"
    assert found["period_id"] == str(submission.period_id) and found["unit_id"] == str(submission.org_unit_id)
    assert len(found["checksum"]) == 32


# --- round trip ------------------------------------------------------------------------------


def test_round_trip_unchanged_template_gives_back_the_report(submission):
    values, answers, reasons = read_upload(submission, template_xlsx(submission))
    assert values == {"sessions": 3, "own_plan": True, "satisfaction": 87.5}
    assert answers == {"highlights": "Tổ chức 3 buổi tuyên truyền."}
    assert reasons == {"own_plan": "Đã ban hành Kế hoạch số 12/KH-UBND"}


def test_round_trip_filled_like_a_user(submission):
    data = _fill(
        template_xlsx(submission),
        values={
            "sessions": 12, "participants": "1.234", "own_plan": "Không", "received": 40.0, "resolved": " 35 ",
            "satisfaction": "92,5", "budget": 1500000,
        },
        reasons={"own_plan": "Kế hoạch chưa được ký", "sessions": None},
        answers={"highlights": "Dòng một.\nDòng hai.", "difficulties": "Thiếu kinh phí"},
    )
    values, answers, reasons = read_upload(submission, SimpleUploadedFile("bao-cao.xlsx", data))
    assert values == {
        "sessions": 12, "participants": 1234, "own_plan": False, "received": 40, "resolved": 35,
        "satisfaction": 92.5, "budget": 1500000,
    }
    assert isinstance(values["received"], int)
    assert answers == {"highlights": "Dòng một.\nDòng hai.", "difficulties": "Thiếu kinh phí"}
    assert reasons == {"own_plan": "Kế hoạch chưa được ký"}


def test_cleared_cells_drop_figures_and_excel_booleans_are_read(submission):
    data = _fill(template_xlsx(submission), values={"sessions": None, "own_plan": True, "satisfaction": ""},
                 answers={"highlights": None})
    values, answers, _reasons = read_upload(submission, data)
    assert values == {"own_plan": True}
    assert answers == {}


def test_formulas_are_never_evaluated(submission):
    """openpyxl writes no cached value for a formula: the cell reads as empty, not as 2."""
    data = _fill(template_xlsx(submission), values={"sessions": "=1+1", "participants": 5})
    values, _answers, _reasons = read_upload(submission, data)
    assert values == {"participants": 5, "own_plan": True, "satisfaction": 87.5}


def test_cached_formula_values_are_read(submission):
    """A file saved by Excel keeps each formula's last value beside it; that value is what counts."""
    data = template_xlsx(submission)
    wb = _open(data)
    ws = wb[VALUES_SHEET]
    row = _row_of(ws, "sessions")
    ws.cell(row, 6, "=2*3")
    raw = _save(wb)
    # Add the cached value <v>6</v> as Excel would, next to the formula.
    parts = {}
    with zipfile.ZipFile(io.BytesIO(raw)) as zin:
        for item in zin.infolist():
            parts[item.filename] = zin.read(item)
    sheet = "xl/worksheets/sheet1.xml"
    xml, count = re.subn(rb"<f>2\*3</f>(?:<v\s*/>|<v></v>)?", b"<f>2*3</f><v>6</v>", parts[sheet])
    assert count == 1
    parts[sheet] = xml
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, content in parts.items():
            zout.writestr(name, content)
    values, _answers, _reasons = read_upload(submission, out.getvalue())
    assert values["sessions"] == 6


# --- bad uploads: every message names the sheet, the row and the column -------------------------


def _set_meta(data: bytes, key: str, value: Any) -> bytes:
    wb = _open(data)
    meta = wb[META_SHEET]
    meta.cell(_row_of(meta, key, 1), 2, value)
    return _save(wb)


def test_another_template_version_is_refused(submission, small_form):
    errors = _errors(submission, _set_meta(template_xlsx(submission), "form_version", "2"))
    assert len(errors) == 1
    assert errors[0].startswith(f"Sheet “{META_SHEET}”, row 3, column B:")
    assert "version 2" in errors[0] and "version 1" in errors[0]


def test_a_template_of_a_new_form_version_does_not_fit_the_old_one(submission, small_form, period):
    """A template downloaded for version 2 of the form, uploaded to a report on version 1."""
    v2 = ReportForm.objects.create(code=small_form.code, version=2, name=small_form.name, status="draft")
    other = Submission.objects.get(pk=submission.pk)
    other.period.regime.form = v2
    data = template_xlsx(other)
    errors = _errors(Submission.objects.get(pk=submission.pk), data)
    assert any("version 2" in e and f"“{META_SHEET}”" in e for e in errors), errors


def test_another_form_period_or_unit_is_refused(submission, tree, period):
    errors = _errors(submission, _set_meta(template_xlsx(submission), "form_code", "other-form"))
    assert errors[0].startswith(f"Sheet “{META_SHEET}”, row 2, column B:") and "other-form" in errors[0]
    errors = _errors(submission, _set_meta(template_xlsx(submission), "period_id", "999999"))
    assert errors[0].startswith(f"Sheet “{META_SHEET}”, row 4, column B:") and "6 tháng đầu năm 2026" in errors[0]
    sibling = Submission.objects.get(period=period, org_unit=tree["A2"])
    errors = _errors(sibling, template_xlsx(submission))
    assert errors[0].startswith(f"Sheet “{META_SHEET}”, row 5, column B:") and "Phường Tân Phong" in errors[0]


def test_a_workbook_without_the_hidden_sheet_is_not_a_template(submission):
    wb = Workbook()
    wb.active.title = VALUES_SHEET
    errors = _errors(submission, _save(wb))
    assert errors == [f"The file is not a report template downloaded from this system (the sheet “{META_SHEET}” is missing)."]


def test_altered_headers_name_the_cell(submission):
    wb = _open(template_xlsx(submission))
    ws = wb[VALUES_SHEET]
    ws.cell(VALUES_HEADER_ROW, 6, "Số liệu")
    ws.cell(VALUES_HEADER_ROW, 8, "Ghi chú")
    wb[ANSWERS_SHEET].cell(1, 3, "Ý kiến")
    errors = _errors(submission, _save(wb))
    assert f"{V}, row 6, column F (Giá trị): the heading must be “Giá trị”, found “Số liệu”." in errors
    assert f"{V}, row 6, column H: a column was added (“Ghi chú”)." in errors
    assert f"{A}, row 1, column C (Trả lời): the heading must be “Trả lời”, found “Ý kiến”." in errors


def test_renamed_unknown_and_duplicated_rows(submission):
    wb = _open(template_xlsx(submission))
    ws = wb[VALUES_SHEET]
    ws.cell(_row_of(ws, "participants"), 2, "attendees")
    ws.cell(_row_of(ws, "received"), 3, "Số đơn")
    ws.cell(_row_of(ws, "budget"), 2, "sessions")
    errors = _errors(submission, _save(wb))
    assert f"{V}, row 9, column B (Mã chỉ tiêu): “attendees” is not an indicator of this form." in errors
    assert f"{V}, row 12, column C (Chỉ tiêu): the indicator's name was changed; it must be “Số đơn thư tiếp nhận”." in errors
    assert f"{V}, row 15, column B (Mã chỉ tiêu): the indicator “sessions” is repeated (first on row 8)." in errors
    assert f"{V}: the row of the indicator “participants” (Số lượt người tham dự) is missing." in errors
    assert f"{V}: the row of the indicator “budget” (Kinh phí) is missing." in errors


def test_missing_and_extra_rows(submission):
    wb = _open(template_xlsx(submission))
    ws = wb[VALUES_SHEET]
    ws.delete_rows(_row_of(ws, "resolved"))
    last = ws.max_row + 1
    ws.cell(last, 2, "extra_code")
    ws.cell(last, 6, 5)
    ws.cell(last + 1, 6, 7)  # a figure on a row with no code
    qs = wb[ANSWERS_SHEET]
    qs.delete_rows(_row_of(qs, "difficulties", 1))
    qs.cell(5, 1, "opinion")
    errors = _errors(submission, _save(wb))
    assert f"{V}: the row of the indicator “resolved” (Số đơn thư đã giải quyết) is missing." in errors
    assert f"{V}, row {last}, column B (Mã chỉ tiêu): “extra_code” is not an indicator of this form." in errors
    assert f"{V}, row {last + 1}, column B (Mã chỉ tiêu): a value is given on a row without an indicator code." in errors
    assert f"{A}: the row of the question “difficulties” is missing." in errors
    assert f"{A}, row 5, column A (Mã câu hỏi): “opinion” is not a question of this form." in errors


def test_bad_values_are_all_reported_with_their_cells(submission):
    data = _fill(
        template_xlsx(submission),
        values={
            "sessions": "mười hai", "participants": -5, "own_plan": "Chưa", "received": 2.5,
            "satisfaction": 120, "budget": "-100", "resolved_rate": 80,
        },
    )
    errors = _errors(submission, data)
    assert errors == [
        f"{V}, row 8, column F (Giá trị): Enter a whole number.",
        f"{V}, row 9, column F (Giá trị): Must not be negative.",
        f"{V}, row 10, column F (Giá trị): Enter yes or no.",
        f"{V}, row 12, column F (Giá trị): Enter a whole number.",
        f"{V}, row 14, column F (Giá trị): Must be between 0 and 100.",
        f"{V}, row 15, column F (Giá trị): Must not be negative.",
        f"{V}, row 16, column F (Giá trị): This figure is computed from other figures; leave it empty.",
    ]


def test_dates_and_too_long_texts(submission):
    import datetime as dt

    data = _fill(template_xlsx(submission), values={"sessions": dt.date(2026, 5, 1)},
                 reasons={"received": "x" * 2001}, answers={"difficulties": "y" * 5001})
    errors = _errors(submission, data)
    assert errors == [
        f"{V}, row 8, column F (Giá trị): a date or time is not a valid value here.",
        f"{V}, row 12, column G (Lý do điều chỉnh): the reason is too long (at most 2000 characters).",
        f"{A}, row 3, column C (Trả lời): the answer is too long (5001 characters, at most 5000).",
    ]


def test_errors_are_capped(submission, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ERRORS", 3)
    data = _fill(template_xlsx(submission), values={
        "sessions": "a", "participants": "b", "received": "c", "resolved": "d", "satisfaction": "e",
    })
    errors = _errors(submission, data)
    assert len(errors) == 4
    assert errors[-1] == "2 more errors not shown."


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "The file is empty."),
        (b"STT;Ma chi tieu;Gia tri\n1;sessions;12\n", "The file is not an Excel workbook (.xlsx)."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "The file is not an Excel workbook (.xlsx)."),
    ],
    ids=["empty", "csv", "old-xls"],
)
def test_not_an_xlsx(submission, content, expected):
    errors = _errors(submission, content)
    assert len(errors) == 1 and errors[0].startswith(expected)


def test_a_docx_is_not_an_xlsx(submission):
    from danvan.documents.decree30 import OfficialDocument, render_docx

    data = render_docx(OfficialDocument(issuing_body="UBND", symbol="BC-UBND", place="Bình Lư",
                                        doc_type_title="BÁO CÁO", summary="Thử"))
    errors = _errors(submission, data)
    assert errors[0].startswith("The file is not an Excel workbook (.xlsx).")


def test_too_big(submission):
    errors = _errors(submission, b"PK" + b"\0" * (5 * 1024 * 1024))
    assert errors == ["The file is too big (more than 5 MB)."]
    upload = SimpleUploadedFile("big.xlsx", b"PK" + b"\0" * (5 * 1024 * 1024))
    assert _errors(submission, upload) == ["The file is too big (more than 5 MB)."]


def test_zip_bomb_is_refused_before_parsing(submission):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (51 * 1024 * 1024))
    data = out.getvalue()
    assert len(data) < 1024 * 1024
    assert _errors(submission, data) == ["The file expands to too much data to be a report."]


def test_xml_entities_are_refused(submission):
    parts = {}
    with zipfile.ZipFile(io.BytesIO(template_xlsx(submission))) as zin:
        for item in zin.infolist():
            parts[item.filename] = zin.read(item)
    parts["xl/workbook.xml"] = (
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>' + parts["xl/workbook.xml"]
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, content in parts.items():
            zout.writestr(name, content)
    assert _errors(submission, out.getvalue()) == ["The file contains XML declarations that are not allowed."]


def test_reading_writes_nothing(submission):
    before = Submission.objects.values("values", "answers", "corrections", "lock_version").get(pk=submission.pk)
    read_upload(submission, _fill(template_xlsx(submission), values={"sessions": 40}))
    after = Submission.objects.values("values", "answers", "corrections", "lock_version").get(pk=submission.pk)
    assert before == after


def test_a_template_of_other_indicators_is_refused(submission):
    errors = _errors(submission, _set_meta(template_xlsx(submission), "checksum", "0" * 32))
    assert errors == [
        f"Sheet “{META_SHEET}”, row 6, column B: the template does not match the form's indicators; "
        "download a new template."
    ]
