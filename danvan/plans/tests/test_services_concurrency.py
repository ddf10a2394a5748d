"""Two people at the same moment, on real connections: no shared number, no lost edit.

Threads need a server database; SQLite serialises writers with a file lock, which the other tests
already cover through the conditional UPDATE.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.testing import run_together
from danvan.plans import services
from danvan.plans.models import Plan
from danvan.plans.tests.test_services import make_draft

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections"),
]



def test_simultaneous_issues_get_distinct_numbers(tree: Any) -> None:
    assert connection.vendor == "postgresql"
    drafts = [make_draft(tree["A"], title=f"Kế hoạch {i}") for i in range(4)]
    results = run_together(*[
        (lambda p=p: services.issue_plan(actor=None, plan=p, expected_version=p.lock_version,
                                         issued_on=dt.date(2025, 3, 10)))
        for p in drafts
    ])
    assert all(isinstance(r, Plan) for r in results), results
    assert sorted(n or 0 for n in Plan.objects.values_list("number", flat=True)) == [1, 2, 3, 4]


def test_simultaneous_saves_of_same_form(tree: Any) -> None:
    plan = make_draft(tree["A"])
    version = plan.lock_version
    results = run_together(
        lambda: services.update_plan(actor=None, plan=Plan.objects.get(pk=plan.pk), expected_version=version,
                                     title="Người thứ nhất"),
        lambda: services.update_plan(actor=None, plan=Plan.objects.get(pk=plan.pk), expected_version=version,
                                     title="Người thứ hai"),
    )
    saved = [r for r in results if isinstance(r, Plan)]
    conflicts = [r for r in results if isinstance(r, ConcurrentEditError)]
    assert len(saved) == 1 and len(conflicts) == 1, results
    plan.refresh_from_db()
    assert plan.title == saved[0].title and plan.lock_version == version + 1
