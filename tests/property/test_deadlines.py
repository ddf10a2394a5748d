"""Properties of the working-day calendar and the petition deadlines, over generated dates.

Every deadline of the platform is counted by ``danvan.core.calendar`` from rule data in force on
the day that matters (``danvan.petitions.deadlines``). Example tests pin a few dates; these check
the laws that must hold for every date and every period: a working-day deadline lands on a working
day, counts exactly N working days, never moves backwards when the start or N grows, composes
(N then M is N + M), and the 1 July 2026 change of law picks the right period on each side.

The calendar reads the administrator's exceptions from the database (one query per year, then
memory), hence the ``db`` fixture; examples are few and bounded for CI.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from danvan.core import calendar
from danvan.petitions import deadlines
from danvan.petitions.deadlines import compute_deadlines

pytestmark = pytest.mark.django_db

NEW_LAW = dt.date(2026, 7, 1)  # Law 136/2025/QH15 and Decree 155/2026: complaint acceptance 10 -> 7 working days
TODAY = dt.date(2031, 12, 31)  # "today" for the calculator, so that no generated date is in the future
BOUNDED = settings(max_examples=60, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Around the change of law and over several years of lunar holidays (Tết moves every year).
days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))
near_law = st.dates(min_value=NEW_LAW - dt.timedelta(days=40), max_value=NEW_LAW + dt.timedelta(days=40))
periods = st.integers(min_value=0, max_value=400)
positive = st.integers(min_value=1, max_value=400)


# --- the calendar --------------------------------------------------------------------------------

@BOUNDED
@given(start=days, n=positive)
@example(start=dt.date(2026, 7, 10), n=7)  # the calendar's own worked example: Tuesday 21/07/2026
def test_a_working_day_period_ends_on_a_working_day_after_the_start(start: dt.date, n: int) -> None:
    due = calendar.add_working_days(start, n)
    assert calendar.is_working_day(due)
    assert due > start
    assert calendar.working_days_between(start, due) == n


@BOUNDED
@given(start=days, n=st.integers(min_value=-400, max_value=400))
def test_counting_back_and_forth_agree(start: dt.date, n: int) -> None:
    """``working_days_between`` inverts ``add_working_days`` in both directions."""
    due = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, due) == n
    if n:
        assert calendar.is_working_day(due)


@BOUNDED
@given(a=days, b=days, n=periods)
def test_a_later_start_never_gives_an_earlier_deadline(a: dt.date, b: dt.date, n: int) -> None:
    early, late = sorted((a, b))
    assert calendar.add_working_days(early, n) <= calendar.add_working_days(late, n)
    assert calendar.add_calendar_days(early, n) <= calendar.add_calendar_days(late, n)


@BOUNDED
@given(start=days, n=periods, m=periods)
def test_a_longer_period_ends_later(start: dt.date, n: int, m: int) -> None:
    short, long = sorted((n, m))
    assume(short < long)
    assert calendar.add_working_days(start, short) < calendar.add_working_days(start, long)
    assert calendar.add_calendar_days(start, short) <= calendar.add_calendar_days(start, long)


@BOUNDED
@given(start=days, n=periods, m=periods)
def test_n_then_m_working_days_is_n_plus_m(start: dt.date, n: int, m: int) -> None:
    assert calendar.add_working_days(calendar.add_working_days(start, n), m) == calendar.add_working_days(start, n + m)
    # and backwards, for periods counted before an event
    back = calendar.add_working_days(calendar.add_working_days(start, -n), -m)
    assert back == calendar.add_working_days(start, -(n + m))


@BOUNDED
@given(a=days, b=days)
def test_days_between_is_antisymmetric_on_working_days(a: dt.date, b: dt.date) -> None:
    a, b = calendar.roll_forward(a), calendar.roll_forward(b)
    assert calendar.working_days_between(a, b) == -calendar.working_days_between(b, a)
    assert calendar.add_working_days(a, calendar.working_days_between(a, b)) == b


@BOUNDED
@given(day=days)
def test_next_previous_and_roll_forward_agree(day: dt.date) -> None:
    rolled = calendar.roll_forward(day)
    assert rolled >= day and calendar.is_working_day(rolled)
    assert (rolled == day) == calendar.is_working_day(day)
    assert calendar.next_working_day(calendar.previous_working_day(day)) == rolled
    assert calendar.previous_working_day(day) < day < calendar.next_working_day(day)
    assert (day in calendar.working_days_in_year(day.year)) == calendar.is_working_day(day)
    # no weekend day is a working day unless the government swapped it (few: none on Sundays)
    if day.weekday() == 6:
        assert not calendar.is_working_day(day)


@BOUNDED
@given(start=days, n=st.integers(min_value=0, max_value=120))
def test_a_calendar_day_period_ends_on_the_first_working_day_from_start_plus_n(start: dt.date, n: int) -> None:
    due = calendar.add_calendar_days(start, n)
    last = start + dt.timedelta(days=n)
    assert due >= last and calendar.is_working_day(due)
    assert all(not calendar.is_working_day(last + dt.timedelta(days=k)) for k in range((due - last).days))


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(start=st.dates(min_value=dt.date(2027, 1, 1), max_value=dt.date(2027, 11, 30)),
       n=st.integers(min_value=1, max_value=30), off=st.integers(min_value=0, max_value=40))
def test_an_extra_day_off_never_brings_a_deadline_forward(start: dt.date, n: int, off: int) -> None:
    """An administrator's extra day off (``CalendarDay``) can only push deadlines later, never earlier."""
    from danvan.core.models import CalendarDay

    before = calendar.add_working_days(start, n)
    day_off = start + dt.timedelta(days=off)
    counted = calendar.is_working_day(day_off) and start < day_off <= before
    CalendarDay.objects.update_or_create(date=day_off, defaults={"is_working_day": False, "note": "property"})
    calendar.clear_cache()
    try:
        after = calendar.add_working_days(start, n)
        assert not calendar.is_working_day(day_off)
        assert after >= before
        # only a day that was counted moves the deadline, and then by exactly one working day
        assert after == (calendar.add_working_days(before, 1) if counted else before)
    finally:
        CalendarDay.objects.filter(date=day_off).delete()
        calendar.clear_cache()


# --- petition deadlines --------------------------------------------------------------------------

KINDS = st.sampled_from(["complaint", "denunciation", "recommendation", "feedback"])


@BOUNDED
@given(received=days, kind=KINDS, complex=st.booleans(), remote=st.booleans())
def test_every_deadline_falls_on_a_working_day_after_its_event(
    received: dt.date, kind: str, complex: bool, remote: bool
) -> None:
    result = compute_deadlines(kind, received, received, complex=complex, remote=remote, today=TODAY)
    dues = [d for _, d, _ in result.rows()]
    assert dues, "every kind has at least one deadline"
    for key, due, rule in result.rows():
        assert due > received, key
        assert calendar.is_working_day(due), key
        if rule.counting == "working_days":
            assert calendar.working_days_between(received, due) == rule.period(complex=complex, remote=remote)
    assert dt.date.fromisoformat(result.rule_version) <= received


@BOUNDED
@given(received=near_law)
@example(received=NEW_LAW - dt.timedelta(days=1))
@example(received=NEW_LAW)
def test_the_change_of_law_on_1_july_2026_picks_the_complaint_acceptance_period(received: dt.date) -> None:
    result = compute_deadlines("complaint", received, today=TODAY)
    n = 7 if received >= NEW_LAW else 10
    assert result.acceptance_due == calendar.add_working_days(received, n)
    assert result.basis["acceptance_due"].in_force_on(received)
    assert (result.version_date >= NEW_LAW) == (received >= NEW_LAW)


@BOUNDED
@given(a=days, b=days, kind=KINDS)
def test_within_one_version_of_the_law_a_later_receipt_never_gives_an_earlier_deadline(
    a: dt.date, b: dt.date, kind: str
) -> None:
    early, late = sorted((a, b))
    assume((early < NEW_LAW) == (late < NEW_LAW))
    first = compute_deadlines(kind, early, early, today=TODAY)
    second = compute_deadlines(kind, late, late, today=TODAY)
    for key in ("acceptance_due", "forward_due", "feedback_due", "notification_due", "resolution_due"):
        x, y = getattr(first, key), getattr(second, key)
        assert (x is None) == (y is None), key
        if x is not None:
            assert x <= y, key


@BOUNDED
@given(received=days, gap=st.integers(min_value=0, max_value=60), extensions=st.integers(min_value=0, max_value=1))
def test_an_extension_never_shortens_a_denunciation(received: dt.date, gap: int, extensions: int) -> None:
    accepted = received + dt.timedelta(days=gap)
    base = compute_deadlines("denunciation", received, accepted, extensions=extensions, today=TODAY)
    longer = compute_deadlines("denunciation", received, accepted, extensions=extensions + 1, today=TODAY)
    assert longer.resolution_due is not None and base.resolution_due is not None
    assert longer.resolution_due > base.resolution_due
    # 30 calendar days, plus 30 per extension decision, rolled onto a working day
    assert longer.resolution_due == calendar.add_calendar_days(accepted, 30 * (extensions + 2))
    with pytest.raises(ValidationError) as caught:
        compute_deadlines("denunciation", received, accepted, extensions=3, today=TODAY)
    assert "extensions" in caught.value.message_dict


@BOUNDED
@given(received=days, round=st.sampled_from([1, 2]), gap=st.integers(min_value=0, max_value=60))
def test_complex_and_remote_cases_never_get_less_time(received: dt.date, round: int, gap: int) -> None:
    accepted = received + dt.timedelta(days=gap)
    plain = compute_deadlines("complaint", received, accepted, round=round, today=TODAY).resolution_due
    cplx = compute_deadlines("complaint", received, accepted, round=round, complex=True, today=TODAY).resolution_due
    far = compute_deadlines("complaint", received, accepted, round=round, remote=True, today=TODAY).resolution_due
    both = compute_deadlines("complaint", received, accepted, round=round, complex=True, remote=True,
                             today=TODAY).resolution_due
    assert plain is not None and cplx is not None and far is not None and both is not None
    assert plain <= cplx <= both and plain <= far <= both
    assert plain < cplx  # the law gives a complex complaint 15 days more in both rounds


@BOUNDED
@given(received=days, gap=st.integers(min_value=0, max_value=60))
def test_the_second_round_of_a_complaint_is_never_shorter(received: dt.date, gap: int) -> None:
    accepted = received + dt.timedelta(days=gap)
    one = compute_deadlines("complaint", received, accepted, round=1, today=TODAY)
    two = compute_deadlines("complaint", received, accepted, round=2, today=TODAY)
    assert one.resolution_due is not None and two.resolution_due is not None
    assert two.resolution_due >= one.resolution_due


anything = st.one_of(st.none(), st.booleans(), st.integers(min_value=-5, max_value=5), st.text(max_size=5),
                     st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 1, 1)),
                     st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)))


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=st.one_of(KINDS, st.text(max_size=8)), received=anything, accepted=anything,
       round=anything, extensions=anything, complex=st.booleans(), remote=st.booleans())
def test_bad_input_is_refused_with_a_field_message_never_a_crash(
    kind: Any, received: Any, accepted: Any, round: Any, extensions: Any, complex: bool, remote: bool
) -> None:
    """V1 input validation: the calculator (CLI, API) answers any input with dates or a ValidationError."""
    try:
        result = compute_deadlines(kind, received, accepted, round=round, complex=complex, remote=remote,
                                   extensions=extensions, today=dt.date(2030, 1, 1))
    except ValidationError as exc:
        assert exc.message_dict, "the error names the field"
        assert set(exc.message_dict) <= {"kind", "received", "accepted", "round", "extensions"}
        return
    assert isinstance(received, dt.date) and not isinstance(received, dt.datetime)
    assert result.rule_version
    for _key, due, _rule in result.rows():
        assert due > received


def test_the_rules_are_read_from_the_database_not_hard_coded() -> None:
    """Guard for the properties above: they run against the seeded legal rules (migration data)."""
    deadlines.clear_cache()
    keys = {(r.key, r.kind, r.effective_from) for r in deadlines.rules()}
    assert ("acceptance", "complaint", NEW_LAW) in keys
    assert ("acceptance", "complaint", dt.date(2013, 12, 15)) in keys
