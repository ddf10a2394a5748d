"""Exporting a subtree of units in the import's own columns, so that an export imports back unchanged.

Rows stream from the database in tree order (parents before their sub-units, as the import
requires) with constant memory: CSV is produced line by line, XLSX through openpyxl's
write-only mode, which spools to a temporary file.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .importers import FIELDS, column_title
from .models import OrgUnit

CHUNK = 2000


def export_queryset(user: Any, root: OrgUnit) -> QuerySet:
    """The current units of ``root``'s subtree that ``user`` may see (``None``: the system, everything)."""
    qs = OrgUnit.objects.all() if user is None else OrgUnit.objects.visible_to(user)
    return qs.subtree_of(root).current().order_by("path")


def header() -> list[str]:
    return [column_title(f) for f in FIELDS]


def unit_rows(qs: QuerySet) -> Iterator[list[Any]]:
    """One list per unit, in ``FIELDS`` order; the kind as its name, which the import recognises."""
    values = qs.values_list("parent__code", "kind__name", "name", "code", "division_type", "valid_from")
    for parent_code, kind, name, code, division_type, valid_from in values.iterator(chunk_size=CHUNK):
        yield [parent_code or "", kind, name, code, division_type, valid_from]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterator[list[Any]]) -> Iterator[str]:
    """UTF-8 text with a byte-order mark, so that Excel shows Vietnamese letters correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header())
    for row in rows:
        *rest, valid_from = row
        yield writer.writerow([*rest, valid_from.strftime("%d/%m/%Y") if isinstance(valid_from, dt.date) else ""])


def write_csv(rows: Iterator[list[Any]], out: IO[str]) -> int:
    count = -1  # the header is not a unit
    for line in csv_lines(rows):
        out.write(line)
        count += 1
    return count


def write_xlsx(rows: Iterator[list[Any]], out: IO[bytes] | str) -> int:
    """Codes stay text (leading zeros kept); dates are real dates shown dd/mm/yyyy."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Units"))
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 26
    ws.column_dimensions["C"].width = 40
    ws.column_dimensions["D"].width = 14
    ws.column_dimensions["E"].width = 16
    ws.column_dimensions["F"].width = 14
    bold = Font(bold=True)
    titles = []
    for t in header():
        c = WriteOnlyCell(ws, value=t)
        c.font = bold
        titles.append(c)
    ws.append(titles)
    n = 0
    for row in rows:
        *rest, valid_from = row
        cells: list[Any] = [WriteOnlyCell(ws, value=v) for v in rest]
        for c in cells:
            c.number_format = "@"
        date_cell = WriteOnlyCell(ws, value=valid_from)
        if valid_from is not None:
            date_cell.number_format = "DD/MM/YYYY"
        ws.append([*cells, date_cell])
        n += 1
    wb.save(out)
    return n
