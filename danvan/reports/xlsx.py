"""The Excel template a unit fills offline, and the reading of it back.

Communes on a slow or intermittent link fill the report in Excel, as they always have, and upload
it. The upload is only trusted as far as it can be checked: the template carries, on a hidden
sheet, the form code and version, the period and the unit it was made for and a checksum of the
header and code columns, so a file of another form version, period or unit, or one whose headers
or indicator rows were altered, is refused with a message naming the sheet, row and column. Values
go through the same ``parse_value`` as the browser grid, and every bad cell is reported at once
(up to a limit), because an officer fixing one cell per upload would give up.

Safety: an upload is at most 5 MB; before openpyxl sees it, the archive's members are checked
(their declared uncompressed size, bounded and enforced by ``zipfile``'s own CRC check, and no
DTD or entity in any XML part), so neither a zip bomb nor an entity expansion reaches the parser.
Formulas are never evaluated: only the values Excel cached are read (``data_only=True``).

The sheet names, column titles, type names and the "Có"/"Không" list are Vietnamese *data* of the
official template (like the fixed wording of ``plans/export.py``), not UI text: they are matched on
upload and must not change with the interface language. Messages to the user are English msgids.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from danvan.core.text import nfc

from .models import Submission, ValueType
from .validation import FormSpec, IndicatorSpec, QuestionSpec, parse_value, spec_for

# --- the template's fixed wording (data of the official template) -------------------------

VALUES_SHEET = "Số liệu"
ANSWERS_SHEET = "Thuyết minh"
META_SHEET = "_danvan"
VALUE_HEADERS = ("STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Loại", "Giá trị", "Lý do điều chỉnh")
ANSWER_HEADERS = ("Mã câu hỏi", "Nội dung", "Trả lời")
YES, NO = "Có", "Không"
COMPUTED = "Tự tính"
TYPE_NAMES: dict[str, str] = {
    ValueType.COUNT: "Số lượng",
    ValueType.PERCENTAGE: "Tỷ lệ (%)",
    ValueType.BOOLEAN: "Có/Không",
    ValueType.MONEY: "Số tiền",
    ValueType.TEXT: "Văn bản",
}

# Row numbers (1-based) and columns (1-based) of the layout.
VALUES_HEADER_ROW = 6
ANSWERS_HEADER_ROW = 1
COL_STT, COL_CODE, COL_NAME, COL_UNIT, COL_TYPE, COL_VALUE, COL_REASON = range(1, 8)
Q_COL_CODE, Q_COL_TEXT, Q_COL_ANSWER = range(1, 4)
# Version of the template layout itself; a change of layout makes old downloads unreadable on purpose.
TEMPLATE_FORMAT = "1"

# --- limits --------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 200
MAX_ERRORS = 50
MAX_REASON_LENGTH = 2000
MAX_ROWS = 5000  # far beyond any form; stops a sheet padded with a million rows

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFFDE7")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_UNLOCKED = Protection(locked=False)


# --- the form in template order --------------------------------------------------------------


def ordered_rows(spec: FormSpec) -> list[tuple[str, Any]]:
    """The form as printed: indicators without a section first, then each section and its indicators."""
    by_section: dict[int | None, list[IndicatorSpec]] = {}
    for ind in sorted(spec.indicators, key=lambda i: (i.order, i.id)):
        by_section.setdefault(ind.section_id, []).append(ind)
    rows: list[tuple[str, Any]] = [("indicator", ind) for ind in by_section.pop(None, [])]
    for section in sorted(spec.sections, key=lambda s: (s.order, s.id)):
        rows.append(("section", section))
        rows += [("indicator", ind) for ind in by_section.pop(section.id, [])]
    for orphans in by_section.values():  # a section id the spec does not list: keep the rows anyway
        rows += [("indicator", ind) for ind in orphans]
    return rows


def ordered_indicators(spec: FormSpec) -> list[IndicatorSpec]:
    return [item for kind, item in ordered_rows(spec) if kind == "indicator"]


def ordered_questions(spec: FormSpec) -> list[QuestionSpec]:
    order: dict[int | None, tuple[int, int]] = {s.id: (s.order, s.id) for s in spec.sections}
    return sorted(spec.questions, key=lambda q: (order.get(q.section_id, (-1, 0)), q.order, q.id))


def checksum(spec: FormSpec) -> str:
    """What the uploaded file's header and code columns must be, in one short string."""
    parts = [
        "\x1f".join(VALUE_HEADERS),
        "\x1f".join(ind.code for ind in ordered_indicators(spec)),
        "\x1f".join(ANSWER_HEADERS),
        "\x1f".join(q.code for q in ordered_questions(spec)),
    ]
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()[:32]


def _form_of(submission: Submission) -> Any:
    return submission.period.regime.form


# --- writing ---------------------------------------------------------------------------------


def template_filename(submission: Submission) -> str:
    from .export import ascii_slug

    unit = ascii_slug(submission.org_unit.name) or str(submission.org_unit_id)
    return f"bao-cao-{unit}-{ascii_slug(submission.period.label) or submission.period_id}.xlsx"[:150]


def template_xlsx(submission: Submission) -> bytes:
    """The workbook for one unit's report, with its current figures, reasons and answers filled in."""
    form = _form_of(submission)
    spec = spec_for(form)
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = VALUES_SHEET
    _write_values_sheet(ws, submission, form, spec)
    _write_answers_sheet(wb.create_sheet(ANSWERS_SHEET), submission, spec)
    _write_meta_sheet(wb.create_sheet(META_SHEET), submission, form, spec)
    wb.security = WorkbookProtection(lockStructure=True)  # sheets cannot be renamed, moved or unhidden by mistake
    wb.properties.creator = "danvan"
    wb.properties.title = form.name
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _short(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def _write_values_sheet(ws: Worksheet, submission: Submission, form: Any, spec: FormSpec) -> None:
    period = submission.period
    last = get_column_letter(len(VALUE_HEADERS))
    ws["A1"] = form.name.upper()
    ws["A1"].font = _TITLE
    ws["A2"] = f"Đơn vị báo cáo: {submission.org_unit.name}"
    ws["A3"] = (
        f"Kỳ báo cáo: {period.label} (số liệu từ ngày {_short(period.starts_on)} đến ngày {_short(period.ends_on)};"
        f" hạn gửi ngày {_short(period.due_on)})"
    )
    ws["A4"] = f"Mẫu: {form.code}, phiên bản {form.version}. Chỉ nhập vào các cột “Giá trị” và “Lý do điều chỉnh”."
    ws["A4"].font = Font(italic=True)
    for row in range(1, 5):
        ws.merge_cells(f"A{row}:{last}{row}")
    for col, (title, width) in enumerate(zip(VALUE_HEADERS, (6, 20, 60, 14, 12, 16, 40), strict=True), start=1):
        cell = ws.cell(VALUES_HEADER_ROW, col, title)
        cell.font, cell.fill, cell.border, cell.alignment = _BOLD, _HEADER_FILL, _BORDER, _CENTER
        ws.column_dimensions[get_column_letter(col)].width = width
    validations: dict[tuple[str, ...], DataValidation] = {}
    values, reasons = submission.values or {}, submission.corrections or {}
    row, number = VALUES_HEADER_ROW, 0
    for kind, item in ordered_rows(spec):
        row += 1
        if kind == "section":
            ws.cell(row, COL_STT, item.number or "")
            ws.cell(row, COL_NAME, item.title)
            for col in range(1, len(VALUE_HEADERS) + 1):
                cell = ws.cell(row, col)
                cell.font, cell.fill, cell.border = _BOLD, _SECTION_FILL, _BORDER
            continue
        number += 1
        ind: IndicatorSpec = item
        cells = [
            ws.cell(row, COL_STT, number),
            ws.cell(row, COL_CODE, ind.code),
            ws.cell(row, COL_NAME, ind.name),
            ws.cell(row, COL_UNIT, ind.unit or ""),
            ws.cell(row, COL_TYPE, TYPE_NAMES.get(ind.value_type, ind.value_type)),
        ]
        for cell in cells:
            cell.border, cell.alignment = _BORDER, _WRAP
        if ind.is_computed:  # a ratio is worked out from two other rows: shown, not typed
            cells[COL_TYPE - 1].value = COMPUTED
            for col in (COL_VALUE, COL_REASON):
                ws.cell(row, col).border = _BORDER
                ws.cell(row, col).fill = _SECTION_FILL
            continue
        value = ws.cell(row, COL_VALUE, _to_cell(ind, values.get(ind.code)))
        reason = ws.cell(row, COL_REASON, reasons.get(ind.code) or None)
        for cell in (value, reason):
            cell.border, cell.fill, cell.protection = _BORDER, _INPUT_FILL, _UNLOCKED
        reason.alignment = _WRAP
        value.number_format = "#,##0" if ind.value_type in (ValueType.COUNT, ValueType.MONEY) else "General"
        if ind.value_type == ValueType.TEXT:
            value.alignment = _WRAP
        _validate_cell(ws, validations, ind, value)
    ws.freeze_panes = ws.cell(VALUES_HEADER_ROW + 1, COL_NAME + 1)
    ws.protection.formatColumns = False  # the officer may still widen columns and rows
    ws.protection.formatRows = False
    ws.protection.enable()


def _to_cell(ind: IndicatorSpec, value: Any) -> Any:
    if value is None:
        return None
    if ind.value_type == ValueType.BOOLEAN:
        return YES if value else NO
    return value


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _validate_cell(ws: Worksheet, validations: dict[tuple[str, ...], DataValidation], ind: IndicatorSpec,
                   cell: Cell) -> None:
    """Excel's own check while typing; the server checks again on upload, whatever Excel allowed."""
    vtype = ind.value_type
    if vtype == ValueType.TEXT:
        return
    if vtype == ValueType.BOOLEAN:
        key: tuple[str, ...] = ("list",)
        make = lambda: DataValidation(  # noqa: E731
            type="list", formula1=f'"{YES},{NO}"', allow_blank=True, showErrorMessage=True,
            errorTitle="Giá trị không hợp lệ", error=f"Chọn “{YES}” hoặc “{NO}”.",
        )
    else:
        lo = ind.min_value if ind.min_value is not None else 0.0
        hi = ind.max_value
        if vtype == ValueType.PERCENTAGE:
            lo, hi = max(lo, 0.0), min(hi if hi is not None else 100.0, 100.0)
        kind = "whole" if vtype == ValueType.COUNT else "decimal"
        what = "số nguyên" if kind == "whole" else "số"
        if hi is None:
            key = (kind, "gte", _num(lo))
            text = f"Nhập {what} không nhỏ hơn {_num(lo)}."
        else:
            key = (kind, "between", _num(lo), _num(hi))
            text = f"Nhập {what} từ {_num(lo)} đến {_num(hi)}."
        make = lambda: DataValidation(  # noqa: E731
            type=kind, operator="greaterThanOrEqual" if hi is None else "between",
            formula1=_num(lo), formula2=None if hi is None else _num(hi), allow_blank=True,
            showErrorMessage=True, errorTitle="Giá trị không hợp lệ", error=text,
        )
    validation = validations.get(key)
    if validation is None:
        validation = validations[key] = make()
        ws.add_data_validation(validation)
    validation.add(cell)


def _write_answers_sheet(ws: Worksheet, submission: Submission, spec: FormSpec) -> None:
    answers = submission.answers or {}
    for col, (title, width) in enumerate(zip(ANSWER_HEADERS, (18, 50, 90), strict=True), start=1):
        cell = ws.cell(ANSWERS_HEADER_ROW, col, title)
        cell.font, cell.fill, cell.border, cell.alignment = _BOLD, _HEADER_FILL, _BORDER, _CENTER
        ws.column_dimensions[get_column_letter(col)].width = width
    for row, question in enumerate(ordered_questions(spec), start=ANSWERS_HEADER_ROW + 1):
        for col, value in ((Q_COL_CODE, question.code), (Q_COL_TEXT, question.text)):
            cell = ws.cell(row, col, value)
            cell.border, cell.alignment = _BORDER, _WRAP
        cell = ws.cell(row, Q_COL_ANSWER, answers.get(question.code) or None)
        cell.border, cell.fill, cell.protection, cell.alignment = _BORDER, _INPUT_FILL, _UNLOCKED, _WRAP
        ws.row_dimensions[row].height = 90
    ws.freeze_panes = ws.cell(ANSWERS_HEADER_ROW + 1, 1)
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.enable()


def _meta_rows(submission: Submission, form: Any, spec: FormSpec) -> list[tuple[str, str]]:
    return [
        ("format", TEMPLATE_FORMAT),
        ("form_code", form.code),
        ("form_version", str(form.version)),
        ("period_id", str(submission.period_id)),
        ("unit_id", str(submission.org_unit_id)),
        ("checksum", checksum(spec)),
    ]


def _write_meta_sheet(ws: Worksheet, submission: Submission, form: Any, spec: FormSpec) -> None:
    for row, (key, value) in enumerate(_meta_rows(submission, form, spec), start=1):
        ws.cell(row, 1, key)
        ws.cell(row, 2, value)
    ws.sheet_state = "hidden"
    ws.protection.enable()


# --- reading ---------------------------------------------------------------------------------


class _Errors:
    """Every problem of an upload, each naming its place, capped so that a wrong file gives a readable list."""

    def __init__(self) -> None:
        self.items: list[ValidationError] = []
        self.more = 0

    def _add(self, error: ValidationError) -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append(error)
        else:
            self.more += 1

    def cell(self, sheet: str, row: int, col: int, headers: tuple[str, ...], message: str) -> None:
        title = headers[col - 1] if 0 < col <= len(headers) else ""
        column = f"{get_column_letter(col)} ({title})" if title else get_column_letter(col)
        self._add(ValidationError(
            _("Sheet “%(sheet)s”, row %(row)d, column %(col)s: %(message)s"), code="cell",
            params={"sheet": sheet, "row": row, "col": column, "message": message},
        ))

    def sheet(self, sheet: str, message: str) -> None:
        self._add(ValidationError(
            _("Sheet “%(sheet)s”: %(message)s"), code="sheet", params={"sheet": sheet, "message": message},
        ))

    def file(self, message: str) -> None:
        self._add(ValidationError(message, code="file"))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        items = list(self.items)
        if self.more:
            items.append(ValidationError(
                ngettext("%(count)d more error not shown.", "%(count)d more errors not shown.", self.more),
                code="more", params={"count": self.more},
            ))
        raise ValidationError(items)


def _fail(message: str, code: str = "file") -> ValidationError:
    return ValidationError(message, code=code)


def _read_bounded(fileobj: Any) -> bytes:
    """The upload's bytes, never reading more than the limit (a Django upload may sit in a temp file)."""
    too_big = _fail(
        _("The file is too big (more than %(size)d MB).") % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}, "too_big"
    )
    if isinstance(fileobj, bytes | bytearray):
        data = bytes(fileobj)
    else:
        if (getattr(fileobj, "size", None) or 0) > MAX_UPLOAD_BYTES:
            raise too_big
        if hasattr(fileobj, "seek"):
            try:
                fileobj.seek(0)
            except (OSError, ValueError):
                pass
        data = fileobj.read(MAX_UPLOAD_BYTES + 1) or b""
    if not data:
        raise _fail(_("The file is empty."), "empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_big
    return data


def _check_archive(data: bytes) -> None:
    """Refuse what is not an xlsx, or would expand into far more than any report, before parsing XML."""
    not_xlsx = _("The file is not an Excel workbook (.xlsx). Download the template and fill it in Excel.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _fail(not_xlsx, "not_xlsx") from None
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise _fail(not_xlsx, "not_xlsx")
        if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
            raise _fail(_("The file expands to too much data to be a report."), "too_big")
        for member in members:
            if member.flag_bits & 0x1:
                raise _fail(_("The file is encrypted; save it without a password and upload it again."), "encrypted")
            if not member.filename.endswith((".xml", ".rels", ".vml")):
                continue
            try:
                # zipfile stops at the declared size and checks the CRC: a lying header fails here.
                content = archive.read(member)
            except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError):
                raise _fail(not_xlsx, "not_xlsx") from None
            if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
                raise _fail(_("The file contains XML declarations that are not allowed."), "unsafe")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(nfc(str(value)).split())


def read_upload(submission: Submission, fileobj: IO[bytes] | bytes | Any) -> tuple[dict, dict, dict]:
    """(values, answers, reasons) read from an uploaded template; ValidationError listing every problem.

    Empty value cells are left out of ``values`` (missing, as in the browser grid), so a cleared cell
    clears the figure. Saving is the caller's business (``services.save_draft``), with its own checks.
    """
    data = _read_bounded(fileobj)
    _check_archive(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise _fail(_("The file is damaged or is not an Excel workbook (.xlsx)."), "not_xlsx") from None
    try:
        form = _form_of(submission)
        spec = spec_for(form)
        _check_meta(wb, submission, form, spec)
        errors = _Errors()
        values, reasons = _read_values(wb, spec, errors)
        answers = _read_answers(wb, spec, errors)
        errors.raise_if_any()
        return values, answers, reasons
    finally:
        wb.close()


def _rows(ws: Any, min_row: int, max_col: int) -> Iterable[tuple[int, tuple[Any, ...]]]:
    for row, cells in enumerate(ws.iter_rows(min_row=min_row, max_col=max_col, values_only=True), start=min_row):
        if row > MAX_ROWS:
            break
        yield row, tuple(cells) + (None,) * (max_col - len(cells))


def _check_meta(wb: Any, submission: Submission, form: Any, spec: FormSpec) -> None:
    """The hidden sheet says which report the file was made for; any mismatch stops the reading."""
    if META_SHEET not in wb.sheetnames:
        raise _fail(_(
            "The file is not a report template downloaded from this system (the sheet “%(sheet)s” is missing)."
        ) % {"sheet": META_SHEET}, "not_template")
    found: dict[str, tuple[int, str]] = {}
    for row, (key, value) in _rows(wb[META_SHEET], 1, 2):
        if key is not None and _text(key) not in found:
            found[_text(key)] = (row, _text(value))
    errors = _Errors()
    expected = dict(_meta_rows(submission, form, spec))

    def mismatch(key: str, message: str) -> None:
        row = found.get(key, (0, ""))[0]
        if row:
            errors.cell(META_SHEET, row, 2, (), message)
        else:
            errors.sheet(META_SHEET, message)

    def got(key: str) -> str:
        return found.get(key, (0, ""))[1]

    if got("format") != TEMPLATE_FORMAT:
        mismatch("format", _("this template's layout is no longer accepted; download a new template."))
    elif got("form_code") != form.code:
        mismatch("form_code", _("this template is for the form “%(found)s”, not “%(expected)s”.")
                 % {"found": got("form_code"), "expected": form.code})
    elif got("form_version") != str(form.version):
        mismatch("form_version", _(
            "this template is for version %(found)s of the form; this report uses version %(expected)s. "
            "Download a new template."
        ) % {"found": got("form_version") or "?", "expected": form.version})
    elif got("period_id") != str(submission.period_id):
        mismatch("period_id", _("this template was made for another reporting period (%(label)s is expected).")
                 % {"label": submission.period.label})
    elif got("unit_id") != str(submission.org_unit_id):
        mismatch("unit_id", _("this template was made for another unit (%(unit)s is expected).")
                 % {"unit": submission.org_unit.name})
    elif got("checksum") != expected["checksum"]:
        mismatch("checksum", _("the template does not match the form's indicators; download a new template."))
    errors.raise_if_any()


def _check_headers(ws: Any, sheet: str, header_row: int, headers: tuple[str, ...], errors: _Errors) -> bool:
    row_cells = next(iter(ws.iter_rows(min_row=header_row, max_row=header_row, max_col=len(headers) + 1,
                                       values_only=True)), ())
    row_cells = tuple(row_cells) + (None,) * (len(headers) + 1 - len(row_cells))
    ok = True
    for col, title in enumerate(headers, start=1):
        if _text(row_cells[col - 1]) != title:
            ok = False
            errors.cell(sheet, header_row, col, headers, _("the heading must be “%(expected)s”, found “%(found)s”.")
                        % {"expected": title, "found": _text(row_cells[col - 1])})
    extra = row_cells[len(headers)]
    if extra is not None and _text(extra):
        ok = False
        errors.cell(sheet, header_row, len(headers) + 1, headers, _("a column was added (“%(found)s”).")
                    % {"found": _text(extra)})
    return ok


def _raw_for(ind: IndicatorSpec, value: Any) -> Any:
    """A cell's value as the browser grid would send it; dates are refused, as no indicator is a date."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        if ind.value_type == ValueType.TEXT:
            return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else str(value)
        raise ValueError(_("a date or time is not a valid value here."))
    if isinstance(value, str):
        value = nfc(value).strip()
        if not value:
            return None
        if ind.value_type == ValueType.BOOLEAN:
            folded = value.casefold()
            if folded == YES.casefold():
                return True
            if folded == NO.casefold():
                return False
        return value
    if ind.value_type == ValueType.TEXT and isinstance(value, int | float) and not isinstance(value, bool):
        return _text(value)
    if isinstance(value, float) and value.is_integer() and ind.value_type in (ValueType.COUNT, ValueType.MONEY):
        return int(value)
    return value


def _read_values(wb: Any, spec: FormSpec, errors: _Errors) -> tuple[dict, dict]:
    values: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    if VALUES_SHEET not in wb.sheetnames:
        errors.file(_("The sheet “%(sheet)s” is missing.") % {"sheet": VALUES_SHEET})
        return values, reasons
    ws = wb[VALUES_SHEET]
    headers = VALUE_HEADERS
    if not _check_headers(ws, VALUES_SHEET, VALUES_HEADER_ROW, headers, errors):
        return values, reasons
    expected = {ind.code: ind for ind in ordered_indicators(spec)}
    seen: dict[str, int] = {}
    for row, cells in _rows(ws, VALUES_HEADER_ROW + 1, len(headers)):
        code = _text(cells[COL_CODE - 1])
        if not code:
            if _text(cells[COL_VALUE - 1]) or _text(cells[COL_REASON - 1]):
                errors.cell(VALUES_SHEET, row, COL_CODE, headers,
                            _("a value is given on a row without an indicator code."))
            continue
        ind = expected.get(code)
        if ind is None:
            errors.cell(VALUES_SHEET, row, COL_CODE, headers,
                        _("“%(code)s” is not an indicator of this form.") % {"code": code})
            continue
        if code in seen:
            errors.cell(VALUES_SHEET, row, COL_CODE, headers,
                        _("the indicator “%(code)s” is repeated (first on row %(first)d).")
                        % {"code": code, "first": seen[code]})
            continue
        seen[code] = row
        if _text(cells[COL_NAME - 1]) != " ".join(ind.name.split()):
            errors.cell(VALUES_SHEET, row, COL_NAME, headers,
                        _("the indicator's name was changed; it must be “%(name)s”.") % {"name": ind.name})
            continue
        if ind.is_computed:
            if _text(cells[COL_VALUE - 1]):
                errors.cell(VALUES_SHEET, row, COL_VALUE, headers,
                            _("This figure is computed from other figures; leave it empty."))
            continue
        try:
            raw = _raw_for(ind, cells[COL_VALUE - 1])
            value = None if raw is None else parse_value(ind, raw)
        except ValueError as exc:
            errors.cell(VALUES_SHEET, row, COL_VALUE, headers, str(exc))
        else:
            if value is not None:
                values[code] = value
        reason = nfc(str(cells[COL_REASON - 1])).strip() if cells[COL_REASON - 1] is not None else ""
        if len(reason) > MAX_REASON_LENGTH:
            errors.cell(VALUES_SHEET, row, COL_REASON, headers,
                        _("the reason is too long (at most %(max)d characters).") % {"max": MAX_REASON_LENGTH})
        elif reason:
            reasons[code] = reason
    for code, ind in expected.items():
        if code not in seen:
            errors.sheet(VALUES_SHEET, _("the row of the indicator “%(code)s” (%(name)s) is missing.")
                         % {"code": code, "name": ind.name})
    return values, reasons


def _read_answers(wb: Any, spec: FormSpec, errors: _Errors) -> dict:
    answers: dict[str, str] = {}
    if ANSWERS_SHEET not in wb.sheetnames:
        errors.file(_("The sheet “%(sheet)s” is missing.") % {"sheet": ANSWERS_SHEET})
        return answers
    ws = wb[ANSWERS_SHEET]
    headers = ANSWER_HEADERS
    if not _check_headers(ws, ANSWERS_SHEET, ANSWERS_HEADER_ROW, headers, errors):
        return answers
    expected = {q.code: q for q in ordered_questions(spec)}
    seen: dict[str, int] = {}
    for row, cells in _rows(ws, ANSWERS_HEADER_ROW + 1, len(headers)):
        code = _text(cells[Q_COL_CODE - 1])
        answer = cells[Q_COL_ANSWER - 1]
        text = "" if answer is None else nfc(str(int(answer) if isinstance(answer, float) and answer.is_integer()
                                                  else answer)).strip()
        if not code:
            if text:
                errors.cell(ANSWERS_SHEET, row, Q_COL_CODE, headers,
                            _("an answer is given on a row without a question code."))
            continue
        question = expected.get(code)
        if question is None:
            errors.cell(ANSWERS_SHEET, row, Q_COL_CODE, headers,
                        _("“%(code)s” is not a question of this form.") % {"code": code})
            continue
        if code in seen:
            errors.cell(ANSWERS_SHEET, row, Q_COL_CODE, headers,
                        _("the question “%(code)s” is repeated (first on row %(first)d).")
                        % {"code": code, "first": seen[code]})
            continue
        seen[code] = row
        if _text(cells[Q_COL_TEXT - 1]) != " ".join(question.text.split()):
            errors.cell(ANSWERS_SHEET, row, Q_COL_TEXT, headers,
                        _("the question was changed; it must be “%(text)s”.") % {"text": question.text})
            continue
        if question.max_length and len(text) > question.max_length:
            errors.cell(ANSWERS_SHEET, row, Q_COL_ANSWER, headers,
                        _("the answer is too long (%(length)d characters, at most %(max)d).")
                        % {"length": len(text), "max": question.max_length})
        elif text:
            answers[code] = text
    for code in expected:
        if code not in seen:
            errors.sheet(ANSWERS_SHEET, _("the row of the question “%(code)s” is missing.") % {"code": code})
    return answers
