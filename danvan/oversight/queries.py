"""Reads of dissemination and inspections for a user (scoped), and the coverage the plans' targets ask for.

An inspection concerns two units: the inspector (who writes it) and the unit inspected (which reads it and
reports on its actions). Both subtrees see it, and so does the owner unit of one of its actions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import visible_q

from .models import Dissemination, FollowUpAction, Inspection, InspectionPlan


def disseminations_for(user: Any) -> QuerySet[Dissemination]:
    return Dissemination.objects.visible_to(user).filter(deleted_at__isnull=True)


def plans_for(user: Any) -> QuerySet[InspectionPlan]:
    return InspectionPlan.objects.visible_to(user).filter(deleted_at__isnull=True)


def _either(user: Any, *prefixes: str) -> Q | None:
    q: Q | None = None
    for prefix in prefixes:
        part = visible_q(user, prefix=prefix)
        if part is None:
            return None
        q = part if q is None else q | part
    return q


def inspections_for(user: Any) -> QuerySet[Inspection]:
    """Inspections made by, or of, a unit of the user's subtrees."""
    q = _either(user, "inspector__", "org_unit__")
    qs = Inspection.objects.filter(deleted_at__isnull=True)
    return qs if q is None else qs.filter(q)


def actions_for(user: Any) -> QuerySet[FollowUpAction]:
    """Follow-up actions of inspections the user sees, or owned by a unit of the user's subtrees."""
    q = _either(user, "inspection__inspector__", "inspection__org_unit__", "owner_unit__")
    qs = FollowUpAction.objects.filter(inspection__deleted_at__isnull=True)
    return qs if q is None else qs.filter(q)


def late_action_q(today: dt.date) -> Q:
    """Not done by the deadline (still open after it, or done after it)."""
    return Q(done_on__isnull=True, due_on__lt=today) | Q(done_on__isnull=False, done_on__gt=F("due_on"))


def late_actions(user: Any, today: dt.date | None = None, *, open_only: bool = True) -> QuerySet[FollowUpAction]:
    """The user's actions past their deadline: still open (default), or also those done late."""
    today = today or timezone.localdate()
    q = Q(done_on__isnull=True, due_on__lt=today) if open_only else late_action_q(today)
    return actions_for(user).filter(q)


def is_late(action: FollowUpAction, today: dt.date) -> bool:
    if action.done_on is None:
        return action.due_on < today
    return action.done_on > action.due_on


def session_exists(document: Any, date_from: dt.date | None = None, date_to: dt.date | None = None,
                   unit_ref: str = "pk") -> Exists:
    """For an OrgUnit queryset: the unit held a session on ``document`` (in the period, if given)."""
    sessions = Dissemination.objects.filter(org_unit=OuterRef(unit_ref), documents=document, deleted_at__isnull=True)
    if date_from is not None:
        sessions = sessions.filter(held_on__gte=date_from)
    if date_to is not None:
        sessions = sessions.filter(held_on__lte=date_to)
    return Exists(sessions)


def disseminated_share(units_qs: QuerySet[OrgUnit], document: Any, date_from: dt.date | None = None,
                       date_to: dt.date | None = None) -> tuple[int, int]:
    """(units with a session on the document, units) over ``units_qs``: the plans' "100% of units disseminated".

    One query; a unit counts once however many sessions it held. Each unit must hold its own session:
    a province's conference does not count for its communes.
    """
    row = units_qs.order_by().aggregate(
        units=Count("pk"),
        done=Count("pk", filter=Q(session_exists(document, date_from, date_to))),
    )
    return int(row["done"] or 0), int(row["units"] or 0)


def coverage_units(unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The units of the subtree that must disseminate: every current unit but villages."""
    return OrgUnit.objects.current().subtree_of(unit).exclude(kind__code="village")
