"""The platform's one working-day calendar: every deadline in every module is counted here.

Legal rules it implements (Civil Code 2015, Arts. 146–147, applied where the sector law is
silent; DOMAIN.md §11):

* A period counted "from" an event starts on the day after the event (Art. 147.1): 7 working
  days from a receipt on Friday 10/07/2026 end on Tuesday 21/07/2026.
* A working-day period counts only working days: Saturdays, Sundays, public holidays (lunar
  new year, Hùng Kings' day ... which move every year) and weekdays the government swapped
  off do not count; a Saturday the government swapped into a working day does.
* A calendar-day period whose last day is not a working day ends on the next working day
  (Art. 148.5): 60 days from 21/07/2026 fall on Saturday 19/09/2026, so the period ends on
  Monday 21/09/2026.

Where the days come from, strongest first:

1. ``CalendarDay`` rows entered by a system administrator (through ``danvan.core.services``),
   which override everything: an extra day off, a swapped Saturday the package does not know.
2. The ``holidays`` package (country "VN"): public holidays, their observed days, and the
   swaps it knows (2026: Saturday 22/08 worked, Monday 31/08 off).
3. Saturday and Sunday are days off.

Deadlines are computed for every petition on every list, so the calendar is answered from
memory: each year is turned once into a sorted tuple of its working days (the package's part
is kept for the life of the process, the administrator's exceptions are read in one query per
year). A change made through the service clears this process's memory at once and again on
commit; other processes (other web workers, other machines) pick it up within
``DANVAN_CALENDAR_CACHE_SECONDS`` (default 60 s) — the calendar of a year is announced months
ahead, so a minute of delay is harmless.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.conf import settings

__all__ = [
    "add_calendar_days",
    "add_working_days",
    "clear_cache",
    "is_working_day",
    "next_working_day",
    "previous_working_day",
    "roll_forward",
    "working_days_between",
    "working_days_in_year",
]

_ONE_DAY = dt.timedelta(days=1)
DEFAULT_CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class _Year:
    """One year's working days, sorted, with a set for membership tests."""

    days: tuple[dt.date, ...]
    lookup: frozenset[dt.date]
    expires_at: float


_years: dict[int, _Year] = {}
_lock = threading.Lock()


@lru_cache(maxsize=256)
def _national_working_days(year: int) -> frozenset[dt.date]:
    """The package's view of one year; it never changes while the process runs."""
    vn = holidays.country_holidays("VN", years=year)
    day = dt.date(year, 1, 1)
    working: set[dt.date] = set()
    while day.year == year:
        if vn.is_working_day(day):
            working.add(day)
        day += _ONE_DAY
    return frozenset(working)


def _exceptions(year: int) -> dict[dt.date, bool]:
    from .models import CalendarDay

    rows = CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
    return dict(rows.values_list("date", "is_working_day"))


def _ttl() -> float:
    return float(getattr(settings, "DANVAN_CALENDAR_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def _year(year: int) -> _Year:
    # The hot path: one dict lookup and one clock read; settings are read only when a year reloads.
    cached = _years.get(year)
    if cached is not None and time.monotonic() < cached.expires_at:
        return cached
    with _lock:
        cached = _years.get(year)
        if cached is not None and time.monotonic() < cached.expires_at:
            return cached
        working = set(_national_working_days(year))
        for day, works in _exceptions(year).items():
            if works:
                working.add(day)
            else:
                working.discard(day)
        entry = _Year(days=tuple(sorted(working)), lookup=frozenset(working), expires_at=time.monotonic() + _ttl())
        _years[year] = entry
        return entry


def clear_cache() -> None:
    """Forget the administrator's exceptions; the next call reads them again (one query per year)."""
    with _lock:
        _years.clear()


def is_working_day(d: dt.date) -> bool:
    """Whether offices work on ``d``: administrator's exception, else the national holidays and weekend."""
    return d in _year(d.year).lookup


def working_days_in_year(year: int) -> tuple[dt.date, ...]:
    """All working days of ``year`` in order (for calendars shown to users and for reports)."""
    return _year(year).days


def _rank(d: dt.date) -> int:
    """How many working days of ``d``'s year fall on or before ``d``."""
    return bisect_right(_year(d.year).days, d)


def _count(a: dt.date, b: dt.date) -> int:
    """Working days in the half-open interval (a, b]; requires a <= b."""
    if a.year == b.year:
        return _rank(b) - _rank(a)
    total = len(_year(a.year).days) - _rank(a)
    for year in range(a.year + 1, b.year):
        total += len(_year(year).days)
    return total + _rank(b)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The day a period of ``n`` working days counted from the event on ``start`` ends.

    Civil Code 2015 Art. 147.1: counting starts on the day after the event, so the first
    working day after ``start`` is day 1 whatever ``start`` itself is (an event on a Saturday
    or a holiday is counted from the next working day the same way). 7 working days from
    Friday 10/07/2026 end on Tuesday 21/07/2026.

    ``n < 0`` counts backwards: the ``|n|``-th working day before ``start`` (e.g. "at least
    5 working days before the meeting"). ``n == 0`` returns ``start`` unchanged.
    For every working day ``b``: ``add_working_days(a, working_days_between(a, b)) == b``.
    """
    if n == 0:
        return start
    year = start.year
    days = _year(year).days
    if n > 0:
        i = bisect_right(days, start)  # index of the first working day after start
        remaining = n
        while i + remaining > len(days):
            remaining -= len(days) - i
            year += 1
            days, i = _year(year).days, 0
        return days[i + remaining - 1]
    i = bisect_left(days, start)  # number of working days before start in its year
    remaining = -n
    while remaining > i:
        remaining -= i
        year -= 1
        days = _year(year).days
        i = len(days)
    return days[i - remaining]


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days elapsed from ``a`` to ``b``, counted like a period "from" ``a`` (Art. 147.1).

    Convention:

    * ``b > a``: the number of working days after ``a`` up to and including ``b``
      (receipt Friday 10/07/2026, today Tuesday 21/07/2026 -> 7).
    * ``b == a``: 0.
    * ``b < a``: minus the number of working days on or after ``b`` and before ``a``, so that
      ``add_working_days(a, working_days_between(a, b)) == b`` whenever ``b`` is a working
      day, in both directions. With ``a`` = today and ``b`` = a deadline (always a working
      day) the result is the working days left: positive before the deadline, 0 on it,
      negative once it has passed (-1 on the Saturday after a Friday deadline).
    """
    if b >= a:
        return _count(a, b)
    return -_count(b - _ONE_DAY, a - _ONE_DAY)


def next_working_day(d: dt.date) -> dt.date:
    """The first working day strictly after ``d``."""
    return add_working_days(d, 1)


def previous_working_day(d: dt.date) -> dt.date:
    """The last working day strictly before ``d``."""
    return add_working_days(d, -1)


def roll_forward(d: dt.date) -> dt.date:
    """``d`` if it is a working day, else the next working day (Civil Code 2015 Art. 148.5)."""
    return d if is_working_day(d) else next_working_day(d)


def add_calendar_days(start: dt.date, n: int) -> dt.date:
    """The day a period of ``n`` calendar days counted from the event on ``start`` ends.

    Counting starts the day after the event (Art. 147.1), so the last day is ``start + n``;
    if that day is a weekend, a holiday or a day swapped off, the period ends at the end of
    the next working day (Art. 148.5): 60 days from 21/07/2026 fall on Saturday 19/09/2026,
    so the period ends on Monday 21/09/2026. ``n`` must not be negative: a calendar-day
    period always runs forward.
    """
    if n < 0:
        raise ValueError("a calendar-day period cannot be negative")
    return roll_forward(start + dt.timedelta(days=n))
