"""Pages of residents' decisions and consultations: lists, forms, a record's page with its actions.

Thin over ``decisions`` and ``consultations``, which check the law and the permissions. A record the
user may not read is a 404, exactly like one that does not exist; an action the user may not take on
a record they can read is a 403.
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

from . import consultations, decisions
from .forms_decisions import (
    CloseForm,
    ConsultationEditForm,
    ConsultationFilterForm,
    DecisionFilterForm,
    DeleteForm,
    OpenForm,
    PublishForm,
    ResidentDecisionForm,
    SentForm,
    default_dates,
)
from .models import Consultation, ConsultationStatus, ResidentDecision
from .rules import CHANGE_ROLES

RECORD_KINDS = ("commune", "village")


# --------------------------------------------------------------------------- shared


def filter_units(user: Any) -> QuerySet[OrgUnit]:
    """The units offered in a list's filter: the user's own units and the units right below them (bounded)."""
    scope = scope_of(user)
    qs = OrgUnit.objects.current().order_by("path")
    if scope.is_superuser:
        return qs.filter(Q(parent__isnull=True) | Q(parent__parent__isnull=True))
    ids = scope.unit_ids
    return qs.filter(Q(pk__in=ids) | Q(parent_id__in=ids))


def editing_units(user: Any) -> QuerySet[OrgUnit]:
    """Communes and villages where the user may record: those where they edit and every one below them."""
    scope = scope_of(user)
    qs = OrgUnit.objects.current().filter(kind__code__in=RECORD_KINDS).order_by("path")
    if scope.is_superuser:
        return qs
    return qs.filter(subtree_q(scope.paths(CHANGE_ROLES)))


def _query_without_cursor(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("after", None)
    return query.urlencode()


def _errors_into(form: Form, exc: ValidationError, rename: dict[str, str] | None = None) -> int:
    """Put a service's errors on the form; 409 for a concurrent edit (the form must be reloaded), else 400."""
    if isinstance(exc, ConcurrentEditError):
        form.add_error(None, exc.messages)
        return 409
    add_service_errors(form, exc, rename)
    return 400


def _attachments(record: Any) -> list[Any]:
    return list(record.attachments.filter(deleted_at__isnull=True).order_by("uploaded_at", "pk"))


# --------------------------------------------------------------------------- decisions


def _decision(request: HttpRequest, pk: int) -> ResidentDecision:
    decision = decisions.decision_for(request.user, pk)
    if decision is None:
        raise Http404
    return decision


@login_required
def decision_list(request: HttpRequest) -> HttpResponse:
    form = DecisionFilterForm(request.GET or None, units=filter_units(request.user))
    filters: dict[str, Any] = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {"unit": d["unit"], "matter": d["matter"] or None, "year": d["year"],
                   "passed": {"passed": True, "failed": False}.get(d["result"]), "sending": d["sending"] or None}
    try:
        page = decisions.decisions_page(request.user, after=request.GET.get("after"), **filters)
    except ValidationError:
        page = decisions.decisions_page(request.user, **filters)
    today = timezone.localdate()
    rows = [(d, decisions.send_state(d, today)) for d in page.items]
    return render(request, "disclosures/decision_list.html", {
        "form": form, "page": page, "rows": rows, "query": _query_without_cursor(request),
        "can_create": editing_units(request.user).exists(),
    })


@login_required
def decision_create(request: HttpRequest) -> HttpResponse:
    units = editing_units(request.user)
    form = ResidentDecisionForm(request.POST or None, units=units)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = dict(form.cleaned_data)
            try:
                decision = decisions.record_decision(actor=request.user, **d)
            except PermissionDenied:
                status = 403
                form.add_error("org_unit", _("You may not record the residents' decisions of this unit."))
            except ValidationError as exc:
                status = _errors_into(form, exc)
            else:
                messages.success(request, _("The decision was recorded."))
                return redirect("disclosures:decision_detail", decision.pk)
    return render(request, "disclosures/decision_form.html", {
        "form": form, "decision": None, "has_units": units.exists(),
    }, status=status)


def _decision_page(request: HttpRequest, decision: ResidentDecision, *, status: int = 200,
                   **forms: Form) -> HttpResponse:
    initial = {"expected_version": decision.lock_version}
    can_change = request.user.has_perm("disclosures.change", decision)
    return render(request, "disclosures/decision_detail.html", {
        "decision": decision, "explain": decisions.explain(decision), "state": decisions.send_state(decision),
        "can_change": can_change, "can_delete": request.user.has_perm("disclosures.delete", decision),
        "attachments": _attachments(decision),
        "sent_form": forms.get("sent_form") or SentForm(initial=initial),
        "delete_form": forms.get("delete_form") or DeleteForm(),
    }, status=status)


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision_page(request, _decision(request, pk))


@login_required
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if not request.user.has_perm("disclosures.change", decision):
        raise PermissionDenied
    initial = {name: getattr(decision, name) for name in decisions.EDITABLE}
    initial["expected_version"] = decision.lock_version
    form = ResidentDecisionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = dict(form.cleaned_data)
            version = d.pop("expected_version")
            try:
                decisions.update_decision(actor=request.user, decision=decision, expected_version=version, **d)
            except ValidationError as exc:
                status = _errors_into(form, exc)
            else:
                messages.success(request, _("The decision was saved."))
                return redirect("disclosures:decision_detail", decision.pk)
    return render(request, "disclosures/decision_form.html", {"form": form, "decision": decision, "has_units": True},
                  status=status)


@login_required
@require_POST
def decision_sent(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if not request.user.has_perm("disclosures.change", decision):
        raise PermissionDenied
    form = SentForm(request.POST)
    if form.is_valid():
        try:
            decisions.mark_sent(actor=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as exc:
            return _decision_page(request, decision, status=_errors_into(form, exc), sent_form=form)
        messages.success(request, _("The sending to the commune was recorded."))
        return redirect("disclosures:decision_detail", decision.pk)
    return _decision_page(request, decision, status=400, sent_form=form)


@login_required
@require_POST
def decision_delete(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if not request.user.has_perm("disclosures.delete", decision):
        raise PermissionDenied
    form = DeleteForm(request.POST)
    if form.is_valid():
        try:
            decisions.delete_decision(actor=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as exc:
            return _decision_page(request, decision, status=_errors_into(form, exc), delete_form=form)
        messages.success(request, _("The decision was removed."))
        return redirect("disclosures:decision_list")
    return _decision_page(request, decision, status=400, delete_form=form)


# --------------------------------------------------------------------------- consultations


def _consultation(request: HttpRequest, pk: int) -> Consultation:
    consultation = consultations.consultation_for(request.user, pk)
    if consultation is None:
        raise Http404
    return consultation


@login_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    form = ConsultationFilterForm(request.GET or None, units=filter_units(request.user))
    filters: dict[str, Any] = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {"unit": d["unit"], "matter": d["matter"] or None, "status": d["status"] or None,
                   "year": d["year"]}
    try:
        page = consultations.consultations_page(request.user, after=request.GET.get("after"), **filters)
    except ValidationError:
        page = consultations.consultations_page(request.user, **filters)
    return render(request, "disclosures/consultation_list.html", {
        "form": form, "page": page, "query": _query_without_cursor(request),
        "can_create": editing_units(request.user).exists(),
    })


def _is_closed(consultation: Consultation) -> bool:
    return consultation.status in (ConsultationStatus.CLOSED, ConsultationStatus.PUBLISHED)


@login_required
def consultation_create(request: HttpRequest) -> HttpResponse:
    units = editing_units(request.user)
    form = ConsultationEditForm(request.POST or None, units=units, initial={**default_dates(), "is_public": True})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                consultation = consultations.create_consultation(actor=request.user, **form.cleaned_data)
            except PermissionDenied:
                status = 403
                form.add_error("org_unit", _("You may not record the consultations of this unit."))
            except ValidationError as exc:
                status = _errors_into(form, exc)
            else:
                messages.success(request, _("The consultation was recorded as a draft."))
                return redirect("disclosures:consultation_detail", consultation.pk)
    return render(request, "disclosures/consultation_form.html", {
        "form": form, "consultation": None, "has_units": units.exists(),
    }, status=status)


def _consultation_page(request: HttpRequest, c: Consultation, *, status: int = 200, **forms: Form) -> HttpResponse:
    initial = {"expected_version": c.lock_version}
    return render(request, "disclosures/consultation_detail.html", {
        "consultation": c, "methods": consultations.method_labels(c),
        "can_change": request.user.has_perm("disclosures.change", c),
        "can_delete": request.user.has_perm("disclosures.delete", c),
        "attachments": _attachments(c),
        "open_form": forms.get("open_form") or OpenForm(initial=initial),
        "close_form": forms.get("close_form") or CloseForm(initial={**initial, "opinions_received": 0}),
        "publish_form": forms.get("publish_form") or PublishForm(initial={
            **initial, "taken_into_account": c.taken_into_account}),
        "delete_form": forms.get("delete_form") or DeleteForm(),
    }, status=status)


@login_required
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _consultation_page(request, _consultation(request, pk))


@login_required
def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    c = _consultation(request, pk)
    if not request.user.has_perm("disclosures.change", c):
        raise PermissionDenied
    closed = _is_closed(c)
    initial = {name: getattr(c, name) for name in consultations.EDITABLE}
    initial["expected_version"] = c.lock_version
    form = ConsultationEditForm(request.POST or None, initial=initial, closed=closed)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = dict(form.cleaned_data)
            version = d.pop("expected_version")
            try:
                consultations.update_consultation(actor=request.user, consultation=c, expected_version=version, **d)
            except ValidationError as exc:
                status = _errors_into(form, exc)
            else:
                messages.success(request, _("The consultation was saved."))
                return redirect("disclosures:consultation_detail", c.pk)
    return render(request, "disclosures/consultation_form.html", {"form": form, "consultation": c, "has_units": True},
                  status=status)


def _consultation_action(request: HttpRequest, pk: int, form_class: type[Form], name: str, call: Any,
                         done: str, perm: str = "disclosures.change") -> HttpResponse:
    c = _consultation(request, pk)
    if not request.user.has_perm(perm, c):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(c, dict(form.cleaned_data))
        except ValidationError as exc:
            return _consultation_page(request, c, status=_errors_into(form, exc), **{name: form})
        messages.success(request, done)
        if name == "delete_form":
            return redirect("disclosures:consultation_list")
        return redirect("disclosures:consultation_detail", c.pk)
    return _consultation_page(request, c, status=400, **{name: form})


@login_required
@require_POST
def consultation_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _consultation_action(request, pk, OpenForm, "open_form", lambda c, d: consultations.open_consultation(
        actor=request.user, consultation=c, **d), _("The consultation is open for opinions."))


@login_required
@require_POST
def consultation_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _consultation_action(request, pk, CloseForm, "close_form", lambda c, d: consultations.close_consultation(
        actor=request.user, consultation=c, **d), _("The consultation was closed."))


@login_required
@require_POST
def consultation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _consultation_action(request, pk, PublishForm, "publish_form", lambda c, d: consultations.publish_result(
        actor=request.user, consultation=c, **d), _("The result was published."))


@login_required
@require_POST
def consultation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _consultation_action(request, pk, DeleteForm, "delete_form", lambda c, d: consultations.delete_consultation(
        actor=request.user, consultation=c, **d), _("The consultation was removed."), perm="disclosures.delete")
