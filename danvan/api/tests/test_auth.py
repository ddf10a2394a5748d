"""Who may call the API: tokens (missing, bad, revoked, expired), sessions with CSRF and two-factor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from danvan.accounts.models import ApiToken, User
from danvan.accounts.services import create_api_token, revoke_api_token

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

CSRF = "a" * 32


def test_missing_token_is_401(tree, anon):
    r = anon.get("/units")
    assert r.status_code == 401
    missing = r.json()["detail"]
    r = ApiClient("dvk_nonexistent").get("/units")
    assert r.status_code == 401
    assert r.json()["detail"] != missing  # a bad token says so, not "log in"


@pytest.mark.parametrize(
    "header",
    ["Bearer dvk_unknown", "Bearer ", "Bearer not-even-our-prefix", "Token abc", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 500],
)
def test_unknown_or_malformed_tokens_are_401(tree, header):
    r = ApiClient(client=Client()).get("/me", headers={"Authorization": header})
    assert r.status_code == 401
    assert r.json()["detail"]


def test_revoked_token_is_401_at_once(tree, callers):
    c = callers["commune"]
    assert c.api.get("/me").status_code == 200
    revoke_api_token(actor=c.user, token=ApiToken.objects.get(user=c.user))
    r = c.api.get("/me")
    assert r.status_code == 401
    assert r.json()["detail"] == ApiClient("dvk_unknown").get("/me").json()["detail"]


def test_expired_token_is_401(tree, make_user):
    user = make_user("u", (tree["A1"], "officer"))
    token, secret = create_api_token(user=user, name="ngắn hạn", expires_on=timezone.localdate() + dt.timedelta(days=1))
    api = ApiClient(secret)
    assert api.get("/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))  # time passes
    assert api.get("/me").status_code == 401


def test_token_of_deactivated_user_is_401(tree, callers):
    c = callers["commune"]
    c.user.is_active = False
    c.user.save()
    assert c.api.get("/units").status_code == 401


def test_token_records_last_use(tree, callers):
    c = callers["commune"]
    assert ApiToken.objects.get(user=c.user).last_used_at is None
    c.api.get("/me")
    assert ApiToken.objects.get(user=c.user).last_used_at is not None


def test_bad_token_is_not_rescued_by_a_session(tree, make_user, no_mfa):
    """A system that sends a wrong token must not silently act as the browser's logged-in user."""
    client = Client()
    client.force_login(make_user("u", (tree["A1"], "officer")))
    assert ApiClient(client=client).get("/me").status_code == 200
    assert ApiClient("dvk_wrong", client=client).get("/me").status_code == 401


def test_token_wins_over_session(tree, callers, make_user, no_mfa):
    client = Client()
    client.force_login(make_user("browser", (tree["B1"], "officer")))
    body = ApiClient(callers["commune"].token, client=client).get("/me").json()
    assert body["username"] == "commune"


@pytest.fixture
def session_api(tree, make_user, no_mfa) -> ApiClient:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("browser", (tree["A1"], "officer")))
    return ApiClient(client=client)


def test_session_reads_without_csrf(tree, session_api):
    r = session_api.get("/units")
    assert r.status_code == 200
    assert {u["id"] for u in r.json()["items"]} == {tree["A1"].pk, tree["A1v"].pk}


def test_session_write_without_csrf_is_403_and_creates_nothing(tree, session_api):
    r = session_api.post("/tokens", json={"name": "máy chủ"})
    assert r.status_code == 403
    assert r.json()["detail"]
    assert not ApiToken.objects.exists()
    token, _ = create_api_token(user=User.objects.get(username="browser"), name="cũ")
    assert session_api.delete(f"/tokens/{token.pk}").status_code == 403
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_session_write_with_csrf_works(tree, session_api):
    session_api.client.cookies["csrftoken"] = CSRF
    r = session_api.post("/tokens", json={"name": "máy chủ"}, headers={"X-CSRFToken": CSRF})
    assert r.status_code == 201
    assert r.json()["secret"].startswith("dvk_")


def test_anonymous_write_is_401_not_a_csrf_error(tree):
    api = ApiClient(client=Client(enforce_csrf_checks=True))
    assert api.post("/tokens", json={"name": "x"}).status_code == 401


def test_token_writes_need_no_csrf(tree, callers):
    api = ApiClient(callers["commune"].token, client=Client(enforce_csrf_checks=True))
    assert api.post("/tokens", json={"name": "khác"}).status_code == 201


def test_session_of_staff_role_without_two_factor_is_refused(tree, make_user, settings):
    settings.DANVAN_MFA_REQUIRED_ROLES = ["officer"]
    client = Client()
    client.force_login(make_user("u", (tree["A1"], "officer")))
    r = ApiClient(client=client).get("/units")
    assert r.status_code == 403
    assert r.json()["detail"]
    client2 = Client()
    client2.force_login(make_user("v", (tree["A1"], "viewer")))
    assert ApiClient(client=client2).get("/units").status_code == 200


def test_inactive_session_user_is_401(tree, make_user, no_mfa):
    client = Client()
    user = make_user("u", (tree["A1"], "officer"))
    client.force_login(user)
    user.is_active = False
    user.save()
    assert ApiClient(client=client).get("/me").status_code == 401


@pytest.mark.parametrize(
    ("who", "units"),
    [("commune", ["A1"]), ("sibling", ["A2"]), ("province", ["A"]), ("other", ["B1"]), ("nobody", [])],
)
def test_me_shows_only_the_callers_own_roles(tree, callers, who, units):
    body = callers[who].api.get("/me").json()
    assert body["username"] == who
    assert [m["unit_id"] for m in body["memberships"]] == [tree[k].pk for k in units]
