"""Two officers saving the same report at the same moment, on real connections: one wins, the other gets 409.

Threads need a server database; SQLite serialises writers with a file lock, and the sequential
test in test_api_input.py covers the same rule there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from danvan.core.testing import run_together
from danvan.reports.models import Submission, SubmissionRevision

from .test_api import ANSWERS, GOOD, Caller, make_callers, put_values, sub

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections"),
]


@pytest.fixture
def callers(tree: dict[str, Any], make_user: Callable[..., Any]) -> dict[str, Caller]:
    return make_callers(tree, make_user)



def test_simultaneous_saves_from_one_version(period, tree, callers):
    assert connection.vendor == "postgresql"
    s = sub(period, tree["A1"])
    version = s.lock_version

    def save(who: str, sessions: int) -> Any:
        return put_values(callers[who].api, s, {
            "lock_version": version, "values": {**GOOD, "sessions": sessions}, "answers": ANSWERS,
        })

    results = run_together(lambda: save("commune", 7), lambda: save("province_officer", 9))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409], results
    winner = next(r for r in results if r.status_code == 200).json()
    saved = Submission.objects.get(pk=s.pk)
    assert saved.values["sessions"] == winner["values"]["sessions"]
    assert saved.lock_version == winner["lock_version"] == version + 1
    assert SubmissionRevision.objects.filter(submission=s).count() == 1
