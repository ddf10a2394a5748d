from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def current_unit(request: HttpRequest) -> dict[str, Any]:
    """The header's unit and switcher; the switcher lists the units the user holds a role for."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def switchable() -> list[Any]:
        from .models import OrgUnit
        from .scope import scope_of

        return list(OrgUnit.objects.filter(pk__in=scope_of(user).unit_ids).order_by("path"))

    unit = getattr(request, "current_unit", None)
    return {"current_unit": unit if unit else None, "switchable_units": switchable}
