"""Officials' pages of thematic programmes: the list, a programme with its steering board, steps (late ones
flagged), criteria with evidence, linked satisfaction survey and final evaluation, and their actions.

Thin over ``programmes`` (writes and the one definition of lateness). A programme the user may not read
is a 404, as if it did not exist; an action the user may not take is a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors
from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_ids
from danvan.orgs.scope import scope_of, subtree_q
from danvan.plans.models import Plan
from danvan.plans.rules import PUBLISHED
from danvan.surveys.models import Survey

from . import attachments
from . import programmes as svc
from .forms_programmes import (
    AssessForm,
    CriterionForm,
    EvaluateForm,
    MemberForm,
    ProgrammeFilterForm,
    ProgrammeForm,
    ReasonForm,
    StepCompleteForm,
    StepForm,
)
from .models import Programme, ProgrammeCriterion, ProgrammeStatus, ProgrammeStep, SteeringMember
from .rules import CHANGE_ROLES

PAGE_SIZE = 50


# --------------------------------------------------------------------------- units, plans, surveys


def reading_units(user: Any) -> QuerySet[OrgUnit]:
    return (OrgUnit.objects.current().visible_to(user).exclude(kind__code="village")
            .select_related("kind").order_by("path"))


def editing_units(user: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.current().visible_to(user, roles=CHANGE_ROLES).exclude(kind__code="village").order_by(
        "path")


def _plans_for(user: Any, unit: OrgUnit | None) -> QuerySet[Plan]:
    """Plans a programme may carry out: of the unit or above (editing), of the user's units or above (new)."""
    qs = Plan.objects.alive().order_by("-year", "-pk")
    # A plan of a unit above counts only once issued: a draft is its issuer's own (plans/rules.py).
    if unit is not None:
        return qs.filter(Q(issuer_id=unit.pk) | Q(issuer_id__in=unit.ancestor_ids, status__in=PUBLISHED))
    scope = scope_of(user)
    if scope.is_superuser:
        return qs
    paths = scope.paths(CHANGE_ROLES)
    ids = {i for p in paths for i in ancestor_ids(p)}
    return qs.filter(Q(issuer_id__in=ids, status__in=PUBLISHED) | subtree_q(paths, prefix="issuer__"))


def _surveys_for(user: Any, unit: OrgUnit | None) -> QuerySet[Survey]:
    qs = Survey.objects.filter(deleted_at__isnull=True).order_by("-pk")
    if unit is not None:
        return qs.filter(subtree_q([unit.path], prefix="org_unit__"))
    return qs.visible_to(user, roles=CHANGE_ROLES)


def programmes_for(user: Any) -> QuerySet[Programme]:
    return Programme.objects.visible_to(user).filter(deleted_at__isnull=True)


def programme_for(request: HttpRequest, pk: int) -> Programme:
    row = programmes_for(request.user).select_related("org_unit", "plan", "survey", "created_by").filter(
        pk=pk).first()
    if row is None or not request.user.has_perm("practices.view", row):
        raise Http404
    return row


# --------------------------------------------------------------------------- list


@login_required
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = ProgrammeFilterForm(request.GET or None, units=reading_units(request.user))
    qs = programmes_for(request.user).select_related("org_unit")
    status = 200
    if form.is_bound and not form.is_valid():
        qs, status = qs.none(), 400
    elif form.is_bound:
        d = form.cleaned_data
        if d["unit"]:
            qs = qs.filter(subtree_q([d["unit"].path], prefix="org_unit__"))
        if d["year"]:
            qs = qs.filter(starts_on__year__lte=d["year"], ends_on__year__gte=d["year"])
        if d["status"]:
            qs = qs.filter(status=d["status"])
    qs = qs.annotate(
        step_count=Count("steps", distinct=True),
        done_count=Count("steps", filter=Q(steps__done_on__isnull=False), distinct=True),
        late_count=Count("steps", filter=svc.late_q(today, "steps__"), distinct=True),
    )
    if form.is_bound and form.is_valid() and form.cleaned_data["late"]:
        qs = qs.filter(late_count__gt=0)
    after = request.GET.get("after", "")
    if after.isdigit() and len(after) <= 18:
        qs = qs.filter(pk__lt=int(after))
    rows = list(qs.order_by("-pk")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "practices/programme_list.html", {
        "form": form, "rows": rows, "next_after": rows[-1].pk if more and rows else None,
        "query": query.urlencode(), "first_page": bool(after),
        "can_create": editing_units(request.user).exists(),
    }, status=status)


# --------------------------------------------------------------------------- one programme


def _survey_summary(programme: Programme) -> dict[str, Any] | None:
    if programme.survey is None or programme.survey.deleted_at is not None:
        return None
    from danvan.surveys import index
    from danvan.surveys.models import Response

    result = index.compute(responses_qs=Response.objects.filter(survey=programme.survey))
    return {"survey": programme.survey, "respondents": result.respondents, "overall": result.overall}


def _detail(request: HttpRequest, p: Programme, *, status: int = 200, **forms: Form) -> HttpResponse:
    today = timezone.localdate()
    can_change = request.user.has_perm("practices.change", p)
    is_open = p.status != ProgrammeStatus.EVALUATED
    steps = list(p.steps.all())
    failed_step = forms.get("complete_form")
    rows = []
    for s in steps:
        bound = failed_step if failed_step is not None and failed_step.prefix == f"s{s.pk}" else None
        rows.append({"s": s, "late": svc.is_late(s, today),
                     "overdue": s.done_on is None and s.ends_on < today,
                     "form": bound or StepCompleteForm(prefix=f"s{s.pk}", initial={"done_on": today})})
    criteria = list(p.criteria.all())
    failed_assess = forms.get("assess_form")
    crit_rows = []
    for c in criteria:
        bound = failed_assess if failed_assess is not None and failed_assess.prefix == f"c{c.pk}" else None
        initial = {"met": "" if c.met is None else ("yes" if c.met else "no"), "evidence": c.evidence}
        crit_rows.append({"c": c, "form": bound or AssessForm(prefix=f"c{c.pk}", initial=initial)})
    ctx = {
        "p": p, "steps": rows, "criteria": crit_rows, "members": list(p.steering.all()),
        "late_count": sum(1 for r in rows if r["late"]), "done_count": sum(1 for s in steps if s.done_on),
        "met_count": sum(1 for c in criteria if c.met is True),
        "assessed_count": sum(1 for c in criteria if c.met is not None),
        "survey": _survey_summary(p), "today": today,
        "can_change": can_change and is_open, "can_evaluate": can_change,
        "can_delete": request.user.has_perm("practices.delete", p),
        "member_form": forms.get("member_form") or MemberForm(prefix="m"),
        "step_form": forms.get("step_form") or StepForm(prefix="st"),
        "criterion_form": forms.get("criterion_form") or CriterionForm(prefix="cr"),
        "evaluate_form": forms.get("evaluate_form") or EvaluateForm(prefix="ev", initial={
            "expected_version": p.lock_version, "evaluated_on": p.evaluated_on or today,
            "final_evaluation": p.final_evaluation}),
        "delete_form": forms.get("delete_form") or ReasonForm(prefix="del"),
        "remove_form": ReasonForm(prefix="rm"),
        # Evidence of the criteria and the programme's documents (practices/attachments.py owns the rules).
        "attachments": attachments.listed(p), "can_attach": attachments.may_write(request.user, p),
    }
    return render(request, "practices/programme_detail.html", ctx, status=status)


@login_required
@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, programme_for(request, pk))


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    units = editing_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("You may not record programmes."))
    initial: dict[str, Any] = {}
    current = getattr(request, "current_unit", None)
    if current and request.user.has_perm("practices.change", current):
        initial["org_unit"] = current.pk
    form = ProgrammeForm(request.POST or None, units=units, initial=initial, plans=_plans_for(request.user, None),
                         surveys=_surveys_for(request.user, None))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                p = svc.create_programme(actor=request.user, org_unit=form.cleaned_data["org_unit"],
                                         **form.service_fields())
            except PermissionDenied:
                status = 403
                form.add_error("org_unit", _("You may not record programmes for this unit."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The programme was saved."))
                return redirect("practices:programme_detail", p.pk)
    return render(request, "practices/programme_form.html", {"form": form, "p": None}, status=status)


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    p = programme_for(request, pk)
    if not request.user.has_perm("practices.change", p):
        raise PermissionDenied(_("You may not change the programmes of this unit."))
    if p.status == ProgrammeStatus.EVALUATED:
        raise PermissionDenied(_("An evaluated programme cannot be changed."))
    initial = {name: getattr(p, name) for name in svc.EDITABLE}
    initial.update(plan=p.plan_id, survey=p.survey_id, expected_version=p.lock_version)
    form = ProgrammeForm(request.POST or None, initial=initial, plans=_plans_for(request.user, p.org_unit),
                         surveys=_surveys_for(request.user, p.org_unit))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                svc.update_programme(actor=request.user, programme=p,
                                     expected_version=form.cleaned_data["expected_version"], **form.service_fields())
            except ConcurrentEditError as exc:
                status = 409
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The programme was saved."))
                return redirect("practices:programme_detail", p.pk)
    return render(request, "practices/programme_form.html", {"form": form, "p": p}, status=status)


def _post(request: HttpRequest, p: Programme, form: Form, name: str, perm: str, call: Callable[[dict], Any],
          done: str, anchor: str = "") -> HttpResponse:
    if not request.user.has_perm(perm, p):
        raise PermissionDenied(_("You may not do this for this unit."))
    if form.is_valid():
        try:
            call(dict(form.cleaned_data))
        except ConcurrentEditError as exc:
            form.add_error(None, exc.messages)
            return _detail(request, programme_for(request, p.pk), status=409, **{name: form})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            if name == "delete_form":
                return redirect("practices:programme_list")
            return redirect(reverse("practices:programme_detail", args=[p.pk]) + anchor)
    return _detail(request, p, status=400, **{name: form})


def _part(model: Any, p: Programme, part_pk: int) -> Any:
    row = model.objects.filter(pk=part_pk, programme=p).first()
    if row is None:
        raise Http404
    row.programme = p
    return row


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    p = programme_for(request, pk)
    return _post(request, p, MemberForm(request.POST, prefix="m"), "member_form", "practices.change",
                 lambda c: svc.add_member(actor=request.user, programme=p, **c),
                 _("The member was added to the steering board."), "#steering")


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    p = programme_for(request, pk)
    member = _part(SteeringMember, p, member_pk)
    return _post(request, p, Form(request.POST), "member_form", "practices.change",
                 lambda c: svc.remove_member(actor=request.user, member=member),
                 _("The member was removed from the steering board."), "#steering")


@login_required
@require_POST
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    p = programme_for(request, pk)
    return _post(request, p, StepForm(request.POST, prefix="st"), "step_form", "practices.change",
                 lambda c: svc.add_step(actor=request.user, programme=p, **c), _("The step was added."), "#steps")


@login_required
@require_POST
def step_complete(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    p = programme_for(request, pk)
    step = _part(ProgrammeStep, p, step_pk)
    return _post(request, p, StepCompleteForm(request.POST, prefix=f"s{step.pk}"), "complete_form",
                 "practices.change", lambda c: svc.complete_step(actor=request.user, step=step, **c),
                 _("The step was recorded as done."), "#steps")


@login_required
@require_POST
def step_remove(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    p = programme_for(request, pk)
    step = _part(ProgrammeStep, p, step_pk)
    form = ReasonForm(request.POST, prefix="rm")
    if not form.is_valid():
        if not request.user.has_perm("practices.change", p):
            raise PermissionDenied(_("You may not do this for this unit."))
        messages.error(request, _("Say why the step is removed."))
        return _detail(request, p, status=400)
    return _post(request, p, form, "remove_form", "practices.change",
                 lambda c: svc.remove_step(actor=request.user, step=step, **c), _("The step was removed."), "#steps")


@login_required
@require_POST
def criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    p = programme_for(request, pk)
    return _post(request, p, CriterionForm(request.POST, prefix="cr"), "criterion_form", "practices.change",
                 lambda c: svc.add_criterion(actor=request.user, programme=p, **c), _("The criterion was added."),
                 "#criteria")


@login_required
@require_POST
def criterion_assess(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    p = programme_for(request, pk)
    criterion = _part(ProgrammeCriterion, p, criterion_pk)
    return _post(request, p, AssessForm(request.POST, prefix=f"c{criterion.pk}"), "assess_form", "practices.change",
                 lambda c: svc.assess_criterion(actor=request.user, criterion=criterion, **c),
                 _("The assessment was saved."), "#criteria")


@login_required
@require_POST
def programme_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    p = programme_for(request, pk)
    return _post(request, p, EvaluateForm(request.POST, prefix="ev"), "evaluate_form", "practices.change",
                 lambda c: svc.evaluate_programme(actor=request.user, programme=p, **c),
                 _("The final evaluation was saved."), "#evaluation")


@login_required
@require_POST
def programme_delete(request: HttpRequest, pk: int) -> HttpResponse:
    p = programme_for(request, pk)
    return _post(request, p, ReasonForm(request.POST, prefix="del"), "delete_form", "practices.delete",
                 lambda c: svc.delete_programme(actor=request.user, programme=p, **c),
                 _("The programme was deleted."))
