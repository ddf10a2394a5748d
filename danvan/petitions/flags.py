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
from typing import Any

from django.conf import settings
from django.utils import timezone

from danvan.orgs.paths import next_prefix
from danvan.orgs.sizes import subtree_size

from . import duplicates
from .models import PENDING_STATUSES, Petition, PetitionKind

DEFAULT_PROLONGED_DAYS = {"complaint": 90, "denunciation": 90, "recommendation": 60, "feedback": 60, "mixed": 90}
SQLITE_POOL = 500


def prolonged_days() -> dict[str, int]:
    configured = getattr(settings, "DANVAN_PROLONGED_DAYS", None) or {}
    return {**DEFAULT_PROLONGED_DAYS, **{k: int(v) for k, v in configured.items()}}


def _lower_case(petition: Petition) -> int | None:
    """The pending case below ``petition``'s unit about the same matter, if any: its id.

    The same filer's oldest such case; else, of the 20 most alike, the oldest (the case the citizen
    went over). Both databases answer alike; PostgreSQL scores the pool in SQL, SQLite in Python.
    """
    unit = petition.org_unit
    mine_is_denunciation = petition.kind == PetitionKind.DENUNCIATION
    filer_key = petition.filer_key if not mine_is_denunciation else ""
    if duplicates.is_postgres():
        # The size (remembered per process) only picks the pool's plan; the units are read in the statement.
        return _lower_case_postgres(petition, filer_key, subtree_size(unit.path) - 1)
    pending = (
        Petition.objects.alive()
        .filter(org_unit__path__gte=unit.path, org_unit__path__lt=next_prefix(unit.path),
                status__in=PENDING_STATUSES, decision_on__isnull=True)
        .exclude(org_unit_id=unit.pk)
        .exclude(pk=petition.pk)
        .order_by("received_on", "pk")
    )
    if filer_key:
        same = pending.filter(filer_key=filer_key).exclude(kind=PetitionKind.DENUNCIATION).values_list("pk", flat=True)
        if first := same.first():
            return first
    text = petition.search_text
    if not text:
        return None
    rows = pending.order_by("-received_on", "-pk")[:SQLITE_POOL].values_list("pk", "search_text", "received_on")
    scored = [(duplicates.similarity(text, other), pk, on) for pk, other, on in rows]
    alike = sorted((s for s in scored if s[0] >= duplicates.THRESHOLD), key=lambda s: (-s[0], -s[1]))[:20]
    return min(alike, key=lambda s: (s[2], s[1]))[1] if alike else None


def _lower_case_postgres(petition: Petition, filer_key: str, below: int) -> int | None:
    """The same answer in one round trip: the same filer's oldest case, else the oldest of the 20 most alike.

    The units below are a subquery of the statement and the bitmap setting travels with it, where
    this check used to cost four round trips inside intake's transaction (units, filer, setting, pool).
    """
    path = petition.org_unit.path
    units: duplicates.UnitsSql = (
        "ARRAY(SELECT u.id FROM orgs_orgunit u WHERE u.path >= %s AND u.path < %s AND u.id <> %s)",
        [path, next_prefix(path), petition.org_unit_id], below,
    )
    parts: list[str] = []
    params: list[Any] = []
    if filer_key:
        parts.append(
            "(SELECT 0 AS how, p.id, p.received_on FROM petitions_petition p"  # noqa: S608 - constants only  # nosec B608
            f" WHERE p.filer_key = %s AND p.kind <> 'denunciation' AND p.org_unit_id = ANY({units[0]})"
            f" AND p.deleted_at IS NULL {duplicates.PENDING_SQL} AND p.id <> %s"
            " ORDER BY p.received_on, p.id LIMIT 1)"
        )
        params += [filer_key, *units[1], petition.pk]
    if petition.search_text:
        inner, pool_params = duplicates.pool_sql(None, pending_only=True, units=units)
        parts.append(
            "(SELECT 1 AS how, s.id, s.received_on FROM ("  # noqa: S608 - inner is ours  # nosec B608
            f" SELECT pool.id, pool.received_on FROM ({inner}) pool"
            " WHERE pool.id <> %s AND similarity(pool.search_text, %s) >= %s"
            " ORDER BY similarity(pool.search_text, %s) DESC, pool.id DESC LIMIT 20) s)"
        )
        text = petition.search_text
        params += [*pool_params, petition.pk, text, duplicates.THRESHOLD, text]
    if not parts:
        return None
    rows = duplicates.run_without_bitmaps(" UNION ALL ".join(parts), params)
    same_filer = [r for r in rows if r[0] == 0]
    chosen = same_filer or sorted(rows, key=lambda r: (r[2], r[1]))[:1]
    return int(chosen[0][1]) if chosen else None


def flag_over_level(petition: Petition) -> None:
    """Mark a new petition "over-level" when the same matter is still open at a lower level.

    A conditional UPDATE of the two flag fields only (no version bump: nobody edited the case).
    """
    if petition.pk is None or petition.over_level:
        return None
    lower = _lower_case(petition)
    if lower is None:
        return None
    done = Petition.objects.filter(pk=petition.pk, over_level=False).update(over_level=True, over_level_of_id=lower)
    if done:
        petition.over_level = True
        petition.over_level_of_id = lower
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
