"""One error shape for every 4xx: a Vietnamese ``detail`` and, for bad input, one entry per field.

Other systems branch on the status code and show ``detail`` to a person; ``errors`` lets a form
put each message next to its field. Pydantic's own English messages never reach the caller:
they are mapped to gettext messages here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field


class FieldError(Schema):
    field: str | None = Field(
        description="The input that is wrong: a query parameter, a body field (dotted for nested ones), "
        "or null when the problem is not about one field."
    )
    message: str = Field(description="What is wrong and what is expected, in Vietnamese.")


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in Vietnamese, for a person to read.")
    errors: list[FieldError] = Field(
        default_factory=list, description="One entry per wrong input (status 422); empty otherwise."
    )


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response=`` entries for the error statuses an operation can return, so OpenAPI lists them."""
    return dict.fromkeys(sorted(set(statuses)), ErrorOut)


# Every operation needs a caller (401) and may refuse a session without CSRF or two-factor (403).
AUTH_ERRORS = (401, 403)


def _limit(ctx: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        if k in ctx:
            return ctx[k]
    return ""


def pydantic_message(error: dict[str, Any]) -> str:
    """A Vietnamese message for one pydantic error, by its type (the English text is ignored)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind in {"date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact"}:
        return _("Enter a date as YYYY-MM-DD.")
    if kind in {"datetime_parsing", "datetime_type", "datetime_from_date_parsing"}:
        return _("Enter a date and time in ISO 8601 format.")
    if kind == "string_type":
        return _("Enter text.")
    if kind == "string_too_long":
        return _("Enter at most %(max)s characters.") % {"max": _limit(ctx, "max_length")}
    if kind == "string_too_short":
        return _("Enter at least %(min)s characters.") % {"min": _limit(ctx, "min_length")}
    if kind == "string_pattern_mismatch":
        return _("The value has the wrong format.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Enter a number no smaller than %(limit)s.") % {"limit": _limit(ctx, "ge", "gt")}
    if kind in {"less_than_equal", "less_than"}:
        return _("Enter a number no larger than %(limit)s.") % {"limit": _limit(ctx, "le", "lt")}
    if kind in {"json_invalid", "json_type"}:
        return _("The request body is not valid JSON.")
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return _("Send a JSON object.")
    if kind == "extra_forbidden":
        return _("This field is not accepted.")
    if kind in {"literal_error", "enum"}:
        return _("Choose one of the allowed values.")
    return _("This value is not valid.")


def pydantic_field(loc: Iterable[Any]) -> str | None:
    """The field a pydantic error is about: the source (query, path, body) and the body's name dropped."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    elif parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else []  # ("body", "payload", "name") -> "name"
    return ".".join(parts) or None
