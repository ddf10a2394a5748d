"""Importing departments, villages and other units below the official list, from CSV or XLSX.

One core used by the web page, the ``danvan orgs import`` command and (later) the API:
``plan_import`` reads a file and says, row by row, what would be created, what already exists
and what is wrong; ``run_import`` does the same inside one transaction and creates the units only
when no row is wrong (all or nothing).

Rules a person can rely on:

* Columns are recognised by their English or Vietnamese headers, in any order; ``name`` and
  ``kind`` are required, the rest optional. Rows are numbered as a spreadsheet shows them
  (the header is row 1).
* An empty parent code means "directly under the unit you import into"; a parent code names an
  existing unit inside that unit's subtree or a unit created by an *earlier* row of the same file.
* A row that matches a current unit (same code and same parent, or — without a code — the same
  name under the same parent) is reported as "already exists" and left unchanged: importing the
  same file twice, or re-importing an export, creates nothing twice and updates nothing.
* Provinces, districts and communes come from the official list: they cannot be imported, but an
  exported one that already exists is simply skipped, so that an export imports back cleanly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from danvan.core import audit
from danvan.core.text import clean_text, search_key

from . import services
from .models import OrgKind, OrgUnit
from .roles import Role
from .scope import scope_of

MAX_ROWS = 10_000
FIELDS = ("parent_code", "kind", "name", "code", "division_type", "valid_from")
REQUIRED = ("kind", "name")

# Column titles as the export writes them (translated) and as the import reads them (either language).
COLUMN_TITLES = {
    "parent_code": gettext_noop("Parent unit code"),
    "kind": gettext_noop("Kind"),
    "name": gettext_noop("Name"),
    "code": gettext_noop("Code"),
    "division_type": gettext_noop("Type"),
    "valid_from": gettext_noop("Valid from"),
}


def column_title(f: str) -> str:
    return _(COLUMN_TITLES[f])

# Header spellings accepted besides the titles above, compared without diacritics or case.
# These are the words officials put in their own spreadsheets, so they are data, not UI text.
HEADER_ALIASES = {
    "parent_code": ["parent code", "parent", "parent_code", "mã đơn vị cấp trên", "mã cấp trên", "đơn vị cấp trên",
                    "mã đơn vị cha", "cấp trên"],
    "kind": ["kind", "kind code", "kind_code", "loại", "loại đơn vị", "mã loại"],
    "name": ["name", "unit name", "tên", "tên đơn vị"],
    "code": ["code", "unit code", "mã", "mã đơn vị", "mã số"],
    "division_type": ["type", "division type", "division_type", "loại hình", "loại hình đơn vị"],
    "valid_from": ["valid from", "valid_from", "hiệu lực từ", "hiệu lực từ ngày", "ngày hiệu lực", "từ ngày",
                   "ngày thành lập"],
}

# Words officials write for a kind, compared as written (lower case, NFC): "bản" is a village,
# "ban" a board. Without diacritics only the unambiguous ones are recognised.
KIND_ALIASES = {
    "village": ["thôn", "bản", "tổ dân phố", "khối phố", "khu phố", "ấp", "làng", "buôn", "xóm", "khóm", "sóc",
                "tổ", "khu dân cư"],
    "department": ["sở", "phòng", "ban", "cơ quan chuyên môn", "phòng chuyên môn", "sở, ngành", "ban ngành"],
    "front": ["mặt trận", "mttq", "mặt trận tổ quốc", "đoàn thể", "tổ chức chính trị - xã hội"],
    "party": ["đảng", "cơ quan đảng", "đảng ủy", "đảng bộ", "chi bộ"],
    "other": ["khác", "đơn vị khác"],
    "province": ["tỉnh", "thành phố trực thuộc trung ương"],
    "district": ["huyện", "quận", "thị xã"],
    "commune": ["xã", "phường", "thị trấn", "đặc khu"],
}

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class ImportFileError(Exception):
    """The file as a whole cannot be read (type, size, encoding, headers)."""


@dataclass
class RowError:
    row: int | None  # None: the file as a whole
    column: str
    message: str

    @property
    def column_title(self) -> str:
        return column_title(self.column) if self.column in COLUMN_TITLES else self.column


@dataclass
class PlannedUnit:
    row: int
    kind: OrgKind
    name: str
    code: str
    division_type: str
    valid_from: dt.date | None
    parent_code: str
    parent: OrgUnit | None = None  # an existing unit, or …
    parent_row: int | None = None  # … a unit created by an earlier row


@dataclass
class ExistingRow:
    row: int
    unit_id: int
    name: str
    code: str


@dataclass
class ImportReport:
    filename: str = ""
    to_create: list[PlannedUnit] = field(default_factory=list)
    existing: list[ExistingRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: list[OrgUnit] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int | None, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))


# ---------------------------------------------------------------------------------------------
# Reading the file


def _size_label(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def read_table(data: bytes, filename: str) -> list[list[Any]]:
    """The file's rows as lists of cells (str, date or None), whatever the format; raises ImportFileError."""
    limit = settings.DANVAN_IMPORT_MAX_BYTES
    if not data:
        raise ImportFileError(_("The file is empty."))
    if len(data) > limit:
        raise ImportFileError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": _size_label(len(data)), "limit": _size_label(limit)}
        )
    ext = PurePath(filename or "").suffix.lower()
    if data.startswith(b"%PDF"):
        raise ImportFileError(_("This is a PDF file. Only CSV and Excel (.xlsx) files can be imported."))
    if data.startswith(OLE_MAGIC):
        raise ImportFileError(_("This is an old Excel (.xls) file. Save it as .xlsx or as CSV UTF-8 and try again."))
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data)
    if ext == ".xlsx":
        raise ImportFileError(_("The file is named .xlsx but is not an Excel workbook."))
    if ext not in (".csv", ".txt", ""):
        raise ImportFileError(_("Only CSV and Excel (.xlsx) files can be imported."))
    return _read_csv(data)


def _read_xlsx(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, Exception) as exc:  # openpyxl raises many types for foreign zips (docx, odt…)
        raise ImportFileError(_("The file is not an Excel (.xlsx) workbook or is damaged.")) from exc
    try:
        if not wb.worksheets:
            raise ImportFileError(_("The workbook has no sheet."))
        rows: list[list[Any]] = []
        for values in wb.worksheets[0].iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        wb.close()


def _read_csv(data: bytes) -> list[list[Any]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise ImportFileError(
            _("The file is not a CSV UTF-8 text file. In Excel choose File › Save As › “CSV UTF-8 (Comma delimited)”.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The file is not in UTF-8 encoding (perhaps Windows-1258 or TCVN3), so Vietnamese letters would be "
              "garbled. In Excel choose File › Save As › “CSV UTF-8 (Comma delimited)” and import that file.")
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count) if first_line else ","
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)][: MAX_ROWS + 2]
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file could not be read: %(reason)s") % {"reason": exc}) from exc


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return clean_text(str(value))


def _looks_garbled(text: str) -> bool:
    """UTF-8 read as Windows-1252 ("XÃ£" for "Xã"): re-encoding gives back valid UTF-8."""
    if text.isascii():
        return False
    try:
        fixed = text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return fixed != text


def _header_map() -> dict[str, str]:
    """Titles as the export writes them win over officials' own spellings, so an export always reads back."""
    known: dict[str, str] = {}
    for words in (
        {f: [column_title(f)] for f in FIELDS},
        {f: [COLUMN_TITLES[f]] for f in FIELDS},
        HEADER_ALIASES,
    ):
        for f, aliases in words.items():
            for a in aliases:
                known.setdefault(search_key(a).replace("_", " "), f)
    return known


def _columns(header: list[Any]) -> dict[str, int]:
    known = _header_map()
    cols: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = search_key(_cell_text(cell)).replace("_", " ").strip(" :*")
        f = known.get(key)
        if f and f not in cols:
            cols[f] = i
    missing = [f for f in REQUIRED if f not in cols]
    if missing:
        raise ImportFileError(
            _("The first row must contain the column titles; missing: %(cols)s. Expected columns: %(all)s.")
            % {
                "cols": ", ".join(column_title(f) for f in missing),
                "all": ", ".join(column_title(f) for f in FIELDS),
            }
        )
    return cols


def parse_date(value: Any) -> dt.date | None:
    """dd/mm/yyyy as officials write it (also d/m/yyyy, yyyy-mm-dd and spreadsheet dates); raises ValueError."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar day, not an instant
        except ValueError:
            continue
    raise ValueError(text)


# ---------------------------------------------------------------------------------------------
# Planning


def _kind_lookup() -> tuple[dict[str, OrgKind], dict[str, OrgKind]]:
    kinds = {k.code: k for k in OrgKind.objects.all()}
    exact: dict[str, OrgKind] = {}
    loose: dict[str, list[OrgKind]] = {}

    def add(word: str, kind: OrgKind) -> None:
        exact.setdefault(clean_text(word).casefold(), kind)
        loose.setdefault(search_key(word), []).append(kind)

    for k in kinds.values():
        add(k.code, k)
        add(k.name, k)
    for code, words in KIND_ALIASES.items():
        if code in kinds:
            for w in words:
                add(w, kinds[code])
    unambiguous = {key: ks[0] for key, ks in loose.items() if len({k.pk for k in ks}) == 1}
    return exact, unambiguous


def _chunks(items: list[str], n: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


@dataclass
class _Seen:
    """A row already read, so that later rows may name it as their parent."""

    row: int
    ok: bool
    existing_id: int | None = None


def plan_import(*, actor: Any, root: OrgUnit, data: bytes, filename: str) -> ImportReport:
    """Read the file and decide each row; writes nothing. ``actor`` None is the system (the CLI)."""
    report = ImportReport(filename=filename)
    if actor is not None and not scope_of(actor).covers(root.path, {Role.ADMIN}):
        raise PermissionDenied(_("You can only manage units inside your own part of the tree."))
    if root.valid_to is not None:
        report.error(None, "", _("Units cannot be imported into a unit that no longer exists."))
        return report
    try:
        table = read_table(data, filename)
        while table and not any(_cell_text(c) for c in table[0]):
            table.pop(0)
        if not table:
            raise ImportFileError(_("The file is empty."))
        cols = _columns(table[0])
    except ImportFileError as exc:
        report.error(None, "", str(exc))
        return report
    if len(table) - 1 > MAX_ROWS:
        report.error(None, "", _("The file has more than %(n)d rows; split it into smaller files.") % {"n": MAX_ROWS})
        return report

    raw_rows: list[tuple[int, dict[str, Any]]] = []
    for i, cells in enumerate(table[1:], start=2):
        values = {f: (cells[c] if c < len(cells) else None) for f, c in cols.items()}
        if any(_cell_text(v) for v in values.values()):
            raw_rows.append((i, values))
    if not raw_rows:
        report.error(None, "", _("The file has column titles but no rows of units."))
        return report

    exact_kinds, loose_kinds = _kind_lookup()
    scope = scope_of(actor) if actor is not None else None

    def visible(path: str) -> bool:
        return scope is None or scope.covers(path)

    # Existing current units named by any code in the file: one query per 500 codes.
    wanted = sorted({_cell_text(v.get(f)) for _, v in raw_rows for f in ("code", "parent_code")} - {""})
    by_code: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(wanted):
        for u in OrgUnit.objects.current().filter(code__in=chunk).values(
            "pk", "code", "name", "path", "parent_id", "parent__code"
        ):
            by_code[u["code"]] = u
    units_by_pk: dict[int, OrgUnit] = {}
    children_by_parent: dict[int, dict[str, dict[str, Any]]] = {}

    def unit(pk: int) -> OrgUnit:
        if pk not in units_by_pk:
            units_by_pk[pk] = OrgUnit.objects.get(pk=pk)
        return units_by_pk[pk]

    def children(parent_id: int) -> dict[str, dict[str, Any]]:
        if parent_id not in children_by_parent:
            children_by_parent[parent_id] = {
                c["search_name"]: c
                for c in OrgUnit.objects.current().filter(parent_id=parent_id).values("pk", "name", "code", "search_name")
            }
        return children_by_parent[parent_id]

    units_by_pk[root.pk] = root
    later_codes = {_cell_text(v.get("code")): n for n, v in reversed(raw_rows) if _cell_text(v.get("code"))}
    seen_codes: dict[str, _Seen] = {}
    seen_names: dict[tuple[Any, str], int] = {}

    for n, values in raw_rows:
        errors_before = len(report.errors)
        text = {f: _cell_text(values.get(f)) for f in FIELDS if f != "valid_from"}
        name, code, parent_code = text.get("name", ""), text.get("code", ""), text.get("parent_code", "")
        division_type, kind_text = text.get("division_type", ""), text.get("kind", "")

        for f, v in text.items():
            if _looks_garbled(v):
                report.error(n, f, _("The text “%(text)s” looks garbled: save the file as CSV UTF-8 and try again.")
                             % {"text": v[:40]})
        if not name:
            report.error(n, "name", _("The name is required."))
        elif len(name) > 255:
            report.error(n, "name", _("The name must be at most %(n)d characters.") % {"n": 255})
        if len(code) > 32:
            report.error(n, "code", _("The code must be at most %(n)d characters.") % {"n": 32})
        if len(division_type) > 50:
            report.error(n, "division_type", _("The type must be at most %(n)d characters.") % {"n": 50})
        kind = exact_kinds.get(kind_text.casefold()) or loose_kinds.get(search_key(kind_text))
        if not kind_text:
            report.error(n, "kind", _("The kind is required (village, department, front, party or other)."))
        elif kind is None:
            report.error(
                n, "kind",
                _("Unknown kind “%(kind)s”; use village, department, front, party or other.") % {"kind": kind_text[:40]},
            )
        valid_from = None
        try:
            valid_from = parse_date(values.get("valid_from"))
        except ValueError:
            report.error(
                n, "valid_from",
                _("“%(value)s” is not a valid date; write it as dd/mm/yyyy.") % {"value": str(values.get("valid_from"))[:40]},
            )

        # Already there? Same code under the same parent (named by its code) is the same unit.
        existing = by_code.get(code) if code else None
        if existing is not None and visible(existing["path"]):
            same_parent = (existing["parent__code"] or "") == parent_code or (
                not parent_code and existing["parent_id"] == root.pk
            )
            if same_parent and len(report.errors) == errors_before:
                report.existing.append(ExistingRow(n, existing["pk"], existing["name"], code))
                seen_codes[code] = _Seen(n, True, existing["pk"])
                continue

        # The parent: the import's unit, an existing unit in its subtree, or an earlier row.
        parent: OrgUnit | None = None
        parent_row: int | None = None
        if not parent_code:
            parent = root
        elif parent_code in seen_codes:
            earlier = seen_codes[parent_code]
            if not earlier.ok:
                report.error(n, "parent_code", _("The parent unit on row %(row)d has errors.") % {"row": earlier.row})
            elif earlier.existing_id is not None:
                parent = unit(earlier.existing_id)
            else:
                parent_row = earlier.row
        elif parent_code in later_codes and later_codes[parent_code] > n and (
            parent_code not in by_code or not visible(by_code[parent_code]["path"])
        ):
            report.error(
                n, "parent_code",
                _("The parent unit %(code)s is on row %(row)d: put parent units above their sub-units.")
                % {"code": parent_code, "row": later_codes[parent_code]},
            )
        elif parent_code in by_code and visible(by_code[parent_code]["path"]):
            p = by_code[parent_code]
            if not p["path"].startswith(root.path):
                report.error(
                    n, "parent_code",
                    _("The parent unit %(code)s is outside %(root)s, the unit you are importing into.")
                    % {"code": parent_code, "root": root.name},
                )
            else:
                parent = unit(p["pk"])
        else:
            report.error(n, "parent_code", _("Unknown parent unit code “%(code)s”.") % {"code": parent_code[:40]})

        if parent is not None and not code:
            match = children(parent.pk).get(search_key(name)) if name else None
            if match is not None and len(report.errors) == errors_before:
                report.existing.append(ExistingRow(n, match["pk"], match["name"], match["code"]))
                continue

        if code:
            if code in seen_codes:
                report.error(
                    n, "code", _("The code %(code)s is also used on row %(row)d.") % {"code": code, "row": seen_codes[code].row}
                )
            elif existing is not None:
                if visible(existing["path"]):
                    report.error(
                        n, "code",
                        _("The code %(code)s is already used by “%(name)s”.") % {"code": code, "name": existing["name"]},
                    )
                else:
                    report.error(n, "code", _("The code %(code)s is already used by another unit.") % {"code": code})
        name_key = (parent.pk if parent is not None else f"row{parent_row}", search_key(name))
        if name and name_key in seen_names:
            report.error(n, "name", _("The same unit already appears on row %(row)d.") % {"row": seen_names[name_key]})
        if kind is not None and kind.is_administrative:
            report.error(
                n, "kind",
                _("Provinces, districts and communes come from the official list and cannot be imported."),
            )

        ok = len(report.errors) == errors_before
        if code and code not in seen_codes:
            seen_codes[code] = _Seen(n, ok)
        if name:
            seen_names.setdefault(name_key, n)
        if ok and kind is not None:
            report.to_create.append(
                PlannedUnit(
                    row=n, kind=kind, name=name, code=code, division_type=division_type, valid_from=valid_from,
                    parent_code=parent_code, parent=parent, parent_row=parent_row,
                )
            )
    return report


@transaction.atomic
def run_import(*, actor: Any, root: OrgUnit, data: bytes, filename: str, dry_run: bool = False) -> ImportReport:
    """Plan, then create every planned unit, or none when any row is wrong. Imports into one unit run one at a time."""
    root = OrgUnit.objects.select_for_update(no_key=True).select_related("kind").get(pk=root.pk)
    report = plan_import(actor=actor, root=root, data=data, filename=filename)
    if dry_run or report.errors or not report.to_create:
        return report
    created: dict[int, OrgUnit] = {}
    planned: PlannedUnit | None = None
    try:
        for planned in report.to_create:
            parent = planned.parent if planned.parent is not None else created[planned.parent_row or 0]
            created[planned.row] = services.create_unit(
                actor=actor, kind=planned.kind, name=planned.name, parent=parent, code=planned.code,
                division_type=planned.division_type, valid_from=planned.valid_from, audit_event=False,
            )
    except ValidationError as exc:  # a unit created meanwhile by someone else, typically the same code
        transaction.set_rollback(True)
        for f, messages in exc.message_dict.items():
            for m in messages:
                report.error(planned.row if planned else None, f, m)
        return report
    report.created = list(created.values())
    audit.record(
        "orgs.unit.import", actor=actor, org_unit=root,
        summary={
            "file": filename[:200], "created": len(report.created), "already_existing": len(report.existing),
            "ids": [u.pk for u in report.created],
        },
    )
    return report
