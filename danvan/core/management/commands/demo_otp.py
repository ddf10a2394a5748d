"""``danvan demo otp USERNAME``: the 6-digit code the user's authenticator shows now (demos, testers)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.demo.services import current_code


class Command(VietnameseCommand):
    help = "Print the current two-factor code of a user. Development only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off (never in production).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            code, seconds = current_code(options["username"], force=options["force"])
        except (PermissionDenied, LookupError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(code)
        self.stderr.write(_("Valid for %(seconds)d more seconds.") % {"seconds": seconds})
