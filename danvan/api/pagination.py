"""Keyset pagination: the cursor is the last row's sort key, so page 1,000 costs what page 1 costs.

A cursor is opaque to callers (URL-safe base64 of JSON); they pass back ``next_cursor`` as it
came. A cursor that does not decode is bad input on the ``cursor`` field (422), never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_LENGTH = 400

LIMIT_DESCRIPTION = f"Items per page, 1 to {MAX_LIMIT}."
CURSOR_DESCRIPTION = "The `next_cursor` of the previous page; omit it for the first page."


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def invalid_cursor() -> ValidationError:
    return ValidationError({"cursor": _("The cursor is not valid; start again from the first page.")})


def decode_cursor(cursor: str | None, check: Callable[[Any], bool] = lambda v: True) -> Any:
    """The decoded value, or None for the first page; ``check`` rejects values of the wrong shape."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode())
    except (binascii.Error, ValueError, UnicodeError) as exc:
        raise invalid_cursor() from exc
    if not check(value):
        raise invalid_cursor()
    return value


# The largest key PostgreSQL's bigint and SQLite's integer hold: a larger id in a path is a 422, not a 500.
MAX_ID = 2**63 - 1
# Longest search text accepted by list endpoints.
MAX_SEARCH_LENGTH = 200


def is_dated_key(value: Any, parse: Callable[[str], Any]) -> bool:
    """A keyset position ``[iso date or time, id]`` as list endpoints encode it; ``parse`` is
    ``datetime.date.fromisoformat`` or ``datetime.datetime.fromisoformat`` (what the list orders by)."""
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)):
        return False
    pk = value[1]
    if not (isinstance(pk, int) and not isinstance(pk, bool) and 0 <= pk <= MAX_ID):
        return False
    try:
        parse(value[0])
    except ValueError:
        return False
    return True
