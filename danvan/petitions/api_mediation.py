"""/api/v1/petitions/mediations: grassroots mediation cases for other systems.

Thin over ``danvan.petitions.mediation``: a case the caller may not read answers 404 like one that
does not exist; the service decides who may write (403), what is valid (422 naming the field) and
that a stale ``expected_version`` loses (409, nothing saved).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import CURSOR_DESCRIPTION, MAX_ID
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of

from . import mediation
from .models import MediationCase, MediationSession, Mediator, Petition, ReceptionVisit

router = Router(tags=["petitions"])

READ_ERRORS = error_responses(*AUTH_ERRORS, 404)
LIST_ERRORS = error_responses(*AUTH_ERRORS, 422)
WRITE_ERRORS = error_responses(*AUTH_ERRORS, 404, 409, 422)

CaseId = Annotated[int, Path(description="The mediation's id; 404 if it does not exist or the caller cannot see it.")]
Status_ = Literal["open", "successful", "unsuccessful", "withdrawn"]


class MediationMediatorIn(Schema):
    name: str = Field(max_length=200, description="Full name of the mediator.")
    role: str = Field("", max_length=100, description="Role in the team (team leader, member, …).")
    user_id: int | None = Field(None, description="The user account of the mediator, if any.")


class MediationMediatorOut(Schema):
    id: int = Field(description="The mediator's id.")
    name: str = Field(description="Full name.")
    role: str = Field(description="Role in the team; may be empty.")
    user_id: int | None = Field(description="The mediator's user account, if any.")


class MediationSessionOut(Schema):
    id: int = Field(description="The session's id.")
    held_on: dt.date = Field(description="Day it was held.")
    place: str = Field(description="Where; may be empty.")
    summary: str = Field(description="What was said.")
    result: str = Field(description="What the session reached; may be empty.")


class MediationOut(Schema):
    id: int = Field(description="The mediation's id.")
    org_unit_id: int = Field(description="The unit whose team holds it.")
    org_unit_name: str = Field(description="That unit's name.")
    subject: str = Field(description="What the dispute is about.")
    opened_on: dt.date = Field(description="Day the mediation was opened.")
    status: Status_ = Field(description="open, successful, unsuccessful or withdrawn.")
    closed_on: dt.date | None = Field(description="Day it was closed; null while open.")
    petition_id: int | None = Field(description="The petition it comes from, if any.")
    visit_id: int | None = Field(description="The reception visit it comes from, if any.")
    lock_version: int = Field(description="Pass it back as `expected_version` when writing.")


class MediationDetailOut(MediationOut):
    parties: str = Field(description="The parties to the dispute, as recorded.")
    outcome: str = Field(description="The outcome written at closing; empty while open.")
    mediators: list[MediationMediatorOut]
    sessions: list[MediationSessionOut]


class MediationPage(Schema):
    items: list[MediationOut]
    next_cursor: str | None = Field(description="Pass it back as `cursor` for the next page; null at the end.")


class ListParams(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only cases of this unit's subtree.")
    status: Status_ | None = Field(None, description="Only cases in this status.")
    cursor: str | None = Field(None, max_length=400, description=CURSOR_DESCRIPTION)
    limit: int = Field(50, ge=1, le=200, description="Items per page, 1 to 200.")


class MediationIn(Schema):
    org_unit: int = Field(ge=1, le=MAX_ID, description="The unit whose mediation team holds the case.")
    subject: str = Field(max_length=300)
    parties: str = Field(max_length=5000)
    opened_on: dt.date
    petition: int | None = Field(None, ge=1, le=MAX_ID, description="The petition it comes from, if any.")
    visit: int | None = Field(None, ge=1, le=MAX_ID, description="The reception visit it comes from, if any.")
    mediators: list[MediationMediatorIn] = Field(min_length=1, max_length=20)


class MediationSessionIn(Schema):
    held_on: dt.date
    place: str = Field("", max_length=300)
    summary: str = Field(max_length=20000)
    result: str = Field("", max_length=300)
    expected_version: int = Field(ge=1)


class MediationCloseIn(Schema):
    status: Literal["successful", "unsuccessful", "withdrawn"]
    closed_on: dt.date
    outcome: str = Field(max_length=5000)
    expected_version: int = Field(ge=1)


def _out(c: MediationCase) -> MediationOut:
    return MediationOut(
        id=c.pk, org_unit_id=c.org_unit_id, org_unit_name=c.org_unit.name, subject=c.subject, opened_on=c.opened_on,
        status=c.status, closed_on=c.closed_on, petition_id=c.petition_id, visit_id=c.visit_id,  # type: ignore[arg-type]
        lock_version=c.lock_version,
    )


def _detail(c: MediationCase) -> MediationDetailOut:
    mediators: list[Mediator] = list(c.mediators.all())
    sessions: list[MediationSession] = list(c.sessions.all())
    return MediationDetailOut(
        **_out(c).model_dump(), parties=c.parties, outcome=c.outcome,
        mediators=[MediationMediatorOut(id=m.pk, name=m.name, role=m.role, user_id=m.user_id) for m in mediators],
        sessions=[MediationSessionOut(id=s.pk, held_on=s.held_on, place=s.place, summary=s.summary, result=s.result)
                  for s in sessions],
    )


def _case(request: HttpRequest, pk: int) -> MediationCase:
    case = mediation.mediation_for(caller(request), pk)
    if case is None:
        raise Http404
    return case


def _unit(request: HttpRequest, pk: int, field: str) -> OrgUnit:
    unit = OrgUnit.objects.current().filter(pk=pk).first()
    if unit is None or not scope_of(caller(request)).covers(unit.path):
        raise ValidationError({field: _("Choose a unit.")})
    return unit


@router.get("", response={200: MediationPage, **LIST_ERRORS}, summary="List mediations",
            operation_id="petitions_mediations")
def list_mediations(request: HttpRequest, params: Query[ListParams]) -> MediationPage:
    """The caller's mediation cases (or those of `unit`'s subtree), newest first, keyset-paged."""
    unit = _unit(request, params.unit, "unit") if params.unit is not None else None
    page = mediation.mediations_for(caller(request), unit=unit, status=params.status, after=params.cursor,
                                    limit=params.limit)
    return MediationPage(items=[_out(c) for c in page.items], next_cursor=page.next)


@router.post("", response={201: MediationDetailOut, **WRITE_ERRORS}, summary="Open a mediation",
             operation_id="petitions_mediation_open")
def open_mediation(request: HttpRequest, payload: MediationIn) -> Status[MediationDetailOut]:
    """Open a case with its mediators, from a petition or a reception visit of the same line of units if given."""
    user = caller(request)
    unit = _unit(request, payload.org_unit, "org_unit")
    petition = visit = None
    if payload.petition is not None:
        petition = Petition.objects.visible_to(user).select_related("org_unit").filter(pk=payload.petition).first()
        if petition is None:
            raise ValidationError({"petition": _("Choose a petition of this unit that you can see.")})
    if payload.visit is not None:
        visit = ReceptionVisit.objects.visible_to(user).select_related("org_unit").filter(pk=payload.visit).first()
        if visit is None:
            raise ValidationError({"visit": _("Choose a reception visit of this unit that you can see.")})
    case = mediation.open_mediation(
        actor=user, org_unit=unit, subject=payload.subject, parties=payload.parties, opened_on=payload.opened_on,
        petition=petition, visit=visit, mediators=[m.model_dump() for m in payload.mediators],
    )
    return Status(201, _detail(_case(request, case.pk)))


@router.get("/{int:case_id}", response={200: MediationDetailOut, **READ_ERRORS}, summary="One mediation",
            operation_id="petitions_mediation_detail")
def mediation_detail(request: HttpRequest, case_id: CaseId) -> MediationDetailOut:
    """The case with its mediators and its sessions in order."""
    return _detail(_case(request, case_id))


@router.post("/{int:case_id}/sessions", response={201: MediationDetailOut, **WRITE_ERRORS},
             summary="Record a mediation session", operation_id="petitions_mediation_session")
def record_session(request: HttpRequest, case_id: CaseId, payload: MediationSessionIn) -> Status[MediationDetailOut]:
    """A meeting of the team with the parties; only while the case is open, not before it opened."""
    case = _case(request, case_id)
    mediation.record_session(actor=caller(request), case=case, **payload.model_dump())
    return Status(201, _detail(_case(request, case_id)))


@router.post("/{int:case_id}/close", response={200: MediationDetailOut, **WRITE_ERRORS},
             summary="Close a mediation", operation_id="petitions_mediation_close")
def close_mediation(request: HttpRequest, case_id: CaseId, payload: MediationCloseIn) -> MediationDetailOut:
    """Close the case as successful, unsuccessful or withdrawn, on or after its last session."""
    case = _case(request, case_id)
    mediation.close_mediation(actor=caller(request), case=case, **payload.model_dump())
    return _detail(_case(request, case_id))
