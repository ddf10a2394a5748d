"""Fatherland Front supervision and social critique pages: the list, a supervision with the unit's response,
and the forms that record, correct, answer and remove one.

Thin over ``danvan.disclosures.supervision``. Only the Front body's people and the unit supervised (and
the units above them) see a supervision: anyone else gets a 404, an action not allowed is a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of, subtree_q

from . import attachments, supervision
from .forms_supervision import (
    RespondForm,
    SupervisionDeleteForm,
    SupervisionEditForm,
    SupervisionFilterForm,
    SupervisionForm,
)
from .models import FrontSupervision
from .rules import FRONT_ROLES
from .views_boards import page_of, query_without_cursor, reading_units, with_state

FRONT_KIND = "front"


def front_bodies(user: Any) -> QuerySet[OrgUnit]:
    """Front units the user may write for (as a Front supervisor or an administrator)."""
    scope = scope_of(user)
    qs = OrgUnit.objects.current().filter(kind__code=FRONT_KIND).order_by("path")
    return qs if scope.is_superuser else qs.filter(subtree_q(scope.paths(FRONT_ROLES)))


def supervisable_units(user: Any) -> QuerySet[OrgUnit]:
    """Units the user's Front roles reach: a Front body's level of government, or the unit held itself."""
    scope = scope_of(user)
    qs = OrgUnit.objects.current().exclude(kind__code=FRONT_KIND).order_by("path")
    if scope.is_superuser:
        return qs
    ids = {g.unit_id for g in scope.grants if g.role in FRONT_ROLES}
    areas = [supervision.supervised_area(u) if u.kind.code == FRONT_KIND else u.path
             for u in OrgUnit.objects.current().select_related("kind").filter(pk__in=ids)]
    return qs.filter(subtree_q(areas))


def _supervision(request: HttpRequest, pk: int) -> FrontSupervision:
    sup = (supervision.supervisions_for(request.user).select_related("org_unit", "front_unit", "responded_by")
           .filter(pk=pk).first())
    if sup is None:
        raise Http404
    return sup


def _require(request: HttpRequest, perm: str, obj: Any) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


@login_required
def supervision_list(request: HttpRequest) -> HttpResponse:
    form = SupervisionFilterForm(request.GET or None, units=reading_units(request.user))
    qs = supervision.supervisions_for(request.user).select_related("org_unit", "front_unit")
    if form.is_valid():
        d = form.cleaned_data
        if d["unit"] is not None:
            qs = qs.filter(subtree_q([d["unit"].path], prefix="org_unit__")
                           | subtree_q([d["unit"].path], prefix="front_unit__"))
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
        today = timezone.localdate()
        if d["state"] == "responded":
            qs = qs.filter(responded_on__isnull=False)
        elif d["state"] == "overdue":
            qs = qs.filter(responded_on__isnull=True, response_due_on__lt=today)
        elif d["state"] == "awaiting":
            qs = qs.filter(Q(response_due_on__gte=today) | Q(response_due_on__isnull=True), responded_on__isnull=True)
    rows, nxt = page_of(qs, request, "starts_on")
    return render(request, "disclosures/supervision_list.html", {
        "form": form, "items": with_state(rows), "next": nxt, "query": query_without_cursor(request),
        "can_create": supervisable_units(request.user).exists(),
    })


@login_required
def supervision_create(request: HttpRequest) -> HttpResponse:
    units, fronts = supervisable_units(request.user), front_bodies(request.user)
    initial: dict[str, Any] = {"starts_on": timezone.localdate()}
    only = list(fronts[:2])
    if len(only) == 1:
        initial["front_unit"] = only[0].pk
    form = SupervisionForm(request.POST or None, units=units, fronts=fronts, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                sup = supervision.record_supervision(actor=request.user, **form.cleaned_data)
            except PermissionDenied:
                status = 403
                form.add_error("front_unit", _("Choose the Front body you supervise for."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The supervision was recorded."))
                return redirect("disclosures:supervision_detail", sup.pk)
    return render(request, "disclosures/supervision_form.html", {
        "form": form, "has_units": units.exists(), "supervision": None}, status=status)


def _detail(request: HttpRequest, sup: FrontSupervision, *, status: int = 200, **forms: Form) -> HttpResponse:
    user = request.user
    with_state([sup])
    initial = {"expected_version": sup.lock_version, "response": sup.response,
               "responded_on": sup.responded_on or timezone.localdate(), "late_reason": sup.late_reason}
    return render(request, "disclosures/supervision_detail.html", {
        "supervision": sup,
        "can_change": user.has_perm("disclosures.change_supervision", sup),
        "can_respond": user.has_perm("disclosures.respond", sup),
        "respond_form": forms.get("respond_form") or RespondForm(initial=initial),
        "delete_form": forms.get("delete_form") or SupervisionDeleteForm(),
        "attachments": attachments.listed(sup),
        "can_attach": attachments.may_write(user, sup),
    }, status=status)


@login_required
def supervision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _supervision(request, pk))


@login_required
def supervision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    sup = _supervision(request, pk)
    _require(request, "disclosures.change_supervision", sup)
    initial = {name: getattr(sup, name) for name in supervision.EDITABLE}
    form = SupervisionEditForm(request.POST or None, initial={**initial, "expected_version": sup.lock_version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                supervision.update_supervision(actor=request.user, supervision=sup, **form.cleaned_data)
            except ConcurrentEditError as exc:
                status = 409
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The supervision was saved."))
                return redirect("disclosures:supervision_detail", sup.pk)
    return render(request, "disclosures/supervision_form.html", {
        "form": form, "has_units": True, "supervision": sup}, status=status)


@login_required
@require_POST
def supervision_respond(request: HttpRequest, pk: int) -> HttpResponse:
    sup = _supervision(request, pk)
    _require(request, "disclosures.respond", sup)
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            supervision.respond_to_supervision(actor=request.user, supervision=sup, **form.cleaned_data)
        except ConcurrentEditError as exc:
            form.add_error(None, exc.messages)
            return _detail(request, sup, status=409, respond_form=form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The response was saved."))
            return redirect("disclosures:supervision_detail", sup.pk)
    return _detail(request, sup, status=400, respond_form=form)


@login_required
@require_POST
def supervision_delete(request: HttpRequest, pk: int) -> HttpResponse:
    sup = _supervision(request, pk)
    _require(request, "disclosures.change_supervision", sup)
    form = SupervisionDeleteForm(request.POST)
    if form.is_valid():
        try:
            supervision.delete_supervision(actor=request.user, supervision=sup, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The supervision was removed."))
            return redirect("disclosures:supervision_list")
    return _detail(request, sup, status=400, delete_form=form)
