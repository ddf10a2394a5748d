"""/api/v1/petitions/reception: the reception schedule, the heads' shortfalls and the book 03/TCD.

Thin over ``danvan.petitions.reception``. A unit or an entry the caller cannot see answers 404
exactly like one that does not exist; the services decide who may write (403), and bad input is
422 with the field. A denunciation's visitor is never in an answer: name, address and ID are a
mask for everyone, whatever their role.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router, Schema, Status
from pydantic import Field

from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import (
    CURSOR_DESCRIPTION,
    DEFAULT_LIMIT,
    LIMIT_DESCRIPTION,
    MAX_CURSOR_LENGTH,
    MAX_ID,
    MAX_LIMIT,
    decode_cursor,
    encode_cursor,
)
from danvan.orgs.models import OrgUnit

from . import reception
from .models import PetitionField, ReceptionSession, ReceptionVisit

router = Router(tags=["petitions"])

READ_ERRORS = error_responses(*AUTH_ERRORS, 404)
LIST_ERRORS = error_responses(*AUTH_ERRORS, 404, 422)
WRITE_ERRORS = error_responses(*AUTH_ERRORS, 404, 409, 422)
MAX_RANGE_DAYS = 366

UnitId = Annotated[int, Field(ge=1, le=MAX_ID, description="The unit's id; 404 if the caller cannot see it.")]


# --------------------------------------------------------------------------- schemas


class ReceptionUnitRef(Schema):
    id: int = Field(description="The unit's id.")
    name: str = Field(description="The unit's name.")


class ReceptionSessionOut(Schema):
    id: int = Field(description="The session's id.")
    unit: ReceptionUnitRef = Field(description="The unit receiving citizens.")
    date: dt.date = Field(description="Day of the reception.")
    starts_at: dt.time | None = Field(description="Start time; null for the whole working day.")
    ends_at: dt.time | None = Field(description="End time; null for the whole working day.")
    by_head: bool = Field(description="Received by the head (counts towards the heads' reception rule).")
    host_name: str = Field(description="Who receives.")
    host_title: str = Field(description="Their title.")
    mode: str = Field(description="`in_person` or `online`.")
    location: str = Field(description="Place of an in-person session.")
    online_link: str = Field(description="Link of an online session.")
    published: bool = Field(description="Shown on the public site.")
    cancelled: bool = Field(description="The session was cancelled (kept, not counted).")
    cancel_reason: str = Field(description="Why it was cancelled.")
    lock_version: int = Field(description="Pass back as `expected_version` when changing it.")


class ReceptionSessionList(Schema):
    items: list[ReceptionSessionOut] = Field(description=f"Sessions in date order, at most {reception.MAX_SESSIONS}.")


class ReceptionSessionParams(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit's sessions; 404 if not visible.")
    date_from: dt.date | None = Field(None, description="First day (YYYY-MM-DD); today if omitted.")
    date_to: dt.date | None = Field(
        None, description=f"Last day (YYYY-MM-DD); 92 days after `date_from` if omitted; at most {MAX_RANGE_DAYS} days.")


class ReceptionSessionIn(Schema):
    unit: UnitId
    date: dt.date = Field(description="Day of the reception (YYYY-MM-DD).")
    starts_at: dt.time | None = Field(None, description="Start time (HH:MM).")
    ends_at: dt.time | None = Field(None, description="End time (HH:MM), after `starts_at`.")
    by_head: bool = Field(False, description="Received by the head.")
    host_name: str = Field(max_length=reception.HOST_MAX, description="Who receives.")
    host_title: str = Field("", max_length=reception.TITLE_MAX, description="Their title.")
    mode: str = Field("in_person", description="`in_person` (needs `location`) or `online` (needs `online_link`).")
    location: str = Field("", max_length=reception.LOCATION_MAX, description="Place of an in-person session.")
    online_link: str = Field("", max_length=reception.LINK_MAX, description="https link of an online session.")
    published: bool = Field(True, description="Show it on the public site.")
    note: str = Field("", max_length=reception.NOTE_MAX, description="Note.")


class ReceptionShortfallOut(Schema):
    period_start: dt.date = Field(description="First day of the week or month.")
    period_end: dt.date = Field(description="Last day of the week or month.")
    per: str = Field(description="`week` or `month`: how the rule counts.")
    required: int = Field(description="Days the rule in force requires in the period.")
    scheduled: int = Field(description="Days with a head's session (not cancelled) in the period.")
    legal_basis: str = Field(description="The rule's legal basis.")


class ReceptionShortfallParams(Schema):
    unit: UnitId
    month: dt.date = Field(description="Any day of the month to check (YYYY-MM-DD).")


class ReceptionVisitOut(Schema):
    id: int = Field(description="The entry's id.")
    unit: ReceptionUnitRef = Field(description="The unit whose book it is.")
    book_year: int = Field(description="Year of the book.")
    number: int = Field(description="Serial number in the unit's book of that year.")
    visited_on: dt.date = Field(description="Date of the visit.")
    visitor_name: str = Field(description="Full name; a fixed mask for a denunciation.")
    visitor_address: str = Field(description="Address; a fixed mask for a denunciation.")
    id_number: str = Field(description="ID number; a fixed mask for a denunciation.")
    identity_protected: bool = Field(description="A denunciation: the identity is encrypted and never shown here.")
    summary: str = Field(description="Summary of the content.")
    kind: str = Field(description="complaint, denunciation, recommendation, feedback or mixed.")
    people_count: int = Field(description="People with the same content.")
    is_mass: bool = Field(description="A mass delegation (5 people or more).")
    prior_bodies: str = Field(description="Bodies that already handled it.")
    has_written_petition: bool = Field(description="The citizen brought a written petition.")
    content_signed: bool = Field(description="The content was recorded and signed by the citizen.")
    handling: str = Field(description="accepted, guided, forwarded, recorded or refused.")
    forwarded_to_name: str = Field(description="Where it was forwarded.")
    forward_document_number: str = Field(description="Number of the forwarding document.")
    refusal_ground: str = Field(description="Ground of a refusal.")
    refusal_reason: str = Field(description="Reason explained for a refusal.")
    follow_up: str = Field(description="Follow-up of the result.")
    session: int | None = Field(description="The reception session's id, if any.")
    lock_version: int = Field(description="Pass back as `expected_version` when changing it.")


class ReceptionVisitPage(Schema):
    items: list[ReceptionVisitOut] = Field(description="Entries in number order.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ReceptionVisitParams(Schema):
    unit: UnitId
    year: int = Field(ge=2000, le=2100, description="Year of the book.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class ReceptionPetitionDataIn(Schema):
    summary: str | None = Field(None, max_length=500, description="The petition's summary; the visit's if omitted.")
    content: str = Field("", max_length=50_000, description="The petition's content.")
    field: str | None = Field(None, max_length=40, description="Code of the field (land, …).")


class ReceptionVisitIn(Schema):
    unit: UnitId
    visited_on: dt.date = Field(description="Date of the visit (YYYY-MM-DD); not in the future.")
    visitor_name: str = Field("", max_length=reception.NAME_MAX, description="Full name (encrypted for a denunciation).")
    visitor_address: str = Field("", max_length=reception.ADDRESS_MAX, description="Address.")
    id_number: str = Field("", max_length=reception.ID_MAX, description="ID number.")
    summary: str = Field(max_length=reception.SUMMARY_MAX, description="Summary of the content.")
    kind: str = Field(description="complaint, denunciation, recommendation, feedback or mixed.")
    people_count: int = Field(1, description="People with the same content (5 or more: a mass delegation).")
    prior_bodies: str = Field("", max_length=reception.PRIOR_MAX, description="Bodies that already handled it.")
    has_written_petition: bool = Field(True, description="The citizen brought a written petition.")
    content_signed: bool = Field(False, description="Without a written petition: content recorded and signed.")
    handling: str = Field("", description="accepted, guided, forwarded, recorded or refused; `accepted` with "
                          "`create_petition`.")
    forwarded_to_name: str = Field("", max_length=reception.FORWARD_TO_MAX, description="Where it was forwarded.")
    forward_document_number: str = Field("", max_length=reception.DOC_NUMBER_MAX,
                                         description="Number of the forwarding document.")
    refusal_ground: str = Field("", description="incapacitated, disruptive, already_resolved or other_legal.")
    refusal_reason: str = Field("", max_length=reception.REFUSAL_REASON_MAX, description="Reason explained.")
    session: int | None = Field(None, ge=1, le=MAX_ID, description="The reception session's id (same unit and day).")
    create_petition: bool = Field(False, description="Also receive a petition from this visit, in the same step.")
    petition: ReceptionPetitionDataIn | None = Field(None, description="The petition's details with `create_petition`.")
    idempotency_key: str = Field("", max_length=reception.KEY_MAX,
                                 description="Same key for the same unit: the entry already recorded (200).")


# --------------------------------------------------------------------------- helpers


def _unit(request: HttpRequest, pk: int) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=pk).select_related("kind").first()
    if unit is None or not caller(request).has_perm("petitions.view_reception", unit):
        raise Http404
    return unit


def _session_out(s: ReceptionSession) -> ReceptionSessionOut:
    return ReceptionSessionOut(
        id=s.pk, unit=ReceptionUnitRef(id=s.org_unit_id, name=s.org_unit.name), date=s.date, starts_at=s.starts_at,
        ends_at=s.ends_at, by_head=s.by_head, host_name=s.host_name, host_title=s.host_title, mode=s.mode,
        location=s.location, online_link=s.online_link, published=s.published,
        cancelled=s.cancelled_at is not None, cancel_reason=s.cancel_reason, lock_version=s.lock_version,
    )


def _visit_out(v: ReceptionVisit) -> ReceptionVisitOut:
    who = reception.shown_identity(v)
    return ReceptionVisitOut(
        id=v.pk, unit=ReceptionUnitRef(id=v.org_unit_id, name=v.org_unit.name), book_year=v.book_year, number=v.number,
        visited_on=v.visited_on, visitor_name=who["name"], visitor_address=who["address"], id_number=who["id_number"],
        identity_protected=v.kind == "denunciation", summary=v.summary, kind=v.kind, people_count=v.people_count,
        is_mass=v.is_mass, prior_bodies=v.prior_bodies, has_written_petition=v.has_written_petition,
        content_signed=v.content_signed, handling=v.handling, forwarded_to_name=v.forwarded_to_name,
        forward_document_number=v.forward_document_number, refusal_ground=v.refusal_ground,
        refusal_reason=v.refusal_reason, follow_up=v.follow_up, session=v.session_id, lock_version=v.lock_version,
    )


# --------------------------------------------------------------------------- schedule


@router.get("/sessions", response={200: ReceptionSessionList, **LIST_ERRORS}, summary="Reception sessions",
            operation_id="petitions_reception_sessions")
def list_sessions(request: HttpRequest, params: Query[ReceptionSessionParams]) -> ReceptionSessionList:
    """Sessions of the caller's units (or of `unit`) between two dates, cancelled ones included and marked."""
    unit = _unit(request, params.unit) if params.unit is not None else None
    date_from = params.date_from or timezone.localdate()
    date_to = params.date_to or date_from + dt.timedelta(days=92)
    if date_to < date_from:
        raise ValidationError({"date_to": _("The last day cannot be before the first day.")})
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise ValidationError({"date_to": _("Ask for at most %(n)d days at a time.") % {"n": MAX_RANGE_DAYS}})
    rows = reception.sessions_for(caller(request), unit, date_from, date_to)[: reception.MAX_SESSIONS]
    return ReceptionSessionList(items=[_session_out(s) for s in rows])


@router.post("/sessions", response={201: ReceptionSessionOut, **WRITE_ERRORS}, summary="Schedule a reception session",
             operation_id="petitions_reception_schedule")
def create_session(request: HttpRequest, payload: ReceptionSessionIn) -> Any:
    """Put a session on a unit's schedule. 403 without a scheduling role on the unit; 422 for bad input
    (end before start, online without link, in person without place, a duplicate of the same host)."""
    unit = _unit(request, payload.unit)
    data = payload.model_dump(exclude={"unit"})
    s = reception.schedule_session(actor=caller(request), org_unit=unit, **data)
    return Status(201, _session_out(s))


@router.get("/sessions/shortfalls", response={200: list[ReceptionShortfallOut], **LIST_ERRORS},
            summary="Where the head's schedule falls short of the rule", operation_id="petitions_reception_shortfalls")
def shortfalls(request: HttpRequest, params: Query[ReceptionShortfallParams]) -> list[ReceptionShortfallOut]:
    """The weeks or the month of `month` in which the head's reception days are fewer than the rule in force
    for the unit's level requires; empty when the schedule meets it (or the level has no rule)."""
    unit = _unit(request, params.unit)
    return [ReceptionShortfallOut(period_start=s.period_start, period_end=s.period_end, per=s.per, required=s.required,
                         scheduled=s.scheduled, legal_basis=s.legal_basis)
            for s in reception.schedule_shortfalls(unit, params.month)]


# --------------------------------------------------------------------------- the book


@router.get("/visits", response={200: ReceptionVisitPage, **LIST_ERRORS}, summary="The reception book of a unit",
            operation_id="petitions_reception_visits")
def list_visits(request: HttpRequest, params: Query[ReceptionVisitParams]) -> ReceptionVisitPage:
    """The unit's book 03/TCD for a year, in number order, a page at a time (keyset)."""
    unit = _unit(request, params.unit)
    after = decode_cursor(params.cursor, lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_ID)
    rows, nxt = reception.book(caller(request), unit, params.year, after=after, limit=params.limit)
    return ReceptionVisitPage(items=[_visit_out(v) for v in rows], next_cursor=encode_cursor(nxt) if nxt is not None else None)


@router.post("/visits", response={200: ReceptionVisitOut, 201: ReceptionVisitOut, **WRITE_ERRORS}, summary="Record a reception visit",
             operation_id="petitions_reception_record_visit")
def create_visit(request: HttpRequest, payload: ReceptionVisitIn,
                 idempotency_key: Annotated[str | None, Header(
                     alias="Idempotency-Key", description="Same as the body's `idempotency_key`.")] = None) -> Any:
    """A new line of the book (201), or the line already recorded under the same idempotency key (200).
    With `create_petition` the petition is received in the same step."""
    unit = _unit(request, payload.unit)
    key = (idempotency_key or payload.idempotency_key or "").strip()
    session = None
    if payload.session is not None:
        session = ReceptionSession.objects.filter(pk=payload.session).first()
        if session is None:
            raise ValidationError({"session": _("Choose a session of this unit that is not cancelled.")})
    petition_data: dict[str, Any] | None = None
    if payload.petition is not None:
        petition_data = {"content": payload.petition.content}
        if payload.petition.summary is not None:
            petition_data["summary"] = payload.petition.summary
        if payload.petition.field:
            field = PetitionField.objects.filter(code=payload.petition.field, active=True).first()
            if field is None:
                raise ValidationError({"petition.field": _("Choose a field in use.")})
            petition_data["field"] = field
    replay = bool(key) and ReceptionVisit.objects.filter(org_unit=unit, idempotency_key=key).exists()
    data = payload.model_dump(exclude={"unit", "session", "petition", "idempotency_key"})
    visit = reception.record_visit(actor=caller(request), org_unit=unit, session=session, petition_data=petition_data,
                                   idempotency_key=key, **data)
    visit = reception.visit_for(caller(request), visit.pk) or visit
    return Status(200 if replay else 201, _visit_out(visit))


@router.get("/visits/{int:visit_id}", response={200: ReceptionVisitOut, **READ_ERRORS}, summary="One reception book entry",
            operation_id="petitions_reception_visit")
def get_visit(request: HttpRequest,
              visit_id: Annotated[int, Path(description="The entry's id; 404 if the caller cannot see it.")]) -> ReceptionVisitOut:
    """One line of the reception book (form 03/TCD) of a unit the caller can see. For a denunciation the
    visitor's name, address and ID number are shown as confidential to everyone: the book never reveals
    a whistleblower (the assigned handler reveals the identity on the petition)."""
    if not 1 <= visit_id <= MAX_ID:
        raise Http404
    visit = reception.visit_for(caller(request), visit_id)
    if visit is None:
        raise Http404
    return _visit_out(visit)
