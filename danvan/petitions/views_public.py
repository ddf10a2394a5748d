"""Public pages (no login): reception schedules, online filing, tracking with code and secret, results.

Every POST carries the CSRF token. Filing and tracking are rate-limited per client address with
the cache (a 429 page past the limit), so the tracking secret cannot be guessed by brute force and
the filing form cannot be flooded. The confirmation page shows the secret once: it travels from the
POST to the page through the session and is dropped from it when shown, and the page is never
cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from danvan.core.forms import add_service_errors
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q

from . import public
from .forms_public import ScheduleFilterForm, SubmitForm, TrackForm, UnitSearchForm, search_units
from .models import ReceptionSession

DEFAULT_LIMITS = {"submit": (5, 3600), "track": (10, 900)}
SESSION_KEY = "petitions_public_submitted"
SCHEDULE_DAYS = 60
SCHEDULE_MAX = 200


def _client(request: HttpRequest) -> str:
    """The client's address as the server sees it (a proxy in front must set REMOTE_ADDR, e.g. gunicorn's
    --forwarded-allow-ips with a proxy-fix); never a header the client can forge."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def over_limit(request: HttpRequest, action: str) -> bool:
    """Count this attempt; True once the client made more than the allowed number in the window."""
    limits = getattr(settings, "DANVAN_PUBLIC_RATE_LIMITS", DEFAULT_LIMITS)
    allowed, window = limits.get(action, DEFAULT_LIMITS[action])
    key = f"petitions-public:{action}:{_client(request)}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > allowed


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "petitions/public/too_many.html", status=429)
    response["Retry-After"] = "900"
    return response


def _sessions(unit_query: str) -> list[ReceptionSession]:
    today = timezone.localdate()
    until = today + dt.timedelta(days=SCHEDULE_DAYS)
    try:
        from .reception import published_sessions

        qs = published_sessions(None, today, until)
    except ImportError:  # pragma: no cover - reception.py is another helper's
        qs = ReceptionSession.objects.filter(published=True, cancelled_at__isnull=True, date__gte=today,
                                             date__lte=until).select_related("org_unit")
    if unit_query.strip():
        units = list(OrgUnit.objects.current().search(unit_query).values_list("path", flat=True)[:50])
        qs = qs.filter(subtree_q(units, prefix="org_unit__"))
    return list(qs.order_by("date", "starts_at", "pk")[:SCHEDULE_MAX])


@require_http_methods(["GET"])
def schedules(request: HttpRequest) -> HttpResponse:
    form = ScheduleFilterForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    return render(request, "petitions/public/schedules.html", {
        "form": form, "sessions": _sessions(text), "days": SCHEDULE_DAYS,
    })


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    search = UnitSearchForm(request.GET or None)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    units = list(search_units(text))
    if request.method == "POST":
        if over_limit(request, "submit"):
            return _too_many(request)
        form = SubmitForm(request.POST, units=units)
        if form.is_valid() and form.cleaned_data["website"]:
            form.add_error(None, _("The form could not be sent. Please try again."))
        elif form.is_valid():
            d = form.cleaned_data
            try:
                petition, secret = public.submit_online(
                    org_unit=d["org_unit"], kind=d["kind"], summary=d["summary"], content=d["content"],
                    name=d["name"], address=d["address"], contact=d["contact"], idempotency_key=d["idempotency_key"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                code = petition.tracking_code or ""
                pending = request.session.get(SESSION_KEY) or {}
                if secret or pending.get("code") != code:
                    # A first submit, or a replay whose first answer was already shown.
                    request.session[SESSION_KEY] = {"code": code, "secret": secret}
                return redirect("petitions_public:submitted")
        return render(request, "petitions/public/submit.html", {"form": form, "search": search}, status=400)
    if len(units) == 1:
        form = SubmitForm(units=units, initial={"org_unit": units[0].pk})
    else:
        form = SubmitForm(units=units)
    return render(request, "petitions/public/submit.html", {"form": form, "search": search})


@never_cache
@require_http_methods(["GET"])
def submitted(request: HttpRequest) -> HttpResponse:
    data: dict[str, Any] = request.session.pop(SESSION_KEY, None) or {}
    if not data.get("code"):
        return redirect("petitions_public:submit")
    response = render(request, "petitions/public/submitted.html", {
        "code": public.display_code(data["code"]), "secret": data.get("secret", ""),
    })
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    status: public.TrackedStatus | None = None
    not_found = False
    code = 200
    if request.method == "POST":
        if over_limit(request, "track"):
            return _too_many(request)
        if form.is_valid():
            status = public.track(form.cleaned_data["code"], form.cleaned_data["secret"])
            not_found = status is None
        code = 200 if status is not None else 400
    response = render(request, "petitions/public/track.html",
                      {"form": TrackForm() if status else form, "status": status, "not_found": not_found},
                      status=code)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET"])
def results(request: HttpRequest) -> HttpResponse:
    form = ScheduleFilterForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    unit = OrgUnit.objects.current().search(text).order_by("path").first() if text.strip() else None
    try:
        page = public.published_results(unit=unit, after=request.GET.get("after"))
    except ValidationError:
        page = public.published_results(unit=unit)
    return render(request, "petitions/public/results.html", {
        "form": form, "page": page, "unit": unit, "q": text, "searched": bool(text.strip()),
    })
