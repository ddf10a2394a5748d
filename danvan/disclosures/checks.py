"""The law's checks of a disclosure (Arts. 11–12), one by one for a page and as SQL filters for lists.

- ``late``: disclosed after ``due_on`` (5 working days from the decision), or still a draft past it;
- ``short_posting``: a posting that ended before the category's minimum consecutive days;
- ``loudspeaker``: the category must be broadcast N consecutive days and the loudspeaker is not among
  the forms, or fewer days were recorded;
- the quarterly list (``quarterly_missing``): every ended quarter of this year and the last has one.

``problems`` (Python, one record) and ``problem_q`` (SQL, a list) say the same thing; the tests hold
them to it. A withdrawn or deleted disclosure has no problem: it is no longer the commune's to fix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import DateField, ExpressionWrapper, F, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danvan.core.writes import fmt_date

from .models import Disclosure, DisclosureCategory, DisclosureForm, DisclosureStatus, QuarterlyList
from .services import quarter_bounds

ERROR = "error"
WARNING = "warning"
CODES = {
    "late": gettext_lazy("Disclosed late"),
    "short_posting": gettext_lazy("Posted too briefly"),
    "loudspeaker": gettext_lazy("Loudspeaker broadcast missing"),
}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    severity: str = ERROR


def posting_days(disclosure: Disclosure) -> int | None:
    """Consecutive days posted, the first day counted; None while open-ended or not posted."""
    if disclosure.disclosed_on is None or disclosure.posting_ends_on is None:
        return None
    return (disclosure.posting_ends_on - disclosure.disclosed_on).days + 1


def _has_loudspeaker(forms: Any) -> bool:
    return isinstance(forms, list) and DisclosureForm.LOUDSPEAKER in forms


def problems(disclosure: Disclosure, today: dt.date | None = None) -> list[Problem]:
    """What the law finds wrong with the disclosure today (empty: nothing)."""
    today = today or timezone.localdate()
    if disclosure.deleted_at is not None or disclosure.status == DisclosureStatus.WITHDRAWN:
        return []
    found: list[Problem] = []
    published = disclosure.status == DisclosureStatus.PUBLISHED
    due = disclosure.due_on
    if due is not None:
        if published and disclosure.disclosed_on and disclosure.disclosed_on > due:
            found.append(Problem("late", _("Disclosed on %(on)s, after the deadline of %(due)s "
                                           "(5 working days from the decision).") % {
                "on": fmt_date(disclosure.disclosed_on), "due": fmt_date(due)}))
        elif disclosure.status == DisclosureStatus.DRAFT and today > due:
            found.append(Problem("late", _("Not yet disclosed: the deadline was %(due)s "
                                           "(5 working days from the decision).") % {"due": fmt_date(due)}))
    if not published:
        return found
    category: DisclosureCategory = disclosure.category
    days = posting_days(disclosure)
    if not disclosure.permanent and days is not None and days < category.min_posting_days:
        found.append(Problem("short_posting", _("Posted for %(days)d days; this category needs at least "
                                                "%(min)d consecutive days.") % {
            "days": days, "min": category.min_posting_days}))
    need = category.loudspeaker_days
    if need:
        if not _has_loudspeaker(disclosure.forms):
            found.append(Problem("loudspeaker", _("This category must be broadcast on the loudspeakers for "
                                                  "%(n)d consecutive days; no broadcast is recorded.") % {"n": need},
                                 WARNING))
        elif disclosure.loudspeaker_days < need:
            found.append(Problem("loudspeaker", _("Broadcast for %(days)d days; this category needs %(n)d "
                                                  "consecutive days.") % {"days": disclosure.loudspeaker_days,
                                                                          "n": need}, WARNING))
    return found


def _loudspeaker_in_forms() -> Q:
    # The forms are a JSON list of codes; its text holds '"loudspeaker"' (a containment lookup is not
    # available on SQLite). No other code contains that word.
    return Q(forms__icontains=DisclosureForm.LOUDSPEAKER.value)


def problem_q(code: str, today: dt.date | None = None) -> Q:
    """The SQL filter of disclosures having the problem ``code`` today (same answer as ``problems``)."""
    today = today or timezone.localdate()
    alive = Q(deleted_at__isnull=True)
    published = Q(status=DisclosureStatus.PUBLISHED)
    if code == "late":
        return alive & Q(due_on__isnull=False) & (
            (published & Q(disclosed_on__gt=F("due_on")))
            | Q(status=DisclosureStatus.DRAFT, due_on__lt=today))
    if code == "short_posting":
        # posting_ends_on − disclosed_on + 1 < minimum, i.e. the end is before the minimum's last day.
        return alive & published & Q(permanent=False) & _short_q()
    if code == "loudspeaker":
        return alive & published & Q(category__loudspeaker_days__gt=0) & (
            ~_loudspeaker_in_forms() | Q(loudspeaker_days__lt=F("category__loudspeaker_days")))
    raise ValueError(code)


def _short_q() -> Q:
    """One date comparison per minimum posting period in use (a handful): portable date arithmetic."""
    q = Q(pk__in=[])
    minima = DisclosureCategory.objects.values_list("min_posting_days", flat=True).distinct()
    for days in sorted(set(minima)):
        last_day = Cast(ExpressionWrapper(F("disclosed_on") + dt.timedelta(days=max(days, 1) - 1),
                                          output_field=DateField()), DateField())
        q |= Q(category__min_posting_days=days, posting_ends_on__isnull=False, disclosed_on__isnull=False,
               posting_ends_on__lt=last_day)
    return q


def quarters_to_check(today: dt.date | None = None) -> list[tuple[int, int]]:
    """The ended quarters of the current year and the last one, oldest first."""
    today = today or timezone.localdate()
    return [(y, q) for y in (today.year - 1, today.year) for q in range(1, 5) if quarter_bounds(y, q)[1] < today]


def quarterly_missing(unit: Any, today: dt.date | None = None) -> list[tuple[int, int]]:
    """The ended quarters of this year and the last for which the unit posted no list."""
    wanted = quarters_to_check(today)
    posted = set(QuarterlyList.objects.filter(org_unit=unit, year__in={y for y, _q in wanted})
                 .values_list("year", "quarter"))
    return [yq for yq in wanted if yq not in posted]
