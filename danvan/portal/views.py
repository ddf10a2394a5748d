"""The public portal (no login): the home page, one page per unit, and open data as CSV and JSON.

Pages are rendered without the request's context processors, so nothing about the visitor (their
account, their CSRF token) can reach a page that is cached and served to everyone. The unit page
is cached whole in the Django cache, keyed by unit, language and page of children, for
``DANVAN_PORTAL_CACHE_SECONDS`` (300 by default, 0 to switch off; `danvan portal warm` fills it ahead, see warm.py): a cached view costs one cache
read. Browsers and proxies may keep every GET page here for a minute (``Cache-Control: public``):
none of them carries a form that posts.

A former unit (``valid_to`` set — e.g. a district abolished on 1 July 2025) keeps its page, marked
as former, with the units that took over its duties: citizens still look up the old names. It has
no heads and no sections, since nobody receives or answers there any more; its open data (the
figures of its period) stays available.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from danvan.orgs.models import OrgUnit

from . import opendata, queries
from .opendata import cache_seconds, cached
from .registry import sections

log = logging.getLogger(__name__)

BROWSER_MAX_AGE = 60
MAX_PAGE = 1000
SEARCH_MAX_LENGTH = 100


def _public(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Cacheable for a minute; by shared caches too, unless the visitor has a session (whose cookie a
    middleware may refresh on this very response: a proxy must never hand that to someone else)."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        patch_cache_control(response, private=True, max_age=BROWSER_MAX_AGE)
    else:
        patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])  # the language a visitor chose lives in a cookie
    return response


def _page(template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(render_to_string(template, context), status=status)


def _int(raw: Any, default: int = 1) -> int:
    try:
        return max(1, min(int(raw), MAX_PAGE))
    except (TypeError, ValueError):
        return default


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    q = q[:SEARCH_MAX_LENGTH] if isinstance(q, str) else ""
    results = queries.search(q)
    return _public(request, _page("portal/home.html", {
        "q": q, "searched": bool(q.strip()), "results": results, "provinces": list(queries.provinces()),
        "nav_current": "portal:home",
    }))


def render_sections(unit: OrgUnit, request: HttpRequest) -> list[dict[str, Any]]:
    """Each registered section with something to show, rendered; a failing section is left out and logged."""
    out = []
    for section in sections():
        try:
            ctx = section.context(unit, request)
            if ctx is None:
                continue
            html = render_to_string(section.template, {**ctx, "unit": unit, "section": section})
        except Exception:  # one app's fault must not take the unit's whole page down
            log.exception("portal: section %s failed for unit %s", section.key, unit.pk)
            continue
        out.append({"key": section.key, "title": section.title, "in_toc": section.in_toc,
                    "html": mark_safe(html)})  # noqa: S308 - rendered by the template engine, escaped there  # nosec B308 B703
    return out


def _unit_html(request: HttpRequest, pk: int, page: int) -> str | None:
    unit = queries.unit_or_none(pk)
    if unit is None:
        return None
    current = unit.valid_to is None
    kids = queries.children(unit, page)
    return render_to_string("portal/unit.html", {
        "unit": unit, "current": current, "ancestors": queries.ancestors(unit), "children": kids,
        "heads": queries.heads(unit) if current else [],
        "successors": [] if current else queries.successors(unit),
        "sections": render_sections(unit, request) if current else [],
        "updated_at": timezone.localtime(), "period": opendata.period({}),
    })


def unit_cache_key(pk: int, page: int = 1, language: str | None = None) -> str:
    return f"portal:unit:{pk}:{language or translation.get_language()}:{page}"


@require_GET
def unit_page(request: HttpRequest, pk: int) -> HttpResponse:
    page = _int(request.GET.get("page"))
    ttl = cache_seconds()
    key = unit_cache_key(pk, page)
    html = cache.get(key) if ttl > 0 else None
    if html is None:
        html = _unit_html(request, pk, page)
        if html is None:
            return _page("portal/not_found.html", {}, status=404)
        if ttl > 0:
            cache.set(key, html, ttl)
    return _public(request, HttpResponse(html))


# --------------------------------------------------------------------------- open data


def _bad_period(exc: ValidationError, as_json: bool) -> HttpResponse:
    messages = [(f, m) for f, ms in exc.message_dict.items() for m in ms]
    detail = _("The period is not valid.")
    if as_json:
        return JsonResponse({"detail": detail, "errors": [{"field": f, "message": m} for f, m in messages]},
                            status=400, json_dumps_params={"ensure_ascii": False})
    lines = [detail, *(f"{f}: {m}" for f, m in messages)]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")


def _filename(stem: str, when: opendata.Period, ext: str) -> str:
    return f"{stem}_{when.date_from:%Y%m%d}-{when.date_to:%Y%m%d}.{ext}"


def unit_data(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    as_json = fmt == "json"
    try:
        when = opendata.period(request.GET)
    except ValidationError as exc:
        return _bad_period(exc, as_json)
    unit = queries.unit_or_none(pk)
    if unit is None:
        detail = _("This unit does not exist.")
        if as_json:
            return JsonResponse({"detail": detail, "errors": []}, status=404, json_dumps_params={"ensure_ascii": False})
        return HttpResponse(detail + "\n", status=404, content_type="text/plain; charset=utf-8")
    lang = translation.get_language()
    key = f"portal:data:{pk}:{lang}:{when.date_from}:{when.date_to}:{fmt}"
    if as_json:
        data = cached(key, lambda: opendata.as_json(unit, when, opendata.figures(unit, when)))
        response: HttpResponse = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    else:
        body = cached(key, lambda: opendata.to_csv(opendata.csv_rows(unit, when, opendata.figures(unit, when))))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    stem = f"danvan_{unit.code or unit.pk}"
    response["Content-Disposition"] = f'inline; filename="{_filename(stem, when, fmt)}"'
    return _public(request, response)


@require_GET
def unit_data_csv(request: HttpRequest, pk: int) -> HttpResponse:
    return unit_data(request, pk, "csv")


@require_GET
def unit_data_json(request: HttpRequest, pk: int) -> HttpResponse:
    return unit_data(request, pk, "json")


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    """What is published, how to download it, and every province's figures in one file."""
    status = 200
    errors: dict[str, list[str]] = {}
    try:
        when = opendata.period(request.GET)
    except ValidationError as exc:
        errors, when, status = exc.message_dict, opendata.period({}), 400
    figures = [(s.title, s.key) for s in sections() if s.open_data is not None]
    response = _page("portal/open_data.html", {
        "period": when, "errors": errors, "raw_from": request.GET.get("from", ""), "raw_to": request.GET.get("to", ""),
        "provinces": list(queries.provinces()), "figure_sections": figures, "nav_current": "portal:open_data",
    }, status=status)
    return _public(request, response) if status == 200 else response


@require_GET
def national_csv(request: HttpRequest) -> HttpResponse:
    try:
        when = opendata.period(request.GET)
    except ValidationError as exc:
        return _bad_period(exc, False)
    key = f"portal:data:national:{translation.get_language()}:{when.date_from}:{when.date_to}:csv"
    body = cached(key, lambda: opendata.to_csv(opendata.national_rows(when)))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{_filename("danvan_provinces", when, "csv")}"'
    return _public(request, response)


@require_GET
def national_json(request: HttpRequest) -> HttpResponse:
    try:
        when = opendata.period(request.GET)
    except ValidationError as exc:
        return _bad_period(exc, True)
    key = f"portal:data:national:{translation.get_language()}:{when.date_from}:{when.date_to}:json"
    data = cached(key, lambda: opendata.national_json(when))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'inline; filename="{_filename("danvan_provinces", when, "json")}"'
    return _public(request, response)
