"""``danvan petitions deadlines --kind … --received YYYY-MM-DD [...] [--json]``: the deadline calculator."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils import dateformat
from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.petitions.deadlines import compute_deadlines


def _label(key: str) -> str:
    # Literal msgids so that makemessages finds them.
    return {
        "acceptance_due": _("Acceptance due"),
        "forward_due": _("Forwarding due"),
        "notification_due": _("Notification due"),
        "feedback_due": _("Reply to the citizen due"),
        "resolution_due": _("Resolution due"),
    }[key]


def _date(option: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--%(option)s: enter a date as YYYY-MM-DD, not “%(value)s”.") % {"option": option, "value": value}
        ) from None


class Command(VietnameseCommand):
    help = "Compute the legal deadlines of a petition from the rule data and the working-day calendar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--kind", required=True, choices=["complaint", "denunciation", "recommendation", "feedback"],
        )
        parser.add_argument("--received", required=True, help="day received, YYYY-MM-DD")
        parser.add_argument("--accepted", help="day accepted, YYYY-MM-DD (for the resolution deadline)")
        parser.add_argument("--round", type=int, choices=[1, 2], default=1, help="complaint round")
        parser.add_argument("--complex", action="store_true", help="complex case")
        parser.add_argument("--remote", action="store_true", help="remote or hard-to-reach area")
        parser.add_argument("--extensions", type=int, default=0, help="extension decisions (denunciations)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        received = _date("received", options["received"])
        accepted = None if options["accepted"] is None else _date("accepted", options["accepted"])
        try:
            result = compute_deadlines(
                options["kind"], received, accepted, round=options["round"], complex=options["complex"],
                remote=options["remote"], extensions=options["extensions"],
            )
        except ValidationError as exc:
            raise CommandError(
                " ".join(f"--{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            ) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json()))
            return
        for key, due, rule in result.rows():
            self.stdout.write(
                _("%(label)s: %(weekday)s, %(date)s (%(basis)s)")
                % {"label": _label(key), "weekday": dateformat.format(due, "l"), "date": due.strftime("%d/%m/%Y"),
                   "basis": rule.legal_basis}
            )
        version = dt.date.fromisoformat(result.rule_version)
        self.stdout.write(_("Rule set in force from %(date)s.") % {"date": version.strftime("%d/%m/%Y")})
