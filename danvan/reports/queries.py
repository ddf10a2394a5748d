"""Scoped reads of regimes and reports, with the joins a list needs (no query per row).

Visibility follows rules.py: a regime is read by its owner's staff and by every unit inside its
reporting scope; a report by the staff of the reporting unit and of every level above it; a
report waits for review by the editors of the nearest administrative unit above the reporter.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_paths
from danvan.orgs.scope import scope_of, subtree_q, visible_q

from .models import (
    EDITABLE_STATUSES,
    PeriodStatus,
    RegimeStatus,
    ReportingRegime,
    Submission,
    SubmissionStatus,
)
from .rules import EDITORS


def _submissions() -> QuerySet[Submission]:
    return Submission.objects.filter(period__regime__deleted_at__isnull=True).select_related(
        "org_unit__kind", "anchor", "period__regime__owner", "period__regime__form", "submitted_by", "reviewed_by",
    )


def visible_regimes(user: Any) -> QuerySet[ReportingRegime]:
    """Regimes the user reads: owned by a unit of their subtree, or whose scope holds one of their units."""
    qs = ReportingRegime.objects.alive().select_related("owner", "scope_root", "form", "plan")
    scope = scope_of(user)
    if scope.is_superuser:
        return qs
    if not scope.grants:
        return qs.none()
    above = {p for g in scope.grants for p in ancestor_paths(g.path)}
    q = subtree_q(scope.paths(), "owner__") | subtree_q(scope.paths(), "scope_root__") | Q(scope_root__path__in=above)
    return qs.filter(q)


def visible_submissions(user: Any) -> QuerySet[Submission]:
    """Reports of the user's subtrees (their own units' and those of the units below)."""
    q = visible_q(user, prefix="org_unit__")
    qs = _submissions()
    return qs if q is None else qs.filter(q)


def my_submissions(user: Any) -> QuerySet[Submission]:
    """Reports the user has to fill in now: open periods, not submitted or accepted.

    "Their" reports are those of the units they edit for and of the units anchored at them (a
    commune's villages, a province's departments) — not every report of the subtree, which the
    role also allows editing: a province officer would otherwise see 3,000 communes' reports here
    instead of the province's own; the reports below are theirs to review, on the review list.
    """
    qs = _submissions().filter(
        status__in=EDITABLE_STATUSES, period__status=PeriodStatus.OPEN, period__regime__status=RegimeStatus.ACTIVE,
    ).order_by("period__due_on", "org_unit__path")
    scope = scope_of(user)
    if scope.is_superuser:
        return qs
    units = sorted({g.unit_id for g in scope.grants if g.role in EDITORS})
    if not units:
        return qs.none()
    return qs.filter(Q(org_unit_id__in=units) | Q(anchor_id__in=units))


def submissions_to_review(user: Any) -> QuerySet[Submission]:
    """Submitted reports whose reviewing unit (nearest administrative unit above) the user edits for.

    An editor of an administrative unit reviews the reports strictly below it; an editor of a
    department or a village reviews only below an administrative unit inside their own subtree
    (rare, one small query per such grant).
    """
    qs = _submissions().filter(status=SubmissionStatus.SUBMITTED).order_by("period__due_on", "submitted_at", "pk")
    scope = scope_of(user)
    if scope.is_superuser:
        return qs
    paths = scope.paths(EDITORS)
    if not paths:
        return qs.none()
    admin = dict(OrgUnit.objects.filter(path__in=paths).values_list("path", "kind__is_administrative"))
    q = Q(pk__in=[])
    for path in paths:
        if admin.get(path):
            q |= subtree_q([path], "org_unit__") & ~Q(org_unit__path=path)
        else:
            below = OrgUnit.objects.filter(subtree_q([path]), kind__is_administrative=True).exclude(path=path)
            for inner in below.values_list("path", flat=True):
                q |= subtree_q([inner], "org_unit__") & ~Q(org_unit__path=inner)
    return qs.filter(q)
