"""``danvan calendar remove-day``: drop an administrator's calendar exception; the holiday list decides again."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from danvan.core import services
from danvan.core.commands import VietnameseCommand

from .calendar_add_day import explain, parse_day, system_admin


class Command(VietnameseCommand):
    help = "Remove the calendar exception entered for a date."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("date", help="dd/mm/yyyy")
        parser.add_argument("--user", required=True, help="username of the system administrator making the change")

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_day(options["date"])
        actor = system_admin(options["user"])
        try:
            services.remove_calendar_day(actor, day)
        except (ValidationError, PermissionDenied) as exc:
            raise explain(exc) from None
        self.stdout.write(self.style.SUCCESS(_("Calendar exception on %(date)s removed.") % {"date": day.strftime("%d/%m/%Y")}))
