from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "danvan.practices"
    label = "practices"
    verbose_name = _("Good practices and thematic programmes")

    def ready(self) -> None:
        # rules: permissions; prefill: report sources (practices.*); figures: the dashboard's figures;
        # portal_sections: recognised practices on the public portal. Plain registrations at import time.
        from . import figures, portal_sections, prefill, rules  # noqa: F401
