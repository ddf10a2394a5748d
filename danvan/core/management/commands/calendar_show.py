"""``danvan calendar show 2026``: the days off on weekdays and the worked weekend days of a year, to check before deadlines run."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _

from danvan.core import calendar
from danvan.core.commands import VietnameseCommand
from danvan.core.models import CalendarDay


class Command(VietnameseCommand):
    help = "List a year's weekday days off and worked weekend days, with the administrator's exceptions marked."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("year", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        working = set(calendar.working_days_in_year(year))
        notes = dict(
            CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
            .values_list("date", "note")
        )
        day = dt.date(year, 1, 1)
        while day.year == year:
            weekend = day.weekday() >= 5
            if weekend == (day in working):  # a weekday off or a weekend day worked
                label = _("working day") if day in working else _("day off")
                note = notes.get(day, "")
                self.stdout.write(f"{day:%d/%m/%Y}  {label}" + (f"  ({note})" if note else ""))
            day += dt.timedelta(days=1)
        self.stdout.write(_("%(n)d working days in %(year)d.") % {"n": len(working), "year": year})
