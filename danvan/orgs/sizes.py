"""How many units a subtree holds, roughly: for choosing a query plan, never for deciding what anyone sees.

Two hot reads pick between a plan for a few units and a plan for many: the work list (by unit, or
in deadline order) and intake's over-level check (one index range per unit, or the newest rows).
They used to count the scope's units first, a round trip on every call for a number that changes
when the tree is reorganised. The count is now kept in each process for ``TTL`` seconds. A stale
count can only pick the slower of two plans for a while: both plans return the same rows, because
the rows are always filtered by the scope itself, never by this number.
"""

from __future__ import annotations

import threading
import time

from django.db import connection

from .paths import next_prefix

TTL = 600.0
CAP = 1000  # counted up to this: every threshold that uses the size is below it
_MAX_ENTRIES = 50_000

_COUNT_SQL = "SELECT COUNT(*) FROM (SELECT 1 FROM orgs_orgunit WHERE path >= %s AND path < %s LIMIT %s) units"
_sizes: dict[str, tuple[float, int]] = {}
_lock = threading.Lock()


def subtree_size(path: str) -> int:
    """Units in the subtree at ``path``, itself included, up to ``CAP`` + 1 (more counts as many)."""
    now = time.monotonic()
    hit = _sizes.get(path)
    if hit is not None and now - hit[0] < TTL:
        return hit[1]
    with connection.cursor() as cursor:  # a fixed statement: the ORM's compiling cost more than the count
        cursor.execute(_COUNT_SQL, [path, next_prefix(path), CAP + 1])
        n = int(cursor.fetchone()[0])
    with _lock:
        if len(_sizes) >= _MAX_ENTRIES:
            _sizes.clear()
        _sizes[path] = (now, n)
    return n


def scope_size(paths: list[str]) -> int:
    """Units under any of ``paths`` (minimal prefixes, so no unit is counted twice)."""
    return sum(subtree_size(p) for p in paths)


def forget() -> None:
    """Drop every remembered size (after the tree changes in this process; between tests)."""
    with _lock:
        _sizes.clear()
