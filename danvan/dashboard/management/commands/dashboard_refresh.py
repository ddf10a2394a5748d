"""``danvan dashboard refresh [--period 2026 --period 2026-Q3 …] [--queue]``: recompute the dashboard's figures.

Run it from cron every 5 minutes (``*/5 * * * * danvan dashboard refresh``): the dashboard shows
figures at most that old, and the time they were computed. Without ``--period`` it refreshes this
year, its quarters so far and last year.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.dashboard import registry
from danvan.dashboard.refresh import refresh
from danvan.dashboard.tasks import refresh_figures


class Command(VietnameseCommand):
    help = "Recompute the dashboard's figures of every unit (the pre-aggregation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", action="append", default=[],
                            help="A year (2026) or a quarter (2026-Q3); repeat for several. Default: the current ones.")
        parser.add_argument("--queue", action="store_true", help="Queue the refresh for a worker instead of running it.")

    def handle(self, *args: Any, **options: Any) -> None:
        periods: list[str] = options["period"]
        for p in periods:
            try:
                registry.parse_period(p)
            except ValueError:
                raise CommandError(_("--period: enter a year (2026) or a quarter (2026-Q3), not “%(value)s”.")
                                   % {"value": p}) from None
        if options["queue"]:
            result = refresh_figures.enqueue(periods=periods or None)
            self.stdout.write(_("Refresh queued (task %(id)s).") % {"id": result.id})
            return
        run = refresh(periods or None)
        assert run.finished_at is not None  # noqa: S101 - refresh() sets it or raises  # nosec B101
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(_("Figures refreshed: %(n)d figures for %(periods)s in %(seconds).1f s.")
                          % {"n": run.figures, "periods": ", ".join(run.periods), "seconds": seconds})
        if run.error:
            self.stderr.write(_("Some figures could not be computed and were left as they were:"))
            self.stderr.write(run.error)
