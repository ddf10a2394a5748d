"""Small helpers every app's services share: errors, the acting user, text fields, optimistic locks.

They were written three times (plans, reports, petitions) before living here; one definition keeps
the same bad input answered with the same Vietnamese message everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .exceptions import ConcurrentEditError
from .text import clean_text, nfc

T = TypeVar("T", bound=models.Model)


def raise_if(errors: dict[str, Any]) -> None:
    """Raise the collected field errors, if any: a service reports every problem of a form at once."""
    if errors:
        raise ValidationError(errors)


def user_or_none(actor: Any) -> Any:
    """The user to store as author: None for the system (CLI, worker) or an anonymous caller."""
    return actor if getattr(actor, "is_authenticated", False) else None


def is_int(value: Any) -> bool:
    """An int that is not a bool (True would otherwise pass as 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


def fmt_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def clean_field_text(value: Any, limit: int, *, required: bool = False, multiline: bool = False) -> tuple[str, str]:
    """(cleaned text, error message or ""): NFC, blanks collapsed unless multi-line, length checked."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        return "", _("Enter text.")
    value = nfc(value).strip() if multiline else clean_text(value)
    if required and not value:
        return value, _("This field is required.")
    if len(value) > limit:
        return value, _("This field must be at most %(n)d characters.") % {"n": limit}
    return value, ""


def check_version(expected_version: Any) -> int:
    if not is_int(expected_version):
        raise ValidationError({"expected_version": _("The form's version is missing or invalid.")})
    return int(expected_version)


def conditional_update(model: type[T], obj: T, expected_version: int, conflict: str, **fields: Any) -> None:
    """UPDATE … SET fields, lock_version + 1 WHERE lock_version = expected; zero rows is a conflict.

    The caller also locks the row FOR UPDATE on PostgreSQL; on SQLite, where that is a no-op, this
    condition alone keeps the second of two writers from overwriting the first. ``obj`` is updated
    in memory to what was written.
    """
    if "updated_at" in {f.name for f in model._meta.concrete_fields}:
        fields.setdefault("updated_at", timezone.now())
    done = model._default_manager.filter(pk=obj.pk, lock_version=expected_version).update(
        lock_version=F("lock_version") + 1, **fields
    )
    if not done:
        raise ConcurrentEditError(conflict)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.lock_version = expected_version + 1  # type: ignore[attr-defined]
