"""The figures of the modules that do not know the dashboard: petitions, reports, surveys, dialogues, disclosures.

Each provider reads one period in one grouped query (surveys: the index's query and the elements
of the versions met) and answers ``{unit id: (numerator, denominator)}`` for the units that hold
records. Definitions follow the modules' own (``petitions.statistics``, ``reports.aggregation``,
``surveys.index``, ``dialogues.queries``, ``disclosures.queries``) so that the dashboard and the
reports agree:

* ``petitions.on_time_rate``: petitions resolved in the period (the last step into "resolved", each
  case once) whose resolution day is on or before the legal deadline of the case / petitions resolved;
  by the handling unit.
* ``reports.timeliness_rate``: expected reports whose deadline fell in the period and has passed,
  counted (submitted or accepted) and not late / those expected reports; by the reporting unit.
* ``surveys.satisfaction_index``: satisfied element answers / answered element answers of the
  responses submitted in the period (voided ones left out), by the unit the response is about. Up
  the tree this pools the answers, so that it adds up; the survey pages show the mean of the elements,
  which equals it when every respondent answers every element.
* ``dialogues.held``: dialogues held in the period, by the unit that held them.
* ``dialogues.commitments_kept_rate``: commitments due in the period (deadline passed) done by their
  due date / those commitments; by the unit that owns the commitment.
* ``disclosures.made``: items disclosed in the period (first day of posting; withdrawn ones count),
  by the disclosing unit.

Practices and oversight register their own (``danvan/practices/figures.py``,
``danvan/oversight/figures.py``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from .registry import FigureDef, PeriodRange, ProviderResult, counts, page_url, ratios, register

# --------------------------------------------------------------------------- petitions


def petitions_on_time(period: PeriodRange) -> ProviderResult:
    import datetime as dt

    from django.utils import timezone

    from danvan.petitions.models import PetitionEvent, PetitionStatus
    from danvan.petitions.statistics import on_time as resolved_in_time

    def day_start(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    rows: Any = (
        PetitionEvent.objects.filter(
            to_status=PetitionStatus.RESOLVED, at__gte=day_start(period.starts_on),
            at__lt=day_start(period.ends_on + dt.timedelta(days=1)), petition__deleted_at__isnull=True,
        ).values(
            "petition_id", "at", "petition__org_unit_id", "petition__kind", "petition__received_on",
            "petition__accepted_on", "petition__round", "petition__is_complex", "petition__is_remote",
            "petition__extensions", "petition__suspended_days", "petition__decision_on",
        ).order_by("petition_id", "at")
    )
    latest: dict[int, dict[str, Any]] = {}
    for row in rows.iterator(chunk_size=5000):
        latest[row["petition_id"]] = row
    out: dict[int, list[float]] = {}
    for row in latest.values():
        day = row["petition__decision_on"] or timezone.localtime(row["at"]).date()
        acc = out.setdefault(row["petition__org_unit_id"], [0.0, 0.0])
        facts = tuple(row[f] for f in _DEADLINE_FACTS)
        on_time = _ON_TIME.get((facts, day))
        if on_time is None:
            on_time = _ON_TIME[(facts, day)] = resolved_in_time(row, day)
        acc[0] += float(on_time)
        acc[1] += 1.0
    return {unit: (num, den) for unit, (num, den) in out.items()}


# A case resolved in a quarter is read again for the year: its deadline is computed once per refresh.
_DEADLINE_FACTS = ("petition__kind", "petition__received_on", "petition__accepted_on", "petition__round",
                   "petition__is_complex", "petition__is_remote", "petition__extensions", "petition__suspended_days")
_ON_TIME: dict[tuple[Any, ...], bool] = {}


def clear_caches() -> None:
    """Called at the end of every refresh, so that a change of the deadline rules shows in the next one."""
    _ON_TIME.clear()


def _petitions_url(unit: Any, period: PeriodRange) -> str:
    return page_url("petitions:list", unit=unit.pk, status="resolved")


# --------------------------------------------------------------------------- reports


def reports_timeliness(period: PeriodRange) -> ProviderResult:
    from danvan.reports.models import COUNTED_STATUSES, Submission

    rows = (
        Submission.objects.filter(period.due_q("period__due_on"), expected=True)
        .order_by().values("org_unit_id")
        .annotate(num=Count("pk", filter=Q(status__in=COUNTED_STATUSES, is_late=False)), den=Count("pk"))
        .values_list("org_unit_id", "num", "den")
    )
    return ratios(rows)


def _reports_url(unit: Any, period: PeriodRange) -> str:
    return page_url("reports:home")


# --------------------------------------------------------------------------- surveys


def surveys_index(period: PeriodRange) -> ProviderResult:
    from danvan.surveys import index
    from danvan.surveys.models import Response

    qs = Response.objects.filter(period.between_q("submitted_on"), survey__deleted_at__isnull=True)
    raws = index.aggregate_by(qs, "org_unit")
    versions = index.versions_of(r.version_id for r in raws)
    out: dict[int, list[float]] = {}
    for raw in raws:
        if raw.group is None:
            continue
        acc = out.setdefault(raw.group, [0.0, 0.0])
        for el in versions.elements.get(raw.version_id, ()):
            acc[0] += raw.satisfied[el.bit]
            acc[1] += raw.answered[el.bit]
    return {unit: (num, den) for unit, (num, den) in out.items() if den}


def _surveys_url(unit: Any, period: PeriodRange) -> str:
    return page_url("surveys:results", unit=unit.pk, date_from=period.starts_on.isoformat(),
                    date_to=period.as_of.isoformat())


# --------------------------------------------------------------------------- dialogues


def dialogues_held(period: PeriodRange) -> ProviderResult:
    from danvan.dialogues.models import Dialogue, DialogueStatus

    rows = (
        Dialogue.objects.filter(period.between_q("held_on"), status=DialogueStatus.HELD, deleted_at__isnull=True)
        .order_by().values("org_unit_id").annotate(n=Count("pk")).values_list("org_unit_id", "n")
    )
    return counts(rows)


def commitments_kept(period: PeriodRange) -> ProviderResult:
    from danvan.dialogues.models import Commitment, CommitmentStatus, DialogueStatus

    rows = (
        Commitment.objects.live().filter(period.due_q("due_on")).exclude(dialogue__status=DialogueStatus.CANCELLED)
        .order_by().values("owner_unit_id")
        .annotate(num=Count("pk", filter=Q(status=CommitmentStatus.DONE, done_on__lte=F("due_on"))),
                  den=Count("pk"))
        .values_list("owner_unit_id", "num", "den")
    )
    return ratios(rows)


def _dialogues_url(unit: Any, period: PeriodRange) -> str:
    return page_url("dialogues:list", unit=unit.pk, year=period.year, status="held")


def _commitments_url(unit: Any, period: PeriodRange) -> str:
    return page_url("dialogues:commitments", unit=unit.pk, side="owner")


# --------------------------------------------------------------------------- disclosures


def disclosures_made(period: PeriodRange) -> ProviderResult:
    from danvan.disclosures.models import Disclosure, DisclosureStatus

    rows = (
        Disclosure.objects.filter(period.between_q("disclosed_on"), deleted_at__isnull=True,
                                  status__in=[DisclosureStatus.PUBLISHED, DisclosureStatus.WITHDRAWN])
        .order_by().values("org_unit_id").annotate(n=Count("pk")).values_list("org_unit_id", "n")
    )
    return counts(rows)


def _disclosures_url(unit: Any, period: PeriodRange) -> str:
    return page_url("disclosures:disclosure_list", unit=unit.pk, year=period.year)


register(FigureDef(
    key="petitions.on_time_rate", order=10, label=_("Petitions resolved on time"), kind="rate", provider=petitions_on_time,
    source_url=_petitions_url,
    description=_("Petitions resolved in the period by their legal deadline, out of the petitions resolved."),
))
register(FigureDef(
    key="reports.timeliness_rate", order=20, label=_("Reports sent on time"), kind="rate", provider=reports_timeliness,
    source_url=_reports_url,
    description=_("Expected reports due in the period sent by their deadline, out of the expected reports."),
))
register(FigureDef(
    key="surveys.satisfaction_index", order=30, label=_("Satisfaction index"), kind="index", provider=surveys_index,
    source_url=_surveys_url,
    description=_("Answers satisfied with an element, out of the answers about the elements, in the "
                  "period's responses (voided ones left out)."),
))
register(FigureDef(
    key="dialogues.held", order=40, label=_("Dialogues held"), kind="count", provider=dialogues_held,
    source_url=_dialogues_url, description=_("Dialogues with citizens held in the period."),
))
register(FigureDef(
    key="dialogues.commitments_kept_rate", order=50, label=_("Commitments kept on time"), kind="rate",
    provider=commitments_kept, source_url=_commitments_url,
    description=_("Commitments due in the period done by their due date, out of the commitments due."),
))
register(FigureDef(
    key="disclosures.made", order=60, label=_("Items disclosed"), kind="count", provider=disclosures_made,
    source_url=_disclosures_url, description=_("Items the unit disclosed in the period."),
))
