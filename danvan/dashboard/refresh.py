"""The pre-aggregation: every figure of every unit, computed ahead so that a dashboard page reads a few rows.

``refresh()`` asks each registered figure's provider for the period's numbers of the units holding
records (one grouped query each), adds numerators and denominators to every ancestor of those units
(the ancestors are the ids in the unit's materialised path, so no query walks the tree), then
replaces the Figure rows of the periods refreshed and records the ``Refresh`` — in one transaction,
so a page never sees half of a refresh. It runs from cron every 4 minutes (``danvan dashboard
refresh``) or as the task ``dashboard.tasks.refresh_figures``; the figures a page shows are at most
one run (4 minutes, plus the run's own length of ~15 s: under 5 minutes) old, and the page shows ``last_refresh().finished_at``.

The reads happen before the write transaction: the transaction only deletes and inserts, so it
holds its locks for seconds even nationally. Two runs at once are serialised on the write (an
advisory lock on PostgreSQL; SQLite's writes are serialised already); the later one wins.

A provider that fails leaves that figure's rows of that period as they were (stale, not wrong)
and is named in ``Refresh.error``; the others are refreshed. No audit event: figures are derived
from audited records, and the ``Refresh`` rows are the log of the runs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_ids

from . import providers, registry
from .models import Figure, Refresh
from .registry import PeriodRange

logger = logging.getLogger(__name__)

INTERVAL = dt.timedelta(minutes=4)  # how often cron runs it: with a national run of ~15 s, figures stay under 5 minutes old
KEEP_RUNS_FOR = dt.timedelta(days=7)  # older Refresh rows are pruned (one every 4 minutes adds up)
BATCH = 5000
_LOCK_KEY = 8_020_001  # the advisory lock of the write on PostgreSQL


def _periods(periods: Sequence[PeriodRange | str] | None, today: dt.date) -> list[PeriodRange]:
    if periods is None:
        return registry.default_periods(today)
    out: dict[str, PeriodRange] = {}
    for p in periods:
        pr = registry.parse_period(p, today) if isinstance(p, str) else p
        out.setdefault(pr.key, pr)
    return list(out.values())


@lru_cache(maxsize=200_000)
def _ancestors(path: str) -> tuple[int, ...]:
    return tuple(ancestor_ids(path))


def roll_up(data: dict[int, registry.Numbers], paths: dict[int, str]) -> dict[int, list[float | None]]:
    """``{unit: [numerator, denominator]}`` of every unit holding records and of each of its ancestors.

    A denominator stays None (a count) unless some unit below gave one. Units unknown to the tree
    (deleted since) are skipped.
    """
    totals: dict[int, list[float | None]] = {}
    for unit, (num, den) in data.items():
        path = paths.get(unit)
        if path is None or num is None:
            continue
        for anc in _ancestors(path):
            acc = totals.get(anc)
            if acc is None:
                acc = totals[anc] = [0.0, None]
            acc[0] = (acc[0] or 0.0) + num
            if den is not None:
                acc[1] = (acc[1] or 0.0) + den
    return totals


def compute(periods: Iterable[PeriodRange], figures: Iterable[registry.FigureDef], paths: dict[int, str],
            at: dt.datetime) -> tuple[list[Figure], set[tuple[str, str]], list[str]]:
    """(rows to write, (key, period) pairs computed, errors) — reads only."""
    rows: list[Figure] = []
    done: set[tuple[str, str]] = set()
    errors: list[str] = []
    for period in periods:
        for fig in figures:
            try:
                data = fig.provider(period)
            except Exception as exc:  # noqa: BLE001 - one module's failure must not stop the others' figures
                logger.exception("dashboard figure %s for %s failed", fig.key, period.key)
                errors.append(f"{fig.key} {period.key}: {type(exc).__name__}: {exc}"[:500])
                continue
            for unit, (num, den) in roll_up(data, paths).items():
                rows.append(Figure(org_unit_id=unit, key=fig.key, period=period.key, numerator=num, denominator=den,
                                   value=fig.value(num, den), computed_at=at))
            done.add((fig.key, period.key))
    return rows, done, errors


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _replace(rows: list[Figure], done: set[tuple[str, str]]) -> None:
    by_period: dict[str, list[str]] = {}
    for key, period in done:
        by_period.setdefault(period, []).append(key)
    q = Q()
    for period, keys in by_period.items():
        q |= Q(period=period, key__in=sorted(keys))
    if by_period:
        Figure.objects.filter(q).delete()
    if connection.vendor == "postgresql":
        _copy(rows)
    else:
        Figure.objects.bulk_create(rows, batch_size=BATCH)


def _copy(rows: list[Figure]) -> None:
    """PostgreSQL's COPY: several times faster than INSERT for the ~100,000s of rows of a national refresh."""
    table = Figure._meta.db_table
    cols = ("org_unit_id", "key", "period", "numerator", "denominator", "value", "computed_at")
    with connection.cursor() as cur, cur.cursor.copy(  # type: ignore[attr-defined]
        f"COPY {table} ({', '.join(cols)}) FROM STDIN"  # noqa: S608 - fixed names
    ) as copy:
        for r in rows:
            copy.write_row((r.org_unit_id, r.key, r.period, r.numerator, r.denominator, r.value, r.computed_at))


def refresh(periods: Sequence[PeriodRange | str] | None = None, now: dt.datetime | None = None) -> Refresh:
    """Recompute the figures of ``periods`` (default: this year, its quarters so far, last year)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    chosen = _periods(periods, today)
    run = Refresh.objects.create(started_at=timezone.now(), periods=[p.key for p in chosen])
    try:
        paths = dict(OrgUnit.objects.order_by().values_list("pk", "path"))
        rows, done, errors = compute(chosen, registry.figures(), paths, now)
        with transaction.atomic():
            _lock()
            _replace(rows, done)
            run.finished_at = timezone.now()
            run.figures = len(rows)
            run.error = "\n".join(errors)
            run.save(update_fields=["finished_at", "figures", "error"])
            Refresh.objects.filter(started_at__lt=now - KEEP_RUNS_FOR).delete()
    except Exception as exc:
        Refresh.objects.filter(pk=run.pk).update(error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    finally:
        _ancestors.cache_clear()
        providers.clear_caches()
    return run


def last_refresh() -> Refresh | None:
    """The latest run that wrote its figures: the time a page shows for them."""
    return Refresh.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()


def is_stale(run: Refresh | None, now: dt.datetime | None = None) -> bool:
    """No run yet, or the last one finished longer ago than two intervals (cron stopped?)."""
    if run is None or run.finished_at is None:
        return True
    return (now or timezone.now()) - run.finished_at > 2 * INTERVAL


def read(unit_ids: Iterable[int], period: str, keys: Iterable[str] | None = None) -> dict[tuple[int, str], Figure]:
    """``{(unit id, key): Figure}`` of the units for one period, in one query (absent = not available)."""
    qs = Figure.objects.filter(period=period, org_unit_id__in=list(unit_ids))
    if keys is not None:
        qs = qs.filter(key__in=list(keys))
    return {(f.org_unit_id, f.key): f for f in qs.order_by()}


def figure_value(fig: Figure | None) -> float | None:
    return None if fig is None else fig.value

