"""Keyset pagination: the cursor is the last row's sort key, so page 1,000 costs what page 1 costs."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.utils.translation import gettext as _
from ninja.errors import HttpError

MAX_LIMIT = 200


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise HttpError(400, _("The cursor is not valid.")) from exc


def check_limit(limit: int) -> int:
    if limit < 1 or limit > MAX_LIMIT:
        raise HttpError(400, _("The limit must be between 1 and %(max)d.") % {"max": MAX_LIMIT})
    return limit
