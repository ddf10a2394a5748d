"""The working-day calendar: Vietnamese holidays from the package, swaps, administrator exceptions, the Civil Code's counting."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import holidays
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danvan.core.calendar import (
    add_calendar_days,
    add_working_days,
    clear_cache,
    is_working_day,
    next_working_day,
    previous_working_day,
    roll_forward,
    working_days_between,
    working_days_in_year,
)
from danvan.core.models import CalendarDay
from danvan.core.services import remove_calendar_day, set_calendar_day

pytestmark = pytest.mark.django_db

D = dt.date


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    out, d = [], start
    while d <= end:
        out.append(d)
        d += dt.timedelta(days=1)
    return out


# --- national holidays from the package ---------------------------------------------------------


def test_tet_2026_week_is_off_and_the_working_days_around_it() -> None:
    for d in days(D(2026, 2, 14), D(2026, 2, 22)):  # weekend, the five days of Tết (16–20/02), weekend
        assert not is_working_day(d), d
    assert is_working_day(D(2026, 2, 13))  # Friday before
    assert is_working_day(D(2026, 2, 23))  # Monday after
    assert next_working_day(D(2026, 2, 13)) == D(2026, 2, 23)
    assert previous_working_day(D(2026, 2, 23)) == D(2026, 2, 13)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1
    # 3 working days from Thursday 12/02: Fri 13, Mon 23, Tue 24.
    assert add_working_days(D(2026, 2, 12), 3) == D(2026, 2, 24)


def test_tet_2027_runs_from_thursday_4_to_wednesday_10_february() -> None:
    for d in days(D(2027, 2, 4), D(2027, 2, 10)):
        assert not is_working_day(d), d
    assert is_working_day(D(2027, 2, 3))
    assert is_working_day(D(2027, 2, 11))
    assert next_working_day(D(2027, 2, 3)) == D(2027, 2, 11)
    # After Monday 01/02 up to Friday 12/02: Tue 2, Wed 3, Thu 11, Fri 12.
    assert working_days_between(D(2027, 2, 1), D(2027, 2, 12)) == 4


def test_hung_kings_day_2026_falls_on_sunday_and_is_observed_on_monday() -> None:
    assert D(2026, 4, 26).weekday() == 6
    assert not is_working_day(D(2026, 4, 26))
    assert not is_working_day(D(2026, 4, 27))  # observed
    assert is_working_day(D(2026, 4, 28))
    assert next_working_day(D(2026, 4, 24)) == D(2026, 4, 28)
    # 30/04 and 01/05 (Thursday, Friday) are off too.
    assert not is_working_day(D(2026, 4, 30))
    assert not is_working_day(D(2026, 5, 1))
    assert add_working_days(D(2026, 4, 24), 3) == D(2026, 5, 4)  # Tue 28, Wed 29, Mon 04/05


def test_hung_kings_day_2027_is_friday_16_april() -> None:
    assert not is_working_day(D(2027, 4, 16))
    assert is_working_day(D(2027, 4, 15))
    assert next_working_day(D(2027, 4, 15)) == D(2027, 4, 19)


def test_2026_swap_saturday_22_august_worked_monday_31_august_off_and_national_day() -> None:
    assert D(2026, 8, 22).weekday() == 5
    assert is_working_day(D(2026, 8, 22))
    assert not is_working_day(D(2026, 8, 23))  # the Sunday stays off
    assert not is_working_day(D(2026, 8, 31))
    assert not is_working_day(D(2026, 9, 1))
    assert not is_working_day(D(2026, 9, 2))  # National Day
    assert is_working_day(D(2026, 9, 3))
    assert next_working_day(D(2026, 8, 21)) == D(2026, 8, 22)
    assert next_working_day(D(2026, 8, 28)) == D(2026, 9, 3)
    # A period running through the swap: Fri 21/08 + 3 -> Sat 22, Mon 24, Tue 25.
    assert add_working_days(D(2026, 8, 21), 3) == D(2026, 8, 25)


def test_ordinary_weekends_and_weekdays() -> None:
    assert is_working_day(D(2026, 7, 10))  # Friday
    assert not is_working_day(D(2026, 7, 11))  # Saturday
    assert not is_working_day(D(2026, 7, 12))  # Sunday
    assert is_working_day(D(2026, 7, 13))


def test_agrees_with_the_package_where_no_exception_exists() -> None:
    vn = holidays.country_holidays("VN", years=range(2025, 2029))
    for d in days(D(2025, 1, 1), D(2028, 12, 31)):
        assert is_working_day(d) == vn.is_working_day(d), d
    for start in (D(2026, 1, 1), D(2026, 2, 13), D(2026, 8, 20), D(2026, 12, 25), D(2027, 2, 3)):
        for n in (1, 2, 5, 7, 10, 30, 60, 250, 600):
            assert add_working_days(start, n) == vn.get_nth_working_day(start, n), (start, n)
            assert add_working_days(start, -n) == vn.get_nth_working_day(start, -n), (start, -n)


# --- DOMAIN.md §11: the Civil Code's counting ---------------------------------------------------


def test_domain_example_seven_working_days_from_friday_10_july_2026() -> None:
    assert add_working_days(D(2026, 7, 10), 7) == D(2026, 7, 21)
    assert D(2026, 7, 21).weekday() == 1  # Tuesday
    assert working_days_between(D(2026, 7, 10), D(2026, 7, 21)) == 7


def test_domain_example_sixty_calendar_days_from_21_july_2026() -> None:
    assert D(2026, 7, 21) + dt.timedelta(days=60) == D(2026, 9, 19)
    assert D(2026, 9, 19).weekday() == 5  # falls on a Saturday
    assert add_calendar_days(D(2026, 7, 21), 60) == D(2026, 9, 21)


def test_event_on_a_day_off_counts_from_the_next_working_day() -> None:
    # Received on Saturday 11/07/2026: day 1 is Monday 13/07.
    assert add_working_days(D(2026, 7, 11), 1) == D(2026, 7, 13)
    assert add_working_days(D(2026, 7, 11), 7) == D(2026, 7, 21)


def test_calendar_day_period_ending_on_a_working_day_is_not_moved() -> None:
    assert add_calendar_days(D(2026, 7, 21), 30) == D(2026, 8, 20)  # Thursday
    # Ending on the worked Saturday 22/08/2026 stays there.
    assert add_calendar_days(D(2026, 8, 12), 10) == D(2026, 8, 22)
    # Ending on Monday 31/08 (swapped off) runs past National Day to Thursday 03/09.
    assert add_calendar_days(D(2026, 8, 1), 30) == D(2026, 9, 3)


def test_calendar_day_period_zero_and_negative() -> None:
    assert add_calendar_days(D(2026, 7, 10), 0) == D(2026, 7, 10)
    assert add_calendar_days(D(2026, 7, 11), 0) == D(2026, 7, 13)
    with pytest.raises(ValueError, match="negative"):
        add_calendar_days(D(2026, 7, 10), -1)


def test_add_working_days_zero_and_backwards() -> None:
    assert add_working_days(D(2026, 7, 11), 0) == D(2026, 7, 11)  # unchanged, even on a Saturday
    assert add_working_days(D(2026, 7, 21), -7) == D(2026, 7, 10)
    assert add_working_days(D(2026, 2, 23), -1) == D(2026, 2, 13)
    assert add_working_days(D(2026, 7, 12), -1) == D(2026, 7, 10)  # before a Sunday: the Friday


def test_periods_cross_the_new_year() -> None:
    assert is_working_day(D(2026, 12, 31))
    assert not is_working_day(D(2027, 1, 1))
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert add_working_days(D(2027, 1, 4), -1) == D(2026, 12, 31)
    assert working_days_between(D(2026, 12, 30), D(2027, 1, 4)) == 2
    assert working_days_between(D(2027, 1, 4), D(2026, 12, 30)) == -2
    # From the last week of 2026 across Tết 2027.
    start = D(2026, 12, 28)
    end = add_working_days(start, 40)
    assert working_days_between(start, end) == 40
    assert end == holidays.country_holidays("VN", years=[2026, 2027]).get_nth_working_day(start, 40)


def test_working_days_between_convention() -> None:
    fri, sat, sun, mon = D(2026, 7, 10), D(2026, 7, 11), D(2026, 7, 12), D(2026, 7, 13)
    assert working_days_between(fri, fri) == 0
    assert working_days_between(sat, sat) == 0
    assert working_days_between(fri, sat) == 0  # nothing worked after Friday up to Saturday
    assert working_days_between(fri, mon) == 1
    assert working_days_between(sat, mon) == 1
    # A deadline on Friday: one working day left on Thursday, 0 on the day, overdue from Saturday on.
    assert working_days_between(D(2026, 7, 9), fri) == 1
    assert working_days_between(sat, fri) == -1
    assert working_days_between(sun, fri) == -1
    assert working_days_between(mon, fri) == -1
    assert working_days_between(D(2026, 7, 14), fri) == -2
    assert working_days_between(D(2026, 7, 21), fri) == -7


def test_working_days_between_inverts_add_working_days() -> None:
    starts = days(D(2026, 12, 20), D(2027, 1, 10)) + days(D(2026, 2, 10), D(2026, 2, 25))
    targets = [d for d in days(D(2026, 12, 1), D(2027, 2, 20)) if is_working_day(d)]
    targets += [d for d in days(D(2026, 2, 1), D(2026, 3, 10)) if is_working_day(d)]
    for a in starts:
        for b in targets:
            n = working_days_between(a, b)
            assert add_working_days(a, n) == b, (a, b, n)
            assert (n > 0) == (b > a), (a, b, n)


def test_roll_forward() -> None:
    assert roll_forward(D(2026, 7, 10)) == D(2026, 7, 10)
    assert roll_forward(D(2026, 7, 11)) == D(2026, 7, 13)
    assert roll_forward(D(2026, 2, 14)) == D(2026, 2, 23)


def test_year_of_working_days() -> None:
    year = working_days_in_year(2026)
    assert list(year) == sorted(year)
    assert D(2026, 8, 22) in year
    assert D(2026, 8, 31) not in year
    assert len(year) == sum(1 for d in days(D(2026, 1, 1), D(2026, 12, 31)) if is_working_day(d))


# --- administrator exceptions override the package ------------------------------------------------


def test_extra_day_off_added_by_the_administrator_moves_deadlines(sysadmin: Any) -> None:
    assert add_working_days(D(2026, 7, 10), 7) == D(2026, 7, 21)  # loads the cache
    set_calendar_day(sysadmin, D(2026, 7, 15), False, "Hypothetical extra day off")
    assert not is_working_day(D(2026, 7, 15))
    assert add_working_days(D(2026, 7, 10), 7) == D(2026, 7, 22)
    assert working_days_between(D(2026, 7, 10), D(2026, 7, 22)) == 7


def test_swapped_saturday_added_by_the_administrator_counts(sysadmin: Any) -> None:
    assert not is_working_day(D(2026, 7, 18))
    set_calendar_day(sysadmin, D(2026, 7, 18), True, "Worked Saturday swapped with Monday 27/07")
    set_calendar_day(sysadmin, D(2026, 7, 27), False, "Day off swapped with Saturday 18/07")
    assert is_working_day(D(2026, 7, 18))
    assert add_working_days(D(2026, 7, 10), 7) == D(2026, 7, 20)
    assert add_working_days(D(2026, 7, 24), 1) == D(2026, 7, 28)
    # A calendar-day period ending on that Saturday now ends there.
    assert add_calendar_days(D(2026, 7, 8), 10) == D(2026, 7, 18)


def test_exception_overrides_a_package_holiday_and_a_package_swap(sysadmin: Any) -> None:
    set_calendar_day(sysadmin, D(2026, 8, 22), False, "Swap cancelled")
    set_calendar_day(sysadmin, D(2026, 8, 31), True, "Swap cancelled")
    set_calendar_day(sysadmin, D(2026, 9, 2), True, "Test: overriding a public holiday")
    assert not is_working_day(D(2026, 8, 22))
    assert is_working_day(D(2026, 8, 31))
    assert is_working_day(D(2026, 9, 2))
    assert not is_working_day(D(2026, 9, 1))  # untouched


def test_cache_forgets_on_change_and_on_removal(sysadmin: Any) -> None:
    assert is_working_day(D(2026, 10, 5))
    set_calendar_day(sysadmin, D(2026, 10, 5), False, "Extra day off")
    assert not is_working_day(D(2026, 10, 5))
    set_calendar_day(sysadmin, D(2026, 10, 5), True, "Extra day off cancelled")
    assert is_working_day(D(2026, 10, 5))
    set_calendar_day(sysadmin, D(2026, 10, 5), False, "Extra day off after all")
    assert not is_working_day(D(2026, 10, 5))
    remove_calendar_day(sysadmin, D(2026, 10, 5))
    assert is_working_day(D(2026, 10, 5))


def test_cache_clears_again_when_the_change_commits(sysadmin: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        set_calendar_day(sysadmin, D(2026, 10, 6), False, "Extra day off")
    assert not is_working_day(D(2026, 10, 6))
    CalendarDay.objects.filter(date=D(2026, 10, 6)).delete()  # as another process's change would look
    assert not is_working_day(D(2026, 10, 6))  # still remembered ...
    for callback in callbacks:
        callback()
    assert is_working_day(D(2026, 10, 6))  # ... until the commit clears it


def test_other_processes_changes_are_seen_after_the_cache_lifetime(settings: Any) -> None:
    settings.DANVAN_CALENDAR_CACHE_SECONDS = 1
    clear_cache()
    assert is_working_day(D(2026, 10, 7))
    # Another web worker saved an exception: this process is not told.
    CalendarDay.objects.create(date=D(2026, 10, 7), is_working_day=False, note="Entered elsewhere")
    assert is_working_day(D(2026, 10, 7))  # within the lifetime, memory answers
    time.sleep(1.05)
    assert not is_working_day(D(2026, 10, 7))


def test_no_cache_lifetime_reads_every_time(settings: Any) -> None:
    settings.DANVAN_CALENDAR_CACHE_SECONDS = 0
    clear_cache()
    assert is_working_day(D(2026, 10, 8))
    CalendarDay.objects.create(date=D(2026, 10, 8), is_working_day=False, note="Entered elsewhere")
    assert not is_working_day(D(2026, 10, 8))


# --- performance: memory, not queries -------------------------------------------------------------


def test_one_query_per_year_then_none() -> None:
    clear_cache()
    with CaptureQueriesContext(connection) as ctx:
        is_working_day(D(2026, 3, 3))
        is_working_day(D(2026, 11, 3))
        add_working_days(D(2026, 6, 1), 30)
    assert len(ctx.captured_queries) == 1
    assert "core_calendarday" in ctx.captured_queries[0]["sql"]
    with CaptureQueriesContext(connection) as ctx:
        start = D(2026, 1, 1)
        for i in range(20_000):
            d = start + dt.timedelta(days=i % 365)
            is_working_day(d)
            add_working_days(d, 10)
            add_calendar_days(d, 15)
            working_days_between(d, D(2026, 12, 31))
    # add_working_days from late December reaches into 2027: exactly one more query.
    assert len(ctx.captured_queries) == 1
