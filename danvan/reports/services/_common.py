"""Helpers shared by the reports services: errors, text, versions, conditional updates."""


from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.text import clean_text, nfc

from ..models import (
    Period,
)

CHUNK = 500  # ids per IN (…) list: well under SQLite's parameter limit
REASON_MAX = 1000
COMMENT_MAX = 5000
T = TypeVar("T", bound=models.Model)




def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


def _creator(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _text(value: Any, limit: int, *, required: bool = False, multiline: bool = False) -> tuple[str, str]:
    """(cleaned, error message or "")."""
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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_version(expected_version: Any) -> int:
    if not _is_int(expected_version):
        raise ValidationError({"expected_version": _("The form's version is missing or invalid.")})
    return int(expected_version)


def _conditional_update(model: type[T], obj: T, expected_version: int, conflict: str, **fields: Any) -> None:
    """UPDATE … SET fields, lock_version + 1 WHERE lock_version = expected; zero rows is a conflict.

    The row is also locked FOR UPDATE by the caller on PostgreSQL; on SQLite, where that is a
    no-op, this condition alone keeps the second of two writers from overwriting the first.
    """
    now = timezone.now()
    if "updated_at" in {f.name for f in model._meta.concrete_fields}:
        fields.setdefault("updated_at", now)
    done = model._default_manager.filter(pk=obj.pk, lock_version=expected_version).update(
        lock_version=F("lock_version") + 1, **fields
    )
    if not done:
        raise ConcurrentEditError(conflict)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.lock_version = expected_version + 1  # type: ignore[attr-defined]



def _bump_data_version(period_id: int) -> None:
    Period.objects.filter(pk=period_id).update(data_version=F("data_version") + 1)
