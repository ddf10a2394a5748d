from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public portal: one page per unit, to which each app contributes its sections (``registry``)."""

    name = "danvan.portal"
    label = "portal"
    verbose_name = _("Public portal")
