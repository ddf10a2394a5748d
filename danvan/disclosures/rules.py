"""Who may do what in grassroots democracy, as ``rules`` predicates over the record's unit path.

A role held on a unit holds on its whole subtree (orgs/scope.py): a commune officer records the
decisions of its villages; a province officer may read every commune's disclosures. The object is a
record with an ``org_unit`` (a disclosure, decision, consultation, board, quarterly list), a board's
part (member, work plan, finding: its board's unit), or an ``OrgUnit`` for creating something in it.

The Front's supervision belongs to two units: the Front body (``front_unit``) that writes it and the
unit supervised (``org_unit``) that answers it. Front supervisors write; officials of the unit
supervised respond; both read. A soft-deleted record answers no for everything.
"""

from __future__ import annotations

from typing import Any

import rules

from danvan.orgs.roles import Role
from danvan.orgs.scope import scope_of

CHANGE_ROLES = frozenset({Role.ADMIN, Role.HEAD, Role.OFFICER})
DELETE_ROLES = frozenset({Role.ADMIN, Role.HEAD})
FRONT_ROLES = frozenset({Role.ADMIN, Role.FRONT_SUPERVISOR})


def unit_path(obj: Any) -> str:
    """The path of the unit the object belongs to; "" for nothing or for a deleted record."""
    if obj is None or getattr(obj, "deleted_at", None) is not None:
        return ""
    board = getattr(obj, "board", None)
    if board is not None:
        return unit_path(board)
    if hasattr(obj, "org_unit_id") and hasattr(obj, "org_unit"):
        unit = obj.org_unit
        return unit.path if unit is not None else ""
    return getattr(obj, "path", "") or ""


def _predicate(roles: frozenset[str] | None) -> Any:
    def check(user: Any, obj: Any) -> bool:
        path = unit_path(obj)
        return bool(path) and scope_of(user).covers(path, roles)

    return rules.predicate(check)


def _front_path(obj: Any) -> str:
    if obj is None or getattr(obj, "deleted_at", None) is not None:
        return ""
    front = getattr(obj, "front_unit", None)
    return front.path if front is not None else ""


@rules.predicate
def views_supervision(user: Any, obj: Any) -> bool:
    scope = scope_of(user)
    return any(path and scope.covers(path) for path in (unit_path(obj), _front_path(obj)))


@rules.predicate
def writes_supervision(user: Any, obj: Any) -> bool:
    """A Front supervisor (or an administrator) of the Front body, or of the unit if no body is named.

    For creating, ``obj`` is the unit supervised or the Front body (an OrgUnit).
    """
    scope = scope_of(user)
    path = _front_path(obj) or unit_path(obj)
    return bool(path) and scope.covers(path, FRONT_ROLES)


@rules.predicate
def responds(user: Any, obj: Any) -> bool:
    """Officials of the unit that must answer: a finding's ``addressed_to`` or the unit supervised."""
    if obj is None or getattr(obj, "deleted_at", None) is not None:
        return False
    target = getattr(obj, "addressed_to", None) or getattr(obj, "org_unit", None)
    return target is not None and scope_of(user).covers(target.path, CHANGE_ROLES)


@rules.predicate
def views_addressed(user: Any, obj: Any) -> bool:
    """Officials of the unit a finding is addressed to read it (and its files) to answer it."""
    if obj is None or getattr(obj, "deleted_at", None) is not None:
        return False
    target = getattr(obj, "addressed_to", None)
    return target is not None and scope_of(user).covers(target.path)


views = _predicate(None)
changes = _predicate(CHANGE_ROLES)
deletes = _predicate(DELETE_ROLES)

rules.add_perm("disclosures.view", views)
rules.add_perm("disclosures.change", changes)
rules.add_perm("disclosures.delete", deletes)
rules.add_perm("disclosures.view_supervision", views_supervision)
rules.add_perm("disclosures.change_supervision", writes_supervision)
rules.add_perm("disclosures.respond", responds)
rules.add_perm("disclosures.view_finding", views | views_addressed)

__all__ = ["CHANGE_ROLES", "DELETE_ROLES", "FRONT_ROLES", "changes", "deletes", "responds", "unit_path", "views",
           "views_addressed", "views_supervision", "writes_supervision"]
