"""Time-based one-time codes computed exactly as allauth checks them.

allauth keeps the algorithm in ``allauth.mfa.totp.internal.auth``; this module wraps it so the
rest of danvan (the demo's ``danvan demo otp`` and the tests) never re-implements RFC 6238 and
stays in step with allauth's period and digits settings.
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt

# 80 bits is RFC 4226's minimum shared-secret length; allauth itself generates 160.
MIN_SECRET_BYTES = 10


def is_valid_secret(secret: str) -> bool:
    """A base32 secret without padding, long enough to be safe."""
    if not secret or not secret.isascii() or secret != secret.strip():
        return False
    try:
        raw = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    except (binascii.Error, ValueError):
        return False
    return len(raw) >= MIN_SECRET_BYTES


def code_at(secret: str, when: float | None = None) -> str:
    """The code an authenticator app shows for ``secret`` at ``when`` (a UNIX time; now by default)."""
    now = time.time() if when is None else when
    return format_hotp_value(hotp_value(secret, int(now) // mfa_settings.TOTP_PERIOD))


def seconds_left(when: float | None = None) -> int:
    """How long the current code stays valid."""
    now = time.time() if when is None else when
    period = mfa_settings.TOTP_PERIOD
    return period - int(now) % period


def secret_of(user: Any) -> str | None:
    """The user's TOTP secret in clear, or None when they have not set up an authenticator."""
    auth = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if auth is None:
        return None
    return decrypt(auth.data["secret"])
