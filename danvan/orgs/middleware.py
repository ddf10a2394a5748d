"""The unit a user is currently acting for, kept in the session and chosen with the unit switcher."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

SESSION_KEY = "danvan_current_unit"


def _current_unit(request: HttpRequest):
    from .models import OrgUnit
    from .scope import scope_of

    user = request.user
    if not user.is_authenticated:
        return None
    scope = scope_of(user)
    ids = scope.unit_ids
    chosen = request.session.get(SESSION_KEY)
    if chosen in ids or (chosen and scope.is_superuser):
        unit = OrgUnit.objects.select_related("kind").filter(pk=chosen).first()
        if unit is not None:
            return unit
    if ids:
        return OrgUnit.objects.select_related("kind").filter(pk__in=ids).order_by("path").first()
    return None


class CurrentUnitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.current_unit = SimpleLazyObject(lambda: _current_unit(request))  # type: ignore[attr-defined]
        return self.get_response(request)
