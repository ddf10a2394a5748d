"""``danvan reports sync-expected --period ID``: bring a period's expected reports in line with the tree.

Opening a period creates a report for every unit expected to send one; units created, closed or
merged afterwards are caught up by this command (run it after a reorganisation).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.reports.models import Period


class Command(VietnameseCommand):
    help = "Create the missing expected reports of a period and mark those of closed units."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--period", type=int, required=True, help="The period's id.")

    def handle(self, *args: Any, **options: Any) -> None:
        from danvan.reports.services import sync_expected

        period = Period.objects.filter(pk=options["period"]).first()
        if period is None:
            raise CommandError(_("There is no reporting period %(id)s.") % {"id": options["period"]})
        counts = sync_expected(period=period)
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "—"
        self.stdout.write(
            _("Expected reports of “%(period)s” brought up to date (%(summary)s).")
            % {"period": period.label, "summary": summary}
        )
