from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "danvan.surveys"
    label = "surveys"
    verbose_name = _("Citizen satisfaction surveys")

    def ready(self) -> None:
        # rules: permissions; prefill: report sources (surveys.*); portal_sections: the survey links and
        # the satisfaction index on the public portal. All are plain registrations at import time.
        from . import portal_sections, prefill, rules  # noqa: F401
