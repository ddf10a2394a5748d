"""Every write to plans: one transaction and one audit event each, permissions from rules.py.

Drafts are edited with optimistic concurrency: each edit bumps ``Plan.lock_version`` with a
conditional UPDATE, so the second of two officers saving the same stale form gets a conflict
instead of silently overwriting the first. Issued plans are locked (the number is final);
changing one means ``amend_plan``, a new draft version that is issued as a new document with its
own number (Decree 30/2020 numbers every document issued in the year; an amending plan is one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast, overload

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.text import clean_text, nfc, search_key
from danvan.core.writes import fmt_date as _fmt
from danvan.core.writes import is_int as _is_int
from danvan.core.writes import raise_if as _raise
from danvan.core.writes import user_or_none as _creator
from danvan.orgs.models import OrgKind, OrgUnit

from . import rules as plan_rules
from .models import (
    Assignment,
    AssignmentRole,
    DeadlineKind,
    Measurement,
    Plan,
    PlanDeadline,
    PlanKind,
    PlanLegalBasis,
    PlanObligation,
    PlanSection,
    PlanStatus,
    SigningAuthority,
    Target,
    TargetStatus,
    Task,
    TaskEvidence,
    TaskStatus,
)

__all__ = [
    "ConcurrentEditError", "PlanLockedError", "add_assignment", "add_deadline", "add_section", "add_target",
    "add_task", "add_task_evidence", "amend_plan", "close_plan", "copy_plan_for_year", "create_plan",
    "create_plan_from_import", "delete_assignment", "delete_deadline", "delete_plan", "delete_section",
    "delete_target", "delete_task", "derive_plan", "issue_plan", "record_target_value", "record_task_progress",
    "set_legal_bases", "update_assignment", "update_deadline", "update_plan", "update_section", "update_target",
    "update_task",
]


class PlanLockedError(ValidationError):
    """The plan is issued (or closed): its content and number are final."""


# Fields of Plan an officer may set on a draft (``subordinate_kinds`` is handled apart: many-to-many).
EDITABLE = (
    "issuing_body", "parent_body", "doc_type", "symbol", "place", "issued_on", "title", "year", "end_year", "kind",
    "preamble", "purposes", "requirements", "recipients", "signer_name", "signer_position", "signer_authority",
    "requires_subordinate_plans", "subordinate_due_on",
)
_MULTILINE = {"preamble"}
_LISTS = {"purposes", "requirements", "recipients"}
_DATES = {"issued_on", "subordinate_due_on"}


# --------------------------------------------------------------------------- checks


def _locked_message() -> str:
    return _("This plan has been issued and is locked. Make an amendment to change it.")


def _require(actor: Any, perm: str, obj: Any) -> None:
    """``actor=None`` is the system (demo loader, imports run by the CLI) and is not checked."""
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied(_("You are not allowed to do this for this plan."))


def _require_draft_editor(actor: Any, plan: Plan) -> None:
    """Editors of the issuer may change drafts; everyone gets told plainly when the plan is locked."""
    if plan.deleted_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: _("This plan has been deleted.")})
    if actor is not None and not plan_rules.edits_for_issuer.test(actor, plan):
        raise PermissionDenied(_("You are not allowed to edit plans of this unit."))
    if plan.status != PlanStatus.DRAFT:
        raise PlanLockedError({NON_FIELD_ERRORS: _locked_message()})


def _lock_plan(plan: Plan) -> Plan:
    """The current row, locked for the rest of the transaction (no-op on SQLite, which locks the file)."""
    return Plan.objects.select_for_update(of=("self",)).select_related("issuer").get(pk=plan.pk)


def _conflict() -> ConcurrentEditError:
    return ConcurrentEditError(
        _("Someone else changed this plan after you opened it. Your changes were not saved: "
          "reload the plan, review the current values and save again.")
    )


def _bump(plan: Plan, expected_version: int | None = None, caller: Plan | None = None) -> None:
    """Race-safe version bump: UPDATE … WHERE lock_version = expected; zero rows means a conflict."""
    qs = Plan.objects.filter(pk=plan.pk)
    if expected_version is not None:
        if not isinstance(expected_version, int) or isinstance(expected_version, bool):
            raise ValidationError({"expected_version": _("The form's version is missing or invalid.")})
        qs = qs.filter(lock_version=expected_version)
    now = timezone.now()
    if not qs.update(lock_version=F("lock_version") + 1, updated_at=now):
        raise _conflict()
    plan.lock_version = Plan.objects.values_list("lock_version", flat=True).get(pk=plan.pk)
    plan.updated_at = now
    if caller is not None and caller is not plan:
        caller.lock_version = plan.lock_version


def _edit_draft(actor: Any, plan: Plan, expected_version: int | None) -> Plan:
    """Lock, check, bump: the start of every structural edit. Returns the fresh locked plan."""
    fresh = _lock_plan(plan)
    _require_draft_editor(actor, fresh)
    _bump(fresh, expected_version, caller=plan)
    return fresh


def _max_length(model: type[models.Model], field: str) -> int | None:
    return getattr(model._meta.get_field(field), "max_length", None)


def _too_long(n: int) -> str:
    return _("This field must be at most %(n)d characters.") % {"n": n}


def _text(model: type[models.Model], field: str, value: Any, *, required: bool = False, multiline: bool = False) -> tuple[str, str]:
    """(cleaned value, error message or "")."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        return "", _("Enter text.")
    value = nfc(value).strip() if multiline else clean_text(value)
    if required and not value:
        return value, _("This field is required.")
    limit = _max_length(model, field)
    if limit and len(value) > limit:
        return value, _too_long(limit)
    return value, ""


def _date_error(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        return _("Enter a valid date.")
    return ""




def _check_unit_in_subtree(errors: dict[str, Any], field: str, unit: Any, issuer: OrgUnit) -> None:
    if unit is None:
        return
    if not isinstance(unit, OrgUnit):
        errors[field] = _("Choose a unit.")
    elif not unit.is_in_subtree_of(issuer):
        errors[field] = _("%(unit)s is outside the issuing unit's part of the tree.") % {"unit": unit.name}
    elif unit.valid_to is not None:
        errors[field] = _("%(unit)s no longer exists.") % {"unit": unit.name}


def _check_not_before_issue(errors: dict[str, Any], field: str, due_on: Any, plan: Plan) -> None:
    if due_on is None or field in errors:
        return
    if plan.issued_on and due_on < plan.issued_on:
        errors[field] = _("The deadline %(due)s is before the plan's date %(issued)s.") % {
            "due": _fmt(due_on), "issued": _fmt(plan.issued_on),
        }



# --------------------------------------------------------------------------- plan fields


def _clean_plan_value(field: str, value: Any, errors: dict[str, Any]) -> Any:
    if field in _LISTS:
        if value is None:
            return []
        if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            errors[field] = _("Enter a list of lines of text.")
            return []
        return [c for c in (clean_text(v) for v in value) if c]
    if field in _DATES:
        if err := _date_error(value):
            errors[field] = err
        return value
    if field == "requires_subordinate_plans":
        return bool(value)
    if field in ("year", "end_year"):
        if value is None or value == "":
            if field == "year":
                errors[field] = _("This field is required.")
            return None
        if not _is_int(value):
            errors[field] = _("Enter a whole number.")
            return None
        return value
    cleaned, err = _text(Plan, field, value, required=field == "title", multiline=field in _MULTILINE)
    if err:
        errors[field] = err
    return cleaned


def _validate_plan(plan: Plan, errors: dict[str, Any]) -> None:
    if "year" not in errors and plan.year is not None and not 2000 <= plan.year <= 2100:
        errors["year"] = _("The year must be between 2000 and 2100.")
    if "end_year" not in errors and plan.end_year is not None and plan.year and plan.end_year < plan.year:
        errors["end_year"] = _("The last year must not be before the first year.")
    if plan.kind not in PlanKind.values:
        errors["kind"] = _("Choose a valid kind of plan.")
    if plan.signer_authority not in SigningAuthority.values:
        errors["signer_authority"] = _("Choose TM., KT., Q., TL., TUQ. or nothing.")
    if (
        "subordinate_due_on" not in errors and "issued_on" not in errors
        and plan.subordinate_due_on and plan.issued_on and plan.subordinate_due_on < plan.issued_on
    ):
        errors["subordinate_due_on"] = _("The date for subordinate plans must not be before the plan's date.")
    _raise(errors)


def _apply_fields(plan: Plan, fields: dict[str, Any]) -> tuple[dict[str, Any], list[OrgKind] | None]:
    """Set the editable fields on ``plan``; returns (errors, kinds to set or None)."""
    errors: dict[str, Any] = {}
    kinds: list[OrgKind] | None = None
    for name, value in fields.items():
        if name == "subordinate_kinds":
            kinds = list(value or [])
            if not all(isinstance(k, OrgKind) for k in kinds):
                errors[name] = _("Choose kinds of unit.")
            continue
        if name not in EDITABLE:
            raise TypeError(f"Plan field {name!r} cannot be set here")
        setattr(plan, name, _clean_plan_value(name, value, errors))
    return errors, kinds


def _plan_summary(plan: Plan) -> dict[str, Any]:
    return {"title": plan.title, "year": plan.year, "issuer": plan.issuer_id, "version": plan.version}


# --------------------------------------------------------------------------- create / update


@transaction.atomic
def create_plan(*, actor: Any, issuer: OrgUnit, title: str, year: int, kind: str = PlanKind.ANNUAL, **fields: Any) -> Plan:
    _require(actor, "plans.create_plan_for_unit", issuer)
    if issuer.valid_to is not None:
        raise ValidationError({"issuer": _("%(unit)s no longer exists.") % {"unit": issuer.name}})
    plan = Plan(issuer=issuer, created_by=actor if getattr(actor, "is_authenticated", False) else None)
    errors, kinds = _apply_fields(plan, {"title": title, "year": year, "kind": kind, **fields})
    _validate_plan(plan, errors)
    plan.save()
    if kinds is not None:
        plan.subordinate_kinds.set(kinds)
    audit.record("plans.plan.create", actor=actor, obj=plan, org_unit=issuer, summary=_plan_summary(plan))
    return plan


@transaction.atomic
def update_plan(*, actor: Any, plan: Plan, expected_version: int, **fields: Any) -> Plan:
    fresh = _lock_plan(plan)
    _require_draft_editor(actor, fresh)
    if fresh.lock_version != expected_version:
        raise _conflict()
    _bump(fresh, expected_version, caller=plan)
    before = {f: getattr(fresh, f) for f in EDITABLE}
    errors, kinds = _apply_fields(fresh, fields)
    _validate_plan(fresh, errors)
    fresh.save()
    if kinds is not None:
        fresh.subordinate_kinds.set(kinds)
    changed = {f: [before[f], getattr(fresh, f)] for f in EDITABLE if before[f] != getattr(fresh, f)}
    if kinds is not None:
        changed["subordinate_kinds"] = sorted(k.code for k in kinds)
    audit.record("plans.plan.update", actor=actor, obj=fresh, org_unit=fresh.issuer, summary=changed)
    return fresh


@transaction.atomic
def delete_plan(*, actor: Any, plan: Plan) -> None:
    """Soft delete: the draft disappears from every list and its number (none yet) is not taken."""
    fresh = _lock_plan(plan)
    _require_draft_editor(actor, fresh)
    fresh.deleted_at = timezone.now()
    fresh.save(update_fields=["deleted_at", "updated_at"])
    plan.deleted_at = fresh.deleted_at
    audit.record("plans.plan.delete", actor=actor, obj=fresh, org_unit=fresh.issuer, summary=_plan_summary(fresh))


@transaction.atomic
def set_legal_bases(*, actor: Any, plan: Plan, documents: Sequence[Any], expected_version: int | None = None) -> None:
    fresh = _edit_draft(actor, plan, expected_version)
    seen: set[int] = set()
    links: list[PlanLegalBasis] = []
    for doc in documents:
        if doc.pk in seen:
            continue
        seen.add(doc.pk)
        links.append(PlanLegalBasis(plan=fresh, document=doc, order=len(links)))
    PlanLegalBasis.objects.filter(plan=fresh).delete()
    PlanLegalBasis.objects.bulk_create(links)
    audit.record("plans.plan.legal_bases", actor=actor, obj=fresh, org_unit=fresh.issuer,
                 summary={"documents": [d.pk for d in documents]})


# --------------------------------------------------------------------------- sections


def _check_section_parent(errors: dict[str, Any], plan: Plan, parent: Any, section: PlanSection | None = None) -> None:
    if parent is None:
        return
    if not isinstance(parent, PlanSection) or parent.plan_id != plan.pk:
        errors["parent"] = _("The parent section must belong to the same plan.")
        return
    node: PlanSection | None = parent
    while section is not None and node is not None:
        if node.pk == section.pk:
            errors["parent"] = _("A section cannot be placed inside itself.")
            return
        node = node.parent


@transaction.atomic
def add_section(
    *, actor: Any, plan: Plan, title: str, number: str = "", parent: PlanSection | None = None,
    order: int | None = None, expected_version: int | None = None,
) -> PlanSection:
    fresh = _edit_draft(actor, plan, expected_version)
    errors: dict[str, Any] = {}
    title, err = _text(PlanSection, "title", title, required=True)
    if err:
        errors["title"] = err
    number, err = _text(PlanSection, "number", number)
    if err:
        errors["number"] = err
    _check_section_parent(errors, fresh, parent)
    _raise(errors)
    if order is None:
        top = PlanSection.objects.filter(plan=fresh, parent=parent).aggregate(m=Max("order"))["m"]
        order = 0 if top is None else top + 1
    section = PlanSection.objects.create(plan=fresh, parent=parent, number=number, title=title, order=order)
    audit.record("plans.section.add", actor=actor, obj=section, org_unit=fresh.issuer,
                 summary={"plan": fresh.pk, "number": number, "title": title})
    return section


@transaction.atomic
def update_section(*, actor: Any, section: PlanSection, expected_version: int | None = None, **fields: Any) -> PlanSection:
    fresh = _edit_draft(actor, section.plan, expected_version)
    section = PlanSection.objects.select_for_update().get(pk=section.pk)
    errors: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("title", "number"):
            cleaned, err = _text(PlanSection, name, value, required=name == "title")
            if err:
                errors[name] = err
            setattr(section, name, cleaned)
        elif name == "parent":
            _check_section_parent(errors, fresh, value, section)
            section.parent = value
        elif name == "order":
            if not _is_int(value) or value < 0:
                errors[name] = _("Enter a whole number.")
            else:
                section.order = value
        else:
            raise TypeError(f"Section field {name!r} cannot be set here")
    _raise(errors)
    section.save()
    audit.record("plans.section.update", actor=actor, obj=section, org_unit=fresh.issuer,
                 summary={k: str(v) for k, v in fields.items()})
    return section


@transaction.atomic
def delete_section(*, actor: Any, section: PlanSection, expected_version: int | None = None) -> None:
    """Deletes the section's subsections and tasks with it (the user confirmed in the UI)."""
    fresh = _edit_draft(actor, section.plan, expected_version)
    summary = {"plan": fresh.pk, "number": section.number, "title": section.title}
    PlanSection.objects.filter(pk=section.pk).delete()
    audit.record("plans.section.delete", actor=actor, obj=fresh, org_unit=fresh.issuer, summary=summary)


# --------------------------------------------------------------------------- tasks


def _check_parent_task(errors: dict[str, Any], plan: Plan, parent_task: Any) -> None:
    if parent_task is None:
        return
    if not isinstance(parent_task, Task) or plan.parent_plan_id is None or parent_task.plan_id != plan.parent_plan_id:
        errors["parent_task"] = _("The linked task must come from the plan of the level above this plan derives from.")


def _task_fields(plan: Plan, task: Task, fields: dict[str, Any]) -> None:
    errors: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "text":
            task.text, err = _text(Task, "text", value, required=True, multiline=True)
            if err:
                errors[name] = err
        elif name == "section":
            if value is not None and (not isinstance(value, PlanSection) or value.plan_id != plan.pk):
                errors[name] = _("The section must belong to the same plan.")
            task.section = value
        elif name == "parent_task":
            _check_parent_task(errors, plan, value)
            task.parent_task = value
        elif name == "lead_unit":
            _check_unit_in_subtree(errors, name, value, plan.issuer)
            task.lead_unit = value
        elif name == "due_on":
            if err := _date_error(value):
                errors[name] = err
            _check_not_before_issue(errors, name, value, plan)
            task.due_on = value
        elif name == "order":
            if not _is_int(value) or value < 0:
                errors[name] = _("Enter a whole number.")
            else:
                task.order = value
        else:
            raise TypeError(f"Task field {name!r} cannot be set here")
    _raise(errors)


@transaction.atomic
def add_task(
    *, actor: Any, plan: Plan, text: str, section: PlanSection | None = None, parent_task: Task | None = None,
    lead_unit: OrgUnit | None = None, due_on: dt.date | None = None, order: int | None = None,
    expected_version: int | None = None,
) -> Task:
    fresh = _edit_draft(actor, plan, expected_version)
    task = Task(plan=fresh)
    _task_fields(fresh, task, {"text": text, "section": section, "parent_task": parent_task,
                               "lead_unit": lead_unit, "due_on": due_on})
    if order is None:
        top = Task.objects.filter(plan=fresh, section=section).aggregate(m=Max("order"))["m"]
        order = 0 if top is None else top + 1
    task.order = order
    task.save()
    audit.record("plans.task.add", actor=actor, obj=task, org_unit=fresh.issuer,
                 summary={"plan": fresh.pk, "text": task.text[:200]})
    return task


@transaction.atomic
def update_task(*, actor: Any, task: Task, expected_version: int | None = None, **fields: Any) -> Task:
    fresh = _edit_draft(actor, task.plan, expected_version)
    task = Task.objects.select_for_update().get(pk=task.pk)
    _task_fields(fresh, task, fields)
    task.save()
    audit.record("plans.task.update", actor=actor, obj=task, org_unit=fresh.issuer,
                 summary={k: str(v)[:200] for k, v in fields.items()})
    return task


@transaction.atomic
def delete_task(*, actor: Any, task: Task, expected_version: int | None = None) -> None:
    fresh = _edit_draft(actor, task.plan, expected_version)
    summary = {"plan": fresh.pk, "text": task.text[:200]}
    Task.objects.filter(pk=task.pk).delete()
    audit.record("plans.task.delete", actor=actor, obj=fresh, org_unit=fresh.issuer, summary=summary)


@transaction.atomic
def record_task_progress(*, actor: Any, task: Task, status: str, progress: int, note: str = "") -> Task:
    """Execution, not drafting: allowed on issued plans (never on closed ones)."""
    task = Task.objects.select_for_update(of=("self",)).select_related("plan__issuer", "lead_unit").get(pk=task.pk)
    _require(actor, "plans.report_progress", task)
    if task.plan.deleted_at is not None or task.plan.status == PlanStatus.CLOSED:
        raise PlanLockedError({NON_FIELD_ERRORS: _("This plan is closed; progress can no longer be recorded.")})
    errors: dict[str, Any] = {}
    if status not in TaskStatus.values:
        errors["status"] = _("Choose a valid status.")
    if not _is_int(progress) or not 0 <= progress <= 100:
        errors["progress"] = _("Progress is a whole number from 0 to 100.")
    note, err = _text(TaskEvidence, "note", note)
    if err:
        errors["note"] = err
    _raise(errors)
    if status == TaskStatus.DONE:
        progress = 100
    before = [task.status, task.progress]
    task.status, task.progress = status, progress
    task.save(update_fields=["status", "progress"])
    audit.record("plans.task.progress", actor=actor, obj=task, org_unit=task.plan.issuer,
                 summary={"before": before, "after": [status, progress], "note": note})
    return task


@transaction.atomic
def add_task_evidence(*, actor: Any, task: Task, note: str, link: str = "", file: Any = None) -> TaskEvidence:
    task = Task.objects.select_related("plan__issuer", "lead_unit").get(pk=task.pk)
    _require(actor, "plans.add_evidence", task)
    errors: dict[str, Any] = {}
    note, err = _text(TaskEvidence, "note", note, required=True)
    if err:
        errors["note"] = err
    link = (link or "").strip()
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            errors["link"] = _("Enter a valid web address (http or https).")
    _raise(errors)
    evidence = TaskEvidence(task=task, note=note, link=link,
                            created_by=actor if getattr(actor, "is_authenticated", False) else None)
    if file is not None:
        evidence.file = file
    evidence.save()
    audit.record("plans.task.evidence", actor=actor, obj=evidence, org_unit=task.plan.issuer,
                 summary={"task": task.pk, "note": note, "link": link, "file": evidence.file.name or ""})
    return evidence


# --------------------------------------------------------------------------- targets


def _decimal(errors: dict[str, Any], field: str, value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors[field] = _("Enter a number.")
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = _("Enter a number.")
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e10"):
        errors[field] = _("Enter a number.")
        return None
    return number.quantize(Decimal("0.01"))


def _target_fields(plan: Plan, target: Target, fields: dict[str, Any]) -> list[OrgKind] | None:
    errors: dict[str, Any] = {}
    kinds: list[OrgKind] | None = None
    for name, value in fields.items():
        if name == "text":
            target.text, err = _text(Target, "text", value, required=True, multiline=True)
            if err:
                errors[name] = err
        elif name in ("unit", "indicator_code"):
            cleaned, err = _text(Target, name, value)
            if err:
                errors[name] = err
            setattr(target, name, cleaned)
        elif name == "value":
            target.value = _decimal(errors, name, value)
        elif name == "measurement":
            if value not in Measurement.values:
                errors[name] = _("Choose how the target is measured.")
            target.measurement = value
        elif name == "scope_kinds":
            kinds = list(value or [])
            if not all(isinstance(k, OrgKind) for k in kinds):
                errors[name] = _("Choose kinds of unit.")
        elif name == "parent_target":
            if value is not None and (
                not isinstance(value, Target) or plan.parent_plan_id is None or value.plan_id != plan.parent_plan_id
            ):
                errors[name] = _("The linked target must come from the plan of the level above this plan derives from.")
            target.parent_target = value
        elif name == "order":
            if not _is_int(value) or value < 0:
                errors[name] = _("Enter a whole number.")
            else:
                target.order = value
        else:
            raise TypeError(f"Target field {name!r} cannot be set here")
    if target.measurement == Measurement.INDICATOR and not target.indicator_code and "measurement" in fields:
        errors["indicator_code"] = _("Give the indicator code for a target measured by an indicator.")
    _raise(errors)
    return kinds


@transaction.atomic
def add_target(
    *, actor: Any, plan: Plan, text: str, value: Any = None, unit: str = "", measurement: str = Measurement.ENTERED,
    indicator_code: str = "", scope_kinds: Iterable[OrgKind] = (), parent_target: Target | None = None,
    expected_version: int | None = None,
) -> Target:
    fresh = _edit_draft(actor, plan, expected_version)
    target = Target(plan=fresh)
    kinds = _target_fields(fresh, target, {
        "text": text, "value": value, "unit": unit, "measurement": measurement, "indicator_code": indicator_code,
        "scope_kinds": scope_kinds, "parent_target": parent_target,
    })
    top = Target.objects.filter(plan=fresh).aggregate(m=Max("order"))["m"]
    target.order = 0 if top is None else top + 1
    target.save()
    if kinds:
        target.scope_kinds.set(kinds)
    audit.record("plans.target.add", actor=actor, obj=target, org_unit=fresh.issuer,
                 summary={"plan": fresh.pk, "text": target.text[:200], "value": target.value, "unit": target.unit})
    return target


@transaction.atomic
def update_target(*, actor: Any, target: Target, expected_version: int | None = None, **fields: Any) -> Target:
    fresh = _edit_draft(actor, target.plan, expected_version)
    target = Target.objects.select_for_update().get(pk=target.pk)
    kinds = _target_fields(fresh, target, fields)
    target.save()
    if kinds is not None:
        target.scope_kinds.set(kinds)
    audit.record("plans.target.update", actor=actor, obj=target, org_unit=fresh.issuer,
                 summary={k: str(v)[:200] for k, v in fields.items()})
    return target


@transaction.atomic
def delete_target(*, actor: Any, target: Target, expected_version: int | None = None) -> None:
    fresh = _edit_draft(actor, target.plan, expected_version)
    summary = {"plan": fresh.pk, "text": target.text[:200]}
    Target.objects.filter(pk=target.pk).delete()
    audit.record("plans.target.delete", actor=actor, obj=fresh, org_unit=fresh.issuer, summary=summary)


@transaction.atomic
def record_target_value(*, actor: Any, target: Target, current_value: Any, status: str | None = None) -> Target:
    """The measured value; status defaults to met / on track against the target value."""
    target = Target.objects.select_for_update(of=("self",)).select_related("plan__issuer").get(pk=target.pk)
    _require(actor, "plans.record_target_value", target)
    errors: dict[str, Any] = {}
    value = _decimal(errors, "current_value", current_value)
    if status is not None and status not in TargetStatus.values:
        errors["status"] = _("Choose a valid status.")
    _raise(errors)
    if status is None:
        if value is None:
            status = TargetStatus.NOT_MEASURED
        elif target.value is not None and value >= target.value:
            status = TargetStatus.MET
        else:
            status = TargetStatus.ON_TRACK
    before = [target.current_value, target.status]
    target.current_value, target.status, target.measured_at = value, status, timezone.now()
    target.save(update_fields=["current_value", "status", "measured_at"])
    audit.record("plans.target.value", actor=actor, obj=target, org_unit=target.plan.issuer,
                 summary={"before": before, "after": [value, status]})
    return target


# --------------------------------------------------------------------------- assignments and deadlines


def _assignment_fields(plan: Plan, a: Assignment, fields: dict[str, Any]) -> list[OrgUnit] | None:
    errors: dict[str, Any] = {}
    co: list[OrgUnit] | None = None
    for name, value in fields.items():
        if name == "unit":
            _check_unit_in_subtree(errors, name, value, plan.issuer)
            a.unit = value
        elif name == "unit_name":
            a.unit_name, err = _text(Assignment, "unit_name", value)
            if err:
                errors[name] = err
        elif name == "role":
            if value not in AssignmentRole.values:
                errors[name] = _("Choose lead, co-operating or other.")
            a.role = value
        elif name == "duties":
            a.duties, err = _text(Assignment, "duties", value, multiline=True)
            if err:
                errors[name] = err
        elif name == "due_on":
            if err := _date_error(value):
                errors[name] = err
            _check_not_before_issue(errors, name, value, plan)
            a.due_on = value
        elif name == "task":
            if value is not None and (not isinstance(value, Task) or value.plan_id != plan.pk):
                errors[name] = _("The task must belong to the same plan.")
            a.task = value
        elif name == "co_units":
            co = list(value or [])
            for unit in co:
                _check_unit_in_subtree(errors, name, unit, plan.issuer)
        elif name == "order":
            if not _is_int(value) or value < 0:
                errors[name] = _("Enter a whole number.")
            else:
                a.order = value
        else:
            raise TypeError(f"Assignment field {name!r} cannot be set here")
    if not a.unit_name and a.unit is not None and "unit" not in errors:
        a.unit_name = a.unit.name
    if not a.unit_name and "unit_name" not in errors:
        errors["unit_name"] = _("Name the unit or choose one.")
    _raise(errors)
    return co


@transaction.atomic
def add_assignment(
    *, actor: Any, plan: Plan, unit_name: str = "", role: str = AssignmentRole.LEAD, unit: OrgUnit | None = None,
    duties: str = "", due_on: dt.date | None = None, task: Task | None = None, co_units: Iterable[OrgUnit] = (),
    expected_version: int | None = None,
) -> Assignment:
    fresh = _edit_draft(actor, plan, expected_version)
    a = Assignment(plan=fresh)
    co = _assignment_fields(fresh, a, {"unit": unit, "unit_name": unit_name, "role": role, "duties": duties,
                                        "due_on": due_on, "task": task, "co_units": co_units})
    top = Assignment.objects.filter(plan=fresh).aggregate(m=Max("order"))["m"]
    a.order = 0 if top is None else top + 1
    a.save()
    if co:
        a.co_units.set(co)
    audit.record("plans.assignment.add", actor=actor, obj=a, org_unit=fresh.issuer,
                 summary={"plan": fresh.pk, "unit": a.unit_id, "unit_name": a.unit_name, "role": a.role})
    return a


@transaction.atomic
def update_assignment(*, actor: Any, assignment: Assignment, expected_version: int | None = None,
                      **fields: Any) -> Assignment:
    fresh = _edit_draft(actor, assignment.plan, expected_version)
    a = Assignment.objects.select_for_update().get(pk=assignment.pk)
    co = _assignment_fields(fresh, a, fields)
    a.save()
    if co is not None:
        a.co_units.set(co)
    audit.record("plans.assignment.update", actor=actor, obj=a, org_unit=fresh.issuer,
                 summary={k: str(v)[:200] for k, v in fields.items()})
    return a


@transaction.atomic
def delete_assignment(*, actor: Any, assignment: Assignment, expected_version: int | None = None) -> None:
    fresh = _edit_draft(actor, assignment.plan, expected_version)
    summary = {"plan": fresh.pk, "unit_name": assignment.unit_name}
    Assignment.objects.filter(pk=assignment.pk).delete()
    audit.record("plans.assignment.delete", actor=actor, obj=fresh, org_unit=fresh.issuer, summary=summary)


def _deadline_fields(plan: Plan, deadline: PlanDeadline, fields: dict[str, Any]) -> None:
    """The same checks for a new deadline and a changed one; every problem at once."""
    errors: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "text":
            deadline.text, err = _text(PlanDeadline, "text", value, required=True)
            if err:
                errors[name] = err
        elif name == "due_on":
            if value is None:
                errors[name] = _("This field is required.")
            elif err := _date_error(value):
                errors[name] = err
            else:
                _check_not_before_issue(errors, name, value, plan)
            deadline.due_on = value
        elif name == "kind":
            if value not in DeadlineKind.values:
                errors[name] = _("Choose a valid kind of deadline.")
            deadline.kind = value
        else:
            raise TypeError(f"Deadline field {name!r} cannot be set here")
    _raise(errors)


@transaction.atomic
def add_deadline(*, actor: Any, plan: Plan, text: str, due_on: dt.date, kind: str = DeadlineKind.OTHER,
                 expected_version: int | None = None) -> PlanDeadline:
    fresh = _edit_draft(actor, plan, expected_version)
    deadline = PlanDeadline(plan=fresh)
    _deadline_fields(fresh, deadline, {"text": text, "due_on": due_on, "kind": kind})
    deadline.save()
    audit.record("plans.deadline.add", actor=actor, obj=deadline, org_unit=fresh.issuer,
                 summary={"plan": fresh.pk, "text": deadline.text, "due_on": due_on, "kind": kind})
    return deadline


@transaction.atomic
def update_deadline(*, actor: Any, deadline: PlanDeadline, expected_version: int | None = None,
                    **fields: Any) -> PlanDeadline:
    """Corrects a draft's dated duty (wording, date, kind); the plan's version goes up like any edit."""
    fresh = _edit_draft(actor, deadline.plan, expected_version)
    row = PlanDeadline.objects.select_for_update().get(pk=deadline.pk, plan=fresh)
    before = {"text": row.text, "due_on": row.due_on, "kind": row.kind}
    _deadline_fields(fresh, row, fields)
    row.save()
    audit.record("plans.deadline.update", actor=actor, obj=row, org_unit=fresh.issuer,
                 summary={"plan": fresh.pk, "before": before,
                          "after": {"text": row.text, "due_on": row.due_on, "kind": row.kind}})
    return row


@transaction.atomic
def delete_deadline(*, actor: Any, deadline: PlanDeadline, expected_version: int | None = None) -> None:
    fresh = _edit_draft(actor, deadline.plan, expected_version)
    summary = {"plan": fresh.pk, "text": deadline.text, "due_on": deadline.due_on}
    PlanDeadline.objects.filter(pk=deadline.pk).delete()
    audit.record("plans.deadline.delete", actor=actor, obj=fresh, org_unit=fresh.issuer, summary=summary)


# --------------------------------------------------------------------------- workflow


def _dates_before_issue(plan: Plan, issued_on: dt.date) -> list[str]:
    """Every dated item of the plan that falls before the date of issue, named for the user."""
    problems = []
    for text, due in PlanDeadline.objects.filter(plan=plan, due_on__lt=issued_on).values_list("text", "due_on"):
        problems.append(_("The deadline “%(text)s” (%(due)s) is before the date of issue.") % {
            "text": text[:80], "due": _fmt(due)})
    for text, task_due in Task.objects.filter(plan=plan, due_on__lt=issued_on).values_list("text", "due_on"):
        problems.append(_("The task “%(text)s” is due %(due)s, before the date of issue.") % {
            "text": text[:80], "due": _fmt(task_due)})
    for name, a_due in Assignment.objects.filter(plan=plan, due_on__lt=issued_on).values_list("unit_name", "due_on"):
        problems.append(_("The assignment of %(unit)s is due %(due)s, before the date of issue.") % {
            "unit": name, "due": _fmt(a_due)})
    if plan.subordinate_due_on and plan.subordinate_due_on < issued_on:
        problems.append(_("Subordinate plans are due %(due)s, before the date of issue.") % {
            "due": _fmt(plan.subordinate_due_on)})
    return problems


def _next_number(plan: Plan, year: int) -> int:
    top = (
        Plan.objects.filter(issuer_id=plan.issuer_id, doc_type=plan.doc_type, number_year=year,
                            number__isnull=False, deleted_at__isnull=True)
        .aggregate(m=Max("number"))["m"]
    )
    return (top or 0) + 1


def _create_obligations(plan: Plan, kinds: list[int]) -> int:
    """One obligation per current unit of the given kinds below the issuer (3,321 communes: one INSERT batch run)."""
    units = (
        OrgUnit.objects.current().subtree_of(plan.issuer, include_self=False).filter(kind_id__in=kinds)
        .values_list("pk", flat=True)
    )
    carried: dict[int, tuple[int | None, dt.date | None]] = {}
    if plan.amends_id:
        # An amendment replaces the plan: units that already complied keep having complied.
        carried = {
            u: (by, on) for u, by, on in PlanObligation.objects.filter(plan_id=plan.amends_id, fulfilled_by__isnull=False)
            .values_list("org_unit_id", "fulfilled_by_id", "fulfilled_on")
        }
    due = cast(dt.date, plan.subordinate_due_on)  # required before issuing
    rows = [
        PlanObligation(plan=plan, org_unit_id=u, due_on=due,
                       fulfilled_by_id=carried.get(u, (None, None))[0], fulfilled_on=carried.get(u, (None, None))[1])
        for u in units
    ]
    PlanObligation.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _fulfil_parent_obligation(plan: Plan) -> int:
    if not plan.parent_plan_id:
        return 0
    return PlanObligation.objects.filter(
        Q(plan_id=plan.parent_plan_id) | Q(plan__amends_id=plan.parent_plan_id),
        org_unit_id=plan.issuer_id, fulfilled_by__isnull=True,
    ).update(fulfilled_by=plan, fulfilled_on=plan.issued_on, updated_at=timezone.now())


def refresh_share_targets(plan_id: int) -> int:
    """Recompute the plan's targets measured as a share of units: the units in scope that issued their own plan.

    Scope is the plan's obligations, narrowed to the target's kinds of unit when it names some
    (a target about communes is not diluted by departments). Called inside the transaction that
    changed an obligation, so the figure is never stale. Until other modules provide unit-level
    facts (practices registered, reports sent), issuing one's own plan is what a share counts.
    One aggregate per such target (a plan has a handful).
    """
    targets = list(
        Target.objects.filter(plan_id=plan_id, measurement=Measurement.SHARE_OF_UNITS).prefetch_related("scope_kinds")
    )
    today = timezone.localdate()
    for target in targets:
        obligations = PlanObligation.objects.filter(plan_id=plan_id)
        kinds = [k.pk for k in target.scope_kinds.all()]
        if kinds:
            obligations = obligations.filter(org_unit__kind_id__in=kinds)
        counts = obligations.aggregate(
            total=Count("pk"), done=Count("pk", filter=Q(fulfilled_by__isnull=False)),
            due=Min("due_on"),
        )
        if not counts["total"]:
            value, status = None, TargetStatus.NOT_MEASURED
        else:
            value = (Decimal(100) * counts["done"] / counts["total"]).quantize(Decimal("0.01"))
            if target.value is not None and value >= target.value:
                status = TargetStatus.MET
            elif counts["due"] is not None and counts["due"] < today:
                status = TargetStatus.MISSED if target.value is not None else TargetStatus.AT_RISK
            else:
                status = TargetStatus.ON_TRACK
        if (target.current_value, target.status) != (value, status):
            Target.objects.filter(pk=target.pk).update(current_value=value, status=status, measured_at=timezone.now())
    return len(targets)


@transaction.atomic
def issue_plan(*, actor: Any, plan: Plan, expected_version: int, issued_on: dt.date, number: int | None = None) -> Plan:
    """Number, date and lock the plan; create the subordinate units' obligations.

    The number is the issuer's next for the calendar year of ``issued_on`` (Decree 30/2020: numbers
    restart on 1 January). The issuer's unit row is locked while the number is chosen so that two
    plans issued at the same moment never get the same one; the unique constraint is the backstop.
    """
    # NO KEY UPDATE: serialises numbering without blocking other writers' rows that point at the unit
    # (an audit event written under the chain's lock would otherwise wait for us: a deadlock).
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=plan.issuer_id).first()
    fresh = _lock_plan(plan)
    if fresh.deleted_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: _("This plan has been deleted.")})
    if actor is not None and not plan_rules.signs_for_issuer.test(actor, fresh):
        if plan_rules.edits_for_issuer.test(actor, fresh):
            raise PermissionDenied(_("Only the head of the unit can issue a plan."))
        raise PermissionDenied(_("You are not allowed to do this for this plan."))
    if fresh.status != PlanStatus.DRAFT:
        raise PlanLockedError({NON_FIELD_ERRORS: _("This plan has already been issued.")})
    if fresh.lock_version != expected_version:
        raise _conflict()

    errors: dict[str, Any] = {}
    today = timezone.localdate()
    if issued_on is None:
        errors["issued_on"] = _("This field is required.")
    elif err := _date_error(issued_on):
        errors["issued_on"] = err
    elif issued_on > today:
        errors["issued_on"] = _("The date of issue cannot be in the future.")
    for field, label in (
        ("title", _("The title is required.")), ("place", _("The place is required.")),
        ("signer_name", _("The signer's name is required.")), ("signer_position", _("The signer's position is required.")),
    ):
        if not getattr(fresh, field):
            errors[field] = label
    if number is not None and (not _is_int(number) or number <= 0):
        errors["number"] = _("The number must be a whole number greater than 0.")
    kinds: list[int] = []
    if fresh.requires_subordinate_plans:
        kinds = list(fresh.subordinate_kinds.values_list("pk", flat=True))
        if not fresh.subordinate_due_on:
            errors["subordinate_due_on"] = _("Give the date by which subordinate units must issue their plans.")
        if not kinds:
            errors["subordinate_kinds"] = _("Choose which kinds of unit must issue their own plans.")
    if "issued_on" not in errors:
        if problems := _dates_before_issue(fresh, issued_on):
            errors["issued_on"] = problems
    _raise(errors)

    year = issued_on.year
    if number is None:
        number = _next_number(fresh, year)
    elif Plan.objects.filter(issuer_id=fresh.issuer_id, doc_type=fresh.doc_type, number_year=year, number=number,
                             deleted_at__isnull=True).exists():
        raise ValidationError({"number": _("Number %(n)02d/%(symbol)s is already used by this unit in %(year)d.") % {
            "n": number, "symbol": fresh.symbol, "year": year}})
    _bump(fresh, expected_version, caller=plan)
    fresh.status, fresh.issued_on, fresh.number, fresh.number_year = PlanStatus.ISSUED, issued_on, number, year
    try:
        with transaction.atomic():
            fresh.save()
    except IntegrityError as exc:
        raise ValidationError({"number": _("Number %(n)02d/%(symbol)s is already used by this unit in %(year)d.") % {
            "n": number, "symbol": fresh.symbol, "year": year}}) from exc
    created = _create_obligations(fresh, kinds) if fresh.requires_subordinate_plans else 0
    fulfilled = _fulfil_parent_obligation(fresh)
    if created:
        refresh_share_targets(fresh.pk)
    if fulfilled and fresh.parent_plan_id:
        refresh_share_targets(fresh.parent_plan_id)
        parent_amendments = Plan.objects.filter(amends_id=fresh.parent_plan_id).values_list("pk", flat=True)
        for amendment_id in parent_amendments:
            refresh_share_targets(amendment_id)
    audit.record("plans.plan.issue", actor=actor, obj=fresh, org_unit=fresh.issuer, summary={
        "number": fresh.reference, "issued_on": issued_on, "obligations": created, "fulfils_parent": fulfilled,
    })
    return fresh


@transaction.atomic
def close_plan(*, actor: Any, plan: Plan) -> Plan:
    fresh = _lock_plan(plan)
    _require(actor, "plans.close_plan", fresh)
    if fresh.status != PlanStatus.ISSUED:
        raise ValidationError({NON_FIELD_ERRORS: _("Only an issued plan can be closed.")})
    fresh.status = PlanStatus.CLOSED
    fresh.lock_version += 1
    fresh.save(update_fields=["status", "lock_version", "updated_at"])
    audit.record("plans.plan.close", actor=actor, obj=fresh, org_unit=fresh.issuer, summary={"number": fresh.reference})
    return fresh


# --------------------------------------------------------------------------- copies


_DATE_IN_TEXT = re.compile(r"(?<![\d/])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\d/])")


def roll_text(text: str, source_year: int, years: int) -> str:
    """Move the source year forward in free text: "năm 2024" and dates "15/11/2024", not "10/2024/QH15".

    Only the plan's own year moves: another year written in the text (a resolution of 2021, a
    period "2021-2025") refers to something else and is kept.
    """
    if not text or not years:
        return text

    def date(m: re.Match[str]) -> str:
        if int(m.group(4)) != source_year:
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}{m.group(3)}{m.group(2)}{source_year + years}"

    text = _DATE_IN_TEXT.sub(date, text)
    return re.sub(rf"(?<![\d/.\-–]){source_year}(?![\d/\-–])", str(source_year + years), text)


@overload
def add_years(day: dt.date, years: int) -> dt.date: ...
@overload
def add_years(day: None, years: int) -> None: ...
def add_years(day: dt.date | None, years: int) -> dt.date | None:
    """29/02 rolls to 28/02 in a year without it."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _copy_contents(
    src: Plan, dst: Plan, *, years: int = 0, link_parent: bool = False, reset_progress: bool = True,
    assignments: bool = True, deadlines: bool = True,
) -> None:
    """Copy sections, tasks, targets, assignments, deadlines and legal bases from ``src`` into ``dst``.

    ``link_parent`` makes each copied task and target point at its original (a derived plan);
    otherwise the copies keep the originals' own links (an amendment or a copy for the next year).
    """
    def roll(text: str) -> str:
        return roll_text(text, src.year, years)

    sections = list(PlanSection.objects.filter(plan=src).order_by("pk"))
    section_map: dict[int, PlanSection] = {}
    pending = sections
    while pending:  # parents before children, whatever the pks
        rest = []
        for s in pending:
            if s.parent_id is not None and s.parent_id not in section_map:
                rest.append(s)
                continue
            section_map[s.pk] = PlanSection.objects.create(
                plan=dst, parent=section_map.get(s.parent_id) if s.parent_id else None,
                number=s.number, title=roll(s.title), order=s.order,
            )
        if len(rest) == len(pending):
            break
        pending = rest

    src_tasks = list(Task.objects.filter(plan=src).order_by("pk"))
    new_tasks = [
        Task(
            plan=dst, section=section_map.get(t.section_id) if t.section_id else None, text=roll(t.text), order=t.order,
            parent_task_id=t.pk if link_parent else t.parent_task_id,
            lead_unit_id=t.lead_unit_id if not link_parent else None, due_on=add_years(t.due_on, years),
            status=TaskStatus.NOT_STARTED if reset_progress else t.status, progress=0 if reset_progress else t.progress,
        )
        for t in src_tasks
    ]
    Task.objects.bulk_create(new_tasks, batch_size=500)
    task_map = {old.pk: new for old, new in zip(src_tasks, new_tasks, strict=True)}
    if any(t.pk is None for t in new_tasks):  # databases that cannot return ids from a bulk insert
        for old, new in zip(src_tasks, new_tasks, strict=True):
            task_map[old.pk] = Task.objects.filter(plan=dst, order=new.order, text=new.text).order_by("pk").first() or new

    src_targets = list(Target.objects.filter(plan=src).prefetch_related("scope_kinds").order_by("pk"))
    for t in src_targets:
        new_target = Target.objects.create(
            plan=dst, text=roll(t.text), value=t.value, unit=t.unit, measurement=t.measurement,
            indicator_code=t.indicator_code, order=t.order,
            parent_target_id=t.pk if link_parent else t.parent_target_id,
            current_value=None if reset_progress else t.current_value,
            measured_at=None if reset_progress else t.measured_at,
            status=TargetStatus.NOT_MEASURED if reset_progress else t.status,
        )
        kinds = list(t.scope_kinds.all())
        if kinds:
            new_target.scope_kinds.set(kinds)

    if assignments:
        for a in Assignment.objects.filter(plan=src).prefetch_related("co_units").order_by("pk"):
            new_a = Assignment.objects.create(
                plan=dst, task=task_map[a.task_id] if a.task_id else None, unit_id=a.unit_id, unit_name=a.unit_name,
                role=a.role, duties=roll(a.duties), due_on=add_years(a.due_on, years), order=a.order,
            )
            co = list(a.co_units.all())
            if co:
                new_a.co_units.set(co)
    if deadlines:
        PlanDeadline.objects.bulk_create([
            PlanDeadline(plan=dst, kind=d.kind, text=roll(d.text), due_on=add_years(d.due_on, years))
            for d in PlanDeadline.objects.filter(plan=src)
        ])
    PlanLegalBasis.objects.bulk_create([
        PlanLegalBasis(plan=dst, document_id=b.document_id, order=b.order) for b in PlanLegalBasis.objects.filter(plan=src)
    ])


def _copy_plan_fields(src: Plan, *, years: int = 0) -> dict[str, Any]:
    def roll(text: str) -> str:
        return roll_text(text, src.year, years)

    return {
        "issuing_body": src.issuing_body, "parent_body": src.parent_body, "doc_type": src.doc_type,
        "symbol": src.symbol, "place": src.place, "title": roll(src.title), "year": src.year + years,
        "end_year": src.end_year + years if src.end_year else None, "kind": src.kind, "preamble": roll(src.preamble),
        "purposes": [roll(p) for p in src.purposes], "requirements": [roll(r) for r in src.requirements],
        "recipients": list(src.recipients), "signer_name": src.signer_name, "signer_position": src.signer_position,
        "signer_authority": src.signer_authority, "requires_subordinate_plans": src.requires_subordinate_plans,
        "subordinate_due_on": add_years(src.subordinate_due_on, years),
    }


def _require_visible(actor: Any, plan: Plan) -> None:
    if plan.deleted_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: _("This plan has been deleted.")})
    _require(actor, "plans.view_plan", plan)



@transaction.atomic
def copy_plan_for_year(*, actor: Any, source: Plan, year: int, issuer: OrgUnit | None = None) -> Plan:
    """Last year's plan as this year's draft: the plan's year moved forward in texts and dates, no number."""
    source = Plan.objects.select_related("issuer").get(pk=source.pk)
    _require_visible(actor, source)
    issuer = issuer or source.issuer
    _require(actor, "plans.create_plan_for_unit", issuer)
    if not _is_int(year) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("The year must be between 2000 and 2100.")})
    years = year - source.year
    fields = _copy_plan_fields(source, years=years)
    same_issuer = issuer.pk == source.issuer_id
    plan = Plan(issuer=issuer, copied_from=source, created_by=_creator(actor), **fields)
    if not same_issuer:
        plan.issuing_body = plan.parent_body = plan.signer_name = plan.signer_position = ""
    plan.save()
    plan.subordinate_kinds.set(source.subordinate_kinds.all())
    _copy_contents(source, plan, years=years, assignments=same_issuer)
    audit.record("plans.plan.copy", actor=actor, obj=plan, org_unit=issuer,
                 summary={"source": source.pk, "year": year})
    return plan


@transaction.atomic
def derive_plan(*, actor: Any, parent_plan: Plan, issuer: OrgUnit) -> Plan:
    """A subordinate unit's draft starting from the issued plan of the level above, each task linked to its original."""
    parent_plan = Plan.objects.select_related("issuer").get(pk=parent_plan.pk)
    _require_visible(actor, parent_plan)
    _require(actor, "plans.create_plan_for_unit", issuer)
    if parent_plan.status not in (PlanStatus.ISSUED, PlanStatus.CLOSED):
        raise ValidationError({"parent_plan": _("A plan can only be derived from an issued plan.")})
    if issuer.pk == parent_plan.issuer_id or not issuer.is_in_subtree_of(parent_plan.issuer):
        raise ValidationError({"issuer": _("%(unit)s is not below the unit that issued this plan.") % {"unit": issuer.name}})
    if issuer.valid_to is not None:
        raise ValidationError({"issuer": _("%(unit)s no longer exists.") % {"unit": issuer.name}})
    fields = _copy_plan_fields(parent_plan)
    fields.update(issuing_body="", parent_body=parent_plan.issuing_body, place="", signer_name="", signer_position="",
                  signer_authority="", recipients=[], requires_subordinate_plans=False, subordinate_due_on=None)
    plan = Plan(issuer=issuer, parent_plan=parent_plan, created_by=_creator(actor), **fields)
    plan.save()
    _copy_contents(parent_plan, plan, link_parent=True, assignments=False, deadlines=False)
    audit.record("plans.plan.derive", actor=actor, obj=plan, org_unit=issuer, summary={"parent_plan": parent_plan.pk})
    return plan


@transaction.atomic
def amend_plan(*, actor: Any, plan: Plan) -> Plan:
    """A new draft version of an issued plan; the original stays issued until the amendment is."""
    fresh = _lock_plan(plan)
    _require(actor, "plans.amend_plan", fresh)
    if fresh.deleted_at is not None or fresh.status != PlanStatus.ISSUED:  # superusers pass every has_perm
        raise ValidationError({NON_FIELD_ERRORS: _("Only an issued plan can be amended.")})
    existing = Plan.objects.alive().filter(amends=fresh, status=PlanStatus.DRAFT).first()
    if existing is not None:
        raise ValidationError({NON_FIELD_ERRORS: _("A draft amendment of this plan already exists (version %(v)d).") % {
            "v": existing.version}})
    new = Plan(
        issuer=fresh.issuer, amends=fresh, version=fresh.version + 1, parent_plan=fresh.parent_plan,
        created_by=_creator(actor), **_copy_plan_fields(fresh),
    )
    new.save()
    new.subordinate_kinds.set(fresh.subordinate_kinds.all())
    _copy_contents(fresh, new, reset_progress=False)
    audit.record("plans.plan.amend", actor=actor, obj=new, org_unit=fresh.issuer,
                 summary={"amends": fresh.pk, "version": new.version})
    return new


# --------------------------------------------------------------------------- import


_DEADLINE_KINDS = (
    (re.compile(r"6\s*th[áa]ng|s[áa]u\s+th[áa]ng|gi[ữu]a\s+n[ăa]m", re.IGNORECASE), DeadlineKind.HALF_YEAR_REPORT),
    (re.compile(r"n[ăa]m|t[ổo]ng\s+k[ếe]t", re.IGNORECASE), DeadlineKind.ANNUAL_REPORT),
    (re.compile(r"k[ếe]\s*ho[ạa]ch", re.IGNORECASE), DeadlineKind.SUBORDINATE_PLANS),
)
_PERIOD = re.compile(r"(20\d\d)\s*[-–]\s*(20\d\d)")


def deadline_kind(text: str) -> str:
    for pattern, kind in _DEADLINE_KINDS:
        if pattern.search(text or ""):
            return kind
    return DeadlineKind.OTHER


def _parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _register_document(actor: Any, ref: dict[str, Any]) -> Any:
    """Through the legal registry's service, which deduplicates by number and symbol and audits."""
    from danvan.legal.services import register_document

    return register_document(
        actor=actor, doc_type=ref.get("type") or "", number=ref.get("number") or "", symbol=ref.get("symbol") or "",
        issued_on=_parse_date(ref.get("date")), issuer=ref.get("issuer") or "", title=ref.get("title") or "",
    )


def _match_units(issuer: OrgUnit, names: Iterable[str]) -> dict[str, OrgUnit]:
    """Unit names as written → the one current unit of the issuer's subtree with that name, when only one."""
    keys = {search_key(n) for n in names if n}
    if not keys:
        return {}
    found: dict[str, list[OrgUnit]] = {}
    for unit in OrgUnit.objects.current().subtree_of(issuer).filter(search_name__in=keys):
        found.setdefault(unit.search_name, []).append(unit)
    return {k: v[0] for k, v in found.items() if len(v) == 1}


@transaction.atomic
def create_plan_from_import(*, actor: Any, issuer: OrgUnit, parsed: dict[str, Any],
                            detailed: dict[str, Any] | None = None) -> Plan:
    """A draft from the parser's public shape; what the parser could not read stays empty for the officer.

    ``detailed`` (``parse_plan_detailed(text).detailed()``) is kept in ``import_source`` so the review
    screen can show each value beside the text it came from.
    """
    _require(actor, "plans.create_plan_for_unit", issuer)
    if not isinstance(parsed, dict):
        raise ValidationError({NON_FIELD_ERRORS: _("The imported data is not in the expected shape.")})
    title = parsed.get("title") or _("Imported plan")
    issued_on = _parse_date(parsed.get("issued_on"))
    year: int = parsed["year"] if _is_int(parsed.get("year")) else (issued_on or timezone.localdate()).year
    kind, end_year = PlanKind.ANNUAL, None
    if m := _PERIOD.search(title):
        start, end = int(m.group(1)), int(m.group(2))
        if start < end:
            kind, year, end_year = PlanKind.MULTI_YEAR, start, end
    signer = parsed.get("signer") or {}
    authority = signer.get("authority") or ""
    plan = create_plan(
        actor=actor, issuer=issuer, title=title, year=year, kind=kind, end_year=end_year,
        issuing_body=parsed.get("issuer") or "", place=parsed.get("place") or "",
        symbol=parsed.get("symbol") or "KH-UBND", issued_on=issued_on,
        purposes=list(parsed.get("purposes") or []), requirements=list(parsed.get("requirements") or []),
        recipients=list(parsed.get("recipients") or []), signer_name=signer.get("name") or "",
        signer_position=signer.get("position") or "",
        signer_authority=authority if authority in SigningAuthority.values else "",
    )
    plan.import_source = {"parsed": parsed, "detailed": detailed}
    plan.save(update_fields=["import_source"])

    documents = []
    for ref in parsed.get("references") or []:
        # "Kế hoạch số /KH-UBND" cannot be told apart from any other plan: register only full references.
        if not (ref.get("number") and ref.get("symbol")):
            continue
        try:
            with transaction.atomic():
                documents.append(_register_document(actor, ref))
        except ValidationError:
            # One unreadable citation (a future date, an unknown type) must not sink the whole import;
            # the officer sees every reference on the review page and can add it by hand.
            continue
    unique = list({d.pk: d for d in documents}.values())
    PlanLegalBasis.objects.bulk_create([PlanLegalBasis(plan=plan, document=d, order=i) for i, d in enumerate(unique)])

    for i, t in enumerate(parsed.get("targets") or []):
        target = Target(plan=plan, order=i)
        _target_fields(plan, target, {"text": t.get("text") or "", "value": t.get("value"), "unit": t.get("unit") or ""})
        target.save()
    for i, s in enumerate(parsed.get("sections") or []):
        section = PlanSection(plan=plan, order=i)
        section.number, _err = _text(PlanSection, "number", s.get("number") or "")
        section.title, err = _text(PlanSection, "title", s.get("title") or "", required=True)
        if err:
            raise ValidationError({"sections": err})
        section.save()
        Task.objects.bulk_create([
            Task(plan=plan, section=section, text=nfc(text).strip(), order=j)
            for j, text in enumerate(s.get("tasks") or []) if isinstance(text, str) and text.strip()
        ])
    rows = parsed.get("assignments") or []
    units = _match_units(issuer, (r.get("unit") or "" for r in rows))
    for i, r in enumerate(rows):
        a = Assignment(plan=plan, order=i)
        role = r.get("role") if r.get("role") in AssignmentRole.values else AssignmentRole.OTHER
        _assignment_fields(plan, a, {"unit_name": r.get("unit") or "", "role": role, "duties": r.get("duties") or "",
                                     "unit": units.get(search_key(r.get("unit") or ""))})
        a.save()
    skipped = []
    for d in parsed.get("deadlines") or []:
        due = _parse_date(d.get("due"))
        text = clean_text(d.get("text") or "")[:500]
        if due is None or not text:
            skipped.append(d)
            continue
        PlanDeadline.objects.create(plan=plan, text=text, due_on=due, kind=deadline_kind(text))
    audit.record("plans.plan.import", actor=actor, obj=plan, org_unit=issuer, summary={
        "title": plan.title, "references": len(documents), "sections": len(parsed.get("sections") or []),
        "skipped_deadlines": len(skipped),
    })
    return plan


def units_for_import(issuer: OrgUnit, names: Sequence[str]) -> dict[str, OrgUnit]:
    """For the review screen: which written unit names match a unit unambiguously."""
    return _match_units(issuer, names)
