"""Session lifetime and the two-factor requirement for staff roles."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

SESSION_STARTED = "danvan_session_started"
MFA_OK = "danvan_mfa_ok"

# Paths a user who must, but has not yet, set up two-factor may still reach: setting it up (and
# confirming their password for it), logging in and out, static files, the language switch.
# Everything else under /accounts/ (password change, e-mail) waits until two-factor is on.
MFA_EXEMPT_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/static/",
    "/healthz",
    "/i18n/",
    "/favicon.ico",
    "/notifications/badge/",  # the header's unread count: a fragment htmx swaps in, never a page
)
API_PREFIX = "/api/"


def _tell(request: HttpRequest, response: HttpResponse, level: int, text: str) -> HttpResponse:
    """Add a message to a response that this middleware returns itself.

    These middlewares may sit before Django's MessageMiddleware (they must run right after
    authentication); then ``request._messages`` does not exist yet, so store the message with the
    same storage backend ourselves instead of failing with a server error.
    """
    storage = getattr(request, "_messages", None)
    if storage is not None:
        storage.add(level, text)
        return response
    from django.contrib.messages.storage import default_storage

    storage = default_storage(request)
    storage.add(level, text)
    storage.update(response)
    return response


class SessionLifetimeMiddleware:
    """Ends a session 12 hours (configurable) after log-in, however active it was.

    The idle timeout is Django's own cookie age, refreshed on every request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - float(started) > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                if request.path.startswith(API_PREFIX):
                    # The API answers for itself: the request is now anonymous and gets its JSON 401.
                    return self.get_response(request)
                return _tell(
                    request, redirect(settings.LOGIN_URL), messages.INFO,
                    _("Your session has expired. Please log in again."),
                )
        return self.get_response(request)


def mfa_required_for(user: Any) -> bool:
    from danvan.orgs.scope import scope_of

    required = set(getattr(settings, "DANVAN_MFA_REQUIRED_ROLES", []))
    if not required:
        return False
    scope = scope_of(user)
    return scope.is_superuser or any(g.role in required for g in scope.grants)


def has_mfa(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireMFAMiddleware:
    """Staff roles must have TOTP set up before they can use anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if request.path.startswith("/accounts/2fa/"):
            request.session.pop(MFA_OK, None)  # the user may be changing their authenticators
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(MFA_OK)
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
        ):
            if mfa_required_for(user) and not has_mfa(user):
                if request.path.startswith(API_PREFIX):
                    # A browser session may not use the API to get round the requirement; bearer
                    # tokens are not affected (the user is still anonymous at this point for them).
                    return JsonResponse(
                        {"detail": _("Your role requires two-factor authentication. Set it up first."), "errors": []},
                        status=403,
                    )
                return _tell(
                    request, redirect("mfa_activate_totp"), messages.WARNING,
                    _("Your role requires two-factor authentication. Please set it up to continue."),
                )
            request.session[MFA_OK] = True
        return self.get_response(request)
