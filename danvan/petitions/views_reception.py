"""Reception pages: the schedule with the heads' shortfalls, sessions, the book 03/TCD and its XLSX export.

Thin over ``danvan.petitions.reception``. A unit or an entry the user cannot see is a 404 like one
that does not exist; a denunciation's visitor is shown as a mask on every page and in the export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of

from . import reception
from .forms_reception import CancelForm, FollowUpForm, SessionForm, VisitForm, units_for
from .models import PetitionKind, ReceptionSession, RefusalGround, VisitHandling

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_BATCH = 500


def _unit(request: HttpRequest) -> OrgUnit | None:
    """The unit of ``?unit=`` (404 if not visible), else the current unit, else the user's first unit."""
    raw = request.GET.get("unit", "")
    if raw:
        if not raw.isdigit() or len(raw) > 12:
            raise Http404
        unit = OrgUnit.objects.filter(pk=int(raw)).select_related("kind").first()
        if unit is None or not request.user.has_perm("petitions.view_reception", unit):
            raise Http404
        return unit
    current = getattr(request, "current_unit", None)
    if current and request.user.has_perm("petitions.view_reception", current):
        return current
    ids = scope_of(request.user).unit_ids
    return OrgUnit.objects.filter(pk__in=ids[:1]).select_related("kind").first() if ids else None


def _month(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        return timezone.localdate().replace(day=1)


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


def _version(form: Any) -> Any:
    return form.cleaned_data.get("lock_version")


# --------------------------------------------------------------------------- schedule


@login_required
@require_GET
def schedule(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    month = _month(request)
    first, last = reception._month_bounds(month)
    sessions: list[ReceptionSession] = []
    shortfalls: list[reception.Shortfall] = []
    if unit is not None:
        sessions = list(reception.sessions_for(request.user, unit, first, last)[: reception.MAX_SESSIONS])
        shortfalls = reception.schedule_shortfalls(unit, first)
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = last + dt.timedelta(days=1)
    return render(request, "petitions/reception/schedule.html", {
        "unit": unit, "month": first, "sessions": sessions, "shortfalls": shortfalls,
        "units": units_for(request.user), "prev_month": prev_month, "next_month": next_month,
        "can_schedule": unit is not None and request.user.has_perm("petitions.schedule_reception", unit),
    })


SESSION_KEYS = ("date", "starts_at", "ends_at", "by_head", "host_name", "host_title", "mode", "location",
                "online_link", "published", "note")


def _session_kwargs(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in SESSION_KEYS}


def _back_to_schedule(s: ReceptionSession) -> HttpResponse:
    query = urlencode({"unit": str(s.org_unit_id), "month": f"{s.date:%Y-%m}"})
    return redirect(f"{reverse('petitions:reception')}?{query}")


@login_required
def session_new(request: HttpRequest) -> HttpResponse:
    units = units_for(request.user, reception.SCHEDULE_ROLES)
    unit = _unit(request) if request.method == "GET" else None
    form = SessionForm(request.POST or None, units=units, initial={"org_unit": getattr(unit, "pk", None)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            s = reception.schedule_session(actor=request.user, org_unit=d["org_unit"], **_session_kwargs(d))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The reception session was scheduled."))
            return _back_to_schedule(s)
    return render(request, "petitions/reception/session_form.html", {"form": form, "session": None},
                  status=400 if request.method == "POST" else 200)


def _session(request: HttpRequest, pk: int) -> ReceptionSession:
    s = get_object_or_404(reception.sessions_for(request.user), pk=pk)
    if not request.user.has_perm("petitions.schedule_reception", s.org_unit):
        raise PermissionDenied(_("You are not allowed to schedule receptions for this unit."))
    return s


@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    s = _session(request, pk)
    units = OrgUnit.objects.filter(pk=s.org_unit_id)
    initial = {**{k: getattr(s, k) for k in SESSION_KEYS}, "org_unit": s.org_unit_id, "lock_version": s.lock_version}
    form = SessionForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reception.update_session(actor=request.user, session=s, expected_version=_version(form),
                                     **_session_kwargs(form.cleaned_data))
        except (ValidationError, ConcurrentEditError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The reception session was changed."))
            return _back_to_schedule(s)
    return render(request, "petitions/reception/session_form.html", {"form": form, "session": s},
                  status=400 if request.method == "POST" else 200)


@login_required
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    s = _session(request, pk)
    form = CancelForm(request.POST or None, initial={"lock_version": s.lock_version})
    if request.method == "POST" and form.is_valid():
        try:
            reception.cancel_session(actor=request.user, session=s, reason=form.cleaned_data["reason"],
                                     expected_version=_version(form))
        except (ValidationError, ConcurrentEditError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The reception session was cancelled."))
            return _back_to_schedule(s)
    return render(request, "petitions/reception/session_cancel.html", {"form": form, "session": s},
                  status=400 if request.method == "POST" else 200)


# --------------------------------------------------------------------------- the book


@login_required
@require_GET
def book(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    year = _year(request)
    raw_after = request.GET.get("after", "")
    after = int(raw_after) if raw_after.isdigit() and len(raw_after) < 10 else None
    rows: list[Any] = []
    nxt = None
    if unit is not None:
        visits, nxt = reception.book(request.user, unit, year, after=after)
        rows = [{"visit": v, "who": reception.shown_identity(v)} for v in visits]
    return render(request, "petitions/reception/book.html", {
        "unit": unit, "year": year, "rows": rows, "next_after": nxt, "after": after,
        "units": units_for(request.user),
        "can_record": unit is not None and request.user.has_perm("petitions.record_visit", unit),
    })


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    units = units_for(request.user, reception.INTAKE_ROLES)
    unit = _unit(request) if request.method == "GET" else None
    form = VisitForm(request.POST or None, units=units,
                     initial={"org_unit": getattr(unit, "pk", None), "visited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        petition_data: dict[str, Any] | None = None
        if d["create_petition"]:
            petition_data = {"content": d["petition_content"]}
            if d["petition_field"] is not None:
                petition_data["field"] = d["petition_field"]
        try:
            visit = reception.record_visit(
                actor=request.user, org_unit=d["org_unit"], visited_on=d["visited_on"],
                visitor_name=d["visitor_name"], visitor_address=d["visitor_address"], id_number=d["id_number"],
                summary=d["summary"], kind=d["kind"], people_count=d["people_count"], prior_bodies=d["prior_bodies"],
                has_written_petition=d["has_written_petition"], content_signed=d["content_signed"],
                handling=d["handling"], forwarded_to_name=d["forwarded_to_name"],
                forward_document_number=d["forward_document_number"], refusal_ground=d["refusal_ground"],
                refusal_reason=d["refusal_reason"], create_petition=d["create_petition"],
                petition_data=petition_data, idempotency_key=d["idempotency_key"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"petition_data.field": "petition_field", "content": "petition_content",
                                           "field": "petition_field"})
        else:
            messages.success(request, _("The visit was recorded in the reception book as number %(n)d.")
                             % {"n": visit.number})
            return redirect("petitions:reception_visit", visit.pk)
    return render(request, "petitions/reception/visit_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = reception.visit_for(request.user, pk)
    if visit is None:
        raise Http404
    can_record = request.user.has_perm("petitions.record_visit", visit.org_unit)
    form = FollowUpForm(request.POST or None, initial={"follow_up": visit.follow_up,
                                                       "lock_version": visit.lock_version})
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied(_("You are not allowed to record reception visits for this unit."))
        if form.is_valid():
            try:
                reception.update_follow_up(actor=request.user, visit=visit, follow_up=form.cleaned_data["follow_up"],
                                           expected_version=_version(form))
            except (ValidationError, ConcurrentEditError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The follow-up was saved."))
                return redirect("petitions:reception_visit", visit.pk)
    petitions = list(visit.petitions.filter(deleted_at__isnull=True).only("pk", "number", "number_year"))
    return render(request, "petitions/reception/visit_detail.html", {
        "visit": visit, "who": reception.shown_identity(visit), "form": form, "can_record": can_record,
        "petitions": petitions, "notices": list(visit.notices.all()),
    }, status=400 if request.method == "POST" else 200)


# --------------------------------------------------------------------------- XLSX export


def _columns() -> list[str]:
    return [_("No."), _("Date"), _("Full name"), _("Address"), _("ID number"), _("Summary of content"), _("Kind"),
            _("People with the same content"), _("Bodies that already handled it"), _("Handling"),
            _("Forwarded to / document number"), _("Ground for refusal"), _("Follow-up of the result")]


def _xlsx_rows(user: Any, unit: OrgUnit, year: int) -> Iterator[bytes]:
    """The workbook written row by row (openpyxl write-only) to a temporary file, then streamed in chunks."""
    import tempfile

    from openpyxl import Workbook

    kinds, handlings, grounds = dict(PetitionKind.choices), dict(VisitHandling.choices), dict(RefusalGround.choices)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Reception book"))
    ws.append([_("Reception book (form 03/TCD)"), unit.name, year])
    ws.append(_columns())
    after = None
    while True:
        rows, after = reception.book(user, unit, year, after=after, limit=XLSX_BATCH)
        for v in rows:
            who = reception.shown_identity(v)
            forwarded = " – ".join(x for x in (v.forwarded_to_name, v.forward_document_number) if x)
            ws.append([v.number, v.visited_on.strftime("%d/%m/%Y"), who["name"], who["address"], who["id_number"],
                       v.summary, str(kinds.get(v.kind, v.kind)), v.people_count, v.prior_bodies,
                       str(handlings.get(v.handling, v.handling)), forwarded,
                       str(grounds.get(v.refusal_ground, "")) if v.refusal_ground else "", v.follow_up])
        if after is None:
            break
    with tempfile.TemporaryFile() as tmp:
        wb.save(tmp)
        tmp.seek(0)
        while chunk := tmp.read(64 * 1024):
            yield chunk


@login_required
@require_GET
def book_xlsx(request: HttpRequest) -> StreamingHttpResponse:
    unit = _unit(request)
    if unit is None:
        raise Http404
    year = _year(request)
    response = StreamingHttpResponse(_xlsx_rows(request.user, unit, year), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="so-tiep-cong-dan-{unit.pk}-{year}.xlsx"'
    return response
