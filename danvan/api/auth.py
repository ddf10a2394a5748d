"""API authentication: a personal bearer token, or the browser session (with CSRF).

A request that sends a bearer token is judged on that token alone: a bad token is refused with
401 even when a session cookie is present, so another system never silently acts as whoever is
logged in to the browser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from danvan.accounts.middleware import MFA_OK, has_mfa, mfa_required_for
from danvan.accounts.services import authenticate_token

if TYPE_CHECKING:
    from danvan.accounts.models import User


class InvalidToken(AuthenticationError):
    """A token was sent but is unknown, revoked, expired or belongs to a deactivated user."""


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Any | None:
        header = request.headers.get(self.header, "")
        if header and header.split(" ", 1)[0].lower() != self.openapi_scheme:
            raise InvalidToken()
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = authenticate_token(token.strip())
        if user is None:
            raise InvalidToken()
        request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The logged-in browser user; unsafe methods need the CSRF token, staff roles need two-factor."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Only a session that is actually logged in is checked for CSRF, so an anonymous caller
        # gets 401 (log in or send a token), not a confusing CSRF failure.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise PermissionDenied(_("The CSRF token is missing or wrong; reload the page and try again."))
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not request.session.get(MFA_OK) and mfa_required_for(user) and not has_mfa(user):
            raise PermissionDenied(_("Your role requires two-factor authentication. Please set it up to continue."))
        return user


AUTH = [TokenAuth(), ActiveSessionAuth()]


def caller(request: HttpRequest) -> User:
    """The authenticated user of an API operation (every operation requires one)."""
    return cast("User", request.user)
