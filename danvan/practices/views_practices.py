"""Officials' pages of the "Dân vận khéo" registry: the list, a practice and its follow-up (updates with
evidence, reviews, evaluations, replications, commendations), the commendations of a year, the sets of
criteria, and the registration share of the units of a subtree against a plan's target.

Thin over ``services``, ``evaluation``, ``commendations`` (writes), ``queries`` (reads), ``attachments``.
A record the user may not read is a 404, as if it did not exist; an action the user may not take is a 403.
A recognised practice is public (the portal shows it), so any official may open it to adopt it; its
follow-up and files stay with the officials of its unit and above.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors, run_posted
from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_ids
from danvan.orgs.scope import scope_of, subtree_q
from danvan.plans.models import Measurement, Plan, Target
from danvan.plans.rules import PUBLISHED

from . import attachments, commendations, evaluation, queries, services
from .forms_practices import (
    AttachmentAddForm,
    AttachmentRemoveForm,
    CommendationFilterForm,
    CommendationForm,
    CriteriaSetForm,
    DeleteForm,
    EvaluationForm,
    PracticeFilterForm,
    PracticeForm,
    RegistrationForm,
    ReplicationForm,
    StopForm,
    UpdateForm,
)
from .models import Commendation, CriteriaSet, Evaluation, Practice, PracticeStatus, Score
from .rules import CHANGE_ROLES, DECIDE_ROLES

PAGE_SIZE = 50
REGISTRATION_PAGE = 200
DETAIL_MAX = 200


# --------------------------------------------------------------------------- units


def reading_units(user: Any) -> QuerySet[OrgUnit]:
    """Units (not villages) the user may look at."""
    return (OrgUnit.objects.current().visible_to(user).exclude(kind__code="village")
            .select_related("kind").order_by("path"))


def editing_units(user: Any, roles: frozenset[str] = CHANGE_ROLES) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.current().visible_to(user, roles=roles).order_by("path")


def _default_unit(request: HttpRequest) -> OrgUnit | None:
    unit = getattr(request, "current_unit", None)
    if unit and scope_of(request.user).covers(unit.path):
        return unit  # type: ignore[no-any-return]
    return None


def _next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def _keyset(request: HttpRequest) -> int | None:
    after = request.GET.get("after", "")
    return int(after) if after.isdigit() and len(after) <= 18 else None


def _query_without_after(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("after", None)
    return query.urlencode()


# --------------------------------------------------------------------------- list


@login_required
@require_GET
def practice_list(request: HttpRequest) -> HttpResponse:
    form = PracticeFilterForm(request.GET or None, units=reading_units(request.user))
    qs = queries.practices_for(request.user)
    status = 200
    if form.is_bound and not form.is_valid():
        qs, status = qs.none(), 400
    elif form.is_bound:
        d = form.cleaned_data
        if d["scope"] == "recognised":
            qs = queries.adoptable_for(request.user).exclude(recognition_level="")
        if d["unit"]:
            qs = qs.filter(subtree_q([d["unit"].path], prefix="org_unit__"))
        if d["year"]:
            qs = qs.filter(year=d["year"])
        if d["field"]:
            qs = qs.filter(field=d["field"])
        if d["status"]:
            qs = qs.filter(status=d["status"])
        if d["level"] == "none":
            qs = qs.filter(recognition_level="")
        elif d["level"]:
            qs = qs.filter(recognition_level=d["level"])
        if d["ethnic_remote"]:
            qs = qs.filter(ethnic_remote=d["ethnic_remote"] == "yes")
    after = _keyset(request)
    if after is not None:
        qs = qs.filter(pk__lt=after)
    rows = list(qs.select_related("org_unit", "field").order_by("-pk")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return render(request, "practices/practice_list.html", {
        "form": form, "rows": rows, "next_after": rows[-1].pk if more and rows else None,
        "query": _query_without_after(request), "first_page": after is not None,
        "can_create": editing_units(request.user).exists(),
    }, status=status)


# --------------------------------------------------------------------------- one practice


def practice_for(request: HttpRequest, pk: int, *, adopt: bool = False) -> Practice:
    """The practice if the user may read it (or, with ``adopt``, if it is recognised); else 404."""
    source = queries.adoptable_for(request.user) if adopt else queries.practices_for(request.user)
    row = source.select_related("org_unit", "field", "target__plan", "created_by").filter(pk=pk).first()
    if row is None or not (request.user.has_perm("practices.view", row) or (adopt and row.recognition_level)):
        raise Http404
    return row


def _councils(user: Any, practice: Practice) -> QuerySet[OrgUnit]:
    """The practice's unit and those above it where the user may record a council's evaluation."""
    scope = scope_of(user)
    ids = [*practice.org_unit.ancestor_ids, practice.org_unit_id]
    units = OrgUnit.objects.current().filter(pk__in=ids).order_by("path")
    if scope.is_superuser:
        return units
    return units.filter(pk__in=[u.pk for u in units if scope.covers(u.path, CHANGE_ROLES)])


def _adopting_units(user: Any, practice: Practice) -> QuerySet[OrgUnit]:
    return editing_units(user).exclude(pk=practice.org_unit_id)


def _detail(request: HttpRequest, p: Practice, *, status: int = 200, **forms: Form) -> HttpResponse:
    user = request.user
    full = user.has_perm("practices.view", p)
    can_change = full and user.has_perm("practices.change", p)
    ctx: dict[str, Any] = {
        "p": p, "full": full, "spread": queries.spread(p),
        "can_change": can_change and p.status != PracticeStatus.STOPPED,
        "can_update": can_change and p.status not in (PracticeStatus.STOPPED, PracticeStatus.FINAL_REVIEWED),
        "can_stop": can_change and p.status != PracticeStatus.STOPPED,
        "can_delete": full and user.has_perm("practices.delete", p),
        "can_evaluate": full and p.status != PracticeStatus.STOPPED and _councils(user, p).exists(),
        "can_replicate": _adopting_units(user, p).exists(),
        "can_commend": full and editing_units(user, DECIDE_ROLES).exists(),
        "stop_form": forms.get("stop_form") or StopForm(initial={"expected_version": p.lock_version}),
        "delete_form": forms.get("delete_form") or DeleteForm(),
    }
    if full:
        updates = list(p.updates.select_related("actor").order_by("on", "pk")[:DETAIL_MAX])
        files = attachments.by_update(p)
        ctx["updates"] = [{"u": u, "files": files.get(u.pk, [])} for u in updates]
        ctx["evaluations"] = list(
            Evaluation.objects.filter(practice=p, deleted_at__isnull=True)
            .select_related("council_unit", "criteria_set")
            .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")
                                       .order_by("criterion__order", "criterion_id")))
            .order_by("-evaluated_on", "-pk")[:DETAIL_MAX])
        ctx["commendations"] = list(Commendation.objects.filter(practice=p, deleted_at__isnull=True)
                                    .select_related("awarding_unit").order_by("-year", "pk")[:DETAIL_MAX])
        ctx["attachments"] = attachments.listed(p)
    return render(request, "practices/practice_detail.html", ctx, status=status)


@login_required
@require_GET
def practice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, practice_for(request, pk, adopt=True))


def _targets(user: Any, unit: OrgUnit | None) -> QuerySet[Target]:
    if unit is not None:
        return services.targets_for(unit)
    """Targets of plans issued by the units the user registers for or above them (the service checks the unit)."""
    qs = Target.objects.filter(plan__deleted_at__isnull=True)
    scope = scope_of(user)
    if not scope.is_superuser:
        ids = sorted({pk for path in scope.paths(CHANGE_ROLES) for pk in ancestor_ids(path)})
        qs = qs.filter(Q(plan__issuer_id__in=ids, plan__status__in=PUBLISHED)  # a draft above is not ours to see
                       | Q(plan__in=Plan.objects.visible_to(user, roles=CHANGE_ROLES)))
    return qs.select_related("plan").order_by("-plan__year", "plan_id", "order", "pk")


@login_required
def practice_create(request: HttpRequest) -> HttpResponse:
    units = editing_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("You may not register practices."))
    today = timezone.localdate()
    initial: dict[str, Any] = {"year": today.year, "starts_on": today}
    default = _default_unit(request)
    if default is not None and request.user.has_perm("practices.change", default):
        initial["org_unit"] = default.pk
    form = PracticeForm(request.POST or None, units=units, initial=initial, targets=_targets(request.user, None))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                p = services.register_practice(actor=request.user, org_unit=form.cleaned_data["org_unit"],
                                               year=form.cleaned_data["year"], **form.service_fields())
            except PermissionDenied:
                status = 403
                form.add_error("org_unit", _("You may not register practices for this unit."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The practice was registered."))
                return redirect("practices:detail", p.pk)
    return render(request, "practices/practice_form.html", {"form": form, "p": None}, status=status)


@login_required
def practice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    p = practice_for(request, pk)
    if not request.user.has_perm("practices.change", p):
        raise PermissionDenied(_("You may not change the practices of this unit."))
    if p.status == PracticeStatus.STOPPED:
        raise PermissionDenied(_("A stopped practice cannot be changed."))
    initial = {name: getattr(p, name) for name in services.EDITABLE}
    initial["expected_version"] = p.lock_version
    form = PracticeForm(request.POST or None, initial=initial, targets=services.targets_for(p.org_unit))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_practice(actor=request.user, practice=p,
                                         expected_version=form.cleaned_data["expected_version"],
                                         **form.service_fields())
            except ConcurrentEditError as exc:
                status = 409
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The practice was saved."))
                return redirect("practices:detail", p.pk)
    return render(request, "practices/practice_form.html", {"form": form, "p": p}, status=status)


@login_required
def update_add(request: HttpRequest, pk: int) -> HttpResponse:
    p = practice_for(request, pk)
    if not request.user.has_perm("practices.change", p):
        raise PermissionDenied(_("You may not follow the practices of this unit."))
    form = UpdateForm(request.POST or None, request.FILES or None, initial={"on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            file = form.cleaned_data.get("file")
            try:
                services.add_update(actor=request.user, practice=p, kind=form.cleaned_data["kind"],
                                    on=form.cleaned_data["on"], text=form.cleaned_data["text"],
                                    files=[file] if file else [])
            except ValidationError as exc:
                add_service_errors(form, exc, rename={"files": "file"})
            else:
                messages.success(request, _("The update was recorded."))
                return redirect("practices:detail", p.pk)
    return render(request, "practices/practice_update_form.html", {"form": form, "p": p}, status=status)


def _action(request: HttpRequest, pk: int, form_class: type[Form], name: str, perm: str, call: Any,
            done: str) -> HttpResponse:
    """Validate, call the service, then back to the record (or to the list after a deletion)."""
    p = practice_for(request, pk)
    if not request.user.has_perm(perm, p):
        raise PermissionDenied(_("You may not do this for this unit."))
    after = reverse("practices:list") if name == "delete_form" else reverse("practices:detail", args=[p.pk])
    return run_posted(
        request, form_class(request.POST), lambda data: call(p, data), done=done, success_url=after,
        rerender=lambda form, status: _detail(request, practice_for(request, pk) if status == 409 else p,
                                                status=status, **{name: form}))


@login_required
@require_POST
def practice_stop(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, StopForm, "stop_form", "practices.change",
                   lambda p, c: services.stop_practice(actor=request.user, practice=p, **c),
                   _("The practice was stopped."))


@login_required
@require_POST
def practice_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, DeleteForm, "delete_form", "practices.delete",
                   lambda p, c: services.delete_practice(actor=request.user, practice=p, **c),
                   _("The practice was deleted."))


# --------------------------------------------------------------------------- evaluation, replication


def _chosen_set(request: HttpRequest, p: Practice) -> tuple[list[CriteriaSet], CriteriaSet | None]:
    sets = list(evaluation.sets_for(p.org_unit).select_related("owner")[:50])
    raw = request.POST.get("criteria_set") or request.GET.get("criteria_set") or ""
    chosen = next((s for s in sets if str(s.pk) == raw), None) if raw else (sets[0] if sets else None)
    if raw and chosen is None:
        raise Http404
    return sets, chosen


@login_required
def practice_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    p = practice_for(request, pk)
    councils = _councils(request.user, p)
    if not councils.exists():
        raise PermissionDenied(_("You may not record evaluations of this practice."))
    sets, chosen = _chosen_set(request, p)
    criteria = list(chosen.criteria.all()) if chosen else []
    nearest = councils.last()  # the unit of the practice itself, or the closest unit above it the user sits for
    initial = {"evaluated_on": timezone.localdate(), "council_unit": nearest.pk if nearest else None}
    form = EvaluationForm(request.POST or None, councils=councils, criteria=criteria, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                evaluation.evaluate(actor=request.user, practice=p, council_unit=d["council_unit"],
                                    criteria_set=chosen, evaluated_on=d["evaluated_on"], scores=form.scores(),
                                    level=d["level"], notes=d["notes"])
            except PermissionDenied:
                status = 403
                form.add_error("council_unit", _("You may not record evaluations for this council's unit."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The evaluation was recorded."))
                return redirect("practices:detail", p.pk)
    return render(request, "practices/evaluation_form.html", {
        "form": form, "p": p, "sets": sets, "chosen": chosen,
        "max_total": sum((c.max_score for c in criteria), 0),
    }, status=status)


@login_required
def practice_replicate(request: HttpRequest, pk: int) -> HttpResponse:
    p = practice_for(request, pk, adopt=True)
    units = _adopting_units(request.user, p)
    if not units.exists():
        raise PermissionDenied(_("You may not record replications."))
    form = ReplicationForm(request.POST or None, units=units, initial={"adopted_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                evaluation.replicate(actor=request.user, practice=p, **form.cleaned_data)
            except PermissionDenied:
                status = 403
                form.add_error("org_unit", _("You may not record replications for this unit."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The replication was recorded."))
                return redirect("practices:detail", p.pk)
    return render(request, "practices/replication_form.html", {"form": form, "p": p}, status=status)


# --------------------------------------------------------------------------- commendations


@login_required
@require_GET
def commendation_list(request: HttpRequest) -> HttpResponse:
    form = CommendationFilterForm(request.GET or None)
    qs = queries.commendations_for(request.user)
    status = 200
    if form.is_bound and not form.is_valid():
        qs, status = qs.none(), 400
    elif form.is_bound:
        d = form.cleaned_data
        if d["year"]:
            qs = qs.filter(year=d["year"])
        if d["level"]:
            qs = qs.filter(level=d["level"])
        if d["recipient_kind"]:
            qs = qs.filter(recipient_kind=d["recipient_kind"])
    after = _keyset(request)
    if after is not None:
        qs = qs.filter(pk__lt=after)
    rows = list(qs.select_related("awarding_unit", "org_unit", "practice").order_by("-pk")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    awarding = editing_units(request.user, DECIDE_ROLES)
    return render(request, "practices/commendation_list.html", {
        "form": form, "rows": rows, "next_after": rows[-1].pk if more and rows else None,
        "query": _query_without_after(request), "first_page": after is not None,
        "can_create": awarding.exists(),
        "can_delete": {r.pk for r in rows if request.user.has_perm("practices.commend", r.awarding_unit)},
    }, status=status)


@login_required
def commendation_create(request: HttpRequest) -> HttpResponse:
    awarding = editing_units(request.user, DECIDE_ROLES)
    if not awarding.exists():
        raise PermissionDenied(_("You may not record commendations."))
    today = timezone.localdate()
    initial: dict[str, Any] = {"year": today.year, "awarded_on": today}
    practice = None
    raw = request.GET.get("practice", "")
    if raw.isdigit() and len(raw) <= 18:
        practice = queries.practices_for(request.user).select_related("org_unit").filter(pk=int(raw)).first()
        if practice is not None:
            initial.update({"practice_id": practice.pk, "org_unit": practice.org_unit_id,
                            "recipient_name": practice.person_name or practice.org_unit.name,
                            "recipient_kind": practice.registered_by, "level": practice.recognition_level or ""})
    form = CommendationForm(request.POST or None, awarding=awarding, units=reading_units(request.user),
                            initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = dict(form.cleaned_data)
            practice_id = d.pop("practice_id")
            chosen = None
            if practice_id:
                chosen = queries.practices_for(request.user).filter(pk=practice_id).first()
                if chosen is None:
                    form.add_error("practice_id", _("No practice of your units has this number."))
            if not form.errors:
                try:
                    commendations.commend(actor=request.user, practice=chosen, **d)
                except PermissionDenied:
                    status = 403
                    form.add_error("awarding_unit", _("You may not record commendations of this unit."))
                except ValidationError as exc:
                    add_service_errors(form, exc, rename={"practice": "practice_id"})
                else:
                    messages.success(request, _("The commendation was recorded."))
                    if chosen is not None:
                        return redirect("practices:detail", chosen.pk)
                    return redirect("practices:commendation_list")
    return render(request, "practices/commendation_form.html", {"form": form, "practice": practice},
                  status=status)


@login_required
@require_POST
def commendation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    row = queries.commendations_for(request.user).select_related("awarding_unit").filter(pk=pk).first()
    if row is None:
        raise Http404
    if not request.user.has_perm("practices.commend", row.awarding_unit):
        raise PermissionDenied(_("You may not delete the commendations of this unit."))
    form = DeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the commendation is deleted."))
    else:
        try:
            commendations.delete_commendation(actor=request.user, commendation=row,
                                              reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The commendation was deleted."))
    return redirect(_next(request, reverse("practices:commendation_list")))


# --------------------------------------------------------------------------- criteria


def _set_owners(user: Any) -> QuerySet[OrgUnit]:
    provinces = OrgUnit.objects.current().filter(kind__code="province").order_by("path")
    scope = scope_of(user)
    return provinces if scope.is_superuser else provinces.filter(
        pk__in=[u.pk for u in provinces.filter(subtree_q(scope.paths({"admin"}))) if evaluation.may_create_set(user, u)])


@login_required
@require_GET
def criteria_list(request: HttpRequest) -> HttpResponse:
    return render(request, "practices/criteria_list.html", {
        "sets": evaluation.sets_visible_to(request.user),
        "can_create": request.user.is_superuser or _set_owners(request.user).exists(),
    })


@login_required
def criteria_create(request: HttpRequest) -> HttpResponse:
    owners = _set_owners(request.user)
    national = bool(request.user.is_superuser)
    if not national and not owners.exists():
        raise PermissionDenied(_("Only the administrators of a province set its own criteria."))
    form = CriteriaSetForm(request.POST or None, owners=owners, national=national,
                           initial={"pass_score": 70, "owner": getattr(owners.first(), "pk", None)})  # a pass mark, not a password  # nosec B105
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                rows = evaluation.parse_criteria(d["criteria"])
                evaluation.create_criteria_set(actor=request.user, owner=d["owner"], name=d["name"],
                                               pass_score=d["pass_score"], criteria=rows)
            except PermissionDenied:
                status = 403
                form.add_error("owner", _("Only the administrators of a province set its own criteria."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The set of criteria was saved."))
                return redirect("practices:criteria_list")
    return render(request, "practices/criteria_form.html", {"form": form}, status=status)


# --------------------------------------------------------------------------- registration share


def _registration_targets(unit: OrgUnit) -> QuerySet[Target]:
    return (services.targets_for(unit).filter(Q(measurement=Measurement.SHARE_OF_UNITS) | Q(practices__isnull=False))
            .distinct())


@login_required
@require_GET
def registration(request: HttpRequest) -> HttpResponse:
    """Per unit of the subtree: registered a practice this year or not; the share against the plan's target."""
    units = reading_units(request.user)
    data = request.GET
    probe = RegistrationForm(data or None, units=units, targets=Target.objects.none())
    unit = None
    if probe.is_bound and probe.is_valid():
        unit = probe.cleaned_data.get("unit")
    elif probe.is_bound and probe.errors.get("unit"):
        raise Http404
    unit = unit or _default_unit(request) or units.first()
    targets = _registration_targets(unit) if unit else Target.objects.none()
    today = timezone.localdate()
    form = RegistrationForm(data or None, units=units, targets=targets,
                            initial={"unit": getattr(unit, "pk", None), "year": today.year})
    ctx: dict[str, Any] = {"form": form, "unit": unit, "year": today.year}
    if unit is None:
        return render(request, "practices/registration.html", ctx)
    status = 200
    target = None
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        ctx["year"] = form.cleaned_data.get("year") or today.year
        target = form.cleaned_data.get("target")
    if "target" not in data:  # first visit: the target of the year's plan, shown as chosen
        target = next((t for t in targets if t.plan.year == ctx["year"]), None)
        if target is not None:
            form.initial["target"] = target.pk
            if form.is_bound:
                shown = data.copy()
                shown["target"] = str(target.pk)
                form = RegistrationForm(shown, units=units, targets=targets)
                form.is_valid()
    year = ctx["year"]
    scope = OrgUnit.objects.current().subtree_of(unit)
    kinds = list(target.scope_kinds.all()) if target is not None else []
    scope = scope.filter(kind__in=kinds) if kinds else scope.exclude(kind__code="village")
    registered, total = queries.registration_share(scope, year)
    after = data.get("after", "")
    page = scope.annotate(n=Count("practices", filter=Q(practices__year=year, practices__deleted_at__isnull=True)))
    if data.get("missing") == "1":
        page = page.filter(n=0)
    if after.isdigit() and len(after) <= 255:
        page = page.filter(path__gt=after)
    rows = list(page.select_related("kind").order_by("path")[: REGISTRATION_PAGE + 1])
    more = len(rows) > REGISTRATION_PAGE
    rows = rows[:REGISTRATION_PAGE]
    share = round(100 * registered / total, 1) if total else None
    goal = target.value if target is not None and target.value is not None else None
    ctx.update({
        "target": target, "registered": registered, "total": total, "share": share, "goal": goal,
        "met": share is not None and goal is not None and share >= goal, "rows": rows,
        "next_after": rows[-1].path if more and rows else None, "query": _query_without_after(request),
        "missing": data.get("missing") == "1",
    })
    return render(request, "practices/registration.html", ctx, status=status)


# --------------------------------------------------------------------------- attachments


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    row = attachments.attachment_for(pk)
    if row is None or not attachments.may_read(request.user, attachments.owner_of(row)[1]):
        raise Http404
    data, name, content_type = attachments.open_for(request.user, row)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_add(request: HttpRequest) -> HttpResponse:
    form = AttachmentAddForm(request.POST, request.FILES)
    if not form.is_valid():
        if "owner_type" in form.errors or "owner_id" in form.errors:
            raise Http404
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(_next(request, reverse("practices:list")))
    kind = attachments.OWNERS[form.cleaned_data["owner_type"]]
    owner = kind.model._default_manager.select_related(*kind.related).filter(pk=form.cleaned_data["owner_id"]).first()
    if owner is None or not attachments.may_read(request.user, owner):
        raise Http404
    try:
        attachments.add(actor=request.user, owner=owner, file=form.cleaned_data["file"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The file was attached."))
    return redirect(_next(request, reverse("practices:list")))


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    row = attachments.attachment_for(pk)
    if row is None or not attachments.may_read(request.user, attachments.owner_of(row)[1]):
        raise Http404
    form = AttachmentRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the file is removed."))
    else:
        try:
            attachments.remove(actor=request.user, attachment=row, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The file was removed."))
    return redirect(_next(request, reverse("practices:list")))
