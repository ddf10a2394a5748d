"""Every write of dissemination sessions, inspection plans, inspections and follow-up actions: one transaction
and one audit event each.

Who inspects whom: an administrative level (province, commune) inspects itself and the units below it; an
office that is not a level of government (a department of the province, say) inspects the units under the
level it belongs to. Edits of a record name the version they started from; the second of two concurrent
edits gets ``ConcurrentEditError`` and nothing of the first is overwritten. A double submit (same unit,
same date, same title) is refused, not duplicated. ``actor=None`` is the system (demo, commands).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
from danvan.legal.models import LegalDocument
from danvan.orgs.models import OrgUnit

from .models import Dissemination, FollowUpAction, Inspection, InspectionKind, InspectionPlan

TITLE_MAX = 255
FORM_MAX = 255
NOTES_MAX = 10000
CONTENT_MAX = 20000
FINDINGS_MAX = 20000
CONCLUSION_MAX = 10000
ACTION_MAX = 5000
RESULT_MAX = 5000
REASON_MAX = 1000
PARTICIPANTS_MAX = 1_000_000
DOCUMENTS_MAX = 50
UNITS_MAX = 1000
DISSEMINATION_EDITABLE = ("title", "held_on", "documents", "participants", "form", "notes")
INSPECTION_EDITABLE = ("starts_on", "ends_on", "findings", "conclusion")


def conflict_message() -> str:
    return _("Someone else changed this record after you opened it. Nothing was saved: "
             "reload the page and make your change again.")


# --------------------------------------------------------------------------- helpers


def _allowed(actor: Any, perm: str, obj: Any, message: str) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _unit(value: Any, name: str = "org_unit") -> OrgUnit:
    if not isinstance(value, OrgUnit) or value.valid_to is not None:
        raise ValidationError({name: _("Choose a unit in use.")})
    return value


def _date(errors: dict[str, Any], name: str, value: Any, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors[name] = _("Enter a date.")
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[name] = _("Enter a valid date.")
        return None
    return value


def _not_future(errors: dict[str, Any], name: str, day: dt.date | None, message: str) -> None:
    if day is not None and day > timezone.localdate():
        errors[name] = message


def _text(errors: dict[str, Any], name: str, value: Any, limit: int, *, required: bool = False,
          multiline: bool = False) -> str:
    value, error = clean_field_text(value, limit, required=required, multiline=multiline)
    if error:
        errors[name] = error
    return value


def _same_text(a: str, b: str) -> bool:
    return search_key(a) == search_key(b)


def _version(current: int, expected_version: Any) -> int:
    version = check_version(expected_version)
    if current != version:
        raise ConcurrentEditError(conflict_message())
    return version


def _lock_unit(unit: OrgUnit) -> None:
    """The unit's row serialises two submits of the same form (PostgreSQL; SQLite writes one at a time)."""
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=unit.pk).first()


def inspectable_root(inspector: OrgUnit) -> OrgUnit:
    """The unit whose subtree ``inspector`` may inspect: itself if it is a level of government, else its level."""
    if inspector.kind.is_administrative or inspector.parent_id is None:
        return inspector
    return inspector.parent  # type: ignore[return-value]


def may_inspect(inspector: OrgUnit, unit: OrgUnit) -> bool:
    return unit.path.startswith(inspectable_root(inspector).path)


# --------------------------------------------------------------------------- dissemination


def _documents(errors: dict[str, Any], value: Any) -> list[LegalDocument]:
    if value is None or isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        errors["documents"] = _("Choose at least one document of the legal registry.")
        return []
    docs: list[LegalDocument] = []
    for item in value:
        if not isinstance(item, LegalDocument) or item.pk is None:
            errors["documents"] = _("Choose the documents from the legal registry.")
            return []
        if all(d.pk != item.pk for d in docs):
            docs.append(item)
    if not docs:
        errors["documents"] = _("Choose at least one document of the legal registry.")
    elif len(docs) > DOCUMENTS_MAX:
        errors["documents"] = _("Choose at most %(n)d documents.") % {"n": DOCUMENTS_MAX}
    return docs


def _dissemination_values(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    out: dict[str, Any] = {
        "title": _text(errors, "title", values["title"], TITLE_MAX, required=True),
        "held_on": _date(errors, "held_on", values["held_on"]),
        "documents": _documents(errors, values["documents"]),
        "form": _text(errors, "form", values["form"], FORM_MAX),
        "notes": _text(errors, "notes", values["notes"], NOTES_MAX, multiline=True),
    }
    _not_future(errors, "held_on", out["held_on"], _("A session is recorded once held: the date cannot be in "
                                                     "the future."))
    participants = values["participants"]
    if not is_int(participants) or not 1 <= participants <= PARTICIPANTS_MAX:
        errors["participants"] = _("Enter a whole number of participants from 1 to %(n)s.") % {
            "n": f"{PARTICIPANTS_MAX:,}".replace(",", ".")}
    out["participants"] = participants
    raise_if(errors)
    return out


def _dissemination_duplicate(org_unit: OrgUnit, title: str, held_on: dt.date, exclude_pk: int | None = None) -> None:
    qs = Dissemination.objects.filter(org_unit=org_unit, held_on=held_on, deleted_at__isnull=True)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if any(_same_text(t, title) for t in qs.values_list("title", flat=True)[:1000]):
        raise ValidationError({"title": _("This unit already recorded a session with this title on this date; "
                                          "open it instead of entering it twice.")})


def _dissemination_summary(values: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in values.items() if k not in ("notes", "documents")}
    if "documents" in values:
        out["documents"] = [d.pk for d in values["documents"]]
    return out


@transaction.atomic
def record_dissemination(*, actor: Any, org_unit: Any, title: Any, held_on: Any, documents: Any, participants: Any,
                         form: Any = "", notes: Any = "") -> Dissemination:
    """A session held by the unit to study documents of the legal registry."""
    unit = _unit(org_unit)
    _allowed(actor, "oversight.change", unit, _("You may not record sessions for this unit."))
    values = _dissemination_values({"title": title, "held_on": held_on, "documents": documents,
                                    "participants": participants, "form": form, "notes": notes})
    _lock_unit(unit)
    _dissemination_duplicate(unit, values["title"], values["held_on"])
    docs = values.pop("documents")
    row = Dissemination.objects.create(org_unit=unit, created_by=user_or_none(actor), **values)
    row.documents.set(docs)
    audit.record("oversight.dissemination.create", actor=actor, obj=row, org_unit=unit,
                 summary=_dissemination_summary({**values, "documents": docs}))
    return row


def _locked(model: Any, obj: Any, message: str, *related: str) -> Any:
    fresh = model.objects.select_for_update(of=("self",)).select_related(*related).filter(pk=obj.pk).first()
    if fresh is None or fresh.deleted_at is not None:
        raise ValidationError({"__all__": message})
    return fresh


def _refresh(caller: Any, fresh: Any) -> None:
    if caller is not fresh:
        for f in type(fresh)._meta.concrete_fields:
            setattr(caller, f.attname, getattr(fresh, f.attname))


@transaction.atomic
def update_dissemination(*, actor: Any, dissemination: Dissemination, expected_version: Any,
                         **fields: Any) -> Dissemination:
    unknown = sorted(set(fields) - set(DISSEMINATION_EDITABLE))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    fresh = _locked(Dissemination, dissemination, _("This session has been deleted."), "org_unit")
    _allowed(actor, "oversight.change", fresh, _("You may not change the sessions of this unit."))
    version = _version(fresh.lock_version, expected_version)
    current = {name: getattr(fresh, name) for name in DISSEMINATION_EDITABLE if name != "documents"}
    current["documents"] = list(fresh.documents.all())
    values = _dissemination_values({**current, **fields})
    _dissemination_duplicate(fresh.org_unit, values["title"], values["held_on"], exclude_pk=fresh.pk)
    docs = values.pop("documents")
    changed = {k: v for k, v in values.items() if getattr(fresh, k) != v}
    docs_changed = {d.pk for d in docs} != {d.pk for d in current["documents"]}
    if changed or docs_changed:
        conditional_update(Dissemination, fresh, version, conflict_message(), **changed)
        if docs_changed:
            fresh.documents.set(docs)
            changed["documents"] = docs
        audit.record("oversight.dissemination.update", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                     summary=_dissemination_summary(changed))
    _refresh(dissemination, fresh)
    return dissemination


@transaction.atomic
def delete_dissemination(*, actor: Any, dissemination: Dissemination, reason: Any) -> Dissemination:
    fresh = _locked(Dissemination, dissemination, _("This session has been deleted."), "org_unit")
    _allowed(actor, "oversight.delete", fresh, _("You may not delete the sessions of this unit."))
    errors: dict[str, Any] = {}
    text = _text(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    raise_if(errors)
    conditional_update(Dissemination, fresh, fresh.lock_version, conflict_message(), deleted_at=timezone.now())
    audit.record("oversight.dissemination.delete", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"reason": text, "title": fresh.title})
    _refresh(dissemination, fresh)
    return dissemination


# --------------------------------------------------------------------------- inspection plans


def _units(errors: dict[str, Any], inspector: OrgUnit, kind: str, value: Any) -> list[OrgUnit]:
    if value in (None, ""):
        value = []
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        errors["units"] = _("Choose the units to inspect from the list.")
        return []
    units: list[OrgUnit] = []
    for item in value:
        if not isinstance(item, OrgUnit) or item.valid_to is not None:
            errors["units"] = _("Choose the units to inspect from the list.")
            return []
        if all(u.pk != item.pk for u in units):
            units.append(item)
    if len(units) > UNITS_MAX:
        errors["units"] = _("Choose at most %(n)d units.") % {"n": UNITS_MAX}
    elif kind == InspectionKind.SELF and any(u.pk != inspector.pk for u in units):
        errors["units"] = _("A self-inspection inspects the unit itself.")
    elif kind == InspectionKind.INSPECTION:
        outside = [u.name for u in units if not may_inspect(inspector, u) or u.pk == inspector.pk]
        if outside:
            errors["units"] = _("This unit may not inspect: %(units)s.") % {"units": ", ".join(outside[:5])}
    return units


@transaction.atomic
def create_inspection_plan(*, actor: Any, org_unit: Any, kind: Any, year: Any, title: Any, starts_on: Any,
                           ends_on: Any, units: Any = (), content: Any = "") -> InspectionPlan:
    """A year's plan of inspections of other units, or of a self-inspection."""
    unit = _unit(org_unit)
    _allowed(actor, "oversight.change", unit, _("You may not make inspection plans for this unit."))
    errors: dict[str, Any] = {}
    if kind not in InspectionKind.values:
        errors["kind"] = _("Choose inspection of other units or self-inspection.")
    this_year = timezone.localdate().year
    if not is_int(year) or not 2000 <= year <= this_year + 1:
        errors["year"] = _("Enter a year from 2000 to %(y)d.") % {"y": this_year + 1}
    values: dict[str, Any] = {
        "title": _text(errors, "title", title, TITLE_MAX, required=True),
        "content": _text(errors, "content", content, CONTENT_MAX, multiline=True),
        "starts_on": _date(errors, "starts_on", starts_on),
        "ends_on": _date(errors, "ends_on", ends_on),
    }
    chosen = _units(errors, unit, kind, units) if "kind" not in errors else []
    s, e = values["starts_on"], values["ends_on"]
    if s and e and e < s:
        errors["ends_on"] = _("The end cannot be before the start (%(d)s).") % {"d": fmt_date(s)}
    elif s and is_int(year) and "year" not in errors and not (s.year <= year <= (e or s).year):
        errors["starts_on"] = _("The plan's dates must fall in the year %(y)d.") % {"y": year}
    raise_if(errors)
    _lock_unit(unit)
    qs = InspectionPlan.objects.filter(org_unit=unit, year=year, kind=kind, deleted_at__isnull=True)
    if any(_same_text(t, values["title"]) for t in qs.values_list("title", flat=True)[:1000]):
        raise ValidationError({"title": _("This unit already has a plan with this title for this year.")})
    if kind == InspectionKind.SELF and not chosen:
        chosen = [unit]
    plan = InspectionPlan.objects.create(org_unit=unit, kind=kind, year=year, created_by=user_or_none(actor),
                                         **values)
    plan.units.set(chosen)
    audit.record("oversight.plan.create", actor=actor, obj=plan, org_unit=unit,
                 summary={"kind": kind, "year": year, "title": values["title"], "starts_on": s, "ends_on": e,
                          "units": [u.pk for u in chosen]})
    return plan


@transaction.atomic
def delete_inspection_plan(*, actor: Any, plan: InspectionPlan, reason: Any) -> InspectionPlan:
    fresh = _locked(InspectionPlan, plan, _("This plan has been deleted."), "org_unit")
    _allowed(actor, "oversight.delete", fresh, _("You may not delete the plans of this unit."))
    errors: dict[str, Any] = {}
    text = _text(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    raise_if(errors)
    if fresh.inspections.filter(deleted_at__isnull=True).exists():
        raise ValidationError({"reason": _("Inspections were recorded under this plan; delete them first.")})
    conditional_update(InspectionPlan, fresh, fresh.lock_version, conflict_message(), deleted_at=timezone.now())
    audit.record("oversight.plan.delete", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"reason": text, "title": fresh.title})
    _refresh(plan, fresh)
    return plan


# --------------------------------------------------------------------------- inspections


def _inspection_dates(errors: dict[str, Any], starts_on: Any, ends_on: Any) -> tuple[dt.date | None, dt.date | None]:
    s = _date(errors, "starts_on", starts_on)
    e = _date(errors, "ends_on", ends_on)
    _not_future(errors, "starts_on", s, _("An inspection is recorded once it has started: the date cannot be in "
                                          "the future."))
    if s and e and e < s:
        errors["ends_on"] = _("The end cannot be before the start (%(d)s).") % {"d": fmt_date(s)}
    return s, e


@transaction.atomic
def record_inspection(*, actor: Any, inspector: Any, org_unit: Any, starts_on: Any, ends_on: Any, findings: Any = "",
                      conclusion: Any = "", plan: Any = None) -> Inspection:
    """An inspection done by ``inspector`` of ``org_unit`` (the same unit for a self-inspection)."""
    by = _unit(inspector, "inspector")
    unit = _unit(org_unit)
    _allowed(actor, "oversight.change", by, _("You may not record inspections for this unit."))
    errors: dict[str, Any] = {}
    s, e = _inspection_dates(errors, starts_on, ends_on)
    values = {
        "findings": _text(errors, "findings", findings, FINDINGS_MAX, multiline=True),
        "conclusion": _text(errors, "conclusion", conclusion, CONCLUSION_MAX, multiline=True),
    }
    if not may_inspect(by, unit):
        errors["org_unit"] = _("This unit may not inspect %(unit)s.") % {"unit": unit.name}
    if plan is not None:
        if not isinstance(plan, InspectionPlan) or plan.deleted_at is not None or plan.org_unit_id != by.pk:
            errors["plan"] = _("Choose a plan of the inspecting unit.")
        elif plan.kind == InspectionKind.SELF and unit.pk != by.pk:
            errors["org_unit"] = _("A self-inspection inspects the unit itself.")
        elif plan.units.exists() and not plan.units.filter(pk=unit.pk).exists():
            errors["org_unit"] = _("This unit is not in the plan.")
    raise_if(errors)
    assert s is not None and e is not None  # noqa: S101 (narrowing: required dates passed the checks)  # nosec B101
    _lock_unit(by)
    if Inspection.objects.filter(inspector=by, org_unit=unit, starts_on=s, deleted_at__isnull=True).exists():
        raise ValidationError({"starts_on": _("An inspection of this unit starting on this date was already "
                                              "recorded; open it instead of entering it twice.")})
    row = Inspection.objects.create(plan=plan, inspector=by, org_unit=unit, starts_on=s, ends_on=e,
                                    created_by=user_or_none(actor), **values)
    audit.record("oversight.inspection.create", actor=actor, obj=row, org_unit=by,
                 summary={"org_unit": unit.pk, "plan": getattr(plan, "pk", None), "starts_on": s, "ends_on": e})
    return row


@transaction.atomic
def update_inspection(*, actor: Any, inspection: Inspection, expected_version: Any, **fields: Any) -> Inspection:
    """Findings and the conclusion are often written after the visit: they change with the version named."""
    unknown = sorted(set(fields) - set(INSPECTION_EDITABLE))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    fresh = _locked(Inspection, inspection, _("This inspection has been deleted."), "inspector", "org_unit")
    _allowed(actor, "oversight.change", fresh, _("You may not change the inspections of this unit."))
    version = _version(fresh.lock_version, expected_version)
    merged = {**{name: getattr(fresh, name) for name in INSPECTION_EDITABLE}, **fields}
    errors: dict[str, Any] = {}
    s, e = _inspection_dates(errors, merged["starts_on"], merged["ends_on"])
    values = {
        "starts_on": s, "ends_on": e,
        "findings": _text(errors, "findings", merged["findings"], FINDINGS_MAX, multiline=True),
        "conclusion": _text(errors, "conclusion", merged["conclusion"], CONCLUSION_MAX, multiline=True),
    }
    raise_if(errors)
    changed = {k: v for k, v in values.items() if getattr(fresh, k) != v}
    if changed:
        conditional_update(Inspection, fresh, version, conflict_message(), **changed)
        audit.record("oversight.inspection.update", actor=actor, obj=fresh, org_unit=fresh.inspector,
                     summary={k: v for k, v in changed.items() if k in ("starts_on", "ends_on")}
                     | {"text_changed": sorted(k for k in changed if k in ("findings", "conclusion"))})
    _refresh(inspection, fresh)
    return inspection


@transaction.atomic
def delete_inspection(*, actor: Any, inspection: Inspection, reason: Any) -> Inspection:
    fresh = _locked(Inspection, inspection, _("This inspection has been deleted."), "inspector")
    _allowed(actor, "oversight.delete", fresh, _("You may not delete the inspections of this unit."))
    errors: dict[str, Any] = {}
    text = _text(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    raise_if(errors)
    conditional_update(Inspection, fresh, fresh.lock_version, conflict_message(), deleted_at=timezone.now())
    audit.record("oversight.inspection.delete", actor=actor, obj=fresh, org_unit=fresh.inspector,
                 summary={"reason": text, "org_unit": fresh.org_unit_id, "starts_on": fresh.starts_on})
    _refresh(inspection, fresh)
    return inspection


# --------------------------------------------------------------------------- follow-up actions


@transaction.atomic
def add_action(*, actor: Any, inspection: Inspection, text: Any, owner_unit: Any, due_on: Any) -> FollowUpAction:
    """What the inspection asks a unit to do by a date: the unit inspected (or one below it), or the inspector."""
    fresh = _locked(Inspection, inspection, _("This inspection has been deleted."), "inspector", "org_unit")
    _allowed(actor, "oversight.change", fresh, _("You may not add actions to the inspections of this unit."))
    errors: dict[str, Any] = {}
    body = _text(errors, "text", text, ACTION_MAX, required=True, multiline=True)
    day = _date(errors, "due_on", due_on)
    if not isinstance(owner_unit, OrgUnit) or owner_unit.valid_to is not None:
        errors["owner_unit"] = _("Choose a unit in use.")
    elif owner_unit.pk != fresh.inspector_id and not owner_unit.path.startswith(fresh.org_unit.path):
        errors["owner_unit"] = _("Choose the unit inspected, a unit below it or the inspecting unit.")
    if day is not None and day < fresh.starts_on:
        errors["due_on"] = _("The deadline cannot be before the inspection (%(d)s).") % {"d": fmt_date(fresh.starts_on)}
    raise_if(errors)
    assert day is not None  # noqa: S101 (narrowing: a required date passed the checks)  # nosec B101
    if any(_same_text(t, body) for t in fresh.actions.filter(owner_unit=owner_unit, due_on=day)
           .values_list("text", flat=True)):
        raise ValidationError({"text": _("This action was already recorded for this unit and deadline.")})
    action = FollowUpAction.objects.create(inspection=fresh, text=body, owner_unit=owner_unit, due_on=day)
    audit.record("oversight.action.create", actor=actor, obj=action, org_unit=fresh.inspector,
                 summary={"inspection": fresh.pk, "owner_unit": owner_unit.pk, "due_on": day})
    return action


@transaction.atomic
def complete_action(*, actor: Any, action: FollowUpAction, expected_version: Any, done_on: Any,
                    result: Any) -> FollowUpAction:
    """The owner unit (or the inspector) reports that the action was done, and what came of it."""
    fresh = (FollowUpAction.objects.select_for_update(of=("self",))
             .select_related("inspection__inspector", "inspection__org_unit", "owner_unit")
             .filter(pk=action.pk).first())
    if fresh is None or fresh.inspection.deleted_at is not None:
        raise ValidationError({"__all__": _("This inspection has been deleted.")})
    _allowed(actor, "oversight.report_action", fresh, _("You may not report on this action."))
    version = _version(fresh.lock_version, expected_version)
    errors: dict[str, Any] = {}
    day = _date(errors, "done_on", done_on)
    text = _text(errors, "result", result, RESULT_MAX, required=True, multiline=True)
    _not_future(errors, "done_on", day, _("The date it was done cannot be in the future."))
    if day is not None and "done_on" not in errors and day < fresh.inspection.starts_on:
        errors["done_on"] = _("The date it was done cannot be before the inspection (%(d)s).") % {
            "d": fmt_date(fresh.inspection.starts_on)}
    if fresh.done_on is not None:
        errors["done_on"] = _("This action was already reported as done.")
    raise_if(errors)
    conditional_update(FollowUpAction, fresh, version, conflict_message(), done_on=day, result=text)
    audit.record("oversight.action.complete", actor=actor, obj=fresh, org_unit=fresh.owner_unit,
                 summary={"inspection": fresh.inspection_id, "done_on": day, "late": bool(day and day > fresh.due_on)})
    _refresh(action, fresh)
    return action
