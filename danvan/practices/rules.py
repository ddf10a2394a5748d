"""Who may do what with good practices and programmes, as ``rules`` predicates over unit paths.

A role held on a unit holds on its subtree. A practice belongs to its unit: its editors register and
follow it. An evaluation is made by a council of the practice's unit or of a unit above it, so
``practices.evaluate`` is asked of the council's unit (an ``OrgUnit``); the service checks that the
council's unit is on the practice's path. A replication is recorded by the adopting unit; a
commendation by the awarding unit. A soft-deleted record answers no for everything.
"""

from __future__ import annotations

from typing import Any

import rules

from danvan.orgs.roles import Role
from danvan.orgs.scope import scope_of

CHANGE_ROLES = frozenset({Role.ADMIN, Role.HEAD, Role.OFFICER})
DECIDE_ROLES = frozenset({Role.ADMIN, Role.HEAD})


def unit_path(obj: Any) -> str:
    """The path of the record's unit (a practice's, a programme's; a part's parent's), or of an OrgUnit."""
    if obj is None or getattr(obj, "deleted_at", None) is not None:
        return ""
    for parent in ("practice", "programme"):
        if hasattr(obj, f"{parent}_id") and not hasattr(obj, "awarding_unit_id") and hasattr(obj, parent):
            owner = getattr(obj, parent)
            if owner is not None and not hasattr(obj, "org_unit_id"):
                return unit_path(owner)
    if hasattr(obj, "org_unit_id") and hasattr(obj, "org_unit"):
        unit = obj.org_unit
        return unit.path if unit is not None else ""
    return getattr(obj, "path", "") or ""


def _predicate(roles: frozenset[str] | None) -> Any:
    def check(user: Any, obj: Any) -> bool:
        path = unit_path(obj)
        return bool(path) and scope_of(user).covers(path, roles)

    return rules.predicate(check)


views = _predicate(None)
changes = _predicate(CHANGE_ROLES)
decides = _predicate(DECIDE_ROLES)

rules.add_perm("practices.view", views)
rules.add_perm("practices.change", changes)
rules.add_perm("practices.delete", decides)
# Object: the council's OrgUnit (evaluate, recognise) or the awarding OrgUnit (commend).
rules.add_perm("practices.evaluate", changes)
rules.add_perm("practices.commend", decides)
# Object: the adopting OrgUnit.
rules.add_perm("practices.replicate", changes)

__all__ = ["CHANGE_ROLES", "DECIDE_ROLES", "changes", "decides", "unit_path", "views"]
