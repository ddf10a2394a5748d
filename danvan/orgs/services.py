"""Every write to the tree and to memberships: one transaction, one audit event each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.text import clean_text, search_key

from .models import Membership, OrgKind, OrgUnit, UnitSuccession
from .paths import child_path, segment
from .roles import Role
from .scope import forget_scope, scope_of


def _check_admin(actor: Any, unit: OrgUnit | None) -> None:
    if actor is None:  # system jobs (loaders, demo data) act with no user
        return
    scope = scope_of(actor)
    if unit is None:
        if not scope.is_superuser:
            raise PermissionDenied(_("Only a system administrator can create a top-level unit."))
        return
    if not scope.covers(unit.path, {Role.ADMIN}):
        raise PermissionDenied(_("You can only manage units inside your own part of the tree."))


def _check_code_free(code: str, exclude_pk: int | None = None) -> None:
    if not code:
        return
    qs = OrgUnit.objects.filter(code=code, valid_to__isnull=True)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationError({"code": _("The code %(code)s is already used by another unit.") % {"code": code}})


def _validate_fields(name: str, valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("The name is required.")
    elif len(name) > 255:
        errors["name"] = _("The name must be at most 255 characters.")
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = _("The end date must not be before the start date.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_unit(
    *,
    actor: Any,
    kind: OrgKind,
    name: str,
    parent: OrgUnit | None,
    code: str = "",
    division_type: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    audit_event: bool = True,
    **extra: Any,
) -> OrgUnit:
    _check_admin(actor, parent)
    name, code = clean_text(name), clean_text(code)
    _validate_fields(name, valid_from, valid_to)
    if valid_to is None:
        _check_code_free(code)
    unit = OrgUnit(
        kind=kind, name=name, code=code, division_type=clean_text(division_type), parent=parent,
        valid_from=valid_from, valid_to=valid_to, search_name=search_key(name), **extra,
    )
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        raise ValidationError({"code": _("The code %(code)s is already used by another unit.") % {"code": code}}) from exc
    unit.path = child_path(parent.path if parent else "", unit.pk)
    OrgUnit.objects.filter(pk=unit.pk).update(path=unit.path)
    if audit_event:
        audit.record("orgs.unit.create", actor=actor, obj=unit, org_unit=unit, summary={"name": name, "code": code})
    return unit


UPDATABLE = ("name", "code", "division_type", "valid_from", "valid_to", "email", "phone", "address")


@transaction.atomic
def update_unit(*, actor: Any, unit: OrgUnit, **changes: Any) -> OrgUnit:
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    _check_admin(actor, unit)
    before = {f: getattr(unit, f) for f in UPDATABLE}
    for f, v in changes.items():
        if f not in UPDATABLE:
            raise ValueError(f"field {f} cannot be changed here")
        setattr(unit, f, clean_text(v) if isinstance(v, str) else v)
    _validate_fields(unit.name, unit.valid_from, unit.valid_to)
    if unit.valid_to is None:
        _check_code_free(unit.code, exclude_pk=unit.pk)
    unit.search_name = search_key(unit.name)
    unit.save()
    diff = {f: [before[f], getattr(unit, f)] for f in UPDATABLE if before[f] != getattr(unit, f)}
    audit.record("orgs.unit.update", actor=actor, obj=unit, org_unit=unit, summary=diff)
    return unit


@transaction.atomic
def move_unit(*, actor: Any, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Re-hang a unit and its whole subtree; a unit can never become its own ancestor."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    new_parent = OrgUnit.objects.get(pk=new_parent.pk)
    _check_admin(actor, unit)
    _check_admin(actor, new_parent)
    if new_parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("A unit cannot be placed under itself or one of its own sub-units.")})
    old_prefix = unit.path
    new_prefix = new_parent.path + segment(unit.pk)
    OrgUnit.objects.subtree_of(unit).update(
        path=Concat(Value(new_prefix), Substr(F("path"), len(old_prefix) + 1))
    )
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()
    audit.record(
        "orgs.unit.move", actor=actor, obj=unit, org_unit=unit,
        summary={"from_parent": unit.parent_id, "to_parent": new_parent.pk},
    )
    forget_scope(actor)
    return unit


@transaction.atomic
def close_unit(
    *, actor: Any, unit: OrgUnit, last_day: dt.date, successors: list[OrgUnit], note: str = ""
) -> OrgUnit:
    """Close a unit on its last day (a merger, an abolition) and link it to the units that took over."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    _check_admin(actor, unit)
    if unit.valid_from and last_day < unit.valid_from:
        raise ValidationError({"valid_to": _("The end date must not be before the start date.")})
    if any(s.pk == unit.pk for s in successors):
        raise ValidationError({"successors": _("A unit cannot succeed itself.")})
    unit.valid_to = last_day
    unit.save(update_fields=["valid_to", "updated_at"])
    for s in successors:
        UnitSuccession.objects.get_or_create(
            predecessor=unit, successor=s, defaults={"effective_on": last_day + dt.timedelta(days=1), "note": note}
        )
    audit.record(
        "orgs.unit.close", actor=actor, obj=unit, org_unit=unit,
        summary={"valid_to": last_day, "successors": [s.pk for s in successors]},
    )
    return unit


@transaction.atomic
def grant_role(*, actor: Any, user: Any, unit: OrgUnit, role: str) -> Membership:
    """An administrator grants roles only inside their own subtree; granting twice is refused."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if actor is not None and not scope_of(actor).covers(unit.path, {Role.ADMIN}):
        raise PermissionDenied(_("You can only grant roles inside your own part of the tree."))
    if not unit.is_current():
        raise ValidationError({"org_unit": _("Roles cannot be granted for a unit that no longer exists.")})
    if Membership.objects.active().filter(user=user, org_unit=unit, role=role).exists():
        raise ValidationError({"role": _("This user already has this role for this unit.")})
    m = Membership.objects.create(user=user, org_unit=unit, role=role, granted_by=actor)
    audit.record(
        "orgs.membership.grant", actor=actor, obj=m, org_unit=unit,
        summary={"user": user.get_username(), "role": role},
    )
    forget_scope(user)
    from .tasks import notify_role_granted

    transaction.on_commit(lambda: notify_role_granted.enqueue(m.pk))
    return m


@transaction.atomic
def revoke_membership(*, actor: Any, membership: Membership) -> Membership:
    m = Membership.objects.select_for_update().select_related("org_unit").get(pk=membership.pk)
    if actor is not None and not scope_of(actor).covers(m.org_unit.path, {Role.ADMIN}):
        raise PermissionDenied(_("You can only change roles inside your own part of the tree."))
    if m.revoked_at is None:
        m.revoked_at = timezone.now()
        m.save(update_fields=["revoked_at", "updated_at"])
        audit.record(
            "orgs.membership.revoke", actor=actor, obj=m, org_unit=m.org_unit,
            summary={"user": m.user.get_username(), "role": m.role},
        )
    forget_scope(m.user)
    return m
