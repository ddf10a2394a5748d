"""Every write of the "Dân vận khéo" registry: register, edit, follow (updates and reviews), stop, delete.

One transaction and one audit event each. A unit registers a practice of a given name once a year:
``name_key`` (the name without marks or case) is checked here and by the database's unique index, so
a double submit or a retyped name gets an error on ``name``, never a second row. Two officials editing
one practice: the second gets ``ConcurrentEditError`` and nothing of the first is overwritten.

The status follows the updates: the first progress update starts the practice, an interim review
and a final review mark it reviewed; after the final review only the council's evaluation is left;
a stopped practice takes nothing more. ``actor=None`` is the system (demo, commands).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
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
from danvan.plans.models import Target

from . import attachments
from .models import Practice, PracticeField, PracticeStatus, PracticeUpdate, RegisteredBy, UpdateKind

NAME_MAX = 255
GOALS_MAX = 10000
PERSON_MAX = 200
PLACE_MAX = 255
UPDATE_MAX = 20000
REASON_MAX = 1000
YEAR_MIN = 2000
EDITABLE = ("name", "field", "goals", "starts_on", "ends_on", "responsible_person", "registered_by", "person_name",
            "place", "target", "ethnic_remote")
# Statuses in which each kind of update is accepted, and the status it leaves.
UPDATE_FLOW: dict[str, tuple[frozenset[str], str | None]] = {
    UpdateKind.PROGRESS: (frozenset({PracticeStatus.REGISTERED, PracticeStatus.IN_PROGRESS,
                                     PracticeStatus.INTERIM_REVIEWED}), PracticeStatus.IN_PROGRESS),
    UpdateKind.INTERIM_REVIEW: (frozenset({PracticeStatus.REGISTERED, PracticeStatus.IN_PROGRESS}),
                                PracticeStatus.INTERIM_REVIEWED),
    UpdateKind.FINAL_REVIEW: (frozenset({PracticeStatus.REGISTERED, PracticeStatus.IN_PROGRESS,
                                         PracticeStatus.INTERIM_REVIEWED}), PracticeStatus.FINAL_REVIEWED),
}


def conflict_message() -> str:
    return _("Someone else changed this practice after you opened it. Nothing was saved: "
             "reload the page and make your change again.")


def duplicate_message() -> str:
    return _("This unit already registered a practice with this name for this year; open it instead of "
             "registering it twice.")


# --------------------------------------------------------------------------- helpers shared by the registry


def allowed(actor: Any, perm: str, obj: Any, message: str) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def date_value(errors: dict[str, Any], name: str, value: Any, *, required: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors[name] = _("Enter a date.")
        return None
    if not is_date(value):
        errors[name] = _("Enter a valid date.")
        return None
    return value  # type: ignore[no-any-return]


def text_value(errors: dict[str, Any], name: str, value: Any, limit: int, *, required: bool = False,
               multiline: bool = False) -> str:
    value, error = clean_field_text(value, limit, required=required, multiline=multiline)
    if error:
        errors[name] = error
    return value


def year_value(errors: dict[str, Any], name: str, value: Any, today: dt.date) -> int:
    if not is_int(value) or not YEAR_MIN <= value <= today.year + 1:
        errors[name] = _("Enter a year from %(a)d to %(b)d.") % {"a": YEAR_MIN, "b": today.year + 1}
        return 0
    return int(value)


def current_unit(value: Any, name: str = "org_unit") -> OrgUnit:
    if not isinstance(value, OrgUnit) or value.valid_to is not None:
        raise ValidationError({name: _("Choose a unit in use.")})
    return value


def live_practice(practice: Practice, *, lock: bool = True) -> Practice:
    """The practice read again (locked FOR UPDATE on PostgreSQL), or an error if it was deleted meanwhile."""
    qs = Practice.objects.select_related("org_unit", "field")
    if lock:
        qs = qs.select_for_update(of=("self",))
    pk = getattr(practice, "pk", None)
    fresh = qs.filter(pk=pk).first() if isinstance(pk, int) else None
    if fresh is None or fresh.deleted_at is not None:
        raise ValidationError({"practice": _("This practice has been deleted.")})
    return fresh


def _refresh(caller: Practice, fresh: Practice) -> None:
    if caller is not fresh:
        for f in Practice._meta.concrete_fields:
            setattr(caller, f.attname, getattr(fresh, f.attname))


def targets_for(org_unit: OrgUnit) -> Any:
    """Targets a unit's practice may serve: those of live plans issued by the unit or a unit above it.

    A plan above the unit counts only once issued (or closed): a province's draft is not for the
    communes to see (plans/rules.py), so its targets must not show in their forms either.
    """
    from danvan.plans.rules import PUBLISHED

    return (Target.objects.filter(Q(plan__issuer_id=org_unit.pk)
                                  | Q(plan__issuer_id__in=org_unit.ancestor_ids, plan__status__in=PUBLISHED),
                                  plan__deleted_at__isnull=True)
            .select_related("plan").order_by("-plan__year", "plan_id", "order", "pk"))


def _validated(values: dict[str, Any], org_unit: OrgUnit, today: dt.date) -> dict[str, Any]:
    """Every field of a practice checked together; all problems at once, each beside its field."""
    errors: dict[str, Any] = {}
    field = values["field"]
    if not isinstance(field, PracticeField) or not field.is_active:
        errors["field"] = _("Choose a field in use.")
    registered_by = values["registered_by"]
    if registered_by not in RegisteredBy.values:
        errors["registered_by"] = _("Choose who registers the practice from the list.")
    out: dict[str, Any] = {
        "name": text_value(errors, "name", values["name"], NAME_MAX, required=True),
        "field": field,
        "goals": text_value(errors, "goals", values["goals"], GOALS_MAX, required=True, multiline=True),
        "starts_on": date_value(errors, "starts_on", values["starts_on"], required=True),
        "ends_on": date_value(errors, "ends_on", values["ends_on"]),
        "responsible_person": text_value(errors, "responsible_person", values["responsible_person"], PERSON_MAX,
                                         required=True),
        "registered_by": registered_by,
        "person_name": text_value(errors, "person_name", values["person_name"], PERSON_MAX),
        "place": text_value(errors, "place", values["place"], PLACE_MAX),
        "target": values["target"],
        "ethnic_remote": values["ethnic_remote"] is True,
    }
    if not isinstance(values["ethnic_remote"], bool):
        errors["ethnic_remote"] = _("Choose yes or no.")
    if registered_by == RegisteredBy.INDIVIDUAL and not out["person_name"] and "person_name" not in errors:
        errors["person_name"] = _("Enter the name of the person who registers the practice.")
    if registered_by == RegisteredBy.COLLECTIVE:
        out["person_name"] = ""
    starts, ends = out["starts_on"], out["ends_on"]
    if starts and ends and ends < starts:
        errors["ends_on"] = _("The practice cannot end before it starts (%(d)s).") % {"d": fmt_date(starts)}
    target = values["target"]
    if target is not None:
        if not isinstance(target, Target):
            errors["target"] = _("Choose a target from the list.")
        elif not targets_for(org_unit).filter(pk=target.pk).exists():
            errors["target"] = _("Choose a target of a plan of this unit or of a unit above it.")
    raise_if(errors)
    out["name_key"] = search_key(out["name"])
    return out


def _check_duplicate(org_unit: OrgUnit, year: int, name_key: str, exclude_pk: int | None = None) -> None:
    qs = Practice.objects.filter(org_unit=org_unit, year=year, name_key=name_key, deleted_at__isnull=True)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationError({"name": duplicate_message()})


def _summary(values: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in values.items() if k not in ("goals", "field", "target", "name_key")}
    if "field" in values:
        out["field"] = getattr(values["field"], "code", None)
    if "target" in values:
        out["target"] = getattr(values["target"], "pk", None)
    return out


# --------------------------------------------------------------------------- practices


@transaction.atomic
def register_practice(*, actor: Any, org_unit: Any, year: Any, name: Any, field: Any, goals: Any, starts_on: Any,
                      responsible_person: Any, registered_by: Any = RegisteredBy.COLLECTIVE, person_name: Any = "",
                      place: Any = "", ends_on: Any = None, target: Any = None, ethnic_remote: Any = False) -> Practice:
    """Register a unit's practice for a year (status "registered")."""
    org_unit = current_unit(org_unit)
    allowed(actor, "practices.change", org_unit, _("You may not register practices for this unit."))
    today = timezone.localdate()
    errors: dict[str, Any] = {}
    year = year_value(errors, "year", year, today)
    try:
        values = _validated({
            "name": name, "field": field, "goals": goals, "starts_on": starts_on, "ends_on": ends_on,
            "responsible_person": responsible_person, "registered_by": registered_by, "person_name": person_name,
            "place": place, "target": target, "ethnic_remote": ethnic_remote,
        }, org_unit, today)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    raise_if(errors)
    # The unit's row serialises two submits of the same form (PostgreSQL; SQLite writes one at a time).
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=org_unit.pk).first()
    _check_duplicate(org_unit, year, values["name_key"])
    try:
        with transaction.atomic():
            practice = Practice.objects.create(org_unit=org_unit, year=year, created_by=user_or_none(actor), **values)
    except IntegrityError as exc:
        raise ValidationError({"name": duplicate_message()}) from exc
    audit.record("practices.practice.register", actor=actor, obj=practice, org_unit=org_unit,
                 summary={"year": year, **_summary(values)})
    return practice


@transaction.atomic
def update_practice(*, actor: Any, practice: Practice, expected_version: Any, **fields: Any) -> Practice:
    """Change any of ``EDITABLE``; the others keep their values. A stopped practice is not edited."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    fresh = live_practice(practice)
    allowed(actor, "practices.change", fresh, _("You may not change the practices of this unit."))
    version = check_version(expected_version)
    if fresh.lock_version != version:
        raise ConcurrentEditError(conflict_message())
    if fresh.status == PracticeStatus.STOPPED:
        raise ValidationError({"status": _("A stopped practice cannot be changed.")})
    current = {name: getattr(fresh, name) for name in EDITABLE}
    values = _validated({**current, **fields}, fresh.org_unit, timezone.localdate())
    _check_duplicate(fresh.org_unit, fresh.year, values["name_key"], exclude_pk=fresh.pk)
    changed = {k: v for k, v in values.items() if getattr(fresh, k) != v}
    if changed:
        try:
            with transaction.atomic():
                conditional_update(Practice, fresh, version, conflict_message(), **changed)
        except IntegrityError as exc:
            raise ValidationError({"name": duplicate_message()}) from exc
        audit.record("practices.practice.update", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                     summary=_summary(changed))
    _refresh(practice, fresh)
    return practice


@transaction.atomic
def add_update(*, actor: Any, practice: Practice, kind: Any, on: Any, text: Any, files: Any = ()) -> PracticeUpdate:
    """Record progress or a review with its evidence ``files``; the status follows (see ``UPDATE_FLOW``).

    A file refused (type, size, disguise) refuses the whole update: nothing is kept.
    """
    fresh = live_practice(practice)
    allowed(actor, "practices.change", fresh, _("You may not follow the practices of this unit."))
    errors: dict[str, Any] = {}
    if kind not in UPDATE_FLOW:
        errors["kind"] = _("Choose the kind of update from the list.")
    day = date_value(errors, "on", on, required=True)
    body = text_value(errors, "text", text, UPDATE_MAX, required=True, multiline=True)
    raise_if(errors)
    assert day is not None  # noqa: S101 (narrowing for the type checker)  # nosec B101
    if day > timezone.localdate():
        errors["on"] = _("The date cannot be in the future.")
    elif day < fresh.starts_on:
        errors["on"] = _("The date cannot be before the practice starts (%(d)s).") % {"d": fmt_date(fresh.starts_on)}
    accepted, next_status = UPDATE_FLOW[kind]
    if fresh.status == PracticeStatus.STOPPED:
        errors["kind"] = _("A stopped practice takes no more updates.")
    elif fresh.status not in accepted:
        errors["kind"] = {
            UpdateKind.INTERIM_REVIEW: _("The interim review was already recorded, or the final review is done."),
            UpdateKind.FINAL_REVIEW: _("The final review was already recorded."),
        }.get(kind, _("After the final review no more progress is recorded."))
    files = list(files or ())
    for file in files:
        try:
            attachments.check_file(file)
        except ValidationError as exc:
            errors["files"] = exc.messages
            break
    raise_if(errors)
    if PracticeUpdate.objects.filter(practice=fresh, kind=kind, on=day, text=body).exists():
        raise ValidationError({"text": _("This update was already recorded.")})
    update = PracticeUpdate.objects.create(practice=fresh, kind=kind, on=day, text=body, actor=user_or_none(actor))
    status = fresh.status
    if next_status and not (kind == UpdateKind.PROGRESS and status == PracticeStatus.INTERIM_REVIEWED):
        status = next_status
    if status != fresh.status:
        Practice.objects.filter(pk=fresh.pk).update(status=status, updated_at=timezone.now())
    audit.record("practices.update.add", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"update": update.pk, "kind": kind, "on": day, "status": status})
    for file in files:
        attachments.add(actor=actor, owner=update, file=file)
    practice.status = status
    return update


@transaction.atomic
def stop_practice(*, actor: Any, practice: Practice, expected_version: Any, reason: Any) -> Practice:
    """Stop following a practice (abandoned, merged into another…); its record stays, it takes no more updates."""
    fresh = live_practice(practice)
    allowed(actor, "practices.change", fresh, _("You may not change the practices of this unit."))
    version = check_version(expected_version)
    if fresh.lock_version != version:
        raise ConcurrentEditError(conflict_message())
    errors: dict[str, Any] = {}
    text = text_value(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    if fresh.status == PracticeStatus.STOPPED:
        errors["status"] = _("This practice was already stopped.")
    raise_if(errors)
    conditional_update(Practice, fresh, version, conflict_message(), status=PracticeStatus.STOPPED)
    audit.record("practices.practice.stop", actor=actor, obj=fresh, org_unit=fresh.org_unit, summary={"reason": text})
    _refresh(practice, fresh)
    return practice


@transaction.atomic
def delete_practice(*, actor: Any, practice: Practice, reason: Any) -> Practice:
    """Remove a practice entered by mistake (soft: the row and the audit trail stay; the name is free again)."""
    fresh = live_practice(practice)
    allowed(actor, "practices.delete", fresh, _("You may not delete the practices of this unit."))
    errors: dict[str, Any] = {}
    text = text_value(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    raise_if(errors)
    conditional_update(Practice, fresh, fresh.lock_version, conflict_message(), deleted_at=timezone.now())
    audit.record("practices.practice.delete", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"reason": text, "name": fresh.name, "year": fresh.year})
    _refresh(practice, fresh)
    return practice
