"""The roles a membership can carry. Permissions per role live in rules.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    HEAD = "head", _("Head (leader)")
    OFFICER = "officer", _("Officer")
    RECEPTION_OFFICER = "reception_officer", _("Citizen reception officer")
    CASE_HANDLER = "case_handler", _("Case handler")
    FRONT_SUPERVISOR = "front_supervisor", _("Front supervisor")
    VIEWER = "viewer", _("Viewer")


# Roles that may change things (as opposed to read and supervise).
EDITING_ROLES = frozenset({Role.ADMIN, Role.HEAD, Role.OFFICER, Role.RECEPTION_OFFICER, Role.CASE_HANDLER})
