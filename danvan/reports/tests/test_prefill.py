"""Pre-filling from the plans module, from real Plan rows made through the plans services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danvan.plans import services as plan_services
from danvan.plans.models import Plan
from danvan.reports import prefill, validation
from danvan.reports.models import Indicator, Submission
from danvan.reports.prefill import PROVIDERS, available_sources, prefill_for, register

pytestmark = pytest.mark.django_db

ISSUE_DAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    validation.clear_cache()
    yield
    validation.clear_cache()


@pytest.fixture
def scratch_keys() -> Iterator[list[str]]:
    """Keys a test registers; removed afterwards so that the registry stays as the app left it."""
    keys: list[str] = []
    yield keys
    for key in keys:
        PROVIDERS.pop(key, None)


def make_plan(issuer: Any, year: int = 2026, *, issue_on: dt.date | None = ISSUE_DAY,
              tasks: tuple[Any, ...] = ()) -> Plan:
    plan = plan_services.create_plan(
        actor=None, issuer=issuer, title=f"Kế hoạch thực hiện công tác dân vận chính quyền năm {year}", year=year,
        place="Lai Châu", signer_name="Nguyễn Văn A", signer_position="Chủ tịch", signer_authority="TM.",
    )
    for n, lead in enumerate(tasks, start=1):
        plan.refresh_from_db()
        plan_services.add_task(actor=None, plan=plan, text=f"Nhiệm vụ {n}", lead_unit=lead,
                               expected_version=plan.lock_version)
    if issue_on is not None:
        plan.refresh_from_db()
        plan = plan_services.issue_plan(actor=None, plan=plan, expected_version=plan.lock_version, issued_on=issue_on)
    return plan


def set_status(plan: Plan, index: int, status: str) -> None:
    task = plan.tasks.order_by("order", "pk")[index]
    plan_services.record_task_progress(actor=None, task=task, status=status, progress=100 if status == "done" else 0)


# --------------------------------------------------------------------------- registry


def test_plans_sources_are_registered_and_listed() -> None:
    listed = dict(available_sources())
    for key in ("plans.issued_own_plan", "plans.tasks_led", "plans.tasks_done"):
        assert key in listed and listed[key]
    assert set(listed) == set(PROVIDERS)
    assert [k for k, _label in available_sources()] == sorted(listed)


def test_register_same_function_twice_is_harmless_another_is_refused(scratch_keys: list[str]) -> None:
    scratch_keys.append("test.answer")

    def answer(unit: Any, period: Any) -> int:
        return 42

    register("test.answer", "Answer")(answer)
    register("test.answer", "Answer")(answer)
    assert PROVIDERS["test.answer"].func is answer

    def other(unit: Any, period: Any) -> int:
        return 0

    with pytest.raises(ValueError, match="test.answer"):
        register("test.answer", "Other")(other)
    assert PROVIDERS["test.answer"].func is answer


# --------------------------------------------------------------------------- plans.issued_own_plan


def test_unit_with_an_issued_plan_of_the_year(tree: Any, period: Any) -> None:
    make_plan(tree["A1"])
    assert prefill.issued_own_plan(tree["A1"], period) is True
    assert prefill.issued_own_plan(tree["A2"], period) is False  # a unit without a plan
    assert prefill.issued_own_plan(tree["A"], period) is False  # the parent's own plan is the parent's


def test_draft_and_deleted_plans_do_not_count(tree: Any, period: Any) -> None:
    make_plan(tree["A2"], issue_on=None)
    assert prefill.issued_own_plan(tree["A2"], period) is False
    issued = make_plan(tree["A1"])
    Plan.objects.filter(pk=issued.pk).update(deleted_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    assert prefill.issued_own_plan(tree["A1"], period) is False


def test_closed_plan_still_counts(tree: Any, period: Any) -> None:
    plan = make_plan(tree["A1"])
    plan_services.close_plan(actor=None, plan=plan)
    assert prefill.issued_own_plan(tree["A1"], period) is True


def test_plan_of_another_year_counts_only_if_issued_within_the_cutoff(tree: Any, period: Any) -> None:
    # Period data runs 15/12/2025 – 31/05/2026.
    make_plan(tree["A1"], year=2025, issue_on=dt.date(2025, 3, 10))
    assert prefill.issued_own_plan(tree["A1"], period) is False
    make_plan(tree["A2"], year=2025, issue_on=dt.date(2025, 12, 20))
    assert prefill.issued_own_plan(tree["A2"], period) is True


# --------------------------------------------------------------------------- tasks


def test_tasks_led_and_done(tree: Any, period: Any) -> None:
    plan = make_plan(tree["A"], tasks=(tree["A1"], tree["A1"], tree["A1"], tree["A2"]))
    set_status(plan, 0, "done")
    set_status(plan, 1, "cancelled")
    set_status(plan, 3, "done")
    make_plan(tree["A"], issue_on=None, tasks=(tree["A1"],))  # a draft: not assigned yet
    make_plan(tree["A"], year=2025, issue_on=dt.date(2025, 2, 1), tasks=(tree["A1"],))  # last year's plan
    assert prefill.tasks_led(tree["A1"], period) == 2  # the cancelled one is not to be done
    assert prefill.tasks_done(tree["A1"], period) == 1
    assert prefill.tasks_led(tree["A2"], period) == 1 and prefill.tasks_done(tree["A2"], period) == 1
    assert prefill.tasks_led(tree["Adep"], period) == 0


def test_issued_amendment_does_not_double_count_tasks(tree: Any, period: Any) -> None:
    plan = make_plan(tree["A"], tasks=(tree["A1"], tree["A1"]))
    amendment = plan_services.amend_plan(actor=None, plan=plan)
    assert prefill.tasks_led(tree["A1"], period) == 2  # a draft amendment changes nothing yet
    amendment.refresh_from_db()
    plan_services.issue_plan(actor=None, plan=amendment, expected_version=amendment.lock_version,
                             issued_on=dt.date(2026, 4, 1))
    assert Plan.objects.filter(status="issued", issuer=tree["A"]).count() == 2
    assert prefill.tasks_led(tree["A1"], period) == 2


# --------------------------------------------------------------------------- prefill_for


def add_indicator(form: Any, code: str, source: str, value_type: str = "count", order: int = 50) -> None:
    Indicator.objects.create(form=form, code=code, name=code, value_type=value_type, prefill_source=source,
                             order=order)


def test_prefill_for_a_submission(tree: Any, period: Any, small_form: Any) -> None:
    add_indicator(small_form, "tasks", "plans.tasks_led", order=51)
    add_indicator(small_form, "tasks_done", "plans.tasks_done", order=52)
    add_indicator(small_form, "petitions_future", "petitions.not_built_yet", order=53)
    make_plan(tree["A1"])
    make_plan(tree["A"], tasks=(tree["A1"],))
    a1 = Submission.objects.get(period=period, org_unit=tree["A1"])
    a2 = Submission.objects.get(period=period, org_unit=tree["A2"])
    assert prefill_for(a1) == {"own_plan": True, "tasks": 1, "tasks_done": 0}
    # No plan is a real "no", not a missing figure; the source nobody provides is left out, not zero.
    assert prefill_for(a2) == {"own_plan": False, "tasks": 0, "tasks_done": 0}


def test_prefill_for_is_a_few_queries(tree: Any, period: Any) -> None:
    sub = Submission.objects.select_related("period__regime__form", "org_unit").get(period=period, org_unit=tree["A1"])
    with CaptureQueriesContext(connection) as ctx:
        assert prefill_for(sub) == {"own_plan": False}
    assert len(ctx) <= 4


def test_value_a_provider_gets_wrong_is_not_prefilled(
    tree: Any, period: Any, small_form: Any, scratch_keys: list[str],
) -> None:
    scratch_keys.extend(["test.bad_count", "test.nothing", "test.shared"])
    calls: list[int] = []
    register("test.bad_count", "Bad")(lambda unit, period: "nhiều")
    register("test.nothing", "Nothing")(lambda unit, period: None)

    def shared(unit: Any, period: Any) -> int:
        calls.append(1)
        return 7

    register("test.shared", "Shared")(shared)
    add_indicator(small_form, "bad", "test.bad_count", order=51)
    add_indicator(small_form, "nothing", "test.nothing", order=52)
    add_indicator(small_form, "shared_1", "test.shared", order=53)
    add_indicator(small_form, "shared_2", "test.shared", value_type="money", order=54)
    sub = Submission.objects.get(period=period, org_unit=tree["A2"])
    assert prefill_for(sub) == {"own_plan": False, "shared_1": 7, "shared_2": 7}
    assert len(calls) == 1  # one call per source per report
