"""Retention pages (eligible list → decision form → confirm → done; past decisions) and the personal-data export.

Thin over ``retention`` and ``subject_export``: they decide who may and what is valid. Nothing here
renders a filer's name or a petition's content: the eligible list shows numbers, kinds and dates.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from danvan.core.forms import add_service_errors
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of, subtree_q

from . import retention, subject_export
from .forms_retention import DecisionForm, SubjectExportForm, UnitForm
from .rules import SUBJECT_EXPORT_ROLES

UNIT_CHOICES_MAX = 300


def _limit_choices(form: Any, units: QuerySet[OrgUnit]) -> None:
    """At most ``UNIT_CHOICES_MAX`` units in the select; the field still validates against the whole queryset."""
    form.fields["unit"].widget.choices = [(u.pk, u.name) for u in units.only("pk", "name", "path")[:UNIT_CHOICES_MAX]]


def _chosen_unit(request: HttpRequest, units: QuerySet[OrgUnit]) -> OrgUnit | None:
    form = UnitForm(request.GET or None, units=units)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["unit"]
    return units.first()


def _list_page(request: HttpRequest, units: QuerySet[OrgUnit], unit: OrgUnit | None, form: DecisionForm | None,
               status: int = 200) -> HttpResponse:
    rows = retention.eligible_for_destruction(unit) if unit is not None else []
    chosen = set(form.cleaned_data.get("ids", [])) if form is not None and hasattr(form, "cleaned_data") else set()
    if form is None:
        form = DecisionForm(units=units, initial={"unit": unit.pk if unit else None,
                                                  "decided_on": timezone.localdate()})
    _limit_choices(form, units)
    picker = UnitForm(units=units, initial={"unit": unit.pk if unit else None})
    _limit_choices(picker, units)
    return render(request, "petitions/retention/eligible.html", {
        "unit": unit, "rows": rows, "form": form, "picker": picker, "chosen": chosen,
        "limit": retention.LIST_LIMIT, "full": len(rows) >= retention.LIST_LIMIT,
    }, status=status)


def _units_or_403(request: HttpRequest) -> QuerySet[OrgUnit]:
    units = retention.decision_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("Only the head or an administrator of a unit can decide to destroy petitions."))
    return units


@login_required
@require_GET
def eligible(request: HttpRequest) -> HttpResponse:
    units = _units_or_403(request)
    return _list_page(request, units, _chosen_unit(request, units), None)


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Shows what the decision will destroy; destroys nothing."""
    units = _units_or_403(request)
    form = DecisionForm(request.POST, units=units)
    if not form.is_valid():
        unit = form.cleaned_data.get("unit") if hasattr(form, "cleaned_data") else None
        return _list_page(request, units, unit or units.first(), form, 400)
    unit = form.cleaned_data["unit"]
    ids = form.cleaned_data["ids"]
    rows = retention.eligible_for_destruction(unit, ids=ids, limit=None)
    missing = sorted(set(ids) - {r.petition.pk for r in rows})
    decided = form.cleaned_data["decided_on"]
    if decided > timezone.localdate():
        form.add_error("decided_on", _("The date cannot be in the future."))
    if missing:
        form.add_error(None, _("Some petitions chosen may no longer be destroyed; the list was refreshed."))
    late = [r for r in rows if decided <= r.kept_until]
    if late:
        form.add_error("decided_on", _("The decision date must be after the end of the retention period of every "
                                       "petition it destroys."))
    if form.errors:
        return _list_page(request, units, unit, form, 400)
    return render(request, "petitions/retention/confirm.html", {
        "form": form, "unit": unit, "rows": rows, "ids": ids, "ids_hash": retention.ids_hash(ids),
        "d": form.cleaned_data,
    })


@login_required
@require_POST
def destroy(request: HttpRequest) -> HttpResponse:
    units = _units_or_403(request)
    form = DecisionForm(request.POST, units=units)
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            decision = retention.do_destroy(request.user, unit, form.decision_fields(), form.cleaned_data["ids"],
                                            expected_ids_hash=request.POST.get("ids_hash", "")[:64])
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"petitions": "__all__"})
        else:
            if getattr(decision, "replayed", False):
                messages.info(request, _("This decision was already recorded; nothing was destroyed twice."))
            else:
                messages.success(request, _("The decision is recorded and %(n)d petitions were destroyed.") % {
                    "n": len(decision.petition_numbers)})
            return redirect("petitions:retention_decision", decision.pk)
    unit = form.cleaned_data.get("unit") if hasattr(form, "cleaned_data") else None
    return _list_page(request, units, unit or units.first(), form, 400)


@login_required
@require_GET
def decisions(request: HttpRequest) -> HttpResponse:
    after = request.GET.get("after", "")
    rows = retention.decisions_for(request.user, after=int(after) if after.isdigit() and len(after) <= 12 else None,
                                   limit=50)
    return render(request, "petitions/retention/decisions.html", {
        "rows": rows, "next": rows[-1].pk if len(rows) == 50 else None,
        "can_decide": retention.decision_units(request.user).exists(),
    })


@login_required
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = retention.decision_for(request.user, pk)
    if decision is None:
        raise Http404
    return render(request, "petitions/retention/decision.html", {
        "decision": decision, "petitions": retention.destroyed_petitions(decision),
    })


# --------------------------------------------------------------------------- personal data export


def _export_units(user: Any) -> QuerySet[OrgUnit]:
    scope = scope_of(user)
    qs = OrgUnit.objects.current().order_by("path")
    if scope.is_superuser:
        return qs
    return qs.filter(subtree_q(scope.paths(SUBJECT_EXPORT_ROLES)))


@never_cache
@login_required
def subject_export_page(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: the citizen's file as a JSON download (never cached), or the form with errors."""
    units = _export_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("Only the head, an administrator or a reception officer of a unit can export "
                                 "a citizen's data."))
    form = SubjectExportForm(request.POST or None, units=units, initial={"unit": units.first()})
    _limit_choices(form, units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            data = subject_export.export_subject_data(
                actor=request.user, unit=d["unit"], id_number=d["id_number"], name=d["name"], address=d["address"],
                reason=d["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            body = json.dumps(data, ensure_ascii=False, indent=2)
            response = HttpResponse(body, content_type="application/json; charset=utf-8")
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            response["Content-Disposition"] = f'attachment; filename="du-lieu-ca-nhan-{stamp}.json"'
            return response
    return render(request, "petitions/subject_export/form.html", {
        "form": form, "decisions_url": reverse("petitions:retention_decisions"),
    }, status=400 if request.method == "POST" else 200)
