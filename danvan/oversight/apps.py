from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "danvan.oversight"
    label = "oversight"
    verbose_name = _("Dissemination and inspections")

    def ready(self) -> None:
        # rules: permissions; figures: the dashboard's figures (share of units disseminated).
        from . import figures, rules  # noqa: F401
