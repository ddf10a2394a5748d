"""Who may do what with plans, as ``rules`` predicates.

A role held on a unit holds on its whole subtree (see orgs/scope.py), so a province officer may
edit a commune's draft. Issued plans are public to the units below the issuer: a commune reads
the province plan it must implement and derives its own from it, but never sees the province's
drafts, nor anything of another province.
"""

from __future__ import annotations

from typing import Any

import rules

from danvan.orgs.roles import Role
from danvan.orgs.scope import scope_of

from .models import PlanStatus

# Drafting a plan is the work of officers; signing it (issuing, closing) that of the head.
PLAN_EDITORS = frozenset({Role.ADMIN, Role.HEAD, Role.OFFICER})
PLAN_SIGNERS = frozenset({Role.ADMIN, Role.HEAD})
PUBLISHED = frozenset({PlanStatus.ISSUED, PlanStatus.CLOSED})


def _issuer_path(plan: Any) -> str:
    return plan.issuer.path if plan is not None and plan.issuer_id else ""


@rules.predicate
def covers_issuer(user: Any, plan: Any) -> bool:
    path = _issuer_path(plan)
    return bool(path) and plan.deleted_at is None and scope_of(user).covers(path)


@rules.predicate
def below_issuer_of_published(user: Any, plan: Any) -> bool:
    """A unit under the issuer reads the issued plan it has to implement."""
    path = _issuer_path(plan)
    if not path or plan.deleted_at is not None or plan.status not in PUBLISHED:
        return False
    return any(g.path.startswith(path) for g in scope_of(user).grants)


@rules.predicate
def edits_for_issuer(user: Any, plan: Any) -> bool:
    path = _issuer_path(plan)
    return bool(path) and plan.deleted_at is None and scope_of(user).covers(path, PLAN_EDITORS)


@rules.predicate
def signs_for_issuer(user: Any, plan: Any) -> bool:
    path = _issuer_path(plan)
    return bool(path) and plan.deleted_at is None and scope_of(user).covers(path, PLAN_SIGNERS)


@rules.predicate
def is_draft(user: Any, plan: Any) -> bool:
    return plan is not None and plan.deleted_at is None and plan.status == PlanStatus.DRAFT


@rules.predicate
def is_issued(user: Any, plan: Any) -> bool:
    return plan is not None and plan.deleted_at is None and plan.status == PlanStatus.ISSUED


@rules.predicate
def edits_unit(user: Any, unit: Any) -> bool:
    return unit is not None and bool(unit.path) and scope_of(user).covers(unit.path, PLAN_EDITORS)


@rules.predicate
def reports_on_task(user: Any, task: Any) -> bool:
    """Progress is reported by the issuer's editors or by the task's lead unit, while the plan runs."""
    if task is None:
        return False
    plan = task.plan
    if plan.deleted_at is not None or plan.status == PlanStatus.CLOSED:
        return False
    scope = scope_of(user)
    if scope.covers(plan.issuer.path, PLAN_EDITORS):
        return True
    return task.lead_unit_id is not None and scope.covers(task.lead_unit.path, PLAN_EDITORS)


@rules.predicate
def measures_target(user: Any, target: Any) -> bool:
    if target is None:
        return False
    plan = target.plan
    if plan.deleted_at is not None or plan.status == PlanStatus.CLOSED:
        return False
    return scope_of(user).covers(plan.issuer.path, PLAN_EDITORS)


can_view_plan = covers_issuer | below_issuer_of_published

rules.add_perm("plans.view_plan", can_view_plan)
rules.add_perm("plans.view_cascade", covers_issuer)
rules.add_perm("plans.change_plan", edits_for_issuer & is_draft)
rules.add_perm("plans.delete_plan", edits_for_issuer & is_draft)
rules.add_perm("plans.issue_plan", signs_for_issuer & is_draft)
rules.add_perm("plans.close_plan", signs_for_issuer & is_issued)
rules.add_perm("plans.amend_plan", edits_for_issuer & is_issued)
rules.add_perm("plans.derive_plan", can_view_plan & is_issued)
rules.add_perm("plans.create_plan_for_unit", edits_unit)
rules.add_perm("plans.report_progress", reports_on_task)
rules.add_perm("plans.add_evidence", reports_on_task)
rules.add_perm("plans.record_target_value", measures_target)
