"""``danvan dialogues remind``: tell units about the promises they must keep and the dialogue the law wants.

Run once a day (cron or a systemd timer). It notifies, in the officials' inbox:

- the owner unit's editors (admin, head, officer of that very unit: not the province's heads, who
  would get thousands), 7 days before a commitment is due and once it is overdue;
- from 1 October, the editors of each commune that has held no dialogue with the Fatherland Front
  yet this year (Law 10/2022 Art. 32).

Each reminder has a key (``commitment:<pk>:soon``, ``commitment:<pk>:overdue``,
``front-dialogue:<unit>:<year>``) and is sent once per person: running it twice sends nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from danvan.accounts.models import User
from danvan.core import audit
from danvan.core.commands import VietnameseCommand
from danvan.core.writes import fmt_date
from danvan.dialogues.checks import communes_without_front_dialogue
from danvan.dialogues.models import OPEN_STATUSES, Commitment
from danvan.dialogues.rules import CHANGE_ROLES
from danvan.notifications.models import Notification
from danvan.notifications.services import notify
from danvan.orgs.models import Membership

BATCH = 500
FRONT_FROM_MONTH = 10
TEXT_IN_TITLE = 80


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the pages are not installed (API-only deployment)
        return ""


def _editors_by_unit(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active editors holding a role on each unit itself, in one query."""
    found: dict[int, list[User]] = defaultdict(list)
    rows = (Membership.objects.active().filter(org_unit_id__in=list(unit_ids), role__in=CHANGE_ROLES,
                                               user__is_active=True)
            .select_related("user").order_by("org_unit_id", "user_id"))
    for m in rows:
        if all(u.pk != m.user_id for u in found[m.org_unit_id]):
            found[m.org_unit_id].append(m.user)
    return found


def _already(keys: list[str]) -> set[tuple[int, str]]:
    return set(Notification.objects.filter(key__in=keys).values_list("user_id", "key"))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_IN_TITLE else text[: TEXT_IN_TITLE - 1] + "…"


def _commitment_message(c: Commitment, kind: str) -> tuple[str, str]:
    values = {"text": _short(c.text), "due": fmt_date(c.due_on), "unit": c.owner_unit.name,
              "dialogue": c.dialogue.title, "date": fmt_date(c.dialogue.held_on)}
    if kind == "overdue":
        title = _("Overdue commitment: %(text)s") % values
        body = _("At the dialogue “%(dialogue)s” of %(date)s, %(unit)s was made responsible for: %(text)s. "
                 "It was due on %(due)s and has not been reported done.") % values
    else:
        title = _("Commitment due on %(due)s: %(text)s") % values
        body = _("At the dialogue “%(dialogue)s” of %(date)s, %(unit)s was made responsible for: %(text)s. "
                 "It is due on %(due)s.") % values
    return title, body


def _remind_commitments(qs: Any, kind: str) -> int:
    """Notify the owner units of the commitments in ``qs``; returns how many notifications were new."""
    sent = 0
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last).select_related("dialogue", "owner_unit").order_by("pk")[:BATCH])
        if not batch:
            return sent
        last = batch[-1].pk
        editors = _editors_by_unit({c.owner_unit_id for c in batch})
        keys = {c.pk: f"commitment:{c.pk}:{kind}" for c in batch}
        done = _already(list(keys.values()))
        for c in batch:
            users = [u for u in editors.get(c.owner_unit_id, []) if (u.pk, keys[c.pk]) not in done]
            if not users:
                continue
            title, body = _commitment_message(c, kind)
            sent += notify(users, title=title, body=body, key=keys[c.pk],
                           url=_url("dialogues:commitment_detail", c.pk))


def _remind_front(year: int) -> int:
    sent = 0
    communes = list(communes_without_front_dialogue(year))
    for start in range(0, len(communes), BATCH):
        chunk = communes[start:start + BATCH]
        editors = _editors_by_unit(u.pk for u in chunk)
        keys = {u.pk: f"front-dialogue:{u.pk}:{year}" for u in chunk}
        done = _already(list(keys.values()))
        for unit in chunk:
            users = [u for u in editors.get(unit.pk, []) if (u.pk, keys[unit.pk]) not in done]
            if not users:
                continue
            values = {"unit": unit.name, "year": year}
            sent += notify(
                users, key=keys[unit.pk], url=_url("dialogues:list"),
                title=_("No dialogue with the Fatherland Front yet in %(year)s") % values,
                body=_("The commune's People's Committee must hold at least one dialogue a year with the "
                       "Fatherland Front (Law 10/2022, Art. 32). %(unit)s has not recorded one held in "
                       "%(year)s.") % values,
            )
    return sent


def send_reminders(*, today: dt.date | None = None, days_before: int = 7) -> dict[str, int]:
    """Send what is due on ``today``; returns how many notifications were new, per kind."""
    today = today or timezone.localdate()
    open_ = Commitment.objects.live().filter(status__in=OPEN_STATUSES)
    with translation.override(settings.LANGUAGE_CODE):
        sent = {
            "soon": _remind_commitments(
                open_.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=days_before)), "soon"),
            "overdue": _remind_commitments(open_.filter(due_on__lt=today), "overdue"),
            "front_dialogue": _remind_front(today.year) if today.month >= FRONT_FROM_MONTH else 0,
        }
    if any(sent.values()):
        with transaction.atomic():
            audit.record("dialogues.reminders", summary={"sent": sent, "today": today})
    return sent


class Command(VietnameseCommand):
    help = "Remind units of commitments due soon or overdue, and communes without this year's Front dialogue."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days-before", type=int, default=7, help="Remind this many days before the due date.")
        parser.add_argument("--date", default="", help="Act as if today were this day (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days_before"]
        if days < 0 or days > 60:
            raise CommandError(_("The number of days must be between 0 and 60."))
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(_("Enter the date as YYYY-MM-DD.")) from exc
        sent = send_reminders(today=today, days_before=days)
        self.stdout.write(_("Reminders sent: %(soon)d due soon, %(overdue)d overdue, "
                            "%(front_dialogue)d about the Front dialogue.") % sent)
