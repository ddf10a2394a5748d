"""Over-level and prolonged cases: the two flags the seeds ask every level to watch.

*Over-level* (vượt cấp): a petition reaches a unit while the same matter is still open, with no
decision, at a unit below it — the citizen went over the lower level's head. It is flagged on
intake (``flag_over_level``, inside ``receive_petition``'s transaction) and points at the lower
case. "Same matter" is the same filer (``filer_key``) or alike content (trigram similarity ≥
``duplicates.THRESHOLD``); a denunciation is matched on content only, so the flag never tells
anyone that a whistleblower also filed elsewhere.

*Prolonged* (kéo dài): a case still open (or suspended) longer than its kind's threshold in days
(``settings.DANVAN_PROLONGED_DAYS``; configuration, not law). ``mark_prolonged`` runs in the daily
scan and sets ``prolonged_since`` once, to the day the scan first found it: the date is kept after
the case closes, so statistics can still count it for the period in which it dragged on.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from danvan.orgs.models import OrgUnit

from . import duplicates
from .models import OPEN_STATUSES, Petition, PetitionKind, PetitionStatus

# A lower case still waiting for its level's decision: open, or suspended (time not counted, still pending).
PENDING_STATUSES = (*OPEN_STATUSES, PetitionStatus.SUSPENDED)
DEFAULT_PROLONGED_DAYS = {"complaint": 90, "denunciation": 90, "recommendation": 60, "feedback": 60, "mixed": 90}
SQLITE_POOL = 500


def prolonged_days() -> dict[str, int]:
    configured = getattr(settings, "DANVAN_PROLONGED_DAYS", None) or {}
    return {**DEFAULT_PROLONGED_DAYS, **{k: int(v) for k, v in configured.items()}}


def _lower_case(petition: Petition) -> Petition | None:
    unit = petition.org_unit
    below = list(OrgUnit.objects.subtree_of(unit, include_self=False).values_list("pk", flat=True))
    if not below:
        return None  # a commune with no units below: the common case costs one query
    pending = (
        Petition.objects.alive()
        .filter(org_unit_id__in=below, status__in=PENDING_STATUSES, decision_on__isnull=True)
        .exclude(pk=petition.pk)
        .order_by("received_on", "pk")
    )
    mine_is_denunciation = petition.kind == PetitionKind.DENUNCIATION
    if petition.filer_key and not mine_is_denunciation:
        same = pending.filter(filer_key=petition.filer_key).exclude(kind=PetitionKind.DENUNCIATION).first()
        if same is not None:
            return same
    text = petition.search_text
    if not text:
        return None
    if duplicates.is_postgres():
        # The newest pending cases below, scored (see duplicates.similar_in_pool for why not the GIN index).
        scored = duplicates.similar_in_pool(text, below, exclude_ids={petition.pk}, pending_only=True,
                                            last_in_transaction=True)
        return pending.filter(pk__in=list(scored)[:20]).first() if scored else None
    for row in pending.order_by("-received_on", "-pk")[:SQLITE_POOL].only("pk", "search_text", "received_on"):
        if duplicates.similarity(text, row.search_text) >= duplicates.THRESHOLD:
            return Petition.objects.get(pk=row.pk)
    return None


def flag_over_level(petition: Petition) -> None:
    """Mark a new petition "over-level" when the same matter is still open at a lower level.

    A conditional UPDATE of the two flag fields only (no version bump: nobody edited the case).
    """
    if petition.pk is None or petition.over_level:
        return None
    lower = _lower_case(petition)
    if lower is None:
        return None
    done = Petition.objects.filter(pk=petition.pk, over_level=False).update(over_level=True, over_level_of=lower)
    if done:
        petition.over_level = True
        petition.over_level_of = lower
    return None


def mark_prolonged(today: dt.date | None = None) -> int:
    """Set ``prolonged_since = today`` on every pending case past its kind's threshold; returns how many.

    One UPDATE per kind, on the open cases only (``petitions_due_idx`` starts with the status).
    """
    today = today or timezone.localdate()
    total = 0
    for kind, days in prolonged_days().items():
        total += (
            Petition.objects.filter(
                status__in=PENDING_STATUSES, kind=kind, received_on__lt=today - dt.timedelta(days=days),
                prolonged_since__isnull=True, deleted_at__isnull=True,
            ).update(prolonged_since=today)
        )
    return total
