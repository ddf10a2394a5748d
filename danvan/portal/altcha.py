"""ALTCHA proof-of-work for public forms: no third-party captcha, nothing loaded from another server.

The server hands out a signed challenge (``challenge_view``); the browser widget (npm ``altcha``,
served from our own /static) spends CPU time to solve it and posts the solution in a hidden field;
``AltchaField`` checks it with ``verify_payload``. A robot can still post, but each post costs it
real work, and a solved challenge works once only.

Challenges are "deterministic" ALTCHA v2 challenges: the server draws a secret counter, derives the
key for it (PBKDF2) and publishes the first half of that key; the browser must try counters until it
finds one whose key starts with it. The server also signs the full derived key (``keySignature``), so
verifying a payload is two HMACs, never a key derivation: a flood of bogus payloads costs the server
almost nothing. Cost knobs (settings): ``DANVAN_ALTCHA_COST`` PBKDF2 iterations per try,
``DANVAN_ALTCHA_MAX_COUNTER`` the largest counter (the secret one is drawn from its upper half), so
the expected work is about ``0.75 × MAX_COUNTER × COST`` iterations.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from typing import Any

import altcha as altcha_lib
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from . import ratelimit

ALGORITHM = "PBKDF2/SHA-256"
PAYLOAD_MAX_CHARS = 4096  # a real payload is about 700 characters
USED_PREFIX = "altcha-used:"
CHALLENGE_LIMIT = (120, 600)  # challenges per client address per 10 minutes (shared NAT: keep it generous)


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, f"DANVAN_ALTCHA_{name}", default)


def _hmac_key() -> str:
    """The challenge-signing key: the setting, else one derived from SECRET_KEY (so rotating
    SECRET_KEY invalidates the challenges in flight, which only costs a new solve)."""
    key = _setting("HMAC_KEY", "")
    return key or salted_hmac("danvan.portal.altcha", "challenge", algorithm="sha256").hexdigest()


def _key_secret() -> str:
    """A second key, for the signature of the derived key (verification without re-deriving)."""
    return salted_hmac("danvan.portal.altcha.key", _hmac_key(), algorithm="sha256").hexdigest()


def max_age() -> int:
    return int(_setting("MAX_AGE", 600))


def create_challenge() -> dict[str, Any]:
    """A fresh signed challenge, as the JSON the widget expects."""
    cost = max(1, int(_setting("COST", 1000)))
    top = max(2, int(_setting("MAX_COUNTER", 2000)))
    counter = top // 2 + secrets.randbelow(top - top // 2)
    challenge = altcha_lib.create_challenge(
        algorithm=ALGORITHM, cost=cost, counter=counter,
        expires_at=int(time.time()) + max_age(),
        hmac_secret=_hmac_key(), hmac_key_secret=_key_secret(),
    )
    return challenge.to_dict()


def _decode(payload: str) -> dict[str, Any] | None:
    try:
        data = json.loads(base64.b64decode(payload, validate=True).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def verify_payload(payload: str) -> bool:
    """True once for a payload that solves a challenge we signed and that has not expired.

    Single use: the challenge's signature is remembered in the cache until the challenge expires
    (``cache.add`` is atomic on the database, Redis and local-memory caches), so a reused payload fails.
    """
    if not isinstance(payload, str) or not payload or len(payload) > PAYLOAD_MAX_CHARS:
        return False
    data = _decode(payload)
    if data is None:
        return False
    try:
        result = altcha_lib.verify_solution(payload, _hmac_key(), hmac_key_secret=_key_secret())
        params = data["challenge"]["parameters"]
        signature = str(data["challenge"]["signature"])
        expires_at = int(params["expiresAt"])
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
        return False
    if not result.verified:
        return False
    # Signed by us, so expiresAt is ours: refuse a challenge living longer than the setting allows today.
    remaining = expires_at - int(time.time())
    if remaining <= 0 or remaining > max_age() + 60:
        return False
    return bool(cache.add(USED_PREFIX + signature, 1, timeout=remaining + 60))


@require_GET
def challenge_view(request: HttpRequest) -> HttpResponse:
    """A new challenge for the widget; never cached (each one works once)."""
    if ratelimit.over_limit(request, "altcha_challenge", limit=CHALLENGE_LIMIT):
        response: HttpResponse = JsonResponse({"error": "Too many requests"}, status=429)
        response["Retry-After"] = str(getattr(request, ratelimit.RETRY_AFTER_ATTR, 60))
    else:
        response = JsonResponse(create_challenge())
    response["Cache-Control"] = "no-store"
    return response


class AltchaWidget(forms.Widget):
    """The ``<altcha-widget>`` element, its scripts and a note for browsers without JavaScript
    (``portal/_altcha.html``, which computes the challenge URL and language itself)."""

    template_name = "portal/_altcha.html"

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> SafeString:
        # The project's template engine (templates/portal/), not the forms renderer's own folders.
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 - a rendered template  # nosec B308 B703

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        return super().get_context(name, None, attrs)  # a payload is never shown back: it works once

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data


class AltchaBoundField(BoundField):
    is_altcha = True  # lets portal/_altcha.html tell this field from another one named ``field`` in its context

    def as_field_group(self) -> SafeString:
        return mark_safe(render_to_string("portal/_altcha.html", {"altcha_group": self}))  # noqa: S308 - a rendered template  # nosec B308 B703


class AltchaField(forms.Field):
    """Put ``altcha = AltchaField()`` on a public form; render it with ``{{ form.altcha.as_field_group }}``
    (label, error and widget) or ``{{ form.altcha }}`` (the widget only)."""

    widget = AltchaWidget
    default_error_messages = {
        "invalid": _("Please confirm you are not a robot (the check did not complete)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Check that you are not a robot"))
        kwargs.setdefault("required", True)
        super().__init__(**kwargs)

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> BoundField:
        return AltchaBoundField(form, self, field_name)

    def clean(self, value: Any) -> str:
        if not value or not verify_payload(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return str(value)
