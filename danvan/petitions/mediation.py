"""Grassroots mediation (Law 35/2013): cases, mediators, sessions and the outcome — writes and scoped reads.

A mediation team works for a unit (a commune or one of its villages); whoever holds an editing role
on that unit or above it may run the case, supervisors and viewers read it. A case may come from a
petition or a reception visit of the same line of the tree (the unit itself, a unit below it, or
the commune above a village team): the dispute between neighbours the commune received is
mediated by the village team. A denunciation is never mediated (it is not a dispute between
parties, and linking it would show its case to the team).

Each write is one transaction with its audit event, and the audit carries ids, dates and states
only: the parties' names stay on the case. Two people recording on the same case at once: the
second gets ``ConcurrentEditError`` (``lock_version``), nothing of the first is lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

import rules
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.api.pagination import decode_cursor, encode_cursor
from danvan.core import audit
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.writes import check_version, clean_field_text, conditional_update
from danvan.core.writes import fmt_date as _fmt
from danvan.core.writes import is_int as _is_int
from danvan.core.writes import raise_if as _raise
from danvan.core.writes import user_or_none as _user
from danvan.orgs.models import OrgUnit
from danvan.orgs.roles import EDITING_ROLES
from danvan.orgs.scope import scope_of

from .models import (
    MediationCase,
    MediationSession,
    MediationStatus,
    Mediator,
    Petition,
    PetitionKind,
    ReceptionVisit,
)

EARLIEST = dt.date(2000, 1, 1)
SUBJECT_MAX = 300
PARTIES_MAX = 5000
NAME_MAX = 200
ROLE_MAX = 100
PLACE_MAX = 300
SUMMARY_MAX = 20_000
RESULT_MAX = 300
OUTCOME_MAX = 5000
REASON_MAX = 1000
MEDIATORS_MAX = 20
PAGE_SIZE = 50
CLOSING_STATUSES = (MediationStatus.SUCCESSFUL, MediationStatus.UNSUCCESSFUL, MediationStatus.WITHDRAWN)


# --------------------------------------------------------------------------- permissions


def _path(obj: Any) -> str:
    """The unit path of a case (alive) or of a unit (current); "" for anything else."""
    if isinstance(obj, MediationCase):
        return obj.org_unit.path if obj.deleted_at is None else ""
    if isinstance(obj, OrgUnit):
        return obj.path if obj.valid_to is None else ""
    return ""


@rules.predicate
def mediates(user: Any, obj: Any) -> bool:
    path = _path(obj)
    return bool(path) and scope_of(user).covers(path, EDITING_ROLES)


@rules.predicate
def reads_mediation(user: Any, obj: Any) -> bool:
    path = _path(obj)
    return bool(path) and scope_of(user).covers(path)


rules.add_perm("petitions.mediate", mediates)
rules.add_perm("petitions.view_mediation", reads_mediation)


# --------------------------------------------------------------------------- helpers


def _conflict() -> str:
    return _("Someone else changed this mediation after you opened it. Nothing was saved: "
             "reload the page and try again.")


def _text(errors: dict[str, Any], name: str, value: Any, limit: int, *, required: bool = False,
          multiline: bool = False) -> str:
    value, error = clean_field_text(value, limit, required=required, multiline=multiline)
    if error:
        errors[name] = error
    return value


def _date(errors: dict[str, Any], name: str, value: Any, today: dt.date) -> dt.date | None:
    """A date that is given, a real date, not in the future and not absurdly old; None with the error otherwise."""
    if value is None or value == "":
        errors[name] = _("This field is required.")
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[name] = _("Enter a valid date.")
        return None
    if value > today:
        errors[name] = _("The date cannot be in the future.")
        return None
    if value < EARLIEST:
        errors[name] = _("The date cannot be before 01/01/2000.")
        return None
    return value


def _same_line(unit: OrgUnit, other_path: str) -> bool:
    """The other unit is this one, below it, or above it: the petitions a team may take up."""
    return other_path.startswith(unit.path) or unit.path.startswith(other_path)


def _clean_mediators(errors: dict[str, Any], mediators: Any, *, required: bool) -> list[dict[str, Any]]:
    if mediators is None:
        mediators = []
    if not isinstance(mediators, (list, tuple)):
        errors["mediators"] = _("The mediators are not in the expected shape.")
        return []
    if required and not mediators:
        errors["mediators"] = _("Name at least one mediator.")
        return []
    if len(mediators) > MEDIATORS_MAX:
        errors["mediators"] = _("A mediation has at most %(n)d mediators.") % {"n": MEDIATORS_MAX}
        return []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    user_ids = [m.get("user_id") for m in mediators if isinstance(m, dict) and m.get("user_id") is not None]
    users = {u.pk: u for u in get_user_model().objects.filter(
        pk__in=[i for i in user_ids if _is_int(i)], is_active=True)}
    for i, m in enumerate(mediators):
        key = f"mediators.{i}"
        if not isinstance(m, dict):
            errors[key] = _("The mediators are not in the expected shape.")
            continue
        sub: dict[str, Any] = {}
        name = _text(sub, f"{key}.name", m.get("name"), NAME_MAX, required=True)
        role = _text(sub, f"{key}.role", m.get("role", ""), ROLE_MAX)
        uid = m.get("user_id")
        user = None
        if uid is not None:
            user = users.get(uid) if _is_int(uid) else None
            if user is None:
                sub[f"{key}.user_id"] = _("Choose an active user.")
        if name and name.casefold() in seen:
            sub[f"{key}.name"] = _("This mediator is listed twice.")
        seen.add(name.casefold())
        errors.update(sub)
        out.append({"name": name, "role": role, "user": user})
    return out


def _lock(case: MediationCase) -> MediationCase:
    fresh = (MediationCase.objects.select_for_update(of=("self",)).select_related("org_unit")
             .filter(pk=case.pk, deleted_at__isnull=True).first())
    if fresh is None:
        raise ValidationError({"case": _("This mediation no longer exists.")})
    return fresh


def _may_edit(actor: Any, case: MediationCase) -> None:
    if actor is not None and not actor.has_perm("petitions.mediate", case):
        raise PermissionDenied(_("You are not allowed to record mediations for this unit."))


def _refresh_caller(caller: MediationCase, fresh: MediationCase) -> None:
    if caller is not fresh:
        for f in MediationCase._meta.concrete_fields:
            setattr(caller, f.attname, getattr(fresh, f.attname))


# --------------------------------------------------------------------------- writes


@transaction.atomic
def open_mediation(
    *, actor: Any, org_unit: OrgUnit, subject: str, parties: str, opened_on: dt.date,
    petition: Petition | None = None, visit: ReceptionVisit | None = None,
    mediators: list[dict[str, Any]] | None = None,
) -> MediationCase:
    """Open a case for the unit's mediation team, with its mediators, from a petition or a visit if any."""
    if not isinstance(org_unit, OrgUnit) or org_unit.valid_to is not None:
        raise ValidationError({"org_unit": _("Choose a current unit.")})
    if actor is not None and not actor.has_perm("petitions.mediate", org_unit):
        raise PermissionDenied(_("You are not allowed to record mediations for this unit."))
    today = timezone.localdate()
    errors: dict[str, Any] = {}
    subject = _text(errors, "subject", subject, SUBJECT_MAX, required=True)
    parties = _text(errors, "parties", parties, PARTIES_MAX, required=True, multiline=True)
    opened = _date(errors, "opened_on", opened_on, today)
    people = _clean_mediators(errors, mediators, required=True)
    if petition is not None:
        if (not isinstance(petition, Petition) or petition.deleted_at is not None
                or (actor is not None and not actor.has_perm("petitions.view_petition", petition))
                or not _same_line(org_unit, petition.org_unit.path)):
            errors["petition"] = _("Choose a petition of this unit that you can see.")
        elif petition.kind == PetitionKind.DENUNCIATION:
            errors["petition"] = _("A denunciation cannot be mediated.")
        elif opened is not None and opened < petition.received_on:
            errors["opened_on"] = _("The mediation cannot open before the petition was received (%(date)s).") % {
                "date": _fmt(petition.received_on)}
    if visit is not None:
        if (not isinstance(visit, ReceptionVisit) or visit.deleted_at is not None
                or (actor is not None and not scope_of(actor).covers(visit.org_unit.path))
                or not _same_line(org_unit, visit.org_unit.path)):
            errors["visit"] = _("Choose a reception visit of this unit that you can see.")
        elif visit.kind == PetitionKind.DENUNCIATION:
            errors["visit"] = _("A denunciation cannot be mediated.")
        elif opened is not None and opened < visit.visited_on and "opened_on" not in errors:
            errors["opened_on"] = _("The mediation cannot open before the reception visit (%(date)s).") % {
                "date": _fmt(visit.visited_on)}
    _raise(errors)
    case = MediationCase.objects.create(
        org_unit=org_unit, petition=petition, visit=visit, subject=subject, parties=parties,
        opened_on=cast(dt.date, opened),
        created_by=_user(actor),
    )
    Mediator.objects.bulk_create([Mediator(case=case, name=m["name"], role=m["role"], user=m["user"])
                                  for m in people])
    audit.record("petitions.mediation.open", actor=actor, obj=case, org_unit=org_unit, summary={
        "opened_on": opened, "petition": getattr(petition, "pk", None), "visit": getattr(visit, "pk", None),
        "mediators": len(people),
    })
    return case


@transaction.atomic
def add_mediator(*, actor: Any, case: MediationCase, name: str, role: str = "", user_id: int | None = None,
                 expected_version: int) -> Mediator:
    """Add a mediator to an open case (the team may grow when the parties ask for someone they trust)."""
    version = check_version(expected_version)
    fresh = _lock(case)
    _may_edit(actor, fresh)
    if fresh.lock_version != version:
        raise ConcurrentEditError(_conflict())
    if fresh.status != MediationStatus.OPEN:
        raise ValidationError({"name": _("This mediation is closed: nothing more can be added.")})
    errors: dict[str, Any] = {}
    people = _clean_mediators(errors, [{"name": name, "role": role, "user_id": user_id}], required=True)
    _raise({k.removeprefix("mediators.0."): v for k, v in errors.items()})
    person = people[0]
    existing = {n.casefold() for n in fresh.mediators.values_list("name", flat=True)}
    if person["name"].casefold() in existing:
        raise ValidationError({"name": _("This mediator is listed twice.")})
    if len(existing) >= MEDIATORS_MAX:
        raise ValidationError({"name": _("A mediation has at most %(n)d mediators.") % {"n": MEDIATORS_MAX}})
    conditional_update(MediationCase, fresh, version, _conflict())
    mediator = Mediator.objects.create(case=fresh, name=person["name"], role=person["role"], user=person["user"])
    audit.record("petitions.mediation.add_mediator", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"mediator": mediator.pk})
    _refresh_caller(case, fresh)
    return mediator


@transaction.atomic
def record_session(*, actor: Any, case: MediationCase, held_on: dt.date, place: str = "", summary: str,
                   result: str = "", expected_version: int) -> MediationSession:
    """Record one meeting of the team with the parties; only while the case is open."""
    version = check_version(expected_version)
    fresh = _lock(case)
    _may_edit(actor, fresh)
    if fresh.lock_version != version:
        raise ConcurrentEditError(_conflict())
    if fresh.status != MediationStatus.OPEN:
        raise ValidationError({"held_on": _("This mediation is closed: no session can be recorded after it.")})
    today = timezone.localdate()
    errors: dict[str, Any] = {}
    held = _date(errors, "held_on", held_on, today)
    if held is not None and held < fresh.opened_on:
        errors["held_on"] = _("A session cannot be held before the mediation opened (%(date)s).") % {
            "date": _fmt(fresh.opened_on)}
    place = _text(errors, "place", place, PLACE_MAX)
    summary = _text(errors, "summary", summary, SUMMARY_MAX, required=True, multiline=True)
    result = _text(errors, "result", result, RESULT_MAX)
    _raise(errors)
    conditional_update(MediationCase, fresh, version, _conflict())
    session = MediationSession.objects.create(case=fresh, held_on=cast(dt.date, held), place=place, summary=summary,
                                              result=result, recorded_by=_user(actor))
    audit.record("petitions.mediation.session", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"session": session.pk, "held_on": held})
    _refresh_caller(case, fresh)
    return session


@transaction.atomic
def close_mediation(*, actor: Any, case: MediationCase, status: str, closed_on: dt.date, outcome: str,
                    expected_version: int) -> MediationCase:
    """Close the case as successful, unsuccessful or withdrawn, on or after its last session."""
    version = check_version(expected_version)
    fresh = _lock(case)
    _may_edit(actor, fresh)
    if fresh.lock_version != version:
        raise ConcurrentEditError(_conflict())
    if fresh.status != MediationStatus.OPEN:
        raise ValidationError({"status": _("This mediation is already closed.")})
    today = timezone.localdate()
    errors: dict[str, Any] = {}
    if status not in CLOSING_STATUSES:
        errors["status"] = _("Choose successful, unsuccessful or withdrawn.")
    closed = _date(errors, "closed_on", closed_on, today)
    if closed is not None:
        last = fresh.sessions.order_by("-held_on").values_list("held_on", flat=True).first()
        if closed < fresh.opened_on:
            errors["closed_on"] = _("The mediation cannot close before it opened (%(date)s).") % {
                "date": _fmt(fresh.opened_on)}
        elif last is not None and closed < last:
            errors["closed_on"] = _("The mediation cannot close before its last session (%(date)s).") % {
                "date": _fmt(last)}
    outcome = _text(errors, "outcome", outcome, OUTCOME_MAX, required=True, multiline=True)
    _raise(errors)
    conditional_update(MediationCase, fresh, version, _conflict(), status=status, closed_on=closed, outcome=outcome)
    audit.record("petitions.mediation.close", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"status": status, "closed_on": closed})
    _refresh_caller(case, fresh)
    return fresh


@transaction.atomic
def delete_mediation(*, actor: Any, case: MediationCase, reason: str, expected_version: int) -> None:
    """Remove a case entered by mistake: it leaves every list, the audit keeps why and who."""
    version = check_version(expected_version)
    fresh = _lock(case)
    _may_edit(actor, fresh)
    if fresh.lock_version != version:
        raise ConcurrentEditError(_conflict())
    errors: dict[str, Any] = {}
    reason = _text(errors, "reason", reason, REASON_MAX, required=True)
    _raise(errors)
    conditional_update(MediationCase, fresh, version, _conflict(), deleted_at=timezone.now())
    audit.record("petitions.mediation.delete", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"reason": reason})
    _refresh_caller(case, fresh)


# --------------------------------------------------------------------------- reads


@dataclass
class Page:
    items: list[MediationCase]
    next: str | None


def visible_mediations(user: Any) -> QuerySet[MediationCase]:
    return MediationCase.objects.visible_to(user).filter(deleted_at__isnull=True)


def mediation_for(user: Any, pk: Any) -> MediationCase | None:
    """The case if the user may read it, with what its page shows; None otherwise (a 404 for the caller)."""
    if not _is_int(pk) or not 1 <= pk <= 2**63 - 1:
        return None
    return (visible_mediations(user).select_related("org_unit", "petition", "visit", "created_by")
            .filter(pk=pk).first())


def _is_key(value: Any) -> bool:
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and _is_int(value[1])):
        return False
    try:
        dt.date.fromisoformat(value[0])
    except ValueError:
        return False
    return True


def mediations_for(user: Any, unit: OrgUnit | None = None, status: str | None = None, after: str | None = None,
                   limit: int = PAGE_SIZE) -> Page:
    """The user's cases (in ``unit``'s subtree if given), newest first, one page after the ``after`` cursor.

    Keyset on (opened_on, id), so a late page costs what the first costs; a bad cursor is a
    ``ValidationError`` on ``cursor``.
    """
    key = decode_cursor(after, _is_key)
    qs = visible_mediations(user).select_related("org_unit")
    if unit is not None:
        from danvan.orgs.scope import subtree_q

        qs = qs.filter(subtree_q([unit.path], prefix="org_unit__"))
    if status:
        qs = qs.filter(status=status)
    if key is not None:
        day = dt.date.fromisoformat(key[0])
        qs = qs.filter(Q(opened_on__lt=day) | Q(opened_on=day, pk__lt=key[1]))
    rows = list(qs.order_by("-opened_on", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = encode_cursor([rows[-1].opened_on.isoformat(), rows[-1].pk]) if more and rows else None
    return Page(rows, nxt)
