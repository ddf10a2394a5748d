"""The unit an API filter names, seen from the caller's part of the tree."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from danvan.orgs.models import OrgUnit

from .auth import caller


def unit_filter(request: HttpRequest, unit_id: int | None) -> OrgUnit | None:
    """A unit of the caller's part of the tree; one outside it does not exist for them (404, never 403)."""
    if unit_id is None:
        return None
    unit = OrgUnit.objects.visible_to(caller(request)).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit
