"""Who may do what with units and memberships, as ``rules`` predicates.

A role held on a unit holds on its whole subtree. Predicates read the user's scope, which is
loaded once per request (see scope.py), so checking many objects costs no extra queries.
"""

from __future__ import annotations

from typing import Any

import rules

from .roles import Role
from .scope import scope_of


@rules.predicate
def has_any_membership(user: Any) -> bool:
    return bool(scope_of(user).grants) or scope_of(user).is_superuser


@rules.predicate
def covers_unit(user: Any, unit: Any) -> bool:
    return unit is not None and scope_of(user).covers(unit.path)


@rules.predicate
def administers_unit(user: Any, unit: Any) -> bool:
    return unit is not None and scope_of(user).covers(unit.path, {Role.ADMIN})


@rules.predicate
def administers_membership_unit(user: Any, membership: Any) -> bool:
    return membership is not None and scope_of(user).covers(membership.org_unit.path, {Role.ADMIN})


rules.add_perm("orgs.view_unit", covers_unit)
rules.add_perm("orgs.change_unit", administers_unit)
rules.add_perm("orgs.add_child_unit", administers_unit)
rules.add_perm("orgs.import_units", administers_unit)
rules.add_perm("orgs.grant_role", administers_unit)
rules.add_perm("orgs.revoke_membership", administers_membership_unit)
rules.add_perm("orgs.view_memberships", administers_unit)
rules.add_perm("core.view_audit", administers_unit)
