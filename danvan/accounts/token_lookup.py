"""The API token's lookup: one compiled query that brings the token, its user and (on PostgreSQL) the scope.

Every API call starts here, so the query is compiled once per process (``danvan.core.prepared``):
building it through the ORM cost more Python time than the rest of a small request.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from danvan.core.prepared import Prepared, hydrate
from danvan.orgs.scope import with_grants

from .models import ApiToken, User


@cache
def user_attnames() -> tuple[str, ...]:
    return tuple(f.attname for f in User._meta.concrete_fields)


def _build(key_hash: str, now: dt.datetime) -> QuerySet[Any]:
    tokens = with_grants(ApiToken.objects.usable(now).filter(key_hash=key_hash), "user_id")
    names = ["pk", "last_used_at", *(f"user__{a}" for a in user_attnames())]
    if connection.vendor == "postgresql":
        names.append("danvan_grants")
    return tokens.values_list(*names)


TOKEN = Prepared(_build, key_hash=str, now=dt.datetime)


def find_token(key_hash: str, now: dt.datetime) -> tuple[int, dt.datetime | None, Any, list[dict[str, Any]] | None] | None:
    """(token id, last used, its user, the user's grants or None) for a usable token, else None."""
    rows = TOKEN.rows(key_hash=key_hash, now=now)
    if not rows:
        return None
    pk, last_used, *rest = rows[0]
    n = len(user_attnames())
    user = hydrate(User, "default", user_attnames(), rest[:n])
    grants = rest[n] if len(rest) > n else None
    return pk, last_used, user, grants
