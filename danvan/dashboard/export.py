"""The dashboard's tables as Excel workbooks: what the page shows, for a report or a meeting.

A figure is written as a number (rates and indexes 0–100, counts as counts); one that is not available
is the words "not available", never an empty cell or 0, so a sum in Excel cannot pass it off as zero.
The time of the figures is written above the table. A page holds at most a few hundred rows, so the
workbook is made in memory (openpyxl's write-only mode) and sent as one response.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from .league import LeagueResult
from .views_common import Cell, FigureTable, period_label

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cell(c: Cell) -> Any:
    return _("not available") if c.value is None else round(c.value, 2)


def _when(refreshed_at: Any) -> str:
    if refreshed_at is None:
        return _("Figures have not been computed yet.")
    return _("Figures as of %(when)s") % {"when": timezone.localtime(refreshed_at).strftime("%H:%M %d/%m/%Y")}


def _kind_suffix(kind: str) -> str:
    return " (%)" if kind == "rate" else ""


def figures_rows(table: FigureTable, title: str, refreshed_at: Any) -> Iterable[list[Any]]:
    yield [_text(title)]
    yield [_("Period"), period_label(table.period)]
    yield [_when(refreshed_at)]
    yield []
    yield [_("Unit"), *(_text(str(d.label)) + _kind_suffix(d.kind) for d in table.defs)]
    for row in [table.total, *table.rows]:
        yield [_text(row.name), *(_cell(c) for c in row.cells)]


def league_rows(result: LeagueResult, refreshed_at: Any) -> Iterable[list[Any]]:
    yield [_text(result.table.name)]
    yield [_("Units below"), _text(result.unit.name)]
    yield [_("Period"), period_label(result.period)]
    yield [_when(refreshed_at)]
    yield [_("Formula"), result.formula_symbols]
    yield [_text(result.formula_words)]
    yield []
    yield [_("Rank"), _("Unit"), _("Score"),
           *(_text(c.label) + _kind_suffix(c.kind) for c in result.criteria), _("Missing figures")]
    labels = {c.key: c.label for c in result.criteria}
    for r in result.rows:
        yield [r.rank if r.rank is not None else "", _text(r.unit.name),
               _("not available") if r.score is None else r.score,
               *(_cell(r.figures[c.key]) for c in result.criteria),
               _text("; ".join(labels[k] for k in r.missing))]


def workbook(rows: Iterable[list[Any]], sheet: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def response(data: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=XLSX_TYPE)
    resp["Content-Disposition"] = content_disposition_header(True, filename)
    return resp
