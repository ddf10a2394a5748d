"""/api/v1/dialogues: dialogues of leaders with citizens, the commitments made there and their progress.

Thin over ``services`` (dialogues), ``commitments`` (promises, progress, report-back), ``queries`` (what a
user sees, a commitment's state) and ``checks`` (the yearly Front dialogue the law requires). A record
the caller may not see answers 404 exactly like one that does not exist; a role that may not act is
403; a stale ``expected_version`` is 409 (nothing saved); bad input is 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import MAX_ID, decode_cursor, encode_cursor, is_dated_key
from danvan.api.units import unit_filter
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q

from .api_schemas import (
    CommitmentDetailOut,
    CommitmentFilters,
    CommitmentIn,
    CommitmentOut,
    CommitmentPage,
    CommitmentPatchIn,
    CommitmentProgressIn,
    CommitmentSummaryOut,
    CommitmentUpdateOut,
    DialogueAttachmentOut,
    DialogueCancelIn,
    DialogueDeleteParams,
    DialogueDetailOut,
    DialogueFilters,
    DialogueHeldIn,
    DialogueIn,
    DialogueOut,
    DialoguePage,
    DialoguePatchIn,
    DialogueRefOut,
    DialogueUnitOut,
    FrontDialogueMissingOut,
    FrontDialogueParams,
    ReportBackIn,
    ReportBackOut,
)
from .models import Attachment, Commitment, CommitmentUpdate, Dialogue

router = Router(tags=["dialogues"])

READ_ERRORS = error_responses(*AUTH_ERRORS, 404)
LIST_ERRORS = error_responses(*AUTH_ERRORS, 404, 422)
WRITE_ERRORS = error_responses(*AUTH_ERRORS, 404, 409, 422)

DialogueId = Annotated[int, Path(description="The dialogue's id; 404 if it does not exist or is not visible.")]
CommitmentId = Annotated[int, Path(description="The commitment's id; 404 if it does not exist or is not visible.")]

_date_key = partial(is_dated_key, parse=dt.date.fromisoformat)
MAX_PATH_CURSOR = 255


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


def _unit_out(unit: OrgUnit) -> DialogueUnitOut:
    return DialogueUnitOut(id=unit.pk, name=unit.name, code=unit.code or "")


def _attachments(**owner: Any) -> list[DialogueAttachmentOut]:
    rows = Attachment.objects.filter(deleted_at__isnull=True, **owner).order_by("uploaded_at", "pk")
    return [DialogueAttachmentOut(id=a.pk, name=a.original_name, content_type=a.content_type, size=a.size,
                                  uploaded_at=a.uploaded_at) for a in rows]


def _dialogues(request: HttpRequest) -> QuerySet[Dialogue]:
    from . import queries

    return queries.dialogues_for(caller(request)).select_related("org_unit")


def _commitments(request: HttpRequest) -> QuerySet[Commitment]:
    from . import queries

    return queries.commitments_for(caller(request)).select_related("dialogue__org_unit", "owner_unit")


def _owner_unit(unit_id: int | None) -> OrgUnit | None:
    """Any unit in use (the service decides which the caller may hand a promise to); null → the service's
    "needs an owner" message."""
    if unit_id is None:
        return None
    unit = OrgUnit.objects.filter(pk=unit_id, valid_to__isnull=True).first()
    if unit is None:
        raise _invalid("owner_unit", _("Choose a unit in use."))
    return unit


# =========================================================================== dialogues


def _dialogue_row(d: Dialogue) -> dict[str, Any]:
    return {
        "id": d.pk, "unit": _unit_out(d.org_unit), "kind": d.kind, "title": d.title, "held_on": d.held_on,
        "starts_at": d.starts_at, "place": d.place, "chaired_by": d.chaired_by, "participants": d.participants,
        "participant_groups": d.participant_groups, "status": d.status, "is_public": d.is_public,
        "previous_id": d.previous_id, "lock_version": d.lock_version, "created_at": d.created_at,
    }


def _ref(d: Dialogue) -> DialogueRefOut:
    return DialogueRefOut(id=d.pk, title=d.title, kind=d.kind, held_on=d.held_on,  # type: ignore[arg-type]
                          unit=_unit_out(d.org_unit))


def _commitment_row(c: Commitment, today: dt.date) -> dict[str, Any]:
    from . import queries

    return {
        "id": c.pk, "dialogue": _ref(c.dialogue), "number": c.number, "text": c.text,
        "owner_unit": _unit_out(c.owner_unit), "owner_person": c.owner_person, "due_on": c.due_on,
        "status": c.status, "state": queries.state(c, today), "done_on": c.done_on, "evidence": c.evidence,
        "is_public": c.is_public, "reported_at_id": c.reported_at_id, "lock_version": c.lock_version,
    }


def _dialogue_detail(request: HttpRequest, pk: int) -> DialogueDetailOut:
    from . import queries

    d = _one(_dialogues(request).select_related("previous"), pk)
    today = timezone.localdate()
    made = Commitment.objects.live().filter(dialogue=d)
    rows = list(made.select_related("owner_unit").order_by("number", "pk"))
    for c in rows:
        c.dialogue = d
    back = queries.to_report_back(d)
    for c in back:
        c.dialogue.org_unit = d.org_unit  # earlier dialogues of the same unit
    return DialogueDetailOut(
        **_dialogue_row(d), topics=d.topics, minutes=d.minutes,
        commitments=[CommitmentOut(**_commitment_row(c, today)) for c in rows],
        summary=CommitmentSummaryOut(**queries.summary(made, today=today)),
        to_report_back=[CommitmentOut(**_commitment_row(c, today)) for c in back],
        attachments=_attachments(dialogue=d),
    )


@router.get("", response={200: DialoguePage, **LIST_ERRORS}, summary="List dialogues",
            operation_id="dialogues_list")
def list_dialogues(request: HttpRequest, params: Query[DialogueFilters]) -> DialoguePage:
    """Dialogues of the caller's units (deleted ones left out), latest first, filtered by `unit` subtree,
    `kind`, `status` and `year`. Keyset-paged: pass `next_cursor` back as `cursor`. A `unit` outside the
    caller's is 404."""
    qs = _dialogues(request)
    unit = unit_filter(request, params.unit)
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], prefix="org_unit__"))
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.status:
        qs = qs.filter(status=params.status)
    if params.year:
        qs = qs.filter(held_on__gte=dt.date(params.year, 1, 1), held_on__lte=dt.date(params.year, 12, 31))
    after = decode_cursor(params.cursor, _date_key)
    if after is not None:
        day = dt.date.fromisoformat(after[0])
        qs = qs.filter(Q(held_on__lt=day) | Q(held_on=day, pk__lt=after[1]))
    rows = list(qs.order_by("-held_on", "-pk")[: params.limit + 1])
    page, more = rows[: params.limit], len(rows) > params.limit
    return DialoguePage(items=[DialogueOut(**_dialogue_row(d)) for d in page],
                        next_cursor=encode_cursor([page[-1].held_on.isoformat(), page[-1].pk]) if more else None)


@router.get("/front-dialogue-missing", response={200: FrontDialogueMissingOut, **LIST_ERRORS},
            summary="Communes without the yearly Front dialogue", operation_id="dialogues_front_missing")
def front_dialogue_missing(request: HttpRequest, params: Query[FrontDialogueParams]) -> FrontDialogueMissingOut:
    """The communes of the caller's units (or of `unit`'s subtree) that have held no dialogue between the
    commune committee and the Fatherland Front in `year` (default this year): the law wants at least one a year.
    Paged: pass `next_cursor` back as `cursor`."""
    from . import checks

    year = params.year or timezone.localdate().year
    unit = unit_filter(request, params.unit)
    qs = checks.communes_without_front_dialogue(year, under=unit)
    qs = qs.filter(pk__in=OrgUnit.objects.visible_to(caller(request)).values("pk"))
    after = decode_cursor(params.cursor, lambda v: isinstance(v, str) and 0 < len(v) <= MAX_PATH_CURSOR)
    if after is not None:
        qs = qs.filter(path__gt=after)
    rows = list(qs.order_by("path")[: params.limit + 1])
    page, more = rows[: params.limit], len(rows) > params.limit
    return FrontDialogueMissingOut(year=year, items=[_unit_out(u) for u in page],
                                   next_cursor=encode_cursor(page[-1].path) if more else None)


@router.get("/{int:dialogue_id}", response={200: DialogueDetailOut, **READ_ERRORS}, summary="One dialogue",
            operation_id="dialogues_detail")
def dialogue_detail(request: HttpRequest, dialogue_id: DialogueId) -> DialogueDetailOut:
    """The dialogue with its topics and minutes, its commitments (each with its state today) and their counts,
    the commitments to report back at it, and its files' metadata."""
    return _dialogue_detail(request, dialogue_id)


def _previous(request: HttpRequest, pk: int | None) -> Dialogue | None:
    if pk is None:
        return None
    found = _dialogues(request).filter(pk=pk).first()
    if found is None:
        raise _invalid("previous", _("Choose an earlier dialogue of the same unit."))
    return found


@router.post("", response={201: DialogueDetailOut, **WRITE_ERRORS}, summary="Record a dialogue",
             operation_id="dialogues_create")
def create_dialogue(request: HttpRequest, payload: DialogueIn) -> Status:
    """Records a dialogue of `org_unit` (admin, head or officer there, else 403): planned if dated in the
    future, else held. The same title on the same day in a unit, or a `previous` that is not an earlier
    dialogue of the unit, answer 422 naming the field."""
    from . import services

    user = caller(request)
    unit = OrgUnit.objects.visible_to(user).filter(pk=payload.org_unit).first()
    if unit is None:
        raise _invalid("org_unit", _("Choose a unit."))
    _require(request, "dialogues.change_dialogue", unit)
    data = payload.model_dump(exclude={"org_unit", "previous"})
    d = services.create_dialogue(actor=user, org_unit=unit, previous=_previous(request, payload.previous), **data)
    return Status(201, _dialogue_detail(request, d.pk))


@router.patch("/{int:dialogue_id}", response={200: DialogueDetailOut, **WRITE_ERRORS},
              summary="Change a dialogue", operation_id="dialogues_update")
def update_dialogue(request: HttpRequest, dialogue_id: DialogueId, payload: DialoguePatchIn) -> DialogueDetailOut:
    """Changes the fields sent; others stay (null clears the time, the participants or `previous`). A stale
    `expected_version` is 409 (nothing saved); a cancelled dialogue cannot be changed (422)."""
    from . import services

    d = _one(_dialogues(request), dialogue_id)
    _require(request, "dialogues.change_dialogue", d)
    fields: dict[str, Any] = {}
    for name in sorted(payload.model_fields_set - {"expected_version"}):
        value = getattr(payload, name)
        if value is None and name not in {"starts_at", "participants", "previous"}:
            raise _invalid(name, _("This field is required."))
        fields[name] = _previous(request, value) if name == "previous" else value
    services.update_dialogue(actor=caller(request), dialogue=d, expected_version=payload.expected_version, **fields)
    return _dialogue_detail(request, d.pk)


@router.post("/{int:dialogue_id}/held", response={200: DialogueDetailOut, **WRITE_ERRORS},
             summary="Mark a dialogue as held", operation_id="dialogues_held")
def mark_held(request: HttpRequest, dialogue_id: DialogueId, payload: DialogueHeldIn) -> DialogueDetailOut:
    """A planned dialogue took place: how many came and, if written, the minutes. Not planned, or dated in
    the future: 422."""
    from . import services

    d = _one(_dialogues(request), dialogue_id)
    _require(request, "dialogues.change_dialogue", d)
    services.mark_held(actor=caller(request), dialogue=d, expected_version=payload.expected_version,
                       participants=payload.participants, minutes=payload.minutes)
    return _dialogue_detail(request, d.pk)


@router.post("/{int:dialogue_id}/cancel", response={200: DialogueDetailOut, **WRITE_ERRORS},
             summary="Cancel a dialogue", operation_id="dialogues_cancel")
def cancel_dialogue(request: HttpRequest, dialogue_id: DialogueId, payload: DialogueCancelIn) -> DialogueDetailOut:
    """A planned dialogue will not take place; the reason is audited. Only a planned one can be cancelled."""
    from . import services

    d = _one(_dialogues(request), dialogue_id)
    _require(request, "dialogues.change_dialogue", d)
    services.cancel_dialogue(actor=caller(request), dialogue=d, expected_version=payload.expected_version,
                             reason=payload.reason)
    return _dialogue_detail(request, d.pk)


@router.delete("/{int:dialogue_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a dialogue",
               operation_id="dialogues_delete")
def delete_dialogue(request: HttpRequest, dialogue_id: DialogueId, params: Query[DialogueDeleteParams]
                    ) -> HttpResponse:
    """Removes a dialogue entered by mistake, with its commitments, from every list and count (admin or head;
    audited with `reason`)."""
    from . import services

    d = _one(_dialogues(request), dialogue_id)
    _require(request, "dialogues.delete_dialogue", d)
    services.delete_dialogue(actor=caller(request), dialogue=d, reason=params.reason)
    return HttpResponse(status=204)


@router.post("/{int:dialogue_id}/commitments", response={201: CommitmentDetailOut, **WRITE_ERRORS},
             summary="Record a commitment", operation_id="dialogues_commitment_add")
def add_commitment(request: HttpRequest, dialogue_id: DialogueId, payload: CommitmentIn) -> Status:
    """Records a promise made at a held dialogue, numbered after the others. It needs an owner unit (the
    dialogue's, one under it, or one the caller works for) and a due date not before the dialogue; the same
    text twice in a dialogue is refused (422)."""
    from . import commitments

    d = _one(_dialogues(request), dialogue_id)
    _require(request, "dialogues.change_commitment", d)
    c = commitments.add_commitment(actor=caller(request), dialogue=d, text=payload.text,
                                   owner_unit=_owner_unit(payload.owner_unit), due_on=payload.due_on,
                                   owner_person=payload.owner_person, is_public=payload.is_public)
    return Status(201, _commitment_detail(request, c.pk))


@router.post("/{int:dialogue_id}/report-back", response={200: ReportBackOut, **WRITE_ERRORS},
             summary="Report commitments back", operation_id="dialogues_report_back")
def report_back(request: HttpRequest, dialogue_id: DialogueId, payload: ReportBackIn) -> ReportBackOut:
    """Marks commitments of the unit's earlier dialogues as reported back at this one (see the detail's
    `to_report_back`). Any other commitment in the list answers 422 and nothing is marked."""
    from . import commitments

    d = _one(_dialogues(request), dialogue_id)
    _require(request, "dialogues.change_dialogue", d)
    count = commitments.report_back(actor=caller(request), dialogue=d, commitment_ids=list(payload.commitment_ids))
    return ReportBackOut(reported=count)


# =========================================================================== commitments


def _commitment_detail(request: HttpRequest, pk: int) -> CommitmentDetailOut:
    c = _one(_commitments(request).prefetch_related(
        Prefetch("updates", queryset=CommitmentUpdate.objects.select_related("actor").order_by("at", "pk"))), pk)
    return CommitmentDetailOut(
        **_commitment_row(c, timezone.localdate()),
        updates=[CommitmentUpdateOut(at=u.at, by=str(u.actor) if u.actor is not None else None,
                                     status=u.status, note=u.note)  # type: ignore[arg-type]
                 for u in c.updates.all()],
        attachments=_attachments(commitment=c),
    )


@router.get("/commitments", response={200: CommitmentPage, **LIST_ERRORS}, summary="List commitments",
            operation_id="dialogues_commitments_list")
def list_commitments(request: HttpRequest, params: Query[CommitmentFilters]) -> CommitmentPage:
    """Commitments the caller sees (made in, or owned by, their units), soonest due first, each with its state
    today; filter by `unit` (made in or owned by its subtree), `dialogue`, `state` or `status`. Keyset-paged."""
    from . import queries

    qs = _commitments(request)
    unit = unit_filter(request, params.unit)
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], prefix="dialogue__org_unit__")
                       | subtree_q([unit.path], prefix="owner_unit__"))
    if params.dialogue is not None:
        qs = qs.filter(dialogue_id=params.dialogue)
    today = timezone.localdate()
    if params.state:
        qs = qs.filter(queries.state_q(params.state, today))
    if params.status:
        qs = qs.filter(status=params.status)
    after = decode_cursor(params.cursor, _date_key)
    if after is not None:
        day = dt.date.fromisoformat(after[0])
        qs = qs.filter(Q(due_on__gt=day) | Q(due_on=day, pk__gt=after[1]))
    rows = list(qs.order_by("due_on", "pk")[: params.limit + 1])
    page, more = rows[: params.limit], len(rows) > params.limit
    return CommitmentPage(items=[CommitmentOut(**_commitment_row(c, today)) for c in page],
                          next_cursor=encode_cursor([page[-1].due_on.isoformat(), page[-1].pk]) if more else None)


@router.get("/commitments/{int:commitment_id}", response={200: CommitmentDetailOut, **READ_ERRORS},
            summary="One commitment", operation_id="dialogues_commitments_detail")
def commitment_detail(request: HttpRequest, commitment_id: CommitmentId) -> CommitmentDetailOut:
    """The commitment with its state today, its progress history and its evidence files' metadata; seen by the
    dialogue's units and the owner unit's."""
    return _commitment_detail(request, commitment_id)


@router.patch("/commitments/{int:commitment_id}", response={200: CommitmentDetailOut, **WRITE_ERRORS},
              summary="Correct a commitment", operation_id="dialogues_commitments_update")
def update_commitment(request: HttpRequest, commitment_id: CommitmentId, payload: CommitmentPatchIn
                      ) -> CommitmentDetailOut:
    """Corrects what was promised (the dialogue's unit only: the owner unit reports progress instead). A stale
    `expected_version` is 409 (nothing saved)."""
    from . import commitments

    c = _one(_commitments(request), commitment_id)
    _require(request, "dialogues.change_commitment", c)
    fields: dict[str, Any] = {}
    for name in sorted(payload.model_fields_set - {"expected_version"}):
        value = getattr(payload, name)
        if value is None:
            raise _invalid(name, _("This field is required."))
        fields[name] = _owner_unit(value) if name == "owner_unit" else value
    commitments.update_commitment(actor=caller(request), commitment=c, expected_version=payload.expected_version,
                                  **fields)
    return _commitment_detail(request, c.pk)


@router.post("/commitments/{int:commitment_id}/progress", response={200: CommitmentDetailOut, **WRITE_ERRORS},
             summary="Report a commitment's progress", operation_id="dialogues_commitments_progress")
def report_progress(request: HttpRequest, commitment_id: CommitmentId, payload: CommitmentProgressIn
                    ) -> CommitmentDetailOut:
    """One step of progress, by an editor of the dialogue's unit or of the owner unit (else 403). Done needs
    `done_on` (not in the future, not before the dialogue) and `evidence`; dropped needs a `note`."""
    from . import commitments

    c = _one(_commitments(request), commitment_id)
    _require(request, "dialogues.update_commitment", c)
    commitments.report_progress(actor=caller(request), commitment=c, expected_version=payload.expected_version,
                                status=payload.status, note=payload.note, done_on=payload.done_on,
                                evidence=payload.evidence)
    return _commitment_detail(request, c.pk)


@router.delete("/commitments/{int:commitment_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a commitment", operation_id="dialogues_commitments_delete")
def delete_commitment(request: HttpRequest, commitment_id: CommitmentId, params: Query[DialogueDeleteParams]
                      ) -> HttpResponse:
    """Removes a commitment entered by mistake (e.g. twice) from every list and count (audited with `reason`)."""
    from . import commitments

    c = _one(_commitments(request), commitment_id)
    _require(request, "dialogues.change_commitment", c)
    commitments.delete_commitment(actor=caller(request), commitment=c, reason=params.reason)
    return HttpResponse(status=204)
