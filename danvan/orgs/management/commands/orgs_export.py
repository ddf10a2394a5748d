"""``danvan orgs export --root CODE --format csv|xlsx -o FILE``: a subtree in the import's columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.orgs import exporters

from .orgs_import import find_unit


class Command(VietnameseCommand):
    help = "Export the current units of a subtree as CSV (UTF-8) or XLSX, in the columns the import reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--root", required=True, help="code of the unit whose subtree is exported")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="", help="default: from the file name")
        parser.add_argument("-o", "--output", default="-", help="output file; '-' writes CSV to standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        root = find_unit(options["root"])
        out = options["output"]
        fmt = options["format"] or ("xlsx" if out.lower().endswith(".xlsx") else "csv")
        rows = exporters.unit_rows(exporters.export_queryset(None, root))
        if fmt == "xlsx":
            if out == "-":
                raise CommandError(_("Give an output file (-o) for XLSX."))
            n = exporters.write_xlsx(rows, out)
        elif out == "-":
            n = exporters.write_csv(rows, self.stdout)  # type: ignore[arg-type]
        else:
            with Path(out).open("w", encoding="utf-8", newline="") as f:
                n = exporters.write_csv(rows, f)
        if out != "-":
            self.stdout.write(self.style.SUCCESS(_("%(n)d units exported to %(path)s.") % {"n": n, "path": out}))
