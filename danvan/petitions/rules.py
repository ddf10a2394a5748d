"""Who may do what with petitions, as ``rules`` predicates over the handling unit's path.

A role held on a unit holds on its whole subtree (orgs/scope.py). Each workflow action of
``workflow.ACTIONS`` is the permission ``petitions.<action>_petition``, granted to the roles its
row names; the table stays the one source. Predicates read the user's scope (loaded once per
request), so checking every row of a list costs no query. Revealing a whistleblower's identity
is not decided here: it needs an assignment as the case's handler (``CaseHandler``), see
``danvan.petitions.identity``.
"""

from __future__ import annotations

from typing import Any

import rules

from danvan.orgs.roles import Role
from danvan.orgs.scope import scope_of

from .workflow import ACTIONS, ASSIGNABLE_ROLES, INTAKE_ROLES, SIGNING_ROLES

# Who may export a citizen's own data to them (Law 91/2025): the head, or the reception officer who
# verified the citizen in person; an administrator does everything.
SUBJECT_EXPORT_ROLES = frozenset({Role.HEAD, Role.ADMIN, Role.RECEPTION_OFFICER})


def unit_path(petition: Any) -> str:
    unit = getattr(petition, "org_unit", None)
    return unit.path if unit is not None else ""


def _alive(petition: Any) -> bool:
    return petition is not None and getattr(petition, "deleted_at", None) is None


def _covers(user: Any, petition: Any, roles: frozenset[str] | None) -> bool:
    path = unit_path(petition) if _alive(petition) else ""
    return bool(path) and scope_of(user).covers(path, roles)


@rules.predicate
def reads_petition(user: Any, petition: Any) -> bool:
    return _covers(user, petition, None)


@rules.predicate
def receives_for_unit(user: Any, unit: Any) -> bool:
    return unit is not None and bool(unit.path) and scope_of(user).covers(unit.path, INTAKE_ROLES)


@rules.predicate
def assigns_handlers(user: Any, petition: Any) -> bool:
    return _covers(user, petition, SIGNING_ROLES)


def may_be_handler(user: Any, petition: Any) -> bool:
    """A handler must hold a handling role on the case's unit (or above it): never a viewer, never an outsider."""
    path = unit_path(petition)
    return bool(path) and bool(scope_of(user).roles_for(path) & ASSIGNABLE_ROLES)


def _action_predicate(roles: frozenset[str]) -> Any:
    def check(user: Any, petition: Any) -> bool:
        # A destroyed petition is a tombstone (retention.py): no step applies to it any more.
        return getattr(petition, "destroyed_at", None) is None and _covers(user, petition, roles)

    return rules.predicate(check)


ACTION_PREDICATES = {name: _action_predicate(a.roles) for name, a in ACTIONS.items()}


def permission(action: str) -> str:
    return f"petitions.{action}_petition"


def may(user: Any, action: str, petition: Any) -> bool:
    """Whether the user's roles allow ``action`` on this case (the state is the workflow's business)."""
    pred = ACTION_PREDICATES.get(action)
    return pred is not None and bool(pred.test(user, petition))


@rules.predicate
def decides_destruction(user: Any, unit: Any) -> bool:
    """The head or an administrator of the unit (or above) decides the destruction of filed-away petitions."""
    return unit is not None and bool(getattr(unit, "path", "")) and scope_of(user).covers(unit.path, SIGNING_ROLES)


@rules.predicate
def exports_subject_data(user: Any, unit: Any) -> bool:
    return unit is not None and bool(getattr(unit, "path", "")) and scope_of(user).covers(
        unit.path, SUBJECT_EXPORT_ROLES)


rules.add_perm("petitions.view_petition", reads_petition)
rules.add_perm("petitions.destroy_filed_petitions", decides_destruction)
rules.add_perm("petitions.export_subject_data", exports_subject_data)
rules.add_perm("petitions.receive_petition", receives_for_unit)
rules.add_perm("petitions.assign_handler", assigns_handlers)
for _name, _pred in ACTION_PREDICATES.items():
    rules.add_perm(permission(_name), _pred)

__all__ = [
    "ACTION_PREDICATES", "SUBJECT_EXPORT_ROLES", "assigns_handlers", "decides_destruction", "exports_subject_data", "may", "may_be_handler", "permission", "reads_petition",
    "receives_for_unit", "unit_path",
]
