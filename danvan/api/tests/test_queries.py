"""Pinned query counts: a page costs the same number of queries whatever its size.

With a token: 1 query finds the token and its user, 1 reads the caller's scope, then the
endpoint's own queries. The token's ``last_used_at`` is written at most every five minutes, so
each test warms up once before counting.
"""

from __future__ import annotations

import pytest
from django.test import Client

from danvan.orgs import services

from .conftest import AUTH_QUERIES, ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(tree, kinds):
    for i in range(60):
        services.create_unit(actor=None, kind=kinds["village"], name=f"Thôn {i}", parent=tree["A1"], audit_event=False)
    return tree


@pytest.mark.parametrize("limit", [1, 10, 60])
def test_units_list(many, callers, django_assert_num_queries, limit):
    api = callers["province"].api
    api.get("/units?limit=1")
    with django_assert_num_queries(AUTH_QUERIES + 1):  # token, scope, one page of units with their kinds
        r = api.get(f"/units?limit={limit}")
    assert len(r.json()["items"]) == limit


@pytest.mark.parametrize("limit", [1, 10, 60])
def test_units_list_filtered_under_a_unit(many, callers, django_assert_num_queries, limit):
    api = callers["province"].api
    api.get("/units?limit=1")
    with django_assert_num_queries(AUTH_QUERIES + 2):  # + the `under` unit
        r = api.get(f"/units?under={many['A1'].pk}&q=thon&kind=village&limit={limit}")
    assert len(r.json()["items"]) == limit


@pytest.mark.parametrize("limit", [1, 10, 30])
def test_subtree_pages(many, callers, django_assert_num_queries, limit):
    api = callers["commune"].api
    first = api.get(f"/units/{many['A1'].pk}/subtree?limit={limit}").json()
    with django_assert_num_queries(AUTH_QUERIES + 2):  # token, scope, the unit, one page
        r = api.get(f"/units/{many['A1'].pk}/subtree?limit={limit}&cursor={first['next_cursor']}")
    assert len(r.json()["items"]) == limit


def test_unit_detail(many, callers, django_assert_num_queries):
    api = callers["province"].api
    api.get("/me")
    with django_assert_num_queries(AUTH_QUERIES + 5):  # token, scope, unit, ancestors, successors, predecessors, children
        api.get(f"/units/{many['A1v'].pk}")


@pytest.mark.parametrize("roles", [1, 5])
def test_me(tree, caller, django_assert_num_queries, kinds, roles):
    grants = [(tree["A1"], "officer")] + [
        (services.create_unit(actor=None, kind=kinds["village"], name=f"T{i}", parent=tree["A2"], audit_event=False), "viewer")
        for i in range(roles - 1)
    ]
    api = caller("u", *grants).api
    api.get("/me")
    with django_assert_num_queries(2):  # token, memberships with their units
        body = api.get("/me").json()
    assert len(body["memberships"]) == roles


def test_tokens_list(tree, callers, django_assert_num_queries):
    api = callers["commune"].api
    api.get("/me")
    with django_assert_num_queries(2):
        api.get("/tokens")


def test_session_list_is_bounded_too(many, make_user, no_mfa, django_assert_max_num_queries):
    client = Client()
    client.force_login(make_user("browser", (many["A"], "admin")))
    api = ApiClient(client=client)
    api.get("/units")
    with django_assert_max_num_queries(7):  # session, user, scope, units, session save (savepoint, update, release)
        assert len(api.get("/units?limit=60").json()["items"]) == 60
