"""/api/v1/petitions/retention and /api/v1/petitions/subject-export: destruction decisions and a citizen's own data.

Thin over ``danvan.petitions.retention`` and ``subject_export``: a unit the caller cannot see is a
422 on ``unit``; a caller without the role gets 403; bad input 422 naming the field; the same
decision posted twice answers 200 with the decision already recorded (nothing destroyed twice).
Nothing here returns a filer's name or a petition's content.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import CURSOR_DESCRIPTION, MAX_ID, decode_cursor, encode_cursor
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of

from . import retention, subject_export
from .models import DestructionDecision

router = Router(tags=["petitions"])
subject_router = Router(tags=["petitions"])

READ_ERRORS = error_responses(*AUTH_ERRORS, 404)
LIST_ERRORS = error_responses(*AUTH_ERRORS, 422)
WRITE_ERRORS = error_responses(*AUTH_ERRORS, 422)

DecisionId = Annotated[int, Path(description="The decision's id; 404 if it does not exist or the caller cannot see it.")]


class RetentionEligibleOut(Schema):
    id: int = Field(description="The petition's id.")
    number: int = Field(description="Its number in the unit's register.")
    year: int = Field(description="The numbering year.")
    org_unit_id: int = Field(description="The unit holding it.")
    org_unit_name: str = Field(description="That unit's name.")
    kind: str = Field(description="complaint, denunciation, recommendation, feedback or mixed.")
    received_on: dt.date = Field(description="Day it was received.")
    filed_on: dt.date = Field(description="Day it was filed away.")
    kept_until: dt.date = Field(description="Last day of its retention period.")


class RetentionEligiblePage(Schema):
    unit_id: int = Field(description="The unit whose subtree was searched.")
    items: list[RetentionEligibleOut] = Field(description=f"Oldest filed first; at most {retention.LIST_LIMIT}.")
    ids_hash: str = Field(description="Pass it back as `ids_hash` with the same ids to be sure the list decided is this one.")


class RetentionEligibleParams(Schema):
    unit: int = Field(ge=1, le=MAX_ID, description="The unit deciding (its subtree is searched).")


class RetentionDecisionIn(Schema):
    unit: int = Field(ge=1, le=MAX_ID, description="The unit issuing the decision.")
    petitions: list[int] = Field(max_length=retention.MAX_PER_DECISION,
                                 description="Ids of the petitions to destroy; every one must still be eligible.")
    number: str = Field(max_length=retention.NUMBER_MAX, description="Number and symbol, e.g. 15/QĐ-UBND.")
    decided_on: dt.date = Field(description="Day of the decision: not in the future, after every retention period.")
    signer_name: str = Field(max_length=retention.SIGNER_MAX, description="Who signed it.")
    signer_title: str = Field(max_length=retention.SIGNER_MAX, description="The signer's title.")
    basis: str = Field(max_length=retention.BASIS_MAX, description="Reason and legal basis.")
    ids_hash: str | None = Field(None, max_length=64, description="The `ids_hash` of the eligible list, if checked.")


class RetentionDecisionOut(Schema):
    id: int = Field(description="The decision's id.")
    org_unit_id: int = Field(description="The issuing unit.")
    org_unit_name: str = Field(description="That unit's name.")
    number: str = Field(description="Number and symbol.")
    decided_on: dt.date = Field(description="Day of the decision.")
    signer_name: str = Field(description="Who signed it.")
    signer_title: str = Field(description="The signer's title.")
    basis: str = Field(description="Reason and legal basis.")
    petitions: list[str] = Field(description="The petitions destroyed, as number/year.")
    created_at: dt.datetime = Field(description="When it was recorded.")


class RetentionDecisionPage(Schema):
    items: list[RetentionDecisionOut] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Pass it back as `cursor` for the next page; null at the end.")


class RetentionDecisionParams(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only decisions of this unit's subtree.")
    cursor: str | None = Field(None, max_length=400, description=CURSOR_DESCRIPTION)
    limit: int = Field(50, ge=1, le=200, description="Items per page, 1 to 200.")


def _unit(request: HttpRequest, pk: int, field: str) -> OrgUnit:
    unit = OrgUnit.objects.current().filter(pk=pk).first()
    if unit is None or not scope_of(caller(request)).covers(unit.path):
        raise ValidationError({field: _("Choose a unit.")})
    return unit


def _decision_out(d: DestructionDecision) -> RetentionDecisionOut:
    return RetentionDecisionOut(
        id=d.pk, org_unit_id=d.org_unit_id, org_unit_name=d.org_unit.name, number=d.number, decided_on=d.decided_on,
        signer_name=d.signer_name, signer_title=d.signer_title, basis=d.basis,
        petitions=list(d.petition_numbers), created_at=d.created_at,
    )


@router.get("/eligible", response={200: RetentionEligiblePage, **LIST_ERRORS}, summary="Filed-away petitions due for destruction",
            operation_id="petitions_retention_eligible")
def eligible(request: HttpRequest, params: Query[RetentionEligibleParams]) -> RetentionEligiblePage:
    """Petitions of the unit's subtree filed away longer than the retention period, not destroyed, needed by no open case."""
    user = caller(request)
    unit = _unit(request, params.unit, "unit")
    if not retention.may_decide(user, unit):
        raise PermissionDenied(_("Only the head or an administrator of the unit can decide to destroy petitions."))
    rows = retention.eligible_for_destruction(unit)
    return RetentionEligiblePage(unit_id=unit.pk, ids_hash=retention.ids_hash(r.petition.pk for r in rows), items=[
        RetentionEligibleOut(id=r.petition.pk, number=r.petition.number, year=r.petition.number_year,
                    org_unit_id=r.petition.org_unit_id, org_unit_name=r.petition.org_unit.name, kind=r.petition.kind,
                    received_on=r.petition.received_on, filed_on=r.filed_on, kept_until=r.kept_until)
        for r in rows])


@router.post("/decisions", response={200: RetentionDecisionOut, 201: RetentionDecisionOut, **WRITE_ERRORS},
             summary="Record a destruction decision", operation_id="petitions_retention_decide")
def decide(request: HttpRequest, payload: RetentionDecisionIn) -> Status[RetentionDecisionOut]:
    """Record the decision and destroy the listed petitions (all or none). The same decision again answers 200."""
    user = caller(request)
    unit = _unit(request, payload.unit, "unit")
    fields = payload.model_dump(include={"number", "decided_on", "signer_name", "signer_title", "basis"})
    d = retention.do_destroy(user, unit, fields, list(payload.petitions), expected_ids_hash=payload.ids_hash)
    found = retention.decision_for(user, d.pk) or d
    return Status(200 if getattr(d, "replayed", False) else 201, _decision_out(found))


@router.get("/decisions", response={200: RetentionDecisionPage, **LIST_ERRORS}, summary="List destruction decisions",
            operation_id="petitions_retention_decisions")
def decisions(request: HttpRequest, params: Query[RetentionDecisionParams]) -> RetentionDecisionPage:
    """The decisions of the caller's units (or of `unit`'s subtree), newest first."""
    user = caller(request)
    unit = _unit(request, params.unit, "unit") if params.unit is not None else None
    after = decode_cursor(params.cursor, lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_ID)
    rows = retention.decisions_for(user, unit=unit, after=after, limit=params.limit)
    return RetentionDecisionPage(items=[_decision_out(d) for d in rows],
                        next_cursor=encode_cursor(rows[-1].pk) if len(rows) == params.limit else None)


@router.get("/decisions/{int:decision_id}", response={200: RetentionDecisionOut, **READ_ERRORS},
            summary="One destruction decision", operation_id="petitions_retention_decision")
def decision(request: HttpRequest, decision_id: DecisionId) -> RetentionDecisionOut:
    """The decision with the numbers of the petitions it destroyed (their tombstones stay in the register)."""
    d = retention.decision_for(caller(request), decision_id)
    if d is None:
        raise Http404
    return _decision_out(d)


# --------------------------------------------------------------------------- a citizen's own data


class SubjectExportIn(Schema):
    unit: int = Field(ge=1, le=MAX_ID, description="The unit the official acts for (its subtree is searched).")
    id_number: str = Field(max_length=20, description="The citizen's ID number (CCCD), checked in person.")
    name: str = Field(max_length=subject_export.NAME_MAX, description="The citizen's full name, as on the card.")
    address: str = Field("", max_length=subject_export.ADDRESS_MAX,
                         description="Optional: also finds petitions recorded by name and address.")
    reason: str = Field(max_length=subject_export.REASON_MAX,
                        description="Why (audited); must not contain the citizen's name or ID number.")


class SubjectExportSubjectOut(Schema):
    name: str = Field(description="The citizen's full name, as entered.")
    id_number: str = Field(description="The ID number, as entered.")
    address: str = Field(description="The address, as entered; may be empty.")


class SubjectExportStepOut(Schema):
    at: str = Field(description="When (ISO 8601, local time).")
    action: str = Field(description="The step taken (receive, classify, accept, …).")
    from_: str = Field(alias="from", description="The status before; empty for the first step.")
    to: str = Field(description="The status after.")


class SubjectExportNoticeOut(Schema):
    kind: str = Field(description="The kind of notice.")
    number: int = Field(description="Its number.")
    year: int = Field(description="Its numbering year.")
    issued_on: str = Field(description="Day issued (YYYY-MM-DD).")


class SubjectExportFileOut(Schema):
    name: str = Field(description="The file's name as given.")
    uploaded_at: str = Field(description="When it was attached (ISO 8601).")


class SubjectExportPetitionOut(Schema):
    number: int = Field(description="Number in the unit's register.")
    year: int = Field(description="Numbering year.")
    unit: str = Field(description="The unit holding it.")
    kind: str = Field(description="complaint, denunciation, recommendation, feedback or mixed.")
    channel: str = Field(description="How it was received.")
    received_on: str = Field(description="Day received (YYYY-MM-DD).")
    status: str = Field(description="Its status now.")
    accepted_on: str | None = Field(description="Day accepted for resolution; null if not.")
    decision_number: str = Field(description="Number of the decision or conclusion; may be empty.")
    decision_on: str | None = Field(description="Day of the decision; null if none.")
    outcome: str = Field(description="upheld, partly or rejected; may be empty.")
    published_result: str = Field(description="The result as published on the public site; may be empty.")
    steps: list[SubjectExportStepOut] = Field(description="The steps taken, in order (no officer's notes).")
    notices: list[SubjectExportNoticeOut] = Field(description="The notices issued for it.")
    summary: str | None = Field(None, description="Null for a denunciation.")
    content: str | None = Field(None, description="Null for a denunciation.")
    filer_name: str | None = Field(None, description="The filer's name as recorded; null for a denunciation.")
    filer_address: str | None = Field(None, description="The filer's address; null for a denunciation.")
    signers: int | None = Field(None, description="Number of signers; null for a denunciation.")
    files: list[SubjectExportFileOut] | None = Field(
        None, description="Names of the files given; null for a denunciation.")
    identity: dict[str, str] | None = Field(
        None, description="A denunciation: the citizen's own identity as recorded; null otherwise.")


class SubjectExportVisitOut(Schema):
    number: int = Field(description="Number in the reception book.")
    year: int = Field(description="The book's year.")
    unit: str = Field(description="The unit that received the citizen.")
    visited_on: str = Field(description="Day of the visit (YYYY-MM-DD).")
    name: str = Field(description="Name as recorded.")
    address: str = Field(description="Address as recorded.")
    id_number: str = Field(description="ID number as recorded.")
    summary: str = Field(description="Summary of what the citizen said.")
    kind: str = Field(description="Kind of matter.")
    people_count: int = Field(description="People with the same content.")
    handling: str = Field(description="How the visit was handled.")
    forwarded_to: str = Field(description="Body it was forwarded to; may be empty.")
    refusal_ground: str = Field(description="Ground for refusing the reception; may be empty.")
    refusal_reason: str = Field(description="Reason explained to the citizen; may be empty.")
    follow_up: str = Field(description="Follow-up of the result; may be empty.")


class SubjectExportOut(Schema):
    format: str = Field(description="danvan.subject-export/1")
    generated_at: str = Field(description="When the file was made (ISO 8601).")
    unit: str = Field(description="The unit whose subtree was searched.")
    legal_basis: str = Field(description="The law the export is made under.")
    subject: SubjectExportSubjectOut = Field(description="Who the export is for, as entered.")
    petitions: list[SubjectExportPetitionOut] = Field(description="The citizen's own petitions.")
    reception_visits: list[SubjectExportVisitOut] = Field(description="The citizen's reception book entries.")
    excluded: list[str] = Field(description="What the export leaves out, and why, for the citizen to read.")


@subject_router.post("", response={200: SubjectExportOut, **WRITE_ERRORS}, summary="Export a citizen's own data",
                     operation_id="petitions_subject_export", by_alias=True)
def export(request: HttpRequest, payload: SubjectExportIn) -> SubjectExportOut:
    """The citizen's own petitions and reception visits in the unit's subtree (Law 91/2025/QH15), audited."""
    user = caller(request)
    unit = _unit(request, payload.unit, "unit")
    data = subject_export.export_subject_data(actor=user, unit=unit, **payload.model_dump(exclude={"unit"}))
    return SubjectExportOut.model_validate(data)
