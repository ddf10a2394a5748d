"""Reads of plans for a user, and the issuer's view of the cascade.

The cascade views must stay fast for a province with 3,321 communes and a plan of 300 tasks: every
figure is a SQL aggregate (COUNT … FILTER, EXISTS, correlated subqueries), the number of queries
does not grow with tasks or units, and the long lists are keyset-paginated on the unit's tree path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_ids
from danvan.orgs.scope import scope_of, subtree_q

from .models import Plan, PlanObligation, PlanSection, PlanStatus, Task

PUBLISHED = (PlanStatus.ISSUED, PlanStatus.CLOSED)


def plans_visible_to(user: Any) -> QuerySet[Plan]:
    """Plans of the user's subtrees (drafts included), and the issued plans of the units above them.

    Matches ``plans.view_plan``. One query for the user's scope (cached per request), none more.
    """
    scope = scope_of(user)
    alive = Plan.objects.alive()
    if scope.is_superuser:
        return alive
    if not scope.grants:
        return alive.none()
    above = {uid for g in scope.grants for uid in ancestor_ids(g.path)[:-1]}
    q = subtree_q(scope.paths(), prefix="issuer__")
    if above:
        q |= Q(issuer_id__in=sorted(above), status__in=PUBLISHED)
    return alive.filter(q)


# --------------------------------------------------------------------------- obligations


OBLIGATION_STATES = ("issued", "issued_late", "pending", "overdue")


@dataclass(frozen=True)
class ObligationRow:
    obligation_id: int
    unit_id: int
    unit_name: str
    unit_path: str
    due_on: dt.date
    fulfilled_by_id: int | None
    fulfilled_on: dt.date | None

    @property
    def days_late(self) -> int:
        if self.fulfilled_on is None:
            return max(0, (timezone.localdate() - self.due_on).days)
        return max(0, (self.fulfilled_on - self.due_on).days)


@dataclass
class Page:
    items: list[Any] = field(default_factory=list)
    next_after: str | None = None


def _state_q(state: str, today: dt.date) -> Q:
    """Four states that partition the obligations: on time, late, not yet due, overdue."""
    return {
        "issued": Q(fulfilled_by__isnull=False, fulfilled_on__lte=F("due_on")),
        "issued_late": Q(fulfilled_by__isnull=False, fulfilled_on__gt=F("due_on")),
        "pending": Q(fulfilled_by__isnull=True, due_on__gte=today),
        "overdue": Q(fulfilled_by__isnull=True, due_on__lt=today),
    }[state]


def obligations_page(
    plan: Plan, state: str, *, after: str | None = None, limit: int = 50, today: dt.date | None = None
) -> Page:
    """One page of the units in ``state`` (see ``OBLIGATION_STATES``), in tree order; one query."""
    if state not in OBLIGATION_STATES:
        raise ValueError(f"unknown obligation state {state!r}")
    today = today or timezone.localdate()
    qs = PlanObligation.objects.filter(_state_q(state, today), plan=plan)
    if after:
        qs = qs.filter(org_unit__path__gt=after)
    rows = list(
        qs.order_by("org_unit__path").values_list(
            "pk", "org_unit_id", "org_unit__name", "org_unit__path", "due_on", "fulfilled_by_id", "fulfilled_on"
        )[: limit + 1]
    )
    items = [ObligationRow(*r) for r in rows[:limit]]
    return Page(items, items[-1].unit_path if len(rows) > limit and items else None)


def obligation_summary(plan: Plan, *, limit: int = 50, today: dt.date | None = None) -> dict[str, Any]:
    """Who has issued their plan, who is late, who has not yet: counts and the first page of each list.

    ``counts``: ``expected`` (all), ``fulfilled`` (issued on time or late), and the four states
    ``issued`` (on time), ``issued_late``, ``pending`` (not yet due), ``overdue`` (due date passed,
    nothing issued). Each state's first page is under its own key; later pages via ``obligations_page``.
    Five queries whatever the number of units.
    """
    today = today or timezone.localdate()
    counts = PlanObligation.objects.filter(plan=plan).aggregate(
        expected=Count("pk"),
        fulfilled=Count("pk", filter=Q(fulfilled_by__isnull=False)),
        **{state: Count("pk", filter=_state_q(state, today)) for state in OBLIGATION_STATES},
    )
    summary: dict[str, Any] = {"counts": counts, "today": today}
    for state in OBLIGATION_STATES:
        summary[state] = obligations_page(plan, state, limit=limit, today=today) if counts[state] else Page()
    return summary


# --------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class CoverageRow:
    task_id: int
    text: str
    section_id: int | None
    order: int
    linked_plans: int  # subordinate plans with a task linked to this one
    linked_units: int
    gaps: int  # units with a plan that has no task linked to this one


@dataclass
class Coverage:
    units_in_scope: int
    units_with_plan: int
    units_without_plan: int
    rows: list[CoverageRow]
    next_after: str | None


def _subordinate_plans(plan: Plan) -> QuerySet[Plan]:
    return Plan.objects.filter(parent_plan=plan, status__in=PUBLISHED, deleted_at__isnull=True)


def tasks_in_document_order(plan: Plan) -> list[tuple[int, str, int | None, int]]:
    """(pk, text, section id, order) of every task as the document prints them: sections depth first.

    Tasks are numbered within their section, so ordering by ``order`` alone interleaves sections.
    Two queries; a plan has hundreds of tasks at most, so sorting them here is cheap.
    """
    sections = list(PlanSection.objects.filter(plan=plan).values_list("pk", "parent_id", "order"))
    children: dict[int | None, list[tuple[int, int]]] = {}
    known = {pk for pk, _parent, _order in sections}
    for pk, parent, order in sections:
        children.setdefault(parent if parent in known else None, []).append((order, pk))
    rank: dict[int | None, int] = {None: 0}

    def walk(parent: int | None) -> None:
        for _order, pk in sorted(children.get(parent, [])):
            if pk not in rank:
                rank[pk] = len(rank)
                walk(pk)

    walk(None)
    tasks = Task.objects.filter(plan=plan).values_list("pk", "text", "section_id", "order")
    return sorted(tasks, key=lambda t: (rank.get(t[2], 0), t[3], t[0]))


def coverage_matrix(plan: Plan, *, after: str | None = None, limit: int = 50) -> Coverage:
    """For each task of ``plan`` (a page of them): how many subordinate plans carry it, and how many units miss it.

    Units in scope are those with an obligation; for a plan without obligations, those that
    derived a plan from it. Four queries, whatever the numbers of tasks and units. The units
    behind each gap come from ``coverage_gaps`` and ``units_without_plan``.
    """
    subordinate = _subordinate_plans(plan)
    # IN (uncorrelated subquery) is evaluated once; a correlated EXISTS would rescan the derived plans per unit.
    scope = PlanObligation.objects.filter(plan=plan).aggregate(
        total=Count("pk"), without=Count("pk", filter=~Q(org_unit_id__in=subordinate.values("issuer_id"))),
    )
    with_plan = subordinate.aggregate(n=Count("issuer_id", distinct=True))["n"]
    units_in_scope = scope["total"] or with_plan
    without_plan = scope["without"] if scope["total"] else 0

    ordered = tasks_in_document_order(plan)
    start = 0
    if after:
        positions = {row[0]: i for i, row in enumerate(ordered)}
        start = positions.get(int(after), -1) + 1 if after.isdigit() else 0
    page = ordered[start : start + limit + 1]
    ids = [row[0] for row in page[:limit]]
    # One GROUP BY over the linked tasks of this page only (an index range per task id).
    linked = {
        parent: (plans, units)
        for parent, plans, units in Task.objects.filter(
            parent_task_id__in=ids, plan__parent_plan=plan, plan__status__in=PUBLISHED, plan__deleted_at__isnull=True,
        )
        .order_by()
        .values("parent_task_id")
        .annotate(plans=Count("plan_id", distinct=True), units=Count("plan__issuer_id", distinct=True))
        .values_list("parent_task_id", "plans", "units")
    } if ids else {}
    rows = []
    for pk, text, section_id, order in page[:limit]:
        lp, lu = linked.get(pk, (0, 0))
        rows.append(CoverageRow(pk, text, section_id, order, lp, lu, max(0, with_plan - lu)))
    next_after = str(rows[-1].task_id) if len(page) > limit and rows else None
    return Coverage(units_in_scope, with_plan, without_plan, rows, next_after)


@dataclass(frozen=True)
class UnitRef:
    unit_id: int
    name: str
    path: str


def coverage_gaps(plan: Plan, task: Task, *, after: str | None = None, limit: int = 50) -> Page:
    """Units whose subordinate plan has no task linked to ``task``, in tree order; one query."""
    qs = _subordinate_plans(plan).exclude(
        # the unit carries the task (in this plan or another version of it); an uncorrelated IN is
        # evaluated once, where a per-plan EXISTS rescanned the linked tasks for every plan (4 s → 15 ms)
        issuer_id__in=Task.objects.filter(
            parent_task=task, plan__parent_plan=plan, plan__status__in=PUBLISHED, plan__deleted_at__isnull=True
        ).values("plan__issuer_id")
    )
    if after:
        qs = qs.filter(issuer__path__gt=after)
    rows = list(
        qs.order_by("issuer__path").values_list("issuer_id", "issuer__name", "issuer__path").distinct()[: limit + 1]
    )
    items = [UnitRef(*r) for r in rows[:limit]]
    return Page(items, items[-1].path if len(rows) > limit and items else None)


def units_without_plan(plan: Plan, *, after: str | None = None, limit: int = 50) -> Page:
    """Obligated units with no issued plan derived from ``plan``, in tree order; one query."""
    qs = OrgUnit.objects.filter(plan_obligations__plan=plan).exclude(
        pk__in=_subordinate_plans(plan).values("issuer_id")
    )
    if after:
        qs = qs.filter(path__gt=after)
    rows = list(qs.order_by("path").values_list("pk", "name", "path")[: limit + 1])
    items = [UnitRef(*r) for r in rows[:limit]]
    return Page(items, items[-1].path if len(rows) > limit and items else None)
