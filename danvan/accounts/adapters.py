"""allauth adapter: no self sign-up; accounts are created by administrators of a unit."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: Any) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Let a staff user set up their first authenticator (and see its recovery codes) right after logging in.

        allauth asks for the password again before any two-factor change. Staff roles are sent
        to the set-up page straight after the log-in form, so asking again there only confuses:
        the password was checked moments ago and every authenticator the user has was created
        after that check, in this session. Once an older authenticator exists, or when the
        log-in is older than the reauthentication timeout, allauth's rule applies unchanged.
        """
        if app == "allauth.mfa" and self._first_set_up_right_after_login():
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    @staticmethod
    def _first_set_up_right_after_login() -> bool:
        from allauth.mfa.models import Authenticator

        request = context.request
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        records = [r for r in get_authentication_records(request, user) if r.get("method") == "password"]
        if not records:
            return False
        logged_in_at = float(records[-1]["at"])
        if time.time() - logged_in_at >= account_settings.REAUTHENTICATION_TIMEOUT:
            return False
        since = dt.datetime.fromtimestamp(logged_in_at, tz=dt.UTC)
        return not Authenticator.objects.filter(user=user, created_at__lt=since).exists()
