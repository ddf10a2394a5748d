"""The navigation shows only the areas that exist; each app adds its entry to NAV_ITEMS."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, app label that must be installed). Later areas append here when they land.
NAV_ITEMS: list[tuple[str, Any, str]] = [
    ("home", _("Overview"), "core"),
    ("dashboard:home", _("Dashboard"), "dashboard"),
    ("plans:list", _("Plans"), "plans"),
    ("reports:home", _("Reports"), "reports"),
    ("legal:list", _("Legal documents"), "legal"),
    ("petitions:list", _("Petitions"), "petitions"),
    ("petitions:reception", _("Citizen reception"), "petitions"),
    ("petitions:mediation_list", _("Mediation"), "petitions"),
    ("petitions:statistics", _("Petition statistics"), "petitions"),
    ("petitions:retention_decisions", _("Retention"), "petitions"),
    ("petitions:deadlines", _("Deadline calculator"), "petitions"),
    ("surveys:list", _("Surveys"), "surveys"),
    ("surveys:results", _("Satisfaction results"), "surveys"),
    ("disclosures:home", _("Grassroots democracy"), "disclosures"),
    ("dialogues:list", _("Dialogues and commitments"), "dialogues"),
    ("practices:list", _("Good practices"), "practices"),
    ("practices:programme_list", _("Thematic programmes"), "practices"),
    ("oversight:home", _("Dissemination and inspections"), "oversight"),
    ("portal:home", _("Citizens' portal"), "portal"),
    ("orgs:tree", _("Units"), "orgs"),
]
# Shown only to administrators (of a subtree or of the system).
ADMIN_NAV_ITEMS: list[tuple[str, Any, str]] = [
    ("audit:log", _("Audit log"), "core"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": []}
    from danvan.orgs.roles import Role
    from danvan.orgs.scope import scope_of

    scope = scope_of(request.user)
    entries = list(NAV_ITEMS)
    if scope.is_superuser or scope.paths({Role.ADMIN}):
        entries += ADMIN_NAV_ITEMS
    items = []
    for name, label, _app in entries:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": False})
    # One entry is current: the longest address the page is under (/petitions/reception/ is
    # "Citizen reception", not also "Petitions").
    matches = [i for i in items if (request.path == i["url"] if i["url"] == "/" else request.path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_items": items}
