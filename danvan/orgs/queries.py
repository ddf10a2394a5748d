"""Scoped reads of units and memberships."""

from __future__ import annotations

from typing import Any

from django.db import models

from danvan.core.text import search_key

from .paths import next_prefix
from .scope import visible_q


class UnitScopedQuerySet(models.QuerySet):
    """Base for every model that belongs to a unit: ``.visible_to(user)`` keeps the user's subtrees.

    Subclasses name the foreign key to ``OrgUnit`` in ``unit_field``.
    """

    unit_field = "org_unit"

    def visible_to(self, user: Any, roles: frozenset[str] | set[str] | None = None) -> models.QuerySet:
        q = visible_q(user, prefix=f"{self.unit_field}__", roles=roles)
        return self if q is None else self.filter(q)


class OrgUnitQuerySet(models.QuerySet):
    def visible_to(self, user: Any, roles: frozenset[str] | set[str] | None = None) -> OrgUnitQuerySet:
        q = visible_q(user, roles=roles)
        return self if q is None else self.filter(q)

    def subtree_of(self, unit: Any, include_self: bool = True) -> OrgUnitQuerySet:
        qs = self.filter(path__gte=unit.path, path__lt=next_prefix(unit.path))
        return qs if include_self else qs.exclude(pk=unit.pk)

    def current(self) -> OrgUnitQuerySet:
        return self.filter(valid_to__isnull=True)

    def search(self, text: str) -> OrgUnitQuerySet:
        """Match ignoring diacritics and case; a code typed exactly also matches."""
        key = search_key(text)
        if not key:
            return self
        return self.filter(models.Q(search_name__contains=key) | models.Q(code=text.strip()))


class MembershipQuerySet(UnitScopedQuerySet):
    unit_field = "org_unit"

    def active(self) -> MembershipQuerySet:
        return self.filter(revoked_at__isnull=True)
