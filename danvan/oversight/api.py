"""/api/v1/oversight: dissemination sessions ("quán triệt") and their coverage, inspection plans,
inspections and their follow-up actions.

Thin over ``services``, which checks every rule and permission; reads go through ``queries.*_for(user)``.
An inspection is seen from both sides: the inspecting unit writes it, the unit inspected reads it and
reports on its actions. A record the caller may not see answers 404 exactly like one that does not exist;
a role that may not act is 403; a stale ``expected_version`` is 409 (nothing saved); bad input is 422
naming the field.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import MAX_ID, decode_cursor, encode_cursor, is_dated_key
from danvan.api.units import unit_filter
from danvan.legal.models import LegalDocument
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q

from .api_schemas import (
    ActionDoneIn,
    ActionFilters,
    ActionPage,
    DisseminationCoverageOut,
    DisseminationCoverageParams,
    DisseminationDetailOut,
    DisseminationFilters,
    DisseminationIn,
    DisseminationOut,
    DisseminationPage,
    DisseminationPatchIn,
    FollowUpActionIn,
    FollowUpActionOut,
    InspectionDetailOut,
    InspectionFilters,
    InspectionIn,
    InspectionOut,
    InspectionPage,
    InspectionPatchIn,
    InspectionPlanDetailOut,
    InspectionPlanFilters,
    InspectionPlanIn,
    InspectionPlanOut,
    InspectionPlanPage,
    OversightDeleteParams,
    OversightDocumentOut,
    OversightUnitOut,
)
from .models import Dissemination, FollowUpAction, Inspection, InspectionPlan

router = Router(tags=["oversight"])

READ_ERRORS = error_responses(*AUTH_ERRORS, 404)
LIST_ERRORS = error_responses(*AUTH_ERRORS, 404, 422)
WRITE_ERRORS = error_responses(*AUTH_ERRORS, 404, 409, 422)

DisseminationId = Annotated[int, Path(description="The session's id; 404 if it does not exist or is not visible.")]
PlanId = Annotated[int, Path(description="The inspection plan's id; 404 if it does not exist or is not visible.")]
InspectionId = Annotated[int, Path(description="The inspection's id; 404 if it does not exist or is not visible.")]
ActionId = Annotated[int, Path(description="The action's id; 404 if it does not exist or is not visible.")]

_date_key = partial(is_dated_key, parse=dt.date.fromisoformat)


# =========================================================================== helpers


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _require(request: HttpRequest, perm: str, obj: Any) -> None:
    if not caller(request).has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def _one(qs: QuerySet, pk: int) -> Any:
    found = qs.filter(pk=pk).first() if 1 <= pk <= MAX_ID else None
    if found is None:
        raise Http404
    return found


def _unit_in_scope(request: HttpRequest, unit_id: int, field: str = "org_unit") -> OrgUnit:
    unit = OrgUnit.objects.visible_to(caller(request)).filter(pk=unit_id, valid_to__isnull=True).first()
    if unit is None:
        raise _invalid(field, _("Choose a unit."))
    return unit


def _any_unit(unit_id: int, field: str) -> OrgUnit:
    """Any unit in use (the service decides which units an inspector may inspect or task)."""
    unit = OrgUnit.objects.filter(pk=unit_id, valid_to__isnull=True).first()
    if unit is None:
        raise _invalid(field, _("Choose a unit in use."))
    return unit


def _unit_out(unit: OrgUnit) -> OversightUnitOut:
    return OversightUnitOut(id=unit.pk, name=unit.name, code=unit.code or "")


def _document_out(d: LegalDocument) -> OversightDocumentOut:
    return OversightDocumentOut(id=d.pk, citation=d.citation, title=d.title)


def _page(qs: QuerySet, params: Any, field: str, *, newest_first: bool = True) -> tuple[list[Any], str | None]:
    """A keyset page on (date ``field``, id), newest first or (``newest_first=False``) soonest first."""
    after = decode_cursor(params.cursor, _date_key)
    op = "lt" if newest_first else "gt"
    if after is not None:
        at = dt.date.fromisoformat(after[0])
        qs = qs.filter(Q(**{f"{field}__{op}": at}) | Q(**{field: at, f"pk__{op}": after[1]}))
    order = (f"-{field}", "-pk") if newest_first else (field, "pk")
    rows = list(qs.order_by(*order)[: params.limit + 1])
    page, more = rows[: params.limit], len(rows) > params.limit
    nxt = encode_cursor([getattr(page[-1], field).isoformat(), page[-1].pk]) if more else None
    return page, nxt


def _in_unit(request: HttpRequest, qs: QuerySet, unit_id: int | None, *prefixes: str) -> QuerySet:
    unit = unit_filter(request, unit_id)
    if unit is None:
        return qs
    q = Q()
    for prefix in prefixes:
        q |= subtree_q([unit.path], prefix=prefix)
    return qs.filter(q)


def _changes(payload: Any, *, nullable: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sorted(payload.model_fields_set - {"expected_version"}):
        value = getattr(payload, name)
        if value is None and name not in nullable:
            raise _invalid(name, _("This field is required."))
        out[name] = value
    return out


def _documents(ids: list[int]) -> list[LegalDocument]:
    found = {d.pk: d for d in LegalDocument.objects.filter(pk__in=ids)}
    if set(ids) - set(found):
        raise _invalid("documents", _("Choose the documents from the legal registry."))
    return [found[i] for i in dict.fromkeys(ids)]


# =========================================================================== dissemination


def _disseminations(request: HttpRequest) -> QuerySet[Dissemination]:
    from . import queries

    return queries.disseminations_for(caller(request)).select_related("org_unit").prefetch_related(
        Prefetch("documents", queryset=LegalDocument.objects.order_by("issued_on", "pk")))


def _dissemination_row(d: Dissemination) -> dict[str, Any]:
    return {
        "id": d.pk, "unit": _unit_out(d.org_unit), "title": d.title, "held_on": d.held_on,
        "documents": [_document_out(doc) for doc in d.documents.all()], "participants": d.participants,
        "form": d.form, "lock_version": d.lock_version, "created_at": d.created_at,
    }


def _dissemination_detail(request: HttpRequest, pk: int) -> DisseminationDetailOut:
    d = _one(_disseminations(request), pk)
    return DisseminationDetailOut(**_dissemination_row(d), notes=d.notes)


@router.get("/disseminations", response={200: DisseminationPage, **LIST_ERRORS}, summary="List dissemination sessions",
            operation_id="oversight_disseminations_list")
def list_disseminations(request: HttpRequest, params: Query[DisseminationFilters]) -> DisseminationPage:
    """Sessions held by the caller's units (deleted ones left out), latest first. Filters: `unit` subtree,
    `document` studied, `year`. Keyset-paged: pass `next_cursor` back as `cursor`. A `unit` outside the
    caller's is 404."""
    qs = _in_unit(request, _disseminations(request), params.unit, "org_unit__")
    if params.document:
        qs = qs.filter(documents=params.document)
    if params.year:
        qs = qs.filter(held_on__gte=dt.date(params.year, 1, 1), held_on__lte=dt.date(params.year, 12, 31))
    page, nxt = _page(qs, params, "held_on")
    return DisseminationPage(items=[DisseminationOut(**_dissemination_row(d)) for d in page], next_cursor=nxt)


@router.get("/disseminations/coverage", response={200: DisseminationCoverageOut, **LIST_ERRORS},
            summary="Units that disseminated a document", operation_id="oversight_disseminations_coverage")
def coverage(request: HttpRequest, params: Query[DisseminationCoverageParams]) -> DisseminationCoverageOut:
    """How many units of `unit`'s subtree (villages aside) held their own session on `document` (the plans'
    "100% of units disseminated"), and which have not. Without `unit`: the caller's first unit. A `unit`
    outside the caller's, or an unknown document, is 404."""
    from . import queries

    unit = unit_filter(request, params.unit)
    if unit is None:
        unit = OrgUnit.objects.visible_to(caller(request)).filter(valid_to__isnull=True).order_by("path").first()
        if unit is None:
            raise Http404
    document = _one(LegalDocument.objects.all(), params.document)
    units = queries.coverage_units(unit)
    done, total = queries.disseminated_share(units, document)
    missing = []
    if params.missing_limit:
        missing = list(units.exclude(queries.session_exists(document)).order_by("path")[: params.missing_limit])
    return DisseminationCoverageOut(unit=_unit_out(unit), document=_document_out(document), units_with_session=done, units=total,
                       share=round(100 * done / total, 1) if total else None,
                       missing=[_unit_out(u) for u in missing])


@router.get("/disseminations/{int:dissemination_id}", response={200: DisseminationDetailOut, **READ_ERRORS},
            summary="One dissemination session", operation_id="oversight_disseminations_detail")
def dissemination_detail(request: HttpRequest, dissemination_id: DisseminationId) -> DisseminationDetailOut:
    """The session with the documents studied and its notes."""
    return _dissemination_detail(request, dissemination_id)


@router.post("/disseminations", response={201: DisseminationDetailOut, **WRITE_ERRORS},
             summary="Record a dissemination session", operation_id="oversight_disseminations_create")
def create_dissemination(request: HttpRequest, payload: DisseminationIn) -> Status:
    """Records a session of `org_unit` (admin, head or officer there, else 403) studying documents of the legal
    registry. The same title on the same day in a unit, a date in the future or an unknown document answer 422
    naming the field."""
    from . import services

    unit = _unit_in_scope(request, payload.org_unit)
    _require(request, "oversight.change", unit)
    d = services.record_dissemination(
        actor=caller(request), org_unit=unit, title=payload.title, held_on=payload.held_on,
        documents=_documents(payload.documents), participants=payload.participants, form=payload.form,
        notes=payload.notes)
    return Status(201, _dissemination_detail(request, d.pk))


@router.patch("/disseminations/{int:dissemination_id}", response={200: DisseminationDetailOut, **WRITE_ERRORS},
              summary="Change a dissemination session", operation_id="oversight_disseminations_update")
def update_dissemination(request: HttpRequest, dissemination_id: DisseminationId, payload: DisseminationPatchIn
                         ) -> DisseminationDetailOut:
    """Changes the fields sent (`documents` replaces the list); others stay. A stale `expected_version` is
    409: someone saved it since it was read; nothing saved."""
    from . import services

    d = _one(_disseminations(request), dissemination_id)
    _require(request, "oversight.change", d)
    fields = _changes(payload)
    if "documents" in fields:
        fields["documents"] = _documents(fields["documents"])
    services.update_dissemination(actor=caller(request), dissemination=d, expected_version=payload.expected_version,
                                  **fields)
    return _dissemination_detail(request, d.pk)


@router.delete("/disseminations/{int:dissemination_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a dissemination session", operation_id="oversight_disseminations_delete")
def delete_dissemination(request: HttpRequest, dissemination_id: DisseminationId,
                         params: Query[OversightDeleteParams]) -> HttpResponse:
    """Removes a session recorded by mistake from every list and count (admin or head; audited with `reason`)."""
    from . import services

    d = _one(_disseminations(request), dissemination_id)
    _require(request, "oversight.delete", d)
    services.delete_dissemination(actor=caller(request), dissemination=d, reason=params.reason)
    return HttpResponse(status=204)


# =========================================================================== inspection plans


def _plans(request: HttpRequest) -> QuerySet[InspectionPlan]:
    from . import queries

    return queries.plans_for(caller(request)).select_related("org_unit")


def _plan_row(p: InspectionPlan) -> dict[str, Any]:
    return {"id": p.pk, "unit": _unit_out(p.org_unit), "kind": p.kind, "year": p.year, "title": p.title,
            "starts_on": p.starts_on, "ends_on": p.ends_on, "lock_version": p.lock_version,
            "created_at": p.created_at}


def _with_action_counts(qs: QuerySet[Inspection], today: dt.date) -> QuerySet[Inspection]:
    from . import queries

    late = Q(actions__in=FollowUpAction.objects.filter(queries.late_action_q(today)))
    return qs.annotate(n_actions=Count("actions", distinct=True),
                       n_late=Count("actions", filter=late, distinct=True))


def _inspection_row(i: Inspection) -> dict[str, Any]:
    return {"id": i.pk, "plan_id": i.plan_id, "inspector": _unit_out(i.inspector), "unit": _unit_out(i.org_unit),
            "starts_on": i.starts_on, "ends_on": i.ends_on, "actions": getattr(i, "n_actions", 0),
            "late_actions": getattr(i, "n_late", 0), "lock_version": i.lock_version, "created_at": i.created_at}


def _plan_detail(request: HttpRequest, pk: int) -> InspectionPlanDetailOut:
    from . import queries

    today = timezone.localdate()
    inspections = _with_action_counts(
        queries.inspections_for(caller(request)).select_related("inspector", "org_unit"), today
    ).order_by("-starts_on", "-pk")
    p = _one(_plans(request).prefetch_related(
        Prefetch("units", queryset=OrgUnit.objects.order_by("path")),
        Prefetch("inspections", queryset=inspections)), pk)
    return InspectionPlanDetailOut(
        **_plan_row(p), content=p.content, units=[_unit_out(u) for u in p.units.all()],
        inspections=[InspectionOut(**_inspection_row(i)) for i in p.inspections.all()],
    )


@router.get("/inspection-plans", response={200: InspectionPlanPage, **LIST_ERRORS},
            summary="List inspection plans", operation_id="oversight_plans_list")
def list_plans(request: HttpRequest, params: Query[InspectionPlanFilters]) -> InspectionPlanPage:
    """Inspection and self-inspection plans of the caller's units, latest first. Filters: `unit` subtree,
    `kind`, `year`. Keyset-paged."""
    qs = _in_unit(request, _plans(request), params.unit, "org_unit__")
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.year:
        qs = qs.filter(year=params.year)
    page, nxt = _page(qs, params, "starts_on")
    return InspectionPlanPage(items=[InspectionPlanOut(**_plan_row(p)) for p in page], next_cursor=nxt)


@router.get("/inspection-plans/{int:plan_id}", response={200: InspectionPlanDetailOut, **READ_ERRORS},
            summary="One inspection plan", operation_id="oversight_plans_detail")
def plan_detail(request: HttpRequest, plan_id: PlanId) -> InspectionPlanDetailOut:
    """The plan with its content, the units to inspect and the inspections done under it."""
    return _plan_detail(request, plan_id)


@router.post("/inspection-plans", response={201: InspectionPlanDetailOut, **WRITE_ERRORS},
             summary="Create an inspection plan", operation_id="oversight_plans_create")
def create_plan(request: HttpRequest, payload: InspectionPlanIn) -> Status:
    """Creates a year's plan of `org_unit` (admin, head or officer there, else 403): inspections of units it
    may inspect, or a self-inspection. An end before the start or a unit it may not inspect answer 422."""
    from . import services

    unit = _unit_in_scope(request, payload.org_unit)
    _require(request, "oversight.change", unit)
    units = [_any_unit(pk, "units") for pk in dict.fromkeys(payload.units)]
    p = services.create_inspection_plan(
        actor=caller(request), org_unit=unit, kind=payload.kind, year=payload.year, title=payload.title,
        starts_on=payload.starts_on, ends_on=payload.ends_on, units=units, content=payload.content)
    return Status(201, _plan_detail(request, p.pk))


@router.delete("/inspection-plans/{int:plan_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete an inspection plan", operation_id="oversight_plans_delete")
def delete_plan(request: HttpRequest, plan_id: PlanId, params: Query[OversightDeleteParams]) -> HttpResponse:
    """Removes a plan made by mistake (admin or head; audited with `reason`)."""
    from . import services

    p = _one(_plans(request), plan_id)
    _require(request, "oversight.delete", p)
    services.delete_inspection_plan(actor=caller(request), plan=p, reason=params.reason)
    return HttpResponse(status=204)


# =========================================================================== inspections and actions


def _inspections(request: HttpRequest) -> QuerySet[Inspection]:
    from . import queries

    return queries.inspections_for(caller(request)).select_related("inspector", "org_unit")


def _action_out(a: FollowUpAction, today: dt.date) -> FollowUpActionOut:
    from . import queries

    return FollowUpActionOut(id=a.pk, inspection_id=a.inspection_id, text=a.text, owner_unit=_unit_out(a.owner_unit),
                             due_on=a.due_on, done_on=a.done_on, result=a.result, late=queries.is_late(a, today),
                             lock_version=a.lock_version)


def _inspection_detail(request: HttpRequest, pk: int) -> InspectionDetailOut:
    today = timezone.localdate()
    i = _one(_with_action_counts(_inspections(request), today).prefetch_related(
        Prefetch("actions", queryset=FollowUpAction.objects.select_related("owner_unit").order_by("due_on", "pk"))),
        pk)
    return InspectionDetailOut(**_inspection_row(i), findings=i.findings, conclusion=i.conclusion,
                               follow_up=[_action_out(a, today) for a in i.actions.all()])


@router.get("/inspections", response={200: InspectionPage, **LIST_ERRORS}, summary="List inspections",
            operation_id="oversight_inspections_list")
def list_inspections(request: HttpRequest, params: Query[InspectionFilters]) -> InspectionPage:
    """Inspections made by, or of, the caller's units, latest started first, each with its count of actions
    and of late ones. Filters: `unit` (inspector or inspected in its subtree), `plan`, `year`. Keyset-paged."""
    qs = _in_unit(request, _inspections(request), params.unit, "inspector__", "org_unit__")
    if params.plan:
        qs = qs.filter(plan_id=params.plan)
    if params.year:
        qs = qs.filter(starts_on__gte=dt.date(params.year, 1, 1), starts_on__lte=dt.date(params.year, 12, 31))
    page, nxt = _page(_with_action_counts(qs, timezone.localdate()), params, "starts_on")
    return InspectionPage(items=[InspectionOut(**_inspection_row(i)) for i in page], next_cursor=nxt)


@router.get("/inspections/{int:inspection_id}", response={200: InspectionDetailOut, **READ_ERRORS},
            summary="One inspection", operation_id="oversight_inspections_detail")
def inspection_detail(request: HttpRequest, inspection_id: InspectionId) -> InspectionDetailOut:
    """The inspection with its findings, its conclusion and its follow-up actions (each flagged `late` today)."""
    return _inspection_detail(request, inspection_id)


@router.post("/inspections", response={201: InspectionDetailOut, **WRITE_ERRORS}, summary="Record an inspection",
             operation_id="oversight_inspections_create")
def create_inspection(request: HttpRequest, payload: InspectionIn) -> Status:
    """Records an inspection by `inspector` (admin, head or officer there, else 403) of `org_unit`, under a
    `plan` of the inspector or not. A unit the inspector may not inspect, a unit not in the plan, a start in
    the future or an end before the start answer 422 naming the field."""
    from . import services

    inspector = _unit_in_scope(request, payload.inspector, "inspector")
    _require(request, "oversight.change", inspector)
    plan = None
    if payload.plan is not None:
        plan = _plans(request).filter(pk=payload.plan).first()
        if plan is None:
            raise _invalid("plan", _("Choose a plan of the inspecting unit."))
    i = services.record_inspection(
        actor=caller(request), inspector=inspector, org_unit=_any_unit(payload.org_unit, "org_unit"),
        starts_on=payload.starts_on, ends_on=payload.ends_on, findings=payload.findings,
        conclusion=payload.conclusion, plan=plan)
    return Status(201, _inspection_detail(request, i.pk))


@router.patch("/inspections/{int:inspection_id}", response={200: InspectionDetailOut, **WRITE_ERRORS},
              summary="Change an inspection", operation_id="oversight_inspections_update")
def update_inspection(request: HttpRequest, inspection_id: InspectionId, payload: InspectionPatchIn
                      ) -> InspectionDetailOut:
    """Changes the dates, findings or conclusion sent (often written after the visit); only the inspecting
    unit may (403 for the unit inspected). A stale `expected_version` is 409 (nothing saved)."""
    from . import services

    i = _one(_inspections(request), inspection_id)
    _require(request, "oversight.change", i)
    services.update_inspection(actor=caller(request), inspection=i, expected_version=payload.expected_version,
                               **_changes(payload))
    return _inspection_detail(request, i.pk)


@router.delete("/inspections/{int:inspection_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete an inspection", operation_id="oversight_inspections_delete")
def delete_inspection(request: HttpRequest, inspection_id: InspectionId, params: Query[OversightDeleteParams]
                      ) -> HttpResponse:
    """Removes an inspection recorded by mistake (admin or head of the inspecting unit; audited with `reason`)."""
    from . import services

    i = _one(_inspections(request), inspection_id)
    _require(request, "oversight.delete", i)
    services.delete_inspection(actor=caller(request), inspection=i, reason=params.reason)
    return HttpResponse(status=204)


@router.post("/inspections/{int:inspection_id}/actions", response={201: InspectionDetailOut, **WRITE_ERRORS},
             summary="Add a follow-up action", operation_id="oversight_actions_add")
def add_action(request: HttpRequest, inspection_id: InspectionId, payload: FollowUpActionIn) -> Status:
    """Requires `owner_unit` (the unit inspected, one below it, or the inspector) to do something by `due_on`
    (inspecting unit's admin, head or officer, else 403). A deadline before the inspection answers 422."""
    from . import services

    i = _one(_inspections(request), inspection_id)
    _require(request, "oversight.change", i)
    services.add_action(actor=caller(request), inspection=i, text=payload.text,
                        owner_unit=_any_unit(payload.owner_unit, "owner_unit"), due_on=payload.due_on)
    return Status(201, _inspection_detail(request, i.pk))


def _actions(request: HttpRequest) -> QuerySet[FollowUpAction]:
    from . import queries

    return queries.actions_for(caller(request)).select_related("owner_unit")


@router.get("/actions", response={200: ActionPage, **LIST_ERRORS}, summary="List follow-up actions",
            operation_id="oversight_actions_list")
def list_actions(request: HttpRequest, params: Query[ActionFilters]) -> ActionPage:
    """Follow-up actions of the inspections the caller sees or owned by the caller's units, soonest due first.
    Filters: `unit` (owner in its subtree), `late`, `open`. Keyset-paged."""
    from . import queries

    today = timezone.localdate()
    qs = _in_unit(request, _actions(request), params.unit, "owner_unit__")
    if params.late is not None:
        late = queries.late_action_q(today)
        qs = qs.filter(late) if params.late else qs.exclude(late)
    if params.open is not None:
        qs = qs.filter(done_on__isnull=params.open)
    page, nxt = _page(qs, params, "due_on", newest_first=False)
    return ActionPage(items=[_action_out(a, today) for a in page], next_cursor=nxt)


@router.post("/actions/{int:action_id}/done", response={200: FollowUpActionOut, **WRITE_ERRORS},
             summary="Report a follow-up action done", operation_id="oversight_actions_done")
def complete_action(request: HttpRequest, action_id: ActionId, payload: ActionDoneIn) -> FollowUpActionOut:
    """The owner unit (or the inspecting unit) reports that the action was done, and its result (admin, head
    or officer there, else 403). A stale `expected_version` is 409 (nothing saved)."""
    from . import services

    a = _one(_actions(request).select_related("inspection__inspector", "inspection__org_unit"), action_id)
    _require(request, "oversight.report_action", a)
    done = services.complete_action(actor=caller(request), action=a, expected_version=payload.expected_version,
                                    done_on=payload.done_on, result=payload.result)
    return _action_out(done, timezone.localdate())
