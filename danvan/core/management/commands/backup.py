"""``danvan backup [--output PATH]``: one archive of the database and every stored file, keys left out."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from danvan.core.backup import BackupError, create_backup
from danvan.core.commands import VietnameseCommand


class Command(VietnameseCommand):
    help = "Back up the database and the stored files into one archive (the keys are not included)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--output", default="", help="archive file or folder (default: var/backups/)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = create_backup(options["output"] or None)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        m = result.manifest
        for path in m["missing_files"]:
            self.stderr.write(self.style.WARNING(_("Warning: %(file)s is recorded in the database but missing on disk.")
                                                 % {"file": path}))
        self.stdout.write(_("Tables: %(tables)d, rows: %(rows)d, files: %(files)d, audit events: %(events)d.") % {
            "tables": len(m["tables"]), "rows": sum(m["tables"].values()), "files": len(m["files"]),
            "events": m["audit"]["events"]})
        self.stdout.write(f"sha256 {result.sha256}")
        self.stdout.write(self.style.SUCCESS(_("Backup written to %(path)s (%(size)d bytes).")
                                             % {"path": result.path, "size": result.size}))
