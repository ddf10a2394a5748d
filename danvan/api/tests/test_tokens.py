"""/api/v1/tokens: a caller manages only their own tokens; the secret is shown once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from danvan.accounts.models import ApiToken, hash_token
from danvan.accounts.services import MAX_ACTIVE_TOKENS, create_api_token
from danvan.core.models import AuditEvent

from .conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_create_returns_the_secret_once_and_it_works(tree, callers):
    c = callers["commune"]
    r = c.api.post("/tokens", json={"name": "Hệ thống một cửa", "expires_on": str(timezone.localdate() + dt.timedelta(days=30))})
    assert r.status_code == 201
    body = r.json()
    secret = body["secret"]
    assert secret.startswith("dvk_") and body["prefix"] == secret[:8] and body["name"] == "Hệ thống một cửa"
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.user == c.user and stored.key_hash == hash_token(secret) and secret not in stored.key_hash
    assert AuditEvent.objects.filter(action="accounts.token.create", object_id=str(stored.pk)).exists()
    listed = c.api.get("/tokens").json()
    assert "secret" not in listed[0] and listed[0]["id"] == body["id"]  # newest first, no secret
    assert ApiClient(secret).get("/me").json()["username"] == "commune"


def test_list_shows_only_own_working_tokens(tree, callers):
    c, other = callers["commune"], callers["other"]
    old, _ = create_api_token(user=c.user, name="cũ")
    ApiToken.objects.filter(pk=old.pk).update(revoked_at=timezone.now())
    names = [t["name"] for t in c.api.get("/tokens").json()]
    assert names == ["test"]
    assert [t["name"] for t in other.api.get("/tokens").json()] == ["test"]
    assert callers["nobody"].api.get("/tokens").status_code == 200  # no role needed for one's own tokens


def test_revoke_own_token(tree, callers):
    c = callers["commune"]
    extra, secret = create_api_token(user=c.user, name="tạm")
    r = c.api.delete(f"/tokens/{extra.pk}")
    assert r.status_code == 204 and r.content == b""
    assert ApiClient(secret).get("/me").status_code == 401
    assert AuditEvent.objects.filter(action="accounts.token.revoke", object_id=str(extra.pk)).count() == 1
    assert c.api.delete(f"/tokens/{extra.pk}").status_code == 204  # again: nothing changes
    assert AuditEvent.objects.filter(action="accounts.token.revoke", object_id=str(extra.pk)).count() == 1


def test_a_token_can_revoke_itself(tree, callers):
    c = callers["commune"]
    own = ApiToken.objects.get(user=c.user)
    assert c.api.delete(f"/tokens/{own.pk}").status_code == 204
    assert c.api.get("/tokens").status_code == 401


@pytest.mark.parametrize("who", ["sibling", "province", "other", "nobody"])
def test_another_users_token_is_404_and_stays_usable(tree, callers, who):
    victim = ApiToken.objects.get(user=callers["commune"].user)
    r = callers[who].api.delete(f"/tokens/{victim.pk}")
    missing = callers[who].api.delete("/tokens/987654321")
    assert r.status_code == missing.status_code == 404
    assert r.json() == missing.json()
    assert callers["commune"].api.get("/me").status_code == 200
    assert victim.pk not in [t["id"] for t in callers[who].api.get("/tokens").json()]


def test_anonymous_cannot_touch_tokens(tree, callers, anon):
    victim = ApiToken.objects.get(user=callers["commune"].user)
    assert anon.get("/tokens").status_code == 401
    assert anon.post("/tokens", json={"name": "x"}).status_code == 401
    assert anon.delete(f"/tokens/{victim.pk}").status_code == 401
    assert ApiToken.objects.get(pk=victim.pk).revoked_at is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 5}, "name"),
        ({"name": "ok", "expires_on": "31/12/2030"}, "expires_on"),
        ({"name": "ok", "expires_on": "2020-01-01"}, "expires_on"),
        ({"name": "test"}, "name"),  # a working token with this name exists
    ],
)
def test_bad_input_is_422_naming_the_field_and_saves_nothing(tree, callers, payload, field):
    c = callers["commune"]
    before_tokens, before_events = ApiToken.objects.count(), AuditEvent.objects.count()
    r = c.api.post("/tokens", json=payload)
    assert r.status_code == 422, r.content
    assert [e["field"] for e in r.json()["errors"]] == [field]
    assert r.json()["detail"]
    assert ApiToken.objects.count() == before_tokens and AuditEvent.objects.count() == before_events


def test_expiry_today_is_refused(tree, callers):
    r = callers["commune"].api.post("/tokens", json={"name": "ok", "expires_on": str(timezone.localdate())})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "expires_on"


def test_body_that_is_not_json(tree, callers):
    r = callers["commune"].api.post("/tokens", data="{not json", content_type="application/json")
    assert r.status_code == 400
    assert r.json()["detail"]


def test_double_submit_creates_one_token(tree, callers):
    c = callers["commune"]
    assert c.api.post("/tokens", json={"name": "đồng bộ"}).status_code == 201
    assert c.api.post("/tokens", json={"name": "đồng bộ"}).status_code == 422
    assert ApiToken.objects.filter(user=c.user, name="đồng bộ").count() == 1


def test_active_token_limit(tree, callers):
    c = callers["commune"]
    for i in range(MAX_ACTIVE_TOKENS - 1):
        create_api_token(user=c.user, name=f"t{i}")
    r = c.api.post("/tokens", json={"name": "one too many"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"
    assert len(c.api.get("/tokens").json()) == MAX_ACTIVE_TOKENS
