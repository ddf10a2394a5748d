"""Load (issue #9): officials and citizens together against gunicorn + PostgreSQL for ten minutes.

Data: the portal area's generator (the orgs area's 100,000-unit tree under a national unit, one
published SIPAS survey per province with 200,000 responses, 300,000 petitions over ten years by
the petitions area's COPY path), then, through the services: a published 63-indicator report form
(the reports area's), a national quarterly regime and its open period (a not-started report for
every province and commune), and 32 officers — 24 at communes of different provinces and 8 at
provinces — each with six complaint cases of their own accepted for resolution.

Scenario (``benchmarks/load/locustfile.py``, run by ``benchmarks/load/runner.py`` in a child
process): locust users started at once, no pause between steps (a user clicks as soon as the
answer arrives, as the petitions and portal areas measure "concurrent users"); 16 officials (the
concurrency of issue #5's work list) and 16 citizens, 32 together (issue #6's portal figure, the
largest any issue names); 10 s of warm-up, then ``LOAD_SECONDS`` (600) measured. The server is the
petitions area's: gunicorn ``gthread`` 2 workers × 8 threads pinned to the two cores, with
``benchmarks/load/settings.py`` (the database cache, warmed by ``danvan portal warm`` first and again
every 240 s during the load, as cron does; public rate limits raised, ALTCHA's client work made cheap:
see there).

Figures: ``load.errors`` (answers other than the step's expected one, failed connections and
exceptions in the users; 429 included), ``load.p95_ms`` over every request (officials and citizens
each also), ``load.memory_growth_pct`` (``benchmarks.load.metrics.memory_growth``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.areas import portal
from benchmarks.areas.petitions import Server
from benchmarks.context import RunContext
from benchmarks.core import PACKAGE_DIR, Result

GENERATOR_BASE = 1
GENERATOR_VERSION = GENERATOR_BASE * 10_000_000 + portal.GENERATOR_VERSION
SEED = 20261201
SECONDS = float(os.environ.get("LOAD_SECONDS", "600"))
WARMUP_S = float(os.environ.get("LOAD_WARMUP_SECONDS", "10"))
OFFICIALS = int(os.environ.get("LOAD_OFFICIALS", "16"))
CITIZENS = int(os.environ.get("LOAD_CITIZENS", "16"))
WAIT_S = float(os.environ.get("LOAD_WAIT_SECONDS", "0"))
WARM = os.environ.get("LOAD_WARM", "1") != "0"  # 0: keep the cache a previous run warmed (trials only)
# docs/portal.md: cron runs ``danvan portal warm`` a little more often than a page stays cached (300 s).
WARM_EVERY_S = float(os.environ.get("LOAD_WARM_EVERY_SECONDS", "240"))
SETTINGS = "benchmarks.load.settings"

POOL_COMMUNES = 24
POOL_PROVINCES = 8
CASES_EACH = 6
VALUE_SETS = 8
CODES_PER_SAVE = 5
SURVEYS = 3
ANSWER_SETS = 40
USER_PREFIX = "bench-load-"
# Officials' requests: issue #5's work list (p95 <= 250 ms at 16 users); citizens': issue #6's
# portal (p95 <= 150 ms at 32 users). The whole mix's p95 lies between its groups' p95s, so it
# meets 250 whenever both groups meet theirs: that is its target.
TARGETS = {"errors": 0.0, "officials_p95_ms": 250.0, "citizens_p95_ms": 150.0, "p95_ms": 250.0,
           "memory_growth_pct": 10.0}
FEEDBACK = [
    "Phản ánh đèn chiếu sáng công cộng bị hỏng", "Phản ánh rác thải tập kết không đúng nơi quy định",
    "Kiến nghị sửa chữa đoạn đường liên thôn bị sụt lún", "Phản ánh tiếng ồn từ xưởng cưa gỗ ban đêm",
    "Phản ánh cống thoát nước bị tắc gây ngập úng",
]


# --- data ------------------------------------------------------------------------------------------


def _report_period(root: Any, today: dt.date) -> tuple[int, list[tuple[int, str, str]]]:
    """The reports area's published form, a national quarterly regime and its open period."""
    from benchmarks.areas import reports as bench_reports
    from danvan.orgs.models import OrgKind
    from danvan.reports.services import regimes

    form, inputs = bench_reports._form()
    regime = regimes.create_regime(
        actor=None, owner=root, name="Báo cáo quý công tác dân vận chính quyền (bench load)", form=form,
        reporter_kinds=list(OrgKind.objects.filter(code__in=["province", "commune"])), period_kinds=["quarterly"],
    )
    quarter = (today.month - 1) // 3 + 1
    period = regimes.open_period(
        actor=None, regime=regime, kind="quarterly", year=today.year, number=quarter,
        starts_on=dt.date(today.year, 3 * quarter - 2, 1), ends_on=today + dt.timedelta(days=20),
        due_on=today + dt.timedelta(days=30),
    )
    return period.pk, inputs


def _cases(user: Any, unit: Any, field: Any, today: dt.date, rng: random.Random) -> list[int]:
    """Complaints received a few days ago, classified and accepted, as the officer would through the API."""
    from benchmarks.areas.petitions import CONTENTS, SUBJECTS, summary_for
    from danvan.petitions import services

    subjects = [s for kind, _code, s in SUBJECTS if kind == "complaint"]
    out = []
    for i in range(CASES_EACH):
        received = today - dt.timedelta(days=3 + i)
        p = services.receive_petition(
            actor=user, org_unit=unit, received_on=received, channel="post", kind="complaint",
            summary=summary_for(rng, rng.choice(subjects), today.year), content=rng.choice(CONTENTS),
            filer_name=f"Người khiếu nại {i + 1}", filer_address=f"Thôn {i + 1}", field=field,
            idempotency_key=f"{USER_PREFIX}{unit.pk}-{i}",
        )
        p = services.transition(actor=user, petition=p, action="classify", expected_version=p.lock_version,
                                kind="complaint", field=field, eligible=True, competence="own")
        p = services.transition(actor=user, petition=p, action="accept", expected_version=p.lock_version,
                                accepted_on=received + dt.timedelta(days=1))
        out.append(p.pk)
    return out


def _officials(period_id: int, today: dt.date) -> list[dict[str, Any]]:
    """Officers at communes of different provinces and at provinces, interleaved three to one, so that
    the first 16 are 12 commune officers and 4 province officers."""
    import secrets

    from danvan.accounts import services as accounts
    from danvan.orgs import services as org_services
    from danvan.orgs.models import OrgUnit
    from danvan.orgs.roles import Role
    from danvan.petitions.models import PetitionField
    from danvan.reports.models import Submission

    rng = random.Random(SEED)
    provinces = list(OrgUnit.objects.filter(kind__code="province").order_by("path"))
    plen = len(provinces[0].path)
    communes = []
    for province in rng.sample(provinces, POOL_COMMUNES):
        pks = list(OrgUnit.objects.filter(kind__code="commune", valid_to__isnull=True, path__startswith=province.path)
                   .order_by("path").values_list("pk", flat=True))
        communes.append(OrgUnit.objects.get(pk=rng.choice(pks)))
    chosen = [p for p in provinces if p.path not in {c.path[:plen] for c in communes}][:POOL_PROVINCES]
    units = []
    for i in range(max(len(communes), len(chosen) * 3)):
        if i < len(communes):
            units.append(communes[i])
        if i % 3 == 2 and i // 3 < len(chosen):
            units.append(chosen[i // 3])
    field = PetitionField.objects.filter(active=True).order_by("pk").first()
    password = secrets.token_urlsafe(24)
    out = []
    for n, unit in enumerate(units):
        name = f"{USER_PREFIX}{n:02d}"
        user = accounts.create_user(actor=None, username=name, password=password, email=f"{name}@bench.invalid")
        org_services.grant_role(actor=None, user=user, unit=unit, role=Role.OFFICER)
        out.append({
            "username": name, "unit": unit.pk, "scope": unit.kind.code,
            "cases": _cases(user, unit, field, today, rng),
            "submission": Submission.objects.get(period_id=period_id, org_unit=unit).pk,
        })
    return out


def generate() -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        return {"skipped": "the load area runs on PostgreSQL only"}
    from danvan.orgs.models import OrgUnit

    counts = portal.generate()
    today = timezone.localdate()
    start = time.perf_counter()
    period_id, _inputs = _report_period(OrgUnit.objects.get(pk=counts["root_id"]), today)
    officials = _officials(period_id, today)
    counts.update(period_id=period_id, officials=len(officials), load_setup_s=round(time.perf_counter() - start, 1))
    return counts


def officials_from_db(period_id: int) -> list[dict[str, Any]]:
    """The officers ``_officials`` made, found again: their unit, their cases and their unit's report."""
    from danvan.orgs.models import Membership
    from danvan.petitions.models import Petition
    from danvan.reports.models import Submission

    out = []
    for m in (Membership.objects.filter(user__username__startswith=USER_PREFIX).select_related("user", "org_unit__kind")
              .order_by("user__username")):
        cases = list(Petition.objects.filter(org_unit=m.org_unit, idempotency_key__startswith=f"{USER_PREFIX}{m.org_unit_id}-")
                     .order_by("pk").values_list("pk", flat=True))
        out.append({"username": m.user.username, "unit": m.org_unit_id, "scope": m.org_unit.kind.code, "cases": cases,
                    "submission": Submission.objects.get(period_id=period_id, org_unit=m.org_unit).pk})
    return out


# --- the spec the users read -------------------------------------------------------------------------


def _value_sets(period_id: int, rng: random.Random) -> list[dict[str, Any]]:
    from benchmarks.areas.reports import _number
    from danvan.reports.models import Indicator, Period

    form_id = Period.objects.values_list("regime__form_id", flat=True).get(pk=period_id)
    inputs = list(Indicator.objects.filter(form_id=form_id).exclude(aggregation="ratio").order_by("order")
                  .values_list("code", "value_type"))
    return [{code: _number(rng, vt) for code, vt in rng.sample(inputs, CODES_PER_SAVE)} for _ in range(VALUE_SETS)]


def _survey_specs(rng: random.Random) -> list[dict[str, Any]]:
    """A few provinces' surveys: each step's field names and sets of answers as the form posts them."""
    from benchmarks.areas import surveys as bench_surveys
    from danvan.surveys import queries
    from danvan.surveys.forms_public import name_for
    from danvan.surveys.models import Service, Survey, SurveyStatus
    from danvan.surveys.views_public import _sections

    codes = list(Service.objects.filter(is_active=True).values_list("code", flat=True))
    out = []
    for survey in Survey.objects.filter(status=SurveyStatus.OPEN, deleted_at__isnull=True).order_by("pk")[:SURVEYS]:
        version = queries.current_version(survey)
        steps = [[name_for(q.key) for q in s.questions.all()] for s in _sections(version)]
        questions = bench_surveys._questions(version)
        answers = []
        for _ in range(ANSWER_SETS):
            raw = bench_surveys._answers(rng, questions, rng.choice(bench_surveys.MOODS), codes)
            answers.append({name_for(k): v if isinstance(v, list) else str(v) for k, v in raw.items()})
        out.append({"code": survey.public_code, "steps": steps, "answers": answers})
    return out


def _tokens(officials: list[dict[str, Any]]) -> dict[str, str]:
    """A fresh token per officer each run (only hashes are stored, so last run's cannot be reused)."""
    from danvan.accounts import services as accounts
    from danvan.accounts.models import ApiToken, User

    users = {u.username: u for u in User.objects.filter(username__in=[o["username"] for o in officials])}
    ApiToken.objects.filter(user__in=list(users.values())).delete()
    return {name: accounts.create_api_token(user=u, name="bench load")[1] for name, u in users.items()}


def build_spec(counts: dict[str, Any], host: str, server_pid: int) -> dict[str, Any]:
    from django.urls import reverse

    from danvan.orgs.models import OrgUnit

    rng = random.Random(SEED + 1)
    found = officials_from_db(counts["period_id"])
    tokens = _tokens(found)
    officials = [{**o, "token": tokens[o["username"]], "values": _value_sets(counts["period_id"], rng)} for o in found]
    return {
        "host": host, "server_pid": server_pid, "seconds": SECONDS, "warmup_s": WARMUP_S, "wait_s": WAIT_S,
        "officials_users": OFFICIALS, "citizens_users": CITIZENS, "officials": officials,
        "citizens": {
            "communes": list(OrgUnit.objects.filter(kind__code="commune", valid_to__isnull=True)
                             .values_list("pk", flat=True)),
            "provinces": list(OrgUnit.objects.filter(kind__code="province").values_list("pk", flat=True)),
            "petition_pages": portal.PETITION_PAGES, "altcha_url": reverse("portal:altcha_challenge"),
            "submit_url": reverse("petitions_public:submit"), "submitted_url": reverse("petitions_public:submitted"),
            "surveys": _survey_specs(rng), "feedback": FEEDBACK,
        },
    }


# --- the run -------------------------------------------------------------------------------------------


class LoadServer(Server):
    """The petitions area's gunicorn (same workers, threads, pinning, stop) with the load settings."""

    def __init__(self) -> None:
        super().__init__(SETTINGS)


def _child_env() -> dict[str, str]:
    return dict(os.environ, DJANGO_SETTINGS_MODULE=SETTINGS)


WARM_CMD = [sys.executable, "manage.py", "portal_warm"]


def warm_portal() -> str:
    """The cache table and ``danvan portal warm``, in a child with the load settings (the database cache)."""
    root = PACKAGE_DIR.parent
    subprocess.run([sys.executable, "-m", "django", "createcachetable"], cwd=root, env=_child_env(), check=True)
    out = subprocess.run(WARM_CMD, cwd=root, env=_child_env(), check=True, capture_output=True, text=True)
    return out.stdout.strip()


def run_with_cron(cmd: list[str], warmed_at: float) -> tuple[int, int]:
    """Run ``cmd`` (the locust runner) to its end while ``danvan portal warm`` runs as cron would: every
    ``WARM_EVERY_S`` from ``warmed_at`` (a run still going is left to finish, as ``flock`` would).
    Returns the runner's exit status and how many warm runs were started."""
    root = PACKAGE_DIR.parent
    runner = subprocess.Popen(cmd, cwd=root)
    cron: subprocess.Popen[bytes] | None = None
    started = 0
    next_at = warmed_at + WARM_EVERY_S
    try:
        while True:
            try:
                return runner.wait(timeout=max(0.1, next_at - time.monotonic())), started
            except subprocess.TimeoutExpired:
                pass
            if cron is None or cron.poll() is not None:
                cron = subprocess.Popen(WARM_CMD, cwd=root, env=_child_env(), stdout=subprocess.DEVNULL)
                started += 1
            next_at += WARM_EVERY_S
    finally:
        if runner.poll() is None:
            runner.terminate()
            runner.wait(30)
        if cron is not None and cron.poll() is None:
            cron.terminate()
            cron.wait(30)


def figures(raw: dict[str, Any]) -> list[Result]:
    """The results from the runner's JSON (``benchmarks.load.runner``)."""
    from benchmarks.load.metrics import group_figures, memory_growth

    groups = group_figures((g, ms, ok) for g, ms, ok in raw["records"])
    every = groups.get("all")
    if every is None:
        raise RuntimeError("the load run recorded no request")
    officials, citizens = groups.get("official"), groups.get("citizen")
    exceptions = sum(e["count"] for e in raw["exceptions"])
    errors = every.errors + exceptions
    elapsed = raw["elapsed_s"]
    mem = memory_growth([(t, mb) for t, mb in raw["memory"]], elapsed)
    users = f"{OFFICIALS} officials + {CITIZENS} citizens"

    def group_note(g: Any) -> str:
        return f"{g.requests:,} requests, {g.errors} errors, median {g.median_ms} ms" if g else "none"

    results = [
        Result("load.errors", errors, "errors", target=TARGETS["errors"],
               note=f"{every.errors} unexpected answers, {exceptions} exceptions in the users"),
        Result("load.p95_ms", every.p95_ms, "ms", target=TARGETS["p95_ms"],
               note=f"every request, {users}, {elapsed:.0f} s; officials p95 {officials.p95_ms if officials else '—'} "
                    f"(≤ 250, #5), citizens p95 {citizens.p95_ms if citizens else '—'} (≤ 150, #6)"),
    ]
    if officials:
        results.append(Result("load.officials_p95_ms", officials.p95_ms, "ms", target=TARGETS["officials_p95_ms"],
                              note=group_note(officials)))
    if citizens:
        results.append(Result("load.citizens_p95_ms", citizens.p95_ms, "ms", target=TARGETS["citizens_p95_ms"],
                              note=group_note(citizens)))
    results += [
        Result("load.median_ms", every.median_ms, "ms"),
        Result("load.requests", every.requests, "requests"),
        Result("load.requests_per_s", round(every.requests / elapsed, 1), "req/s"),
        Result("load.memory_growth_pct", mem.pct, "%", target=TARGETS["memory_growth_pct"],
               note=f"gunicorn RSS {mem.baseline_mb} MB at {mem.baseline_t:.0f} s -> mean {mem.end_mb} MB over the "
                    f"last {mem.samples_in_end} samples"),
        Result("load.memory_mb", mem.end_mb, "MB", note="gunicorn master + workers, RSS at the end"),
    ]
    return results


def _print_detail(raw: dict[str, Any]) -> None:
    rows = sorted(raw["by_name"].items(), key=lambda kv: -kv[1]["requests"])
    print("[load] per request (locust's own rounding):", file=sys.stderr)
    for name, s in rows:
        print(f"  {name:45} {s['requests']:>8,} req {s['failures']:>5} fail  median {s['median_ms']:>6} "
              f"p95 {s['p95_ms']:>6} ms", file=sys.stderr)
    for text, n in sorted(raw["failures"].items(), key=lambda kv: -kv[1])[:10]:
        print(f"[load] {n} × {text}", file=sys.stderr)
    for e in raw["exceptions"][:5]:
        print(f"[load] exception ×{e['count']}: {e['msg']}\n{e['where']}", file=sys.stderr)


def run(ctx: RunContext) -> list[Result]:
    from django.db import connection

    if connection.vendor != "postgresql" or "officials" not in ctx.counts:
        print("[load] PostgreSQL only (gunicorn against the national data set): nothing measured on SQLite",
              file=sys.stderr)
        return []
    if WARM:
        print(f"[load] {warm_portal()}", file=sys.stderr)
    warmed_at = time.monotonic()
    server = LoadServer()
    spec = build_spec(ctx.counts, f"http://127.0.0.1:{server.port}", server.proc.pid)
    connection.close()  # gunicorn's workers and this process must not share a connection state
    with tempfile.TemporaryDirectory(prefix="danvan-bench-load-") as tmp:
        spec_path, out_path = Path(tmp) / "spec.json", Path(tmp) / "out.json"
        spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        print(f"[load] {server.describe} on port {server.port}; {OFFICIALS} officials + {CITIZENS} citizens, "
              f"{WARMUP_S:.0f} s warm-up then {SECONDS:.0f} s measured", file=sys.stderr)
        with server:
            status, crons = run_with_cron(
                [sys.executable, "-m", "benchmarks.load.runner", str(spec_path), str(out_path)], warmed_at)
        if status != 0:
            raise RuntimeError(f"the locust runner exited with status {status}")
        print(f"[load] danvan portal warm ran {crons} more time(s) during the load, every {WARM_EVERY_S:.0f} s",
              file=sys.stderr)
        raw = json.loads(out_path.read_text(encoding="utf-8"))
    _print_detail(raw)
    results = figures(raw)
    print(json.dumps({r.name: r.value for r in results}))  # issue #9: "printed as JSON"
    return results
