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
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of, subtree_q
from danvan.orgs.sizes import scope_size, subtree_size

from .models import OPEN_STATUSES, Petition

MAX_LIMIT = 200
AMBER_WORKING_DAYS = 3
DeadlineState = Literal["green", "amber", "red"]


# A scope of at most this many units lists its cases through ``petitions_worklist_idx`` (unit first);
# a larger one walks ``petitions_open_due_idx`` in deadline order and keeps its own rows, which stops
# early because such a scope holds a good share of all open cases.
NARROW_SCOPE_UNITS = 500
# Long texts a list never shows (the content alone may be 50,000 characters).
LIST_DEFERRED = ("content", "search_text", "public_summary", "complex_criteria")


def _narrow_scope(user: Any, unit: Any) -> QuerySet[Any, Any] | None:
    """The units the list covers, as a subquery, when they are few; None for a broad scope.

    Their number only picks the plan, so it comes from the per-process ``subtree_size`` (no query
    once known); the units themselves are always the scope's, read inside the page's own query.
    """
    scope = scope_of(user)
    if unit is not None:
        size = subtree_size(unit.path)
    elif scope.is_superuser:
        return None
    else:
        size = scope_size(scope.paths())
    if size > NARROW_SCOPE_UNITS:
        return None
    units = OrgUnit.objects.visible_to(user)
    return (units.subtree_of(unit) if unit is not None else units).values("pk")


def worklist(user: Any, *, unit: Any = None, after: tuple[dt.date | None, int] | None = None,
             limit: int = 50, values: tuple[str, ...] | None = None) -> list[Any]:
    """One page of the open cases the user may see, soonest deadline first; pass the last row's key as ``after``.

    ``unit`` narrows the list to that unit's subtree (still within what the user may see). A case
    without a deadline comes after every dated one. Costs one query (the page, with the scope's
    units as a subquery), two when a page runs from dated cases into undated ones; the first list of a
    scope in a process also counts its units once (``danvan.orgs.sizes``).

    Two plans, chosen by the size of the scope, because one index cannot serve both ends: a commune's
    fifty open cases are found by unit (``org_unit_id IN``), while a province's or the nation's are
    read in deadline order from the partial index of open cases, stopping at the page's end. On
    5 M petitions the single plan that served everyone (the visibility join over the deadline index)
    took 0.4 s for a commune and 4 s nationally. The continuation is written as a range
    (``next_due >= d AND (next_due > d OR id > pk)``) so that the index range starts at the cursor.
    ``values``: the fields to return as dicts instead of petitions (the API's hot path builds no models).
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    units = _narrow_scope(user, unit)
    base = (Petition.objects.alive().filter(status__in=OPEN_STATUSES).select_related("org_unit", "field")
            .defer(*LIST_DEFERRED))
    qs: QuerySet[Petition]
    if units is not None:
        qs = base.filter(org_unit_id__in=units)
    else:
        qs = base.visible_to(user)
        if unit is not None:
            qs = qs.filter(subtree_q([unit.path], prefix="org_unit__"))
    order = (F("next_due").asc(nulls_last=True), "pk")

    def rows(q: QuerySet[Petition], n: int) -> list[Any]:
        return list(q.values(*values)[:n]) if values else list(q[:n])

    if after is None:
        return rows(qs.order_by(*order), limit)
    due, pk = after
    if due is None:
        return rows(qs.filter(next_due__isnull=True, pk__gt=pk).order_by("pk"), limit)
    page = rows(qs.filter(Q(next_due__gte=due) & (Q(next_due__gt=due) | Q(pk__gt=pk))).order_by(*order), limit)
    if len(page) < limit:
        page += rows(qs.filter(next_due__isnull=True).order_by("pk"), limit - len(page))
    return page


def page_key(petition: Petition) -> tuple[dt.date | None, int]:
    """The ``after`` value that continues the list after this row."""
    return petition.next_due, petition.pk


def deadline_state(petition: Petition, today: dt.date | None = None) -> DeadlineState:
    """Red once the deadline has passed, amber when it falls within 3 working days (today included), else green."""
    return state_for_due(petition.next_due, today or timezone.localdate())


def state_for_due(due: dt.date | None, today: dt.date) -> DeadlineState:
    """The colour of a deadline seen on ``today`` (see ``deadline_state``)."""
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
