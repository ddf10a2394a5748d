"""``danvan reports rebuild-totals [--period ID]``: recompute the subtotals per anchor from the figures.

The services keep ``AnchorTotal`` exact in every transaction; this command is for after a bulk
load or a restore, and it checks: it prints how many subtotals differed before the rebuild.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.reports.models import Period


class Command(VietnameseCommand):
    help = "Recompute the subtotals per anchor of one period (or every period) from the counted figures."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--period", type=int, help="The period's id; every period when omitted.")

    def handle(self, *args: Any, **options: Any) -> None:
        from danvan.reports.totals import differing_totals, refresh_anchor_totals

        periods = Period.objects.order_by("pk")
        if options["period"] is not None:
            periods = periods.filter(pk=options["period"])
            if not periods.exists():
                raise CommandError(_("There is no reporting period %(id)s.") % {"id": options["period"]})
        for period in periods:
            with transaction.atomic():
                Period.objects.select_for_update().filter(pk=period.pk).first()  # the services' lock
                wrong = differing_totals(period.pk)
                rows = refresh_anchor_totals(period.pk)
            self.stdout.write(
                _("“%(period)s”: %(rows)d subtotals rebuilt, %(wrong)d differed before.")
                % {"period": period.label, "rows": rows, "wrong": wrong}
            )
