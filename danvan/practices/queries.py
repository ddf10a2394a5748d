"""Reads of the practices registry: an official's (scoped), the registration share of a plan's target, the spread.

``registration_share`` answers targets such as "95% of agencies and communes register 1–2 practices a
year" from the registry in one query, whatever the number of units.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from danvan.orgs.scope import visible_q

from .models import Commendation, Practice, Replication


def practices_for(user: Any) -> QuerySet[Practice]:
    """The practices of the user's units and below, deleted ones left out."""
    return Practice.objects.visible_to(user).filter(deleted_at__isnull=True)


def adoptable_for(user: Any) -> QuerySet[Practice]:
    """What the user may open to adopt: their own units' practices and any recognised one (public anyway)."""
    live = Practice.objects.filter(deleted_at__isnull=True)
    q = visible_q(user, prefix="org_unit__")
    return live if q is None else live.filter(q | ~Q(recognition_level=""))


def commendations_for(user: Any) -> QuerySet[Commendation]:
    """Commendations of recipients in the user's units and below (the awarding unit is always above them)."""
    return Commendation.objects.visible_to(user).filter(deleted_at__isnull=True)


def registering_units(units_qs: QuerySet, year: int, *, min_count: int = 1) -> QuerySet:
    """The ids of ``units_qs``'s units with at least ``min_count`` live practices of ``year`` (a subquery)."""
    return (Practice.objects.filter(year=year, deleted_at__isnull=True, org_unit__in=units_qs.values("pk"))
            .values("org_unit").annotate(n=Count("pk")).filter(n__gte=min_count).values("org_unit"))


def registration_share(units_qs: QuerySet, year: int, *, min_count: int = 1) -> tuple[int, int]:
    """(units that registered at least ``min_count`` practices in ``year``, units) over ``units_qs``; one query."""
    row = units_qs.order_by().aggregate(
        units=Count("pk", distinct=True),
        registered=Count("pk", distinct=True, filter=Q(pk__in=registering_units(units_qs, year, min_count=min_count))),
    )
    return int(row["registered"] or 0), int(row["units"] or 0)


def spread(practice: Practice) -> list[Replication]:
    """Where the practice spread: the units that adopted it, in the order they did (one query)."""
    return list(Replication.objects.filter(practice=practice, deleted_at__isnull=True)
                .select_related("org_unit").order_by("adopted_on", "pk"))
