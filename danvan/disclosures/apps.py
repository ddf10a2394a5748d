from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosuresConfig(AppConfig):
    name = "danvan.disclosures"
    label = "disclosures"
    verbose_name = _("Grassroots democracy")

    def ready(self) -> None:
        # rules: permissions; prefill: report sources (disclosures.*); portal_sections: the disclosure
        # calendar and published results on the public portal. Plain registrations at import time.
        from . import portal_sections, prefill, rules  # noqa: F401
