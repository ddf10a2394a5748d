"""``danvan plans remind``: queue today's reminders about subordinate plans due soon or overdue.

Run once a day (cron or a systemd timer); each reminder is sent once per obligation and kind,
so running it twice the same day sends nothing more.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.plans.tasks import send_obligation_reminders


class Command(VietnameseCommand):
    help = "Queue reminders for subordinate plans that are due soon or overdue."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days-before", type=int, default=7, help="Remind this many days before the due date.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days_before"]
        if days < 0 or days > 60:
            self.stderr.write(_("The number of days must be between 0 and 60."))
            raise SystemExit(2)
        result = send_obligation_reminders.enqueue(days_before=days)
        self.stdout.write(_("Reminders queued (task %(id)s).") % {"id": result.id})
