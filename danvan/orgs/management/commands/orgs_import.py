"""``danvan orgs import FILE --parent CODE [--dry-run]``: the web page's import, from a terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.orgs.importers import run_import
from danvan.orgs.models import OrgUnit


def find_unit(code: str) -> OrgUnit:
    unit = OrgUnit.objects.current().filter(code=code).first()
    if unit is None:
        raise CommandError(_("No current unit has the code %(code)s.") % {"code": code})
    return unit


class Command(VietnameseCommand):
    help = "Import departments, villages and other units from a CSV UTF-8 or XLSX file into a unit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV (UTF-8) or XLSX file")
        parser.add_argument("--parent", required=True, help="code of the unit to import into")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, save nothing")
        parser.add_argument("--as-user", default="", help="act with this user's permissions (default: the system)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        root = find_unit(options["parent"])
        actor = None
        if options["as_user"]:
            from danvan.accounts.models import User

            actor = User.objects.filter(username=options["as_user"], is_active=True).first()
            if actor is None:
                raise CommandError(_("No active user %(name)s.") % {"name": options["as_user"]})
        try:
            report = run_import(
                actor=actor, root=root, data=path.read_bytes(), filename=path.name, dry_run=options["dry_run"]
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        for e in report.errors:
            where = _("row %(row)d") % {"row": e.row} if e.row else _("file")
            self.stderr.write(f"{where}, {e.column_title}: {e.message}" if e.column else f"{where}: {e.message}")
        if report.errors:
            raise CommandError(
                _("%(n)d errors: nothing was imported.") % {"n": len(report.errors)}
            )
        if options["dry_run"]:
            self.stdout.write(
                _("Check passed: %(create)d units would be created, %(existing)d already exist. Nothing was saved.")
                % {"create": len(report.to_create), "existing": len(report.existing)}
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("%(created)d units were imported; %(existing)d already existed and were left unchanged.")
                % {"created": len(report.created), "existing": len(report.existing)}
            )
        )
