"""The overview page, the health check and the shell every page shares (rendered without a browser)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from danvan.orgs.models import Membership

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_and_is_never_cached(client: Any) -> None:
    res = client.get("/healthz")
    assert res.status_code == 200
    assert json.loads(res.content) == {"status": "ok"}
    assert "no-cache" in res["Cache-Control"] or "max-age=0" in res["Cache-Control"]


def test_healthz_only_answers_get(client: Any) -> None:
    assert client.post("/healthz").status_code == 405


def test_home_sends_anonymous_users_to_log_in(client: Any) -> None:
    res = client.get("/")
    assert res.status_code == 302
    assert res["Location"].startswith("/accounts/login/")


def test_home_lists_the_users_own_active_roles_only(client: Any, tree: dict[str, Any], make_user: Any, no_mfa: None,
                                                      django_assert_max_num_queries: Any) -> None:
    me = make_user("toi", (tree["A1"], "viewer"), (tree["B1"], "viewer"))
    make_user("nguoikhac", (tree["A2"], "viewer"))
    Membership.objects.filter(user=me, org_unit=tree["B1"]).update(revoked_at=timezone.now())
    client.force_login(me)
    with django_assert_max_num_queries(12):
        res = client.get("/")
    html = res.content.decode()
    assert res.status_code == 200
    assert "Xã Bình Lư" in html
    assert "Phường Tân Phong" not in html  # another user's unit
    assert "Phường Bắc Kạn" not in html  # revoked
    assert '<html lang="vi">' in html


def test_home_query_count_does_not_grow_with_roles(client: Any, tree: dict[str, Any], make_user: Any, no_mfa: None,
                                                   django_assert_max_num_queries: Any) -> None:
    few = make_user("it", (tree["A1"], "viewer"))
    many = make_user("nhieu", *[(tree[k], "viewer") for k in ("A1", "A2", "Adep", "B1", "A1v")])
    client.force_login(few)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/")
    client.force_login(many)
    with CaptureQueriesContext(connection) as five:
        client.get("/")
    assert len(five) <= len(one)


def test_user_without_roles_is_told_whom_to_ask(client: Any, make_user: Any, no_mfa: None) -> None:
    client.force_login(make_user("moi"))
    html = client.get("/").content.decode()
    assert "data-testid=\"roles\"" not in html
    assert 'id="unit-switch"' not in html


def test_switcher_appears_only_with_more_than_one_unit(client: Any, tree: dict[str, Any], make_user: Any,
                                                       no_mfa: None) -> None:
    client.force_login(make_user("mot", (tree["A1"], "viewer")))
    assert 'id="unit-switch"' not in client.get("/").content.decode()
    client.force_login(make_user("hai", (tree["A1"], "viewer"), (tree["B1"], "viewer")))
    html = client.get("/").content.decode()
    assert 'id="unit-switch"' in html and 'for="unit-switch"' in html


def test_unknown_page_renders_the_site_404(client: Any) -> None:
    res = client.get("/khong-co-trang-nay/")
    assert res.status_code == 404
    html = res.content.decode()
    assert 'class="skip-link"' in html and "<h1>" in html
