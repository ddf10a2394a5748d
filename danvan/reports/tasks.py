"""Background work of reports: reminding units of the reports they still owe.

``send_report_reminders`` is meant to run once a day (``danvan reports remind`` from cron or the
deployment's scheduler). A report not yet submitted gets a "due soon" reminder from the day that
is ``days_before`` *working* days before its deadline (a deadline on Friday with 3 days: from
Tuesday; a weekend or a holiday in between pushes it earlier), and an "overdue" one the day after
the deadline. Each goes, in the inbox and by e-mail, to the heads and officers of the reporting
unit itself — the people who fill the report — not to those of the units above, who would get
thousands; a department or village with nobody in those roles falls back to the officers of its
anchor (the commune or province it hangs under).

Each reminder is sent once: the ``SubmissionReminder`` row, its in-app notifications and the
hand-over of the mail happen in one transaction, and the row's unique (submission, kind) stops a
second worker running at the same moment (it waits for the first's commit, then gets a conflict
and skips). A mail server that refuses rolls that one reminder back, to be retried on the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from danvan.core import audit, calendar
from danvan.core.tasks import TaskIncomplete, retrying_task
from danvan.notifications.services import notify
from danvan.orgs.models import Membership
from danvan.orgs.roles import Role

from .models import (
    EDITABLE_STATUSES,
    Period,
    PeriodStatus,
    RegimeStatus,
    ReminderKind,
    Submission,
    SubmissionReminder,
)

log = logging.getLogger(__name__)

# Who fills the unit's report; and, for a unit with none of them, who answers for it at its anchor.
REMINDED_ROLES = (Role.HEAD, Role.OFFICER)
FALLBACK_ROLES = (Role.OFFICER,)
BATCH = 500
MAX_DAYS_BEFORE = 60


def reminder_starts(due_on: dt.date, days_before: int) -> dt.date:
    """The first day of "due soon": ``days_before`` working days before the deadline."""
    return calendar.add_working_days(due_on, -days_before) if days_before > 0 else due_on


def _periods(today: dt.date, days_before: int) -> dict[str, list[int]]:
    """Open periods of live regimes in each kind's window (a handful of rows; the calendar is in memory)."""
    rows = Period.objects.filter(
        status=PeriodStatus.OPEN, regime__deleted_at__isnull=True, regime__status=RegimeStatus.ACTIVE,
    ).values_list("pk", "due_on")
    found: dict[str, list[int]] = {ReminderKind.DUE_SOON: [], ReminderKind.OVERDUE: []}
    for pk, due_on in rows:
        if today > due_on:
            found[ReminderKind.OVERDUE].append(pk)
        elif reminder_starts(due_on, days_before) <= today:
            found[ReminderKind.DUE_SOON].append(pk)
    return found


def _recipients(batch: list[Submission]) -> dict[int, list[Any]]:
    """Users to remind, by submission id: one query for the whole batch."""
    unit_ids = {s.org_unit_id for s in batch}
    anchor_ids = {s.anchor_id for s in batch if s.anchor_id != s.org_unit_id}
    condition = Q(org_unit_id__in=unit_ids, role__in=REMINDED_ROLES)
    if anchor_ids:
        condition |= Q(org_unit_id__in=anchor_ids, role__in=FALLBACK_ROLES)
    own: dict[int, dict[int, Any]] = defaultdict(dict)
    fallback: dict[int, dict[int, Any]] = defaultdict(dict)
    rows = (
        Membership.objects.active().filter(condition, user__is_active=True)
        .select_related("user").order_by("org_unit_id", "user_id")
    )
    for m in rows:
        if m.org_unit_id in unit_ids and m.role in REMINDED_ROLES:
            own[m.org_unit_id].setdefault(m.user_id, m.user)
        if m.org_unit_id in anchor_ids and m.role in FALLBACK_ROLES:
            fallback[m.org_unit_id].setdefault(m.user_id, m.user)
    result: dict[int, list[Any]] = {}
    for s in batch:
        users = own.get(s.org_unit_id) or (fallback.get(s.anchor_id) if s.anchor_id != s.org_unit_id else None) or {}
        result[s.pk] = list(users.values())
    return result


def submission_url(submission: Submission) -> str:
    """The page where the unit fills its report (empty while the reports pages are not installed)."""
    try:
        return reverse("reports:submission", args=[submission.pk])
    except NoReverseMatch:
        return ""


def _texts(s: Submission, kind: str) -> tuple[str, str]:
    period = s.period
    values = {
        "unit": s.org_unit.name, "period": period.label, "due": period.due_on.strftime("%d/%m/%Y"),
        "owner": period.regime.owner.name, "regime": period.regime.name,
        "from": period.starts_on.strftime("%d/%m/%Y"), "until": period.ends_on.strftime("%d/%m/%Y"),
    }
    if kind == ReminderKind.OVERDUE:
        subject = _("Overdue: the %(period)s report of %(unit)s") % values
        body = _(
            "The %(period)s report of %(unit)s (data from %(from)s to %(until)s) was due to %(owner)s on "
            "%(due)s under “%(regime)s”. It has not been submitted yet."
        ) % values
    else:
        subject = _("Reminder: the %(period)s report of %(unit)s is due on %(due)s") % values
        body = _(
            "The %(period)s report of %(unit)s (data from %(from)s to %(until)s) must reach %(owner)s by "
            "%(due)s under “%(regime)s”."
        ) % values
    return subject, body


def _send_one(s: Submission, kind: str, users: list[Any], connection: Any) -> bool:
    """Record, notify and mail one reminder in one transaction; False when another worker sent it."""
    subject, body = _texts(s, kind)
    emails = sorted({u.email for u in users if u.email})
    url = submission_url(s)
    try:
        with transaction.atomic():
            SubmissionReminder.objects.create(submission=s, kind=kind, sent_at=timezone.now(), recipients=len(users))
            notify(users, title=subject, body=body, url=url, key=f"reports.{kind}:{s.pk}")
            if emails:
                # A mail needs the full address; the site's own is known only when the deployment says it.
                site = getattr(settings, "DANVAN_SITE_URL", "").rstrip("/")
                if site and url:
                    body = f"{body}\n\n{_('Open the report')}: {site}{url}"
                EmailMessage(subject=subject, body=body, to=emails, connection=connection).send()
    except IntegrityError:
        return False  # another worker reminded this one
    return True


def send_reminders(*, days_before: int = 3, today: dt.date | None = None, strict: bool = False) -> dict[str, int]:
    """Send what is due today; returns how many reports were reminded, per kind.

    ``strict`` (the task): a mail refused raises ``TaskIncomplete`` at the end, so the queue retries
    the run within minutes rather than the next day; the reminders already sent are not sent again.
    """
    if days_before < 0 or days_before > MAX_DAYS_BEFORE:
        raise ValueError(f"days_before must be between 0 and {MAX_DAYS_BEFORE}")
    today = today or timezone.localdate()
    sent = {str(ReminderKind.DUE_SOON): 0, str(ReminderKind.OVERDUE): 0}
    failed = 0
    connection = get_connection()
    with translation.override(settings.LANGUAGE_CODE):
        for kind, period_ids in _periods(today, days_before).items():
            if not period_ids:
                continue
            qs = (
                Submission.objects.filter(
                    period_id__in=period_ids, status__in=EDITABLE_STATUSES, expected=True,
                    org_unit__valid_to__isnull=True,
                )
                .exclude(reminders__kind=kind)
                .select_related("org_unit", "period__regime__owner")
                .order_by("pk")
            )
            last = 0
            while True:
                batch = list(qs.filter(pk__gt=last)[:BATCH])
                if not batch:
                    break
                last = batch[-1].pk
                recipients = _recipients(batch)
                for s in batch:
                    try:
                        if _send_one(s, kind, recipients[s.pk], connection):
                            sent[str(kind)] += 1
                    except (smtplib.SMTPException, OSError):
                        failed += 1
                        log.exception("reports: the %s reminder of submission %s could not be mailed", kind, s.pk)
    if any(sent.values()) or failed:
        with transaction.atomic():
            audit.record("reports.reminders", summary={"sent": sent, "failed": failed, "today": today,
                                                       "days_before": days_before})
    if failed and strict:
        raise TaskIncomplete(f"{failed} report reminders could not be mailed")
    return sent


@retrying_task()
def send_report_reminders(days_before: int = 3, today: str | None = None) -> dict[str, int]:
    """The daily run; ``today`` (ISO date) only to replay a missed day, since task arguments travel as JSON."""
    return send_reminders(days_before=days_before, today=dt.date.fromisoformat(today) if today else None, strict=True)
