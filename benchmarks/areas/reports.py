"""Periodic reports at national scale: 100,000 reports × 60 indicators in one period, aggregated upward.

Data: the orgs area's 100,000-unit tree (``benchmarks.areas.orgs.generate``) hung under one national
unit ("Chính phủ", kind ``other``, as in the plans area) that owns a regime whose scope is the whole
country. The published form has 60 indicators a unit fills in — counts, percentages, yes/no and
money, aggregated by sum, average, min, max, share answering yes and none — plus 3 ratios worked
out from them. One 6-month period; every unit of the tree reports: about 92 % counted (accepted or
submitted; some late), the rest returned, drafts or not started; about 100 units closed during the
period after reporting (``expected`` False). Each counted report has its 60 figures both in its
working copy (``Submission.values``, which the export reads) and as ``DataValue`` rows (≈ 5.5 M),
inserted by ``executemany`` in one transaction on SQLite and by ``COPY`` on PostgreSQL; then the
subtotals per anchor (``AnchorTotal``) are built from them, as the services keep them.

Scenarios: the full upward aggregation without the cache (it reads the subtotals), against a
hand-written SQL computation of the same totals from the same subtotals in the same run — the
like-for-like ratio — and against one from the 5.5 M figures themselves (all three results are
compared; the bench fails if they differ); the rebuild of every subtotal and the refresh of one
anchor's (what each submission adds); the drill-down page's data for the largest province; and the
peak memory of the XLSX export of every report in a child process.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from benchmarks.context import RunContext
from benchmarks.core import RESULTS_FILE, Result, time_ms, timed_result

GENERATOR_VERSION = 2
SEED = 20260605
YEAR = 2026
DUE = dt.date(YEAR, 6, 5)
INPUTS = 60
SECTIONS = 10
CLOSED_UNITS = 100
BATCH = 100_000

TARGETS = {
    "aggregate_sqlite_s": 2.0,
    "aggregate_postgres_s": 1.0,
    "aggregate_ratio_vs_sql": 1.5,
    "drilldown_ms": 200.0,
    "export_peak_mb": 300.0,
}
# The aggregation takes seconds: fewer runs than the harness's default, still a median of >= 5.
SLOW_RUNS = 5
SLOW_WARMUP = 1
SAMPLE_NODES = 300

# (value type, aggregation, how many) for the 60 indicators a unit fills in.
MIX = [
    ("count", "sum", 30), ("money", "sum", 5), ("money", "max", 3), ("count", "min", 3),
    ("percentage", "average", 8), ("boolean", "share_yes", 9), ("count", "none", 2),
]
RATIOS = 3
SECTION_TITLES = [
    "Công tác tuyên truyền, quán triệt", "Tiếp công dân", "Giải quyết khiếu nại, tố cáo, kiến nghị",
    "Đối thoại với Nhân dân", "Thực hiện dân chủ ở cơ sở", "Cải cách hành chính, dịch vụ công trực tuyến",
    "Phong trào thi đua “Dân vận khéo”", "Kiểm tra, giám sát", "Khen thưởng", "Kinh phí bảo đảm",
]


# --- data ------------------------------------------------------------------------------------------


def _form() -> tuple[Any, list[tuple[int, str, str]]]:
    """The published 63-indicator form; returns it and (id, code, value type) of the 60 inputs."""
    from django.utils import timezone

    from danvan.reports.models import FormSection, FormStatus, Indicator, Question, ReportForm

    form = ReportForm.objects.create(
        code="bench-dan-van", version=1, name="Báo cáo công tác dân vận chính quyền (bench)",
        status=FormStatus.PUBLISHED, published_at=timezone.now(),
    )
    sections = FormSection.objects.bulk_create([
        FormSection(form=form, number=str(i + 1), title=t, order=i) for i, t in enumerate(SECTION_TITLES)
    ])
    kinds = [(vt, agg) for vt, agg, n in MIX for _ in range(n)]
    rng = random.Random(SEED)
    rng.shuffle(kinds)
    per = INPUTS // SECTIONS
    inds = []
    for i, (vt, agg) in enumerate(kinds):
        inds.append(Indicator(
            form=form, section=sections[i // per], code=f"i{i + 1:02d}", name=f"Chỉ tiêu {i + 1} ({vt}, {agg})",
            unit={"count": "lượt", "money": "đồng", "percentage": "%", "boolean": ""}[vt], value_type=vt,
            aggregation=agg, min_value=0, max_value=100 if vt == "percentage" else None, order=i,
        ))
    counts = [ind.code for ind in inds if ind.value_type == "count" and ind.aggregation == "sum"]
    for r in range(RATIOS):
        inds.append(Indicator(
            form=form, section=sections[-1], code=f"r{r + 1}", name=f"Tỷ lệ {r + 1}", unit="%",
            value_type="percentage", aggregation="ratio", numerator_code=counts[2 * r], denominator_code=counts[2 * r + 1],
            order=INPUTS + r,
        ))
    Indicator.objects.bulk_create(inds)
    Question.objects.create(form=form, section=sections[0], code="highlights", text="Kết quả nổi bật", order=1)
    Question.objects.create(form=form, section=sections[1], code="difficulties", text="Khó khăn, vướng mắc", order=2)
    inputs = list(Indicator.objects.filter(form=form).exclude(aggregation="ratio").order_by("order")
                  .values_list("pk", "code", "value_type"))
    assert len(inputs) == INPUTS
    return form, inputs


def _number(rng: random.Random, value_type: str) -> int | float | bool:
    if value_type == "boolean":
        return rng.random() < 0.7
    if value_type == "percentage":
        return round(rng.uniform(40, 100), 1)
    if value_type == "money":
        return rng.randrange(0, 500) * 1_000_000
    return rng.randrange(0, 200)


def _submissions(period: Any, root: Any, inputs: list[tuple[int, str, str]], rng: random.Random) -> tuple[list, dict]:
    """Every unit's submission, built in memory with ids assigned here (so the figures can name them)."""
    from django.utils import timezone

    from danvan.orgs.models import OrgUnit
    from danvan.reports.models import Submission
    from danvan.reports.tree import anchor_id_for

    units = list(OrgUnit.objects.exclude(pk=root.pk).order_by("path").values_list("pk", "path", "name"))
    admin = set(OrgUnit.objects.filter(kind__is_administrative=True).values_list("pk", flat=True))
    closed = set(rng.sample(range(len(units)), CLOSED_UNITS))
    tz = timezone.get_current_timezone()
    on_time_at = dt.datetime(YEAR, 6, 2, 9, 30, tzinfo=tz)
    late_at = dt.datetime(YEAR, 6, 12, 15, 0, tzinfo=tz)
    subs = []
    stats = {"counted": 0, "late": 0, "not_expected": 0}
    for i, (pk, path, name) in enumerate(units, start=1):
        draw = rng.random()
        status = ("accepted" if draw < 0.60 else "submitted" if draw < 0.92 else "returned" if draw < 0.94
                  else "draft" if draw < 0.97 else "not_started")
        expected = True
        if i - 1 in closed:
            status, expected = "accepted", False  # closed during the period, after reporting
        counted = status in ("accepted", "submitted")
        late = counted and rng.random() < 0.12
        values = {code: _number(rng, vt) for _pk, code, vt in inputs} if counted else {}
        when = (late_at if late else on_time_at) if counted else None
        subs.append(Submission(
            id=i, period=period, org_unit_id=pk, anchor_id=anchor_id_for(path, admin), expected=expected, status=status,
            values=values, answers={"highlights": f"{name}: hoàn thành kế hoạch"} if counted else {},
            first_submitted_at=when, submitted_at=when, is_late=late,
        ))
        stats["counted"] += counted
        stats["late"] += late
        stats["not_expected"] += not expected
    return subs, stats


def _value_rows(subs: list, period_id: int, inputs: list[tuple[int, str, str]]) -> Iterator[tuple]:
    ids = [(pk, code, vt == "boolean") for pk, code, vt in inputs]
    for s in subs:
        if s.status not in ("accepted", "submitted"):
            continue
        v = s.values
        for ind_id, code, boolean in ids:
            x = v[code]
            yield (s.id, ind_id, period_id, s.anchor_id, (1.0 if x else 0.0) if boolean else float(x))


def _insert_values(rows: Iterator[tuple]) -> int:
    """Raw inserts: ``executemany`` in one transaction on SQLite, ``COPY`` on PostgreSQL."""
    from django.db import connection, transaction

    n = 0
    columns = "(submission_id, indicator_id, period_id, anchor_id, num)"
    if connection.vendor == "sqlite":
        sql = f"INSERT INTO reports_datavalue {columns} VALUES (?, ?, ?, ?, ?)"  # noqa: S608 (constant)
        with transaction.atomic():
            raw = connection.connection
            batch: list[tuple] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    raw.executemany(sql, batch)
                    n += len(batch)
                    batch = []
            raw.executemany(sql, batch)
            n += len(batch)
        return n
    with transaction.atomic(), connection.cursor() as cur, cur.cursor.copy(
        f"COPY reports_datavalue {columns} FROM STDIN"
    ) as copy:
        buf = io.StringIO()
        for s, i, p, a, x in rows:
            buf.write(f"{s}\t{i}\t{p}\t{a}\t{x!r}\n")
            n += 1
            if n % BATCH == 0:
                copy.write(buf.getvalue())
                buf = io.StringIO()
        copy.write(buf.getvalue())
    return n


def generate() -> dict[str, Any]:
    from django.db import connection, transaction

    from benchmarks.areas import orgs
    from benchmarks.areas.plans import _national_root
    from danvan.orgs.models import OrgKind, OrgUnit
    from danvan.reports.models import Period, ReportingRegime, Submission

    tree = orgs.generate()
    root = _national_root()
    rng = random.Random(SEED)
    form, inputs = _form()
    regime = ReportingRegime.objects.create(
        name="Báo cáo công tác dân vận chính quyền (bench)", owner=root, scope_root=root, form=form,
        period_kinds=["half_year", "annual"],
    )
    regime.reporter_kinds.set(OrgKind.objects.exclude(code="other"))
    period = Period.objects.create(
        regime=regime, kind="half_year", year=YEAR, number=1, label=f"6 tháng đầu năm {YEAR}",
        starts_on=dt.date(YEAR - 1, 12, 15), ends_on=dt.date(YEAR, 5, 31), due_on=DUE,
    )
    start = time.perf_counter()
    subs, stats = _submissions(period, root, inputs, rng)
    with transaction.atomic():
        Submission.objects.bulk_create(subs, batch_size=2000)
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            with connection.cursor() as cur:
                for statement in connection.ops.sequence_reset_sql(no_style(), [Submission]):
                    cur.execute(statement)
    subs_s = time.perf_counter() - start
    start = time.perf_counter()
    values = _insert_values(_value_rows(subs, period.pk, inputs))
    values_s = time.perf_counter() - start
    # The subtotals per anchor, which the services keep in step with every report; built once here.
    from danvan.reports.totals import refresh_anchor_totals

    start = time.perf_counter()
    with transaction.atomic():
        totals = refresh_anchor_totals(period.pk)
    totals_s = time.perf_counter() - start
    if connection.vendor == "postgresql":
        # Index-only scans need the visibility map that VACUUM writes; autovacuum would, later.
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE reports_datavalue")
            cur.execute("VACUUM ANALYZE reports_submission")
            cur.execute("VACUUM ANALYZE reports_anchortotal")
    province = OrgUnit.objects.get(name=tree["largest_province"], kind__code="province")
    return {
        "units": tree["units"] + 1,
        "submissions": len(subs),
        "data_values": values,
        "indicators": INPUTS + RATIOS,
        "period_id": period.pk,
        "root_id": root.pk,
        "province_id": province.pk,
        "largest_province": province.name,
        "submissions_s": round(subs_s, 1),
        "values_s": round(values_s, 1),
        "anchor_totals": totals,
        "anchor_totals_s": round(totals_s, 1),
        **stats,
    }


# --- the hand-written SQL ---------------------------------------------------------------------------

# What a DBA would write: pre-aggregate each table by anchor, then join every anchor to each of its
# ancestors through the materialised path (9-digit segments: the prefix of length 9·n is the
# ancestor at depth n-1, found through the path index) and aggregate again per ancestor. Like ours,
# it counts yes answers as the sum of the yes/no figures (stored 1/0), not with a CASE per row.
HAND_VALUES_SQL = """
WITH lv(n) AS (VALUES (1), (2), (3), (4), (5), (6), (7), (8)),
per_anchor AS (
    SELECT anchor_id, indicator_id, SUM(num) AS s, COUNT(*) AS c, MIN(num) AS mn, MAX(num) AS mx
    FROM reports_datavalue WHERE period_id = %s GROUP BY anchor_id, indicator_id
)
SELECT a.id, pa.indicator_id, SUM(pa.s), SUM(pa.c), MIN(pa.mn), MAX(pa.mx)
FROM per_anchor pa
JOIN orgs_orgunit u ON u.id = pa.anchor_id
JOIN lv ON length(u.path) >= 9 * lv.n
JOIN orgs_orgunit a ON a.path = substr(u.path, 1, 9 * lv.n)
WHERE a.path >= %s AND a.path < %s
GROUP BY a.id, pa.indicator_id
"""
HAND_COMPLETENESS_SQL = """
WITH lv(n) AS (VALUES (1), (2), (3), (4), (5), (6), (7), (8)),
per_anchor AS (
    SELECT anchor_id,
           SUM(CASE WHEN expected THEN 1 ELSE 0 END) AS expected,
           SUM(CASE WHEN expected AND status IN ('submitted', 'accepted') THEN 1 ELSE 0 END) AS received,
           SUM(CASE WHEN expected AND status IN ('submitted', 'accepted') AND is_late THEN 1 ELSE 0 END) AS late,
           SUM(CASE WHEN NOT expected AND status IN ('submitted', 'accepted') THEN 1 ELSE 0 END) AS extra
    FROM reports_submission WHERE period_id = %s GROUP BY anchor_id
)
SELECT a.id, SUM(pa.expected), SUM(pa.received), SUM(pa.late), SUM(pa.extra)
FROM per_anchor pa
JOIN orgs_orgunit u ON u.id = pa.anchor_id
JOIN lv ON length(u.path) >= 9 * lv.n
JOIN orgs_orgunit a ON a.path = substr(u.path, 1, 9 * lv.n)
WHERE a.path >= %s AND a.path < %s
GROUP BY a.id
"""


# The same, starting from the subtotals per anchor that ours reads: the like-for-like comparison.
HAND_TOTALS_SQL = HAND_VALUES_SQL.replace(
    """SELECT anchor_id, indicator_id, SUM(num) AS s, COUNT(*) AS c, MIN(num) AS mn, MAX(num) AS mx
    FROM reports_datavalue WHERE period_id = %s GROUP BY anchor_id, indicator_id""",
    """SELECT anchor_id, indicator_id, value_sum AS s, value_count AS c, value_min AS mn, value_max AS mx
    FROM reports_anchortotal WHERE period_id = %s""",
)
assert HAND_TOTALS_SQL != HAND_VALUES_SQL


def hand_written(period_id: int, root_path: str, *, from_figures: bool = False) -> tuple[list[tuple], list[tuple]]:
    from django.db import connection

    from danvan.orgs.paths import next_prefix

    params: list[Any] = [period_id, root_path, next_prefix(root_path)]
    with connection.cursor() as cur:
        cur.execute(HAND_VALUES_SQL if from_figures else HAND_TOTALS_SQL, params)
        values = cur.fetchall()
        cur.execute(HAND_COMPLETENESS_SQL, params)
        completeness = cur.fetchall()
    return values, completeness


def check_same_totals(agg: Any, hand: tuple[list[tuple], list[tuple]], sample: int = SAMPLE_NODES) -> int:
    """Compare our cells and rates with the SQL's for a sample of units (every indicator); raise if any differs."""
    values, completeness = hand
    by_unit: dict[int, dict[int, tuple]] = {}
    boolean = {i.id for i in agg.spec.indicators if i.value_type == "boolean"}
    for unit_id, ind_id, s, c, mn, mx in values:
        by_unit.setdefault(unit_id, {})[ind_id] = (
            float(s), int(c), float(mn), float(mx), int(s) if ind_id in boolean else 0
        )
    comp = {row[0]: tuple(int(x) for x in row[1:]) for row in completeness}
    assert set(by_unit) == {pk for pk, n in agg.nodes.items() if n.cells}, "the sets of units with figures differ"
    assert set(comp) == set(agg.nodes), "the sets of units with reports differ"
    rng = random.Random(SEED)
    ids = sorted(agg.nodes)
    chosen = [agg.root_id, *rng.sample(ids, min(sample, len(ids)))]
    compared = 0
    for pk in chosen:
        node = agg.nodes[pk]
        theirs = by_unit.get(pk, {})
        assert set(theirs) == set(node.cells), f"unit {pk}: indicators differ"
        for ind_id, (s, c, mn, mx, y) in theirs.items():
            cell = node.cells[ind_id]
            ok = (math.isclose(cell.sum, s, rel_tol=1e-9) and cell.count == c and cell.min == mn and cell.max == mx
                  and cell.yes == y)
            assert ok, f"unit {pk}, indicator {ind_id}: ours {cell}, SQL {(s, c, mn, mx, y)}"
            compared += 1
        mine = node.completeness
        assert (mine.expected, mine.received, mine.late, mine.extra) == comp[pk], (
            f"unit {pk}: completeness ours {mine}, SQL {comp[pk]}"
        )
    return compared


# --- scenarios --------------------------------------------------------------------------------------


def _plan(sql: str, params: list[Any]) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cur.fetchall())
        cur.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cur.fetchall())


def _stored(name: str) -> float | None:
    if not RESULTS_FILE.exists():
        return None
    for entry in json.loads(RESULTS_FILE.read_text(encoding="utf-8") or "[]"):
        if entry["name"] == name:
            return float(entry["value"])
    return None


def _export_in_child(period_id: int, root_id: int) -> dict[str, Any] | None:
    """Peak memory (VmHWM) of a child process writing the XLSX of every report under the root."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.areas.reports", "export", str(period_id), str(root_id)],
        env=dict(os.environ), check=False, capture_output=True, text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"the export child failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return None if result.get("missing") else result


def run(ctx: RunContext) -> list[Result]:
    from django.core.cache import cache
    from django.db import connection

    from danvan.orgs.models import OrgUnit
    from danvan.reports.aggregation import aggregate_period, cache_key, compute_aggregate, values_query
    from danvan.reports.drilldown import drilldown
    from danvan.reports.models import Period

    n = ctx.name
    results: list[Result] = []
    period = Period.objects.select_related("regime__form", "regime__scope_root").get(pk=ctx.counts["period_id"])
    root = period.regime.scope_root
    province = OrgUnit.objects.get(pk=ctx.counts["province_id"])

    # 1. The full upward aggregation without the cache, and the hand-written SQL, in the same run.
    agg = compute_aggregate(period)
    ours = time_ms(lambda: compute_aggregate(period), SLOW_RUNS, SLOW_WARMUP)
    hand = hand_written(period.pk, root.path)
    sql = time_ms(lambda: hand_written(period.pk, root.path), SLOW_RUNS, SLOW_WARMUP)
    compared = check_same_totals(agg, hand)
    # The same totals straight from the 5.5 M figures (no subtotals), checked equal too.
    raw = hand_written(period.pk, root.path, from_figures=True)
    raw_sql = time_ms(lambda: hand_written(period.pk, root.path, from_figures=True), 3, 1)
    check_same_totals(agg, raw)
    # Rebuilding every subtotal from the figures (what `danvan reports rebuild-totals` does).
    from django.db import transaction

    from danvan.reports.totals import refresh_anchor_totals

    def rebuild() -> None:
        with transaction.atomic():
            refresh_anchor_totals(period.pk)

    rebuilt = time_ms(rebuild, 3, 0)
    submit_one = _time_one_submission(period)
    print(f"[reports/{ctx.db}] ours and the hand-written SQL agree on {compared:,} cells "
          f"({len(agg.nodes):,} units with figures or reports)", file=sys.stderr)
    db_name = "sqlite" if ctx.db == "sqlite" else "postgres"
    results.append(Result(
        f"reports.aggregate_{db_name}_s", round(ours.median / 1000, 3), "s", p95=round(ours.p95 / 1000, 3),
        target=TARGETS[f"aggregate_{db_name}_s"],
        note=f"compute_aggregate(), median of {SLOW_RUNS}; {len(agg.nodes):,} nodes, {ctx.counts['data_values']:,} figures",
    ))
    results.append(Result(n("aggregate_sql_s"), round(sql.median / 1000, 3), "s", p95=round(sql.p95 / 1000, 3),
                          note="hand-written SQL, same totals from the same subtotals per anchor"))
    results.append(Result(n("aggregate_raw_sql_s"), round(raw_sql.median / 1000, 3), "s",
                          note="hand-written SQL, same totals from the figures themselves (no subtotals)"))
    results.append(Result(n("rebuild_totals_s"), round(rebuilt.median / 1000, 3), "s",
                          note=f"every subtotal recomputed from {ctx.counts['data_values']:,} figures, median of 3"))
    results.append(Result(n("subtotal_refresh_ms"), round(submit_one, 2), "ms",
                          note="refreshing one anchor's subtotals, the cost added to each submission"))
    own_ratio = round(ours.median / sql.median, 3)
    results.append(Result(n("aggregate_vs_sql_ratio"), own_ratio, "×", note=f"{db_name}: ours / hand-written"))
    other = _stored("reports.pg.aggregate_vs_sql_ratio" if ctx.db == "sqlite" else "reports.aggregate_vs_sql_ratio")
    larger = max(own_ratio, other) if other is not None else own_ratio
    results.append(Result(
        "reports.aggregate_ratio_vs_sql", larger, "×", target=TARGETS["aggregate_ratio_vs_sql"],
        note=f"larger of {db_name} {own_ratio}" + (f" and the other database's stored {other}" if other else " (other db not run)"),
    ))
    sql_text, sql_params = values_query(period).query.sql_with_params()
    print(f"[reports/{ctx.db}] plan of the figures query:\n{_plan(sql_text, list(sql_params))}\n", file=sys.stderr)

    # 2. The cache: what a second reader pays (pickled in LocMemCache here, as in Redis or the database cache).
    cache.clear()
    aggregate_period(period)
    key = cache_key(period, root.pk)
    results.append(timed_result(n("aggregate_cached_ms"), time_ms(lambda: cache.get(key), ctx.runs, ctx.warmup),
                                note="national aggregate read back from the cache"))
    import pickle

    results.append(Result(n("aggregate_pickle_mb"), round(len(pickle.dumps(agg, pickle.HIGHEST_PROTOCOL)) / 2**20, 1),
                          "MB", note="size of the cached national aggregate"))

    # 3. The drill-down page's data for the largest province, computed for its subtree (cache emptied each time).
    page = drilldown(period, province)
    assert page["node"]["completeness"].expected > 0 and page["children"], "the province page is empty"

    def fresh_drilldown() -> None:
        cache.clear()
        drilldown(period, province)

    results.append(timed_result(
        n("drilldown_ms"),
        time_ms(fresh_drilldown, ctx.runs, ctx.warmup), TARGETS["drilldown_ms"],
        note=f"{province.name}: {len(page['children'])} communes, {len(page['reports'])} own reporters, not cached",
    ))
    results.append(timed_result(n("drilldown_cached_ms"), time_ms(lambda: drilldown(period, province), ctx.runs,
                                                                    ctx.warmup), note="the same, aggregate cached"))

    # 4. The XLSX export of every report (100,000 rows), in a child process.
    export = _export_in_child(period.pk, root.pk)
    if export is None:
        print("[reports] danvan.reports.export.write_values_xlsx is not there yet: export_peak_mb skipped",
              file=sys.stderr)
    else:
        results.append(Result(
            n("export_peak_mb"), export["peak_mb"], "MB",
            target=TARGETS["export_peak_mb"],
            note=(f"{export['rows']:,} rows in {export['seconds']} s, {export['size_mb']} MB file; "
                  f"process before export {export['baseline_mb']} MB"),
        ))
    results.append(Result(n("data_values"), ctx.counts["data_values"], "rows"))
    connection.close()
    return results


def _time_one_submission(period: Any) -> float:
    """Median time of refreshing the subtotals of one commune anchor, as a submission does."""
    from django.db import transaction

    from danvan.reports.models import Submission
    from danvan.reports.totals import refresh_anchor_totals

    anchor_id = Submission.objects.filter(period=period).exclude(anchor_id=period.regime.scope_root_id) \
        .values_list("anchor_id", flat=True).first()

    def once() -> None:
        with transaction.atomic():
            refresh_anchor_totals(period.pk, [anchor_id])

    return time_ms(once, 30, 3).median


def _peak_rss_mb() -> float:
    """This process's peak resident memory. ``VmHWM`` rather than ``ru_maxrss``: on Linux the latter
    keeps the parent's peak across fork and exec, so a child started by a 400 MB bench reports 400 MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _export_child(period_id: int, root_id: int) -> dict[str, Any]:
    import django

    django.setup()
    from danvan.orgs.models import OrgUnit
    from danvan.reports.models import Period, Submission

    try:
        from danvan.reports.export import write_values_xlsx
    except ImportError:
        return {"missing": True}
    period = Period.objects.select_related("regime__form").get(pk=period_id)
    root = OrgUnit.objects.get(pk=root_id)
    rows = Submission.objects.filter(period=period).count()
    baseline = _peak_rss_mb()
    with tempfile.TemporaryDirectory(prefix="danvan-bench-") as tmp:
        path = os.path.join(tmp, "values.xlsx")
        start = time.perf_counter()
        with open(path, "wb") as out:
            write_values_xlsx(period, root, out)
        seconds = time.perf_counter() - start
        size = os.path.getsize(path)
    peak = _peak_rss_mb()
    return {"peak_mb": round(peak, 1), "baseline_mb": round(baseline, 1), "rows": rows,
            "seconds": round(seconds, 1), "size_mb": round(size / 2**20, 1)}


if __name__ == "__main__":  # the export child: python -m benchmarks.areas.reports export <period> <root>
    if len(sys.argv) == 4 and sys.argv[1] == "export":
        print(json.dumps(_export_child(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        sys.exit("usage: python -m benchmarks.areas.reports export <period id> <root id>")
