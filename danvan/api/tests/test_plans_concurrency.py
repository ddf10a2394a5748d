"""Two API requests at the same moment, on real connections: one plan per idempotency key, no lost edit.

Threads need a server database; SQLite serialises writers with a file lock, and the sequential
tests in test_plans_upload.py and test_plans_api.py cover the same rules there.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from danvan.core.testing import run_together
from danvan.plans.models import Plan

from .test_plans_api import make_plan, patch
from .test_plans_upload import seed

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections"),
]



def test_simultaneous_imports_with_one_key_create_one_plan(tree, callers):
    assert connection.vendor == "postgresql"
    cache.clear()
    api = callers["commune"].api
    data = seed("002").read_bytes()

    def send() -> Any:
        return api.post("/plans/import", data={"file": SimpleUploadedFile("k.txt", data), "issuer_id": tree["A1"].pk},
                        headers={"Idempotency-Key": "cung-mot-lan"})

    results = run_together(send, send, send)
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {200, 201, 409}
    assert Plan.objects.count() == 1
    # Once the first has finished, a retry answers with its plan.
    again = send()
    assert again.status_code == 200 and again.json()["id"] == Plan.objects.get().pk
    cache.clear()


def test_two_officers_saving_the_same_draft(tree, callers):
    plan = make_plan(tree["A1"], "Kế hoạch")
    version = plan.lock_version
    results = run_together(
        lambda: patch(callers["commune"].api, f"/plans/{plan.pk}", {"lock_version": version, "title": "Bản của xã"}),
        lambda: patch(callers["province"].api, f"/plans/{plan.pk}", {"lock_version": version, "title": "Bản của tỉnh"}),
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409], statuses
    winner = next(r for r in results if r.status_code == 200).json()
    plan.refresh_from_db()
    assert plan.title == winner["title"] and plan.lock_version == winner["lock_version"]
