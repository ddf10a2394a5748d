"""Cut-offs (Decree 09/2019 art. 12), deadlines and labels of reporting periods."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from danvan.plans.models import DeadlineKind, Plan, PlanDeadline, PlanStatus
from danvan.reports.models import PeriodKind
from danvan.reports.periods import (
    DECREE_09_CUTOFFS,
    check_number,
    default_cutoff,
    default_deadline,
    parse_month_day,
    period_label,
)

D = dt.date


@pytest.mark.parametrize(("kind", "number", "start", "end"), [
    (PeriodKind.MONTHLY, 1, D(2025, 12, 15), D(2026, 1, 14)),
    (PeriodKind.MONTHLY, 2, D(2026, 1, 15), D(2026, 2, 14)),
    (PeriodKind.MONTHLY, 12, D(2026, 11, 15), D(2026, 12, 14)),
    (PeriodKind.QUARTERLY, 1, D(2025, 12, 15), D(2026, 3, 14)),
    (PeriodKind.QUARTERLY, 2, D(2026, 3, 15), D(2026, 6, 14)),
    (PeriodKind.QUARTERLY, 3, D(2026, 6, 15), D(2026, 9, 14)),
    (PeriodKind.QUARTERLY, 4, D(2026, 9, 15), D(2026, 12, 14)),
    (PeriodKind.HALF_YEAR, 1, D(2025, 12, 15), D(2026, 6, 14)),
    (PeriodKind.HALF_YEAR, 2, D(2026, 6, 15), D(2026, 12, 14)),
    (PeriodKind.NINE_MONTHS, 1, D(2025, 12, 15), D(2026, 9, 14)),
    (PeriodKind.ANNUAL, 1, D(2025, 12, 15), D(2026, 12, 14)),
])
def test_decree_09_cutoffs(kind: str, number: int, start: dt.date, end: dt.date) -> None:
    assert default_cutoff(kind, 2026, number) == (start, end)


def test_every_kind_but_ad_hoc_has_a_decree_rule() -> None:
    assert set(DECREE_09_CUTOFFS) == set(PeriodKind.values) - {PeriodKind.AD_HOC}
    with pytest.raises(ValueError, match="ngày đầu và ngày cuối"):
        default_cutoff(PeriodKind.AD_HOC, 2026, 1)


def test_overrides_win_and_shift_by_period() -> None:
    calendar_quarters = {PeriodKind.QUARTERLY: {"start": "01-01", "end": "03-31"}}
    assert default_cutoff(PeriodKind.QUARTERLY, 2026, 1, calendar_quarters) == (D(2026, 1, 1), D(2026, 3, 31))
    # 31 June does not exist: clamped to the month's last day.
    assert default_cutoff(PeriodKind.QUARTERLY, 2026, 2, calendar_quarters) == (D(2026, 4, 1), D(2026, 6, 30))
    months = {PeriodKind.MONTHLY: {"start": "01-01", "end": "01-31"}}
    assert default_cutoff(PeriodKind.MONTHLY, 2026, 2, months) == (D(2026, 2, 1), D(2026, 2, 28))
    assert default_cutoff(PeriodKind.MONTHLY, 2028, 2, months) == (D(2028, 2, 1), D(2028, 2, 29))
    annual = {PeriodKind.ANNUAL: {"start": "01-01", "end": "12-31"}}
    assert default_cutoff(PeriodKind.ANNUAL, 2026, 1, annual) == (D(2026, 1, 1), D(2026, 12, 31))
    # Another kind's override does not touch the decree's rule for this one.
    assert default_cutoff(PeriodKind.HALF_YEAR, 2026, 1, annual) == (D(2025, 12, 15), D(2026, 6, 14))


@pytest.mark.parametrize("text", ["6-14", "06/14", "13-01", "02-30", "00-10", "", None, 614])
def test_parse_month_day_refuses_what_is_not_a_day(text: Any) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 — each message is checked in the services tests
        parse_month_day(text)


def test_parse_month_day_accepts_29_february() -> None:
    assert parse_month_day("02-29") == (2, 29)


@pytest.mark.parametrize(("kind", "number", "ok"), [
    (PeriodKind.MONTHLY, 12, True), (PeriodKind.MONTHLY, 13, False), (PeriodKind.QUARTERLY, 0, False),
    (PeriodKind.QUARTERLY, 4, True), (PeriodKind.ANNUAL, 2, False), (PeriodKind.HALF_YEAR, 2, True),
    (PeriodKind.ANNUAL, True, False), (PeriodKind.ANNUAL, "1", False),
])
def test_check_number(kind: str, number: Any, ok: bool) -> None:
    assert (check_number(kind, number) == "") is ok


class _Regime:
    def __init__(self, deadlines: dict[str, str] | None = None, plan_id: int | None = None) -> None:
        self.deadlines = deadlines or {}
        self.plan_id = plan_id


def test_deadline_from_the_regime() -> None:
    regime = _Regime({PeriodKind.HALF_YEAR: "06-05", PeriodKind.QUARTERLY: "03-20"})
    assert default_deadline(regime, PeriodKind.HALF_YEAR, 2026, 1) == D(2026, 6, 5)
    assert default_deadline(regime, PeriodKind.QUARTERLY, 2026, 3) == D(2026, 9, 20)
    assert default_deadline(regime, PeriodKind.ANNUAL, 2026, 1) is None


def test_deadline_from_the_plan(tree: dict[str, Any]) -> None:
    plan = Plan.objects.create(issuer=tree["A"], title="Kế hoạch dân vận 2026", year=2026, status=PlanStatus.ISSUED)
    for kind, day in ((DeadlineKind.HALF_YEAR_REPORT, D(2026, 6, 5)), (DeadlineKind.ANNUAL_REPORT, D(2026, 11, 15)),
                      (DeadlineKind.ANNUAL_REPORT, D(2027, 11, 15)), (DeadlineKind.OTHER, D(2026, 3, 1))):
        PlanDeadline.objects.create(plan=plan, kind=kind, text="Báo cáo", due_on=day)
    regime = _Regime(plan_id=plan.pk)
    assert default_deadline(regime, PeriodKind.HALF_YEAR, 2026, 1) == D(2026, 6, 5)
    assert default_deadline(regime, PeriodKind.HALF_YEAR, 2026, 2) is None
    assert default_deadline(regime, PeriodKind.ANNUAL, 2026, 1) == D(2026, 11, 15)
    assert default_deadline(regime, PeriodKind.ANNUAL, 2027, 1) == D(2027, 11, 15)
    assert default_deadline(regime, PeriodKind.ANNUAL, 2028, 1) is None
    assert default_deadline(regime, PeriodKind.QUARTERLY, 2026, 1) is None
    # The regime's own deadline wins over the plan's.
    regime.deadlines = {PeriodKind.ANNUAL: "12-20"}
    assert default_deadline(regime, PeriodKind.ANNUAL, 2026, 1) == D(2026, 12, 20)


def test_labels_are_short_and_translatable() -> None:
    with translation.override("en"):
        assert period_label(PeriodKind.HALF_YEAR, 2026) == "6-month 2026"
        assert period_label(PeriodKind.HALF_YEAR, 2026, 2) == "Last 6 months of 2026"
        assert period_label(PeriodKind.ANNUAL, 2026) == "Year 2026"
        assert period_label(PeriodKind.QUARTERLY, 2026, 3) == "Quarter 3/2026"
        assert period_label(PeriodKind.MONTHLY, 2026, 11) == "Month 11/2026"
        assert period_label(PeriodKind.NINE_MONTHS, 2026) == "9-month 2026"
        assert period_label(PeriodKind.AD_HOC, 2026, 2) == "Ad hoc report 2/2026"
