"""The personal API tokens page: create (secret shown once), validation, revoke own only, list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from danvan.accounts import services
from danvan.accounts.models import ApiToken, hash_token

from .helpers import post_login

pytestmark = pytest.mark.django_db

URL = "/account/tokens/"


@pytest.fixture
def logged_in(client, viewer):
    assert post_login(client, "xem.binhlu").status_code == 302
    return client


def create(client, name: str, expires_on: str = ""):
    return client.post(URL, {"name": name, "expires_on": expires_on})


def test_anonymous_is_sent_to_log_in(client, db):
    assert reverse("accounts:tokens") == URL
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_create_shows_the_secret_once_and_stores_only_its_hash(logged_in, viewer):
    expires = (timezone.localdate() + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    response = create(logged_in, "  Hệ thống   một cửa ", expires)
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret.startswith("dvk_")
    assert secret in response.content.decode()
    token = ApiToken.objects.get(user=viewer)
    assert token.name == "Hệ thống một cửa"
    assert token.key_hash == hash_token(secret) and secret not in (token.key_hash, token.prefix)
    assert timezone.localtime(token.expires_at).date() == timezone.localdate() + dt.timedelta(days=30)
    assert services.authenticate_token(secret) == viewer
    again = logged_in.get(URL)
    assert secret not in again.content.decode()
    assert "Hệ thống một cửa" in again.content.decode()


@pytest.mark.parametrize(
    ("name", "expires_on", "field"),
    [
        ("", "", "name"),
        ("   ", "", "name"),
        ("x" * 101, "", "name"),
        ("Hợp lệ", "01/01/2020", "expires_on"),
        ("Hợp lệ", "today", "expires_on"),
        ("Hợp lệ", "31/02/2030", "expires_on"),
        ("Hợp lệ", "không phải ngày", "expires_on"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(logged_in, name, expires_on, field):
    if expires_on == "today":
        expires_on = timezone.localdate().strftime("%d/%m/%Y")
    response = create(logged_in, name, expires_on)
    assert response.status_code == 200
    assert response.context["new_secret"] is None
    assert field in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_duplicate_active_name_is_refused_but_a_revoked_name_can_return(logged_in, viewer):
    create(logged_in, "Cổng dữ liệu")
    response = create(logged_in, "Cổng dữ liệu")
    assert "name" in response.context["form"].errors
    assert ApiToken.objects.filter(user=viewer).count() == 1
    token = ApiToken.objects.get(user=viewer)
    logged_in.post(reverse("accounts:revoke_token", args=[token.pk]))
    response = create(logged_in, "Cổng dữ liệu")
    assert response.context["new_secret"]
    assert ApiToken.objects.filter(user=viewer).count() == 2


def test_same_name_for_another_user_is_fine(logged_in, make_user):
    other = make_user("khac")
    services.create_api_token(user=other, name="Cổng dữ liệu")
    assert create(logged_in, "Cổng dữ liệu").context["new_secret"]


def test_revoke_own_token(logged_in, viewer):
    token, secret = services.create_api_token(user=viewer, name="Báo cáo")
    response = logged_in.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.authenticate_token(secret) is None
    # Revoking twice keeps the first time.
    first = token.revoked_at
    logged_in.post(reverse("accounts:revoke_token", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at == first


def test_another_users_token_is_not_found(logged_in, make_user):
    other = make_user("khac")
    token, secret = services.create_api_token(user=other, name="Của người khác")
    response = logged_in.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert services.authenticate_token(secret) == other
    assert logged_in.post(reverse("accounts:revoke_token", args=[999999])).status_code == 404


def test_revoke_needs_post(logged_in, viewer):
    token, _secret = services.create_api_token(user=viewer, name="Báo cáo")
    assert logged_in.get(reverse("accounts:revoke_token", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_service_refuses_another_users_token(viewer, make_user):
    other = make_user("khac")
    token, _secret = services.create_api_token(user=other, name="Của người khác")
    with pytest.raises(services.PermissionDenied):
        services.revoke_api_token(actor=viewer, token=token)


def test_list_shows_only_own_tokens_with_bounded_queries(logged_in, viewer, make_user):
    other = make_user("khac")
    services.create_api_token(user=other, name="Không phải của tôi")
    for i in range(services.MAX_ACTIVE_TOKENS):
        services.create_api_token(user=viewer, name=f"Token {i}")
    ApiToken.objects.filter(user=viewer, name="Token 3").update(revoked_at=timezone.now())
    ApiToken.objects.filter(user=viewer, name="Token 4").update(expires_at=timezone.now() - dt.timedelta(days=1))
    for i in range(2):
        services.create_api_token(user=viewer, name=f"Mới {i}")
    with CaptureQueriesContext(connection) as ctx:
        response = logged_in.get(URL)
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 12
    tokens = list(response.context["tokens"])
    assert len(tokens) == services.MAX_ACTIVE_TOKENS + 2
    assert {t.user_id for t in tokens} == {viewer.pk}
    body = response.content.decode()
    assert "Không phải của tôi" not in body
    assert body.count('action="/account/tokens/') == services.MAX_ACTIVE_TOKENS  # a revoke button per usable token


def test_too_many_active_tokens(viewer):
    for i in range(services.MAX_ACTIVE_TOKENS):
        services.create_api_token(user=viewer, name=f"T{i}")
    with pytest.raises(services.ValidationError) as exc:
        services.create_api_token(user=viewer, name="Một cái nữa")
    assert "name" in exc.value.message_dict
