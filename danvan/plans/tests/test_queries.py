"""Cascade queries: correct figures, and a number of queries that does not grow with tasks or units."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danvan.core.text import search_key
from danvan.orgs.models import OrgKind, OrgUnit
from danvan.orgs.paths import child_path
from danvan.plans import services
from danvan.plans.models import Plan, PlanObligation, PlanStatus, Task
from danvan.plans.queries import coverage_gaps, coverage_matrix, obligation_summary, units_without_plan
from danvan.plans.tests.test_services import issue, make_draft

pytestmark = pytest.mark.django_db


def add_communes(province: OrgUnit, kind: OrgKind, n: int, prefix: str = "Xã Thử") -> list[OrgUnit]:
    """A province with many communes, fast: one bulk insert, one bulk update of the tree paths."""
    units = OrgUnit.objects.bulk_create(
        [OrgUnit(kind=kind, name=f"{prefix} {i:04d}", search_name=search_key(f"{prefix} {i:04d}"), parent=province)
         for i in range(n)]
    )
    if any(u.pk is None for u in units):  # a database that does not return ids from bulk inserts
        units = list(OrgUnit.objects.filter(parent=province, name__startswith=prefix).order_by("pk"))
    for u in units:
        u.path = child_path(province.path, u.pk)
    OrgUnit.objects.bulk_update(units, ["path"], batch_size=500)
    return units


def build_cascade(tree: Any, kinds: Any, n_tasks: int, n_units: int, *, coverage: float = 0.5) -> tuple[Plan, list[Any]]:
    """A province plan with ``n_tasks`` tasks and ``n_units`` obligated communes.

    Every other commune issued a plan derived from it, carrying the first ``coverage`` share of tasks.
    """
    units = add_communes(tree["A"], kinds["commune"], n_units)
    plan = make_draft(tree["A"], requires_subordinate_plans=True, subordinate_due_on=dt.date(2025, 3, 31),
                      subordinate_kinds=[kinds["commune"]])
    Task.objects.bulk_create([Task(plan=plan, text=f"Nhiệm vụ {i}", order=i) for i in range(n_tasks)])
    plan = issue(plan, on=dt.date(2025, 3, 1))
    tasks = list(plan.tasks.order_by("order"))
    covered = tasks[: int(len(tasks) * coverage)]
    for unit in units[::2]:
        derived = Plan.objects.create(issuer=unit, title="Kế hoạch xã", year=2025, parent_plan=plan,
                                      status=PlanStatus.ISSUED, issued_on=dt.date(2025, 3, 20))
        Task.objects.bulk_create([Task(plan=derived, text=t.text, parent_task=t, order=t.order) for t in covered])
        PlanObligation.objects.filter(plan=plan, org_unit=unit).update(fulfilled_by=derived, fulfilled_on=derived.issued_on)
    return plan, units


def test_coverage_matrix_figures(tree: Any, kinds: Any) -> None:
    plan, units = build_cascade(tree, kinds, n_tasks=4, n_units=6)  # tree has A1, A2 too: 8 communes
    matrix = coverage_matrix(plan)
    assert (matrix.units_in_scope, matrix.units_with_plan, matrix.units_without_plan) == (8, 3, 5)
    assert [(r.linked_plans, r.linked_units, r.gaps) for r in matrix.rows] == [(3, 3, 0), (3, 3, 0), (0, 0, 3), (0, 0, 3)]
    assert matrix.next_after is None
    gaps = coverage_gaps(plan, Task.objects.get(pk=matrix.rows[2].task_id))
    assert [g.unit_id for g in gaps.items] == [u.pk for u in units[::2]]
    assert not coverage_gaps(plan, Task.objects.get(pk=matrix.rows[0].task_id)).items
    missing = units_without_plan(plan, limit=3)
    assert len(missing.items) == 3 and missing.next_after
    rest = units_without_plan(plan, after=missing.next_after, limit=3)
    all_missing = {u.unit_id for u in missing.items + rest.items}
    assert all_missing == {tree["A1"].pk, tree["A2"].pk} | {u.pk for u in units[1::2]}


def test_coverage_ignores_drafts_deleted_and_other_plans(tree: Any, kinds: Any) -> None:
    plan, units = build_cascade(tree, kinds, n_tasks=2, n_units=2, coverage=1)
    t0 = plan.tasks.order_by("order").first()
    draft = Plan.objects.create(issuer=units[1], title="Nháp", year=2025, parent_plan=plan)
    Task.objects.create(plan=draft, text="x", parent_task=t0)
    deleted = Plan.objects.create(issuer=tree["A1"], title="Đã xoá", year=2025, parent_plan=plan,
                                  status=PlanStatus.ISSUED, deleted_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    Task.objects.create(plan=deleted, text="x", parent_task=t0)
    matrix = coverage_matrix(plan)
    assert matrix.units_with_plan == 1 and matrix.rows[0].linked_plans == 1


def test_coverage_pagination_keyset(tree: Any, kinds: Any) -> None:
    plan, _units = build_cascade(tree, kinds, n_tasks=5, n_units=2)
    first = coverage_matrix(plan, limit=2)
    second = coverage_matrix(plan, after=first.next_after, limit=2)
    third = coverage_matrix(plan, after=second.next_after, limit=2)
    ids = [r.task_id for r in first.rows + second.rows + third.rows]
    assert ids == list(plan.tasks.order_by("order", "pk").values_list("pk", flat=True))
    assert third.next_after is None


def test_coverage_rows_follow_the_document_not_the_task_numbers(tree: Any, kinds: Any) -> None:
    """Tasks are numbered within their section; the matrix lists them section by section, as printed."""
    from danvan.plans.models import PlanSection

    plan, _units = build_cascade(tree, kinds, n_tasks=0, n_units=1)
    second = PlanSection.objects.create(plan=plan, title="Hai", order=1)
    first = PlanSection.objects.create(plan=plan, title="Một", order=0)
    nested = PlanSection.objects.create(plan=plan, parent=first, title="Một a", order=0)
    made = {}
    for section, names in ((second, ["2.1", "2.2"]), (first, ["1.1", "1.2"]), (nested, ["1a.1"])):
        for i, name in enumerate(names):
            made[name] = Task.objects.create(plan=plan, section=section, text=name, order=i)
    texts = [r.text for r in coverage_matrix(plan).rows]
    assert texts == ["1.1", "1.2", "1a.1", "2.1", "2.2"]
    page1 = coverage_matrix(plan, limit=2)
    page2 = coverage_matrix(plan, after=page1.next_after, limit=2)
    assert [r.text for r in page1.rows + page2.rows] == ["1.1", "1.2", "1a.1", "2.1"]


def _count(fn: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("n_tasks", "n_units"), [(2, 3), (30, 40)])
def test_coverage_and_summary_query_count_constant(
    tree: Any, kinds: Any, n_tasks: int, n_units: int, django_assert_num_queries: Any
) -> None:
    plan, _units = build_cascade(tree, kinds, n_tasks=n_tasks, n_units=n_units)
    with django_assert_num_queries(5):
        matrix = coverage_matrix(plan)
    assert len(matrix.rows) == n_tasks
    with django_assert_num_queries(3):  # the aggregate, then only the non-empty lists (issued on time, overdue)
        summary = obligation_summary(plan, today=dt.date(2025, 4, 1))
    assert summary["counts"]["expected"] == n_units + 2


def test_query_count_does_not_grow(tree: Any, kinds: Any) -> None:
    small, _ = build_cascade(tree, kinds, n_tasks=2, n_units=3)
    small_count = _count(lambda: coverage_matrix(small))
    big, _ = build_cascade(tree, kinds, n_tasks=30, n_units=40)
    assert _count(lambda: coverage_matrix(big)) == small_count


def test_coverage_through_services(tree: Any, kinds: Any) -> None:
    """The same figures when the commune works through the real services."""
    plan = make_draft(tree["A"], requires_subordinate_plans=True, subordinate_due_on=dt.date(2025, 3, 31),
                      subordinate_kinds=[kinds["commune"]])
    services.add_task(actor=None, plan=plan, text="Một")
    services.add_task(actor=None, plan=plan, text="Hai")
    plan = issue(plan)
    derived = services.derive_plan(actor=None, parent_plan=plan, issuer=tree["A1"])
    services.delete_task(actor=None, task=derived.tasks.get(text="Hai"))
    services.update_plan(actor=None, plan=derived, expected_version=Plan.objects.get(pk=derived.pk).lock_version,
                         place="Bình Lư", signer_name="B", signer_position="Chủ tịch")
    issue(derived)
    matrix = coverage_matrix(plan)
    assert (matrix.units_in_scope, matrix.units_with_plan, matrix.units_without_plan) == (2, 1, 1)
    assert [(r.text, r.linked_plans, r.gaps) for r in matrix.rows] == [("Một", 1, 0), ("Hai", 0, 1)]
    assert [u.unit_id for u in units_without_plan(plan).items] == [tree["A2"].pk]
