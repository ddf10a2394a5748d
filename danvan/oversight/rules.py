"""Who may do what with dissemination sessions and inspections, as ``rules`` predicates over unit paths.

A dissemination session belongs to the unit that held it. An inspection plan and its inspections
belong to the inspecting unit, which writes them; the unit inspected reads its inspections and
reports on its follow-up actions (``oversight.report_action`` on the action's owner unit).
"""

from __future__ import annotations

from typing import Any

import rules

from danvan.orgs.roles import Role
from danvan.orgs.scope import scope_of

CHANGE_ROLES = frozenset({Role.ADMIN, Role.HEAD, Role.OFFICER})
DELETE_ROLES = frozenset({Role.ADMIN, Role.HEAD})


def _path(unit: Any) -> str:
    return unit.path if unit is not None else ""


def unit_path(obj: Any) -> str:
    """The writing unit: a session's unit, a plan's unit, an inspection's inspector; or an OrgUnit."""
    if obj is None or getattr(obj, "deleted_at", None) is not None:
        return ""
    if hasattr(obj, "inspection_id") and hasattr(obj, "inspection"):
        return unit_path(obj.inspection)
    if hasattr(obj, "inspector_id") and hasattr(obj, "inspector"):
        return _path(obj.inspector)
    if hasattr(obj, "org_unit_id") and hasattr(obj, "org_unit"):
        return _path(obj.org_unit)
    return getattr(obj, "path", "") or ""


def _concerned_paths(obj: Any) -> list[str]:
    paths = [unit_path(obj)]
    if paths[0] and hasattr(obj, "inspector_id") and hasattr(obj, "org_unit"):
        paths.append(_path(obj.org_unit))  # the unit inspected
    if paths[0] and hasattr(obj, "owner_unit"):
        paths.append(_path(obj.owner_unit))
        paths.append(_path(obj.inspection.org_unit))
    return [p for p in paths if p]


@rules.predicate
def views(user: Any, obj: Any) -> bool:
    scope = scope_of(user)
    return any(scope.covers(p) for p in _concerned_paths(obj))


def _predicate(roles: frozenset[str]) -> Any:
    def check(user: Any, obj: Any) -> bool:
        path = unit_path(obj)
        return bool(path) and scope_of(user).covers(path, roles)

    return rules.predicate(check)


changes = _predicate(CHANGE_ROLES)
deletes = _predicate(DELETE_ROLES)


@rules.predicate
def reports_action(user: Any, action: Any) -> bool:
    """The action's owner unit (or the inspecting unit) records that it was done."""
    if action is None or getattr(action.inspection, "deleted_at", None) is not None:
        return False
    scope = scope_of(user)
    return any(scope.covers(p, CHANGE_ROLES) for p in (_path(action.owner_unit), unit_path(action.inspection)) if p)


rules.add_perm("oversight.view", views)
rules.add_perm("oversight.change", changes)
rules.add_perm("oversight.delete", deletes)
rules.add_perm("oversight.report_action", reports_action)

__all__ = ["CHANGE_ROLES", "DELETE_ROLES", "changes", "deletes", "reports_action", "unit_path", "views"]
