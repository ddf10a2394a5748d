"""The "Satisfaction surveys" section of a unit's public page, and its open-data figures.

The section lists the unit's open surveys with their public links and shows the unit's
satisfaction index for the current year (responses about the unit and every unit below it). The
index is the same figure officials see, computed over the masks (two queries); it is kept in
memory for ``INDEX_TTL`` seconds per unit, so a page view usually costs only the one query of
the open surveys. Nothing personal is shown: counts and shares only.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danvan.portal.registry import OpenFigure, Section, register

from . import index
from .models import Survey, SurveyStatus

MAX_SURVEYS = 20
INDEX_TTL = 300
_CACHE_MAX = 5000
_cache: dict[tuple[Any, ...], tuple[float, index.IndexResult]] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def public_link(code: str) -> str:
    try:
        return reverse("surveys_public:start", kwargs={"code": code})
    except NoReverseMatch:
        return f"/public/surveys/{code}/"


def open_surveys(unit: Any, on: dt.date | None = None) -> list[dict[str, Any]]:
    """The unit's surveys taking answers today (one query, bounded)."""
    day = on or timezone.localdate()
    rows = (
        Survey.objects.filter(org_unit=unit, status=SurveyStatus.OPEN, deleted_at__isnull=True)
        .filter(Q(opens_on__isnull=True) | Q(opens_on__lte=day))
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=day))
        .order_by("-created_at", "-pk")
        .values("title", "public_code", "access", "closes_on")[:MAX_SURVEYS]
    )
    return [{**r, "url": public_link(r["public_code"]), "needs_code": r["access"] == "token"} for r in rows]


def year_index(unit: Any, today: dt.date | None = None) -> index.IndexResult:
    """The unit's index from 1 January to today, from memory when computed in the last ``INDEX_TTL`` seconds."""
    today = today or timezone.localdate()
    # The unit's creation time keeps two units that happen to share an id (tests) apart.
    key = (unit.pk, unit.path, getattr(unit, "created_at", None), today)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and now - hit[0] < INDEX_TTL:
        return hit[1]
    result = index.unit_index(unit, dt.date(today.year, 1, 1), today)
    with _lock:
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[key] = (now, result)
    return result


def _context(unit: Any, request: HttpRequest) -> dict[str, Any] | None:
    surveys = open_surveys(unit)
    result = year_index(unit)
    if not surveys and not result.available:
        return None
    today = timezone.localdate()
    return {"surveys": surveys, "result": result if result.available else None, "year": today.year,
            "date_from": dt.date(today.year, 1, 1), "date_to": today}


def _figures(unit: Any, date_from: dt.date, date_to: dt.date) -> list[OpenFigure]:
    result = index.unit_index(unit, date_from, date_to)
    figures = [
        OpenFigure("surveys.responses", _("Satisfaction survey responses"), result.respondents, ""),
        OpenFigure("surveys.satisfaction_index", _("Satisfaction index (mean of the elements)"), result.overall, "%"),
    ]
    figures += [OpenFigure(f"surveys.element.{e.key}", _("Satisfaction: %(element)s") % {"element": e.title},
                           e.share, "%") for e in result.elements]
    return figures


SECTION = register(Section(key="surveys", title=gettext_lazy("Satisfaction surveys"), order=60,
                           template="surveys/portal/section.html", context=_context, open_data=_figures))
