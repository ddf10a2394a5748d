"""Subtotals per anchor stay equal to the counted figures through every step of the workflow."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from danvan.reports import services
from danvan.reports.aggregation import compute_aggregate
from danvan.reports.models import AnchorTotal, DataValue, Period, Submission
from danvan.reports.totals import differing_totals, refresh_anchor_totals

ANSWERS = {"highlights": "Đã tổ chức đối thoại."}


@pytest.fixture
def ready(period: Period, tree: dict[str, Any], kinds: dict[str, Any], make_user: Any) -> dict[str, Any]:
    """A period with the village reporting too, so that two reports share the anchor A1."""
    Period.objects.filter(pk=period.pk).update(due_on=timezone.localdate() + dt.timedelta(days=30))
    period.regime.reporter_kinds.add(kinds["village"])
    services.sync_expected(period=Period.objects.get(pk=period.pk))
    return {
        "officer": make_user("officer_a1", (tree["A1"], "officer")),
        "reviewer": make_user("head_a", (tree["A"], "head")),
        "a1": Submission.objects.get(period=period, org_unit=tree["A1"]),
        "village": Submission.objects.get(period=period, org_unit=tree["A1v"]),
    }


def _submit(sub: Submission, actor: Any, values: dict[str, Any]) -> Submission:
    sub = services.save_draft(actor=actor, submission=sub, values=values, answers=ANSWERS,
                              expected_version=sub.lock_version)
    return services.submit_report(actor=actor, submission=sub, expected_version=sub.lock_version)


def _totals(period_id: int, code: str) -> tuple[float, int, float | None, float | None] | None:
    row = AnchorTotal.objects.filter(period_id=period_id, indicator__code=code).values_list(
        "value_sum", "value_count", "value_min", "value_max").first()
    return row


def test_the_village_counts_in_its_commune_anchor(ready: dict[str, Any], period: Period, tree: dict[str, Any]) -> None:
    assert ready["village"].anchor_id == tree["A1"].pk
    _submit(ready["a1"], ready["officer"], {"sessions": 3, "received": 10, "resolved": 8})
    _submit(ready["village"], ready["officer"], {"sessions": 5, "received": 2, "resolved": 2})
    assert _totals(period.pk, "sessions") == (8.0, 2, 3.0, 5.0)
    assert differing_totals(period.pk) == 0
    agg = compute_aggregate(Period.objects.get(pk=period.pk))
    assert agg.value(tree["A"].pk, "sessions") == 8
    assert agg.value(tree["A1"].pk, "resolved_rate") == pytest.approx(100 * 10 / 12)


def test_returning_and_reopening_take_the_figures_out(ready: dict[str, Any], period: Period) -> None:
    a1 = _submit(ready["a1"], ready["officer"], {"sessions": 3, "received": 10, "resolved": 8})
    village = _submit(ready["village"], ready["officer"], {"sessions": 5, "received": 2, "resolved": 2})
    services.return_report(actor=ready["reviewer"], submission=village, comment="Thiếu số liệu.",
                           expected_version=village.lock_version)
    assert _totals(period.pk, "sessions") == (3.0, 1, 3.0, 3.0)
    a1 = services.accept_report(actor=ready["reviewer"], submission=a1, expected_version=a1.lock_version)
    services.reopen_report(actor=ready["reviewer"], submission=a1, reason="Sai số liệu.",
                           expected_version=a1.lock_version)
    assert not AnchorTotal.objects.filter(period_id=period.pk).exists()
    assert differing_totals(period.pk) == 0


def test_rebuild_repairs_and_reports_what_differed(ready: dict[str, Any], period: Period) -> None:
    _submit(ready["a1"], ready["officer"], {"sessions": 3, "received": 10, "resolved": 8})
    DataValue.objects.filter(period_id=period.pk, indicator__code="sessions").update(num=30)  # behind the services' back
    assert differing_totals(period.pk) == 1
    out = StringIO()
    call_command("reports_rebuild_totals", "--period", str(period.pk), stdout=out)
    assert "1" in out.getvalue()
    assert _totals(period.pk, "sessions") == (30.0, 1, 30.0, 30.0)
    assert differing_totals(period.pk) == 0


def test_refreshing_one_anchor_leaves_the_others(ready: dict[str, Any], period: Period, tree: dict[str, Any]) -> None:
    _submit(ready["a1"], ready["officer"], {"sessions": 3, "received": 1, "resolved": 1})
    before = AnchorTotal.objects.filter(period_id=period.pk).count()
    assert refresh_anchor_totals(period.pk, [tree["A2"].pk]) == 0  # nothing counted in A2
    assert AnchorTotal.objects.filter(period_id=period.pk).count() == before


def test_rebuild_of_an_unknown_period_is_refused(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("reports_rebuild_totals", "--period", "999999", stdout=StringIO())
