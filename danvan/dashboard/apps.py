from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "danvan.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        # providers: the figures of the modules that do not register their own (petitions, reports,
        # surveys, dialogues), kept here so those apps need not know the dashboard.
        from . import providers  # noqa: F401
