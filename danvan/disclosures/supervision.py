"""The Fatherland Front's supervision and social critique of a government unit: writes and scoped reads.

A supervision belongs to two units (models.FrontSupervision): the Front body that made it, whose
Front supervisors write it, and the unit supervised, whose officials answer it by its deadline (an
answer after the deadline says why: ``boards.clean_response``, the same rule as a board's finding).
Both units, and the units above them, read it; nobody else does.

A Front body supervises its own level of government: the unit supervised is in the subtree of the
Front body's parent (the commune's Front supervises the commune and its villages).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.writes import check_version, conditional_update, fmt_date, raise_if
from danvan.core.writes import user_or_none as _user
from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import SEGMENT
from danvan.orgs.scope import visible_q

from .boards import clean_response, editors_of, field_date, field_text
from .models import FrontSupervision, SupervisionKind

BY_NAME_MAX = 255
SUBJECT_MAX = 255
FINDINGS_MAX = 20_000
RECOMMENDATIONS_MAX = 10_000
REASON_MAX = 1000
EDITABLE = ("by_name", "kind", "subject", "starts_on", "ends_on", "findings", "recommendations",
            "response_due_on", "is_public")


def _conflict() -> str:
    return _("Someone else changed this supervision after you opened it. Nothing was saved: "
             "reload the page and try again.")


def _not_allowed() -> str:
    return _("Only the Front's supervisors may record supervisions and critiques for this unit.")


def supervised_area(front_unit: OrgUnit) -> str:
    """The path a Front body supervises: its parent's subtree (itself when it has no parent)."""
    path = front_unit.path
    return path[:-SEGMENT] if front_unit.parent_id is not None and len(path) > SEGMENT else path


def _clean(errors: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    out["by_name"] = field_text(errors, "by_name", data.get("by_name"), BY_NAME_MAX, required=True)
    kind = data.get("kind")
    if kind not in SupervisionKind.values:
        errors["kind"] = _("Choose supervision or social critique.")
    out["kind"] = kind
    out["subject"] = field_text(errors, "subject", data.get("subject"), SUBJECT_MAX, required=True)
    starts = field_date(errors, "starts_on", data.get("starts_on"))
    ends = field_date(errors, "ends_on", data.get("ends_on"), required=False)
    if starts and ends and ends < starts:
        errors["ends_on"] = _("The supervision cannot end before it starts.")
    out["starts_on"], out["ends_on"] = starts, ends
    out["findings"] = field_text(errors, "findings", data.get("findings"), FINDINGS_MAX, multiline=True)
    out["recommendations"] = field_text(errors, "recommendations", data.get("recommendations"),
                                        RECOMMENDATIONS_MAX, multiline=True)
    due = field_date(errors, "response_due_on", data.get("response_due_on"), required=False)
    if due is not None and starts is not None and due < starts:
        errors["response_due_on"] = _("The deadline cannot be before the supervision starts.")
    out["response_due_on"] = due
    public = data.get("is_public", False)
    if not isinstance(public, bool):
        errors["is_public"] = _("Enter yes or no.")
    out["is_public"] = public
    return out


@transaction.atomic
def record_supervision(*, actor: Any, org_unit: OrgUnit, by_name: str, kind: str, subject: str,
                       starts_on: dt.date, front_unit: OrgUnit | None = None, ends_on: dt.date | None = None,
                       findings: str = "", recommendations: str = "", response_due_on: dt.date | None = None,
                       is_public: bool = False) -> FrontSupervision:
    """Record a supervision or critique of ``org_unit``; its editors are told when a response is due."""
    errors: dict[str, Any] = {}
    if not isinstance(org_unit, OrgUnit) or org_unit.valid_to is not None:
        errors["org_unit"] = _("Choose a current unit.")
    if front_unit is not None and (not isinstance(front_unit, OrgUnit) or front_unit.valid_to is not None):
        errors["front_unit"] = _("Choose a current Front body.")
    raise_if(errors)
    if actor is not None and not actor.has_perm("disclosures.change_supervision", front_unit or org_unit):
        raise PermissionDenied(_not_allowed())
    if front_unit is not None and not org_unit.path.startswith(supervised_area(front_unit)):
        errors["org_unit"] = _("This Front body does not supervise this unit.")
    data = _clean(errors, {"by_name": by_name, "kind": kind, "subject": subject, "starts_on": starts_on,
                           "ends_on": ends_on, "findings": findings, "recommendations": recommendations,
                           "response_due_on": response_due_on, "is_public": is_public})
    raise_if(errors)
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=org_unit.pk).first()  # serialise a double submit
    same_day = FrontSupervision.objects.filter(org_unit=org_unit, starts_on=data["starts_on"], deleted_at__isnull=True)
    if data["subject"].casefold() in {s.casefold() for s in same_day.values_list("subject", flat=True)}:
        raise ValidationError({"subject": _("This supervision is already recorded for this unit and date.")})
    sup = FrontSupervision.objects.create(org_unit=org_unit, front_unit=front_unit, created_by=_user(actor), **data)
    audit.record("disclosures.supervision.record", actor=actor, obj=sup, org_unit=org_unit, summary={
        "kind": sup.kind, "front_unit": getattr(front_unit, "pk", None), "starts_on": sup.starts_on,
        "response_due_on": sup.response_due_on})
    from danvan.notifications.services import notify

    label = SupervisionKind(sup.kind).label
    body = _("Respond by %(date)s.") % {"date": fmt_date(sup.response_due_on)} if sup.response_due_on else ""
    notify(editors_of(org_unit), title=f"{label}: {sup.subject}", body=body,
           url=reverse("disclosures:supervision_detail", args=[sup.pk]), key=f"disclosures.supervision:{sup.pk}")
    return sup


def _lock(sup: FrontSupervision) -> FrontSupervision:
    fresh = (FrontSupervision.objects.select_for_update(of=("self",)).select_related("org_unit", "front_unit")
             .filter(pk=getattr(sup, "pk", 0) or 0, deleted_at__isnull=True).first())
    if fresh is None:
        raise ValidationError({"supervision": _("This supervision no longer exists.")})
    return fresh


def _refresh(caller: FrontSupervision, fresh: FrontSupervision) -> None:
    if caller is not fresh:
        for f in FrontSupervision._meta.concrete_fields:
            setattr(caller, f.attname, getattr(fresh, f.attname))


@transaction.atomic
def update_supervision(*, actor: Any, supervision: FrontSupervision, expected_version: int,
                       **fields: Any) -> FrontSupervision:
    """Correct or complete a supervision (findings come after the visits); the fields not given stay."""
    version = check_version(expected_version)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    fresh = _lock(supervision)
    if actor is not None and not actor.has_perm("disclosures.change_supervision", fresh):
        raise PermissionDenied(_not_allowed())
    if fresh.lock_version != version:
        raise ConcurrentEditError(_conflict())
    errors: dict[str, Any] = {}
    data = _clean(errors, {name: fields.get(name, getattr(fresh, name)) for name in EDITABLE})
    if fresh.responded_on is not None and data["starts_on"] and data["starts_on"] > fresh.responded_on:
        errors["starts_on"] = _("The unit already responded on %(date)s: the supervision cannot start after.") % {
            "date": fmt_date(fresh.responded_on)}
    raise_if(errors)
    changed = sorted(k for k, v in data.items() if getattr(fresh, k) != v)
    conditional_update(FrontSupervision, fresh, version, _conflict(), **data)
    audit.record("disclosures.supervision.update", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"changed": changed})
    _refresh(supervision, fresh)
    return fresh


@transaction.atomic
def respond_to_supervision(*, actor: Any, supervision: FrontSupervision, expected_version: int, response: str,
                           responded_on: dt.date, late_reason: str = "") -> FrontSupervision:
    """The supervised unit's answer (again to correct it); after the deadline it must say why."""
    version = check_version(expected_version)
    fresh = _lock(supervision)
    if actor is not None and not actor.has_perm("disclosures.respond", fresh):
        raise PermissionDenied(_("You are not allowed to answer this supervision."))
    if fresh.lock_version != version:
        raise ConcurrentEditError(_conflict())
    errors: dict[str, Any] = {}
    answer, day, reason = clean_response(errors, response=response, responded_on=responded_on,
                                         late_reason=late_reason, starts_on=fresh.starts_on,
                                         response_due_on=fresh.response_due_on, today=timezone.localdate())
    raise_if(errors)
    conditional_update(FrontSupervision, fresh, version, _conflict(), response=answer, responded_on=day,
                       late_reason=reason, responded_by=_user(actor))
    audit.record("disclosures.supervision.respond", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"responded_on": day, "late": bool(fresh.response_due_on and day
                                                            and day > fresh.response_due_on)})
    _refresh(supervision, fresh)
    return fresh


@transaction.atomic
def delete_supervision(*, actor: Any, supervision: FrontSupervision, reason: str) -> None:
    """Remove a supervision entered by mistake; the audit keeps who and why."""
    fresh = _lock(supervision)
    if actor is not None and not actor.has_perm("disclosures.change_supervision", fresh):
        raise PermissionDenied(_not_allowed())
    errors: dict[str, Any] = {}
    reason = field_text(errors, "reason", reason, REASON_MAX, required=True)
    raise_if(errors)
    conditional_update(FrontSupervision, fresh, fresh.lock_version, _conflict(), deleted_at=timezone.now())
    audit.record("disclosures.supervision.delete", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"reason": reason})
    _refresh(supervision, fresh)


# --------------------------------------------------------------------------- reads


def supervisions_for(user: Any) -> QuerySet[FrontSupervision]:
    """What the user sees: supervisions of a unit in their scope, or made by a Front body in their scope."""
    qs = FrontSupervision.objects.filter(deleted_at__isnull=True)
    by_unit = visible_q(user, prefix="org_unit__")
    if by_unit is None:
        return qs
    return qs.filter(by_unit | cast(Q, visible_q(user, prefix="front_unit__")))


def overdue_supervisions(today: dt.date | None = None) -> QuerySet[FrontSupervision]:
    """Supervisions whose response deadline passed without a response."""
    today = today or timezone.localdate()
    return FrontSupervision.objects.filter(deleted_at__isnull=True, response_due_on__lt=today,
                                           responded_on__isnull=True)
