"""Helpers for the log-in tests: logging in through allauth's real pages and reading TOTP codes."""

from __future__ import annotations

import time
from typing import Any

from django.urls import reverse

from danvan.accounts import totp

PASSWORD = "mat-khau-rat-dai-2026"  # the conftest ``make_user`` default


def post_login(client: Any, login: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("account_login"), {"login": login, "password": password})


def code_now(secret: str, margin: int = 3) -> str:
    """A code that stays valid for the next ``margin`` seconds: wait out the end of a period if needed."""
    if totp.seconds_left() < margin:
        time.sleep(totp.seconds_left() + 0.1)
    return totp.code_at(secret)


def form_errors(response: Any) -> list[str]:
    form = response.context["form"]
    return [str(e) for errs in form.errors.values() for e in errs]
