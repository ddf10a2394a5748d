"""``danvan portal warm [--kinds province,commune]``: render the portal's unit pages into the cache (cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.orgs.models import OrgKind
from danvan.portal.warm import DEFAULT_KINDS, warm


class Command(VietnameseCommand):
    help = "Render the public portal's unit pages into the cache, so that citizens get them at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kinds", default=",".join(DEFAULT_KINDS),
                            help="Kinds of unit to render, comma-separated (codes of the unit kinds).")

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = [k.strip() for k in options["kinds"].split(",") if k.strip()]
        unknown = sorted(set(kinds) - set(OrgKind.objects.filter(code__in=kinds).values_list("code", flat=True)))
        if not kinds or unknown:
            raise CommandError(_("--kinds: unknown kind of unit: %(kinds)s.") % {"kinds": ", ".join(unknown) or "-"})
        result = warm(kinds)
        self.stdout.write(_("Rendered %(pages)d unit pages into the cache in %(seconds)s s.")
                          % {"pages": result.pages, "seconds": result.seconds})
