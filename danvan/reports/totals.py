"""Subtotals per anchor (``AnchorTotal``), recomputed from the counted figures in SQL.

One ``INSERT … SELECT … GROUP BY`` per refresh: the rows never travel through Python. The caller
runs it inside the transaction that changed the figures, after taking the period's row lock
(``_bump_data_version`` updates that row), so two reports of the same commune submitted at the same
moment cannot each write subtotals computed without the other's figures: on PostgreSQL the second
waits for the first to commit and, in READ COMMITTED, its INSERT … SELECT then sees them; SQLite
runs one writer at a time anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from .models import AnchorTotal, DataValue

CHUNK = 500  # anchors per statement: well under SQLite's parameter limit


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def refresh_anchor_totals(period_id: int, anchor_ids: Iterable[int] | None = None) -> int:
    """Recompute the subtotals of ``anchor_ids`` (every anchor of the period when None); returns rows written."""
    qn = connection.ops.quote_name
    target, source = qn(AnchorTotal._meta.db_table), qn(DataValue._meta.db_table)
    insert = (
        f"INSERT INTO {target} ({qn('period_id')}, {qn('anchor_id')}, {qn('indicator_id')}, "  # noqa: S608 (names from _meta)  # nosec B608
        f"{qn('value_sum')}, {qn('value_count')}, {qn('value_min')}, {qn('value_max')}) "
        f"SELECT {qn('period_id')}, {qn('anchor_id')}, {qn('indicator_id')}, SUM({qn('num')}), COUNT({qn('num')}), "
        f"MIN({qn('num')}), MAX({qn('num')}) FROM {source} WHERE {qn('period_id')} = %s"
    )
    group = f" GROUP BY {qn('period_id')}, {qn('anchor_id')}, {qn('indicator_id')}"
    written = 0
    with connection.cursor() as cur:
        if anchor_ids is None:
            AnchorTotal.objects.filter(period_id=period_id)._raw_delete(AnchorTotal.objects.db)
            cur.execute(insert + group, [period_id])
            return cur.rowcount
        for chunk in _chunks(sorted(set(anchor_ids))):
            AnchorTotal.objects.filter(period_id=period_id, anchor_id__in=chunk)._raw_delete(AnchorTotal.objects.db)
            marks = ", ".join(["%s"] * len(chunk))
            cur.execute(insert + f" AND {qn('anchor_id')} IN ({marks})" + group, [period_id, *chunk])
            written += max(cur.rowcount, 0)
    return written


def differing_totals(period_id: int) -> int:
    """How many (anchor, indicator) subtotals differ from the figures (missing or extra ones included)."""
    from django.db.models import Count, Max, Min, Sum

    from .models import AnchorTotal, DataValue

    kept = {
        (a, i): (s, c, lo, hi)
        for a, i, s, c, lo, hi in AnchorTotal.objects.filter(period_id=period_id).values_list(
            "anchor_id", "indicator_id", "value_sum", "value_count", "value_min", "value_max"
        )
    }
    computed = {
        (a, i): (s, c, lo, hi)
        for a, i, s, c, lo, hi in DataValue.objects.filter(period_id=period_id).order_by()
        .values_list("anchor_id", "indicator_id").annotate(s=Sum("num"), c=Count("num"), lo=Min("num"), hi=Max("num"))
    }
    keys = set(kept) | set(computed)
    return sum(1 for k in keys if not _same(kept.get(k), computed.get(k)))


def _same(a: tuple | None, b: tuple | None) -> bool:
    if a is None or b is None:
        return a is b
    return a[1] == b[1] and all(
        (x is None and y is None) or (x is not None and y is not None and abs(x - y) <= 1e-6 * max(1.0, abs(y)))
        for x, y in zip((a[0], a[2], a[3]), (b[0], b[2], b[3]), strict=True)
    )
