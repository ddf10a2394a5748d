"""``danvan reports load-default-form``: install the national mass-mobilization report form (safe to run again)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.reports.default_form import existing_default_form, install_default_form


class Command(VietnameseCommand):
    help = "Install the default mass-mobilization report form, published and shared by the whole country."

    def handle(self, *args: Any, **options: Any) -> None:
        before = existing_default_form()
        form = install_default_form(actor=None)
        if before is not None:
            self.stdout.write(
                _("The report form “%(name)s” (version %(version)d) is already installed; nothing changed.")
                % {"name": form.name, "version": form.version}
            )
            return
        self.stdout.write(
            _("Installed the report form “%(name)s” (version %(version)d): %(indicators)d indicators, "
              "%(questions)d questions, %(rules)d rules.")
            % {"name": form.name, "version": form.version, "indicators": form.indicators.count(),
               "questions": form.questions.count(), "rules": form.rules.count()}
        )
