"""Fernet encryption of small JSON records (a whistleblower's identity), with keys from settings.

``DANVAN_IDENTITY_KEYS`` lists Fernet keys newest first: the first encrypts, every one decrypts.
Rotating is therefore two deployments apart: put a new key first and keep the old ones, run
``danvan petitions rotate-keys`` so that every record is re-encrypted with the new key, then drop
the old keys. ``MultiFernet`` does the key selection; this module only builds it from settings,
checks the keys, and turns the library's bare ``InvalidToken`` into an error that says what is
wrong. Nothing here logs: the plaintext is classified information (DOMAIN.md §4) and a key is a
secret, so neither ever goes into a message.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SETTING = "DANVAN_IDENTITY_KEYS"
_HOW_TO_GENERATE = (
    'generate one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)

# Fernet itself accepts trailing junk after the base64 (a paste error); a key must be exactly this.
_KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}=")

# One entry at most: the keys in force. Keyed by the keys themselves so that a change of settings
# (tests override them; a deployment changes them) builds a new MultiFernet without any hook, and
# the old keys are not kept in memory after they were removed.
_cache: dict[tuple[str, ...], MultiFernet] = {}
_lock = threading.Lock()


class IdentityCryptoError(Exception):
    """Encrypted data that cannot be read: altered, not ours, or encrypted with a key no longer configured."""


def _configured_keys() -> tuple[str, ...]:
    raw: Any = getattr(settings, SETTING, None)
    if isinstance(raw, str | bytes) or not isinstance(raw, list | tuple):
        raise ImproperlyConfigured(f"{SETTING} must be a list of Fernet keys, newest first; {_HOW_TO_GENERATE}")
    keys = tuple(k.decode("ascii", "replace") if isinstance(k, bytes) else k if isinstance(k, str) else "" for k in raw)
    if not keys:
        raise ImproperlyConfigured(
            f"{SETTING} is empty: whistleblowers' identities cannot be encrypted without a key; {_HOW_TO_GENERATE}"
        )
    return keys


def _build(keys: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            if not _KEY_SHAPE.fullmatch(key):
                raise ValueError
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            # Never echo the key: it may be a real one with a typo, and this message reaches logs.
            raise ImproperlyConfigured(
                f"{SETTING}: key number {position} of {len(keys)} is not a valid Fernet key "
                f"(32 bytes, URL-safe base64, 44 characters); {_HOW_TO_GENERATE}"
            ) from None
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    """The MultiFernet for the keys now in settings (built once per set of keys)."""
    keys = _configured_keys()
    cached = _cache.get(keys)
    if cached is not None:
        return cached
    built = _build(keys)
    with _lock:
        _cache.clear()
        _cache[keys] = built
    return built


def encrypt(data: dict[str, str]) -> str:
    """A Fernet token (ASCII) for ``data``; encrypting the same data twice gives different tokens."""
    plaintext = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return fernet().encrypt(plaintext).decode("ascii")


def _unreadable() -> IdentityCryptoError:
    return IdentityCryptoError(
        "The encrypted record cannot be decrypted: it was altered, or the key that encrypted it is no "
        f"longer in {SETTING} (keep old keys until 'danvan petitions rotate-keys' has run)."
    )


def decrypt(token: str) -> dict[str, str]:
    """The dict that ``encrypt`` was given; ``IdentityCryptoError`` if the token cannot be read."""
    try:
        plaintext = fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError, AttributeError):
        raise _unreadable() from None
    try:
        data = json.loads(plaintext.decode())
    except (UnicodeDecodeError, ValueError):
        raise _unreadable() from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise _unreadable()
    return data


def rotate(token: str) -> str:
    """The same data re-encrypted with the newest key (readable once the older keys are removed)."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError, AttributeError):
        raise _unreadable() from None
