"""Duplicate candidates on intake, and linking a duplicate to its original.

Two petitions are "the same matter" when they come from the same filer (``filer_key``, a keyed
hash: the filer is matched without being readable here) or when their content is alike
(``search_text``: summary and content without marks, so "Bắc Kạn" and "bac kan" match).

Likeness is trigram similarity, the measure of PostgreSQL's ``pg_trgm``, scored over a bounded
pool: the ``POOL`` most recent petitions of the scope (the same matter comes back within months,
not years; the same filer is matched over the whole history through ``filer_key``'s index).
Letting the GIN trigram index find the rows instead (``search_text % query``) looked right and was
the slow plan at national scale: petitions share so many trigrams (every summary says "đề nghị
giải quyết") that the index hands back hundreds of thousands of rows to re-check — 15 s to 130 s
per query over 5 M petitions — whereas the pool costs one short index range per unit of the scope
(``petitions_unit_received_idx``) and ``similarity()`` over at most ``POOL`` rows. On SQLite the
same pool is scored in Python with the same measure, so both databases answer alike.

What the officer sees is never more than they could see otherwise: every candidate passes
``visible_to(user)``. A petition of a unit above that the user cannot read is left out entirely,
not even counted: a count would tell a commune officer that the province holds a denunciation
about the same matter. And a denunciation only matches on its filer for a user assigned as its
handler: otherwise "same filer" would reveal who denounced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import (
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.text import search_key
from danvan.core.writes import conditional_update
from danvan.core.writes import user_or_none as _user
from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_ids
from danvan.orgs.scope import scope_of

from .locking import conflict_message, lock_alive_petition
from .models import PENDING_STATUSES, CaseHandler, Petition, PetitionEvent, PetitionKind
from .workflow import HANDLING_ROLES, INTAKE_ROLES

SEARCH_TEXT_MAX = 2000
THRESHOLD = 0.3  # pg_trgm's default: below it, two texts share too little to be worth an officer's look
MAX_LIMIT = 50
POOL = 1000  # most recent petitions of the scope scored for likeness
SQLITE_POOL = POOL  # kept for callers that name it
# Above this many units in a scope, one index range per unit costs more than walking the newest
# petitions backwards (by id, which follows arrival) and keeping those of the scope.
LATERAL_MAX_UNITS = 400
LINK_ROLES = HANDLING_ROLES | INTAKE_ROLES

_WORD = re.compile(r"[0-9a-z]+")


def search_text_for(summary: str, content: str) -> str:
    """The content as matched: no marks, lower case, single spaces, bounded so indexes stay small."""
    return search_key(f"{summary} {content}")[:SEARCH_TEXT_MAX]


def filer_key_for(filer_name: str, filer_address: str, identity: dict[str, Any] | None) -> str:
    """A keyed hash of who filed it: the same filer matches without the name being readable here."""
    source = identity or {}
    id_number = search_key(str(source.get("id_number") or ""))
    name = search_key(str(source.get("name") or filer_name or ""))
    address = search_key(str(source.get("address") or filer_address or ""))
    basis = f"id:{id_number}" if id_number else (f"na:{name}|{address}" if name else "")
    if not basis:
        return ""
    return salted_hmac("danvan.petitions.filer_key", basis, algorithm="sha256").hexdigest()


# --------------------------------------------------------------------------- similarity


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word padded with two blanks before and one after."""
    out: set[str] = set()
    for word in _WORD.findall(text):
        padded = f"  {word} "
        out.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return out


def similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity()``: shared trigrams over all trigrams of both texts."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


class Similarity(Func):
    function = "similarity"
    output_field = FloatField()


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --------------------------------------------------------------------------- the pool (PostgreSQL)


# An SQL expression for an array of unit ids, its parameters and how many units it holds (maybe roughly).
UnitsSql = tuple[str, list[Any], int]
# The same cases as models.PENDING_STATUSES, written into SQL (the values are the enum's constants).
PENDING_SQL = (f"AND p.status IN ({', '.join(repr(str(s)) for s in PENDING_STATUSES)}) "
               "AND p.decision_on IS NULL")


def pool_sql(unit_ids: list[int] | None, *, pending_only: bool, units: UnitsSql | None = None) -> tuple[str, list[Any]]:
    """SQL for the ids, texts and dates of the ``POOL`` newest live petitions of the units (all units if None).

    A small scope reads one backward range of ``petitions_unit_received_idx`` per unit (LATERAL),
    so a commune costs a few dozen index reads whatever the table's size; a large one walks the
    newest rows by id and keeps the scope's. ``pending_only`` keeps cases still waiting for a decision.
    ``units`` gives the units as SQL instead of ids (``ARRAY(SELECT …)``), so the caller need not read
    them first; its count only picks between the two plans.
    """
    pending = PENDING_SQL if pending_only else ""
    if units is None and unit_ids is not None:
        units = ("%s::bigint[]", [unit_ids], len(unit_ids))
    if units is not None and units[2] <= LATERAL_MAX_UNITS:
        array, array_params, _n = units
        sql = (  # only constants are put in; every value is a parameter
            f"SELECT q.id, q.search_text, q.received_on FROM unnest({array}) AS u(id) CROSS JOIN LATERAL ("  # noqa: S608 - constants only  # nosec B608
            " SELECT p.id, p.search_text, p.received_on FROM petitions_petition p"
            f" WHERE p.org_unit_id = u.id AND p.deleted_at IS NULL {pending}"
            " ORDER BY p.received_on DESC LIMIT %s) q"  # the index gives this order: no sort, early stop
            " ORDER BY q.received_on DESC, q.id DESC LIMIT %s"
        )
        return sql, [*array_params, POOL, POOL]
    scope = f"AND p.org_unit_id = ANY({units[0]})" if units is not None else ""
    sql = ("SELECT p.id, p.search_text, p.received_on FROM petitions_petition p"  # noqa: S608 - constants only  # nosec B608
           f" WHERE p.deleted_at IS NULL {pending} {scope}"
           " ORDER BY p.id DESC LIMIT %s")  # only constants are put in; every value is a parameter
    return sql, [*(units[1] if units is not None else []), POOL]


# Units are skewed (a national body holds a quarter of a million petitions, a village a few): the
# planner, costing the average unit, reads every row of each unit by bitmap and sorts them; an
# ordered index range stops after POOL rows. Sent in the same round trip as the query it is for
# (Django's psycopg cursors bind on the client, so several statements may go at once).
NO_BITMAP = "SET LOCAL enable_bitmapscan = off; "


def run_without_bitmaps(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run one query after ``NO_BITMAP`` in a single round trip; the setting lasts until the transaction ends."""
    with connection.cursor() as cur:
        cur.execute(NO_BITMAP + sql, params)
        raw = cur.cursor
        while raw.description is None and raw.nextset():
            pass
        return list(raw.fetchall())


def similar_in_pool(query: str, unit_ids: list[int] | None, *, exclude_ids: set[int] | frozenset[int] = frozenset(),
                    pending_only: bool = False, threshold: float = THRESHOLD,
                    last_in_transaction: bool = False) -> dict[int, float]:
    """{petition id: similarity} for the pool's petitions alike to ``query``, best first (PostgreSQL).

    ``last_in_transaction``: the caller's transaction runs nothing after this that a bitmap scan would
    serve, so the setting may stay until its end and the savepoint that would scope it (two round
    trips) is not needed.
    """
    inner, params = pool_sql(unit_ids, pending_only=pending_only)
    sql = (f"SELECT id, similarity(search_text, %s) AS score FROM ({inner}) pool"  # noqa: S608 - inner is ours  # nosec B608
           " WHERE similarity(search_text, %s) >= %s ORDER BY score DESC, id DESC")
    savepoint = not (last_in_transaction and connection.in_atomic_block)
    with transaction.atomic(savepoint=savepoint):
        rows = run_without_bitmaps(sql, [query, *params, query, threshold])
    return {pk: float(score) for pk, score in rows if pk not in exclude_ids}


# --------------------------------------------------------------------------- candidates


@dataclass(frozen=True)
class Candidate:
    petition: Petition
    score: float  # 0–1, trigram similarity of the contents
    same_filer: bool


def _scope_unit_ids(unit: OrgUnit) -> list[int]:
    """The unit, its whole subtree and its ancestors: where the same matter may already be."""
    below = list(OrgUnit.objects.subtree_of(unit).values_list("pk", flat=True))
    return sorted(set(below) | set(ancestor_ids(unit.path)))


def _filer_q(user: Any, key: str) -> Q:
    """Same filer: never through a denunciation the user is not assigned to handle."""
    if not key:
        return Q(pk__in=[])
    handles = CaseHandler.objects.filter(petition=OuterRef("pk"), user=user, revoked_at__isnull=True) \
        if getattr(user, "is_authenticated", False) else None
    q = Q(filer_key=key) & ~Q(kind=PetitionKind.DENUNCIATION)
    if handles is not None:
        q |= Q(filer_key=key, kind=PetitionKind.DENUNCIATION) & Q(Exists(handles))
    return q


def _base(user: Any, unit: OrgUnit | None, exclude: Any) -> QuerySet[Petition]:
    qs: QuerySet[Petition] = Petition.objects.alive()
    if user is not None:
        qs = Petition.objects.alive().visible_to(user)
    if unit is not None:
        qs = qs.filter(org_unit_id__in=_scope_unit_ids(unit))
    if exclude is not None:
        ids = [exclude] if isinstance(exclude, int | Petition) else list(exclude)
        qs = qs.exclude(pk__in=[p.pk if isinstance(p, Petition) else p for p in ids])
    return qs


def candidates(
    user: Any, *, summary: str, content: str = "", filer_name: str = "", filer_address: str = "",
    identity: dict[str, Any] | None = None, unit: OrgUnit | None = None, exclude: Any = None, limit: int = 10,
) -> list[Candidate]:
    """Petitions that may be the same matter, best first (same filer first, then by likeness).

    ``unit`` is the unit receiving the new petition: the search covers its subtree and the units
    above it (a province's petition about a commune's matter), always within what ``user`` may
    see; without it, everything the user may see. ``user`` None is the system (no restriction).
    ``exclude``: a petition (or ids) to leave out, e.g. the one being looked at. Costs 2–3 queries.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    query = search_text_for(summary or "", content or "")
    key = filer_key_for(filer_name or "", filer_address or "", identity)
    if not query and not key:
        return []
    scope = scope_of(user)
    if user is not None and not scope.is_superuser and not scope.grants:
        return []
    qs = _base(user, unit, exclude).select_related("org_unit")
    filer = _filer_q(user, key)
    if is_postgres():
        same: list[Any] = list(qs.filter(filer).annotate(_score=Similarity(F("search_text"), Value(query)))
                    .order_by("-received_on", "-pk")[:limit]) if key else []
        found = [Candidate(p, round(float(p._score or 0.0), 4), True) for p in same]  # type: ignore[attr-defined]
        if query:
            unit_ids = _scope_unit_ids(unit) if unit is not None else None
            scored = similar_in_pool(query, unit_ids, exclude_ids={p.pk for p in same})
            if scored:
                visible: list[Petition] = list(qs.filter(pk__in=list(scored)))  # the user's visibility decides
                by_pk = {p.pk: p for p in visible}
                found += [Candidate(by_pk[pk], round(score, 4), False) for pk, score in scored.items() if pk in by_pk]
        found.sort(key=lambda c: (c.same_filer, c.score, c.petition.pk), reverse=True)
    else:
        same = list(qs.filter(filer).order_by("-received_on", "-pk")[:limit]) if key else []
        pool = list(qs.exclude(pk__in=[p.pk for p in same]).order_by("-received_on", "-pk")[:SQLITE_POOL]) \
            if query else []
        found = [Candidate(p, round(similarity(query, p.search_text), 4), True) for p in same]
        for p in pool:
            score = similarity(query, p.search_text)
            if score >= THRESHOLD:
                found.append(Candidate(p, round(score, 4), False))
        found.sort(key=lambda c: (c.same_filer, c.score, c.petition.pk), reverse=True)
    return found[:limit]


# --------------------------------------------------------------------------- linking


@transaction.atomic
def link_duplicate(*, actor: Any, petition: Petition, original: Petition,
                   expected_version: int | None = None) -> Petition:
    """Record ``petition`` as a duplicate of ``original`` (or of the petition ``original`` duplicates).

    Links are one level deep: an original that is itself a duplicate is replaced by its own
    original, and the duplicates of ``petition`` follow it to the new original, so no chain and
    no cycle can form. ``expected_version`` defaults to the version of the ``petition`` passed
    (the one the officer looked at): a stale one is a ``ConcurrentEditError``.
    """
    expected = petition.lock_version if expected_version is None else expected_version
    fresh = lock_alive_petition(petition)
    if actor is not None:
        if not actor.has_perm("petitions.view_petition", fresh):
            raise PermissionDenied(_("You are not allowed to handle the petitions of this unit."))
        if not scope_of(actor).covers(fresh.org_unit.path, LINK_ROLES):
            raise PermissionDenied(_("Your role does not allow linking duplicates."))
    if not isinstance(original, Petition) or original.pk is None:
        raise ValidationError({"original": _("Choose a petition you can see.")})
    target = Petition.objects.select_related("org_unit").filter(pk=original.pk, deleted_at__isnull=True).first()
    seen: set[int] = set()
    while target is not None and target.duplicate_of_id is not None and target.pk not in seen:
        seen.add(target.pk)
        target = Petition.objects.select_related("org_unit").filter(
            pk=target.duplicate_of_id, deleted_at__isnull=True).first()
    if target is None or (actor is not None and not actor.has_perm("petitions.view_petition", target)):
        raise ValidationError({"original": _("Choose a petition you can see.")})
    if target.pk == fresh.pk:
        raise ValidationError({"original": _("A petition cannot be a duplicate of itself.")}
                              if original.pk == fresh.pk else
                              {"original": _("That petition is already a duplicate of this one.")})
    if fresh.lock_version != expected:
        raise ConcurrentEditError(conflict_message())
    if fresh.duplicate_of_id == target.pk:
        return fresh
    previous = fresh.duplicate_of_id
    conditional_update(Petition, fresh, expected, conflict_message(), duplicate_of=target)
    moved = Petition.objects.filter(duplicate_of=fresh).update(
        duplicate_of=target, lock_version=F("lock_version") + 1, updated_at=timezone.now())
    data = {"original": target.pk, "original_number": f"{target.number}/{target.number_year}",
            "previous": previous, "moved": moved,
            "next_due": fresh.next_due.isoformat() if fresh.next_due else None}
    PetitionEvent.objects.create(
        petition=fresh, at=timezone.now(), actor=_user(actor), action="link_duplicate", from_status=fresh.status,
        to_status=fresh.status, data=data,
    )
    audit.record("petitions.petition.link_duplicate", actor=actor, obj=fresh, org_unit=fresh.org_unit, summary={
        "number": fresh.number, "year": fresh.number_year, "original": target.pk, "previous": previous,
        "moved": moved,
    })
    if petition is not fresh:
        for f in Petition._meta.concrete_fields:
            setattr(petition, f.attname, getattr(fresh, f.attname))
    return fresh
