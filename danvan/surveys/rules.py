"""Who may do what with surveys, as ``rules`` predicates over the survey's unit path.

A role held on a unit holds on its whole subtree (orgs/scope.py), so a province officer may work
on a commune's survey while a sibling commune's officer may not even see it. The object is a
``Survey`` (or a ``Response``: its ``org_unit``), or an ``OrgUnit`` for desks and for creating a
survey in that unit. A soft-deleted survey answers no for everything. Predicates read the user's
scope (loaded once per request), so checking every row of a list costs no query.
"""

from __future__ import annotations

from typing import Any

import rules

from danvan.orgs.roles import Role
from danvan.orgs.scope import scope_of

CHANGE_ROLES = frozenset({Role.ADMIN, Role.HEAD, Role.OFFICER})
RECORD_ROLES = CHANGE_ROLES | {Role.RECEPTION_OFFICER}
VOID_ROLES = frozenset({Role.ADMIN, Role.HEAD})


def unit_path(obj: Any) -> str:
    """The path of the unit the object belongs to; "" for nothing, or for a deleted survey."""
    if obj is None or getattr(obj, "deleted_at", None) is not None:
        return ""
    if hasattr(obj, "org_unit_id") and hasattr(obj, "org_unit"):
        unit = obj.org_unit
        return unit.path if unit is not None else ""
    return getattr(obj, "path", "") or ""


def _predicate(roles: frozenset[str] | None) -> Any:
    def check(user: Any, obj: Any) -> bool:
        path = unit_path(obj)
        return bool(path) and scope_of(user).covers(path, roles)

    return rules.predicate(check)


views_survey = _predicate(None)
changes_survey = _predicate(CHANGE_ROLES)
records_response = _predicate(RECORD_ROLES)
voids_response = _predicate(VOID_ROLES)

rules.add_perm("surveys.view_survey", views_survey)
rules.add_perm("surveys.change_survey", changes_survey)
rules.add_perm("surveys.record_response", records_response)
rules.add_perm("surveys.view_results", views_survey)
rules.add_perm("surveys.void_response", voids_response)
rules.add_perm("surveys.manage_desks", changes_survey)

__all__ = ["CHANGE_ROLES", "RECORD_ROLES", "VOID_ROLES", "changes_survey", "records_response", "unit_path",
           "views_survey", "voids_response"]
