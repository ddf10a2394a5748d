"""Figures about petitions and citizen reception for a unit's subtree over a period (the reports' section II).

Definitions (the period is ``date_from``–``date_to``, both included, local dates):

- ``received_total``, ``received_<kind>``: petitions received (``received_on``) in the period;
- ``accepted``: accepted for resolution (``accepted_on``) in the period;
- ``resolved``: petitions with a step into "resolved" (resolve, or reply to a recommendation or
  feedback) recorded in the period, each counted once;
- ``resolved_on_time``: of those, the ones whose resolution day (the decision date if recorded,
  else the day of the step) is on or before the legal deadline computed from the rule data for
  the case's own facts (acceptance date, complexity, remote area, extensions, days suspended);
  for a recommendation or feedback, the reply deadline counted from receipt;
- ``overdue``: cases open now whose next deadline is before ``date_to``;
- ``mass_cases``: petitions received in the period with 5 signers or more or coming from a
  visit of 5 people or more, plus visits of 5 people or more in the period that created no
  petition (a mass delegation is one case however many people came);
- ``prolonged``: cases flagged prolonged on or before ``date_to`` that were still pending, or
  changed, on or after ``date_from``;
- ``over_level``: petitions received in the period flagged over-level;
- ``citizens_received``: people received at visits in the period (refused receptions excluded);
- ``reception_days_scheduled`` / ``reception_days_ad_hoc``: days (per unit) of heads' reception
  sessions not cancelled, in the period; a session entered before its day was scheduled, one
  entered on its day or later was ad hoc (received without notice). A day with both is scheduled.

Each group of figures is one aggregate query over the subtree, grouped by the first
``group_len`` characters of the unit's path: the whole subtree in one row, or one row per child
unit for the table — never a query per unit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import SEGMENT
from danvan.orgs.scope import subtree_q

from .models import (
    OPEN_STATUSES,
    Petition,
    PetitionEvent,
    PetitionKind,
    PetitionStatus,
    ReceptionSession,
    ReceptionVisit,
    VisitHandling,
)

MASS = ReceptionVisit.MASS_THRESHOLD
PENDING = (*OPEN_STATUSES, PetitionStatus.SUSPENDED)
KINDS = [str(k) for k in PetitionKind.values]
KEYS = [
    "received_total", *[f"received_{k}" for k in KINDS], "accepted", "resolved", "resolved_on_time", "overdue",
    "mass_cases", "prolonged", "over_level", "citizens_received", "reception_days_scheduled",
    "reception_days_ad_hoc",
]
PARTS = frozenset({"received", "accepted", "resolved", "overdue", "prolonged", "visits", "sessions"})


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _scoped(qs: QuerySet[Any], unit: OrgUnit, exclude: list[str], prefix: str, group_len: int) -> QuerySet[Any]:
    qs = qs.filter(subtree_q([unit.path], prefix=prefix))
    if exclude:
        qs = qs.exclude(subtree_q(exclude, prefix=prefix))
    return qs.annotate(g=Substr(f"{prefix}path", 1, group_len))


def _add(out: dict[str, dict[str, int]], rows: Any) -> None:
    for row in rows:
        target = out[row.pop("g")]
        for k, v in row.items():
            target[k] = target.get(k, 0) + int(v or 0)


def on_time(row: dict[str, Any], resolved_day: dt.date) -> bool:
    from .services import next_deadline

    pseudo = Petition(
        kind=row["petition__kind"], received_on=row["petition__received_on"],
        accepted_on=row["petition__accepted_on"], round=row["petition__round"],
        is_complex=row["petition__is_complex"], is_remote=row["petition__is_remote"],
        extensions=row["petition__extensions"], suspended_days=row["petition__suspended_days"],
    )
    pseudo.status = PetitionStatus.ACCEPTED if pseudo.accepted_on else PetitionStatus.CLASSIFIED
    try:
        due, _key = next_deadline(pseudo, today=resolved_day)
    except Exception:  # noqa: BLE001 - a case outside the rule data has no deadline to miss
        return True
    return due is None or resolved_day <= due


def collect(unit: OrgUnit, date_from: dt.date, date_to: dt.date, *, group_len: int | None = None,
            exclude: list[str] | None = None, parts: frozenset[str] = PARTS) -> dict[str, dict[str, int]]:
    """{path prefix: figures}; ``exclude`` leaves out subtrees (units that report for themselves)."""
    glen = group_len or len(unit.path)
    ex = exclude or []
    out: dict[str, dict[str, int]] = defaultdict(dict)
    petitions = Petition.objects.alive()
    if "received" in parts:
        mass = Q(signers__gte=MASS) | Q(visit__people_count__gte=MASS)
        agg: dict[str, Any] = {"received_total": Count("pk"), "n_over_level": Count("pk", filter=Q(over_level=True)),
                               "mass_petitions": Count("pk", filter=mass),
                               "mass_or_over_level": Count("pk", filter=mass | Q(over_level=True))}
        for k in KINDS:
            agg[f"received_{k}"] = Count("pk", filter=Q(kind=k))
        _add(out, _scoped(petitions.filter(received_on__range=(date_from, date_to)), unit, ex, "org_unit__", glen)
             .values("g").annotate(**agg).order_by())
    if "accepted" in parts:
        _add(out, _scoped(petitions.filter(accepted_on__range=(date_from, date_to)), unit, ex, "org_unit__", glen)
             .values("g").annotate(accepted=Count("pk")).order_by())
    if "overdue" in parts:
        _add(out, _scoped(petitions.filter(status__in=OPEN_STATUSES, next_due__lt=date_to), unit, ex, "org_unit__",
                          glen).values("g").annotate(overdue=Count("pk")).order_by())
    if "prolonged" in parts:
        still = Q(status__in=PENDING) | Q(updated_at__gte=_day_start(date_from))
        _add(out, _scoped(petitions.filter(prolonged_since__lte=date_to).filter(still), unit, ex, "org_unit__", glen)
             .values("g").annotate(prolonged=Count("pk")).order_by())
    if "resolved" in parts:
        events = _scoped(
            PetitionEvent.objects.filter(
                to_status=PetitionStatus.RESOLVED, at__gte=_day_start(date_from),
                at__lt=_day_start(date_to + dt.timedelta(days=1)), petition__deleted_at__isnull=True,
            ), unit, ex, "petition__org_unit__", glen,
        ).values(
            "g", "petition_id", "at", "petition__kind", "petition__received_on", "petition__accepted_on",
            "petition__round", "petition__is_complex", "petition__is_remote", "petition__extensions",
            "petition__suspended_days", "petition__decision_on",
        ).order_by("petition_id", "at")
        latest: dict[int, dict[str, Any]] = {}
        for row in events:
            latest[row["petition_id"]] = row
        for row in latest.values():
            day = row["petition__decision_on"] or timezone.localtime(row["at"]).date()
            target = out[row["g"]]
            target["resolved"] = target.get("resolved", 0) + 1
            target["resolved_on_time"] = target.get("resolved_on_time", 0) + int(on_time(row, day))
    if "visits" in parts:
        has_petition = Petition.objects.filter(visit=OuterRef("pk"), deleted_at__isnull=True)
        visits = ReceptionVisit.objects.filter(visited_on__range=(date_from, date_to), deleted_at__isnull=True)
        _add(out, _scoped(visits, unit, ex, "org_unit__", glen).values("g").annotate(
            citizens_received=Sum("people_count", filter=~Q(handling=VisitHandling.REFUSED)),
            mass_visits=Count("pk", filter=Q(people_count__gte=MASS) & ~Q(Exists(has_petition))),
        ).order_by())
    if "sessions" in parts:
        sessions = ReceptionSession.objects.filter(date__range=(date_from, date_to), by_head=True,
                                                   cancelled_at__isnull=True)
        days: dict[tuple[str, int, dt.date], bool] = {}  # (group, unit, day) → scheduled in advance
        for g, unit_id, day, created in _scoped(sessions, unit, ex, "org_unit__", glen).values_list(
                "g", "org_unit_id", "date", "created_at"):
            ahead = timezone.localtime(created).date() < day
            days[(g, unit_id, day)] = days.get((g, unit_id, day), False) or ahead
        for (g, _unit_id, _day), ahead in days.items():
            name = "reception_days_scheduled" if ahead else "reception_days_ad_hoc"
            out[g][name] = out[g].get(name, 0) + 1
    return out


def _complete(figures: dict[str, int] | None) -> dict[str, int]:
    figures = dict(figures or {})
    figures["mass_cases"] = figures.get("mass_petitions", 0) + figures.get("mass_visits", 0)
    figures["over_level"] = figures.get("n_over_level", 0)  # an annotation may not shadow the field
    return {k: int(figures.get(k, 0)) for k in KEYS}


def petition_stats(unit: OrgUnit, date_from: dt.date, date_to: dt.date) -> dict[str, int]:
    """Every figure of the module docstring for the unit's whole subtree; all keys present (0 when none)."""
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    return _complete(collect(unit, date_from, date_to).get(unit.path))


def stats_by_child(unit: OrgUnit, date_from: dt.date, date_to: dt.date) -> list[tuple[Any, dict[str, int]]]:
    """[(row label unit, figures)]: the unit's own cases first, then each current child's subtree, then no total.

    The same queries as ``petition_stats`` grouped one level deeper (7 queries whatever the number of children).
    """
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    by_prefix = collect(unit, date_from, date_to, group_len=len(unit.path) + SEGMENT)
    children = list(OrgUnit.objects.filter(parent=unit).order_by("name", "pk"))
    rows: list[tuple[Any, dict[str, int]]] = [(unit, _complete(by_prefix.get(unit.path)))]
    for child in children:
        rows.append((child, _complete(by_prefix.get(child.path))))
    return rows


def total(rows: list[tuple[Any, dict[str, int]]]) -> dict[str, int]:
    out = {k: 0 for k in KEYS}
    for _unit, figures in rows:
        for k in KEYS:
            out[k] += figures.get(k, 0)
    return out
