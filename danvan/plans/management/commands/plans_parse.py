"""``danvan plans parse FILE [--json]``: read a plan document and show the draft extracted from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.plans.parsing import ReadError, parse_plan_detailed
from danvan.plans.parsing.readers import read_text


class Command(VietnameseCommand):
    help = "Parse a plan document (.txt, .docx or .pdf with a text layer) into a draft plan for review."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help=_("Path to the plan document"))
        parser.add_argument("--json", action="store_true", help=_("Print the extracted plan as JSON"))
        parser.add_argument(
            "--detailed", action="store_true", help=_("With --json: include sources and repair flags")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = read_text(Path(options["file"]))
        except ReadError as exc:
            raise CommandError(str(exc)) from exc
        result = parse_plan_detailed(text)
        if options["json"]:
            data = result.detailed() if options["detailed"] else result.public()
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self._summary(result.public(), result.warnings)

    def _summary(self, plan: dict[str, Any], warnings: list[str]) -> None:
        def show(value: Any) -> str:
            return "—" if value in (None, "", []) else str(value)

        ref = "/".join(part for part in (plan["number"], plan["symbol"]) if part) or None
        self.stdout.write(_("Title: %(v)s") % {"v": show(plan["title"])})
        self.stdout.write(_("Number: %(v)s") % {"v": show(ref)})
        self.stdout.write(_("Issuer: %(v)s") % {"v": show(plan["issuer"])})
        self.stdout.write(_("Year: %(v)s") % {"v": show(plan["year"])})
        counts = {
            key: len(plan[key]) for key in ("references", "sections", "targets", "assignments", "deadlines")
        }
        self.stdout.write(
            _(
                "%(references)d references, %(sections)d sections, %(targets)d targets, "
                "%(assignments)d assignments, %(deadlines)d deadlines"
            )
            % counts
        )
        for warning in warnings:
            self.stdout.write(self.style.WARNING(warning))
