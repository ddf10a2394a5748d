"""/api/v1/petitions: the legal-deadline calculator, the case register, the work list and the workflow.

Thin over ``services`` (every write), ``queries`` (the work list), ``identity`` (the only way to a
whistleblower's identity) and ``duplicates``. A petition the caller may not see answers 404 exactly
like one that does not exist; the services decide who may change what (403), a stale
``expected_version`` loses (409, nothing saved), and a step the state or kind does not allow is 422
on ``action``. The deadline calculator reads rule data only, so any authenticated caller may use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from danvan.accounts.models import User
from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import MAX_ID, decode_cursor, encode_cursor, is_dated_key
from danvan.api.units import unit_filter
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.text import search_key
from danvan.orgs.lookup import visible_unit
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q

from . import duplicates, identity, queries, services, workflow
from . import rules as petition_rules
from .api_mediation import router as mediation_router
from .api_reception import router as reception_router
from .api_retention import router as retention_router
from .api_retention import subject_router
from .api_schemas import (
    AttachmentOut,
    DuplicateList,
    DuplicateOfIn,
    DuplicateOut,
    DuplicateParams,
    EventOut,
    HandlerIn,
    HandlerOut,
    IdentityOut,
    NoticeOut,
    PetitionDetailOut,
    PetitionFilters,
    PetitionIn,
    PetitionPage,
    PetitionSummaryOut,
    PetitionUnitOut,
    RevealIn,
    TransitionIn,
    WorklistPage,
    WorklistParams,
)
from .deadlines import compute_deadlines
from .models import (
    Attachment,
    CaseHandler,
    Notice,
    Petition,
    PetitionEvent,
    PetitionField,
    PetitionKind,
    ReceptionVisit,
)

router = Router(tags=["petitions"])
router.add_router("/reception", reception_router)
router.add_router("/mediations", mediation_router)
router.add_router("/retention", retention_router)
router.add_router("/subject-export", subject_router)


class DeadlineParams(Schema):
    kind: Literal["complaint", "denunciation", "recommendation", "feedback"] = Field(
        description="Kind of petition."
    )
    received: dt.date = Field(description="Day the petition was received (YYYY-MM-DD); not in the future.")
    accepted: dt.date | None = Field(
        None, description="Day it was accepted (YYYY-MM-DD); needed for `resolution_due`; not before `received`."
    )
    round: int = Field(1, ge=1, le=2, description="Complaint round: 1 or 2 (2 only for complaints).")
    complex: bool = Field(
        False, description="Complex case: longer complaint resolution; for a denunciation, verification at several places."
    )
    remote: bool = Field(False, description="Remote or hard-to-reach area (complaints).")
    extensions: int = Field(
        0, ge=0, le=9, description="Extension decisions of a denunciation's resolution (at most the legal maximum)."
    )


class DeadlinesOut(Schema):
    acceptance_due: dt.date | None = Field(description="Last day to accept (or refuse) the petition; null if not applicable.")
    forward_due: dt.date | None = Field(description="Last day to forward it when outside competence; null if not applicable.")
    feedback_due: dt.date | None = Field(description="Last day to reply to the citizen; null if not applicable.")
    resolution_due: dt.date | None = Field(
        description="Last day to resolve it, counted from `accepted`; null without an accepted date or if not applicable."
    )
    rule_version: dt.date = Field(description="The effective date of the rule set used.")


@router.get(
    "/deadlines", response={200: DeadlinesOut, **error_responses(*AUTH_ERRORS, 422)},
    summary="Legal deadlines of a petition", operation_id="petitions_deadlines",
)
def deadlines(request: HttpRequest, params: Query[DeadlineParams]) -> DeadlinesOut:
    """The deadlines the law sets for a petition, under the rules in force on its received / accepted
    dates, counted on the national working-day calendar. Input the law rules out (a date in the
    future, accepted before received, a second round for a denunciation, too many extensions)
    answers 422 with the field."""
    result = compute_deadlines(**params.model_dump())
    return DeadlinesOut(
        acceptance_due=result.acceptance_due, forward_due=result.forward_due, feedback_due=result.feedback_due,
        resolution_due=result.resolution_due, rule_version=dt.date.fromisoformat(result.rule_version),
    )



# =========================================================================== the case register

READ_ERRORS = error_responses(*AUTH_ERRORS, 404)
LIST_ERRORS = error_responses(*AUTH_ERRORS, 404, 422)
WRITE_ERRORS = error_responses(*AUTH_ERRORS, 404, 409, 422)

PetitionId = Annotated[
    int, Path(description="The petition's id; 404 if it does not exist or the caller cannot see it.")
]
UserId = Annotated[int, Path(description="The handler's user id.")]
MASS_SIGNERS = ReceptionVisit.MASS_THRESHOLD


def _in_range(pk: int) -> bool:
    return 1 <= pk <= MAX_ID


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


@contextmanager
def _relabel(mapping: dict[str, str]) -> Iterator[None]:
    """Re-label a service's field errors with the request's field names."""
    try:
        yield
    except ValidationError as exc:
        if isinstance(exc, ConcurrentEditError) or not hasattr(exc, "error_dict") or not set(exc.error_dict) & set(
                mapping):
            raise
        raise ValidationError({mapping.get(k, k): v for k, v in exc.error_dict.items()}) from exc


def _visible(request: HttpRequest) -> QuerySet[Petition]:
    return Petition.objects.alive().visible_to(caller(request))


def _petition(request: HttpRequest, petition_id: int) -> Petition:
    p = (_visible(request).select_related("org_unit", "field").filter(pk=petition_id).first()
         if _in_range(petition_id) else None)
    if p is None:
        raise Http404
    return p




def _unit_ref(unit: OrgUnit) -> PetitionUnitOut:
    return PetitionUnitOut(id=unit.pk, name=unit.name, code=unit.code)


def _summary_row(r: Mapping[str, Any], state: str) -> dict[str, Any]:
    """A list row as plain data from ``WORKLIST_VALUES``-shaped values: the response schema validates it
    once (building the pydantic objects here as well doubled the work of the hottest endpoint)."""
    return {
        "id": r["pk"], "number": r["number"], "year": r["number_year"],
        "unit": {"id": r["org_unit_id"], "name": r["org_unit__name"], "code": r["org_unit__code"]},
        "kind": r["kind"], "field": r["field__code"], "status": r["status"], "summary": r["summary"],
        "received_on": r["received_on"], "next_due": r["next_due"], "next_due_key": r["next_due_key"],
        "deadline_state": state,
        "flags": {"prolonged": r["prolonged_since"] is not None, "over_level": r["over_level"],
                  "mass": r["signers"] >= MASS_SIGNERS},
        "lock_version": r["lock_version"],
    }


def summary_data(p: Petition, today: dt.date) -> dict[str, Any]:
    values = {name: getattr(p, name) for name in WORKLIST_VALUES if "__" not in name}
    values.update(org_unit__name=p.org_unit.name, org_unit__code=p.org_unit.code,
                  field__code=p.field.code if p.field is not None else None)
    return _summary_row(values, queries.deadline_state(p, today))


def summary_out(p: Petition, today: dt.date) -> PetitionSummaryOut:
    return PetitionSummaryOut(**summary_data(p, today))


def _event_out(e: PetitionEvent, denunciation: bool) -> EventOut:
    return EventOut(
        id=e.pk, at=e.at, action=e.action, actor=str(e.actor) if e.actor is not None else None,
        from_status=e.from_status, to_status=e.to_status, reason="" if denunciation else e.reason,
        data=e.data if isinstance(e.data, dict) else {}, notice_number=e.notice_number,
    )


def _attachment_out(a: Attachment, reveal: bool) -> AttachmentOut:
    if a.identifies_filer and not reveal:
        return AttachmentOut(id=a.pk, identifies_filer=True, name=None, content_type=None, size=None,
                             uploaded_at=None)
    return AttachmentOut(id=a.pk, identifies_filer=a.identifies_filer, name=a.original_name,
                         content_type=a.content_type, size=a.size, uploaded_at=a.uploaded_at)


def detail_out(request: HttpRequest, petition_id: int) -> PetitionDetailOut:
    """The case as the caller may see it: a fixed number of queries whatever its history."""
    user = caller(request)
    p = (_visible(request).select_related("org_unit", "field")
         .prefetch_related(
             Prefetch("events", queryset=PetitionEvent.objects.select_related("actor").order_by("at", "pk")),
             Prefetch("handlers", queryset=CaseHandler.objects.filter(revoked_at__isnull=True)
                      .select_related("user").order_by("assigned_at", "pk"), to_attr="active_handlers"),
             Prefetch("notices", queryset=Notice.objects.order_by("issued_on", "pk")),
             Prefetch("attachments", queryset=Attachment.objects.filter(deleted_at__isnull=True)
                      .order_by("uploaded_at", "pk")),
         ).filter(pk=petition_id).first()) if _in_range(petition_id) else None
    if p is None:
        raise Http404
    return _detail(user, p, events=list(p.events.all()), handlers=p.active_handlers,  # type: ignore[attr-defined]
                   notices=list(p.notices.all()), attachments=list(p.attachments.all()))


def fresh_detail_out(request: HttpRequest, p: Petition) -> PetitionDetailOut:
    """A petition just received, answered from what the service holds in memory.

    Intake is the hot write path (issue #5 asks for 200 a second): re-reading the case with its
    four prefetches cost as much as recording it. A new case has exactly its ``receive`` event,
    the notice that step issued (if any), no handler and no attachment, so nothing needs reading.
    """
    notice = getattr(p, "receive_notice", None)
    return _detail(caller(request), p, events=[p.receive_event] if p.receive_event is not None else [],
                   handlers=[], notices=[notice] if notice is not None else [], attachments=[])


def _detail(user: Any, p: Petition, *, events: list[PetitionEvent], handlers: list[CaseHandler],
            notices: list[Notice], attachments: list[Attachment]) -> PetitionDetailOut:
    reveal = any(h.user_id == user.pk for h in handlers) and user.is_active
    denunciation = p.kind == PetitionKind.DENUNCIATION
    base = summary_out(p, timezone.localdate()).model_dump()
    return PetitionDetailOut(
        **base, channel=p.channel, content=p.content, filer_name=p.filer_name, filer_address=p.filer_address,
        anonymous=p.anonymous, signers=p.signers, forwarded_by=p.forwarded_by, round=p.round,
        first_round_id=p.first_round_id, is_complex=p.is_complex, complex_criteria=list(p.complex_criteria or []),
        is_remote=p.is_remote, extensions=p.extensions, accepted_on=p.accepted_on,
        forwarded_to_id=p.forwarded_to_id, forwarded_to_name=p.forwarded_to_name,
        decision_number=p.decision_number, decision_on=p.decision_on, outcome=p.outcome,
        duplicate_of_id=p.duplicate_of_id, prolonged_since=p.prolonged_since,
        allowed_actions=[a.name for a in workflow.actions_from(p.status, p.kind)
                         if petition_rules.may(user, a.name, p)],
        can_reveal_identity=reveal and denunciation,
        events=[_event_out(e, denunciation) for e in events],
        handlers=[HandlerOut(user_id=h.user_id, name=str(h.user), assigned_at=h.assigned_at) for h in handlers],
        notices=[NoticeOut(id=n.pk, kind=n.kind, number=n.number, year=n.year, issued_on=n.issued_on)
                 for n in notices],
        attachments=[_attachment_out(a, reveal) for a in attachments],
    )


def _is_worklist_key(value: Any) -> bool:
    if not (isinstance(value, list) and len(value) == 2):
        return False
    due, pk = value
    if not (isinstance(pk, int) and not isinstance(pk, bool) and 0 <= pk <= MAX_ID):
        return False
    if due is None:
        return True
    try:
        dt.date.fromisoformat(due)
    except (TypeError, ValueError):
        return False
    return True


@router.get(
    "/worklist", response={200: WorklistPage, **LIST_ERRORS}, summary="An officer's work list",
    operation_id="petitions_worklist",
)
def worklist(request: HttpRequest, params: Query[WorklistParams]) -> WorklistPage:
    """The open cases (received, classified, accepted, under verification) of the caller's units, or of `unit`'s
    subtree within them, soonest legal deadline first (cases without one last), each with its `deadline_state`.
    Keyset-paged: pass `next` back as `after`. A `unit` outside the caller's units is 404."""
    try:
        raw = decode_cursor(params.after, _is_worklist_key)
    except ValidationError:
        raise _invalid("after", _("The cursor is not valid; start again from the first page.")) from None
    after = (dt.date.fromisoformat(raw[0]) if raw[0] else None, raw[1]) if raw is not None else None
    unit = unit_filter(request, params.unit)
    rows = queries.worklist(caller(request), unit=unit, after=after, limit=params.limit + 1, values=WORKLIST_VALUES)
    page, more = rows[: params.limit], len(rows) > params.limit
    today = timezone.localdate()
    nxt = None
    if more:
        due, pk = page[-1]["next_due"], page[-1]["pk"]
        nxt = encode_cursor([due.isoformat() if due else None, pk])
    # The hottest endpoint answers plain JSON built from rows: no model objects, no second validation
    # of what this function builds (the schema tests check the shape against WorklistPage).
    states: dict[dt.date | None, str] = {}
    items = []
    for r in page:
        due = r["next_due"]
        if due not in states:
            states[due] = queries.state_for_due(due, today)
        items.append(_summary_row(r, states[due]))
    return JsonResponse({"items": items, "next": nxt}, json_dumps_params={"ensure_ascii": False})  # type: ignore[return-value]


WORKLIST_VALUES = (
    "pk", "number", "number_year", "org_unit_id", "org_unit__name", "org_unit__code", "kind", "field__code",
    "status", "summary", "received_on", "next_due", "next_due_key", "prolonged_since", "over_level", "signers",
    "lock_version",
)


_is_list_key = partial(is_dated_key, parse=dt.date.fromisoformat)



@router.get("", response={200: PetitionPage, **LIST_ERRORS}, summary="List petitions", operation_id="petitions_list")
def list_petitions(request: HttpRequest, params: Query[PetitionFilters]) -> PetitionPage:
    """Petitions of the caller's units (any state), latest received first, filtered by unit subtree, kind, state,
    field, received dates and words (`q`, marks and case ignored). Keyset-paged: pass `next_cursor` as `cursor`."""
    after = decode_cursor(params.cursor, _is_list_key)
    if params.received_from and params.received_to and params.received_to < params.received_from:
        raise _invalid("received_to", _("The end date cannot be before the start date."))
    qs = _visible(request).select_related("org_unit", "field")
    unit = unit_filter(request, params.unit)
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], prefix="org_unit__"))
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.status:
        qs = qs.filter(status=params.status)
    if params.field:
        qs = qs.filter(field__code=params.field)
    if params.received_from:
        qs = qs.filter(received_on__gte=params.received_from)
    if params.received_to:
        qs = qs.filter(received_on__lte=params.received_to)
    if params.q and (key := search_key(params.q)):
        for word in key.split()[:10]:
            qs = qs.filter(search_text__contains=word)
    if after is not None:
        day, pk = dt.date.fromisoformat(after[0]), after[1]
        qs = qs.filter(Q(received_on__lt=day) | Q(received_on=day, pk__lt=pk))
    rows = list(qs.order_by("-received_on", "-pk")[: params.limit + 1])
    page, more = rows[: params.limit], len(rows) > params.limit
    today = timezone.localdate()
    return PetitionPage(
        items=[summary_out(p, today) for p in page],
        next_cursor=encode_cursor([page[-1].received_on.isoformat(), page[-1].pk]) if more else None,
    )


def _duplicates_out(found: list[Any], today: dt.date) -> DuplicateList:
    return DuplicateList(items=[
        DuplicateOut(petition=summary_out(c.petition, today), score=round(float(c.score), 4),
                     same_filer=bool(c.same_filer))
        for c in found
    ])


@router.get(
    "/duplicates", response={200: DuplicateList, **LIST_ERRORS}, summary="Duplicate candidates for a new petition",
    operation_id="petitions_duplicates_search",
)
def duplicates_search(request: HttpRequest, params: Query[DuplicateParams]) -> DuplicateList:
    """Petitions the caller may see that look like the one being received: the same filer, or similar content
    (marks and case ignored), in the unit's subtree and the levels above. A `unit` outside the caller's is 404."""
    unit = unit_filter(request, params.unit)
    found = duplicates.candidates(
        caller(request), summary=params.summary, content=params.content, filer_name=params.filer_name,
        filer_address=params.filer_address, unit=unit, limit=params.limit,
    )
    return _duplicates_out(found, timezone.localdate())


@router.get(
    "/{int:petition_id}", response={200: PetitionDetailOut, **READ_ERRORS}, summary="One petition",
    operation_id="petitions_detail",
)
def petition_detail(request: HttpRequest, petition_id: PetitionId) -> PetitionDetailOut:
    """The case with its steps, handlers, notices and attachments' metadata. A denunciation's filer is never
    here (use the reveal operation as an assigned handler), nor the free text of its steps; files that identify
    the filer are listed only by id to anyone but its handlers."""
    return detail_out(request, petition_id)


def _field_by_code(field: str, code: str | None) -> PetitionField | None:
    if code is None:
        return None
    found = PetitionField.objects.filter(code=code, active=True).first()
    if found is None:
        raise _invalid(field, _("Unknown field code."))
    return found


@router.post(
    "", response={201: PetitionDetailOut, 200: PetitionDetailOut, **WRITE_ERRORS}, summary="Receive a petition",
    operation_id="petitions_receive",
)
def receive(request: HttpRequest, payload: PetitionIn) -> Status:
    """Records a petition as received by `org_unit` and numbers it (201). With an `Idempotency-Key` header (or
    `idempotency_key`), a retry with the same key for the same unit returns the petition already recorded (200)
    instead of a second one. A denunciation's filer goes in `identity` (stored encrypted); `filer_name` and
    `filer_address` are refused for it. Missing fields the kind requires, a future date or an unknown field
    code answer 422 naming the field."""
    user = caller(request)
    header_key = request.headers.get("Idempotency-Key", "")
    key = payload.idempotency_key or header_key
    if header_key and payload.idempotency_key and header_key != payload.idempotency_key:
        raise _invalid("idempotency_key", _("The Idempotency-Key header and the field differ."))
    if len(key) > 100:
        raise _invalid("idempotency_key", _("Enter at most %(max)s characters.") % {"max": 100})
    unit = visible_unit(user, payload.org_unit)
    if unit is None:
        raise _invalid("org_unit", _("Choose a unit."))
    field = _field_by_code("field", payload.field)
    first_round = None
    if payload.first_round is not None:
        first_round = _visible(request).filter(pk=payload.first_round).first()
        if first_round is None:
            raise _invalid("first_round", _("Choose a complaint you can see."))
    identity = payload.identity.model_dump(exclude_none=True) if payload.identity is not None else None
    petition = services.receive_petition(
        actor=user, org_unit=unit, received_on=payload.received_on, channel=payload.channel, kind=payload.kind,
        summary=payload.summary, content=payload.content, filer_name=payload.filer_name,
        filer_address=payload.filer_address, anonymous=payload.anonymous, signers=payload.signers, field=field,
        forwarded_by=payload.forwarded_by, round=payload.round, first_round=first_round, identity=identity,
        idempotency_key=key,
    )
    if petition.replayed and not user.has_perm("petitions.view_petition", petition):
        raise Http404  # pragma: no cover - intake needs a role on the unit, which sees it
    if petition.replayed:
        return Status(200, detail_out(request, petition.pk))
    return Status(201, fresh_detail_out(request, petition))


TRANSITION_FIELDS = {"to_unit": "to_unit", "field": "field"}


@router.post(
    "/{int:petition_id}/transitions", response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="Move a case one step", operation_id="petitions_transition",
)
def transition(request: HttpRequest, petition_id: PetitionId, payload: TransitionIn) -> PetitionDetailOut:
    """Applies one workflow action (classify, accept, forward, guide, file_away, start_verification, extend,
    resolve, reply, close, suspend, resume, withdraw, reopen) with the fields it takes; send only those.
    A role that may not take the step is 403; a stale `expected_version` is 409 (someone moved the case first:
    nothing saved, read it again); a step the state or kind does not allow, or bad data, is 422 naming the
    field."""
    p = _petition(request, petition_id)
    data = {k: getattr(payload, k) for k in payload.model_fields_set if k not in {"action", "expected_version"}}
    if "field" in data:
        data["field"] = _field_by_code("field", data["field"])
    if "to_unit" in data and data["to_unit"] is not None:
        to_unit = OrgUnit.objects.filter(pk=data["to_unit"], valid_to__isnull=True).first()
        if to_unit is None:
            raise _invalid("to_unit", _("Choose a current unit."))
        data["to_unit"] = to_unit
    services.transition(actor=caller(request), petition=p, action=payload.action,
                        expected_version=payload.expected_version, **data)
    return detail_out(request, p.pk)


@router.post(
    "/{int:petition_id}/handlers", response={201: HandlerOut, **WRITE_ERRORS}, summary="Assign a handler",
    operation_id="petitions_handler_assign",
)
def assign_handler(request: HttpRequest, petition_id: PetitionId, payload: HandlerIn) -> Status:
    """Assigns a user with a handling role on the case's unit as its handler (the head or an administrator of
    the unit may). Only handlers may reveal a denunciation filer's identity. Assigning one twice is harmless."""
    p = _petition(request, petition_id)
    user = User.objects.filter(pk=payload.user_id, is_active=True).first()
    with _relabel({"user": "user_id"}):
        handler = services.assign_handler(actor=caller(request), petition=p, user=user)
    return Status(201, HandlerOut(user_id=handler.user_id, name=str(handler.user), assigned_at=handler.assigned_at))


@router.delete(
    "/{int:petition_id}/handlers/{int:user_id}", response={204: None, **WRITE_ERRORS},
    summary="Revoke a handler", operation_id="petitions_handler_revoke",
)
def revoke_handler(request: HttpRequest, petition_id: PetitionId, user_id: UserId) -> HttpResponse:
    """Ends the user's assignment: from now on they cannot reveal the identity. Not a handler: 422."""
    p = _petition(request, petition_id)
    user = User.objects.filter(pk=user_id).first() if _in_range(user_id) else None
    if user is None:
        raise _invalid("user_id", _("This user is not a handler of this case."))
    with _relabel({"user": "user_id"}):
        services.revoke_handler(actor=caller(request), petition=p, user=user)
    return HttpResponse(status=204)


@router.post(
    "/{int:petition_id}/identity/reveal", response={200: IdentityOut, **WRITE_ERRORS},
    summary="Reveal a denunciation filer's identity", operation_id="petitions_identity_reveal",
)
def reveal(request: HttpRequest, petition_id: PetitionId, payload: RevealIn, response: HttpResponse) -> IdentityOut:
    """Only for a user assigned as handler of this case (403 for anyone else, even the head or an administrator),
    with the reason (audited). The answer is never cached (`Cache-Control: no-store`)."""
    p = _petition(request, petition_id)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    found = identity.reveal_identity(actor=caller(request), petition=p, reason=payload.reason)
    return IdentityOut(**{k: found.get(k) for k in IdentityOut.model_fields})


@router.get(
    "/{int:petition_id}/duplicates", response={200: DuplicateList, **READ_ERRORS},
    summary="Duplicate candidates of a petition", operation_id="petitions_duplicates",
)
def petition_duplicates(request: HttpRequest, petition_id: PetitionId) -> DuplicateList:
    """Petitions the caller may see that may be the same matter as this one (itself excluded)."""
    p = _petition(request, petition_id)
    found = duplicates.candidates(
        caller(request), summary=p.summary, content=p.content, filer_name=p.filer_name,
        filer_address=p.filer_address, unit=p.org_unit, exclude=p,
    )
    return _duplicates_out(found, timezone.localdate())


@router.post(
    "/{int:petition_id}/duplicate-of", response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="Link a petition to its original", operation_id="petitions_duplicate_of",
)
def duplicate_of(request: HttpRequest, petition_id: PetitionId, payload: DuplicateOfIn) -> PetitionDetailOut:
    """Records that this petition duplicates `original` (which the caller must be able to see: else 422)."""
    p = _petition(request, petition_id)
    original = _visible(request).filter(pk=payload.original).first()
    if original is None:
        raise _invalid("original", _("Choose a petition you can see."))
    duplicates.link_duplicate(actor=caller(request), petition=p, original=original)
    return detail_out(request, p.pk)
