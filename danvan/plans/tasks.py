"""Background work of plans: reminding units of the plans they must issue.

``send_obligation_reminders`` is meant to run once a day (enqueue it from cron or the scheduler of
the deployment). Each obligation gets at most one "due soon" and one "overdue" reminder: the row in
``ObligationReminder`` is inserted in the same transaction as the mail is handed over, and its
unique constraint stops a second worker running at the same time from sending it again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.tasks import retrying_task
from danvan.orgs.models import Membership
from danvan.orgs.roles import Role

from .models import ObligationReminder, PlanObligation, PlanStatus, ReminderKind

# The people who answer for the unit's own plan: not the province's heads, who would get thousands.
REMINDED_ROLES = (Role.HEAD, Role.OFFICER)
BATCH = 500


def _due(obligations: Any, kind: str) -> Any:
    return (
        obligations.exclude(reminders__kind=kind)
        .select_related("plan__issuer", "org_unit")
        .order_by("due_on", "pk")
    )


def _emails_by_unit(unit_ids: list[int]) -> dict[int, list[str]]:
    emails: dict[int, list[str]] = defaultdict(list)
    rows = (
        Membership.objects.active()
        .filter(org_unit_id__in=unit_ids, role__in=REMINDED_ROLES, user__is_active=True)
        .exclude(user__email="")
        .values_list("org_unit_id", "user__email")
        .distinct()
    )
    for unit_id, email in rows:
        if email not in emails[unit_id]:
            emails[unit_id].append(email)
    return emails


def _message(ob: PlanObligation, kind: str, to: list[str], connection: Any) -> EmailMessage:
    values = {
        "reference": ob.plan.reference, "title": ob.plan.title, "issuer": ob.plan.issuer.name,
        "unit": ob.org_unit.name, "due": ob.due_on.strftime("%d/%m/%Y"),
    }
    if kind == ReminderKind.OVERDUE:
        subject = _("Overdue: the plan of %(unit)s") % values
        body = _("Under plan %(reference)s “%(title)s” of %(issuer)s, %(unit)s had to issue its own plan by "
                 "%(due)s. It has not been issued yet.") % values
    else:
        subject = _("Reminder: the plan of %(unit)s is due on %(due)s") % values
        body = _("Under plan %(reference)s “%(title)s” of %(issuer)s, %(unit)s must issue its own plan by "
                 "%(due)s.") % values
    return EmailMessage(subject=subject, body=body, to=to, connection=connection)


def send_reminders(*, days_before: int = 7, today: dt.date | None = None) -> dict[str, int]:
    """Send what is due; returns how many obligations were reminded, per kind."""
    today = today or timezone.localdate()
    open_obligations = PlanObligation.objects.filter(
        fulfilled_by__isnull=True, plan__status=PlanStatus.ISSUED, plan__deleted_at__isnull=True,
    )
    selections = {
        ReminderKind.DUE_SOON: open_obligations.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=days_before)),
        ReminderKind.OVERDUE: open_obligations.filter(due_on__lt=today),
    }
    sent = {str(kind): 0 for kind in selections}
    connection = get_connection()
    with translation.override(settings.LANGUAGE_CODE):
        for kind, qs in selections.items():
            while True:
                batch = list(_due(qs, kind)[:BATCH])
                if not batch:
                    break
                emails = _emails_by_unit(sorted({ob.org_unit_id for ob in batch}))
                for ob in batch:
                    to = emails.get(ob.org_unit_id, [])
                    try:
                        with transaction.atomic():
                            ObligationReminder.objects.create(
                                obligation=ob, kind=kind, sent_at=timezone.now(), recipients=len(to)
                            )
                            if to:
                                _message(ob, kind, to, connection).send()
                    except IntegrityError:
                        continue  # another worker reminded this one
                    sent[str(kind)] += 1
    if any(sent.values()):
        with transaction.atomic():
            audit.record("plans.obligation.reminders", summary={"sent": sent, "today": today})
    return sent


@retrying_task()
def send_obligation_reminders(days_before: int = 7) -> dict[str, int]:
    return send_reminders(days_before=days_before)
