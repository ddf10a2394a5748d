from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "danvan.dialogues"
    label = "dialogues"
    verbose_name = _("Dialogues and commitments")

    def ready(self) -> None:
        # rules: permissions; prefill: report sources (dialogues.*); portal_sections: dialogues and the
        # state of their commitments on the public portal. Plain registrations at import time.
        from . import portal_sections, prefill, rules  # noqa: F401
