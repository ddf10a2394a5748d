"""Public pages of grassroots democracy (no login): a commune's disclosure calendar, what it disclosed in
a quarter, one disclosure, one consultation and the files published with them.

Like the portal's pages, they are rendered without the request's context processors (nothing about
the visitor reaches a page a proxy may keep for a minute) and only GET is answered. Anything not
public — a draft, a withdrawn or deleted item, a consultation before it opens or before its result —
is the same 404 as a number that never existed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from danvan.core.uploads import read_stored
from danvan.portal.queries import unit_or_none

from . import public

BROWSER_MAX_AGE = 60


def public_page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """A page anyone may keep for a minute; only the visitor's browser when the visitor has a session."""
    response = HttpResponse(render_to_string(template, context), status=status)
    if status != 200:
        return response
    private = settings.SESSION_COOKIE_NAME in request.COOKIES
    patch_cache_control(response, **{"private" if private else "public": True}, max_age=BROWSER_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])
    return response


def not_found(request: HttpRequest) -> HttpResponse:
    return public_page(request, "disclosures/public/not_found.html", {}, status=404)


def _int(raw: Any, default: int, low: int, high: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    return value if low <= value <= high else default


@require_GET
def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_or_none(pk)
    if unit is None:
        return not_found(request)
    month = public.month_of(request.GET.get("month"))
    weeks, rows, cut = public.calendar_of(unit, month)
    return public_page(request, "disclosures/public/calendar.html", {
        "unit": unit, "month": month, "weeks": weeks, "rows": rows, "cut": cut, "today": timezone.localdate(),
    })


@require_GET
def quarters(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_or_none(pk)
    if unit is None:
        return not_found(request)
    today = timezone.localdate()
    current_quarter = (today.month - 1) // 3 + 1
    year = _int(request.GET.get("year"), today.year, 2000, today.year)
    quarter = _int(request.GET.get("quarter"), current_quarter if year == today.year else 4, 1, 4)
    if year == today.year and quarter > current_quarter:
        quarter = current_quarter
    page = _int(request.GET.get("page"), 1, 1, public.MAX_PAGE)
    date_from, date_to = public.quarter_range(year, quarter)
    rows, has_next = public.disclosed_in(unit, date_from, date_to, page)
    lists = public.quarterly_lists(unit)
    posted = next((x for x in lists if x["year"] == year and x["quarter"] == quarter), None)
    return public_page(request, "disclosures/public/quarters.html", {
        "unit": unit, "year": year, "quarter": quarter, "date_from": date_from, "date_to": date_to,
        "rows": rows, "page": page, "has_next": has_next, "lists": lists, "posted": posted,
        "years": list(range(today.year, max(2000, today.year - 5) - 1, -1)), "quarters": [1, 2, 3, 4],
    })


@require_GET
def disclosure(request: HttpRequest, pk: int) -> HttpResponse:
    item = public.disclosure_or_none(pk)
    if item is None:
        return not_found(request)
    return public_page(request, "disclosures/public/disclosure.html", {
        "item": item, "forms": public.form_labels(item.forms), "files": public.disclosure_attachments(item),
        "posted_now": item.disclosed_on is not None and item.disclosed_on <= timezone.localdate() and (
            item.permanent or item.posting_ends_on is None or item.posting_ends_on >= timezone.localdate()),
    })


@require_GET
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    item = public.consultation_or_none(pk)
    if item is None:
        return not_found(request)
    return public_page(request, "disclosures/public/consultation.html", {
        "item": item, "forms": public.method_labels(item.forms), "files": public.consultation_attachments(item),
    })


@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A file published with a public disclosure or consultation result (the stored bytes, as a download)."""
    found = public.attachment_or_none(pk)
    if found is None:
        raise Http404
    try:
        data = read_stored(found.file.name or "")
    except OSError as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type=found.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, found.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(len(data))
    patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
    return response
