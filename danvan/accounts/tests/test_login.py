"""Log-in through allauth: by user name or e-mail, no self sign-up, inactive accounts refused."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from .helpers import PASSWORD, form_errors, post_login

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_login_by_username(client, viewer):
    response = post_login(client, "xem.binhlu")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.context["user"] == viewer


def test_login_by_email_ignores_case(client, viewer):
    response = post_login(client, "XEM.BINHLU@example.vn")
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == viewer


def test_wrong_password_is_refused_with_a_message(client, viewer):
    response = post_login(client, "xem.binhlu", "not-the-password-at-all")
    assert response.status_code == 200
    assert form_errors(response)
    assert client.get(reverse("home")).status_code == 302


def test_unknown_user_gets_the_same_answer_as_wrong_password(client, viewer):
    unknown = post_login(client, "khong.co.ai", PASSWORD)
    wrong = post_login(client, "xem.binhlu", "not-the-password-at-all")
    assert form_errors(unknown) == form_errors(wrong)


def test_inactive_user_cannot_log_in(client, viewer):
    viewer.is_active = False
    viewer.save()
    post_login(client, "xem.binhlu")
    assert client.get(reverse("home")).status_code == 302


def test_empty_form_names_the_fields(client, viewer):
    response = client.post(reverse("account_login"), {"login": "", "password": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"login", "password"}


def test_nobody_can_sign_up(client, db):
    response = client.post(
        reverse("account_signup"),
        {"username": "moi", "email": "moi@example.vn", "password1": "mot-mat-khau-dai-2026", "password2": "mot-mat-khau-dai-2026"},
    )
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert not get_user_model().objects.filter(username="moi").exists()


def test_logout_needs_post(client, viewer):
    post_login(client, "xem.binhlu")
    client.get(reverse("account_logout"))
    assert client.get(reverse("home")).status_code == 200  # a GET (e.g. a link in an e-mail) does not log out
    client.post(reverse("account_logout"))
    assert client.get(reverse("home")).status_code == 302
