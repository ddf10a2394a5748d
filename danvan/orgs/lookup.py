"""One unit by id, read with a query compiled once per process: the first read of every write to a unit."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db.models import QuerySet

from danvan.core.prepared import Prepared, hydrate

from .models import OrgUnit
from .scope import scope_of


@cache
def _attnames() -> tuple[str, ...]:
    return tuple(f.attname for f in OrgUnit._meta.concrete_fields)


def _build(pk: int) -> QuerySet[Any]:
    return OrgUnit.objects.filter(pk=pk).values_list(*_attnames())


UNIT_BY_PK = Prepared(_build, pk=int)


def unit_by_pk(pk: int) -> OrgUnit | None:
    rows = UNIT_BY_PK.rows(pk=pk)
    return hydrate(OrgUnit, "default", _attnames(), rows[0]) if rows else None  # type: ignore[return-value]


def visible_unit(user: Any, pk: int) -> OrgUnit | None:
    """The unit if ``user`` may see it, else None: the same answer as ``OrgUnit.objects.visible_to(user)``."""
    unit = unit_by_pk(pk)
    if unit is None or not scope_of(user).covers(unit.path):
        return None
    return unit
