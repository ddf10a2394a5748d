"""Who may do what with dialogues and commitments, as ``rules`` predicates over unit paths.

A dialogue belongs to its host unit. A commitment belongs to two: the dialogue's unit (which made
the promise and may change what was promised) and the owner unit (which must keep it and reports its
progress). Either reads it. A soft-deleted record answers no for everything.
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


def dialogue_path(obj: Any) -> str:
    """The host unit's path of a dialogue, of a commitment's dialogue, or of an OrgUnit; "" if deleted."""
    if obj is None or getattr(obj, "deleted_at", None) is not None:
        return ""
    if hasattr(obj, "dialogue_id") and hasattr(obj, "dialogue"):
        return dialogue_path(obj.dialogue)
    if hasattr(obj, "org_unit_id") and hasattr(obj, "org_unit"):
        return _path(obj.org_unit)
    return getattr(obj, "path", "") or ""


def _owner_path(obj: Any) -> str:
    if obj is None or getattr(obj, "deleted_at", None) is not None:
        return ""
    return _path(getattr(obj, "owner_unit", None))


def _predicate(roles: frozenset[str] | None, *, owner_too: bool = False) -> Any:
    def check(user: Any, obj: Any) -> bool:
        scope = scope_of(user)
        host = dialogue_path(obj)
        if host and scope.covers(host, roles):
            return True
        owner = _owner_path(obj) if owner_too and host else ""
        return bool(owner) and scope.covers(owner, roles)

    return rules.predicate(check)


views_dialogue = _predicate(None)
changes_dialogue = _predicate(CHANGE_ROLES)
deletes_dialogue = _predicate(DELETE_ROLES)
views_commitment = _predicate(None, owner_too=True)
updates_commitment = _predicate(CHANGE_ROLES, owner_too=True)

rules.add_perm("dialogues.view_dialogue", views_dialogue)
rules.add_perm("dialogues.change_dialogue", changes_dialogue)
rules.add_perm("dialogues.delete_dialogue", deletes_dialogue)
rules.add_perm("dialogues.view_commitment", views_commitment)
rules.add_perm("dialogues.change_commitment", changes_dialogue)
rules.add_perm("dialogues.update_commitment", updates_commitment)

__all__ = ["CHANGE_ROLES", "DELETE_ROLES", "changes_dialogue", "deletes_dialogue", "dialogue_path",
           "updates_commitment", "views_commitment", "views_dialogue"]
