"""What the public may read of grassroots democracy: each read one bounded query, nothing about a person.

A disclosure is public when it is published (not a draft, not withdrawn), marked for the portal and
not deleted; it is *posted* on a day between its start and end of posting (or from its start on, for a
permanent one). A consultation is public once its result is published. Nothing here is scoped to a
user: these rows are what the commune has made known to everyone, and only the columns a citizen
needs are read (never who created a record, never a board member's name).

The unit pages of the portal (``portal_sections``), the public pages (``views_public``), the open
data and the report pre-fill (``prefill``) read through here; the officials' pages use
``queries``/``decisions``/``consultations`` with ``visible_to``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Func, IntegerField, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q

from .decisions import taken_between
from .models import (
    Attachment,
    BoardFinding,
    Consultation,
    ConsultationStatus,
    Disclosure,
    DisclosureForm,
    DisclosureStatus,
    FrontSupervision,
    QuarterlyList,
)
from .queries import made_between

SECTION_MAX = 10
CALENDAR_MAX = 300
PAGE_SIZE = 50
MAX_PAGE = 1000
_FORM_LABELS = dict(DisclosureForm.choices)
_DISCLOSURE_FIELDS = ("pk", "title", "decision_ref", "decided_on", "disclosed_on", "posting_ends_on", "permanent",
                      "forms", "place", "category__name", "category__article_point", "org_unit_id", "org_unit__name")
VILLAGE_KIND = "village"


def published() -> QuerySet[Disclosure]:
    """Every disclosure the public may see, whatever its posting dates."""
    return Disclosure.objects.filter(status=DisclosureStatus.PUBLISHED, is_public=True, deleted_at__isnull=True,
                                     disclosed_on__isnull=False)


def posted_between(date_from: dt.date, date_to: dt.date) -> Q:
    """Posted on at least one day of the range (a permanent or open-ended posting never comes down)."""
    return Q(disclosed_on__lte=date_to) & (
        Q(permanent=True) | Q(posting_ends_on__isnull=True) | Q(posting_ends_on__gte=date_from))


def of_unit(unit: OrgUnit, prefix: str = "org_unit") -> Q:
    """The unit's own records and those of its villages (a village posts at its hall what the commune decides);
    a province's page is not every commune's."""
    return Q(**{f"{prefix}_id": unit.pk}) | Q(**{f"{prefix}__parent_id": unit.pk,
                                                 f"{prefix}__kind__code": VILLAGE_KIND})


def form_labels(forms: Any) -> list[str]:
    return [str(_FORM_LABELS.get(f, f)) for f in forms or [] if isinstance(f, str)]


def method_labels(forms: Any) -> list[str]:
    """The ways residents were asked in a consultation (``consultations.ConsultationMethod``), in words."""
    from .consultations import ConsultationMethod

    labels = dict(ConsultationMethod.choices)
    return [str(labels.get(f, f)) for f in forms or [] if isinstance(f, str)]


def _rows(qs: QuerySet[Disclosure], limit: int) -> list[dict[str, Any]]:
    rows = list(qs.values(*_DISCLOSURE_FIELDS)[:limit])
    for r in rows:
        r["form_labels"] = form_labels(r["forms"])
    return rows


def posted_now(unit: OrgUnit, on: dt.date | None = None, limit: int = SECTION_MAX) -> list[dict[str, Any]]:
    """The unit's (and its villages') disclosures posted today, newest first (one query; ``limit`` + 1 rows to tell "more")."""
    day = on or timezone.localdate()
    qs = published().filter(posted_between(day, day)).filter(of_unit(unit)).order_by("-disclosed_on", "-pk")
    return _rows(qs, limit + 1)


def open_consultations(unit: OrgUnit, on: dt.date | None = None, limit: int = SECTION_MAX) -> list[dict[str, Any]]:
    """The unit's (and its villages') public consultations taking opinions today and those whose result is published, newest first."""
    day = on or timezone.localdate()
    qs = (Consultation.objects.filter(of_unit(unit), is_public=True, deleted_at__isnull=True)
          .filter(Q(status=ConsultationStatus.PUBLISHED)
                  | Q(status=ConsultationStatus.OPEN, opens_on__lte=day, closes_on__gte=day))
          .order_by("-opens_on", "-pk")
          .values("pk", "title", "matter", "status", "opens_on", "closes_on", "result_published_on")[:limit + 1])
    return [dict(r) for r in qs]


# --------------------------------------------------------------------------- pages


def disclosure_or_none(pk: int) -> Disclosure | None:
    return (published().select_related("category", "org_unit")
            .only("pk", "title", "content", "decision_ref", "decided_on", "disclosed_on", "posting_ends_on",
                  "permanent", "forms", "place", "loudspeaker_days", "org_unit__id", "org_unit__name",
                  "org_unit__valid_to", "category__name", "category__article_point")
            .filter(pk=pk).first())


def disclosure_attachments(disclosure: Disclosure) -> list[dict[str, Any]]:
    return [dict(r) for r in Attachment.objects.filter(disclosure_id=disclosure.pk, deleted_at__isnull=True)
            .order_by("pk").values("pk", "original_name", "size")[:50]]


def attachment_or_none(pk: int) -> Attachment | None:
    """A file of a public disclosure or of a consultation whose result is published; None for any other."""
    public_disclosure = Q(disclosure__status=DisclosureStatus.PUBLISHED, disclosure__is_public=True,
                          disclosure__deleted_at__isnull=True)
    public_consultation = Q(consultation__status=ConsultationStatus.PUBLISHED, consultation__is_public=True,
                            consultation__deleted_at__isnull=True)
    return (Attachment.objects.filter(public_disclosure | public_consultation).filter(pk=pk, deleted_at__isnull=True)
            .first())


def consultation_or_none(pk: int) -> Consultation | None:
    """A public consultation open for opinions or with its result published (a draft or closed one is not)."""
    return (Consultation.objects.select_related("org_unit")
            .filter(is_public=True, deleted_at__isnull=True,
                    status__in=[ConsultationStatus.OPEN, ConsultationStatus.PUBLISHED])
            .only("pk", "title", "matter", "draft", "forms", "opens_on", "closes_on", "opinions_received",
                  "opinions_summary", "taken_into_account", "result_published_on", "status", "org_unit__id",
                  "org_unit__name", "org_unit__valid_to")
            .filter(pk=pk).first())


def consultation_attachments(consultation: Consultation) -> list[dict[str, Any]]:
    if consultation.status != ConsultationStatus.PUBLISHED:
        return []
    return [dict(r) for r in Attachment.objects.filter(consultation_id=consultation.pk, deleted_at__isnull=True)
            .order_by("pk").values("pk", "original_name", "size")[:50]]


@dataclass
class Month:
    first: dt.date
    last: dt.date

    @property
    def previous(self) -> dt.date:
        return (self.first - dt.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> dt.date:
        return self.last + dt.timedelta(days=1)


def month_of(raw: Any, today: dt.date | None = None) -> Month:
    """``YYYY-MM`` (this month when missing or not a month from 2000 to next year)."""
    today = today or timezone.localdate()
    year, month = today.year, today.month
    if isinstance(raw, str) and len(raw) == 7 and raw[4] == "-" and raw[:4].isdigit() and raw[5:].isdigit():
        y, m = int(raw[:4]), int(raw[5:])
        if 2000 <= y <= today.year + 1 and 1 <= m <= 12:
            year, month = y, m
    first = dt.date(year, month, 1)
    return Month(first, first.replace(day=calendar.monthrange(year, month)[1]))


@dataclass
class CalendarDay:
    day: dt.date | None
    starting: list[dict[str, Any]]
    ending: list[dict[str, Any]]
    posted: int


def calendar_of(unit: OrgUnit, month: Month) -> tuple[list[list[CalendarDay]], list[dict[str, Any]], bool]:
    """The month's weeks (Monday first): per day what goes up, what comes down and how many are posted.

    One query for the month's postings (bounded; the third value says whether some were cut)."""
    qs = (published().filter(posted_between(month.first, month.last)).filter(of_unit(unit))
          .order_by("disclosed_on", "pk"))
    rows = _rows(qs, CALENDAR_MAX + 1)
    cut = len(rows) > CALENDAR_MAX
    rows = rows[:CALENDAR_MAX]
    weeks: list[list[CalendarDay]] = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.first.year, month.first.month):
        line = []
        for day in week:
            if day.month != month.first.month:
                line.append(CalendarDay(None, [], [], 0))
                continue
            posted = [r for r in rows if r["disclosed_on"] <= day and (
                r["permanent"] or r["posting_ends_on"] is None or r["posting_ends_on"] >= day)]
            line.append(CalendarDay(
                day, [r for r in posted if r["disclosed_on"] == day],
                [r for r in posted if not r["permanent"] and r["posting_ends_on"] == day], len(posted)))
        weeks.append(line)
    return weeks, rows, cut


def quarter_range(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * quarter - 2, 1)
    last_month = 3 * quarter
    return first, dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


def quarterly_lists(unit: OrgUnit, limit: int = 12) -> list[dict[str, Any]]:
    return [dict(r) for r in QuarterlyList.objects.filter(org_unit_id=unit.pk).order_by("-year", "-quarter")
            .values("year", "quarter", "posted_on", "items")[:limit]]


def disclosed_in(unit: OrgUnit, date_from: dt.date, date_to: dt.date, page: int = 1) -> tuple[list[dict[str, Any]],
                                                                                              bool]:
    """The unit's public disclosures made in the range, a page at a time (and whether there is a next page)."""
    page = max(1, min(page, MAX_PAGE))
    start = (page - 1) * PAGE_SIZE
    qs = (published().filter(of_unit(unit), disclosed_on__gte=date_from, disclosed_on__lte=date_to)
          .order_by("disclosed_on", "pk"))
    rows = list(qs.values(*_DISCLOSURE_FIELDS)[start:start + PAGE_SIZE + 1])
    for r in rows:
        r["form_labels"] = form_labels(r["forms"])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


# --------------------------------------------------------------------------- figures (open data, report)


def scalar(qs: QuerySet[Any], function: str = "COUNT", field: str = "pk") -> Coalesce:
    """A count (or sum) over ``qs`` as a scalar subquery, so that many figures are read in one query."""
    value = qs.order_by().annotate(_v=Func(F(field), function=function)).values("_v")[:1]
    return Coalesce(Subquery(value, output_field=IntegerField()), 0)


def one_row(unit: OrgUnit, subqueries: dict[str, Any]) -> dict[str, Any]:
    """Every figure at once: one query, however many figures (each a scalar subquery)."""
    named = {f"fig_{key}": value for key, value in subqueries.items()}  # never a field name of OrgUnit
    row = OrgUnit.objects.filter(pk=unit.pk).annotate(**named).values(*named).first()
    return {key: (row or {}).get(f"fig_{key}", 0) for key in subqueries}


def subtree_figures(unit: OrgUnit, date_from: dt.date, date_to: dt.date,
                    exclude_paths: list[str] | None = None) -> dict[str, int]:
    """Counts of the unit's subtree (less ``exclude_paths`` subtrees) over the range, in one query.

    "Made" is ``queries.made_between`` (a later withdrawal does not undo a disclosure made), "voted" is
    ``decisions.taken_between`` (every result recorded), "taken" those of them that passed."""

    def scoped(qs: QuerySet[Any], prefix: str = "org_unit__") -> QuerySet[Any]:
        qs = qs.filter(subtree_q([unit.path], prefix=prefix))
        return qs.exclude(subtree_q(exclude_paths, prefix=prefix)) if exclude_paths else qs

    made = scoped(made_between(Q(), date_from, date_to))
    decisions = scoped(taken_between(Q(), date_from, date_to))
    return one_row(unit, {
        "made": scalar(made),
        "made_late": scalar(made.filter(due_on__isnull=False, disclosed_on__gt=F("due_on"))),
        "decisions_voted": scalar(decisions),
        "decisions_taken": scalar(decisions.filter(passed=True)),
        "consultations_published": scalar(scoped(Consultation.objects.filter(
            deleted_at__isnull=True, status=ConsultationStatus.PUBLISHED, result_published_on__gte=date_from,
            result_published_on__lte=date_to))),
        "front_supervisions": scalar(scoped(FrontSupervision.objects.filter(
            deleted_at__isnull=True, starts_on__gte=date_from, starts_on__lte=date_to))),
        "board_findings": scalar(scoped(BoardFinding.objects.filter(
            deleted_at__isnull=True, board__deleted_at__isnull=True, found_on__gte=date_from,
            found_on__lte=date_to), prefix="board__org_unit__")),
    })
