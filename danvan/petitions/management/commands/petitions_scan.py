"""``danvan petitions scan [--date YYYY-MM-DD] [--queue]``: the daily scan of prolonged and overdue cases.

Run once a day (cron or a systemd timer). Running it twice the same day tells nobody twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.petitions.tasks import daily_scan, scan


class Command(VietnameseCommand):
    help = "Flag prolonged cases and notify the heads of overdue cases (the daily scan)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD), to replay a missed day.")
        parser.add_argument("--queue", action="store_true", help="Queue the scan for a worker instead of running it.")

    def handle(self, *args: Any, **options: Any) -> None:
        today: dt.date | None = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(_("--date: enter a date as YYYY-MM-DD, not “%(value)s”.")
                                   % {"value": options["date"]}) from None
        if options["queue"]:
            result = daily_scan.enqueue(today=today.isoformat() if today else None)
            self.stdout.write(_("Scan queued (task %(id)s).") % {"id": result.id})
            return
        done = scan(today)
        self.stdout.write(
            _("Scan done: %(prolonged)d cases newly prolonged, %(overdue)d overdue cases notified "
              "(%(notifications)d notifications) in %(seconds)s s.") % done.as_dict()
        )
