"""The daily scan of petitions: prolonged flags, and overdue cases told to the heads.

``scan`` runs once a day (``danvan petitions scan`` from cron, or the ``daily_scan`` task). It

1. flags cases open longer than their kind's threshold as prolonged (``flags.mark_prolonged``);
2. tells the heads of the case's unit and of the unit above about each open case whose deadline
   has passed — once per missed deadline: a case is told again only when a new deadline (after
   an extension, a resumption, a reopening) has passed too. ``overdue_notified_on`` records the
   day it was told; a second run the same day, or two workers at once, tell nobody twice (the
   notification key is per case per deadline, and the unique (user, key) pair backs it).

It is set-based so that it stays within seconds nationally (millions of petitions, a few per cent
open): overdue cases are read in keyset batches on ``petitions_due_idx``, the heads of all units
of a batch in one query, the notifications written with one bulk INSERT per batch and the cases
marked with one UPDATE per batch. The text names the case by number, kind, unit and deadline
only: never the filer, never the content (a denunciation's content could point at its author).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.tasks import retrying_task
from danvan.notifications.models import Notification
from danvan.notifications.services import TITLE_MAX
from danvan.orgs.models import Membership
from danvan.orgs.roles import Role

from . import flags, queries
from .models import Petition, PetitionKind

BATCH = 2000
NOTIFIED_ROLES = (Role.HEAD,)


@dataclass(frozen=True)
class ScanResult:
    prolonged: int  # cases newly flagged prolonged
    overdue: int  # overdue cases told about in this run
    notifications: int  # notifications written
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def petition_url(pk: int) -> str:
    """The case's page, when the cases pages are installed."""
    for name in ("petitions:petition", "petitions:detail"):
        try:
            return reverse(name, args=[pk])
        except NoReverseMatch:
            continue
    return ""


def notification_key(pk: int, due: dt.date | None) -> str:
    return f"petitions.overdue:{pk}:{due.isoformat() if due else '-'}"


def _texts(row: dict[str, Any], kinds: dict[str, str]) -> tuple[str, str]:
    values = {
        "number": row["number"], "year": row["number_year"], "kind": kinds.get(row["kind"], row["kind"]),
        "unit": row["org_unit__name"], "due": row["next_due"].strftime("%d/%m/%Y"),
    }
    title = _("Overdue: petition %(number)s/%(year)s (%(kind)s) of %(unit)s") % values
    body = _("The deadline of petition %(number)s/%(year)s (%(kind)s) at %(unit)s was %(due)s "
             "and the case is still open.") % values
    return title[:TITLE_MAX], body


def _heads(unit_ids: set[int], cache: dict[int, list[int]]) -> dict[int, list[int]]:
    """Active heads' user ids per unit: one query for the units not seen yet in this run."""
    missing = unit_ids - set(cache)
    if missing:
        found: dict[int, list[int]] = defaultdict(list)
        rows = (
            Membership.objects.active()
            .filter(org_unit_id__in=missing, role__in=NOTIFIED_ROLES, user__is_active=True)
            .values_list("org_unit_id", "user_id").order_by("org_unit_id", "user_id")
        )
        for unit_id, user_id in rows:
            found[unit_id].append(user_id)
        for unit_id in missing:
            cache[unit_id] = found.get(unit_id, [])
    return cache


def _batch(rows: list[dict[str, Any]], today: dt.date, cache: dict[int, list[int]], kinds: dict[str, str]) -> int:
    units = {r["org_unit_id"] for r in rows} | {r["org_unit__parent_id"] for r in rows if r["org_unit__parent_id"]}
    heads = _heads(units, cache)
    now = timezone.now()
    notes: list[Notification] = []
    for r in rows:
        users = dict.fromkeys([*heads.get(r["org_unit_id"], []), *heads.get(r["org_unit__parent_id"] or 0, [])])
        if not users:
            continue
        title, body = _texts(r, kinds)
        key, url = notification_key(r["pk"], r["next_due"]), petition_url(r["pk"])
        notes.extend(Notification(user_id=u, created_at=now, title=title, body=body, url=url, key=key) for u in users)
    with transaction.atomic():
        Notification.objects.bulk_create(notes, ignore_conflicts=True, batch_size=1000)
        Petition.objects.filter(pk__in=[r["pk"] for r in rows]).update(overdue_notified_on=today)
    return len(notes)


def _due_for_notice(today: dt.date) -> Any:
    """Overdue cases not yet told about their current deadline."""
    return queries.overdue(today).filter(
        Q(overdue_notified_on__isnull=True) | Q(overdue_notified_on__lt=F("next_due"))
    )


def scan(today: dt.date | None = None) -> ScanResult:
    """The daily job; ``today`` replays a missed day. Returns what it did."""
    started = timezone.now()
    today = today or timezone.localdate()
    prolonged = flags.mark_prolonged(today)
    cache: dict[int, list[int]] = {}
    told = written = 0
    fields = ("pk", "number", "number_year", "kind", "next_due", "org_unit_id", "org_unit__parent_id",
              "org_unit__name")
    with translation.override(settings.LANGUAGE_CODE):
        kinds = {str(k.value): str(k.label) for k in PetitionKind}
        after: tuple[dt.date, int] | None = None
        qs = _due_for_notice(today).order_by("next_due", "pk")
        while True:
            page = qs
            if after is not None:
                page = page.filter(Q(next_due__gt=after[0]) | Q(next_due=after[0], pk__gt=after[1]))
            rows = list(page.values(*fields)[:BATCH])
            if not rows:
                break
            after = (rows[-1]["next_due"], rows[-1]["pk"])
            written += _batch(rows, today, cache, kinds)
            told += len(rows)
    seconds = (timezone.now() - started).total_seconds()
    if prolonged or told:
        with transaction.atomic():
            audit.record("petitions.scan", summary={"today": today, "prolonged": prolonged, "overdue": told,
                                                    "notifications": written})
    return ScanResult(prolonged=prolonged, overdue=told, notifications=written, seconds=round(seconds, 3))


@retrying_task()
def daily_scan(today: str | None = None) -> dict[str, Any]:
    """The daily run as a background task; ``today`` (ISO date) only to replay a missed day."""
    return scan(dt.date.fromisoformat(today) if today else None).as_dict()
