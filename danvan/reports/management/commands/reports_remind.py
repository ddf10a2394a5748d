"""``danvan reports remind``: queue today's reminders of reports due soon or overdue.

Run once a day (cron or a systemd timer); each reminder is sent once per report and kind, so
running it twice the same day sends nothing more. ``--now`` sends in this process instead of
queueing (no worker needed, e.g. on a small server); ``--today`` replays a day the job missed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.reports.tasks import MAX_DAYS_BEFORE, send_reminders, send_report_reminders


class Command(VietnameseCommand):
    help = "Queue reminders for periodic reports that are due soon or overdue."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--days-before", type=int, default=3, help="Remind this many working days before the deadline."
        )
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")
        parser.add_argument("--now", action="store_true", help="Send in this process instead of queueing.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days_before"]
        if days < 0 or days > MAX_DAYS_BEFORE:
            raise CommandError(_("The number of days must be between 0 and %(max)d.") % {"max": MAX_DAYS_BEFORE})
        today: dt.date | None = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(_("--today: enter a date as YYYY-MM-DD.")) from exc
        if options["now"]:
            sent = send_reminders(days_before=days, today=today)
            self.stdout.write(
                _("Reminders sent: %(due_soon)d due soon, %(overdue)d overdue.")
                % {"due_soon": sent["due_soon"], "overdue": sent["overdue"]}
            )
            return
        result = send_report_reminders.enqueue(days_before=days, today=today.isoformat() if today else None)
        self.stdout.write(_("Reminders queued (task %(id)s).") % {"id": result.id})
