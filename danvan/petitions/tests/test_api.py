"""GET /api/v1/petitions/deadlines: the calculator for other systems, checked against the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from danvan.accounts.services import create_api_token
from danvan.api.tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

URL = "/petitions/deadlines"


@pytest.fixture
def official(make_user: Any, tree: dict[str, Any]) -> ApiClient:
    user = make_user("canbo", (tree["A1"], "officer"))
    _, secret = create_api_token(user=user, name="test")
    return ApiClient(secret)


def test_complaint_remote_complex(official: ApiClient) -> None:
    r = official.get(URL, data={"kind": "complaint", "received": "2026-07-10", "accepted": "2026-07-21",
                                "remote": "true", "complex": "true"})
    assert r.status_code == 200
    assert r.json() == {
        "acceptance_due": "2026-07-21", "forward_due": None, "feedback_due": None,
        "resolution_due": "2026-09-21", "rule_version": "2026-07-01",
    }


def test_denunciation_with_extensions(official: ApiClient) -> None:
    r = official.get(URL, data={"kind": "denunciation", "received": "2026-07-10", "accepted": "2026-07-21",
                                "extensions": 1})
    assert r.status_code == 200
    body = r.json()
    assert (body["forward_due"], body["resolution_due"], body["rule_version"]) == (
        "2026-07-17", "2026-09-21", "2019-01-01"
    )


def test_session_user_may_use_it(make_user: Any, no_mfa: None) -> None:
    client = Client()
    client.force_login(make_user("phuong"))
    r = ApiClient(client=client).get(URL, data={"kind": "feedback", "received": "2026-07-10"})
    assert r.status_code == 200 and r.json()["feedback_due"] == "2026-07-24"


def test_anonymous_gets_401() -> None:
    r = ApiClient().get(URL, data={"kind": "complaint", "received": "2026-07-10"})
    assert r.status_code == 401
    assert r["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "denunciation", "received": "2026-07-10", "round": 2}, "round"),
        ({"kind": "complaint", "received": "2026-07-10", "accepted": "2026-07-09"}, "accepted"),
        ({"kind": "complaint", "received": "2099-07-10"}, "received"),
        ({"kind": "denunciation", "received": "2026-07-10", "extensions": 3}, "extensions"),
        ({"kind": "complaint", "received": "2026-07-10", "extensions": 1}, "extensions"),
        ({"kind": "petition", "received": "2026-07-10"}, "kind"),
        ({"kind": "complaint", "received": "10/07/2026"}, "received"),
        ({"kind": "complaint"}, "received"),
        ({"kind": "complaint", "received": "2026-07-10", "round": "x"}, "round"),
        ({"kind": "complaint", "received": "2026-07-10", "round": 3}, "round"),
    ],
)
def test_bad_input_is_422_with_the_field(official: ApiClient, params: dict[str, Any], field: str) -> None:
    r = official.get(URL, data=params)
    assert r.status_code == 422
    assert field in {e["field"] for e in r.json()["errors"]}
    assert all(e["message"] for e in r.json()["errors"])


def test_query_count_is_bounded(official: ApiClient, django_assert_max_num_queries: Any) -> None:
    params = {"kind": "denunciation", "received": "2025-12-30", "accepted": "2025-12-31", "extensions": 2}
    first = official.get(URL, data=params)  # nothing cached: rules (1) and two calendar years
    assert first.status_code == 200 and first.json()["resolution_due"] == "2026-03-31"
    with django_assert_max_num_queries(4):  # the token and its user; rules and calendar from memory
        r = official.get(URL, data=params)
    assert r.status_code == 200
