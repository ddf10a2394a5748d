"""The UI is Vietnamese whatever the browser asks for; English only when the user chooses it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_vietnamese(client):
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in page
    assert "Đăng nhập" in page


def test_the_language_switcher_still_chooses_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'lang="en"' in page


def test_api_errors_are_vietnamese_for_an_english_client(client):
    r = client.get("/api/v1/reports/forms", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 401
    assert "xác thực" in r.json()["detail"]
