"""Reads of dialogues and commitments for a user, and what a commitment's dates say about it.

A commitment's state is computed, not stored: "overdue" changes every midnight without anybody
writing, and the lists, the portal, the reminders and the reports must all agree on it, so they
all ask ``state`` (one row) or the filters of ``state_q`` (a queryset).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from .models import OPEN_STATUSES, Commitment, CommitmentStatus, Dialogue

DUE_SOON_DAYS = 7
STATES = ("done_on_time", "done_late", "dropped", "overdue", "due_soon", "on_track")


def dialogues_for(user: Any) -> QuerySet[Dialogue]:
    """Dialogues of the units the user sees (nothing for anonymous), not deleted."""
    return Dialogue.objects.visible_to(user).filter(deleted_at__isnull=True).select_related("org_unit")


def commitments_for(user: Any) -> QuerySet[Commitment]:
    """Commitments whose dialogue's unit or owner unit the user sees, neither deleted."""
    qs = Commitment.objects.visible_to(user).filter(deleted_at__isnull=True, dialogue__deleted_at__isnull=True)
    return qs.select_related("dialogue__org_unit", "owner_unit")


def state(commitment: Commitment, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if commitment.status == CommitmentStatus.DONE:
        return "done_on_time" if commitment.done_on and commitment.done_on <= commitment.due_on else "done_late"
    if commitment.status == CommitmentStatus.DROPPED:
        return "dropped"
    if commitment.due_on < today:
        return "overdue"
    if commitment.due_on <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "on_track"


def state_q(name: str, today: dt.date | None = None) -> Q:
    """The filter of the commitments in state ``name`` (one of ``STATES``), for list filters."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    open_ = Q(status__in=OPEN_STATUSES)
    filters = {
        "done_on_time": Q(status=CommitmentStatus.DONE, done_on__lte=F("due_on")),
        "done_late": Q(status=CommitmentStatus.DONE, done_on__gt=F("due_on")),
        "dropped": Q(status=CommitmentStatus.DROPPED),
        "overdue": open_ & Q(due_on__lt=today),
        "due_soon": open_ & Q(due_on__gte=today, due_on__lte=soon),
        "on_track": open_ & Q(due_on__gt=soon),
    }
    if name not in filters:
        raise ValueError(name)
    return filters[name]


def to_report_back(dialogue: Dialogue) -> list[Commitment]:
    """The commitments to read out at this dialogue.

    Those of the previous dialogue when one is named (all of them: what was kept is reported too);
    otherwise the still open commitments of the unit's earlier dialogues.
    """
    qs = Commitment.objects.live().select_related("owner_unit", "dialogue", "reported_at")
    previous = dialogue.previous
    if dialogue.previous_id is not None and previous is not None and previous.deleted_at is None:
        return list(qs.filter(dialogue=previous).order_by("number", "pk"))
    earlier = Q(dialogue__held_on__lt=dialogue.held_on) | Q(dialogue__held_on=dialogue.held_on,
                                                            dialogue__pk__lt=dialogue.pk)
    return list(qs.filter(earlier, dialogue__org_unit_id=dialogue.org_unit_id, status__in=OPEN_STATUSES)
                .order_by("dialogue__held_on", "dialogue__pk", "number", "pk"))


def summary(commitments_qs: QuerySet[Commitment], today: dt.date | None = None) -> dict[str, int]:
    """Counts in one query: made, done, kept on time, overdue, open (overdue included)."""
    today = today or timezone.localdate()
    done = Q(status=CommitmentStatus.DONE)
    row = commitments_qs.order_by().aggregate(
        made=Count("pk"),
        done=Count("pk", filter=done),
        kept_on_time=Count("pk", filter=done & Q(done_on__lte=F("due_on"))),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_on__lt=today)),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
    )
    return {key: int(row[key] or 0) for key in ("made", "done", "kept_on_time", "overdue", "open")}
