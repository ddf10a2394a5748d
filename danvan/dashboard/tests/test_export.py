"""Excel workbooks of the dashboard: written, opened again, cell by cell."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone, translation
from openpyxl import load_workbook

from danvan.dashboard import export
from danvan.dashboard.views_common import Cell, FigureTable, Row


class _Def:
    def __init__(self, key: str, label: str, kind: str) -> None:
        self.key, self.label, self.kind = key, label, kind


class _Unit:
    def __init__(self, name: str) -> None:
        self.name = name


def _reopen(data: bytes) -> list[list[Any]]:
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]


def test_figures_workbook_cells() -> None:
    defs = [_Def("r", "Đúng hạn", "rate"), _Def("c", "=Số cuộc", "count")]
    table = FigureTable(period="2026-Q2", defs=defs, truncated=False,
                        total=Row(unit=_Unit("Tỉnh Lai Châu"), total=True,  # type: ignore[arg-type]
                                  cells=[Cell("r", "rate", 80.0), Cell("c", "count", 5.0)]),
                        rows=[Row(unit=_Unit("=HYPERLINK(\"x\")"),  # type: ignore[arg-type]
                                  cells=[Cell("r", "rate", None), Cell("c", "count", 0.0)])])
    when = timezone.now()
    with translation.override("en"):
        rows = _reopen(export.workbook(export.figures_rows(table, "Dashboard", when), "Figures"))
    assert rows[0][0] == "Dashboard"
    assert rows[1][:2] == ["Period", "Quarter 2/2026"]
    assert rows[2][0].startswith("Figures as of ") and timezone.localtime(when).strftime("%d/%m/%Y") in rows[2][0]
    assert rows[4][:3] == ["Unit", "Đúng hạn (%)", "'=Số cuộc"]  # a formula-like label stays text
    assert rows[5][:3] == ["Tỉnh Lai Châu", 80.0, 5]
    assert rows[6][:3] == ["'=HYPERLINK(\"x\")", "not available", 0]  # 0 is a real 0, missing is words


def test_workbook_without_refresh_says_so() -> None:
    table = FigureTable(period="2026", defs=[], truncated=False, rows=[],
                        total=Row(unit=None, total=True, cells=[]))
    with translation.override("en"):
        rows = _reopen(export.workbook(export.figures_rows(table, "T", None), "Figures"))
    assert rows[2][0] == "Figures have not been computed yet."
    assert rows[5][0] == "Whole country"
