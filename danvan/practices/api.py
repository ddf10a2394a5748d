"""/api/v1/practices: "Dân vận khéo" good practices (registry, updates, evaluations, replications,
commendations, criteria sets) and thematic programmes (steering board, steps, criteria, final evaluation).

Thin over ``services``, ``evaluation``, ``commendations`` and ``programmes``, which check every rule and
permission; reads go through ``queries.practices_for(user)`` and ``.visible_to(user)``. A record the
caller may not see answers 404 exactly like one that does not exist; a role that may not act is 403; a
stale ``expected_version`` is 409 (nothing saved); bad input is 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status

from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import MAX_ID, decode_cursor, encode_cursor, is_dated_key
from danvan.api.units import unit_filter
from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_paths
from danvan.orgs.scope import scope_of, subtree_q

from .api_schemas import (
    CommendationFilters,
    CommendationIn,
    CommendationOut,
    CommendationPage,
    CriteriaSetList,
    CriteriaSetOut,
    CriterionAssessIn,
    CriterionOut,
    EvaluationIn,
    EvaluationOut,
    PracticeAttachmentOut,
    PracticeDeleteParams,
    PracticeDetailOut,
    PracticeFieldList,
    PracticeFieldOut,
    PracticeFilters,
    PracticeIn,
    PracticeOut,
    PracticePage,
    PracticePatchIn,
    PracticeStopIn,
    PracticeUnitOut,
    PracticeUpdateIn,
    PracticeUpdateOut,
    ProgrammeCriterionIn,
    ProgrammeCriterionOut,
    ProgrammeDetailOut,
    ProgrammeEvaluateIn,
    ProgrammeFilters,
    ProgrammeIn,
    ProgrammeOut,
    ProgrammePage,
    ProgrammePatchIn,
    ProgrammeStepIn,
    ProgrammeStepOut,
    RegistrationOut,
    RegistrationParams,
    ReplicationIn,
    ReplicationOut,
    ScoreOut,
    SteeringMemberIn,
    SteeringMemberOut,
    StepDoneIn,
)
from .models import (
    Attachment,
    Commendation,
    CriteriaSet,
    Criterion,
    Evaluation,
    Practice,
    PracticeField,
    PracticeUpdate,
    Programme,
    ProgrammeCriterion,
    ProgrammeStep,
    Replication,
    Score,
    SteeringMember,
)

router = Router(tags=["practices"])

READ_ERRORS = error_responses(*AUTH_ERRORS, 404)
LIST_ERRORS = error_responses(*AUTH_ERRORS, 404, 422)
WRITE_ERRORS = error_responses(*AUTH_ERRORS, 404, 409, 422)

PracticeId = Annotated[int, Path(description="The practice's id; 404 if it does not exist or is not visible.")]
CommendationId = Annotated[int, Path(description="The commendation's id; 404 if it does not exist or is not visible.")]
ProgrammeId = Annotated[int, Path(description="The programme's id; 404 if it does not exist or is not visible.")]
StepId = Annotated[int, Path(description="The step's id; 404 if its programme does not exist or is not visible.")]
MemberId = Annotated[int, Path(description="The steering board member's id; 404 if not visible.")]
CriterionId = Annotated[int, Path(description="The programme criterion's id; 404 if not visible.")]

_date_key = partial(is_dated_key, parse=dt.date.fromisoformat)
_time_key = partial(is_dated_key, parse=dt.datetime.fromisoformat)


# =========================================================================== shared helpers


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _require(request: HttpRequest, perm: str, obj: Any) -> None:
    if not caller(request).has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def _one(qs: QuerySet, pk: int) -> Any:
    """The row with this id among those the caller sees, or 404 (an id out of range is 404 too)."""
    found = qs.filter(pk=pk).first() if 1 <= pk <= MAX_ID else None
    if found is None:
        raise Http404
    return found


def _unit_in_scope(request: HttpRequest, unit_id: int, field: str = "org_unit") -> OrgUnit:
    """A unit in use of the caller's part of the tree (else 422 on the field)."""
    unit = OrgUnit.objects.visible_to(caller(request)).filter(pk=unit_id, valid_to__isnull=True).first()
    if unit is None:
        raise _invalid(field, _("Choose a unit."))
    return unit


def _any_unit(unit_id: int, field: str) -> OrgUnit:
    """Any unit in use: a council above the caller's unit, a recipient elsewhere (the service decides)."""
    unit = OrgUnit.objects.filter(pk=unit_id, valid_to__isnull=True).first()
    if unit is None:
        raise _invalid(field, _("Choose a unit in use."))
    return unit


def _unit_out(unit: OrgUnit) -> PracticeUnitOut:
    return PracticeUnitOut(id=unit.pk, name=unit.name, code=unit.code or "")


def _num(value: Decimal | None) -> float:
    return float(value or 0)


def _changes(payload: Schema, *, nullable: Iterable[str] = ()) -> dict[str, Any]:
    """The fields a PATCH sent (``expected_version`` aside); null for a field that cannot be empty is 422."""
    out: dict[str, Any] = {}
    for name in sorted(payload.model_fields_set - {"expected_version"}):
        value = getattr(payload, name)
        if value is None and name not in nullable:
            raise _invalid(name, _("This field is required."))
        out[name] = value
    return out


def _page(qs: QuerySet, params: Any, field: str, *, dated: bool = True) -> tuple[list[Any], str | None]:
    """A keyset page, newest first on (``field``, id); ``dated``: a date field, else a date-time."""
    after = decode_cursor(params.cursor, _date_key if dated else _time_key)
    if after is not None:
        at = dt.date.fromisoformat(after[0]) if dated else dt.datetime.fromisoformat(after[0])
        qs = qs.filter(Q(**{f"{field}__lt": at}) | Q(**{field: at, "pk__lt": after[1]}))
    rows = list(qs.order_by(f"-{field}", "-pk")[: params.limit + 1])
    page, more = rows[: params.limit], len(rows) > params.limit
    nxt = encode_cursor([getattr(page[-1], field).isoformat(), page[-1].pk]) if more else None
    return page, nxt


def _in_unit(request: HttpRequest, qs: QuerySet, unit_id: int | None, prefix: str = "org_unit__") -> QuerySet:
    unit = unit_filter(request, unit_id)
    return qs if unit is None else qs.filter(subtree_q([unit.path], prefix=prefix))


def _attachment_out(a: Attachment) -> PracticeAttachmentOut:
    return PracticeAttachmentOut(id=a.pk, name=a.original_name, content_type=a.content_type, size=a.size,
                                 uploaded_at=a.uploaded_at)


def _live_attachments() -> QuerySet[Attachment]:
    return Attachment.objects.filter(deleted_at__isnull=True).order_by("uploaded_at", "pk")


# =========================================================================== practices


def _practices(request: HttpRequest) -> QuerySet[Practice]:
    from . import queries

    return queries.practices_for(caller(request)).filter(deleted_at__isnull=True).select_related("org_unit", "field")


def _practice_row(p: Practice) -> dict[str, Any]:
    return {
        "id": p.pk, "unit": _unit_out(p.org_unit), "year": p.year, "name": p.name, "field": p.field.code,
        "field_name": p.field.name, "registered_by": p.registered_by, "person_name": p.person_name,
        "place": p.place, "starts_on": p.starts_on, "ends_on": p.ends_on,
        "responsible_person": p.responsible_person, "target_id": p.target_id, "ethnic_remote": p.ethnic_remote,
        "status": p.status, "recognition_level": p.recognition_level or None, "recognised_on": p.recognised_on,
        "lock_version": p.lock_version, "created_at": p.created_at,
    }


def _evaluation_out(e: Evaluation) -> EvaluationOut:
    scores = sorted(e.scores.all(), key=lambda s: (s.criterion.order, s.criterion_id))
    return EvaluationOut(
        id=e.pk, council_unit=_unit_out(e.council_unit), criteria_set_id=e.criteria_set_id,
        evaluated_on=e.evaluated_on, total=_num(e.total), max_total=_num(e.max_total),
        level=e.level or None, notes=e.notes,  # type: ignore[arg-type]
        scores=[ScoreOut(criterion_id=s.criterion_id, criterion=s.criterion.name, score=_num(s.score),
                         max_score=_num(s.criterion.max_score)) for s in scores],
    )


def _replication_out(r: Replication) -> ReplicationOut:
    return ReplicationOut(id=r.pk, practice_id=r.practice_id, unit=_unit_out(r.org_unit), adopted_on=r.adopted_on,
                          notes=r.notes)


def _commendation_out(c: Commendation) -> CommendationOut:
    return CommendationOut(
        id=c.pk, awarding_unit=_unit_out(c.awarding_unit), year=c.year, level=c.level,  # type: ignore[arg-type]
        recipient_kind=c.recipient_kind, recipient_name=c.recipient_name,  # type: ignore[arg-type]
        unit=_unit_out(c.org_unit), practice_id=c.practice_id, form=c.form, decision_ref=c.decision_ref,
        awarded_on=c.awarded_on,
    )


def _practice_detail(request: HttpRequest, pk: int) -> PracticeDetailOut:
    files = _live_attachments()
    qs = _practices(request).prefetch_related(
        Prefetch("updates", queryset=PracticeUpdate.objects.order_by("on", "pk").prefetch_related(
            Prefetch("attachments", queryset=files))),
        Prefetch("evaluations", queryset=Evaluation.objects.filter(deleted_at__isnull=True)
                 .select_related("council_unit").order_by("-evaluated_on", "-pk")
                 .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))),
        Prefetch("replications", queryset=Replication.objects.filter(deleted_at__isnull=True)
                 .select_related("org_unit").order_by("adopted_on", "pk")),
        Prefetch("commendations", queryset=Commendation.objects.filter(deleted_at__isnull=True)
                 .select_related("awarding_unit", "org_unit").order_by("-awarded_on", "-pk")),
        Prefetch("attachments", queryset=files.filter(update__isnull=True)),
    )
    p = _one(qs, pk)
    return PracticeDetailOut(
        **_practice_row(p), goals=p.goals,
        updates=[PracticeUpdateOut(id=u.pk, kind=u.kind, on=u.on, text=u.text,  # type: ignore[arg-type]
                                   attachments=[_attachment_out(a) for a in u.attachments.all()])
                 for u in p.updates.all()],
        evaluations=[_evaluation_out(e) for e in p.evaluations.all()],
        replications=[_replication_out(r) for r in p.replications.all()],
        commendations=[_commendation_out(c) for c in p.commendations.all()],
        attachments=[_attachment_out(a) for a in p.attachments.all()],
    )


def _field(code: str, name: str = "field") -> PracticeField:
    found = PracticeField.objects.filter(code=code, is_active=True).first()
    if found is None:
        raise _invalid(name, _("Choose a field in use."))
    return found


def _target(request: HttpRequest, pk: int | None) -> Any:
    if pk is None:
        return None
    from danvan.plans.models import Target

    found = Target.objects.filter(pk=pk, plan__in=_visible_plans(request)).first()
    if found is None:
        raise _invalid("target", _("Choose a target of a plan you can see."))
    return found


def _visible_plans(request: HttpRequest) -> QuerySet:
    from danvan.plans.models import Plan

    return Plan.objects.visible_to(caller(request)).values("pk")


@router.get("/fields", response={200: PracticeFieldList, **error_responses(*AUTH_ERRORS)},
            summary="Fields of practice", operation_id="practices_fields")
def fields(request: HttpRequest) -> PracticeFieldList:
    """The fields a practice is registered in (economy; culture–society; defence–security; building the
    political system; …). `code` is what a practice's `field` takes."""
    return PracticeFieldList(items=[PracticeFieldOut(code=f.code, name=f.name)
                                    for f in PracticeField.objects.filter(is_active=True).order_by("order", "code")])


@router.get("", response={200: PracticePage, **LIST_ERRORS}, summary="List good practices",
            operation_id="practices_list")
def list_practices(request: HttpRequest, params: Query[PracticeFilters]) -> PracticePage:
    """Practices of the caller's units (deleted ones left out), latest registered first. Filters: `unit`
    subtree, `year`, `field` code, `status`, recognition `level`, `ethnic_remote`. Keyset-paged: pass
    `next_cursor` back as `cursor`. A `unit` outside the caller's is 404."""
    qs = _in_unit(request, _practices(request), params.unit)
    if params.year:
        qs = qs.filter(year=params.year)
    if params.field:
        qs = qs.filter(field__code=params.field)
    if params.status:
        qs = qs.filter(status=params.status)
    if params.level:
        qs = qs.filter(recognition_level=params.level)
    if params.ethnic_remote is not None:
        qs = qs.filter(ethnic_remote=params.ethnic_remote)
    page, nxt = _page(qs, params, "created_at", dated=False)
    return PracticePage(items=[PracticeOut(**_practice_row(p)) for p in page], next_cursor=nxt)


@router.get("/registration", response={200: RegistrationOut, **LIST_ERRORS},
            summary="Share of units that registered practices", operation_id="practices_registration")
def registration(request: HttpRequest, params: Query[RegistrationParams]) -> RegistrationOut:
    """How many units of `unit`'s subtree registered at least `min_count` practices in `year` (the plans'
    "95% of agencies and communes register 1–2 practices"). Without `unit`: the caller's first unit. A
    `unit` outside the caller's is 404."""
    from . import queries

    unit = unit_filter(request, params.unit)
    if unit is None:
        unit = OrgUnit.objects.visible_to(caller(request)).filter(valid_to__isnull=True).order_by("path").first()
        if unit is None:
            raise Http404
    year = params.year or timezone.localdate().year
    units_qs = OrgUnit.objects.subtree_of(unit).current()
    registered, total = queries.registration_share(units_qs, year, min_count=params.min_count)
    return RegistrationOut(unit=_unit_out(unit), year=year, registered_units=registered, units=total,
                           share=round(100 * registered / total, 1) if total else None)


@router.get("/{int:practice_id}", response={200: PracticeDetailOut, **READ_ERRORS}, summary="One good practice",
            operation_id="practices_detail")
def practice_detail(request: HttpRequest, practice_id: PracticeId) -> PracticeDetailOut:
    """The practice with its goals, its updates and reviews with their evidence files, its evaluations with
    every score, where it spread (replications), its commendations and its files' metadata."""
    return _practice_detail(request, practice_id)


@router.post("", response={201: PracticeDetailOut, **WRITE_ERRORS}, summary="Register a good practice",
             operation_id="practices_create")
def create_practice(request: HttpRequest, payload: PracticeIn) -> Status:
    """Registers a practice of `org_unit` for `year` (admin, head or officer there, else 403). The same name
    twice in a unit and year (marks and case ignored), an end before the start or an unknown field answer 422
    naming the field."""
    from . import services

    user = caller(request)
    unit = _unit_in_scope(request, payload.org_unit)
    _require(request, "practices.change", unit)
    data = payload.model_dump(exclude={"org_unit", "field", "target"})
    p = services.register_practice(actor=user, org_unit=unit, field=_field(payload.field),
                                   target=_target(request, payload.target), **data)
    return Status(201, _practice_detail(request, p.pk))


@router.patch("/{int:practice_id}", response={200: PracticeDetailOut, **WRITE_ERRORS},
              summary="Change a good practice", operation_id="practices_update")
def update_practice(request: HttpRequest, practice_id: PracticeId, payload: PracticePatchIn) -> PracticeDetailOut:
    """Changes the fields sent; others stay (null clears `ends_on` or `target`). A stale `expected_version`
    is 409: someone saved it since it was read; nothing saved."""
    from . import services

    p = _one(_practices(request), practice_id)
    _require(request, "practices.change", p)
    fields = _changes(payload, nullable={"ends_on", "target"})
    if "field" in fields:
        fields["field"] = _field(fields["field"])
    if "target" in fields:
        fields["target"] = _target(request, fields["target"])
    services.update_practice(actor=caller(request), practice=p, expected_version=payload.expected_version, **fields)
    return _practice_detail(request, p.pk)


@router.post("/{int:practice_id}/updates", response={201: PracticeDetailOut, **WRITE_ERRORS},
             summary="Record progress or a review", operation_id="practices_update_add")
def add_update(request: HttpRequest, practice_id: PracticeId, payload: PracticeUpdateIn) -> Status:
    """Records a progress update, or the interim or final review (which move the practice's status). Files
    of evidence are attached from the practice's page."""
    from . import services

    p = _one(_practices(request), practice_id)
    _require(request, "practices.change", p)
    services.add_update(actor=caller(request), practice=p, kind=payload.kind, on=payload.on, text=payload.text)
    return Status(201, _practice_detail(request, p.pk))


@router.post("/{int:practice_id}/stop", response={200: PracticeDetailOut, **WRITE_ERRORS},
             summary="Stop a good practice", operation_id="practices_stop")
def stop_practice(request: HttpRequest, practice_id: PracticeId, payload: PracticeStopIn) -> PracticeDetailOut:
    """The practice is no longer carried out; the reason is audited. A stale `expected_version` is 409."""
    from . import services

    p = _one(_practices(request), practice_id)
    _require(request, "practices.change", p)
    services.stop_practice(actor=caller(request), practice=p, expected_version=payload.expected_version,
                           reason=payload.reason)
    return _practice_detail(request, p.pk)


@router.delete("/{int:practice_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a good practice",
               operation_id="practices_delete")
def delete_practice(request: HttpRequest, practice_id: PracticeId, params: Query[PracticeDeleteParams]
                    ) -> HttpResponse:
    """Removes a practice registered by mistake from every list and count (admin or head; audited with
    `reason`). One already evaluated or commended cannot be deleted (422)."""
    from . import services

    p = _one(_practices(request), practice_id)
    _require(request, "practices.delete", p)
    services.delete_practice(actor=caller(request), practice=p, reason=params.reason)
    return HttpResponse(status=204)


def _criteria_set(request: HttpRequest, pk: int) -> CriteriaSet:
    found = _criteria_sets(request).filter(pk=pk).first()
    if found is None:
        raise _invalid("criteria_set", _("Choose a set of criteria in use."))
    return found


@router.post("/{int:practice_id}/evaluations", response={201: PracticeDetailOut, **WRITE_ERRORS},
             summary="Record a council's evaluation", operation_id="practices_evaluate")
def evaluate(request: HttpRequest, practice_id: PracticeId, payload: EvaluationIn) -> Status:
    """Records the evaluation of a council of the practice's unit or of a unit above it (admin, head or
    officer of the council's unit, else 403). Every criterion of the set must be scored between 0 and its
    maximum (a wrong score is 422 on `score_<criterion id>`); a council below the practice's unit, a criterion
    scored twice or a `level` with a total under the set's pass score answer 422. A `level` recognises the
    practice at it."""
    from . import evaluation

    p = _one(_practices(request), practice_id)
    council = _any_unit(payload.council_unit, "council_unit")
    _require(request, "practices.evaluate", council)
    scores: dict[int, Decimal] = {}
    for i, s in enumerate(payload.scores):
        if s.criterion in scores:
            raise _invalid(f"scores.{i}.criterion", _("Each criterion is scored once."))
        scores[s.criterion] = s.score
    evaluation.evaluate(actor=caller(request), practice=p, council_unit=council,
                        criteria_set=_criteria_set(request, payload.criteria_set), evaluated_on=payload.evaluated_on,
                        scores=scores, level=payload.level or "", notes=payload.notes)
    return Status(201, _practice_detail(request, p.pk))


@router.post("/{int:practice_id}/replications", response={201: ReplicationOut, **WRITE_ERRORS},
             summary="Record that a unit adopted the practice", operation_id="practices_replicate")
def replicate(request: HttpRequest, practice_id: PracticeId, payload: ReplicationIn) -> Status:
    """Records that `org_unit` adopted the practice (admin, head or officer there, else 403). The practice's
    own unit, or a unit that already adopted it, answer 422. The practice may be one the caller sees or any
    recognised practice (they are public); the answer is the adopting unit's replication."""
    from . import evaluation, queries

    p = _one(queries.adoptable_for(caller(request)).select_related("org_unit", "field"), practice_id)
    unit = _unit_in_scope(request, payload.org_unit)
    _require(request, "practices.replicate", unit)
    r = evaluation.replicate(actor=caller(request), practice=p, org_unit=unit, adopted_on=payload.adopted_on,
                             notes=payload.notes)
    return Status(201, _replication_out(r))


# =========================================================================== commendations


def _commendations(request: HttpRequest) -> QuerySet[Commendation]:
    from . import queries

    return queries.commendations_for(caller(request)).select_related("awarding_unit", "org_unit")


@router.get("/commendations", response={200: CommendationPage, **LIST_ERRORS}, summary="List commendations",
            operation_id="practices_commendations_list")
def list_commendations(request: HttpRequest, params: Query[CommendationFilters]) -> CommendationPage:
    """Commendations of recipients in the caller's units, latest awarded first. Filters: `unit` (recipients in
    its subtree), `year`, `level`, `recipient_kind`. Keyset-paged. A `unit` outside the caller's is 404."""
    qs = _in_unit(request, _commendations(request), params.unit)
    if params.year:
        qs = qs.filter(year=params.year)
    if params.level:
        qs = qs.filter(level=params.level)
    if params.recipient_kind:
        qs = qs.filter(recipient_kind=params.recipient_kind)
    page, nxt = _page(qs, params, "awarded_on")
    return CommendationPage(items=[_commendation_out(c) for c in page], next_cursor=nxt)


@router.post("/commendations", response={201: CommendationOut, **WRITE_ERRORS}, summary="Record a commendation",
             operation_id="practices_commendations_create")
def create_commendation(request: HttpRequest, payload: CommendationIn) -> Status:
    """Records a year-end commendation of a collective or an individual by `awarding_unit` (admin or head
    there, else 403), for the work as a whole or for a `practice` the caller sees."""
    from . import commendations

    awarding = _unit_in_scope(request, payload.awarding_unit, "awarding_unit")
    _require(request, "practices.commend", awarding)
    practice = None
    if payload.practice is not None:
        practice = _practices(request).filter(pk=payload.practice).first()
        if practice is None:
            raise _invalid("practice", _("Choose a practice you can see."))
    data = payload.model_dump(exclude={"awarding_unit", "org_unit", "practice"})
    c = commendations.commend(actor=caller(request), awarding_unit=awarding,
                              org_unit=_any_unit(payload.org_unit, "org_unit"), practice=practice, **data)
    return Status(201, _commendation_out(c))


@router.delete("/commendations/{int:commendation_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a commendation", operation_id="practices_commendations_delete")
def delete_commendation(request: HttpRequest, commendation_id: CommendationId, params: Query[PracticeDeleteParams]
                        ) -> HttpResponse:
    """Removes a commendation recorded by mistake (admin or head of the awarding unit; audited with `reason`)."""
    from . import commendations

    c = _one(_commendations(request), commendation_id)
    _require(request, "practices.commend", c.awarding_unit)
    commendations.delete_commendation(actor=caller(request), commendation=c, reason=params.reason)
    return HttpResponse(status=204)


# =========================================================================== criteria sets


def _criteria_sets(request: HttpRequest) -> QuerySet[CriteriaSet]:
    """Sets in use: the national default, and those of the caller's units, below them or above them."""
    qs = CriteriaSet.objects.filter(is_active=True).select_related("owner")
    scope = scope_of(caller(request))
    if scope.is_superuser:
        return qs
    paths = scope.paths()
    above = {a for p in paths for a in ancestor_paths(p)}
    return qs.filter(Q(owner__isnull=True) | subtree_q(paths, prefix="owner__") | Q(owner__path__in=above))


@router.get("/criteria-sets", response={200: CriteriaSetList, **error_responses(*AUTH_ERRORS)},
            summary="Sets of evaluation criteria", operation_id="practices_criteria_sets")
def criteria_sets(request: HttpRequest) -> CriteriaSetList:
    """The sets of criteria a council may evaluate with, each with its criteria, their maximum scores and the
    total needed to be recognised."""
    rows = _criteria_sets(request).prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("order", "pk"))).order_by("name", "pk")
    items = []
    for s in rows:
        criteria = list(s.criteria.all())
        items.append(CriteriaSetOut(
            id=s.pk, name=s.name, owner=_unit_out(s.owner) if s.owner else None, pass_score=_num(s.pass_score),
            max_total=float(sum((c.max_score for c in criteria), Decimal(0))),
            criteria=[CriterionOut(id=c.pk, name=c.name, max_score=_num(c.max_score), order=c.order)
                      for c in criteria],
        ))
    return CriteriaSetList(items=items)


# =========================================================================== programmes


def _programmes(request: HttpRequest) -> QuerySet[Programme]:
    return Programme.objects.visible_to(caller(request)).filter(deleted_at__isnull=True).select_related("org_unit")


def _programme_row(p: Programme) -> dict[str, Any]:
    return {
        "id": p.pk, "unit": _unit_out(p.org_unit), "name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on,
        "plan_id": p.plan_id, "survey_id": p.survey_id, "status": p.status, "evaluated_on": p.evaluated_on,
        "lock_version": p.lock_version, "created_at": p.created_at,
    }


def _late(step: ProgrammeStep, today: dt.date) -> bool:
    return step.done_on > step.ends_on if step.done_on else step.ends_on < today


def _programme_detail(request: HttpRequest, pk: int) -> ProgrammeDetailOut:
    p = _one(_programmes(request).prefetch_related(
        "steering", "steps", "criteria", Prefetch("attachments", queryset=_live_attachments())), pk)
    today = timezone.localdate()
    steps = [ProgrammeStepOut(id=s.pk, order=s.order, title=s.title, starts_on=s.starts_on, ends_on=s.ends_on,
                              owner=s.owner, done_on=s.done_on, note=s.note, late=_late(s, today))
             for s in p.steps.all()]
    return ProgrammeDetailOut(
        **_programme_row(p), description=p.description, final_evaluation=p.final_evaluation,
        steering=[SteeringMemberOut(id=m.pk, full_name=m.full_name, position=m.position, role=m.role,
                                    duties=m.duties, order=m.order) for m in p.steering.all()],
        steps=steps, late_steps=sum(1 for s in steps if s.late),
        criteria=[ProgrammeCriterionOut(id=c.pk, order=c.order, name=c.name, met=c.met, evidence=c.evidence)
                  for c in p.criteria.all()],
        attachments=[_attachment_out(a) for a in p.attachments.all()],
    )


def _plan(request: HttpRequest, pk: int | None) -> Any:
    if pk is None:
        return None
    from danvan.plans.models import Plan

    found = Plan.objects.visible_to(caller(request)).filter(pk=pk).first()
    if found is None:
        raise _invalid("plan", _("Choose a plan you can see."))
    return found


def _survey(request: HttpRequest, pk: int | None) -> Any:
    if pk is None:
        return None
    from danvan.surveys.models import Survey

    found = Survey.objects.visible_to(caller(request)).filter(pk=pk, deleted_at__isnull=True).first()
    if found is None:
        raise _invalid("survey", _("Choose a survey you can see."))
    return found


def _programme_for_change(request: HttpRequest, pk: int) -> Programme:
    p = _one(_programmes(request), pk)
    _require(request, "practices.change", p)
    return p


@router.get("/programmes", response={200: ProgrammePage, **LIST_ERRORS}, summary="List thematic programmes",
            operation_id="practices_programmes_list")
def list_programmes(request: HttpRequest, params: Query[ProgrammeFilters]) -> ProgrammePage:
    """Programmes of the caller's units (deleted ones left out), latest started first. Filters: `unit`
    subtree, `status`, `year` (running at some time in it). Keyset-paged. A `unit` outside the caller's is
    404."""
    qs = _in_unit(request, _programmes(request), params.unit)
    if params.status:
        qs = qs.filter(status=params.status)
    if params.year:
        qs = qs.filter(starts_on__lte=dt.date(params.year, 12, 31), ends_on__gte=dt.date(params.year, 1, 1))
    page, nxt = _page(qs, params, "starts_on")
    return ProgrammePage(items=[ProgrammeOut(**_programme_row(p)) for p in page], next_cursor=nxt)


@router.get("/programmes/{int:programme_id}", response={200: ProgrammeDetailOut, **READ_ERRORS},
            summary="One thematic programme", operation_id="practices_programmes_detail")
def programme_detail(request: HttpRequest, programme_id: ProgrammeId) -> ProgrammeDetailOut:
    """The programme with its steering board, its ordered steps (each flagged `late` today), its criteria with
    their evidence, the final evaluation and its files' metadata."""
    return _programme_detail(request, programme_id)


@router.post("/programmes", response={201: ProgrammeDetailOut, **WRITE_ERRORS},
             summary="Create a thematic programme", operation_id="practices_programmes_create")
def create_programme(request: HttpRequest, payload: ProgrammeIn) -> Status:
    """Creates a programme of `org_unit` (admin, head or officer there, else 403), optionally linked to a plan
    and a satisfaction survey the caller sees. An end before the start answers 422 on `ends_on`."""
    from . import programmes

    unit = _unit_in_scope(request, payload.org_unit)
    _require(request, "practices.change", unit)
    p = programmes.create_programme(actor=caller(request), org_unit=unit, name=payload.name,
                                    starts_on=payload.starts_on, ends_on=payload.ends_on,
                                    description=payload.description, plan=_plan(request, payload.plan),
                                    survey=_survey(request, payload.survey))
    return Status(201, _programme_detail(request, p.pk))


@router.patch("/programmes/{int:programme_id}", response={200: ProgrammeDetailOut, **WRITE_ERRORS},
              summary="Change a thematic programme", operation_id="practices_programmes_update")
def update_programme(request: HttpRequest, programme_id: ProgrammeId, payload: ProgrammePatchIn
                     ) -> ProgrammeDetailOut:
    """Changes the fields sent; others stay (null clears `plan` or `survey`); `status` moves between draft and
    running only (the final evaluation closes it). A stale `expected_version` is 409 (nothing saved)."""
    from . import programmes

    p = _programme_for_change(request, programme_id)
    fields = _changes(payload, nullable={"plan", "survey"})
    if "plan" in fields:
        fields["plan"] = _plan(request, fields["plan"])
    if "survey" in fields:
        fields["survey"] = _survey(request, fields["survey"])
    programmes.update_programme(actor=caller(request), programme=p, expected_version=payload.expected_version,
                                **fields)
    return _programme_detail(request, p.pk)


@router.post("/programmes/{int:programme_id}/members", response={201: ProgrammeDetailOut, **WRITE_ERRORS},
             summary="Add a steering board member", operation_id="practices_programmes_member_add")
def add_member(request: HttpRequest, programme_id: ProgrammeId, payload: SteeringMemberIn) -> Status:
    """Adds a member of the steering board with his or her duties."""
    from . import programmes

    p = _programme_for_change(request, programme_id)
    programmes.add_member(actor=caller(request), programme=p, **payload.model_dump())
    return Status(201, _programme_detail(request, p.pk))


@router.post("/programmes/{int:programme_id}/steps", response={201: ProgrammeDetailOut, **WRITE_ERRORS},
             summary="Add a step", operation_id="practices_programmes_step_add")
def add_step(request: HttpRequest, programme_id: ProgrammeId, payload: ProgrammeStepIn) -> Status:
    """Adds a step due by `ends_on` (from `starts_on` for a date range), after the others unless `order` is
    given. An end before the start answers 422 on `ends_on`."""
    from . import programmes

    p = _programme_for_change(request, programme_id)
    programmes.add_step(actor=caller(request), programme=p, **payload.model_dump())
    return Status(201, _programme_detail(request, p.pk))


@router.delete("/programmes/members/{int:member_id}", response={204: None, **WRITE_ERRORS},
               summary="Remove a steering board member", operation_id="practices_programmes_member_remove")
def remove_member(request: HttpRequest, member_id: MemberId) -> HttpResponse:
    """Takes a member off the steering board (audited). An evaluated programme no longer changes (422)."""
    from . import programmes

    member = _one(SteeringMember.objects.filter(programme__in=_programmes(request).values("pk")), member_id)
    member.programme = _programme_for_change(request, member.programme_id)
    programmes.remove_member(actor=caller(request), member=member)
    return HttpResponse(status=204)


def _step(request: HttpRequest, pk: int) -> ProgrammeStep:
    step = _one(ProgrammeStep.objects.filter(programme__in=_programmes(request).values("pk")), pk)
    step.programme = _programme_for_change(request, step.programme_id)
    return step


@router.post("/programmes/steps/{int:step_id}/done", response={200: ProgrammeDetailOut, **WRITE_ERRORS},
             summary="Mark a step done", operation_id="practices_programmes_step_done")
def complete_step(request: HttpRequest, step_id: StepId, payload: StepDoneIn) -> ProgrammeDetailOut:
    """Records the day a step was done and its result; done after its end date it stays flagged late."""
    from . import programmes

    step = _step(request, step_id)
    programmes.complete_step(actor=caller(request), step=step, done_on=payload.done_on, note=payload.note)
    return _programme_detail(request, step.programme_id)


@router.delete("/programmes/steps/{int:step_id}", response={204: None, **WRITE_ERRORS},
               summary="Remove a step", operation_id="practices_programmes_step_remove")
def remove_step(request: HttpRequest, step_id: StepId, params: Query[PracticeDeleteParams]) -> HttpResponse:
    """Takes out a step entered by mistake (audited with `reason`)."""
    from . import programmes

    programmes.remove_step(actor=caller(request), step=_step(request, step_id), reason=params.reason)
    return HttpResponse(status=204)


@router.post("/programmes/{int:programme_id}/criteria", response={201: ProgrammeDetailOut, **WRITE_ERRORS},
             summary="Add a criterion", operation_id="practices_programmes_criterion_add")
def add_criterion(request: HttpRequest, programme_id: ProgrammeId, payload: ProgrammeCriterionIn) -> Status:
    """Adds a criterion the programme must meet, not assessed yet."""
    from . import programmes

    p = _programme_for_change(request, programme_id)
    programmes.add_criterion(actor=caller(request), programme=p, name=payload.name, order=payload.order)
    return Status(201, _programme_detail(request, p.pk))


@router.post("/programmes/criteria/{int:criterion_id}/assess", response={200: ProgrammeDetailOut, **WRITE_ERRORS},
             summary="Assess a criterion", operation_id="practices_programmes_criterion_assess")
def assess_criterion(request: HttpRequest, criterion_id: CriterionId, payload: CriterionAssessIn
                     ) -> ProgrammeDetailOut:
    """Says whether a criterion is met, with its evidence (null: not assessed yet)."""
    from . import programmes

    criterion = _one(ProgrammeCriterion.objects.filter(programme__in=_programmes(request).values("pk")),
                     criterion_id)
    criterion.programme = _programme_for_change(request, criterion.programme_id)
    programmes.assess_criterion(actor=caller(request), criterion=criterion, met=payload.met,
                                evidence=payload.evidence)
    return _programme_detail(request, criterion.programme_id)


@router.post("/programmes/{int:programme_id}/evaluate", response={200: ProgrammeDetailOut, **WRITE_ERRORS},
             summary="Record the final evaluation", operation_id="practices_programmes_evaluate")
def evaluate_programme(request: HttpRequest, programme_id: ProgrammeId, payload: ProgrammeEvaluateIn
                       ) -> ProgrammeDetailOut:
    """Records the final evaluation and lessons; the programme becomes evaluated. A stale `expected_version`
    is 409 (nothing saved)."""
    from . import programmes

    p = _programme_for_change(request, programme_id)
    programmes.evaluate_programme(actor=caller(request), programme=p, expected_version=payload.expected_version,
                                  final_evaluation=payload.final_evaluation, evaluated_on=payload.evaluated_on)
    return _programme_detail(request, p.pk)


@router.delete("/programmes/{int:programme_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a thematic programme", operation_id="practices_programmes_delete")
def delete_programme(request: HttpRequest, programme_id: ProgrammeId, params: Query[PracticeDeleteParams]
                     ) -> HttpResponse:
    """Removes a programme created by mistake from every list (admin or head; audited with `reason`)."""
    from . import programmes

    p = _one(_programmes(request), programme_id)
    _require(request, "practices.delete", p)
    programmes.delete_programme(actor=caller(request), programme=p, reason=params.reason)
    return HttpResponse(status=204)
