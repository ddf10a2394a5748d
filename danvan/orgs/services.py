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


def _check_lengths(**values: str) -> None:
    limits = {"code": 32, "division_type": 50, "phone": 40, "address": 255}
    errors = {
        f: _("This field must be at most %(n)d characters.") % {"n": limits[f]}
        for f, v in values.items()
        if f in limits and v and len(v) > limits[f]
    }
    if errors:
        raise ValidationError(errors)


# Someone else saved the unit after this form was opened; the caller shows both versions.
from danvan.core.exceptions import ConcurrentEditError  # noqa: E402  (re-exported for callers)


def unit_version(unit: OrgUnit) -> str:
    """The token an edit form carries to detect a stale save (the unit's last change, to the microsecond)."""
    return unit.updated_at.isoformat() if unit.updated_at else ""


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
    if actor is not None and kind.is_administrative and not scope_of(actor).is_superuser:
        raise ValidationError(
            {"kind": _("Provinces, districts and communes come from the official list and cannot be created here.")}
        )
    if parent is not None and parent.valid_to is not None and valid_to is None:
        raise ValidationError({"parent": _("A unit cannot be added under a unit that no longer exists.")})
    name, code = clean_text(name), clean_text(code)
    _validate_fields(name, valid_from, valid_to)
    _check_lengths(code=code, division_type=division_type)
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
def update_unit(*, actor: Any, unit: OrgUnit, expected_version: str | None = None, **changes: Any) -> OrgUnit:
    """Change a unit's own fields. ``expected_version`` (from ``unit_version``) refuses a stale save."""
    unit = OrgUnit.objects.select_for_update(no_key=True).get(pk=unit.pk)
    _check_admin(actor, unit)
    if expected_version is not None and expected_version != unit_version(unit):
        raise ConcurrentEditError(
            _("Someone else changed this unit after you opened the form. Your changes were not saved: "
              "review the current values and save again.")
        )
    before = {f: getattr(unit, f) for f in UPDATABLE}
    for f, v in changes.items():
        if f not in UPDATABLE:
            raise ValueError(f"field {f} cannot be changed here")
        setattr(unit, f, clean_text(v) if isinstance(v, str) else v)
    _validate_fields(unit.name, unit.valid_from, unit.valid_to)
    _check_lengths(**{f: getattr(unit, f) for f in ("code", "division_type", "phone", "address")})
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
    unit = OrgUnit.objects.select_for_update(no_key=True).get(pk=unit.pk)
    new_parent = OrgUnit.objects.get(pk=new_parent.pk)
    _check_admin(actor, unit)
    _check_admin(actor, new_parent)
    if new_parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("A unit cannot be placed under itself or one of its own sub-units.")})
    if new_parent.valid_to is not None and unit.valid_to is None:
        raise ValidationError({"parent": _("A unit cannot be added under a unit that no longer exists.")})
    if new_parent.pk == unit.parent_id:
        raise ValidationError({"parent": _("The unit is already under this unit.")})
    old_parent_id = unit.parent_id
    old_prefix = unit.path
    new_prefix = new_parent.path + segment(unit.pk)
    OrgUnit.objects.subtree_of(unit).update(
        path=Concat(Value(new_prefix), Substr(F("path"), len(old_prefix) + 1))
    )
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()
    audit.record(
        "orgs.unit.move", actor=actor, obj=unit, org_unit=unit,
        summary={"from_parent": old_parent_id, "to_parent": new_parent.pk},
    )
    forget_scope(actor)
    return unit


@transaction.atomic
def close_unit(
    *, actor: Any, unit: OrgUnit, last_day: dt.date, successors: list[OrgUnit], note: str = ""
) -> OrgUnit:
    """Close a unit on its last day (a merger, an abolition) and link it to the units that took over."""
    unit = OrgUnit.objects.select_for_update(no_key=True).get(pk=unit.pk)
    _check_admin(actor, unit)
    if unit.valid_from and last_day < unit.valid_from:
        raise ValidationError({"valid_to": _("The end date must not be before the start date.")})
    if unit.valid_to is not None:
        raise ValidationError({"valid_to": _("This unit is already closed.")})
    if last_day > timezone.localdate():
        raise ValidationError({"valid_to": _("The last day cannot be in the future; close the unit once it has ended.")})
    if any(s.pk == unit.pk for s in successors):
        raise ValidationError({"successors": _("A unit cannot succeed itself.")})
    if any(s.path.startswith(unit.path) for s in successors):
        raise ValidationError({"successors": _("A successor cannot be one of the closed unit's own sub-units.")})
    if any(s.valid_to is not None for s in successors):
        raise ValidationError({"successors": _("A successor must be a unit that still exists.")})
    if actor is not None and not all(scope_of(actor).covers(s.path) for s in successors):
        raise PermissionDenied(_("You can only name successors inside the part of the tree you can see."))
    open_children = unit.children.filter(valid_to__isnull=True).count()
    if open_children:
        raise ValidationError(
            {"valid_to": _("This unit still has %(n)d current sub-units: move or close them first.") % {"n": open_children}}
        )
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
    if actor is not None and m.user_id == actor.pk and m.role == Role.ADMIN and not scope_of(actor).is_superuser:
        raise ValidationError({"role": _("You cannot revoke your own administrator role; ask another administrator.")})
    if m.revoked_at is None:
        m.revoked_at = timezone.now()
        m.save(update_fields=["revoked_at", "updated_at"])
        audit.record(
            "orgs.membership.revoke", actor=actor, obj=m, org_unit=m.org_unit,
            summary={"user": m.user.get_username(), "role": m.role},
        )
    forget_scope(m.user)
    return m


@transaction.atomic
def create_official(
    actor: Any, unit: OrgUnit, username: str, full_name: str, email: str, password: str, role: str
) -> Any:
    """An administrator opens an account for a new official of their unit and grants the first role.

    The password is a temporary one that the administrator hands over; it must pass the same
    validators as any other password.
    """
    from django.contrib.auth.password_validation import validate_password
    from django.core.validators import validate_email

    from danvan.accounts.models import User

    if actor is not None and not scope_of(actor).covers(unit.path, {Role.ADMIN}):
        raise PermissionDenied(_("You can only grant roles inside your own part of the tree."))
    username, full_name, email = clean_text(username), clean_text(full_name), clean_text(email).lower()
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not username:
        add("username", _("The user name is required."))
    elif len(username) > 150:
        add("username", _("The user name must be at most %(max)d characters.") % {"max": 150})
    else:
        try:
            User.username_validator(username)
        except ValidationError:
            add("username", _("The username may contain only letters, digits and @ . + - _ characters."))
        if User.objects.filter(username__iexact=username).exists():
            add("username", _("This user name is already taken."))
    if not full_name:
        add("full_name", _("The full name is required."))
    elif len(full_name) > 150:
        add("full_name", _("The full name must be at most 150 characters."))
    if not email:
        add("email", _("The e-mail address is required."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            add("email", _("Enter a valid e-mail address."))
        else:
            if User.objects.filter(email__iexact=email).exists():
                add("email", _("Another account already uses this e-mail address."))
    if role not in Role.values:
        add("role", _("Unknown role."))
    if not password:
        add("password", _("The temporary password is required."))
    else:
        try:
            validate_password(password, User(username=username, email=email, full_name=full_name))
        except ValidationError as exc:
            errors.setdefault("password", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    user = User.objects.create_user(username=username, email=email, password=password, full_name=full_name)
    audit.record(
        "orgs.official.create", actor=actor, obj=user, org_unit=unit,
        summary={"username": username, "role": role},
    )
    grant_role(actor=actor, user=user, unit=unit, role=role)
    return user
