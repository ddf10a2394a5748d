"""Timing, statistics, the printed table and ``results.json``: what every area shares."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / ".data"
RESULTS_FILE = PACKAGE_DIR / "results.json"

# Medians need enough samples to be stable on a busy 2-core machine; the brief asks for >= 30.
DEFAULT_RUNS = 30
DEFAULT_WARMUP = 5


@dataclass
class Result:
    name: str
    value: float
    unit: str
    p95: float | None = None
    target: float | None = None  # an upper bound: the figure meets it when value <= target
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.target is None:
            return None
        if self.target == 0:
            return 0.0 if self.value == 0 else float("inf")
        return self.value / self.target

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "unit": self.unit}


@dataclass
class Timing:
    samples_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        # nearest rank: the smallest sample with at least 95 % of the samples at or below it
        rank = max(1, -(-95 * len(ordered) // 100))
        return ordered[rank - 1]


def time_ms(fn: Callable[[], Any], runs: int = DEFAULT_RUNS, warmup: int = DEFAULT_WARMUP) -> Timing:
    """Run ``fn`` ``warmup`` times untimed (caches, compiled templates, prepared plans), then time it."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return Timing(samples)


def time_once_s(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def timed_result(name: str, timing: Timing, target: float | None = None, note: str = "") -> Result:
    return Result(name, round(timing.median, 3), "ms", p95=round(timing.p95, 3), target=target, note=note)


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if value == int(value) and abs(value) < 1e12:
        return str(int(value))
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def format_table(results: Iterable[Result]) -> str:
    rows = [("name", "value", "unit", "p95", "target", "ratio", "note")]
    for r in results:
        ratio = r.ratio
        verdict = "" if ratio is None else (" ok" if ratio <= 1 else " OVER")
        rows.append((
            r.name, _fmt(r.value), r.unit, _fmt(r.p95), _fmt(r.target),
            "—" if ratio is None else f"{ratio:.2f}{verdict}", r.note,
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# Figures whose database is in their name as the issue spells it (no ``.pg.``), and figures that
# combine both databases ("both": every run of the area recomputes them from its own figure and the
# other database's stored one, so either run replaces them).
FIGURE_DATABASE: dict[str, str] = {
    "reports.aggregate_sqlite_s": "sqlite",
    "reports.aggregate_postgres_s": "postgres",
    "reports.aggregate_ratio_vs_sql": "both",
    # PostgreSQL's, although their names carry no ".pg." (issue #5 spells them so).
    **{f"petitions.{f}": "postgres" for f in (
        "worklist_median_ms", "worklist_p95_ms", "intake_per_s", "intake_errors", "overdue_scan_s", "duplicates_ms",
        "worklist_next_median_ms", "worklist_rps", "overdue_scan_catchup_s", "petitions",
    )},
    # Issue #6 names PostgreSQL's figures without ".pg."; SQLite's are "<area>.sqlite.<metric>".
    **{f"surveys.{f}": "postgres" for f in (
        "index_s", "index_by_month_s", "index_by_unit_s", "export_peak_mb", "export_csv_s", "export_xlsx_s",
        "responses",
    )},
    **{f"portal.{f}": "postgres" for f in ("page_kb", "p95_ms", "cold_p95_ms", "median_ms", "rps", "errors")},
    # Issue #8 names PostgreSQL's; SQLite's are "dashboard.sqlite.<metric>".
    **{f"dashboard.{f}": "postgres" for f in ("national_ms", "refresh_s", "read_ms", "source_rows")},
    # Issue #9 names PostgreSQL's (the load area runs on PostgreSQL only).
    **{f"load.{f}": "postgres" for f in (
        "errors", "p95_ms", "memory_growth_pct", "officials_p95_ms", "citizens_p95_ms", "median_ms", "requests",
        "requests_per_s", "memory_mb",
    )},
}


def result_owned(name: str, area: str, db: str) -> bool:
    """Whether a stored figure belongs to this (area, database) run: PostgreSQL ones carry ``.pg.``.

    ``FIGURE_DATABASE`` overrides that rule for the figures it names.
    """
    if not name.startswith(f"{area}."):
        return False
    owner = FIGURE_DATABASE.get(name)
    if owner is not None:
        return owner in (db, "both")
    is_pg = name.startswith(f"{area}.pg.")
    return is_pg if db == "postgres" else not is_pg


def merge_results(results: list[Result], area: str, db: str, path: Path = RESULTS_FILE) -> list[dict[str, Any]]:
    """Replace this area's figures for this database and keep every other one, sorted by name.

    A name is stored once: a figure this run gives replaces any stored one of the same name, even
    one ``result_owned`` would keep (an extra figure missing from ``FIGURE_DATABASE`` used to pile up).
    """
    existing: list[dict[str, Any]] = []
    if path.exists():
        existing = json.loads(path.read_text(encoding="utf-8") or "[]")
    given = {r.name for r in results}
    kept = [e for e in existing if not result_owned(e["name"], area, db) and e["name"] not in given]
    merged = sorted(kept + [r.as_json() for r in results], key=lambda e: e["name"])
    path.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return merged

