"""Public pages of dialogues (no login): a dialogue with its public commitments and their states, a unit's
dialogues, and the commitments a unit made or must keep (filtered by state).

Rendered without the request's context processors and cacheable for a minute, like the portal's pages
(``danvan.disclosures.views_public.public_page``). A dialogue that is not public, cancelled or deleted is
the same 404 as one that never existed.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from danvan.disclosures.views_public import not_found, public_page
from danvan.portal.queries import unit_or_none

from . import public


def _page(raw: Any) -> int:
    try:
        return max(1, min(int(raw), public.MAX_PAGE))
    except (TypeError, ValueError):
        return 1


@require_GET
def dialogue(request: HttpRequest, pk: int) -> HttpResponse:
    item = public.dialogue_or_none(pk)
    if item is None:
        return not_found(request)
    today = timezone.localdate()
    commitments = public.dialogue_commitments(item, today)
    return public_page(request, "dialogues/public/dialogue.html", {
        "item": item, "commitments": commitments, "reported": public.reported_back_here(item, today),
        "today": today,
    })


@require_GET
def unit_dialogues(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_or_none(pk)
    if unit is None:
        return not_found(request)
    page = _page(request.GET.get("page"))
    rows, has_next = public.unit_dialogues(unit, page)
    return public_page(request, "dialogues/public/unit_dialogues.html", {
        "unit": unit, "rows": rows, "page": page, "has_next": has_next,
    })


@require_GET
def unit_commitments(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_or_none(pk)
    if unit is None:
        return not_found(request)
    today = timezone.localdate()
    chosen = request.GET.get("state", "")
    chosen = chosen if chosen in public.STATES else ""
    page = _page(request.GET.get("page"))
    rows, has_next = public.unit_commitments(unit, chosen, page, today)
    return public_page(request, "dialogues/public/unit_commitments.html", {
        "unit": unit, "rows": rows, "page": page, "has_next": has_next, "state": chosen,
        "states": [(k, public.STATE_LABELS[k]) for k in public.STATES], "summary": public.unit_summary(unit, today),
        "today": today,
    })
