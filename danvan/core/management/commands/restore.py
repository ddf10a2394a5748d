"""``danvan restore PATH [--yes] [--check] [--sha256 HEX]``: an archive of ``danvan backup`` into an empty database."""

from __future__ import annotations

import datetime as dt
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core.backup import VENDOR_NAMES, BackupError, apply_restore, prepare_restore, read_archive
from danvan.core.commands import VietnameseCommand


def _when(value: Any) -> str:
    try:
        return f"{timezone.localtime(dt.datetime.fromisoformat(str(value))):%d/%m/%Y %H:%M}"
    except (TypeError, ValueError):
        return str(value)


class Command(VietnameseCommand):
    help = "Restore a backup archive into an empty database and check it against the archive's manifest."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("archive", help="archive written by danvan backup")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--check", action="store_true", help="only check the archive; write nothing")
        parser.add_argument("--sha256", default="", help="the archive's expected sha256 (from the audit log)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check"]:
                archive = read_archive(options["archive"], expect_sha256=options["sha256"])
                m = archive.manifest
                self.stdout.write(self.style.SUCCESS(
                    _("Archive intact: %(vendor)s database of %(created)s, %(tables)d tables, %(rows)d rows, "
                      "%(files)d files, %(events)d audit events.") % {
                        "vendor": VENDOR_NAMES[archive.vendor], "created": _when(m.get("created_at")),
                        "tables": len(m["tables"]), "rows": sum(m["tables"].values()), "files": len(m["files"]), "events": m["audit"]["events"]}))
                self.stdout.write(f"sha256 {archive.sha256}")
                return
            plan = prepare_restore(options["archive"], expect_sha256=options["sha256"])
            if not options["yes"]:
                if not sys.stdin.isatty():
                    raise CommandError(_("Add --yes to restore without a question."))
                answer = input(_("Restore %(archive)s into %(db)s and %(media)s? Type yes: ") % {
                    "archive": plan.archive.path, "db": plan.database, "media": plan.media_root})
                if answer.strip().lower() not in {"yes", _("yes").lower()}:
                    raise CommandError(_("Restore cancelled: nothing was written."))
            result = apply_restore(plan)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("Tables: %(tables)d, rows: %(rows)d, files: %(files)d.") % {
            "tables": result.tables, "rows": result.rows, "files": result.files})
        self.stdout.write(_("Audit chain intact: %(n)d events verified.") % {"n": result.audit_events})
        if result.pending_migrations:
            self.stdout.write(self.style.WARNING(
                _("This version of danvan has %(n)d migrations the archive lacks: run danvan migrate.")
                % {"n": len(result.pending_migrations)}))
        self.stdout.write(self.style.SUCCESS(_("Restore complete and checked against the archive.")))
