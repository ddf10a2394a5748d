"""Lock-out after repeated failed log-ins (test settings: 5 failures per 15 minutes per account)."""

from __future__ import annotations

import pytest
from allauth.account.adapter import get_adapter
from django.urls import reverse
from django.utils import translation

from .helpers import form_errors, post_login

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-at-all"


def too_many_message() -> str:
    with translation.override("vi"):
        return str(get_adapter().error_messages["too_many_login_attempts"])


def fail(client, login: str, times: int) -> None:
    for _ in range(times):
        response = post_login(client, login, WRONG)
        assert response.status_code == 200


def test_right_password_is_refused_during_the_lock_out(client, viewer, settings):
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "5/15m/key"
    fail(client, "xem.binhlu", 5)
    response = post_login(client, "xem.binhlu")
    assert response.status_code == 200
    assert form_errors(response) == [too_many_message()]
    assert too_many_message() in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_four_failures_do_not_lock(client, viewer):
    fail(client, "xem.binhlu", 4)
    assert post_login(client, "xem.binhlu").status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_lock_out_is_per_account(client, viewer, make_user, tree):
    make_user("xem.khac", (tree["A2"], "viewer"))
    fail(client, "xem.binhlu", 5)
    assert post_login(client, "xem.khac").status_code == 302
    assert client.get(reverse("home")).context["user"].username == "xem.khac"


def test_lock_out_ends_with_its_window(client, viewer):
    """The counter lives in the shared cache and expires on its own; emptying it stands for 15 minutes passing."""
    from django.core.cache import cache

    fail(client, "xem.binhlu", 5)
    assert post_login(client, "xem.binhlu").status_code == 200
    cache.clear()
    assert post_login(client, "xem.binhlu").status_code == 302


def test_the_lockout_message_is_vietnamese(client, viewer):
    """allauth ships no Vietnamese; danvan.l10n carries its catalogue, so the lock-out reads in Vietnamese."""
    fail(client, "xem.binhlu", 5)
    html = client.post(
        "/accounts/login/", {"login": "xem.binhlu", "password": WRONG}, HTTP_ACCEPT_LANGUAGE="vi"
    ).content.decode()
    assert "Đăng nhập sai quá nhiều lần" in html
