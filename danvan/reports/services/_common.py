"""Helpers shared by the reports services: errors, text, versions, conditional updates."""


from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from django.db import models
from django.db.models import F

from ..models import (
    Period,
)

CHUNK = 500  # ids per IN (…) list: well under SQLite's parameter limit
REASON_MAX = 1000
COMMENT_MAX = 5000
T = TypeVar("T", bound=models.Model)






def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]








def _bump_data_version(period_id: int) -> None:
    Period.objects.filter(pk=period_id).update(data_version=F("data_version") + 1)
