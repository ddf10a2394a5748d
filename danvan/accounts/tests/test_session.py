"""Session limits: 30 minutes idle, 12 hours absolute; a forged cookie is simply anonymous."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from danvan.accounts.middleware import SESSION_STARTED

from .helpers import post_login

pytestmark = pytest.mark.django_db


def logged_in(client, login: str = "xem.binhlu"):
    assert post_login(client, login).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    return client.session


def test_settings_are_30_minutes_idle_and_12_hours_absolute():
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is True
    assert django_settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 3600


def test_absolute_lifetime_ends_an_active_session(client, viewer):
    session = logged_in(client)
    assert session[SESSION_STARTED] == pytest.approx(time.time(), abs=60)
    session[SESSION_STARTED] = time.time() - 12 * 3600 - 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    page = client.get(response["Location"])
    assert page.status_code == 200
    with translation.override("vi"):
        expected = gettext("Your session has expired. Please log in again.")
    assert expected in [str(m) for m in page.context["messages"]]
    assert not page.context["user"].is_authenticated
    assert client.get(reverse("home")).status_code == 302


def test_just_under_the_absolute_lifetime_still_works(client, viewer):
    session = logged_in(client)
    session[SESSION_STARTED] = time.time() - 12 * 3600 + 60
    session.save()
    assert client.get(reverse("home")).status_code == 200


def test_idle_session_expires(client, viewer):
    logged_in(client)
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_each_request_pushes_the_idle_limit_back(client, viewer):
    logged_in(client)
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=5))
    assert client.get(reverse("home")).status_code == 200
    expires = Session.objects.get(session_key=key).expire_date
    assert expires - timezone.now() > dt.timedelta(minutes=29)
    assert expires - timezone.now() <= dt.timedelta(minutes=30)


@pytest.mark.parametrize(
    "cookie",
    ["garbage", "x" * 40, "' OR 1=1 --", "0" * 32, ".eJyrVkrOTszJUbJSUE.aBc.dEf", "é" * 10],
)
def test_forged_session_cookie_is_just_anonymous(client, viewer, cookie):
    client.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    page = client.get(reverse("account_login"))
    assert page.status_code == 200
    assert not page.context["user"].is_authenticated
