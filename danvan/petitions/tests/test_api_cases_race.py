"""Two API requests at the same moment on real connections: one petition per idempotency key, one winner per step.

Threads need a server database; SQLite serialises writers, and test_api_cases.py covers the same rules
sequentially there.
"""
# ruff: noqa: F811 - pytest fixtures imported from fixtures_cases are redefined as arguments

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition

from danvan.core.testing import run_together
from danvan.petitions.models import Petition, PetitionEvent

from .fixtures_cases import fields, load_fields, people, receive  # noqa: F401
from .test_api_cases import _body, api

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections"),
]


def test_simultaneous_intake_with_one_key_is_one_petition(tree: Any, people: Any) -> None:
    load_fields()
    client = api(people["reception"])
    body = _body(unit=tree["A1"])

    def send() -> Any:
        return client.post("/petitions", json=body, headers={"Idempotency-Key": "mot-lan-thoi"})

    results = run_together(send, send, send, send)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 200, 200, 201], statuses
    assert len({r.json()["id"] for r in results}) == 1
    assert Petition.objects.count() == 1


def test_two_officers_moving_the_same_case(tree: Any, people: Any) -> None:
    load_fields()
    p = receive(tree["A1"])
    officer, reception = api(people["officer"]), api(people["reception"])

    def move(client: Any) -> Any:
        return client.post(f"/petitions/{p.pk}/transitions", json={
            "action": "classify", "expected_version": p.lock_version, "kind": "complaint", "field": "land",
            "eligible": True, "competence": "own"})

    results = run_together(lambda: move(officer), lambda: move(reception))
    assert sorted(r.status_code for r in results) == [200, 409]
    assert PetitionEvent.objects.filter(petition=p, action="classify").count() == 1
