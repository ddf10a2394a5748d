"""Officials' pages of dissemination sessions and inspections: the overview of a unit, the sessions and the
coverage of a document ("100% of units disseminated"), inspection plans, inspections with their findings and
follow-up actions.

Thin over ``services`` (writes) and ``queries`` (scoped reads). A record the user may not read is a 404, as if
it did not exist; an action the user may not take is a 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors
from danvan.legal.models import LegalDocument
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of, subtree_q

from . import queries, services
from .forms_pages import (
    ActionCompleteForm,
    ActionForm,
    CoverageForm,
    DeleteForm,
    DisseminationFilterForm,
    DisseminationForm,
    InspectionEditForm,
    InspectionForm,
    InspectionPlanForm,
    UnitForm,
)
from .models import Dissemination, FollowUpAction, Inspection, InspectionPlan
from .rules import CHANGE_ROLES

PAGE_SIZE = 50
COVERAGE_PAGE = 200
DOCUMENT_CHOICES = 50
LATE_SHOWN = 20


# --------------------------------------------------------------------------- units


def reading_units(user: Any) -> QuerySet[OrgUnit]:
    return (OrgUnit.objects.current().visible_to(user).exclude(kind__code="village")
            .select_related("kind").order_by("path"))


def editing_units(user: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.current().visible_to(user, roles=CHANGE_ROLES).exclude(kind__code="village").order_by(
        "path")


def _picked(request: HttpRequest, form: Any) -> OrgUnit | None:
    """The unit chosen in the form, else the unit the user works for, else their first unit."""
    if form.is_valid() and form.cleaned_data.get("unit"):
        return form.cleaned_data["unit"]  # type: ignore[no-any-return]
    if form.is_bound and form.errors.get("unit"):
        raise Http404
    unit = getattr(request, "current_unit", None)
    if unit and scope_of(request.user).covers(unit.path):  # a lazy object: None is falsy, not "is None"
        return unit  # type: ignore[no-any-return]
    return form.fields["unit"].queryset.first()  # type: ignore[no-any-return]


def _subtree(unit: OrgUnit, prefix: str = "org_unit__") -> Q:
    return subtree_q([unit.path], prefix=prefix)


def _page(request: HttpRequest, qs: QuerySet) -> tuple[list[Any], int | None, str, bool]:
    after = request.GET.get("after", "")
    if after.isdigit() and len(after) <= 18:
        qs = qs.filter(pk__lt=int(after))
    rows = list(qs.order_by("-pk")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    query = request.GET.copy()
    query.pop("after", None)
    return rows, (rows[-1].pk if more and rows else None), query.urlencode(), bool(after)


# --------------------------------------------------------------------------- home


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.GET or None, units=reading_units(request.user))
    unit = _picked(request, form)
    ctx: dict[str, Any] = {"form": form, "unit": unit}
    if unit is None:
        return render(request, "oversight/home.html", ctx)
    today = timezone.localdate()
    year = today.year
    sessions = queries.disseminations_for(request.user).filter(_subtree(unit))
    ctx["sessions"] = sessions.filter(held_on__year=year).aggregate(count=Count("pk"), people=Sum("participants"))
    ctx["recent"] = list(sessions.order_by("-held_on", "-pk").select_related("org_unit")[:10])
    ctx["plans"] = queries.plans_for(request.user).filter(_subtree(unit), year=year).count()
    ctx["inspections"] = queries.inspections_for(request.user).filter(
        _subtree(unit, "inspector__") | _subtree(unit), starts_on__year=year).count()
    actions = queries.actions_for(request.user).filter(
        _subtree(unit, "owner_unit__") | _subtree(unit, "inspection__inspector__"))
    ctx["actions"] = actions.aggregate(open=Count("pk", filter=Q(done_on__isnull=True)),
                                       late=Count("pk", filter=Q(done_on__isnull=True, due_on__lt=today)))
    ctx["late"] = list(actions.filter(done_on__isnull=True, due_on__lt=today)
                       .select_related("owner_unit", "inspection__org_unit").order_by("due_on", "pk")[:LATE_SHOWN])
    ctx.update(year=year, today=today, can_change=request.user.has_perm("oversight.change", unit))
    return render(request, "oversight/home.html", ctx)


# --------------------------------------------------------------------------- dissemination


def dissemination_for(request: HttpRequest, pk: int) -> Dissemination:
    row = queries.disseminations_for(request.user).select_related("org_unit", "created_by").filter(pk=pk).first()
    if row is None or not request.user.has_perm("oversight.view", row):
        raise Http404
    return row


@login_required
@require_GET
def dissemination_list(request: HttpRequest) -> HttpResponse:
    form = DisseminationFilterForm(request.GET or None, units=reading_units(request.user))
    qs = queries.disseminations_for(request.user).select_related("org_unit")
    status, document = 200, None
    if form.is_bound and not form.is_valid():
        qs, status = qs.none(), 400
    elif form.is_bound:
        d = form.cleaned_data
        if d["unit"]:
            qs = qs.filter(_subtree(d["unit"]))
        if d["year"]:
            qs = qs.filter(held_on__year=d["year"])
        if d["document"]:
            document = LegalDocument.objects.filter(pk=d["document"]).first()
            qs = qs.filter(documents=d["document"])
    rows, next_after, query, first_page = _page(request, qs.prefetch_related("documents"))
    return render(request, "oversight/dissemination_list.html", {
        "form": form, "rows": rows, "next_after": next_after, "query": query, "first_page": first_page,
        "document": document, "can_create": editing_units(request.user).exists(),
    }, status=status)


def _document_choices(request: HttpRequest, selected: list[LegalDocument]) -> list[LegalDocument]:
    """The documents offered: those chosen, then a search of the registry (``?q=``) or its newest ones."""
    q = request.GET.get("q", "").strip()[:200]
    qs = LegalDocument.objects.all()
    found = list((qs.search(q) if q else qs).order_by("-issued_on", "-pk")[:DOCUMENT_CHOICES])
    seen = {d.pk for d in selected}
    return list(selected) + [d for d in found if d.pk not in seen]


def _posted_documents(request: HttpRequest) -> list[LegalDocument]:
    ids = [int(v) for v in request.POST.getlist("documents") if v.isdigit() and len(v) <= 18][:100]
    return list(LegalDocument.objects.filter(pk__in=ids)) if ids else []


@login_required
def dissemination_create(request: HttpRequest) -> HttpResponse:
    units = editing_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("You may not record dissemination sessions."))
    initial: dict[str, Any] = {"held_on": timezone.localdate()}
    current = getattr(request, "current_unit", None)
    if current and request.user.has_perm("oversight.change", current):
        initial["org_unit"] = current.pk
    post = request.method == "POST"
    form = DisseminationForm(request.POST if post else None, units=units, initial=initial,
                             documents=_document_choices(request, _posted_documents(request) if post else []))
    status = 200
    if post:
        status = 400
        if form.is_valid():
            try:
                row = services.record_dissemination(actor=request.user, org_unit=form.cleaned_data["org_unit"],
                                                    **form.service_fields())
            except PermissionDenied:
                status = 403
                form.add_error("org_unit", _("You may not record sessions for this unit."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The session was recorded."))
                return redirect("oversight:dissemination_detail", row.pk)
    return render(request, "oversight/dissemination_form.html", {"form": form, "d": None,
                                                                 "q": request.GET.get("q", "")}, status=status)


@login_required
def dissemination_edit(request: HttpRequest, pk: int) -> HttpResponse:
    d = dissemination_for(request, pk)
    if not request.user.has_perm("oversight.change", d):
        raise PermissionDenied(_("You may not change the sessions of this unit."))
    post = request.method == "POST"
    current_docs = list(d.documents.all())
    initial = {name: getattr(d, name) for name in services.DISSEMINATION_EDITABLE if name != "documents"}
    initial.update(documents=[doc.pk for doc in current_docs], expected_version=d.lock_version)
    selected = _posted_documents(request) if post else current_docs
    form = DisseminationForm(request.POST if post else None, initial=initial,
                             documents=_document_choices(request, selected))
    status = 200
    if post:
        status = 400
        if form.is_valid():
            try:
                services.update_dissemination(actor=request.user, dissemination=d,
                                              expected_version=form.cleaned_data["expected_version"],
                                              **form.service_fields())
            except ConcurrentEditError as exc:
                status = 409
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The session was saved."))
                return redirect("oversight:dissemination_detail", d.pk)
    return render(request, "oversight/dissemination_form.html", {"form": form, "d": d,
                                                                 "q": request.GET.get("q", "")}, status=status)


def _dissemination_detail(request: HttpRequest, d: Dissemination, status: int = 200,
                          delete_form: Form | None = None) -> HttpResponse:
    return render(request, "oversight/dissemination_detail.html", {
        "d": d, "documents": list(d.documents.all()),
        "can_change": request.user.has_perm("oversight.change", d),
        "can_delete": request.user.has_perm("oversight.delete", d),
        "delete_form": delete_form or DeleteForm(),
    }, status=status)


@login_required
@require_GET
def dissemination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _dissemination_detail(request, dissemination_for(request, pk))


@login_required
@require_POST
def dissemination_delete(request: HttpRequest, pk: int) -> HttpResponse:
    d = dissemination_for(request, pk)
    if not request.user.has_perm("oversight.delete", d):
        raise PermissionDenied(_("You may not delete the sessions of this unit."))
    form = DeleteForm(request.POST)
    if form.is_valid():
        try:
            services.delete_dissemination(actor=request.user, dissemination=d, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The session was deleted."))
            return redirect("oversight:dissemination_list")
    return _dissemination_detail(request, d, status=400, delete_form=form)


@login_required
@require_GET
def dissemination_coverage(request: HttpRequest) -> HttpResponse:
    """Which units of the subtree held a session on a document, and the share: "100% of units disseminated"."""
    units = reading_units(request.user)
    data = request.GET or None
    unit_form = UnitForm(data, units=units)
    unit = _picked(request, unit_form)
    documents: list[LegalDocument] = []
    if unit is not None:
        ids = (Dissemination.objects.filter(_subtree(unit), deleted_at__isnull=True)
               .values("documents").annotate(n=Count("pk")).order_by("-n").values_list("documents", flat=True)
               [:DOCUMENT_CHOICES])
        documents = list(LegalDocument.objects.filter(pk__in=[i for i in ids if i]))
    raw = request.GET.get("document", "")
    if raw.isdigit() and len(raw) <= 18 and all(d.pk != int(raw) for d in documents):
        documents += list(LegalDocument.objects.filter(pk=int(raw)))
    form = CoverageForm(data, units=units, documents=documents)
    ctx: dict[str, Any] = {"form": form, "unit": unit}
    status = 200
    if form.is_bound and not form.is_valid():
        if form.errors.get("unit"):
            raise Http404
        status = 400
    document = next((d for d in documents if form.is_valid() and d.pk == form.cleaned_data["document"]), None)
    if unit is not None and document is not None:
        year = form.cleaned_data["year"]
        date_from = dt.date(year, 1, 1) if year else None
        date_to = dt.date(year, 12, 31) if year else None
        scope = queries.coverage_units(unit)
        done, total = queries.disseminated_share(scope, document, date_from, date_to)
        rows_qs = scope.annotate(done=queries.session_exists(document, date_from, date_to)).select_related("kind")
        state = form.cleaned_data["state"]
        if state:
            rows_qs = rows_qs.filter(done=state == "done")
        after = request.GET.get("after", "")
        if after.isdigit() and len(after) <= 255:
            rows_qs = rows_qs.filter(path__gt=after)
        rows = list(rows_qs.order_by("path")[: COVERAGE_PAGE + 1])
        more = len(rows) > COVERAGE_PAGE
        rows = rows[:COVERAGE_PAGE]
        query = request.GET.copy()
        query.pop("after", None)
        ctx.update(document=document, done=done, total=total, rows=rows, year=year,
                   share=round(100 * done / total, 1) if total else None,
                   next_after=rows[-1].path if more else None, query=query.urlencode(), first_page=bool(after),
                   list_url=reverse("oversight:dissemination_list"))
    return render(request, "oversight/dissemination_coverage.html", ctx, status=status)


# --------------------------------------------------------------------------- inspection plans


def plan_for(request: HttpRequest, pk: int) -> InspectionPlan:
    row = queries.plans_for(request.user).select_related("org_unit", "created_by").filter(pk=pk).first()
    if row is None or not request.user.has_perm("oversight.view", row):
        raise Http404
    return row


@login_required
@require_GET
def inspection_plan_list(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.GET or None, units=reading_units(request.user))
    qs = queries.plans_for(request.user).select_related("org_unit").annotate(
        planned=Count("units", distinct=True),
        done=Count("inspections", filter=Q(inspections__deleted_at__isnull=True), distinct=True))
    status = 200
    if form.is_bound and not form.is_valid():
        qs, status = qs.none(), 400
    elif form.is_bound and form.cleaned_data["unit"]:
        qs = qs.filter(_subtree(form.cleaned_data["unit"]))
    year = request.GET.get("year", "")
    if year.isdigit() and len(year) == 4:
        qs = qs.filter(year=int(year))
    rows, next_after, query, first_page = _page(request, qs)
    return render(request, "oversight/inspection_plan_list.html", {
        "form": form, "rows": rows, "next_after": next_after, "query": query, "first_page": first_page,
        "year": year, "can_create": editing_units(request.user).exists(),
    }, status=status)


@login_required
def inspection_plan_create(request: HttpRequest) -> HttpResponse:
    units = editing_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("You may not make inspection plans."))
    today = timezone.localdate()
    form = InspectionPlanForm(request.POST or None, units=units, targets=reading_units(request.user),
                              initial={"year": today.year})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                plan = services.create_inspection_plan(actor=request.user, org_unit=form.cleaned_data["org_unit"],
                                                       **form.service_fields())
            except PermissionDenied:
                status = 403
                form.add_error("org_unit", _("You may not make inspection plans for this unit."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The inspection plan was saved."))
                return redirect("oversight:inspection_plan_detail", plan.pk)
    return render(request, "oversight/inspection_plan_form.html", {"form": form}, status=status)


def _plan_detail(request: HttpRequest, plan: InspectionPlan, status: int = 200,
                 delete_form: Form | None = None) -> HttpResponse:
    inspections = list(plan.inspections.filter(deleted_at__isnull=True).select_related("org_unit")
                       .annotate(open_actions=Count("actions", filter=Q(actions__done_on__isnull=True)))
                       .order_by("starts_on", "pk"))
    inspected = {i.org_unit_id for i in inspections}
    units = list(plan.units.order_by("path"))
    return render(request, "oversight/inspection_plan_detail.html", {
        "plan": plan, "units": [{"u": u, "done": u.pk in inspected} for u in units],
        "done_count": sum(1 for u in units if u.pk in inspected), "inspections": inspections,
        "can_change": request.user.has_perm("oversight.change", plan),
        "can_delete": request.user.has_perm("oversight.delete", plan),
        "delete_form": delete_form or DeleteForm(),
    }, status=status)


@login_required
@require_GET
def inspection_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_detail(request, plan_for(request, pk))


@login_required
@require_POST
def inspection_plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_for(request, pk)
    if not request.user.has_perm("oversight.delete", plan):
        raise PermissionDenied(_("You may not delete the plans of this unit."))
    form = DeleteForm(request.POST)
    if form.is_valid():
        try:
            services.delete_inspection_plan(actor=request.user, plan=plan, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The inspection plan was deleted."))
            return redirect("oversight:inspection_plan_list")
    return _plan_detail(request, plan, status=400, delete_form=form)


# --------------------------------------------------------------------------- inspections


def inspection_for(request: HttpRequest, pk: int) -> Inspection:
    row = (queries.inspections_for(request.user).select_related("inspector", "org_unit", "plan", "created_by")
           .filter(pk=pk).first())
    if row is None or not request.user.has_perm("oversight.view", row):
        raise Http404
    return row


@login_required
@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.GET or None, units=reading_units(request.user))
    today = timezone.localdate()
    qs = queries.inspections_for(request.user).select_related("inspector", "org_unit").annotate(
        open_actions=Count("actions", filter=Q(actions__done_on__isnull=True)),
        late_actions=Count("actions", filter=Q(actions__done_on__isnull=True, actions__due_on__lt=today)))
    status = 200
    if form.is_bound and not form.is_valid():
        qs, status = qs.none(), 400
    elif form.is_bound and form.cleaned_data["unit"]:
        unit = form.cleaned_data["unit"]
        qs = qs.filter(_subtree(unit, "inspector__") | _subtree(unit))
    if request.GET.get("late") == "1":
        qs = qs.filter(late_actions__gt=0)
    rows, next_after, query, first_page = _page(request, qs)
    return render(request, "oversight/inspection_list.html", {
        "form": form, "rows": rows, "next_after": next_after, "query": query, "first_page": first_page,
        "can_create": editing_units(request.user).exists(),
    }, status=status)


@login_required
def inspection_create(request: HttpRequest) -> HttpResponse:
    inspectors = editing_units(request.user)
    if not inspectors.exists():
        raise PermissionDenied(_("You may not record inspections."))
    plan = None
    raw = request.GET.get("plan", "")
    if raw:
        plan = plan_for(request, int(raw)) if raw.isdigit() and len(raw) <= 18 else None
        if plan is None:
            raise Http404
    initial: dict[str, Any] = {}
    targets = reading_units(request.user)
    if plan is not None:
        initial["inspector"] = plan.org_unit_id
        if plan.units.exists():
            targets = plan.units.order_by("path")
    form = InspectionForm(request.POST or None, inspectors=inspectors, targets=targets, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            c = form.cleaned_data
            try:
                row = services.record_inspection(actor=request.user, plan=plan, **c)
            except PermissionDenied:
                status = 403
                form.add_error("inspector", _("You may not record inspections for this unit."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The inspection was recorded."))
                return redirect("oversight:inspection_detail", row.pk)
    return render(request, "oversight/inspection_form.html", {"form": form, "plan": plan}, status=status)


def _action_owners(inspection: Inspection) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.current().filter(_subtree(inspection.org_unit, "") | Q(pk=inspection.inspector_id)).order_by(
        "path")


def _inspection_detail(request: HttpRequest, i: Inspection, status: int = 200, **forms: Form) -> HttpResponse:
    today = timezone.localdate()
    can_change = request.user.has_perm("oversight.change", i)
    failed = forms.get("complete_form")
    actions = []
    for a in i.actions.select_related("owner_unit").order_by("due_on", "pk"):
        a.inspection = i
        bound = failed if failed is not None and failed.prefix == f"a{a.pk}" else None
        actions.append({
            "a": a, "late": queries.is_late(a, today),
            "can_report": a.done_on is None and request.user.has_perm("oversight.report_action", a),
            "form": bound or ActionCompleteForm(prefix=f"a{a.pk}", initial={"expected_version": a.lock_version,
                                                                             "done_on": today}),
        })
    return render(request, "oversight/inspection_detail.html", {
        "i": i, "actions": actions, "can_change": can_change,
        "can_delete": request.user.has_perm("oversight.delete", i),
        "action_form": forms.get("action_form") or (ActionForm(prefix="act", owners=_action_owners(i),
                                                               initial={"owner_unit": i.org_unit_id})
                                                    if can_change else None),
        "edit_form": forms.get("edit_form") or InspectionEditForm(prefix="ed", initial={
            "expected_version": i.lock_version, "starts_on": i.starts_on, "ends_on": i.ends_on,
            "findings": i.findings, "conclusion": i.conclusion}),
        "delete_form": forms.get("delete_form") or DeleteForm(prefix="del"),
    }, status=status)


@login_required
@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _inspection_detail(request, inspection_for(request, pk))


def _post(request: HttpRequest, i: Inspection, form: Form, name: str, perm_ok: bool, call: Callable[[dict], Any],
          done: str, go: str = "") -> HttpResponse:
    if not perm_ok:
        raise PermissionDenied(_("You may not do this for this unit."))
    if form.is_valid():
        try:
            call(dict(form.cleaned_data))
        except ConcurrentEditError as exc:
            form.add_error(None, exc.messages)
            return _inspection_detail(request, inspection_for(request, i.pk), status=409, **{name: form})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(go or reverse("oversight:inspection_detail", args=[i.pk]) + "#actions")
    return _inspection_detail(request, i, status=400, **{name: form})


@login_required
@require_POST
def inspection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    i = inspection_for(request, pk)
    return _post(request, i, InspectionEditForm(request.POST, prefix="ed"), "edit_form",
                 request.user.has_perm("oversight.change", i),
                 lambda c: services.update_inspection(actor=request.user, inspection=i, **c),
                 _("The inspection was saved."))


@login_required
@require_POST
def inspection_delete(request: HttpRequest, pk: int) -> HttpResponse:
    i = inspection_for(request, pk)
    return _post(request, i, DeleteForm(request.POST, prefix="del"), "delete_form",
                 request.user.has_perm("oversight.delete", i),
                 lambda c: services.delete_inspection(actor=request.user, inspection=i, **c),
                 _("The inspection was deleted."), reverse("oversight:inspection_list"))


@login_required
@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    i = inspection_for(request, pk)
    return _post(request, i, ActionForm(request.POST, prefix="act", owners=_action_owners(i)), "action_form",
                 request.user.has_perm("oversight.change", i),
                 lambda c: services.add_action(actor=request.user, inspection=i, **c),
                 _("The follow-up action was added."))


@login_required
@require_POST
def action_complete(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    i = inspection_for(request, pk)
    action = FollowUpAction.objects.select_related("owner_unit").filter(pk=action_pk, inspection=i).first()
    if action is None:
        raise Http404
    action.inspection = i
    return _post(request, i, ActionCompleteForm(request.POST, prefix=f"a{action.pk}"), "complete_form",
                 request.user.has_perm("oversight.report_action", action),
                 lambda c: services.complete_action(actor=request.user, action=action, **c),
                 _("The action was reported as done."))
