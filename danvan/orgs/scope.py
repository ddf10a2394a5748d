"""What part of the tree a user may act for: read once per request, then answered from memory.

Every scoped read in the platform (``.visible_to(user)``) asks this module. It costs one query
per request (the user's active memberships with their units' paths) and nothing after that, so
scoping a list adds at most one query to it. On PostgreSQL an API call's token query brings the
memberships along (``with_grants``), so there it costs none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Q, QuerySet

from .paths import minimal_prefixes, next_prefix

_CACHE_ATTR = "_danvan_scope"


@dataclass(frozen=True)
class Grant:
    unit_id: int
    path: str
    role: str


@dataclass
class UserScope:
    is_superuser: bool = False
    grants: list[Grant] = field(default_factory=list)

    def paths(self, roles: frozenset[str] | set[str] | None = None) -> list[str]:
        return minimal_prefixes([g.path for g in self.grants if roles is None or g.role in roles])

    def roles_for(self, unit_path: str) -> set[str]:
        """Roles the user holds on the unit, inherited from any ancestor."""
        return {g.role for g in self.grants if unit_path.startswith(g.path)}

    def covers(self, unit_path: str, roles: frozenset[str] | set[str] | None = None) -> bool:
        if self.is_superuser:
            return True
        return any(unit_path.startswith(p) for p in self.paths(roles))

    @property
    def unit_ids(self) -> list[int]:
        return sorted({g.unit_id for g in self.grants})


def scope_of(user: Any) -> UserScope:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return UserScope()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from .models import Membership

    rows = (
        Membership.objects.filter(user=user, revoked_at__isnull=True, org_unit__valid_to__isnull=True)
        .values_list("org_unit_id", "org_unit__path", "role")
    )
    scope = UserScope(is_superuser=bool(user.is_superuser), grants=[Grant(u, p, r) for u, p, r in rows])
    setattr(user, _CACHE_ATTR, scope)
    return scope


def with_grants(qs: QuerySet[Any], user_field: str) -> QuerySet[Any]:
    """On PostgreSQL, ``qs`` with the active grants of the user at ``user_field`` as one array column.

    The query that finds the caller (the API token's) then brings the scope along, and ``prime_scope``
    stores it: one round trip less on every API call, which is the hot path of the work list and of
    intake. Other databases answer in-process, where the extra query costs little, so ``qs`` is
    returned as it is and ``scope_of`` reads the grants as always.
    """
    if connection.vendor != "postgresql":
        return qs
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models.functions import JSONObject

    from .models import Membership

    grants = Membership.objects.filter(
        user=OuterRef(user_field), revoked_at__isnull=True, org_unit__valid_to__isnull=True
    ).values(grant=JSONObject(u="org_unit_id", p="org_unit__path", r="role"))
    return qs.annotate(danvan_grants=ArraySubquery(grants))


def prime_scope(user: Any, grants: list[dict[str, Any]] | None) -> None:
    """Store the grants ``with_grants`` read along with ``user`` as their scope for this request (no-op without)."""
    if grants is None or user is None or not getattr(user, "is_active", False):
        return
    scope = UserScope(
        is_superuser=bool(user.is_superuser), grants=[Grant(int(g["u"]), str(g["p"]), str(g["r"])) for g in grants]
    )
    setattr(user, _CACHE_ATTR, scope)


def forget_scope(user: Any) -> None:
    """Call after changing a user's memberships within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def subtree_q(paths: list[str], prefix: str = "") -> Q:
    """A filter matching units (or rows pointing at units through ``prefix``) inside any of the subtrees."""
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in minimal_prefixes(paths):
        q |= Q(**{f"{prefix}path__gte": p, f"{prefix}path__lt": next_prefix(p)})
    return q


def visible_q(user: Any, prefix: str = "", roles: frozenset[str] | set[str] | None = None) -> Q | None:
    """The filter for ``user``; None means no restriction (a superuser)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return None
    return subtree_q(scope.paths(roles), prefix)
