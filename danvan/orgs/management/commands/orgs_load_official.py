"""``danvan orgs load-official``: the 34 provinces and 3,321 communes with their official codes."""

from __future__ import annotations

import time
from typing import Any

from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.orgs.loaders import load_official


class Command(VietnameseCommand):
    help = "Load the 34 provinces and 3,321 communes (since 1 July 2025) from the vietnam-provinces package."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = load_official()
        elapsed = time.perf_counter() - started
        if result.changed:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Official list loaded: %(created)d created, %(updated)d updated, %(unchanged)d unchanged (%(s).1f s).")
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged, "s": elapsed}
                )
            )
        else:
            self.stdout.write(
                _("The official list is already complete; nothing changed (%(n)d units, %(s).1f s).")
                % {"n": result.unchanged, "s": elapsed}
            )
