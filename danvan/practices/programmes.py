"""Every write of a thematic programme, its steering board, steps and criteria: one transaction and one audit
event each; and the one definition of a late step.

A programme's header is edited with optimistic locking (``expected_version``): two officials editing it at
once, the second gets ``ConcurrentEditError`` and nothing of the first is overwritten. Its parts (members,
steps, criteria) are added under a lock of the programme's row, so a double submit of the same step is seen
and refused. Once the final evaluation is recorded the programme is closed: its parts no longer change, only
the evaluation itself may be corrected (with the version it started from). ``actor=None`` is the system.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.text import search_key
from danvan.core.writes import (
    check_version,
    clean_field_text,
    conditional_update,
    fmt_date,
    is_int,
    raise_if,
    user_or_none,
)
from danvan.orgs.models import OrgUnit
from danvan.plans.models import Plan
from danvan.surveys.models import Survey

from .models import Programme, ProgrammeCriterion, ProgrammeStatus, ProgrammeStep, SteeringMember

NAME_MAX = 255
DESCRIPTION_MAX = 20000
STEP_TITLE_MAX = 500
OWNER_MAX = 255
NOTE_MAX = 5000
PERSON_MAX = 200
POSITION_MAX = 255
ROLE_MAX = 100
DUTIES_MAX = 5000
CRITERION_MAX = 500
EVIDENCE_MAX = 5000
EVALUATION_MAX = 20000
REASON_MAX = 1000
ORDER_MAX = 32767
EDITABLE = ("name", "description", "starts_on", "ends_on", "plan", "survey", "status")


def conflict_message() -> str:
    return _("Someone else changed this programme after you opened it. Nothing was saved: "
             "reload the page and make your change again.")


# --------------------------------------------------------------------------- late steps


def late_q(today: dt.date, prefix: str = "") -> Q:
    """Steps that are late on ``today``: not done and past their end, or done after it."""
    return (Q(**{f"{prefix}done_on__isnull": True, f"{prefix}ends_on__lt": today})
            | Q(**{f"{prefix}done_on__isnull": False, f"{prefix}done_on__gt": F(f"{prefix}ends_on")}))


def is_late(step: ProgrammeStep, today: dt.date) -> bool:
    if step.done_on is None:
        return step.ends_on < today
    return step.done_on > step.ends_on


def late_steps(programme: Programme, today: dt.date | None = None) -> list[ProgrammeStep]:
    """The programme's late steps, in their order (one query)."""
    today = today or timezone.localdate()
    return list(programme.steps.filter(late_q(today)).order_by("order", "pk"))


# --------------------------------------------------------------------------- helpers


def _allowed(actor: Any, perm: str, obj: Any, message: str) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _date(errors: dict[str, Any], name: str, value: Any, *, required: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors[name] = _("Enter a date.")
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[name] = _("Enter a valid date.")
        return None
    return value


def _text(errors: dict[str, Any], name: str, value: Any, limit: int, *, required: bool = False,
          multiline: bool = False) -> str:
    value, error = clean_field_text(value, limit, required=required, multiline=multiline)
    if error:
        errors[name] = error
    return value


def _order(errors: dict[str, Any], value: Any) -> int | None:
    if value in (None, ""):
        return None
    if not is_int(value) or not 0 <= value <= ORDER_MAX:
        errors["order"] = _("Enter a whole number from 0 to %(n)d.") % {"n": ORDER_MAX}
        return None
    return int(value)


def _next_order(qs: Any) -> int:
    top = qs.aggregate(m=Max("order"))["m"]
    return min((top or 0) + 1, ORDER_MAX)


def _plan(errors: dict[str, Any], org_unit: OrgUnit, plan: Any) -> Plan | None:
    """A live plan of the unit, or an issued one of a unit above it (a draft above is its issuer's own)."""
    from danvan.plans.rules import PUBLISHED

    if plan in (None, ""):
        return None
    if (not isinstance(plan, Plan) or plan.deleted_at is not None or not org_unit.path.startswith(plan.issuer.path)
            or (plan.issuer_id != org_unit.pk and plan.status not in PUBLISHED)):
        errors["plan"] = _("Choose a plan of this unit or of a unit above it.")
        return None
    return plan


def _survey(errors: dict[str, Any], org_unit: OrgUnit, survey: Any) -> Survey | None:
    """A live survey of the unit or of a unit below it."""
    if survey in (None, ""):
        return None
    if (not isinstance(survey, Survey) or survey.deleted_at is not None
            or not survey.org_unit.path.startswith(org_unit.path)):
        errors["survey"] = _("Choose a survey of this unit or of a unit below it.")
        return None
    return survey


def _validated(org_unit: OrgUnit, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    out: dict[str, Any] = {
        "name": _text(errors, "name", values["name"], NAME_MAX, required=True),
        "description": _text(errors, "description", values["description"], DESCRIPTION_MAX, multiline=True),
        "starts_on": _date(errors, "starts_on", values["starts_on"], required=True),
        "ends_on": _date(errors, "ends_on", values["ends_on"], required=True),
        "plan": _plan(errors, org_unit, values["plan"]),
        "survey": _survey(errors, org_unit, values["survey"]),
    }
    if out["starts_on"] and out["ends_on"] and out["ends_on"] < out["starts_on"]:
        errors["ends_on"] = _("The end cannot be before the start (%(d)s).") % {"d": fmt_date(out["starts_on"])}
    raise_if(errors)
    return out


def _duplicate(org_unit: OrgUnit, name: str, starts_on: dt.date, exclude_pk: int | None = None) -> None:
    qs = Programme.objects.filter(org_unit=org_unit, starts_on=starts_on, deleted_at__isnull=True)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    key = search_key(name)
    if any(search_key(other) == key for other in qs.values_list("name", flat=True)[:1000]):
        raise ValidationError({"name": _("This unit already has a programme with this name starting on this date; "
                                         "open it instead of entering it twice.")})


def _locked(programme: Programme) -> Programme:
    fresh = (Programme.objects.select_for_update(of=("self",)).select_related("org_unit")
             .filter(pk=programme.pk).first())
    if fresh is None or fresh.deleted_at is not None:
        raise ValidationError({"programme": _("This programme has been deleted.")})
    return fresh


def _open(programme: Programme) -> None:
    if programme.status == ProgrammeStatus.EVALUATED:
        raise ValidationError({"programme": _("The programme has been evaluated; its board, steps and criteria "
                                              "no longer change.")})


def _refresh(caller: Programme, fresh: Programme) -> None:
    if caller is not fresh:
        for f in Programme._meta.concrete_fields:
            setattr(caller, f.attname, getattr(fresh, f.attname))


def _summary(values: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in values.items() if k not in ("description", "final_evaluation", "plan", "survey")}
    for k in ("plan", "survey"):
        if k in values:
            out[k] = getattr(values[k], "pk", None)
    return out


# --------------------------------------------------------------------------- the programme


@transaction.atomic
def create_programme(*, actor: Any, org_unit: Any, name: Any, starts_on: Any, ends_on: Any, description: Any = "",
                     plan: Any = None, survey: Any = None) -> Programme:
    """A new programme, in draft until its first step is done (or it is started by hand)."""
    if not isinstance(org_unit, OrgUnit) or org_unit.valid_to is not None:
        raise ValidationError({"org_unit": _("Choose a unit in use.")})
    _allowed(actor, "practices.change", org_unit, _("You may not record programmes for this unit."))
    values = _validated(org_unit, {"name": name, "description": description, "starts_on": starts_on,
                                   "ends_on": ends_on, "plan": plan, "survey": survey})
    # The unit's row serialises two submits of the same form (PostgreSQL; SQLite writes one at a time).
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=org_unit.pk).first()
    _duplicate(org_unit, values["name"], values["starts_on"])
    programme = Programme.objects.create(org_unit=org_unit, created_by=user_or_none(actor), **values)
    audit.record("practices.programme.create", actor=actor, obj=programme, org_unit=org_unit,
                 summary=_summary(values))
    return programme


@transaction.atomic
def update_programme(*, actor: Any, programme: Programme, expected_version: Any, **fields: Any) -> Programme:
    """Change any of ``EDITABLE``; ``status`` moves only between draft and running (evaluation closes it)."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    fresh = _locked(programme)
    _allowed(actor, "practices.change", fresh, _("You may not change the programmes of this unit."))
    version = check_version(expected_version)
    if fresh.lock_version != version:
        raise ConcurrentEditError(conflict_message())
    _open(fresh)
    status = fields.pop("status", fresh.status)
    current = {name: getattr(fresh, name) for name in EDITABLE if name != "status"}
    values = _validated(fresh.org_unit, {**current, **fields})
    if status not in (ProgrammeStatus.DRAFT, ProgrammeStatus.RUNNING):
        raise ValidationError({"status": _("Choose draft or running; the final evaluation closes a programme.")})
    values["status"] = status
    _duplicate(fresh.org_unit, values["name"], values["starts_on"], exclude_pk=fresh.pk)
    changed = {k: v for k, v in values.items() if getattr(fresh, k) != v}
    if changed:
        conditional_update(Programme, fresh, version, conflict_message(), **changed)
        audit.record("practices.programme.update", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                     summary=_summary(changed))
    _refresh(programme, fresh)
    return programme


@transaction.atomic
def evaluate_programme(*, actor: Any, programme: Programme, expected_version: Any, final_evaluation: Any,
                       evaluated_on: Any) -> Programme:
    """Record the final evaluation and lessons; the programme is closed. A correction names its version too."""
    fresh = _locked(programme)
    _allowed(actor, "practices.change", fresh, _("You may not evaluate the programmes of this unit."))
    version = check_version(expected_version)
    if fresh.lock_version != version:
        raise ConcurrentEditError(conflict_message())
    errors: dict[str, Any] = {}
    text = _text(errors, "final_evaluation", final_evaluation, EVALUATION_MAX, required=True, multiline=True)
    day = _date(errors, "evaluated_on", evaluated_on, required=True)
    if day is not None and day > timezone.localdate():
        errors["evaluated_on"] = _("The date of the evaluation cannot be in the future.")
    elif day is not None and day < fresh.starts_on:
        errors["evaluated_on"] = _("The evaluation cannot be before the programme starts (%(d)s).") % {
            "d": fmt_date(fresh.starts_on)}
    raise_if(errors)
    conditional_update(Programme, fresh, version, conflict_message(), final_evaluation=text, evaluated_on=day,
                       status=ProgrammeStatus.EVALUATED)
    audit.record("practices.programme.evaluate", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"evaluated_on": day, "late_steps": len(late_steps(fresh, day))})
    _refresh(programme, fresh)
    return programme


@transaction.atomic
def delete_programme(*, actor: Any, programme: Programme, reason: Any) -> Programme:
    """Remove a programme entered by mistake (soft: the row and the audit trail stay)."""
    fresh = _locked(programme)
    _allowed(actor, "practices.delete", fresh, _("You may not delete the programmes of this unit."))
    errors: dict[str, Any] = {}
    text = _text(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    raise_if(errors)
    conditional_update(Programme, fresh, fresh.lock_version, conflict_message(), deleted_at=timezone.now())
    audit.record("practices.programme.delete", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"reason": text, "name": fresh.name})
    _refresh(programme, fresh)
    return programme


# --------------------------------------------------------------------------- steering board


def _part_owner(actor: Any, programme: Programme, message: str) -> Programme:
    fresh = _locked(programme)
    _allowed(actor, "practices.change", fresh, message)
    _open(fresh)
    return fresh


@transaction.atomic
def add_member(*, actor: Any, programme: Programme, full_name: Any, position: Any = "", role: Any = "",
               duties: Any = "", order: Any = None) -> SteeringMember:
    fresh = _part_owner(actor, programme, _("You may not change the steering board of this programme."))
    errors: dict[str, Any] = {}
    values = {
        "full_name": _text(errors, "full_name", full_name, PERSON_MAX, required=True),
        "position": _text(errors, "position", position, POSITION_MAX),
        "role": _text(errors, "role", role, ROLE_MAX),
        "duties": _text(errors, "duties", duties, DUTIES_MAX, multiline=True),
    }
    number = _order(errors, order)
    raise_if(errors)
    key = search_key(values["full_name"])
    if any(search_key(n) == key for n in fresh.steering.values_list("full_name", flat=True)):
        raise ValidationError({"full_name": _("This person is already on the steering board.")})
    member = SteeringMember.objects.create(
        programme=fresh, order=_next_order(fresh.steering) if number is None else number, **values)
    audit.record("practices.programme.member_add", actor=actor, obj=member, org_unit=fresh.org_unit,
                 summary={"programme": fresh.pk, "full_name": values["full_name"], "role": values["role"]})
    return member


@transaction.atomic
def remove_member(*, actor: Any, member: SteeringMember) -> None:
    fresh = _part_owner(actor, member.programme, _("You may not change the steering board of this programme."))
    deleted, _rows = SteeringMember.objects.filter(pk=member.pk, programme=fresh).delete()
    if not deleted:
        raise ValidationError({"member": _("This member was already removed.")})
    audit.record("practices.programme.member_remove", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"member": member.pk, "full_name": member.full_name})


# --------------------------------------------------------------------------- steps


@transaction.atomic
def add_step(*, actor: Any, programme: Programme, title: Any, ends_on: Any, starts_on: Any = None, owner: Any = "",
             order: Any = None) -> ProgrammeStep:
    """A step done on a date (``ends_on`` alone) or over a range (``starts_on``–``ends_on``)."""
    fresh = _part_owner(actor, programme, _("You may not change the steps of this programme."))
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {
        "title": _text(errors, "title", title, STEP_TITLE_MAX, required=True),
        "owner": _text(errors, "owner", owner, OWNER_MAX),
        "starts_on": _date(errors, "starts_on", starts_on),
        "ends_on": _date(errors, "ends_on", ends_on, required=True),
    }
    number = _order(errors, order)
    if values["starts_on"] and values["ends_on"] and values["ends_on"] < values["starts_on"]:
        errors["ends_on"] = _("The step cannot end before it starts (%(d)s).") % {"d": fmt_date(values["starts_on"])}
    raise_if(errors)
    key = search_key(values["title"])
    if any(search_key(t) == key for t in fresh.steps.filter(ends_on=values["ends_on"]).values_list("title", flat=True)):
        raise ValidationError({"title": _("This programme already has this step with this date.")})
    step = ProgrammeStep.objects.create(programme=fresh, order=_next_order(fresh.steps) if number is None else number,
                                        **values)
    audit.record("practices.programme.step_add", actor=actor, obj=step, org_unit=fresh.org_unit,
                 summary={"programme": fresh.pk, "title": values["title"], "starts_on": values["starts_on"],
                          "ends_on": values["ends_on"]})
    return step


@transaction.atomic
def complete_step(*, actor: Any, step: ProgrammeStep, done_on: Any, note: Any = "") -> ProgrammeStep:
    """Record that a step was done (late if after its end); a draft programme is then running."""
    fresh = _part_owner(actor, step.programme, _("You may not change the steps of this programme."))
    errors: dict[str, Any] = {}
    day = _date(errors, "done_on", done_on, required=True)
    text = _text(errors, "note", note, NOTE_MAX, multiline=True)
    if day is not None and day > timezone.localdate():
        errors["done_on"] = _("The date it was done cannot be in the future.")
    raise_if(errors)
    done = ProgrammeStep.objects.filter(pk=step.pk, programme=fresh, done_on__isnull=True).update(
        done_on=day, note=text)
    if not done:
        raise ValidationError({"done_on": _("This step was already recorded as done.")})
    step.done_on, step.note = day, text
    if fresh.status == ProgrammeStatus.DRAFT:
        # Not a change of the header: an edit form opened before keeps its version.
        Programme.objects.filter(pk=fresh.pk, status=ProgrammeStatus.DRAFT).update(
            status=ProgrammeStatus.RUNNING, updated_at=timezone.now())
    audit.record("practices.programme.step_complete", actor=actor, obj=step, org_unit=fresh.org_unit,
                 summary={"programme": fresh.pk, "done_on": day, "late": is_late(step, day or step.ends_on)})
    return step


@transaction.atomic
def remove_step(*, actor: Any, step: ProgrammeStep, reason: Any) -> None:
    """Take out a step entered by mistake; the audit trail keeps what it was and why it went."""
    fresh = _part_owner(actor, step.programme, _("You may not change the steps of this programme."))
    errors: dict[str, Any] = {}
    text = _text(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    raise_if(errors)
    deleted, _rows = ProgrammeStep.objects.filter(pk=step.pk, programme=fresh).delete()
    if not deleted:
        raise ValidationError({"step": _("This step was already removed.")})
    audit.record("practices.programme.step_remove", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"step": step.pk, "title": step.title, "ends_on": step.ends_on,
                          "done_on": step.done_on, "reason": text})


# --------------------------------------------------------------------------- criteria


@transaction.atomic
def add_criterion(*, actor: Any, programme: Programme, name: Any, order: Any = None) -> ProgrammeCriterion:
    fresh = _part_owner(actor, programme, _("You may not change the criteria of this programme."))
    errors: dict[str, Any] = {}
    text = _text(errors, "name", name, CRITERION_MAX, required=True)
    number = _order(errors, order)
    raise_if(errors)
    key = search_key(text)
    if any(search_key(n) == key for n in fresh.criteria.values_list("name", flat=True)):
        raise ValidationError({"name": _("This programme already has this criterion.")})
    criterion = ProgrammeCriterion.objects.create(
        programme=fresh, name=text, order=_next_order(fresh.criteria) if number is None else number)
    audit.record("practices.programme.criterion_add", actor=actor, obj=criterion, org_unit=fresh.org_unit,
                 summary={"programme": fresh.pk, "name": text})
    return criterion


@transaction.atomic
def assess_criterion(*, actor: Any, criterion: ProgrammeCriterion, met: Any, evidence: Any) -> ProgrammeCriterion:
    """Met (with the evidence that shows it), not met, or not assessed yet (``met=None``)."""
    fresh = _part_owner(actor, criterion.programme, _("You may not change the criteria of this programme."))
    errors: dict[str, Any] = {}
    if met is not None and not isinstance(met, bool):
        errors["met"] = _("Choose met, not met or not assessed yet.")
    text = _text(errors, "evidence", evidence, EVIDENCE_MAX, multiline=True)
    if met is True and not text and "evidence" not in errors:
        errors["evidence"] = _("Give the evidence that the criterion is met.")
    raise_if(errors)
    if not ProgrammeCriterion.objects.filter(pk=criterion.pk, programme=fresh).update(met=met, evidence=text):
        raise ValidationError({"criterion": _("This criterion was removed.")})
    criterion.met, criterion.evidence = met, text
    audit.record("practices.programme.criterion_assess", actor=actor, obj=criterion, org_unit=fresh.org_unit,
                 summary={"programme": fresh.pk, "met": met})
    return criterion
