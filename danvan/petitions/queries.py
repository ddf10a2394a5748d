"""Reads of petitions: the officer's work list, the deadline colour, prolonged and overdue cases.

The work list is the hottest page of the module (millions of rows nationally), so it is keyset
paginated on ``(next_due, id)`` — the order of the ``petitions_worklist_idx`` and
``petitions_due_idx`` indexes — and never counts. Nothing here returns a whistleblower's identity:
it lives in another table that no query of this module touches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from danvan.core import calendar
from danvan.orgs.scope import subtree_q

from .models import OPEN_STATUSES, Petition

MAX_LIMIT = 200
AMBER_WORKING_DAYS = 3
DeadlineState = Literal["green", "amber", "red"]


def worklist(user: Any, *, unit: Any = None, after: tuple[dt.date | None, int] | None = None,
             limit: int = 50) -> list[Petition]:
    """One page of the open cases the user may see, soonest deadline first; pass the last row's key as ``after``.

    ``unit`` narrows the list to that unit's subtree (still within what the user may see). A case
    without a deadline comes after every dated one. Costs one query, plus one for the user's
    scope the first time in a request.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    qs = (
        Petition.objects.alive().visible_to(user).filter(status__in=OPEN_STATUSES)
        .select_related("org_unit", "field")
        .order_by(F("next_due").asc(nulls_last=True), "pk")
    )
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], prefix="org_unit__"))
    if after is not None:
        due, pk = after
        if due is None:
            qs = qs.filter(next_due__isnull=True, pk__gt=pk)
        else:
            qs = qs.filter(Q(next_due__gt=due) | Q(next_due=due, pk__gt=pk) | Q(next_due__isnull=True))
    return list(qs[:limit])


def page_key(petition: Petition) -> tuple[dt.date | None, int]:
    """The ``after`` value that continues the list after this row."""
    return petition.next_due, petition.pk


def deadline_state(petition: Petition, today: dt.date | None = None) -> DeadlineState:
    """Red once the deadline has passed, amber when it falls within 3 working days (today included), else green."""
    today = today or timezone.localdate()
    due = petition.next_due
    if due is None:
        return "green"
    if due < today:
        return "red"
    if calendar.working_days_between(today, due) <= AMBER_WORKING_DAYS:
        return "amber"
    return "green"


def prolonged(qs: QuerySet[Petition], thresholds: Mapping[str, int], *, today: dt.date | None = None) -> QuerySet[Petition]:
    """Open cases received longer ago than their kind's threshold in days ("*": every other kind).

    The thresholds are the unit's configuration, not law, so they come from the caller.
    """
    today = today or timezone.localdate()
    default = thresholds.get("*")
    cond = Q()
    matched = False
    for kind, days in thresholds.items():
        if kind == "*":
            continue
        cond |= Q(kind=kind, received_on__lt=today - dt.timedelta(days=days))
        matched = True
    if default is not None:
        others = [k for k in thresholds if k != "*"]
        cond |= Q(received_on__lt=today - dt.timedelta(days=default)) & ~Q(kind__in=others)
        matched = True
    if not matched:
        return qs.none()
    return qs.filter(status__in=OPEN_STATUSES).filter(cond)


def overdue(today: dt.date | None = None) -> QuerySet[Petition]:
    """Every open case whose deadline has passed, for the daily scan (status + next_due: ``petitions_due_idx``)."""
    today = today or timezone.localdate()
    return (
        Petition.objects.filter(status__in=OPEN_STATUSES, next_due__lt=today, deleted_at__isnull=True)
        .select_related("org_unit")
        .order_by("next_due", "pk")
    )
