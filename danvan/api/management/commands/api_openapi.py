"""``danvan api openapi``: write the API's OpenAPI schema, or check the committed copy is current."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from danvan.api import openapi
from danvan.core.commands import VietnameseCommand


class Command(VietnameseCommand):
    help = "Write the OpenAPI schema of /api/v1 (to standard output, or to a file with -o)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", metavar="FILE", help="Write the schema to FILE instead of standard output.")
        parser.add_argument(
            "--check", action="store_true",
            help="Write nothing; fail if FILE (default docs/openapi.json) differs from the current schema.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = openapi.render()
        if options["check"]:
            target = Path(options["output"] or openapi.COMMITTED)
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current != text:
                raise CommandError(
                    _("%(file)s is out of date with the API; regenerate it with: %(command)s")
                    % {"file": target, "command": openapi.REGENERATE}
                )
            self.stdout.write(_("%(file)s is up to date.") % {"file": target})
            return
        if options["output"]:
            target = Path(options["output"])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            self.stdout.write(_("Wrote %(file)s.") % {"file": target})
        else:
            self.stdout.write(text, ending="")
