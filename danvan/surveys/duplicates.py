"""Responses that look like ballot stuffing, found afterwards: the same answers from the same place, close in time.

"The same place" is the keyed hash of the client address (``Response.client_hash``); "the same
answers" the hash of the answers (``answers_hash``, free text included). Neither is proof — a
commune's whole one-stop section may share one address, and "all 5" is a common answer — so this
only lists groups for an officer's look; voiding stays a decision with a reason.

Paper entries (no client address) are never grouped. Each group is split where two consecutive
responses are more than ``WINDOW`` apart, so the same answers a month later are not "close".
The work is one grouped query for the candidate pairs and one scan of their rows' ids and times.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from .models import Response, Survey

WINDOW = dt.timedelta(minutes=30)
MEMBERS_SHOWN = 50
ROWS_MAX = 20_000  # responses scanned at most: a larger attack is plain from the first groups already


@dataclass
class DuplicateGroup:
    answers_hash: str
    client_hash: str
    first_at: dt.datetime
    last_at: dt.datetime
    count: int = 0
    response_ids: list[int] = field(default_factory=list)  # the first MEMBERS_SHOWN, oldest first


def suspicious_groups(survey: Survey, *, date_from: dt.date | None = None, date_to: dt.date | None = None,
                      limit: int = 100) -> list[DuplicateGroup]:
    """Groups of at least two live responses with equal answers and client, each within ``WINDOW`` of the
    previous one; largest first, at most ``limit``."""
    qs = Response.objects.filter(survey=survey, voided_at__isnull=True).exclude(client_hash="")
    if date_from:
        qs = qs.filter(submitted_on__gte=date_from)
    if date_to:
        qs = qs.filter(submitted_on__lte=date_to)
    pairs = list(
        qs.values("answers_hash", "client_hash").annotate(n=Count("pk")).filter(n__gte=2)
        .order_by("-n", "answers_hash", "client_hash")[: limit * 2]
    )
    if not pairs:
        return []
    wanted = {(p["answers_hash"], p["client_hash"]) for p in pairs}
    match = Q()
    for a, c in wanted:
        match |= Q(answers_hash=a, client_hash=c)
    rows = (qs.filter(match).order_by("answers_hash", "client_hash", "submitted_at", "pk")
            .values_list("pk", "answers_hash", "client_hash", "submitted_at")[:ROWS_MAX])
    groups: list[DuplicateGroup] = []
    current: DuplicateGroup | None = None
    for pk, a, c, at in rows.iterator(chunk_size=2000):
        if current is None or (a, c) != (current.answers_hash, current.client_hash) or at - current.last_at > WINDOW:
            if current is not None and current.count >= 2:
                groups.append(current)
            current = DuplicateGroup(answers_hash=a, client_hash=c, first_at=at, last_at=at)
        current.count += 1
        current.last_at = at
        if len(current.response_ids) < MEMBERS_SHOWN:
            current.response_ids.append(pk)
    if current is not None and current.count >= 2:
        groups.append(current)
    groups.sort(key=lambda g: (-g.count, g.first_at))
    return groups[:limit]
