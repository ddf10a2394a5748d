"""People's boards (Law 10/2022, Arts. 36–43): writes and scoped reads.

A people's inspection board watches the commune's government; a community investment supervision
board watches one project. Their members are residents elected by the villages, never commune
officials (Art. 36.2): a member linked to a user account who holds an editing role on the board's
unit or below it is refused. Commune officers keep the board's records (members, work plans,
findings) on its behalf; the officials of the unit a finding is addressed to answer it, and an
answer after its deadline must say why (``clean_response``, shared with the Front's supervision).

Each write is one transaction with its audit event; ``actor=None`` is the system (demo, commands):
no permission check, audited as "system". Edits of a board or a finding check ``lock_version``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.writes import check_version, clean_field_text, conditional_update, fmt_date, is_int, raise_if
from danvan.core.writes import user_or_none as _user
from danvan.orgs.models import Membership, OrgUnit
from danvan.orgs.paths import next_prefix
from danvan.orgs.roles import EDITING_ROLES
from danvan.orgs.scope import visible_q

from .models import (
    MIN_BOARD_MEMBERS,
    BoardFinding,
    BoardKind,
    BoardMember,
    BoardWorkPlan,
    MemberPosition,
    PeopleBoard,
    WorkPlanPeriod,
)
from .rules import CHANGE_ROLES

EARLIEST = dt.date(2000, 1, 1)
NAME_MAX = 255
PROJECT_MAX = 255
PERSON_MAX = 200
SUBJECT_MAX = 255
FINDINGS_MAX = 20_000
RECOMMENDATIONS_MAX = 10_000
CONTENT_MAX = 20_000
RESPONSE_MAX = 10_000
LATE_REASON_MAX = 2000
REASON_MAX = 1000
MAX_TERM_YEARS = 10
PERIOD_NUMBERS = {WorkPlanPeriod.QUARTER: 4, WorkPlanPeriod.HALF_YEAR: 2, WorkPlanPeriod.YEAR: 1}
BOARD_FIELDS = ("kind", "name", "term_starts_on", "term_ends_on", "project", "project_investor")


# --------------------------------------------------------------------------- shared helpers


def field_text(errors: dict[str, Any], name: str, value: Any, limit: int, *, required: bool = False,
         multiline: bool = False) -> str:
    value, error = clean_field_text(value, limit, required=required, multiline=multiline)
    if error:
        errors[name] = error
    return value


def field_date(errors: dict[str, Any], name: str, value: Any, *, required: bool = True,
         not_after: dt.date | None = None) -> dt.date | None:
    """A real date after 2000 (and not after ``not_after`` if given); None with the error otherwise."""
    if value is None or value == "":
        if required:
            errors[name] = _("This field is required.")
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[name] = _("Enter a valid date.")
        return None
    if value < EARLIEST:
        errors[name] = _("The date cannot be before 01/01/2000.")
        return None
    if not_after is not None and value > not_after:
        errors[name] = _("The date cannot be in the future.")
        return None
    return value


def clean_response(errors: dict[str, Any], *, response: Any, responded_on: Any, late_reason: Any,
                   starts_on: dt.date, response_due_on: dt.date | None, today: dt.date) -> tuple[str, dt.date | None, str]:
    """The rule every government response follows (a board's finding, the Front's supervision).

    The response is given on a real day between the finding (or the supervision's start) and today;
    given after its deadline, it must say why. Returns the cleaned (response, responded_on, late_reason).
    """
    answer = field_text(errors, "response", response, RESPONSE_MAX, required=True, multiline=True)
    day = field_date(errors, "responded_on", responded_on, not_after=today)
    reason = field_text(errors, "late_reason", late_reason, LATE_REASON_MAX, multiline=True)
    if day is not None and day < starts_on:
        errors["responded_on"] = _("The response cannot be dated before %(date)s.") % {"date": fmt_date(starts_on)}
        day = None
    if day is not None and response_due_on is not None and day > response_due_on and not reason \
            and "late_reason" not in errors:
        errors["late_reason"] = _("The response is after its deadline (%(date)s): say why it is late.") % {
            "date": fmt_date(response_due_on)}
    return answer, day, reason


def editors_of(unit: OrgUnit) -> list[Any]:
    """Users holding an editing role on the unit itself: the people told that something awaits their answer."""
    return list(get_user_model().objects.filter(
        is_active=True, memberships__org_unit=unit, memberships__revoked_at__isnull=True,
        memberships__role__in=CHANGE_ROLES,
    ).distinct())


def _check(actor: Any, perm: str, obj: Any, message: str) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _not_allowed() -> str:
    return _("You are not allowed to keep the records of the people's boards of this unit.")


def _conflict() -> str:
    return _("Someone else changed this record after you opened it. Nothing was saved: reload the page and try again.")


def _current_unit(errors: dict[str, Any], name: str, unit: Any, message: str) -> OrgUnit | None:
    if not isinstance(unit, OrgUnit) or unit.valid_to is not None:
        errors[name] = message
        return None
    return unit


def _refresh(caller: Any, fresh: Any) -> None:
    if caller is not fresh:
        for f in type(fresh)._meta.concrete_fields:
            setattr(caller, f.attname, getattr(fresh, f.attname))


# --------------------------------------------------------------------------- boards


def _clean_board(errors: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    kind = data.get("kind")
    if kind not in BoardKind.values:
        errors["kind"] = _("Choose the kind of board.")
    out["kind"] = kind
    out["name"] = field_text(errors, "name", data.get("name"), NAME_MAX, required=True)
    starts = field_date(errors, "term_starts_on", data.get("term_starts_on"))
    ends = field_date(errors, "term_ends_on", data.get("term_ends_on"))
    if starts and ends:
        if ends < starts:
            errors["term_ends_on"] = _("The term cannot end before it starts.")
        elif (ends - starts).days > MAX_TERM_YEARS * 366:
            errors["term_ends_on"] = _("A term lasts at most %(n)d years.") % {"n": MAX_TERM_YEARS}
    out["term_starts_on"], out["term_ends_on"] = starts, ends
    out["project"] = field_text(errors, "project", data.get("project"), PROJECT_MAX)
    out["project_investor"] = field_text(errors, "project_investor", data.get("project_investor"), PROJECT_MAX)
    if kind == BoardKind.INVESTMENT and not out["project"] and "project" not in errors:
        errors["project"] = _("A community investment supervision board supervises a project: name it.")
    return out


def _overlap(unit: OrgUnit, data: dict[str, Any], exclude: int | None = None) -> dict[str, str]:
    """One inspection board per unit at a time (Art. 36); one investment board per project (Art. 41)."""
    starts, ends = data["term_starts_on"], data["term_ends_on"]
    if not (starts and ends) or data["kind"] not in BoardKind.values:
        return {}
    qs = PeopleBoard.objects.filter(org_unit=unit, kind=data["kind"], deleted_at__isnull=True,
                                    term_starts_on__lte=ends, term_ends_on__gte=starts)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if data["kind"] == BoardKind.INSPECTION:
        if qs.exists():
            return {"term_starts_on": _("This unit already has a people's inspection board for these dates.")}
        return {}
    project = data["project"].casefold()
    if any(p.casefold() == project for p in qs.values_list("project", flat=True)):
        return {"project": _("This project already has a community investment supervision board for these dates.")}
    return {}


@transaction.atomic
def create_board(*, actor: Any, org_unit: OrgUnit, kind: str, name: str, term_starts_on: dt.date,
                 term_ends_on: dt.date, project: str = "", project_investor: str = "") -> PeopleBoard:
    """Register a board of the unit for its term; an investment board names the project it supervises."""
    errors: dict[str, Any] = {}
    unit = _current_unit(errors, "org_unit", org_unit, _("Choose a current unit."))
    raise_if(errors)
    unit = cast(OrgUnit, unit)
    _check(actor, "disclosures.change", unit, _not_allowed())
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=unit.pk).first()  # serialise two creations for the unit
    data = _clean_board(errors, {"kind": kind, "name": name, "term_starts_on": term_starts_on,
                                 "term_ends_on": term_ends_on, "project": project,
                                 "project_investor": project_investor})
    raise_if(errors)
    raise_if(_overlap(unit, data))
    board = PeopleBoard.objects.create(org_unit=unit, created_by=_user(actor), **data)
    audit.record("disclosures.board.create", actor=actor, obj=board, org_unit=unit, summary={
        "kind": board.kind, "term_starts_on": board.term_starts_on, "term_ends_on": board.term_ends_on})
    return board


def _lock_board(board: PeopleBoard) -> PeopleBoard:
    fresh = (PeopleBoard.objects.select_for_update(of=("self",)).select_related("org_unit")
             .filter(pk=board.pk, deleted_at__isnull=True).first())
    if fresh is None:
        raise ValidationError({"board": _("This board no longer exists.")})
    return fresh


@transaction.atomic
def update_board(*, actor: Any, board: PeopleBoard, expected_version: int, **fields: Any) -> PeopleBoard:
    """Correct a board's name, kind, term or project; the fields not given stay as they are."""
    version = check_version(expected_version)
    unknown = set(fields) - set(BOARD_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    fresh = _lock_board(board)
    _check(actor, "disclosures.change", fresh, _not_allowed())
    if fresh.lock_version != version:
        raise ConcurrentEditError(_conflict())
    errors: dict[str, Any] = {}
    data = _clean_board(errors, {name: fields.get(name, getattr(fresh, name)) for name in BOARD_FIELDS})
    if data["term_starts_on"] and data["term_ends_on"] and not errors:
        members = fresh.members.filter(left_on__isnull=True)
        if members.filter(joined_on__gt=data["term_ends_on"]).exists():
            errors["term_ends_on"] = _("A member joined after this date: the term cannot end before.")
    raise_if(errors)
    raise_if(_overlap(fresh.org_unit, data, exclude=fresh.pk))
    changed = {k: v for k, v in data.items() if getattr(fresh, k) != v}
    conditional_update(PeopleBoard, fresh, version, _conflict(), **data)
    audit.record("disclosures.board.update", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"changed": sorted(changed)})
    _refresh(board, fresh)
    return fresh


@transaction.atomic
def delete_board(*, actor: Any, board: PeopleBoard, reason: str) -> None:
    """Remove a board entered by mistake: it leaves every list with its findings, the audit keeps why."""
    fresh = _lock_board(board)
    _check(actor, "disclosures.delete", fresh, _("You are not allowed to remove this board."))
    errors: dict[str, Any] = {}
    reason = field_text(errors, "reason", reason, REASON_MAX, required=True)
    raise_if(errors)
    conditional_update(PeopleBoard, fresh, fresh.lock_version, _conflict(), deleted_at=timezone.now())
    audit.record("disclosures.board.delete", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"reason": reason})
    _refresh(board, fresh)


# --------------------------------------------------------------------------- members


def is_official(user: Any, unit: OrgUnit) -> bool:
    """The user holds an editing role on the unit or a unit below it: a commune official (Art. 36.2)."""
    return Membership.objects.filter(
        user=user, revoked_at__isnull=True, role__in=EDITING_ROLES,
        org_unit__path__gte=unit.path, org_unit__path__lt=next_prefix(unit.path),
    ).exists()


@transaction.atomic
def add_member(*, actor: Any, board: PeopleBoard, full_name: str, position: str, joined_on: dt.date,
               village: OrgUnit | None = None, user: Any = None) -> BoardMember:
    """Add an elected member; officials, a second head and the same person twice are refused."""
    fresh = _lock_board(board)
    _check(actor, "disclosures.change", fresh, _not_allowed())
    errors: dict[str, Any] = {}
    name = field_text(errors, "full_name", full_name, PERSON_MAX, required=True)
    if position not in MemberPosition.values:
        errors["position"] = _("Choose the member's position.")
    joined = field_date(errors, "joined_on", joined_on)
    if joined is not None and not fresh.term_starts_on <= joined <= fresh.term_ends_on:
        errors["joined_on"] = _("The date must be within the board's term (%(start)s – %(end)s).") % {
            "start": fmt_date(fresh.term_starts_on), "end": fmt_date(fresh.term_ends_on)}
    if village is not None and (not isinstance(village, OrgUnit) or village.valid_to is not None
                                or not village.path.startswith(fresh.org_unit.path)):
        errors["village"] = _("Choose a village of the board's unit.")
    if user is not None:
        if getattr(user, "pk", None) is None or not isinstance(user, get_user_model()):
            errors["user"] = _("Choose a user account.")
        elif is_official(user, fresh.org_unit):
            errors["user"] = _("An official of the commune or of its villages cannot sit on the board (Art. 36.2).")
    active = list(fresh.members.filter(left_on__isnull=True))
    if name and any(m.full_name.casefold() == name.casefold() for m in active) and "full_name" not in errors:
        errors["full_name"] = _("%(name)s is already a member of this board.") % {"name": name}
    if user is not None and "user" not in errors and any(m.user_id == user.pk for m in active):
        errors["user"] = _("This user is already a member of this board.")
    if position == MemberPosition.HEAD and any(m.position == MemberPosition.HEAD for m in active):
        errors["position"] = _("The board already has a head: end that membership first.")
    raise_if(errors)
    member = BoardMember.objects.create(board=fresh, full_name=name, position=position,
                                        joined_on=cast(dt.date, joined),
                                        village=village, user=user)
    audit.record("disclosures.board.add_member", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"member": member.pk, "position": position, "joined_on": joined})
    return member


@transaction.atomic
def end_membership(*, actor: Any, member: BoardMember, left_on: dt.date) -> BoardMember:
    """A member leaves the board (resigned, dismissed, moved away) on a day not in the future."""
    fresh = (BoardMember.objects.select_for_update(of=("self",)).select_related("board__org_unit")
             .filter(pk=getattr(member, "pk", 0) or 0, board__deleted_at__isnull=True).first())
    if fresh is None:
        raise ValidationError({"member": _("This member no longer exists.")})
    _check(actor, "disclosures.change", fresh.board, _not_allowed())
    errors: dict[str, Any] = {}
    if fresh.left_on is not None:
        errors["left_on"] = _("This membership already ended on %(date)s.") % {"date": fmt_date(fresh.left_on)}
    day = field_date(errors, "left_on", left_on, not_after=timezone.localdate())
    if day is not None and day < fresh.joined_on and "left_on" not in errors:
        errors["left_on"] = _("A member cannot leave before joining (%(date)s).") % {"date": fmt_date(fresh.joined_on)}
    raise_if(errors)
    fresh.left_on = day
    fresh.save(update_fields=["left_on", "updated_at"])
    audit.record("disclosures.board.end_member", actor=actor, obj=fresh.board, org_unit=fresh.board.org_unit,
                 summary={"member": fresh.pk, "left_on": day})
    _refresh(member, fresh)
    return fresh


# --------------------------------------------------------------------------- work plans


def _quarter(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def warnings(board: PeopleBoard, today: dt.date | None = None) -> list[str]:
    """What the law expects of a board during its term and this one lacks (shown on its page)."""
    today = today or timezone.localdate()
    if board.term_ends_on < today:
        return [_("The board's term ended on %(date)s.") % {"date": fmt_date(board.term_ends_on)}]
    if board.term_starts_on > today:
        return []
    out: list[str] = []
    active = board.members.filter(left_on__isnull=True).count()
    if active < MIN_BOARD_MEMBERS:
        out.append(_("The board has %(n)d active members; the law requires at least %(min)d.") % {
            "n": active, "min": MIN_BOARD_MEMBERS})
    quarter = _quarter(today)
    covered = board.work_plans.filter(
        Q(period=WorkPlanPeriod.QUARTER, number=quarter) | Q(period=WorkPlanPeriod.HALF_YEAR, number=(quarter + 1) // 2)
        | Q(period=WorkPlanPeriod.YEAR), year=today.year).exists()
    if not covered:
        out.append(_("No work plan covers the current quarter (%(q)d/%(y)d).") % {"q": quarter, "y": today.year})
    return out


@transaction.atomic
def add_work_plan(*, actor: Any, board: PeopleBoard, period: str, year: int, number: int, content: str,
                  approved_on: dt.date | None = None) -> BoardWorkPlan:
    """A quarterly, half-yearly or annual work plan of the board (Art. 39); one per period."""
    fresh = _lock_board(board)
    _check(actor, "disclosures.change", fresh, _not_allowed())
    errors: dict[str, Any] = {}
    if period not in WorkPlanPeriod.values:
        errors["period"] = _("Choose quarter, half-year or year.")
    if not is_int(year) or not fresh.term_starts_on.year <= year <= fresh.term_ends_on.year:
        errors["year"] = _("The year must be within the board's term (%(start)d–%(end)d).") % {
            "start": fresh.term_starts_on.year, "end": fresh.term_ends_on.year}
    top = PERIOD_NUMBERS.get(period)  # type: ignore[call-overload]
    if top is not None and (not is_int(number) or not 1 <= number <= top):
        errors["number"] = (_("For a year the number is 1.") if top == 1
                            else _("The number must be between 1 and %(n)d.") % {"n": top})
    content = field_text(errors, "content", content, CONTENT_MAX, required=True, multiline=True)
    approved = field_date(errors, "approved_on", approved_on, required=False, not_after=timezone.localdate())
    if not errors and fresh.work_plans.filter(period=period, year=year, number=number).exists():
        errors["number"] = _("The board already has a work plan for this period.")
    raise_if(errors)
    plan = BoardWorkPlan.objects.create(board=fresh, period=period, year=year, number=number, content=content,
                                        approved_on=approved)
    audit.record("disclosures.board.add_work_plan", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"work_plan": plan.pk, "period": period, "year": year, "number": number})
    return plan


# --------------------------------------------------------------------------- findings


@transaction.atomic
def record_finding(*, actor: Any, board: PeopleBoard, found_on: dt.date, subject: str, findings: str,
                   addressed_to: OrgUnit, recommendations: str = "", recommends_suspension: bool = False,
                   response_due_on: dt.date | None = None) -> BoardFinding:
    """What the board found and recommended; the officials of ``addressed_to`` are told to answer."""
    fresh = _lock_board(board)
    _check(actor, "disclosures.change", fresh, _not_allowed())
    today = timezone.localdate()
    errors: dict[str, Any] = {}
    found = field_date(errors, "found_on", found_on, not_after=today)
    if found is not None and found < fresh.term_starts_on:
        errors["found_on"] = _("The date cannot be before the board's term (%(date)s).") % {
            "date": fmt_date(fresh.term_starts_on)}
    subject = field_text(errors, "subject", subject, SUBJECT_MAX, required=True)
    findings = field_text(errors, "findings", findings, FINDINGS_MAX, required=True, multiline=True)
    recommendations = field_text(errors, "recommendations", recommendations, RECOMMENDATIONS_MAX, multiline=True)
    target = _current_unit(errors, "addressed_to", addressed_to, _("Choose the unit that must answer."))
    if not isinstance(recommends_suspension, bool):
        errors["recommends_suspension"] = _("Enter yes or no.")
    elif recommends_suspension and fresh.kind != BoardKind.INVESTMENT:
        errors["recommends_suspension"] = _("Only a community investment supervision board recommends "
                                            "suspending a project.")
    due = field_date(errors, "response_due_on", response_due_on, required=False)
    if due is not None and found is not None and due < found:
        errors["response_due_on"] = _("The deadline cannot be before the finding.")
    found = cast(dt.date, found)
    # Compared in Python: SQLite's case-insensitive match ignores the case of ASCII letters only.
    if not errors and subject.casefold() in {s.casefold() for s in fresh.findings.filter(
            found_on=found, deleted_at__isnull=True).values_list("subject", flat=True)}:
        errors["subject"] = _("This finding is already recorded for this date.")
    raise_if(errors)
    target = cast(OrgUnit, target)
    finding = BoardFinding.objects.create(
        board=fresh, found_on=found, subject=subject, findings=findings, recommendations=recommendations,
        recommends_suspension=recommends_suspension, addressed_to=target, response_due_on=due,
        created_by=_user(actor))
    audit.record("disclosures.finding.record", actor=actor, obj=finding, org_unit=fresh.org_unit, summary={
        "board": fresh.pk, "found_on": found, "addressed_to": target.pk, "response_due_on": due,
        "recommends_suspension": recommends_suspension})
    from danvan.notifications.services import notify

    body = _("Respond by %(date)s.") % {"date": fmt_date(due)} if due else ""
    notify(editors_of(target), title=_("%(board)s: %(subject)s") % {"board": fresh.name, "subject": subject},
           body=body, url=reverse("disclosures:finding_detail", args=[finding.pk]),
           key=f"disclosures.finding:{finding.pk}")
    return finding


@transaction.atomic
def respond_to_finding(*, actor: Any, finding: BoardFinding, expected_version: int, response: str,
                       responded_on: dt.date, late_reason: str = "") -> BoardFinding:
    """The government's answer to a finding (again to correct it); late answers say why."""
    version = check_version(expected_version)
    fresh = (BoardFinding.objects.select_for_update(of=("self",)).select_related("board__org_unit", "addressed_to")
             .filter(pk=getattr(finding, "pk", 0) or 0, deleted_at__isnull=True, board__deleted_at__isnull=True)
             .first())
    if fresh is None:
        raise ValidationError({"finding": _("This finding no longer exists.")})
    _check(actor, "disclosures.respond", fresh, _("You are not allowed to answer this finding."))
    if fresh.lock_version != version:
        raise ConcurrentEditError(_conflict())
    errors: dict[str, Any] = {}
    answer, day, reason = clean_response(errors, response=response, responded_on=responded_on,
                                         late_reason=late_reason, starts_on=fresh.found_on,
                                         response_due_on=fresh.response_due_on, today=timezone.localdate())
    raise_if(errors)
    conditional_update(BoardFinding, fresh, version, _conflict(), response=answer, responded_on=day,
                       late_reason=reason, responded_by=_user(actor))
    audit.record("disclosures.finding.respond", actor=actor, obj=fresh, org_unit=fresh.board.org_unit,
                 summary={"responded_on": day, "late": bool(fresh.response_due_on and day
                                                            and day > fresh.response_due_on)})
    _refresh(finding, fresh)
    return fresh


# --------------------------------------------------------------------------- reads


def boards_for(user: Any) -> QuerySet[PeopleBoard]:
    return PeopleBoard.objects.visible_to(user).filter(deleted_at__isnull=True)


def findings_for(user: Any) -> QuerySet[BoardFinding]:
    """Findings of the boards the user sees, and those addressed to a unit the user sees (to answer them)."""
    qs = BoardFinding.objects.filter(deleted_at__isnull=True, board__deleted_at__isnull=True)
    by_board = visible_q(user, prefix="board__org_unit__")
    if by_board is None:
        return qs
    return qs.filter(by_board | cast(Q, visible_q(user, prefix="addressed_to__")))


def overdue_findings(today: dt.date | None = None) -> QuerySet[BoardFinding]:
    """Findings whose deadline passed without a response (for the reminder command and the lists)."""
    today = today or timezone.localdate()
    return BoardFinding.objects.filter(deleted_at__isnull=True, board__deleted_at__isnull=True,
                                       response_due_on__lt=today, responded_on__isnull=True)


def response_state(obj: Any, today: dt.date | None = None) -> tuple[str, str]:
    """(code, label) of where a finding's or a supervision's response stands, for badges and filters."""
    today = today or timezone.localdate()
    due = obj.response_due_on
    if obj.responded_on is not None:
        if due is not None and obj.responded_on > due:
            return "responded_late", _("Responded late")
        return "responded", _("Responded")
    if due is None:
        return "no_deadline", _("No deadline")
    if due < today:
        return "overdue", _("Response overdue")
    return "awaiting", _("Awaiting response")
