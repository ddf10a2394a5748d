"""Grassroots mediation pages: the list, a new case (also from a petition or a visit), a case with its
sessions, and the forms that record a session, add a mediator, close or remove the case.

Thin over ``danvan.petitions.mediation``: it decides who may write and what is valid; a case the
user may not read is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors
from danvan.orgs.models import OrgUnit
from danvan.orgs.roles import EDITING_ROLES
from danvan.orgs.scope import scope_of, subtree_q

from . import mediation
from .forms_mediation import (
    CloseForm,
    DeleteForm,
    MediationFilterForm,
    MediationForm,
    MediatorForm,
    SessionForm,
)
from .models import MediationCase, MediationStatus, Petition, ReceptionVisit


def _reading_units(user: Any) -> QuerySet[OrgUnit]:
    scope = scope_of(user)
    if scope.is_superuser:
        return OrgUnit.objects.current().filter(parent__isnull=True).order_by("path")
    return OrgUnit.objects.current().filter(pk__in=scope.unit_ids).order_by("path")


def _editing_units(user: Any) -> QuerySet[OrgUnit]:
    """Units whose mediation team the user may run: those where they edit, and every unit below them."""
    scope = scope_of(user)
    qs = OrgUnit.objects.current().order_by("path")
    if scope.is_superuser:
        return qs
    return qs.filter(subtree_q(scope.paths(EDITING_ROLES)))


def _int(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


def _case(request: HttpRequest, pk: int) -> MediationCase:
    case = mediation.mediation_for(request.user, pk)
    if case is None:
        raise Http404
    return case


@login_required
def mediation_list(request: HttpRequest) -> HttpResponse:
    units = _reading_units(request.user)
    form = MediationFilterForm(request.GET or None, units=units)
    unit = status = None
    if form.is_valid():
        unit, status = form.cleaned_data["unit"], form.cleaned_data["status"] or None
    try:
        page = mediation.mediations_for(request.user, unit=unit, status=status, after=request.GET.get("after"))
    except ValidationError:
        page = mediation.mediations_for(request.user, unit=unit, status=status)
    query = request.GET.copy()
    query.pop("after", None)
    can_open = _editing_units(request.user).exists()
    return render(request, "petitions/mediation/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "can_open": can_open,
    })


def _source(request: HttpRequest) -> tuple[Petition | None, ReceptionVisit | None]:
    petition = visit = None
    if (pid := _int(request.GET.get("petition", ""))) is not None:
        petition = (Petition.objects.visible_to(request.user).filter(deleted_at__isnull=True).select_related("org_unit")
                    .filter(pk=pid).first())
        if petition is None:
            raise Http404
    if (vid := _int(request.GET.get("visit", ""))) is not None:
        visit = (ReceptionVisit.objects.visible_to(request.user).select_related("org_unit")
                 .filter(pk=vid, deleted_at__isnull=True).first())
        if visit is None:
            raise Http404
    return petition, visit


@login_required
def mediation_new(request: HttpRequest) -> HttpResponse:
    petition, visit = _source(request)
    units = _editing_units(request.user)
    source = petition or visit
    initial: dict[str, Any] = {}
    if source is not None:
        initial["org_unit"] = source.org_unit_id
        initial["subject"] = (petition.summary if petition is not None else visit.summary)[:300]  # type: ignore[union-attr]
    form = MediationForm(request.POST or None, units=units, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                case = mediation.open_mediation(
                    actor=request.user, org_unit=d["org_unit"], subject=d["subject"], parties=d["parties"],
                    opened_on=d["opened_on"], petition=petition, visit=visit, mediators=d["mediators"],
                )
            except PermissionDenied:
                status = 403
                form.add_error("org_unit", _("You are not allowed to record mediations for this unit."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The mediation was opened."))
                return redirect("petitions:mediation_detail", case.pk)
    return render(request, "petitions/mediation/new.html", {
        "form": form, "petition": petition, "visit": visit, "has_units": units.exists(),
    }, status=status)


def _detail(request: HttpRequest, case: MediationCase, *, status: int = 200, **forms: Form) -> HttpResponse:
    can_edit = request.user.has_perm("petitions.mediate", case)
    is_open = case.status == MediationStatus.OPEN
    initial = {"expected_version": case.lock_version}
    ctx: dict[str, Any] = {
        "case": case, "can_edit": can_edit and is_open, "can_delete": can_edit,
        "mediators": list(case.mediators.all()), "sessions": list(case.sessions.all()),
        "session_form": forms.get("session_form") or SessionForm(initial=initial),
        "close_form": forms.get("close_form") or CloseForm(initial=initial),
        "mediator_form": forms.get("mediator_form") or MediatorForm(initial=initial),
        "delete_form": forms.get("delete_form") or DeleteForm(initial=initial),
    }
    return render(request, "petitions/mediation/detail.html", ctx, status=status)


@login_required
def mediation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _case(request, pk))


def _post(request: HttpRequest, pk: int, form_class: type[Form], name: str, call: Any, done: str) -> HttpResponse:
    """Validate, call the service, and either go back to the case or show the form with its errors."""
    case = _case(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        d = dict(form.cleaned_data)
        try:
            call(case, d)
        except ConcurrentEditError as exc:
            form.add_error(None, exc.messages)
            return _detail(request, case, status=409, **{name: form})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            if name == "delete_form":
                return redirect("petitions:mediation_list")
            return redirect("petitions:mediation_detail", case.pk)
    return _detail(request, case, status=400, **{name: form})


@login_required
@require_POST
def mediation_session(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, SessionForm, "session_form", lambda case, d: mediation.record_session(
        actor=request.user, case=case, **d), _("The session was recorded."))


@login_required
@require_POST
def mediation_mediator(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, MediatorForm, "mediator_form", lambda case, d: mediation.add_mediator(
        actor=request.user, case=case, **d), _("The mediator was added."))


@login_required
@require_POST
def mediation_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, CloseForm, "close_form", lambda case, d: mediation.close_mediation(
        actor=request.user, case=case, **d), _("The mediation was closed."))


@login_required
@require_POST
def mediation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, DeleteForm, "delete_form", lambda case, d: mediation.delete_mediation(
        actor=request.user, case=case, **d), _("The mediation was removed."))
