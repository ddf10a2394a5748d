"""The audit log page: administrators see the events of their own subtree, nobody else sees it."""

from __future__ import annotations

import pytest
from django.db import transaction

from danvan.core import audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(tree):
    with transaction.atomic():
        audit.record("test.a1", obj=tree["A1"], org_unit=tree["A1"], summary={"x": 1})
        audit.record("test.b1", obj=tree["B1"], org_unit=tree["B1"], summary={"x": 2})


def test_province_admin_sees_own_province_events_only(client, tree, make_user, events, no_mfa):
    client.force_login(make_user("qtv", (tree["A"], "admin")))
    html = client.get("/audit/").content.decode()
    assert "test.a1" in html
    assert "test.b1" not in html


def test_officer_and_commune_admin_boundaries(client, tree, make_user, events, no_mfa):
    client.force_login(make_user("canbo", (tree["A"], "officer")))
    assert client.get("/audit/").status_code == 403
    client.force_login(make_user("qtvxa", (tree["A2"], "admin")))
    html = client.get("/audit/").content.decode()
    assert "test.a1" not in html  # a sibling commune's events


def test_anonymous_is_sent_to_login(client, events):
    response = client.get("/audit/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_audit_page_query_count_is_bounded(client, tree, make_user, events, no_mfa, django_assert_max_num_queries):
    client.force_login(make_user("qtv", (tree["A"], "admin")))
    with transaction.atomic():
        for i in range(30):
            audit.record(f"test.many{i}", org_unit=tree["A1"])
    with django_assert_max_num_queries(12):
        assert client.get("/audit/").status_code == 200
