"""The values export: streamed with openpyxl's write-only workbook, reopened and checked cell by cell."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from danvan.reports import export
from danvan.reports.export import ascii_slug, values_filename, write_values_xlsx
from danvan.reports.models import Indicator, Submission, SubmissionStatus, ValueType

pytestmark = pytest.mark.django_db

FIXED = ["Unit code", "Unit", "Province", "Consolidated at", "Status", "Submitted at", "Late"]
CODES = ["sessions", "participants", "own_plan", "received", "resolved", "satisfaction", "budget",
         "resolved_rate", "note"]


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def filled(period: Any, small_form: Any, tree: dict[str, Any]) -> Any:
    """A text indicator added to the form; A1 submitted late, Adep accepted on time, A2 a draft."""
    section = small_form.sections.get(number="II")
    Indicator.objects.create(form=small_form, section=section, code="note", name="Ghi chú", value_type=ValueType.TEXT,
                             aggregation="none", order=9)
    at = dt.datetime(2026, 6, 6, 8, 30, tzinfo=dt.UTC)  # 15:30 in Viet Nam, a day after the deadline
    Submission.objects.filter(period=period, org_unit=tree["A1"]).update(
        status=SubmissionStatus.SUBMITTED, submitted_at=at, first_submitted_at=at, is_late=True,
        values={"sessions": 12, "participants": 340, "own_plan": True, "received": 10, "resolved": 8,
                "satisfaction": 92.5, "budget": 1500000, "note": "Đã hoàn thành"},
    )
    on_time = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)
    Submission.objects.filter(period=period, org_unit=tree["Adep"]).update(
        status=SubmissionStatus.ACCEPTED, submitted_at=on_time, first_submitted_at=on_time,
        values={"sessions": 2, "own_plan": False},
    )
    Submission.objects.filter(period=period, org_unit=tree["A2"]).update(
        status=SubmissionStatus.DRAFT, values={"sessions": 1},
    )
    return period


def _export(period: Any, root: Any) -> Any:
    out = io.BytesIO()
    write_values_xlsx(period, root, out)
    return load_workbook(io.BytesIO(out.getvalue()))


def _rows(ws: Any) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_one_row_per_submission_in_tree_order_with_typed_values(filled, tree):
    wb = _export(filled, tree["A"])
    assert wb.sheetnames == ["Figures", "Indicators"]
    rows = _rows(wb["Figures"])
    assert rows[0] == FIXED + CODES
    by_unit = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert [row[1] for row in rows[1:]] == [u.name for u in sorted((tree["A1"], tree["A2"], tree["Adep"]),
                                                                   key=lambda u: u.path)]
    a1 = by_unit["Xã Bình Lư"]
    assert a1["Unit code"] == "03440" and a1["Province"] == "Tỉnh Lai Châu" and a1["Consolidated at"] == "Xã Bình Lư"
    assert a1["Status"] == "Submitted" and a1["Late"] == "Có"
    assert a1["Submitted at"] == dt.datetime(2026, 6, 6, 15, 30)  # local time, as a real Excel date
    assert (a1["sessions"], a1["participants"], a1["received"], a1["resolved"]) == (12, 340, 10, 8)
    assert a1["satisfaction"] == 92.5 and a1["budget"] == 1500000
    assert a1["own_plan"] == "Có" and a1["note"] == "Đã hoàn thành" and a1["resolved_rate"] is None
    dep = by_unit["Sở Nội vụ"]
    assert dep["Consolidated at"] == "Tỉnh Lai Châu" and dep["Status"] == "Accepted" and dep["Late"] == "Không"
    assert dep["own_plan"] == "Không" and dep["participants"] is None
    a2 = by_unit["Phường Tân Phong"]
    assert a2["Status"] == "Draft" and a2["Submitted at"] is None and a2["Late"] is None and a2["sessions"] == 1


def test_numbers_stay_numbers(filled, tree):
    ws = _export(filled, tree["A"])["Figures"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "Xã Bình Lư")
    cell = row[header.index("sessions")]
    assert cell.data_type == "n" and isinstance(cell.value, int)
    assert row[header.index("Submitted at")].is_date


def test_indicator_sheet(filled, tree):
    rows = _rows(_export(filled, tree["A"])["Indicators"])
    assert rows[0] == ["Code", "Indicator", "Unit of measure", "Aggregation"]
    assert [r[0] for r in rows[1:]] == CODES
    assert rows[1] == ["sessions", "Số buổi tuyên truyền", "buổi", "Sum"]
    assert rows[3][3] == "Share of units answering yes"


def test_root_limits_the_rows_to_its_subtree(filled, tree):
    rows = _rows(_export(filled, tree["A1"])["Figures"])
    assert [r[1] for r in rows[1:]] == ["Xã Bình Lư"]
    rows = _rows(_export(filled, tree["B"])["Figures"])
    assert rows[1:] == []


def test_rows_come_in_chunks_without_losing_order(filled, tree, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(export, "CHUNK_SIZE", 1)
    filled.regime.form  # noqa: B018 (loaded before counting)
    with django_assert_max_num_queries(8):
        rows = _rows(_export(filled, tree["A"])["Figures"])
    in_tree_order = sorted((tree["A1"], tree["A2"], tree["Adep"]), key=lambda u: u.path)
    assert [r[1] for r in rows[1:]] == [u.name for u in in_tree_order]


def test_workbook_is_write_only(filled, tree, monkeypatch):
    """The streaming promise: the workbook is opened in write-only mode (rows go to disk as written)."""
    seen = {}
    original = export.Workbook

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(export, "Workbook", spy)
    _export(filled, tree["A"])
    assert seen.get("write_only") is True


def test_filenames():
    class P:
        label = "6 tháng đầu năm 2026"
        pk = 7

    assert values_filename(P()) == "so-lieu-bao-cao-6-thang-dau-nam-2026.xlsx"  # type: ignore[arg-type]
    assert ascii_slug("Đường Điện Biên") == "duong-dien-bien"
    assert timezone.get_current_timezone_name() == "Asia/Ho_Chi_Minh"
