"""Who may do what with report forms, regimes and reports, as ``rules`` predicates.

A role held on a unit holds on its whole subtree (orgs/scope.py). A report is filled by the
editors of the reporting unit (a commune officer also fills the reports of the commune's villages),
and reviewed (returned or accepted) by the editors of the *level above*: the nearest administrative
unit strictly above the reporting unit, which for a village is its commune and for a commune or a
department its province. A reviewer never reviews their own unit's report unless they also hold a
role above it. Everyone in the regime's scope reads the regime and its periods.
"""

from __future__ import annotations

from typing import Any

import rules

from danvan.orgs.roles import Role
from danvan.orgs.scope import scope_of

from .models import EDITABLE_STATUSES, FormStatus, PeriodStatus, RegimeStatus, SubmissionStatus
from .tree import reviewer_unit

EDITORS = frozenset({Role.ADMIN, Role.HEAD, Role.OFFICER})
SIGNERS = frozenset({Role.ADMIN, Role.HEAD})


def reviewer_path(submission: Any) -> str:
    """Path of the unit that reviews ``submission``: the nearest administrative strict ancestor.

    The anchor is the reporting unit itself when administrative, else its nearest administrative
    ancestor; so the reviewer is the anchor's parent chain's first administrative unit when the
    reporter is administrative, and the anchor itself otherwise. Falls back to the regime owner.
    """
    unit = reviewer_unit(submission)
    return unit.path if unit is not None else ""


@rules.predicate
def covers_form_owner(user: Any, form: Any) -> bool:
    if form is None:
        return False
    if form.owner_id is None:
        return scope_of(user).is_superuser
    return scope_of(user).covers(form.owner.path, EDITORS)


@rules.predicate
def form_is_draft(user: Any, form: Any) -> bool:
    return form is not None and form.status == FormStatus.DRAFT


@rules.predicate
def reads_regime(user: Any, regime: Any) -> bool:
    """The owner's staff, and every unit inside the reporting scope, read the regime."""
    if regime is None or regime.deleted_at is not None:
        return False
    scope = scope_of(user)
    if scope.covers(regime.owner.path) or scope.covers(regime.scope_root.path):
        return True
    return any(g.path.startswith(regime.scope_root.path) for g in scope.grants)


@rules.predicate
def manages_regime(user: Any, regime: Any) -> bool:
    return (
        regime is not None and regime.deleted_at is None and regime.status == RegimeStatus.ACTIVE
        and scope_of(user).covers(regime.owner.path, EDITORS)
    )


@rules.predicate
def edits_for_unit(user: Any, unit: Any) -> bool:
    return unit is not None and bool(unit.path) and scope_of(user).covers(unit.path, EDITORS)


@rules.predicate
def reads_submission(user: Any, submission: Any) -> bool:
    return submission is not None and scope_of(user).covers(submission.org_unit.path)


@rules.predicate
def fills_submission(user: Any, submission: Any) -> bool:
    return (
        submission is not None
        and submission.status in EDITABLE_STATUSES
        and submission.period.status == PeriodStatus.OPEN
        and scope_of(user).covers(submission.org_unit.path, EDITORS)
    )


@rules.predicate
def reviews_submission(user: Any, submission: Any) -> bool:
    if submission is None or submission.status != SubmissionStatus.SUBMITTED:
        return False
    path = reviewer_path(submission)
    return bool(path) and scope_of(user).covers(path, EDITORS)


@rules.predicate
def reopens_submission(user: Any, submission: Any) -> bool:
    if submission is None or submission.status != SubmissionStatus.ACCEPTED:
        return False
    path = reviewer_path(submission)
    return bool(path) and scope_of(user).covers(path, SIGNERS)


rules.add_perm("reports.view_form", rules.is_authenticated)
rules.add_perm("reports.change_form", covers_form_owner & form_is_draft)
rules.add_perm("reports.publish_form", covers_form_owner & form_is_draft)
rules.add_perm("reports.new_form_version", covers_form_owner)
rules.add_perm("reports.create_form_for_unit", edits_for_unit)
rules.add_perm("reports.create_regime_for_unit", edits_for_unit)
rules.add_perm("reports.view_regime", reads_regime)
rules.add_perm("reports.change_regime", manages_regime)
rules.add_perm("reports.view_submission", reads_submission)
rules.add_perm("reports.fill_submission", fills_submission)
rules.add_perm("reports.review_submission", reviews_submission)
rules.add_perm("reports.reopen_submission", reopens_submission)
rules.add_perm("reports.view_aggregates", rules.is_authenticated)  # narrowed per unit by views: covers the unit
