from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "danvan.petitions"
    label = "petitions"
    verbose_name = _("Citizen reception and petitions")

    def ready(self) -> None:
        # prefill: report pre-fill sources (danvan.reports.prefill), registered by a call at import time.
        # mediation, public, reception: permissions registered beside the services that check them
        # (rules.add_perm at import time), so commands and workers see them without any URL module loaded.
        from . import mediation, portal_sections, prefill, public, reception  # noqa: F401
