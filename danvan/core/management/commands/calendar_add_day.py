"""``danvan calendar add-day``: enter a swapped working day or an extra day off announced by the government."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from danvan.core import services
from danvan.core.commands import VietnameseCommand


def parse_day(value: str) -> dt.date:
    """Officials write dd/mm/yyyy; scripts write yyyy-mm-dd. Accept both."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise CommandError(_("Invalid date %(value)s: write it as dd/mm/yyyy.") % {"value": value})


def system_admin(username: str) -> Any:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("No user named %(name)s.") % {"name": username})
    return user


def explain(exc: ValidationError | PermissionDenied) -> CommandError:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        parts = [f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
        return CommandError("; ".join(parts))
    return CommandError(" ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))


class Command(VietnameseCommand):
    help = "Declare a date a working day (--working) or a day off (--off), overriding the holiday list."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("date", help="dd/mm/yyyy")
        kind = parser.add_mutually_exclusive_group(required=True)
        kind.add_argument("--working", action="store_true", help="the day is worked (e.g. a swapped Saturday)")
        kind.add_argument("--off", action="store_true", help="the day is off")
        parser.add_argument("--note", required=True, help="the decision that announced it (at most 200 characters)")
        parser.add_argument("--user", required=True, help="username of the system administrator making the change")

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_day(options["date"])
        actor = system_admin(options["user"])
        try:
            services.set_calendar_day(actor, day, bool(options["working"]), options["note"])
        except (ValidationError, PermissionDenied) as exc:
            raise explain(exc) from None
        message = _("%(date)s is now a working day.") if options["working"] else _("%(date)s is now a day off.")
        self.stdout.write(self.style.SUCCESS(message % {"date": day.strftime("%d/%m/%Y")}))
