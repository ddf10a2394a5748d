"""``danvan petitions retention``: how many filed-away petitions each unit may now destroy; never destroys.

Destruction is a decision signed by a person (the head), recorded on the retention page or through
the API; this report only tells the units that a decision is due.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.petitions import retention


class Command(VietnameseCommand):
    help = "Count the filed-away petitions past their retention period, per unit (destroys nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="count as on this day, YYYY-MM-DD (default: today)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(_("--today: enter a date as YYYY-MM-DD.")) from None
        rows = retention.count_eligible_by_unit(today)
        if options["json"]:
            self.stdout.write(json.dumps({"units": [
                {"id": u.pk, "code": u.code, "name": u.name, "eligible": n} for u, n in rows]}, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write(_("No filed-away petition is past its retention period."))
            return
        for unit, n in rows:
            self.stdout.write(f"{unit.name} ({unit.code or unit.pk}): {n}")
        self.stdout.write(_("Total: %(n)d. Destruction needs a decision: record it on the retention page.") % {
            "n": sum(n for _u, n in rows)})
