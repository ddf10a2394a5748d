"""Citizen reception: the schedule (heads' days and officers' regular reception) and the book 03/TCD.

The law sets how often a head must receive citizens per level (``ReceptionRule``, data with
effective dates), so the schedule is checked against the rule in force rather than a number in
code. The book is numbered per unit and book year under the unit's row lock, exactly like
petitions, and an idempotency key makes a double submit one line. A denunciation's visitor is a
whistleblower: the name, address and ID go encrypted into ``identity_ciphertext`` (the same keys
as ``FilerIdentity``) and every page, export and API answer shows a mask instead.

Permissions (registered here, on the unit): ``petitions.view_reception`` (any role on the unit or
above), ``petitions.schedule_reception`` (intake roles and the head), ``petitions.record_visit``
(intake roles: reception officer, officer, administrator).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danvan.core import audit
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.writes import check_version, clean_field_text, conditional_update
from danvan.core.writes import is_int as _is_int
from danvan.core.writes import raise_if as _raise
from danvan.core.writes import user_or_none as _user
from danvan.orgs.models import OrgUnit
from danvan.orgs.roles import Role
from danvan.orgs.scope import scope_of

from . import crypto
from .locking import lock_unit, next_number
from .models import (
    Channel,
    PetitionKind,
    ReceptionMode,
    ReceptionPer,
    ReceptionRule,
    ReceptionSession,
    ReceptionVisit,
    RefusalGround,
    VisitHandling,
)
from .workflow import INTAKE_ROLES

EARLIEST = dt.date(2000, 1, 1)
HOST_MAX = 200
TITLE_MAX = 200
LOCATION_MAX = 300
LINK_MAX = 200
NOTE_MAX = 2000
CANCEL_REASON_MAX = 300
NAME_MAX = 200
ADDRESS_MAX = 300
ID_MAX = 20
SUMMARY_MAX = 5000
PRIOR_MAX = 500
FORWARD_TO_MAX = 255
DOC_NUMBER_MAX = 50
REFUSAL_REASON_MIN = 10
REFUSAL_REASON_MAX = 2000
FOLLOW_UP_MAX = 5000
KEY_MAX = 100
PEOPLE_MAX = 32767
SCHEDULE_ROLES = INTAKE_ROLES | {Role.HEAD}
_ID_SHAPE = re.compile(r"[0-9A-Za-z]{6,20}")
# What pages, exports and the API show in place of a denunciation visitor's name, address and ID.
CONFIDENTIAL = gettext_lazy("Confidential (denunciation)")


# --------------------------------------------------------------------------- permissions


def _covers_unit(user: Any, unit: Any, roles: frozenset[str] | set[str] | None) -> bool:
    path = getattr(unit, "path", "")
    return bool(path) and scope_of(user).covers(path, roles)


@rules.predicate
def views_reception(user: Any, unit: Any) -> bool:
    return _covers_unit(user, unit, None)


@rules.predicate
def schedules_reception(user: Any, unit: Any) -> bool:
    return _covers_unit(user, unit, SCHEDULE_ROLES)


@rules.predicate
def records_visit(user: Any, unit: Any) -> bool:
    return _covers_unit(user, unit, INTAKE_ROLES)


rules.add_perm("petitions.view_reception", views_reception)
rules.add_perm("petitions.schedule_reception", schedules_reception)
rules.add_perm("petitions.record_visit", records_visit)


def _require(actor: Any, perm: str, unit: Any, message: str) -> None:
    if actor is not None and not actor.has_perm(perm, unit):
        raise PermissionDenied(message)


# --------------------------------------------------------------------------- small helpers


def _text(errors: dict[str, Any], name: str, value: Any, limit: int, *, required: bool = False,
          multiline: bool = False) -> str:
    value, error = clean_field_text(value, limit, required=required, multiline=multiline)
    if error:
        errors[name] = error
    return value


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _is_time(value: Any) -> bool:
    return isinstance(value, dt.time)


def _current_unit(errors: dict[str, Any], unit: Any) -> None:
    if not isinstance(unit, OrgUnit) or unit.valid_to is not None:
        errors["org_unit"] = _("Choose a current unit.")


def _session_conflict() -> str:
    return _("Someone else changed this reception session after you opened it. Nothing was saved: "
             "reload it and try again.")


def _visit_conflict() -> str:
    return _("Someone else changed this book entry after you opened it. Nothing was saved: reload it and try again.")


# --------------------------------------------------------------------------- schedule


def _clean_session(errors: dict[str, Any], *, org_unit: Any, date: Any, starts_at: Any, ends_at: Any, by_head: Any,
                   host_name: Any, host_title: Any, host: Any, mode: Any, location: Any, online_link: Any,
                   published: Any, note: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _current_unit(errors, org_unit)
    if date is None or date == "":
        errors["date"] = _("This field is required.")
    elif not _is_date(date):
        errors["date"] = _("Enter a valid date.")
    elif date < EARLIEST:
        errors["date"] = _("The date cannot be before 01/01/2000.")
    out["date"] = date
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is not None and value != "" and not _is_time(value):
            errors[name] = _("Enter a valid time.")
    starts_at = starts_at if _is_time(starts_at) else None
    ends_at = ends_at if _is_time(ends_at) else None
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = _("The end time must be after the start time.")
    out["starts_at"], out["ends_at"] = starts_at, ends_at
    for name, value in (("by_head", by_head), ("published", published)):
        if not isinstance(value, bool):
            errors[name] = _("Choose yes or no.")
    out["by_head"], out["published"] = by_head is True, published is True
    out["host_name"] = _text(errors, "host_name", host_name, HOST_MAX, required=True)
    out["host_title"] = _text(errors, "host_title", host_title, TITLE_MAX)
    if host is not None and (not getattr(host, "is_active", False) or not _covers_unit(host, org_unit, None)):
        errors["host"] = _("The user receiving must hold a role in this unit.")
    out["host"] = host
    if mode not in ReceptionMode.values:
        errors["mode"] = _("Choose in person or online.")
    out["mode"] = mode
    out["location"] = _text(errors, "location", location, LOCATION_MAX)
    out["online_link"] = _text(errors, "online_link", online_link, LINK_MAX)
    if out["online_link"] and "online_link" not in errors:
        try:
            URLValidator(schemes=["http", "https"])(out["online_link"])
        except ValidationError:
            errors["online_link"] = _("Enter a web address starting with https://.")
    if mode == ReceptionMode.ONLINE and not out["online_link"] and "online_link" not in errors:
        errors["online_link"] = _("An online session needs its link.")
    if mode == ReceptionMode.IN_PERSON and not out["location"] and "location" not in errors:
        errors["location"] = _("An in-person session needs its place.")
    out["note"] = _text(errors, "note", note, NOTE_MAX, multiline=True)
    return out


def _check_duplicate(errors: dict[str, Any], unit: OrgUnit, data: dict[str, Any], exclude: int | None) -> None:
    """The same host cannot receive twice at overlapping times in one unit on one day (a double entry)."""
    if errors:
        return
    qs = ReceptionSession.objects.filter(org_unit=unit, date=data["date"], cancelled_at__isnull=True,
                                         host_name__iexact=data["host_name"])
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    start, end = data["starts_at"] or dt.time.min, data["ends_at"] or dt.time.max
    for other in qs.only("starts_at", "ends_at"):
        o_start, o_end = other.starts_at or dt.time.min, other.ends_at or dt.time.max
        if start < o_end and o_start < end:
            errors["date"] = _("This person already has a reception session at an overlapping time on this day.")
            return


def _session_summary(session: ReceptionSession) -> dict[str, Any]:
    return {"date": session.date, "by_head": session.by_head, "mode": session.mode, "published": session.published}


@transaction.atomic
def schedule_session(
    *, actor: Any, org_unit: OrgUnit, date: dt.date, starts_at: dt.time | None = None,
    ends_at: dt.time | None = None, by_head: bool = False, host_name: str, host_title: str = "", host: Any = None,
    mode: str = ReceptionMode.IN_PERSON, location: str = "", online_link: str = "", published: bool = True,
    note: str = "",
) -> ReceptionSession:
    """Put a reception on the unit's schedule (published sessions appear on the public site)."""
    _require(actor, "petitions.schedule_reception", org_unit,
             _("You are not allowed to schedule receptions for this unit."))
    errors: dict[str, Any] = {}
    data = _clean_session(errors, org_unit=org_unit, date=date, starts_at=starts_at, ends_at=ends_at,
                          by_head=by_head, host_name=host_name, host_title=host_title, host=host, mode=mode,
                          location=location, online_link=online_link, published=published, note=note)
    _raise(errors)
    lock_unit(org_unit.pk)  # serialises the duplicate check
    _check_duplicate(errors, org_unit, data, None)
    _raise(errors)
    session = ReceptionSession.objects.create(org_unit=org_unit, created_by=_user(actor), **data)
    audit.record("petitions.reception.schedule", actor=actor, obj=session, org_unit=org_unit,
                 summary=_session_summary(session))
    return session


def _lock_session(session: ReceptionSession) -> ReceptionSession:
    return ReceptionSession.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=session.pk)


_SESSION_FIELDS = ("date", "starts_at", "ends_at", "by_head", "host_name", "host_title", "host", "mode", "location",
                   "online_link", "published", "note")


@transaction.atomic
def update_session(*, actor: Any, session: ReceptionSession, expected_version: int, **changes: Any) -> ReceptionSession:
    """Change a scheduled session; a cancelled one stays cancelled. ``changes`` are ``schedule_session``'s fields."""
    version = check_version(expected_version)
    fresh = _lock_session(session)
    _require(actor, "petitions.schedule_reception", fresh.org_unit,
             _("You are not allowed to schedule receptions for this unit."))
    errors: dict[str, Any] = {name: _("This field cannot be changed here.") for name in set(changes) - set(_SESSION_FIELDS)}
    _raise(errors)
    if fresh.cancelled_at is not None:
        raise ValidationError({"date": _("A cancelled session cannot be changed.")})
    current = {name: getattr(fresh, name) for name in _SESSION_FIELDS}
    current.update(changes)
    data = _clean_session(errors, org_unit=fresh.org_unit, **current)
    _raise(errors)
    if fresh.lock_version != version:
        raise _concurrent(_session_conflict())
    _check_duplicate(errors, fresh.org_unit, data, fresh.pk)
    _raise(errors)
    conditional_update(ReceptionSession, fresh, version, _session_conflict(), **data)
    audit.record("petitions.reception.session_update", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={**_session_summary(fresh), "changed": sorted(changes)})
    _copy(session, fresh)
    return fresh


@transaction.atomic
def cancel_session(*, actor: Any, session: ReceptionSession, reason: str, expected_version: int) -> ReceptionSession:
    """Cancel a session with its reason (kept, and no longer counted towards the head's rule)."""
    version = check_version(expected_version)
    fresh = _lock_session(session)
    _require(actor, "petitions.schedule_reception", fresh.org_unit,
             _("You are not allowed to schedule receptions for this unit."))
    errors: dict[str, Any] = {}
    cleaned = _text(errors, "reason", reason, CANCEL_REASON_MAX, required=True)
    if fresh.cancelled_at is not None:
        errors["reason"] = _("This session is already cancelled.")
    _raise(errors)
    conditional_update(ReceptionSession, fresh, version, _session_conflict(), cancelled_at=timezone.now(),
                       cancel_reason=cleaned)
    audit.record("petitions.reception.session_cancel", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary=_session_summary(fresh))
    _copy(session, fresh)
    return fresh


def _concurrent(message: str) -> Exception:
    return ConcurrentEditError(message)


def _copy(caller: Any, fresh: Any) -> None:
    if caller is fresh:
        return
    for f in type(fresh)._meta.concrete_fields:
        setattr(caller, f.attname, getattr(fresh, f.attname))


# --------------------------------------------------------------------------- the heads' rule


@dataclass(frozen=True)
class Shortfall:
    """A period (a week or a month) in which the head's scheduled reception days fall short of the rule."""

    period_start: dt.date
    period_end: dt.date
    required: int
    scheduled: int
    per: str = ReceptionPer.MONTH
    legal_basis: str = ""


def rule_for(unit: OrgUnit, day: dt.date) -> ReceptionRule | None:
    """The reception rule in force on ``day`` for the unit's kind, or None when the kind has none."""
    return (
        ReceptionRule.objects.filter(unit_kind_id=unit.kind_id, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day)).order_by("-effective_from").first()
    )


def _month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def _periods(per: str, month: dt.date) -> list[tuple[dt.date, dt.date]]:
    first, last = _month_bounds(month)
    if per == ReceptionPer.MONTH:
        return [(first, last)]
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    weeks = []
    while monday <= last:
        weeks.append((monday, monday + dt.timedelta(days=6)))
        monday += dt.timedelta(days=7)
    return weeks


def schedule_shortfalls(unit: OrgUnit, month: dt.date) -> list[Shortfall]:
    """The periods of ``month`` where the head has fewer reception days than the rule in force requires.

    Weekly rules look at each week (Monday to Sunday) that starts in the month; monthly rules at the
    month. Days count once however many head's sessions they hold; cancelled sessions do not count.
    Two queries: the rule, the days.
    """
    first, _last = _month_bounds(month)
    rule = rule_for(unit, first)
    if rule is None:
        return []
    periods = _periods(rule.per, first)
    if not periods:
        return []
    days = set(
        ReceptionSession.objects.filter(
            org_unit=unit, by_head=True, cancelled_at__isnull=True,
            date__gte=periods[0][0], date__lte=periods[-1][1],
        ).values_list("date", flat=True).distinct()
    )
    out = []
    for start, end in periods:
        scheduled = sum(1 for d in days if start <= d <= end)
        if scheduled < rule.min_days:
            out.append(Shortfall(start, end, rule.min_days, scheduled, rule.per, rule.legal_basis))
    return out


# --------------------------------------------------------------------------- the book (03/TCD)


def _clean_visit(errors: dict[str, Any], a: dict[str, Any], today: dt.date) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _current_unit(errors, a["org_unit"])
    visited_on = a["visited_on"]
    if visited_on is None or visited_on == "":
        errors["visited_on"] = _("This field is required.")
    elif not _is_date(visited_on):
        errors["visited_on"] = _("Enter a valid date.")
    elif visited_on > today:
        errors["visited_on"] = _("The date cannot be in the future.")
    elif visited_on < EARLIEST:
        errors["visited_on"] = _("The date cannot be before 01/01/2000.")
    out["visited_on"] = visited_on
    kind, handling = a["kind"], a["handling"]
    if kind not in PetitionKind.values:
        errors["kind"] = _("Choose complaint, denunciation, recommendation, feedback or mixed content.")
    out["kind"] = kind
    if handling not in VisitHandling.values:
        errors["handling"] = _("Choose how the visit was handled.")
    out["handling"] = handling
    refused = handling == VisitHandling.REFUSED
    out["visitor_name"] = _text(errors, "visitor_name", a["visitor_name"], NAME_MAX, required=not refused)
    out["visitor_address"] = _text(errors, "visitor_address", a["visitor_address"], ADDRESS_MAX)
    out["id_number"] = _text(errors, "id_number", a["id_number"], ID_MAX)
    if out["id_number"] and "id_number" not in errors and not _ID_SHAPE.fullmatch(out["id_number"]):
        errors["id_number"] = _("The ID number has 6 to 20 letters or digits.")
    out["summary"] = _text(errors, "summary", a["summary"], SUMMARY_MAX, required=True, multiline=True)
    people = a["people_count"]
    if not _is_int(people) or people < 1:
        errors["people_count"] = _("The number of people must be a whole number, 1 or more.")
    elif people > PEOPLE_MAX:
        errors["people_count"] = _("The number of people must be at most %(n)d.") % {"n": PEOPLE_MAX}
    out["people_count"] = people
    out["prior_bodies"] = _text(errors, "prior_bodies", a["prior_bodies"], PRIOR_MAX)
    for name in ("has_written_petition", "content_signed"):
        if not isinstance(a[name], bool):
            errors[name] = _("Choose yes or no.")
        out[name] = a[name] is True
    if not out["has_written_petition"] and not out["content_signed"] and "has_written_petition" not in errors:
        errors["content_signed"] = _("Without a written petition, the content must be recorded and signed by the citizen.")
    out["forwarded_to_name"] = _text(errors, "forwarded_to_name", a["forwarded_to_name"], FORWARD_TO_MAX)
    out["forward_document_number"] = _text(errors, "forward_document_number", a["forward_document_number"],
                                           DOC_NUMBER_MAX)
    if handling == VisitHandling.FORWARDED:
        if not out["forwarded_to_name"] and "forwarded_to_name" not in errors:
            errors["forwarded_to_name"] = _("Name the body the citizen's matter was forwarded to.")
        if not out["forward_document_number"] and "forward_document_number" not in errors:
            errors["forward_document_number"] = _("Enter the number of the forwarding document.")
    elif out["forwarded_to_name"] or out["forward_document_number"]:
        errors["forwarded_to_name"] = _("Only a forwarded matter names where it was forwarded.")
    ground = a["refusal_ground"] or ""
    out["refusal_reason"] = _text(errors, "refusal_reason", a["refusal_reason"], REFUSAL_REASON_MAX, multiline=True)
    if refused:
        if ground not in RefusalGround.values:
            errors["refusal_ground"] = _("Choose one of the grounds on which the law allows refusing a reception.")
        if len(out["refusal_reason"]) < REFUSAL_REASON_MIN and "refusal_reason" not in errors:
            errors["refusal_reason"] = _("Explain the reason for refusing (at least %(n)d characters).") % {
                "n": REFUSAL_REASON_MIN}
    elif ground or out["refusal_reason"]:
        errors["refusal_ground"] = _("Only a refused reception has a ground for refusal.")
    out["refusal_ground"] = ground if refused else ""
    out["idempotency_key"] = _text(errors, "idempotency_key", a["idempotency_key"], KEY_MAX)
    session = a["session"]
    if session is not None and (not isinstance(session, ReceptionSession)
                                or session.org_unit_id != getattr(a["org_unit"], "pk", None)
                                or session.cancelled_at is not None):
        errors["session"] = _("Choose a session of this unit that is not cancelled.")
    elif session is not None and _is_date(visited_on) and session.date != visited_on:
        errors["session"] = _("The session is on another day than the visit.")
    out["session"] = session
    return out


def _identity_of(data: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in (("name", data["visitor_name"]), ("address", data["visitor_address"]),
                              ("id_number", data["id_number"])) if v}


@transaction.atomic
def record_visit(
    *, actor: Any, org_unit: OrgUnit, visited_on: dt.date, visitor_name: str = "", visitor_address: str = "",
    id_number: str = "", summary: str, kind: str, people_count: int = 1, prior_bodies: str = "",
    has_written_petition: bool = True, content_signed: bool = False, handling: str, forwarded_to_name: str = "",
    forward_document_number: str = "", refusal_ground: str = "", refusal_reason: str = "",
    session: ReceptionSession | None = None, create_petition: bool = False, petition_data: dict[str, Any] | None = None,
    idempotency_key: str = "",
) -> ReceptionVisit:
    """Write one line of the reception book, numbered in the unit's book of the visit's year.

    With ``create_petition`` the petition is received in the same transaction (channel
    "reception", linked to the visit), and the visit's handling is "accepted". A refusal on the
    ground "already resolved" gets a numbered refusal notice.
    """
    _require(actor, "petitions.record_visit", org_unit, _("You are not allowed to record reception visits for this unit."))
    if not isinstance(create_petition, bool):
        raise ValidationError({"create_petition": _("Choose yes or no.")})
    if create_petition:
        if handling not in ("", None, VisitHandling.ACCEPTED):
            raise ValidationError({"handling": _("A visit that creates a petition is handled as 'received'.")})
        handling = VisitHandling.ACCEPTED
    if petition_data is not None and not isinstance(petition_data, dict):
        raise ValidationError({"petition_data": _("The petition's details are not in the expected shape.")})
    today = timezone.localdate()
    errors: dict[str, Any] = {}
    data = _clean_visit(errors, {
        "org_unit": org_unit, "visited_on": visited_on, "visitor_name": visitor_name,
        "visitor_address": visitor_address, "id_number": id_number, "summary": summary, "kind": kind,
        "people_count": people_count, "prior_bodies": prior_bodies, "has_written_petition": has_written_petition,
        "content_signed": content_signed, "handling": handling, "forwarded_to_name": forwarded_to_name,
        "forward_document_number": forward_document_number, "refusal_ground": refusal_ground,
        "refusal_reason": refusal_reason, "session": session, "idempotency_key": idempotency_key,
    }, today)
    _raise(errors)
    key = data.pop("idempotency_key")
    lock_unit(org_unit.pk)
    if key and (existing := ReceptionVisit.objects.filter(org_unit=org_unit, idempotency_key=key).first()):
        return existing
    identity = _identity_of(data)
    protected = data["kind"] == PetitionKind.DENUNCIATION
    if protected:
        data["identity_ciphertext"] = crypto.encrypt(identity) if identity else ""
        data["visitor_name"] = data["visitor_address"] = data["id_number"] = ""
    year = data["visited_on"].year
    visit = ReceptionVisit(org_unit=org_unit, book_year=year, number=next_number(ReceptionVisit.objects.filter(org_unit=org_unit, book_year=year)),
                           idempotency_key=key, created_by=_user(actor), **data)
    try:
        with transaction.atomic():
            visit.save(force_insert=True)
    except IntegrityError:
        if key and (existing := ReceptionVisit.objects.filter(org_unit=org_unit, idempotency_key=key).first()):
            return existing
        raise ValidationError({"visited_on": _(
            "Another visit was numbered at the same moment. Nothing was saved: submit again.")}) from None
    audit.record("petitions.reception.visit", actor=actor, obj=visit, org_unit=org_unit, summary={
        "number": visit.number, "year": visit.book_year, "kind": visit.kind, "handling": visit.handling,
        "people_count": visit.people_count, "mass": visit.is_mass, "refusal_ground": visit.refusal_ground,
    })
    if visit.handling == VisitHandling.REFUSED and visit.refusal_ground == RefusalGround.ALREADY_RESOLVED:
        from . import notices
        from .models import NoticeKind

        notice_data: dict[str, Any] = {"ground": visit.refusal_ground, "reason": visit.refusal_reason,
                                       "visit_number": visit.number, "visit_year": visit.book_year,
                                       "visited_on": visit.visited_on.isoformat()}
        if not protected:
            notice_data.update(visitor_name=visit.visitor_name, visitor_address=visit.visitor_address)
        notices.issue_notice(actor=actor, kind=NoticeKind.REFUSAL, org_unit=org_unit, visit=visit, data=notice_data)
    if create_petition:
        from . import services

        extra = dict(petition_data or {})
        for reserved in ("actor", "org_unit", "channel", "visit", "received_on", "kind", "filer_name",
                         "filer_address", "identity", "idempotency_key"):
            if reserved in extra:
                raise ValidationError({f"petition_data.{reserved}": _("This is taken from the visit.")})
        extra.setdefault("summary", visit.summary[:500])
        extra.setdefault("signers", visit.people_count)
        who: dict[str, Any] = (
            {"identity": identity or None} if protected
            else {"filer_name": visit.visitor_name, "filer_address": visit.visitor_address}
        )
        services.receive_petition(actor=actor, org_unit=org_unit, channel=Channel.RECEPTION, visit=visit,
                                  received_on=visit.visited_on, kind=visit.kind, **who, **extra)
    return visit


def _lock_visit(visit: ReceptionVisit) -> ReceptionVisit:
    return ReceptionVisit.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=visit.pk)


@transaction.atomic
def update_follow_up(*, actor: Any, visit: ReceptionVisit, follow_up: str, expected_version: int) -> ReceptionVisit:
    """Record how the matter was followed up (the book's last column)."""
    version = check_version(expected_version)
    fresh = _lock_visit(visit)
    if fresh.deleted_at is not None:
        raise PermissionDenied(_("This book entry was deleted."))
    _require(actor, "petitions.record_visit", fresh.org_unit,
             _("You are not allowed to record reception visits for this unit."))
    errors: dict[str, Any] = {}
    text = _text(errors, "follow_up", follow_up, FOLLOW_UP_MAX, multiline=True)
    _raise(errors)
    conditional_update(ReceptionVisit, fresh, version, _visit_conflict(), follow_up=text)
    audit.record("petitions.reception.follow_up", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"number": fresh.number, "year": fresh.book_year, "length": len(text)})
    _copy(visit, fresh)
    return fresh


@transaction.atomic
def delete_visit(*, actor: Any, visit: ReceptionVisit, reason: str, expected_version: int) -> ReceptionVisit:
    """Take an entry out of the book (kept, marked deleted; its number is not reused)."""
    version = check_version(expected_version)
    fresh = _lock_visit(visit)
    _require(actor, "petitions.record_visit", fresh.org_unit,
             _("You are not allowed to record reception visits for this unit."))
    errors: dict[str, Any] = {}
    cleaned = _text(errors, "reason", reason, CANCEL_REASON_MAX, required=True)
    if fresh.deleted_at is not None:
        errors["reason"] = _("This book entry is already deleted.")
    _raise(errors)
    conditional_update(ReceptionVisit, fresh, version, _visit_conflict(), deleted_at=timezone.now())
    # The reason is the officer's free text: kept in the audit log only for entries that identify nobody.
    audit.record("petitions.reception.visit_delete", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"number": fresh.number, "year": fresh.book_year,
                          "reason": "" if fresh.kind == PetitionKind.DENUNCIATION else cleaned})
    _copy(visit, fresh)
    return fresh


# --------------------------------------------------------------------------- reads

MAX_SESSIONS = 500
BOOK_LIMIT = 50
MAX_BOOK_LIMIT = 200


def sessions_for(user: Any, unit: OrgUnit | None = None, date_from: dt.date | None = None,
                 date_to: dt.date | None = None) -> QuerySet[ReceptionSession]:
    """Sessions the user may see (their subtrees), optionally of one unit and between two dates, bounded."""
    qs = ReceptionSession.objects.visible_to(user).select_related("org_unit")
    if unit is not None:
        qs = qs.filter(org_unit=unit)
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("date", "starts_at", "pk")


def published_sessions(unit: OrgUnit | None = None, date_from: dt.date | None = None,
                       date_to: dt.date | None = None) -> QuerySet[ReceptionSession]:
    """What the public site shows: published, not cancelled, from today on unless told otherwise."""
    qs = ReceptionSession.objects.filter(published=True, cancelled_at__isnull=True,
                                         org_unit__valid_to__isnull=True).select_related("org_unit")
    if unit is not None:
        qs = qs.filter(org_unit=unit)
    qs = qs.filter(date__gte=date_from or timezone.localdate())
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("date", "starts_at", "pk")


def book(user: Any, unit: OrgUnit, year: int, after: int | None = None,
         limit: int = BOOK_LIMIT) -> tuple[list[ReceptionVisit], int | None]:
    """One page of the unit's book for ``year`` in number order: (entries, the ``after`` of the next page or None).

    Keyset on the number, so the last page costs what the first does. A user who cannot see the
    unit gets an empty page.
    """
    limit = max(1, min(int(limit), MAX_BOOK_LIMIT))
    qs = (ReceptionVisit.objects.visible_to(user)
          .filter(org_unit=unit, book_year=year, deleted_at__isnull=True)
          .select_related("org_unit").order_by("number"))
    if after is not None:
        qs = qs.filter(number__gt=after)
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].number if more and rows else None)


def visit_for(user: Any, pk: int) -> ReceptionVisit | None:
    """A live entry the user may see, or None (callers answer 404 either way)."""
    return (ReceptionVisit.objects.visible_to(user).filter(pk=pk, deleted_at__isnull=True)
            .select_related("org_unit", "session").first())


def shown_identity(visit: ReceptionVisit) -> dict[str, str]:
    """Name, address and ID as the book shows them: masked for a denunciation, always."""
    if visit.kind == PetitionKind.DENUNCIATION:
        mask = str(CONFIDENTIAL)
        return {"name": mask, "address": mask, "id_number": mask}
    return {"name": visit.visitor_name, "address": visit.visitor_address, "id_number": visit.id_number}
