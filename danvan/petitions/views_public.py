"""Public pages (no login): reception schedules, online filing, tracking with code and secret, results.

Every POST carries the CSRF token and an ALTCHA proof-of-work. Filing and tracking are rate-limited
per client address (``danvan.portal.ratelimit``, a 429 page past the limit), so the tracking secret
cannot be guessed by brute force and the filing form cannot be flooded. The confirmation page shows the secret once: it travels from the
POST to the page through the session and is dropped from it when shown, and the page is never
cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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
from danvan.portal import ratelimit

from . import public
from .forms_public import ScheduleFilterForm, SubmitForm, TrackForm, UnitSearchForm, search_units
from .models import Petition, ReceptionSession

LIMITS = {"petitions_submit": (5, 3600), "petitions_track": (10, 900)}  # DANVAN_PUBLIC_RATE_LIMITS overrides
SESSION_KEY = "petitions_public_submitted"
SCHEDULE_DAYS = 60
SCHEDULE_MAX = 200


def _replay_of_filed(form: SubmitForm) -> bool:
    """A second post of a form already filed (a double tap on a slow link) reuses its ALTCHA payload,
    which works once: let it through as the replay it is, so the citizen sees the confirmation of the
    first post rather than an error. It creates nothing (same idempotency key, same petition)."""
    if set(form.errors) != {"altcha"}:
        return False
    key = form.cleaned_data.get("idempotency_key") or ""
    return bool(key) and Petition.objects.filter(idempotency_key=public.KEY_PREFIX + key).exists()


def _units_with_preselected(request: HttpRequest, units: list[OrgUnit]) -> tuple[list[OrgUnit], OrgUnit | None]:
    """``?unit=<id>`` (a link from the unit's public page) puts that unit first and chooses it."""
    raw = request.GET.get("unit", "")
    if not raw.isdigit() or len(raw) > 18:
        return units, None
    chosen = next((u for u in units if u.pk == int(raw)), None)
    if chosen is None:
        chosen = OrgUnit.objects.current().filter(pk=int(raw)).first()
        if chosen is not None:
            units = [chosen, *units]
    return units, chosen


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
    units, chosen = _units_with_preselected(request, list(search_units(text)))
    if request.method == "POST":
        if ratelimit.over_limit(request, "petitions_submit", limit=LIMITS["petitions_submit"]):
            return ratelimit.too_many(request)
        form = SubmitForm(request.POST, units=units)
        valid = form.is_valid() or _replay_of_filed(form)
        if valid and form.cleaned_data["website"]:
            form.add_error(None, _("The form could not be sent. Please try again."))
        elif valid:
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
    if chosen is None and len(units) == 1:
        chosen = units[0]
    form = SubmitForm(units=units, initial={"org_unit": chosen.pk} if chosen else {})
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
        if ratelimit.over_limit(request, "petitions_track", limit=LIMITS["petitions_track"]):
            return ratelimit.too_many(request)
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
