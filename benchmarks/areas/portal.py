"""The public portal at national scale: page weight and latency under 32 concurrent citizens.

Data: the orgs area's 100,000-unit tree under a national unit, with what the portal's sections
show: the surveys area's generator at a smaller scale (one SIPAS survey per province, two desks per
commune, ``BENCH_PORTAL_RESPONSES`` = 200,000 responses over twelve months) and, on PostgreSQL,
the petitions area's generator for ``BENCH_PORTAL_PETITIONS`` = 300,000 cases over ten years (its
COPY path; SQLite has no petitions here). A reception schedule is not generated.

Scenarios:

- ``portal.page_kb`` — the largest public page as transferred: the HTML gzipped (level 6, as a
  front server compresses; the application itself does not) plus every stylesheet and script the
  page links, gzipped, read from the static files. Pages: the portal home, the busiest province's
  page, its busiest commune's page, the open-data page, the petitions public pages (schedules,
  submit, track, results), a survey's first page and its first step. Photos are not counted.
- ``portal.p95_ms`` — after ``danvan portal warm`` filled the shared (database) cache with every province
  and commune page, as the cron job does in production (``portal.cold_p95_ms``: the same load on an
  emptied cache, for comparison) — gunicorn (2 workers × 8 threads, pinned to two cores like the petitions
  area), 32 client threads with keep-alive for ``BENCH_PORTAL_SECONDS`` = 20 s after 3 s of warm-up,
  each request a page of a random unit: 60 % communes, 20 % provinces, 10 % the home page, 10 % the
  petitions' public pages. The figure is the 95th
  percentile of all requests (nearest rank); the note gives the median, requests per second and any
  non-200 answers.
"""

from __future__ import annotations

import gzip
import http.client
import os
import random
import re
import sys
import time
from typing import Any

from benchmarks.context import RunContext
from benchmarks.core import Result, Timing

RESPONSES = int(os.environ.get("BENCH_PORTAL_RESPONSES", "200000"))
PETITIONS = int(os.environ.get("BENCH_PORTAL_PETITIONS", "300000"))
GENERATOR_BASE = 1
GENERATOR_VERSION = GENERATOR_BASE * 1_000_000 + min(RESPONSES // 1000, 999) * 1000 + min(PETITIONS // 1000, 999)
SEED = 20261107
CLIENTS = 32
WINDOW_S = float(os.environ.get("BENCH_PORTAL_SECONDS", "20"))
WARMUP_S = 3.0
GZIP_LEVEL = 6
TARGETS = {"page_kb": 100.0, "p95_ms": 150.0}
MIX = [("commune", 60), ("province", 20), ("home", 10), ("petitions", 10)]
PETITION_PAGES = ["/public/petitions/", "/public/petitions/submit/", "/public/petitions/track/",
                  "/public/petitions/results/"]
ASSET_RE = re.compile(r"""<(?:link[^>]+rel=["']?stylesheet["']?[^>]*href|script[^>]+src)=["']([^"']+)["']""", re.I)


def name(ctx: RunContext, metric: str) -> str:
    return f"portal.{metric}" if ctx.db == "postgres" else f"portal.sqlite.{metric}"


# --- data ------------------------------------------------------------------------------------------


def generate() -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from benchmarks.areas import orgs
    from benchmarks.areas import surveys as bench_surveys
    from benchmarks.areas.plans import _national_root
    from danvan.orgs.models import OrgUnit
    from danvan.surveys.models import Service

    tree = orgs.generate()
    root = _national_root()
    provinces = list(OrgUnit.objects.filter(kind__code="province").order_by("path"))
    by_path = {p.path: p.pk for p in provinces}
    plen = len(provinces[0].path)
    communes: dict[int, list[int]] = {}
    for pk, path in OrgUnit.objects.filter(kind__code="commune", valid_to__isnull=True).values_list("pk", "path"):
        if (province := by_path.get(path[:plen])) is not None:
            communes.setdefault(province, []).append(pk)
    desks = bench_surveys._desks([c for cs in communes.values() for c in cs])
    surveys, pools = bench_surveys.build_surveys(provinces)
    today = timezone.localdate()
    n, _load_s, _index_s = bench_surveys.insert_responses(bench_surveys.response_rows(
        surveys, communes, desks, dict(Service.objects.values_list("code", "pk")), pools, today, RESPONSES, SEED))
    petitions = 0
    if connection.vendor == "postgresql" and PETITIONS:
        from benchmarks.areas import petitions as bench_petitions
        from danvan.petitions.models import PetitionField

        rng = random.Random(SEED)
        units, weights, _busiest = bench_petitions._unit_weights(rng)
        fields = dict(PetitionField.objects.values_list("code", "pk"))
        petitions, _copy_s, _idx_s = bench_petitions._copy_petitions(
            bench_petitions.petition_rows(units, weights, fields, today, PETITIONS, seed=SEED))
    busiest = _busiest_units()
    return {"units": tree["units"] + 1, "root_id": root.pk, "responses": n, "petitions": petitions,
            "generated_on": today.isoformat(), **busiest}


def _busiest_units() -> dict[str, Any]:
    """The province with the most communes and its commune with the most responses: the heaviest pages."""
    from django.db.models import Count

    from danvan.orgs.models import OrgUnit
    from danvan.surveys.models import Response, Survey

    province = (OrgUnit.objects.filter(kind__code="province").annotate(n=Count("children"))
                .order_by("-n", "pk").first())
    assert province is not None  # noqa: S101 - the official list was loaded
    commune_ids = list(OrgUnit.objects.filter(kind__code="commune", parent=province).values_list("pk", flat=True))
    top = (Response.objects.filter(org_unit_id__in=commune_ids).values("org_unit_id")
           .annotate(n=Count("pk")).order_by("-n").first())
    survey = Survey.objects.filter(org_unit=province).order_by("pk").first()
    return {"province_id": province.pk, "commune_id": top["org_unit_id"] if top else commune_ids[0],
            "survey_code": survey.public_code if survey else ""}


# --- page weight ------------------------------------------------------------------------------------


def _asset_bytes(url: str, cache: dict[str, int]) -> int:
    """Gzipped size of a linked stylesheet or script, read from the static files (0 if not found)."""
    if url in cache:
        return cache[url]
    from django.conf import settings
    from django.contrib.staticfiles import finders

    size = 0
    path = url.split("?", 1)[0]
    if path.startswith(settings.STATIC_URL):
        found = finders.find(path[len(settings.STATIC_URL):])
        if found:
            with open(found if isinstance(found, str) else found[0], "rb") as f:
                size = len(gzip.compress(f.read(), GZIP_LEVEL))
    cache[url] = size
    return size


def page_weights(ctx: RunContext) -> tuple[list[Result], dict[str, float]]:
    from django.test import Client

    counts = ctx.counts
    pages = [("home", "/public/"), ("province", f"/public/units/{counts['province_id']}/"),
             ("commune", f"/public/units/{counts['commune_id']}/"), ("open data", "/public/data/")]
    pages += [(f"petitions {p.split('/')[3] or 'schedules'}", p) for p in PETITION_PAGES]
    client = Client()
    weights: dict[str, float] = {}
    assets: dict[str, int] = {}
    missing = []

    def measure(label: str, url: str) -> None:
        response = client.get(url, follow=True)
        if response.status_code != 200:
            missing.append(f"{label} {url} → {response.status_code}")
            return
        html = response.content
        total = len(gzip.compress(html, GZIP_LEVEL))
        for asset in set(ASSET_RE.findall(html.decode("utf-8", "replace"))):
            total += _asset_bytes(asset, assets)
        weights[label] = round(total / 1024, 1)

    for label, url in pages:
        measure(label, url)
    code = counts.get("survey_code")
    if code:
        measure("survey start", f"/public/surveys/{code}/")
        measure("survey step", f"/public/surveys/{code}/step/1/")
    if missing:
        print("[portal] pages not measured: " + "; ".join(missing), file=sys.stderr)
    if not weights:
        return [], weights
    worst = max(weights, key=weights.__getitem__)
    detail = ", ".join(f"{k} {v}" for k, v in sorted(weights.items(), key=lambda kv: -kv[1]))
    return [Result(name(ctx, "page_kb"), weights[worst], "KB", target=TARGETS["page_kb"],
                   note=f"largest: {worst}; KB gzipped with CSS/JS: {detail}"[:600])], weights


# --- latency under load ------------------------------------------------------------------------------


class PageClient:
    """One anonymous keep-alive connection, like a citizen's browser (gzip asked for)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, url: str) -> tuple[int, float]:
        for attempt in (0, 1):
            start = time.perf_counter()
            try:
                self.conn.request("GET", url, headers={"Accept-Encoding": "gzip", "Accept-Language": "vi"})
                response = self.conn.getresponse()
                response.read()
                return response.status, (time.perf_counter() - start) * 1000
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def warm_cache() -> tuple[int, float]:
    """Empty the shared cache, then render every province and commune page into it, as cron does."""
    from django.core.cache import cache
    from django.core.management import call_command

    from danvan.portal.warm import warm

    call_command("createcachetable", verbosity=0)
    cache.clear()
    result = warm()
    return result.pages, result.seconds


def latency(ctx: RunContext, *, warmed: bool = True) -> list[Result]:
    from django.core.cache import cache
    from django.db import connection

    from benchmarks.areas.petitions import Sample, Server, run_load
    from danvan.orgs.models import OrgUnit

    communes = list(OrgUnit.objects.filter(kind__code="commune", valid_to__isnull=True).values_list("pk", flat=True))
    provinces = list(OrgUnit.objects.filter(kind__code="province").values_list("pk", flat=True))
    kinds, weights = zip(*MIX, strict=True)
    if warmed:
        pages, seconds = warm_cache()
        print(f"[portal] danvan portal warm: {pages:,} pages in {seconds:.0f} s", file=sys.stderr)
    else:
        from django.core.management import call_command

        call_command("createcachetable", verbosity=0)
        cache.clear()
    connection.close()  # gunicorn's workers and this process must not share a connection state
    server = Server()
    print(f"[portal] {server.describe} on port {server.port}; {CLIENTS} client threads", file=sys.stderr)
    rngs = [random.Random(SEED + k) for k in range(CLIENTS)]
    failures: list[str] = []
    with server:
        clients = [PageClient(server.port) for _ in range(CLIENTS)]

        def step(k: int, _i: int, _measuring: bool) -> list[Sample]:
            rng = rngs[k]
            kind = rng.choices(kinds, weights=weights)[0]
            if kind == "commune":
                url = f"/public/units/{rng.choice(communes)}/"
            elif kind == "province":
                url = f"/public/units/{rng.choice(provinces)}/"
            elif kind == "home":
                url = "/public/"
            else:
                url = rng.choice(PETITION_PAGES)
            status, ms = clients[k].get(url)
            if status != 200 and len(failures) < 5:
                failures.append(f"{url} → {status}")
            return [Sample(kind, ms, status)]

        try:
            samples, window = run_load(CLIENTS, WINDOW_S, WARMUP_S, step)
        finally:
            for c in clients:
                c.close()
    if failures:
        print("[portal] non-200 answers (first few): " + "; ".join(failures), file=sys.stderr)
    ok = [s for s in samples if s.status == 200]
    t = Timing([s.ms for s in samples] or [0.0])
    per_kind = ", ".join(
        f"{k} p95 {Timing([s.ms for s in samples if s.label == k]).p95:.0f}"
        for k in kinds if any(s.label == k for s in samples)
    )
    errors = len(samples) - len(ok)
    if not warmed:  # the same load on an empty cache: what a server without the cron job gives
        return [
            Result(name(ctx, "cold_p95_ms"), round(t.p95, 1), "ms",
                   note=f"cache emptied, no warming; median {t.median:.0f} ms; {len(samples) / window:.1f} req/s; "
                        f"{per_kind} ms; {errors} non-200"),
        ]
    return [
        Result(name(ctx, "p95_ms"), round(t.p95, 1), "ms", target=TARGETS["p95_ms"],
               note=f"{len(samples):,} pages in {window:.0f} s by {CLIENTS} clients ({server.describe}), pages "
                    f"warmed by danvan portal warm; median {t.median:.0f} ms; {per_kind} ms; {errors} non-200"),
        Result(name(ctx, "median_ms"), round(t.median, 1), "ms"),
        Result(name(ctx, "rps"), round(len(samples) / window, 1), "req/s"),
        Result(name(ctx, "errors"), errors, "errors", target=0.0, note="non-200 answers under load"),
    ]


def run(ctx: RunContext) -> list[Result]:
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)  # the shared cache the pages are served from
    results, _weights = page_weights(ctx)
    results += latency(ctx, warmed=False)
    results += latency(ctx)
    return results
