"""How a reporting period is cut: data cut-off (Decree 09/2019 art. 12), deadline, label.

Decree 09/2019 counts a period's figures from the 15th of the month before the period to the
14th of its last month, so that a unit has time to compile before the deadline. Cut-offs and
deadlines are written as "MM-DD" for the *first* period of a kind in the year; a later month,
quarter or half-year moves them forward by one, three or six months each (the day is clamped to
the month's end, so "01-31" becomes 28 or 29 February). A start later in the year than the end
("12-15" → "06-14") starts in the previous year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from .models import PeriodKind

# kind → {"start": "MM-DD", "end": "MM-DD"} of the year's first period.
DECREE_09_CUTOFFS: dict[str, dict[str, str]] = {
    PeriodKind.MONTHLY: {"start": "12-15", "end": "01-14"},
    PeriodKind.QUARTERLY: {"start": "12-15", "end": "03-14"},
    PeriodKind.HALF_YEAR: {"start": "12-15", "end": "06-14"},
    # Not set by the decree: provinces use the annual start and the 14th of September.
    PeriodKind.NINE_MONTHS: {"start": "12-15", "end": "09-14"},
    PeriodKind.ANNUAL: {"start": "12-15", "end": "12-14"},
}

# Months between one period of a kind and the next; kind → highest number in a year.
STEP_MONTHS: dict[str, int] = {
    PeriodKind.MONTHLY: 1, PeriodKind.QUARTERLY: 3, PeriodKind.HALF_YEAR: 6, PeriodKind.NINE_MONTHS: 12,
    PeriodKind.ANNUAL: 12,
}
MAX_NUMBER: dict[str, int] = {
    PeriodKind.MONTHLY: 12, PeriodKind.QUARTERLY: 4, PeriodKind.HALF_YEAR: 2, PeriodKind.NINE_MONTHS: 1,
    PeriodKind.ANNUAL: 1, PeriodKind.AD_HOC: 999,
}

_MM_DD = re.compile(r"^(\d{2})-(\d{2})$")


def parse_month_day(text: Any) -> tuple[int, int]:
    """``"MM-DD"`` → (month, day); raises ValueError unless it is a real day of some year (29/02 is)."""
    m = _MM_DD.match(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(_("Write the day as MM-DD, for example 06-14."))
    month, day = int(m.group(1)), int(m.group(2))
    try:
        dt.date(2024, month, day)  # a leap year: 02-29 is a real day
    except ValueError:
        raise ValueError(_("%(text)s is not a day of the year.") % {"text": text}) from None
    return month, day


def _day(year: int, month_index: int, day: int) -> dt.date:
    """The ``day`` of the month ``month_index`` (0-based, may run past December), clamped to its length."""
    y, m = divmod(month_index, 12)
    y += year
    return dt.date(y, m + 1, min(day, calendar.monthrange(y, m + 1)[1]))


def _shift(kind: str, number: int) -> int:
    return STEP_MONTHS.get(kind, 0) * (number - 1)


def check_number(kind: str, number: Any) -> str:
    """An error message, or "" when ``number`` is a valid period number for ``kind``."""
    top = MAX_NUMBER.get(kind, 1)
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= top:
        return _("The number must be between 1 and %(top)d for this kind of period.") % {"top": top}
    return ""


def default_cutoff(
    kind: str, year: int, number: int, overrides: Mapping[Any, Any] | None = None,
) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the data of a period; the regime's ``cutoffs`` win over the decree.

    Raises ValueError for a kind with no rule (ad hoc periods need explicit dates).
    """
    rule = (overrides or {}).get(kind) or DECREE_09_CUTOFFS.get(kind)
    if not rule:
        raise ValueError(_("Give the first and last day of the data for this period."))
    sm, sd = parse_month_day(rule["start"])
    em, ed = parse_month_day(rule["end"])
    shift = _shift(kind, number)
    end_index = em - 1 + shift
    start_index = sm - 1 + shift - (12 if (sm, sd) > (em, ed) else 0)
    return _day(year, start_index, sd), _day(year, end_index, ed)


def default_deadline(regime: Any, kind: str, year: int, number: int) -> dt.date | None:
    """The regime's own deadline for the kind, else the plan's 6-month or annual report deadline of that year."""
    text = (regime.deadlines or {}).get(kind)
    if text:
        month, day = parse_month_day(text)
        return _day(year, month - 1 + _shift(kind, number), day)
    if regime.plan_id is None:
        return None
    from danvan.plans.models import DeadlineKind, PlanDeadline

    plan_kinds: dict[str, str] = {
        PeriodKind.HALF_YEAR: DeadlineKind.HALF_YEAR_REPORT, PeriodKind.ANNUAL: DeadlineKind.ANNUAL_REPORT,
    }
    plan_kind = plan_kinds.get(kind)
    if plan_kind is None:
        return None
    days = list(
        PlanDeadline.objects.filter(plan_id=regime.plan_id, kind=plan_kind, due_on__year=year)
        .order_by("due_on").values_list("due_on", flat=True)
    )
    # A plan may list both halves' reports; the n-th deadline of the year is the n-th period's.
    return days[number - 1] if len(days) >= number else None


def period_label(kind: str, year: int, number: int = 1) -> str:
    """A short label in the active language ("6-month 2026", "Quarter 2/2026")."""
    values = {"year": year, "number": number}
    if kind == PeriodKind.MONTHLY:
        return _("Month %(number)d/%(year)d") % values
    if kind == PeriodKind.QUARTERLY:
        return _("Quarter %(number)d/%(year)d") % values
    if kind == PeriodKind.HALF_YEAR:
        if number == 2:
            return _("Last 6 months of %(year)d") % values
        return _("6-month %(year)d") % values
    if kind == PeriodKind.NINE_MONTHS:
        return _("9-month %(year)d") % values
    if kind == PeriodKind.ANNUAL:
        return _("Year %(year)d") % values
    return _("Ad hoc report %(number)d/%(year)d") % values
