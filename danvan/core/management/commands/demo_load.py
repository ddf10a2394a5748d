"""``danvan demo load``: the demonstration province, former district and log-ins for ``make run``.

It prints the log-ins at the end of every run (also when nothing changed), so ``make run`` shows
a newcomer where to go and how to log in.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.demo import data
from danvan.demo.services import DemoResult, OfficialListMissing, load_demo


def address() -> str:
    """Where ``make run`` serves (scripts/run-dev reads the same variable)."""
    return "http://" + os.environ.get("DANVAN_ADDR", "127.0.0.1:8000")


class Command(VietnameseCommand):
    help = "Load the demonstration data (Lai Châu province, a former district, demo log-ins). Development only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off (never in production).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_demo(force=options["force"])
        except (PermissionDenied, OfficialListMissing) as exc:
            raise CommandError(str(exc)) from exc
        if result.changed:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Demo data loaded: %(units)d units created, %(closed)d former units closed, "
                        "%(users)d users, %(roles)d roles, %(auth)d authenticators, %(plans)d plans, "
                        "%(periods)d reporting periods, %(petitions)d reception and petition records, %(mediations)d mediations, "
                        "%(surveys)d survey records, %(grassroots)d grassroots democracy and dialogue records."
                    )
                    % {
                        "units": result.units, "closed": result.closed_units, "users": result.users,
                        "roles": result.roles, "auth": result.authenticators, "plans": result.plans,
                        "periods": result.report_periods, "petitions": result.petitions, "surveys": result.surveys,
                        "mediations": result.mediations, "grassroots": result.grassroots,
                    }
                )
            )
        else:
            self.stdout.write(_("The demo data is already loaded; nothing changed."))
        self.stdout.write(banner(result))


def banner(result: DemoResult) -> str:
    width = max(len(login.username) for login in result.logins)
    lines = [
        "",
        "=" * 72,
        _("danvan is starting at %(address)s") % {"address": address()},
        "",
        _("Demo log-ins (user name — roles):"),
    ]
    for login in result.logins:
        mark = " *" if login.has_totp else ""
        lines.append(f"  {login.username.ljust(width)}{mark}  {login.full_name}: {'; '.join(login.roles)}")
    lines += ["", _("Password of every demo log-in: %(password)s") % {"password": data.DEMO_PASSWORD}]
    if any(login.has_totp for login in result.logins):
        lines += [
            "* " + _("Two-factor authentication: after the password, enter the 6-digit code."),
            "  " + _("Add this secret to an authenticator app (one entry serves every demo log-in): %(secret)s")
            % {"secret": data.DEMO_TOTP_SECRET},
            "  " + _("or print the current code with: %(command)s") % {"command": "danvan demo otp USERNAME"},
        ]
    lines += ["=" * 72, ""]
    return "\n".join(lines)
