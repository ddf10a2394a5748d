"""Where a plan's targets stand for a unit and the units below it: figures, derived targets, states."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from danvan.dashboard.models import Figure
from danvan.dashboard.targets import (
    AT_RISK,
    MET,
    MISSED,
    NOT_AVAILABLE,
    ON_TRACK,
    figure_period,
    plan_targets,
    state_of,
)
from danvan.plans.models import Plan, Target

pytestmark = pytest.mark.django_db
D = dt.date
YEAR = (D(2026, 1, 1), D(2026, 12, 31))
MID_YEAR = D(2026, 7, 2)


def st(value: Any, current: Any, today: dt.date = MID_YEAR, **kw: Any) -> str:
    return state_of(value, current, starts_on=YEAR[0], ends_on=YEAR[1], today=today, **kw)


def test_states() -> None:
    assert st(95, None) == NOT_AVAILABLE  # nothing measured is never 0
    assert st(95, 96, rate=True) == MET and st(95, 95.0) == MET
    assert st(95, 91, rate=True) == ON_TRACK  # within 5 points
    assert st(95, 89.9, rate=True) == AT_RISK
    assert st(95, 94, rate=True, today=D(2027, 1, 1)) == MISSED  # the year is over
    assert st(100, 51) == ON_TRACK  # a count half-way through the year: on pace
    assert st(100, 40) == AT_RISK
    assert st(10, 12, higher_is_better=False) == AT_RISK and st(10, 8, higher_is_better=False) == MET
    assert st(None, 3) == ON_TRACK  # measured, no target value
    assert st(95, 50, stored=MET) == MET and st(95, 96, stored=MISSED) == MISSED  # an officer's judgement stays
    assert st(Decimal("95.00"), 95.5, rate=True) == MET


@pytest.fixture
def plans(tree: Any) -> dict[str, Any]:
    """A province plan with a figure target and an entered one; A1 derives both, A1v derives from A1's."""
    plan = Plan.objects.create(issuer=tree["A"], title="Kế hoạch dân vận 2026", year=2026, status="issued")
    rate = Target.objects.create(plan=plan, text="90% đơn thư giải quyết đúng hạn", value=90, unit="%",
                                 measurement="indicator", indicator_code="petitions.on_time_rate", order=1)
    share = Target.objects.create(plan=plan, text="95% đơn vị đăng ký mô hình Dân vận khéo", value=95, unit="%",
                                  current_value=96, status="met", measured_at=timezone.now(), order=2)
    free = Target.objects.create(plan=plan, text="Tổ chức hội nghị sơ kết", order=3)
    a1 = Plan.objects.create(issuer=tree["A1"], parent_plan=plan, title="Kế hoạch xã 2026", year=2026, status="issued")
    a1_share = Target.objects.create(plan=a1, text="100% thôn đăng ký", value=100, unit="%", current_value=50,
                                     parent_target=share)
    Target.objects.create(plan=a1, text="Đúng hạn", value=95, unit="%", parent_target=rate)
    a1v = Plan.objects.create(issuer=tree["A1v"], parent_plan=a1, title="Kế hoạch thôn", year=2026, status="issued")
    Target.objects.create(plan=a1v, text="Đăng ký", value=None, current_value=1, parent_target=a1_share)
    other = Plan.objects.create(issuer=tree["B"], title="Khác", year=2026, status="issued")
    Target.objects.create(plan=other, text="Không liên quan", value=1, current_value=1, parent_target=share)
    now = timezone.now()
    for unit, num, den in ((tree["A"], 3, 4), (tree["A1"], 2, 2), (tree["A2"], 1, 2)):
        Figure.objects.create(org_unit=unit, key="petitions.on_time_rate", period="2026", numerator=num,
                              denominator=den, value=100 * num / den, computed_at=now)
    Figure.objects.create(org_unit=tree["A"], key="petitions.on_time_rate", period="2025", numerator=1,
                          denominator=1, value=100, computed_at=now)
    return {"plan": plan, "rate": rate, "share": share, "free": free, "a1": a1, "a1_share": a1_share}


def test_plan_targets_for_the_issuer_and_its_children(tree: Any, plans: dict[str, Any],
                                                       django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(6):
        rows = plan_targets(plans["plan"], today=D(2026, 7, 2))
    rate, share, free = rows
    assert [r.target for r in rows] == [plans["rate"], plans["share"], plans["free"]]
    # Measured by the dashboard figure of the plan's year.
    assert (rate.figure_key, rate.value, rate.current, rate.state) == ("petitions.on_time_rate", 90, 75.0, AT_RISK)
    assert rate.own.source == "figure" and rate.own.computed_at is not None
    by_unit = {c.unit.name: c for c in rate.children}
    assert [c.unit.name for c in rate.children] == ["Phường Tân Phong", "Sở Nội vụ", "Xã Bình Lư"]
    assert (by_unit["Xã Bình Lư"].current, by_unit["Xã Bình Lư"].value, by_unit["Xã Bình Lư"].state) == (
        100.0, 95, MET)  # the commune's own target value applies to it
    assert (by_unit["Phường Tân Phong"].current, by_unit["Phường Tân Phong"].state) == (50.0, AT_RISK)
    assert (by_unit["Sở Nội vụ"].current, by_unit["Sở Nội vụ"].state, by_unit["Sở Nội vụ"].value) == (
        None, NOT_AVAILABLE, 90)
    # Measured in the plans module: the plan's value, then each unit's derived target.
    assert (share.figure_key, share.current, share.state, share.own.source) == ("", 96.0, MET, "plan")
    by_unit = {c.unit.name: c for c in share.children}
    assert by_unit["Xã Bình Lư"].target == plans["a1_share"]
    assert (by_unit["Xã Bình Lư"].value, by_unit["Xã Bình Lư"].current, by_unit["Xã Bình Lư"].state) == (
        100, 50.0, AT_RISK)
    assert by_unit["Phường Tân Phong"].state == NOT_AVAILABLE and by_unit["Phường Tân Phong"].target is None
    assert (free.value, free.current, free.state) == (None, None, NOT_AVAILABLE)
    assert str(free.state_label) and str(share.state_label)


def test_drill_down_to_a_commune_follows_the_derived_targets(tree: Any, plans: dict[str, Any]) -> None:
    rows = plan_targets(plans["plan"], tree["A1"], today=D(2026, 7, 2))
    rate, share, _free = rows
    assert (rate.value, rate.current, rate.state) == (95, 100.0, MET)
    assert (share.value, share.current, share.state) == (100, 50.0, AT_RISK)
    (village,) = share.children
    # Two levels below the plan: the village's target derives from the commune's.
    assert (village.unit, village.value, village.current, village.state) == (tree["A1v"], 100, 1.0, AT_RISK)
    assert rate.children[0].state == NOT_AVAILABLE  # no figure for the village
    # A target of another province hung on the same parent is read only in that province's subtree.
    other = plan_targets(plans["plan"], tree["B"], today=D(2026, 7, 2))
    assert other[1].own.target.plan.issuer == tree["B"] and other[1].state == MET
    assert other[1].children[0].state == NOT_AVAILABLE  # its commune derived nothing
    assert all(c.target is None or c.target.plan.issuer != tree["B"]
               for row in plan_targets(plans["plan"], today=D(2026, 7, 2)) for c in row.children)


def test_after_the_plan_year_a_target_not_reached_is_missed(tree: Any, plans: dict[str, Any]) -> None:
    rows = plan_targets(plans["plan"], today=D(2027, 1, 15))
    assert rows[0].current == 75.0 and rows[0].state == MISSED  # still the plan's year's figures, not 2027's
    assert rows[1].state == MET


def test_figure_period_of_multi_year_plans(tree: Any) -> None:
    plan = Plan(issuer=tree["A"], title="2025–2030", year=2025, end_year=2030)
    assert figure_period(plan, D(2026, 5, 1)) == "2026"
    assert figure_period(plan, D(2031, 5, 1)) == "2030"
    assert figure_period(plan, D(2024, 5, 1)) == "2025"


def test_a_plan_without_targets(tree: Any, django_assert_max_num_queries: Any) -> None:
    plan = Plan.objects.create(issuer=tree["A"], title="Trống", year=2026)
    with django_assert_max_num_queries(1):
        assert plan_targets(plan) == []
