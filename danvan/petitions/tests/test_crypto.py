"""Fernet keys from settings: round trip, rotation, bad keys refused clearly, altered data refused."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from danvan.petitions import crypto

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()
DATA = {"name": "Nguyễn Thị Tố Giác", "address": "Số 7 ngõ Kín, Bình Lư", "id_number": "001234567890"}


def test_round_trip_keeps_vietnamese(settings: Any) -> None:
    settings.DANVAN_IDENTITY_KEYS = [NEW]
    token = crypto.encrypt(DATA)
    assert isinstance(token, str)
    assert crypto.decrypt(token) == DATA
    assert "Tố Giác" not in token and "001234567890" not in token


def test_two_encryptions_differ(settings: Any) -> None:
    settings.DANVAN_IDENTITY_KEYS = [NEW]
    first, second = crypto.encrypt(DATA), crypto.encrypt(DATA)
    assert first != second
    assert crypto.decrypt(first) == crypto.decrypt(second) == DATA


def test_old_token_readable_while_old_key_kept_and_rotated_token_needs_only_new_key(settings: Any) -> None:
    settings.DANVAN_IDENTITY_KEYS = [OLD]
    old_token = crypto.encrypt(DATA)

    settings.DANVAN_IDENTITY_KEYS = [NEW, OLD]
    assert crypto.decrypt(old_token) == DATA
    new_token = crypto.rotate(old_token)
    assert new_token != old_token
    fresh = crypto.encrypt(DATA)

    settings.DANVAN_IDENTITY_KEYS = [NEW]
    assert crypto.decrypt(new_token) == DATA
    assert crypto.decrypt(fresh) == DATA  # new data is written with the first (newest) key
    with pytest.raises(crypto.IdentityCryptoError, match="rotate-keys"):
        crypto.decrypt(old_token)


def test_changing_settings_is_seen_without_restart(settings: Any) -> None:
    settings.DANVAN_IDENTITY_KEYS = [OLD]
    token = crypto.encrypt(DATA)
    assert crypto.fernet() is crypto.fernet()  # built once per set of keys
    settings.DANVAN_IDENTITY_KEYS = [NEW]
    with pytest.raises(crypto.IdentityCryptoError):
        crypto.decrypt(token)
    settings.DANVAN_IDENTITY_KEYS = [OLD]
    assert crypto.decrypt(token) == DATA


@pytest.mark.parametrize("keys", [[], None, "", NEW])
def test_missing_or_not_a_list_is_improperly_configured(settings: Any, keys: Any) -> None:
    settings.DANVAN_IDENTITY_KEYS = keys
    with pytest.raises(ImproperlyConfigured, match="DANVAN_IDENTITY_KEYS") as exc:
        crypto.encrypt(DATA)
    assert "generate_key" in str(exc.value)


def test_setting_absent_is_improperly_configured(settings: Any) -> None:
    del settings.DANVAN_IDENTITY_KEYS
    with pytest.raises(ImproperlyConfigured, match="DANVAN_IDENTITY_KEYS"):
        crypto.fernet()


@pytest.mark.parametrize("bad", ["not-a-key", NEW[:-2], "A" * 44 + "==", NEW + "x", " " + NEW, 12345, None, ["x"]])
def test_malformed_key_named_by_position_and_never_echoed(settings: Any, bad: Any) -> None:
    settings.DANVAN_IDENTITY_KEYS = [NEW, bad]
    with pytest.raises(ImproperlyConfigured, match="key number 2 of 2") as exc:
        crypto.fernet()
    assert str(bad) not in str(exc.value)
    assert NEW not in str(exc.value)
    # Nothing half-built was cached: a valid configuration works right after.
    settings.DANVAN_IDENTITY_KEYS = [NEW]
    assert crypto.decrypt(crypto.encrypt(DATA)) == DATA


def test_tampered_token_is_refused(settings: Any) -> None:
    settings.DANVAN_IDENTITY_KEYS = [NEW]
    token = crypto.encrypt(DATA)
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    with pytest.raises(crypto.IdentityCryptoError, match="altered"):
        crypto.decrypt(tampered)
    with pytest.raises(crypto.IdentityCryptoError):
        crypto.rotate(tampered)


@pytest.mark.parametrize("token", ["", "garbage", "gAAAAA" + "x" * 80, "chữ có dấu"])
def test_garbage_is_refused(settings: Any, token: str) -> None:
    settings.DANVAN_IDENTITY_KEYS = [NEW]
    with pytest.raises(crypto.IdentityCryptoError):
        crypto.decrypt(token)


def test_valid_token_of_something_else_is_refused(settings: Any) -> None:
    """A token made with our key but not holding a dict of strings is not an identity."""
    settings.DANVAN_IDENTITY_KEYS = [NEW]
    for plaintext in (b"[1, 2]", b'{"name": 5}', b"\xff\xfe", b"not json"):
        with pytest.raises(crypto.IdentityCryptoError):
            crypto.decrypt(Fernet(NEW).encrypt(plaintext).decode())
