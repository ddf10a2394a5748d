"""Citizen satisfaction surveys at national scale: 1,000,000 SIPAS responses over twelve months.

Data: the orgs area's 100,000-unit tree hung under one national unit ("Chính phủ"), as in the
reports and petitions areas; one SIPAS survey per province, created and published through the
builder's services (``template="sipas"``: five elements, 22 criteria asked as assessment and
satisfaction, the expectations); two one-stop desks in every commune. The responses are about the
province's communes (busier communes get more), their desks and the services of the catalogue,
spread over the last 365 days (quiet weekends). Each province has its own mood, so the index
differs from one to the next, and within it each respondent's answers scatter around a personal
mood: not everybody is satisfied. Answers come from a pool of 20,000 generated questionnaires whose
masks are computed once with ``scoring.masks`` on each version's plan, exactly as a saved response
gets them; about 0.3 % are voided. Rows go in with ``COPY`` on PostgreSQL (secondary indexes
dropped, FK triggers off, indexes rebuilt after) and ``executemany`` in 50,000-row transactions on
SQLite.

Scenarios: ``surveys.index_s`` — ``index.unit_index`` of the national unit over the twelve months
(every response: the one grouped query over the two mask columns), median of several runs;
``surveys.export_peak_mb`` — ``export.stream_csv`` and ``export.write_xlsx`` of all the responses,
each in a child process that reports its own peak resident memory (``VmHWM``), the larger of the
two. ``BENCH_SURVEYS=100000`` makes a smaller data set for trying the harness.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from typing import Any

from benchmarks.context import RunContext
from benchmarks.core import Result

SCALE = int(os.environ.get("BENCH_SURVEYS", "1000000"))
# The data set's size is part of its version, so a small trial run never passes for the full one.
GENERATOR_BASE = 1
GENERATOR_VERSION = GENERATOR_BASE * 100_000 + min(SCALE // 1000, 99_999)
SEED = 20261106
DAYS = 365
POOL = 20_000
MOODS = (3.0, 3.6, 4.0, 4.3, 4.6)  # the mean answer of a respondent of each mood
DESKS_PER_COMMUNE = 2
VOID_SHARE = 0.003
BATCH = 50_000
INDEX_RUNS = 7
INDEX_WARMUP = 1

TARGETS = {"index_s": 2.0, "export_peak_mb": 300.0}
# PostgreSQL's figures carry the names the issue gives (benchmarks.core.FIGURE_DATABASE); SQLite's
# are ``surveys.sqlite.*``.

COLUMNS = (
    "survey_id", "version_id", "org_unit_id", "service_id", "desk_id", "officer_id", "channel", "submitted_at",
    "submitted_on", "answers", "element_answered", "element_satisfied", "token_id", "scan_session",
    "idempotency_key", "client_hash", "answers_hash", "recorded_by_id", "voided_at", "voided_by_id", "void_reason",
)
EXPECTATIONS = [
    "Mong cán bộ hướng dẫn kỹ hơn", "Cần thêm ghế chờ", "Rút ngắn thời gian trả kết quả", "Không có ý kiến",
    "Niêm yết thủ tục rõ hơn", "Nên có máy lấy số thứ tự", "Cán bộ nhiệt tình, cảm ơn",
    "Mở thêm quầy vào buổi sáng", "Trả lời góp ý nhanh hơn", "Phòng chờ hơi nóng, cần quạt",
]


def name(ctx: RunContext, metric: str) -> str:
    return f"surveys.{metric}" if ctx.db == "postgres" else f"surveys.sqlite.{metric}"


# --- data ------------------------------------------------------------------------------------------


def _questions(version: Any) -> list[Any]:
    from danvan.surveys.models import Question

    return list(Question.objects.filter(section__version=version).order_by("section__order", "order"))


def _answers(rng: random.Random, questions: Sequence[Any], mood: float, service_codes: Sequence[str]) -> dict[str, Any]:
    """One respondent's questionnaire: Likert answers scattered around the mood, a few words sometimes."""
    from danvan.surveys.responses import options

    out: dict[str, Any] = {}
    for q in questions:
        if q.kind == "likert":
            if not q.required and rng.random() < 0.05:
                continue
            out[q.key] = min(5, max(1, round(rng.gauss(mood, 0.7))))
        elif q.kind == "choice":
            values = [v for v, _label in options(q)] or list(service_codes)
            if values and (q.required or rng.random() < 0.8):
                out[q.key] = rng.choice(values)
        elif q.kind == "multi":
            values = [v for v, _label in options(q)]
            if values and rng.random() < 0.5:
                out[q.key] = sorted(rng.sample(values, rng.randint(1, min(2, len(values)))))
        elif q.kind == "text" and rng.random() < 0.12:
            out[q.key] = rng.choice(EXPECTATIONS)[: q.max_length]
    return out


def answer_pool(questions: Sequence[Any], service_codes: Sequence[str], seed: int = SEED
                ) -> list[list[dict[str, Any]]]:
    """``POOL`` questionnaires, split by mood: ``pool[m]`` answers around ``MOODS[m]``."""
    rng = random.Random(seed)
    per = POOL // len(MOODS)
    return [[_answers(rng, questions, mood, service_codes) for _ in range(per)] for mood in MOODS]


def _province_moods(provinces: Sequence[int], rng: random.Random) -> dict[int, list[float]]:
    """Cumulative weights over ``MOODS`` per province: some provinces serve citizens better than others."""
    out = {}
    for pk in provinces:
        centre = rng.uniform(1.8, 3.8)  # index into MOODS
        weights = [max(0.05, 1.6 - abs(i - centre)) for i in range(len(MOODS))]
        total, acc, cum = sum(weights), 0.0, []
        for w in weights:
            acc += w / total
            cum.append(acc)
        out[pk] = cum
    return out


def day_weights(start: dt.date, days: int) -> list[float]:
    weights = []
    for i in range(days):
        weekday = (start + dt.timedelta(days=i)).weekday()
        weights.append(1.0 if weekday < 5 else (0.35 if weekday == 5 else 0.05))
    return weights


def _cum(weights: Sequence[float]) -> list[float]:
    acc, out = 0.0, []
    for w in weights:
        acc += w
        out.append(acc)
    return out


def response_rows(
    surveys: dict[int, tuple[int, int, int]], communes: dict[int, list[int]], desks: dict[int, list[int]],
    services: dict[str, int], pool: list[list[tuple[str, int, int, str, str]]], today: dt.date, total: int,
    seed: int = SEED,
) -> Iterator[tuple[Any, ...]]:
    """Every response as a tuple in ``COLUMNS`` order (Python values; ``None`` for NULL).

    ``surveys``: province id -> (survey id, version id, plan index); ``communes``: province id -> its
    communes; ``pool[plan][i]``: (answers JSON, answered mask, satisfied mask, answers hash, service code).
    """
    rng = random.Random(seed)
    provinces = sorted(surveys)
    moods = _province_moods(provinces, rng)
    # A province's share follows its number of communes; within it, communes are unequally busy.
    unit_list: list[tuple[int, int]] = []
    unit_weights: list[float] = []
    for p in provinces:
        for c in communes.get(p, []):
            unit_list.append((p, c))
            unit_weights.append(rng.lognormvariate(0, 0.7))
    cum_units = _cum(unit_weights)
    start = today - dt.timedelta(days=DAYS - 1)
    cum_days = _cum(day_weights(start, DAYS))
    per_mood = len(pool[0]) // len(MOODS)
    void_at = dt.datetime.combine(today, dt.time(16), tzinfo=dt.UTC)
    picks_unit = rng.choices(range(len(unit_list)), cum_weights=cum_units, k=total)
    picks_day = rng.choices(range(DAYS), cum_weights=cum_days, k=total)
    # Oldest first, as they would have arrived.
    order = sorted(range(total), key=picks_day.__getitem__)
    for i in order:
        province, commune = unit_list[picks_unit[i]]
        survey_id, version_id, plan = surveys[province]
        mood = rng.choices(range(len(MOODS)), cum_weights=moods[province])[0]
        answers, answered, satisfied, ahash, service_code = pool[plan][mood * per_mood + rng.randrange(per_mood)]
        day = start + dt.timedelta(days=picks_day[i])
        at = dt.datetime.combine(day, dt.time(7 + rng.randrange(10), rng.randrange(60), rng.randrange(60)),
                                 tzinfo=dt.timezone(dt.timedelta(hours=7)))
        commune_desks = desks.get(commune, [])
        desk = rng.choice(commune_desks) if commune_desks and rng.random() < 0.85 else None
        channel = "web" if rng.random() < 0.9 else "paper"
        voided = rng.random() < VOID_SHARE
        yield (
            survey_id, version_id, commune, services.get(service_code) if service_code else None, desk, None,
            channel, at, day, answers, answered, satisfied, None, "", "",
            f"{rng.getrandbits(64):016x}" if channel == "web" else "", ahash, None,
            void_at if voided else None, None, "Phiếu trùng lặp" if voided else "",
        )


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _secondary_indexes(cur: Any) -> list[tuple[str, str]]:
    cur.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'surveys_response' "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
    )
    return list(cur.fetchall())


def insert_responses(rows: Iterator[tuple[Any, ...]]) -> tuple[int, float, float]:
    """(rows, seconds loading, seconds rebuilding indexes) — COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection, transaction

    n = 0
    start = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            indexes = _secondary_indexes(cur)
        with transaction.atomic(), connection.cursor() as cur:
            for index_name, _definition in indexes:
                cur.execute(f'DROP INDEX "{index_name}"')
            cur.execute("SET LOCAL session_replication_role = replica")  # the bench user is the cluster's superuser
            with cur.cursor.copy(f"COPY surveys_response ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                buf = io.StringIO()
                for row in rows:
                    buf.write("\t".join(_copy_text(v) for v in row))
                    buf.write("\n")
                    n += 1
                    if n % BATCH == 0:
                        copy.write(buf.getvalue())
                        buf = io.StringIO()
                        if n % 200_000 == 0:
                            print(f"[surveys] {n:,} responses copied ({time.perf_counter() - start:.0f} s)",
                                  file=sys.stderr)
                copy.write(buf.getvalue())
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '512MB'")
            for _index_name, definition in indexes:
                cur.execute(definition)
            cur.execute("RESET maintenance_work_mem")
            # VACUUM cannot run in a transaction (the generator's tests run in one): ANALYZE can.
            cur.execute("ANALYZE surveys_response" if connection.in_atomic_block else "VACUUM ANALYZE surveys_response")
        return n, load_s, time.perf_counter() - start
    sql = (f"INSERT INTO surveys_response ({', '.join(COLUMNS)}) "  # noqa: S608 (fixed column names)
           f"VALUES ({', '.join(['%s'] * len(COLUMNS))})")
    batch: list[tuple[Any, ...]] = []
    # Stored as Django stores them on SQLite (UTC text), so that comparisons and reads agree with the ORM's.
    at_cols = {COLUMNS.index("submitted_at"), COLUMNS.index("voided_at")}
    day_col = COLUMNS.index("submitted_on")
    adapt_at, adapt_day = connection.ops.adapt_datetimefield_value, connection.ops.adapt_datefield_value

    def flush() -> None:
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql, batch)
        batch.clear()

    for row in rows:
        batch.append(tuple(adapt_at(v) if i in at_cols else adapt_day(v) if i == day_col else v
                           for i, v in enumerate(row)))
        n += 1
        if len(batch) >= BATCH:
            flush()
            if n % 200_000 == 0:
                print(f"[surveys] {n:,} responses inserted ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    if batch:
        flush()
    return n, time.perf_counter() - start, 0.0


def _desks(communes: Sequence[int]) -> dict[int, list[int]]:
    from danvan.surveys.models import Desk

    Desk.objects.bulk_create(
        [Desk(org_unit_id=c, code=f"quay-{k}", name=f"Quầy một cửa số {k}")
         for c in communes for k in range(1, DESKS_PER_COMMUNE + 1)],
        batch_size=5000,
    )
    out: dict[int, list[int]] = {}
    for pk, unit in Desk.objects.values_list("pk", "org_unit_id"):
        out.setdefault(unit, []).append(pk)
    return out


def build_surveys(provinces: Sequence[Any]) -> tuple[dict[int, tuple[int, int, int]], list[list[Any]]]:
    """One published SIPAS survey per province (the builder's services); the scored answer pool per plan."""
    from danvan.surveys import scoring, services
    from danvan.surveys.models import Service
    from danvan.surveys.responses import answers_hash

    service_codes = list(Service.objects.filter(is_active=True).values_list("code", flat=True))
    surveys: dict[int, tuple[int, int, int]] = {}
    plans: dict[Any, int] = {}
    pools: list[list[Any]] = []
    raw_pool: list[list[dict[str, Any]]] | None = None
    for province in provinces:
        survey = services.create_survey(
            actor=None, org_unit=province, title=f"Khảo sát sự hài lòng về dịch vụ hành chính công — {province.name}",
            template="sipas",
        )
        services.publish(actor=None, survey=survey, expected_version=survey.lock_version)
        version = survey.versions.get(number=1)
        plan = scoring.plan_for(version)
        if raw_pool is None:  # every province's version is the same template: one pool of answers
            raw_pool = [[a for a in mood] for mood in answer_pool(_questions(version), service_codes)]
        if plan not in plans:
            plans[plan] = len(pools)
            scored = []
            for mood in raw_pool:
                for a in mood:
                    answered, satisfied = scoring.masks(plan, a)
                    code = a.get("service") if isinstance(a.get("service"), str) else ""
                    scored.append((json.dumps(a, ensure_ascii=False, separators=(", ", ": ")), answered, satisfied,
                                   answers_hash(a), code))
            pools.append(scored)
        surveys[province.pk] = (survey.pk, version.pk, plans[plan])
    return surveys, pools


def generate() -> dict[str, Any]:
    from django.utils import timezone

    from benchmarks.areas import orgs
    from benchmarks.areas.plans import _national_root
    from danvan.orgs.models import OrgUnit
    from danvan.surveys.models import Response, Service

    tree = orgs.generate()
    root = _national_root()
    provinces = list(OrgUnit.objects.filter(kind__code="province").order_by("path"))
    communes: dict[int, list[int]] = {}
    by_path = {p.path: p.pk for p in provinces}
    plen = len(provinces[0].path)
    for pk, path in OrgUnit.objects.filter(kind__code="commune", valid_to__isnull=True).values_list("pk", "path"):
        province = by_path.get(path[:plen])
        if province is not None:
            communes.setdefault(province, []).append(pk)
    start = time.perf_counter()
    desks = _desks([c for cs in communes.values() for c in cs])
    surveys, pools = build_surveys(provinces)
    services = dict(Service.objects.values_list("code", "pk"))
    setup_s = time.perf_counter() - start
    today = timezone.localdate()
    n, load_s, index_s = insert_responses(
        response_rows(surveys, communes, desks, services, pools, today, SCALE))
    return {
        "units": tree["units"] + 1, "root_id": root.pk, "surveys": len(surveys), "desks": sum(map(len, desks.values())),
        "responses": n, "voided": Response.objects.filter(voided_at__isnull=False).count(),
        "generated_on": today.isoformat(), "setup_s": round(setup_s, 1), "load_s": round(load_s, 1),
        "indexes_s": round(index_s, 1),
    }


# --- scenarios --------------------------------------------------------------------------------------


def _timed(fn: Any, runs: int = INDEX_RUNS, warmup: int = INDEX_WARMUP) -> tuple[float, float, Any]:
    """(median s, slowest s, last value) of ``runs`` calls after ``warmup`` untimed ones."""
    value = None
    for _ in range(warmup):
        value = fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        value = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), max(samples), value


def index_scenarios(ctx: RunContext) -> list[Result]:
    from django.utils import timezone

    from danvan.orgs.models import OrgUnit
    from danvan.surveys import index

    root = OrgUnit.objects.get(pk=ctx.counts["root_id"])
    today = dt.date.fromisoformat(ctx.counts.get("generated_on") or timezone.localdate().isoformat())
    date_from = today - dt.timedelta(days=DAYS - 1)
    runs = max(3, min(ctx.runs, INDEX_RUNS))
    median, slowest, result = _timed(lambda: index.unit_index(root, date_from, today), runs)
    shares = ", ".join(f"{e.key} {e.share}" for e in result.elements)
    results = [Result(
        name(ctx, "index_s"), round(median, 3), "s", p95=round(slowest, 3), target=TARGETS["index_s"],
        note=f"national unit_index over {result.respondents:,} responses (voided left out), median of {runs}; "
             f"overall {result.overall} %; {shares}",
    )]
    median, slowest, result = _timed(lambda: index.unit_index(root, date_from, today, by="month"), 3)
    results.append(Result(name(ctx, "index_by_month_s"), round(median, 3), "s", p95=round(slowest, 3),
                          note=f"the same, by month ({len(result.rows)} months), median of 3"))
    median, slowest, result = _timed(lambda: index.unit_index(root, date_from, today, by="org_unit"), 3)
    results.append(Result(name(ctx, "index_by_unit_s"), round(median, 3), "s", p95=round(slowest, 3),
                          note=f"the same, by unit ({len(result.rows):,} communes, their names), median of 3"))
    return results


def _export_in_child(kind: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.areas.surveys", "export", kind],
        env=dict(os.environ), check=False, capture_output=True, text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"the {kind} export child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def export_scenarios(ctx: RunContext) -> list[Result]:
    got = {kind: _export_in_child(kind) for kind in ("csv", "xlsx")}
    # Linux's ru_maxrss of the children: the largest any waited-for child reached. Kept as a cross-check
    # of the children's own VmHWM (it may include this process's peak when a child was forked from it).
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    peak = max(g["peak_mb"] for g in got.values())
    worst = max(got, key=lambda k: got[k]["peak_mb"])
    return [
        Result(name(ctx, "export_peak_mb"), round(peak, 1), "MB", target=TARGETS["export_peak_mb"],
               note=f"peak resident memory of the export child ({worst} the larger): CSV {got['csv']['peak_mb']} MB, "
                    f"XLSX {got['xlsx']['peak_mb']} MB for {got['csv']['rows']:,} responses; "
                    f"RUSAGE_CHILDREN ru_maxrss {children_mb:.0f} MB"),
        Result(name(ctx, "export_csv_s"), got["csv"]["seconds"], "s", note=f"CSV {got['csv']['size_mb']} MB"),
        Result(name(ctx, "export_xlsx_s"), got["xlsx"]["seconds"], "s", note=f"XLSX {got['xlsx']['size_mb']} MB"),
    ]


def run(ctx: RunContext) -> list[Result]:
    results = index_scenarios(ctx)
    if os.environ.get("BENCH_SURVEYS_EXPORT", "1") != "0":  # 0: the index only (the exports take ~10 min)
        results += export_scenarios(ctx)
    results.append(Result(name(ctx, "responses"), ctx.counts["responses"], "rows",
                          note=f"{ctx.counts['voided']:,} voided; {ctx.counts['surveys']} surveys, "
                               f"{ctx.counts['desks']:,} desks; generated in {ctx.counts.get('generate_s', '?')} s "
                               f"(load {ctx.counts['load_s']} s, indexes {ctx.counts['indexes_s']} s)"))
    return results


# --- the export child ---------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM; ru_maxrss may carry a forking parent's peak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _export_child(kind: str) -> dict[str, Any]:
    import django

    django.setup()
    from danvan.surveys import export
    from danvan.surveys.models import Response

    qs = Response.objects.all()
    rows = qs.count()
    baseline = _peak_rss_mb()
    with tempfile.TemporaryDirectory(prefix="danvan-bench-") as tmp:
        path = os.path.join(tmp, f"responses.{kind}")
        start = time.perf_counter()
        with open(path, "wb") as out:
            if kind == "csv":
                for chunk in export.stream_csv(qs):
                    out.write(chunk)
            else:
                response = export.xlsx_response(qs, "responses.xlsx")
                for chunk in response.streaming_content:  # type: ignore[union-attr]
                    out.write(chunk)
                response.close()
        seconds = time.perf_counter() - start
        size = os.path.getsize(path)
    return {"peak_mb": round(_peak_rss_mb(), 1), "baseline_mb": round(baseline, 1), "rows": rows,
            "seconds": round(seconds, 1), "size_mb": round(size / 2**20, 1)}


if __name__ == "__main__":  # the export child: python -m benchmarks.areas.surveys export csv|xlsx
    if len(sys.argv) == 3 and sys.argv[1] == "export" and sys.argv[2] in ("csv", "xlsx"):
        print(json.dumps(_export_child(sys.argv[2])))
    else:
        sys.exit("usage: python -m benchmarks.areas.surveys export csv|xlsx")
