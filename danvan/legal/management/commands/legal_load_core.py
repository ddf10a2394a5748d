"""``danvan legal load-core``: register the documents every mass-mobilization plan cites."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.legal.services import load_core_documents


class Command(VietnameseCommand):
    help = "Register the core documents of mass mobilization in the legal registry (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        created, existing = load_core_documents(actor=None)
        self.stdout.write(
            _("%(created)d documents added, %(existing)d already in the registry.")
            % {"created": created, "existing": existing}
        )
