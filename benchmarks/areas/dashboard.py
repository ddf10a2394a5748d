"""The dashboard at national scale: the pre-aggregation over the 100,000-unit tree, and the national page.

Data: the orgs area's tree (34 provinces at the top, 100,000 units), then a year of records in every
module the dashboard reads, inserted in bulk as the services would have left them:

* petitions: 6 per commune and 2 per department, resolved in the last 12 months (one "resolved" step
  each), most by their deadline;
* reports: a quarterly regime of the first province over every commune, the quarters whose deadline
  has passed (this year and last), each commune's report sent on time, late, or not at all;
* surveys: the surveys area's SIPAS survey per province and ``RESPONSES`` responses about the communes
  (its own generator, smaller);
* dialogues: 2 held per commune, 3 commitments each owned by the commune, kept, late or open;
* disclosures: 4 items disclosed per commune; practices: one per commune and department this year and
  last, a fifth recognised; dissemination sessions: one per commune and in a third of the villages;
* a plan of the largest province with three targets (two measured by dashboard figures).

Scenarios: ``dashboard.refresh_s`` — ``refresh()`` of the default periods (this year, its quarters so
far, last year) for every figure, median of ``REFRESH_RUNS``; ``dashboard.national_ms`` — the national
dashboard page (``dashboard:home`` as a superuser, through the test client) over the pre-aggregated
figures, median of the usual runs, target 1 s; ``dashboard.read_ms`` — the read path alone (the 34
provinces' figures for every key of the year, and the plan's targets by unit). PostgreSQL's figures
carry the issue's names; SQLite's are ``dashboard.sqlite.*``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from typing import Any

from benchmarks.context import RunContext
from benchmarks.core import Result, time_ms, timed_result

RESPONSES = int(os.environ.get("BENCH_DASHBOARD_RESPONSES", "200000"))
GENERATOR_VERSION = 1 * 1000 + min(RESPONSES // 1000, 999)
SEED = 20261123
REFRESH_RUNS = 3
TARGETS = {"national_ms": 1000.0}
PLAN_TITLE = "Kế hoạch công tác dân vận chính quyền (bench dashboard)"
BATCH = 5000


def name(ctx: RunContext, metric: str) -> str:
    return f"dashboard.{metric}" if ctx.db == "postgres" else f"dashboard.sqlite.{metric}"


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _units(kind: str) -> list[int]:
    from danvan.orgs.models import OrgUnit

    return list(OrgUnit.objects.filter(kind__code=kind).order_by("path").values_list("pk", flat=True))


def _petitions(rng: random.Random, communes: list[int], departments: list[int], today: dt.date) -> int:
    from danvan.petitions.models import Petition, PetitionEvent

    rows: list[Petition] = []
    for unit, n in [(c, 6) for c in communes] + [(d, 2) for d in departments]:
        for i in range(n):
            received = today - dt.timedelta(days=rng.randint(70, 420))
            accepted = received + dt.timedelta(days=rng.randint(1, 9))
            # Most within the 30-day (complaint) period, some well beyond it.
            decided = accepted + dt.timedelta(days=rng.randint(10, 28) if rng.random() < 0.8 else rng.randint(60, 65))
            rows.append(Petition(
                org_unit_id=unit, number=i + 1, number_year=received.year, received_on=received, channel="direct",
                kind="complaint", summary="Khiếu nại quyết định hành chính về đất đai", status="resolved",
                accepted_on=accepted, decision_on=decided, decision_number=f"{i + 1}/QĐ", outcome="partly",
            ))
    Petition.objects.bulk_create(rows, batch_size=BATCH)
    events = [PetitionEvent(petition_id=p.pk, at=_aware(p.decision_on), action="resolve",  # type: ignore[arg-type]
                            from_status="verifying", to_status="resolved") for p in rows]
    PetitionEvent.objects.bulk_create(events, batch_size=BATCH)
    return len(rows)


def _reports(rng: random.Random, province: Any, communes: list[int], today: dt.date) -> int:
    from django.utils import timezone

    from danvan.reports.models import Period, PeriodKind, ReportForm, ReportingRegime, Submission

    form = ReportForm.objects.create(code="bench-dashboard", name="Báo cáo quý (bench)", status="published",
                                     published_at=timezone.now())
    regime = ReportingRegime.objects.create(name="Báo cáo quý công tác dân vận (bench)", owner=province,
                                            scope_root=province, form=form, period_kinds=[PeriodKind.QUARTERLY])
    subs: list[Submission] = []
    for year in (today.year - 1, today.year):
        for q in range(1, 5):
            ends = (dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)) - dt.timedelta(days=1)
            due = ends + dt.timedelta(days=10)
            if due >= today:
                continue
            period = Period.objects.create(regime=regime, kind=PeriodKind.QUARTERLY, year=year, number=q,
                                           label=f"Quý {q}/{year}", starts_on=dt.date(year, 3 * q - 2, 1),
                                           ends_on=ends, due_on=due, status="closed")
            for c in communes:
                draw = rng.random()
                status, late = ("submitted", draw > 0.7) if draw < 0.85 else ("not_started", False)
                subs.append(Submission(period=period, org_unit_id=c, anchor_id=c, status=status, is_late=late,
                                       submitted_at=_aware(due) if status == "submitted" else None))
    Submission.objects.bulk_create(subs, batch_size=BATCH)
    return len(subs)


def _surveys(provinces: list[Any], today: dt.date) -> int:
    from benchmarks.areas import surveys as sv
    from danvan.orgs.models import OrgUnit
    from danvan.surveys.models import Service

    by_path = {p.path: p.pk for p in provinces}
    plen = len(provinces[0].path)
    communes: dict[int, list[int]] = {}
    for pk, path in OrgUnit.objects.filter(kind__code="commune").values_list("pk", "path"):
        communes.setdefault(by_path[path[:plen]], []).append(pk)
    desks = sv._desks([c for cs in communes.values() for c in cs])
    surveys, pools = sv.build_surveys(provinces)
    services = dict(Service.objects.values_list("code", "pk"))
    n, _load, _index = sv.insert_responses(sv.response_rows(surveys, communes, desks, services, pools, today,
                                                            RESPONSES, seed=SEED))
    return n


def _dialogues(rng: random.Random, communes: list[int], today: dt.date) -> tuple[int, int]:
    from danvan.dialogues.models import Commitment, Dialogue

    dialogues = [Dialogue(org_unit_id=c, kind="citizens", title="Đối thoại với Nhân dân", status="held",
                          held_on=today - dt.timedelta(days=rng.randint(1, 365)), participants=rng.randint(30, 150))
                 for c in communes for _ in range(2)]
    Dialogue.objects.bulk_create(dialogues, batch_size=BATCH)
    commitments: list[Commitment] = []
    for d in dialogues:
        for n in range(1, 4):
            due = d.held_on + dt.timedelta(days=rng.randint(15, 120))  # type: ignore[operator]
            draw = rng.random()
            if draw < 0.6 and due - dt.timedelta(days=3) <= today:
                status, done = "done", due - dt.timedelta(days=rng.randint(0, 10))
            elif draw < 0.75 and due + dt.timedelta(days=20) <= today:
                status, done = "done", due + dt.timedelta(days=rng.randint(1, 20))
            else:
                status, done = "open", None
            commitments.append(Commitment(dialogue_id=d.pk, number=n, text="Sửa chữa tuyến đường liên thôn",
                                          owner_unit_id=d.org_unit_id, due_on=due, status=status, done_on=done))
    Commitment.objects.bulk_create(commitments, batch_size=BATCH)
    return len(dialogues), len(commitments)


def _disclosures(rng: random.Random, communes: list[int], today: dt.date) -> int:
    from danvan.disclosures.models import Disclosure, DisclosureCategory

    categories = list(DisclosureCategory.objects.values_list("pk", flat=True))
    rows = [Disclosure(org_unit_id=c, category_id=rng.choice(categories), title="Công khai dự toán ngân sách",
                       status="published", disclosed_on=today - dt.timedelta(days=rng.randint(0, 400)))
            for c in communes for _ in range(4)]
    Disclosure.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _practices(rng: random.Random, units: list[int], today: dt.date) -> int:
    from danvan.practices.models import Practice, PracticeField

    fields = list(PracticeField.objects.values_list("pk", flat=True))
    rows: list[Practice] = []
    for u in units:
        for year in (today.year - 1, today.year):
            starts = dt.date(year, rng.randint(1, 12 if year < today.year else today.month), 1)
            recognised = starts + dt.timedelta(days=rng.randint(60, 200)) if rng.random() < 0.2 else None
            if recognised is not None and recognised > today:
                recognised = None
            name = f"Mô hình Dân vận khéo {u}-{year}"
            rows.append(Practice(org_unit_id=u, year=year, name=name, name_key=name.lower(), field_id=rng.choice(fields),
                                 goals="Nâng cao đời sống Nhân dân", starts_on=starts, responsible_person="Chủ tịch",
                                 status="in_progress", recognition_level="commune" if recognised else "",
                                 recognised_on=recognised))
    Practice.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _disseminations(rng: random.Random, communes: list[int], villages: list[int], today: dt.date) -> int:
    from danvan.oversight.models import Dissemination

    units = communes + [v for v in villages if rng.random() < 1 / 3]
    rows = [Dissemination(org_unit_id=u, title="Quán triệt Kết luận 114-KL/TW", participants=rng.randint(10, 80),
                          held_on=today - dt.timedelta(days=rng.randint(0, 365))) for u in units]
    Dissemination.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _plan(province: Any) -> int:
    from django.utils import timezone

    from danvan.plans.models import Plan, Target

    plan = Plan.objects.create(issuer=province, title=PLAN_TITLE, year=timezone.localdate().year, status="issued")
    Target.objects.create(plan=plan, text="90% đơn thư được giải quyết đúng hạn", value=90, unit="%",
                          measurement="indicator", indicator_code="petitions.on_time_rate", order=1)
    Target.objects.create(plan=plan, text="Chỉ số hài lòng đạt trên 85%", value=85, unit="%",
                          measurement="indicator", indicator_code="surveys.satisfaction_index", order=2)
    Target.objects.create(plan=plan, text="95% đơn vị đăng ký mô hình Dân vận khéo", value=95, unit="%",
                          current_value=91, order=3)
    return plan.pk


def generate() -> dict[str, Any]:
    from django.utils import timezone

    from benchmarks.areas import orgs
    from danvan.orgs.models import OrgUnit

    tree = orgs.generate()
    rng = random.Random(SEED)
    today = timezone.localdate()
    provinces = list(OrgUnit.objects.filter(kind__code="province").order_by("path"))
    communes, departments, villages = _units("commune"), _units("department"), _units("village")
    largest = OrgUnit.objects.get(name=tree["largest_province"], kind__code="province")
    counts: dict[str, Any] = {"units": tree["units"], "generated_on": today.isoformat()}
    steps: list[tuple[str, Any]] = [
        ("petitions", lambda: _petitions(rng, communes, departments, today)),
        ("reports", lambda: _reports(rng, provinces[0], communes, today)),
        ("responses", lambda: _surveys(provinces, today)),
        ("dialogues", lambda: _dialogues(rng, communes, today)),
        ("disclosures", lambda: _disclosures(rng, communes, today)),
        ("practices", lambda: _practices(rng, communes + departments, today)),
        ("disseminations", lambda: _disseminations(rng, communes, villages, today)),
        ("plan_id", lambda: _plan(largest)),
    ]
    for key, step in steps:
        start = time.perf_counter()
        counts[key] = step()
        print(f"[dashboard] {key}: {counts[key]} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return counts


# --- scenarios --------------------------------------------------------------------------------------


def _refresh(ctx: RunContext) -> Result:
    from danvan.dashboard.refresh import refresh

    samples, runs = [], []
    for _ in range(REFRESH_RUNS):
        start = time.perf_counter()
        runs.append(refresh())
        samples.append(time.perf_counter() - start)
    last = runs[-1]
    return Result(name(ctx, "refresh_s"), round(statistics.median(samples), 2), "s", p95=round(max(samples), 2),
                  note=f"refresh() of {', '.join(last.periods)}: {last.figures:,} figure rows, median of {REFRESH_RUNS}"
                       f"{'; errors: ' + last.error[:200] if last.error else ''}")


def _read_path(plan: Any, province: Any) -> int:
    """What the national page needs when P4's page is not there: the provinces' figures and the plan's targets."""
    from django.utils import timezone

    from danvan.dashboard import registry
    from danvan.dashboard.refresh import last_refresh, read
    from danvan.dashboard.targets import plan_targets
    from danvan.orgs.models import OrgUnit

    last_refresh()
    roots = list(OrgUnit.objects.filter(parent__isnull=True).current().order_by("name"))
    figures = read([u.pk for u in roots], str(timezone.localdate().year), registry.keys())
    rows = plan_targets(plan, province)
    return len(figures) + sum(len(r.children) for r in rows)


def _page_client() -> Any:
    from django.test import Client

    from benchmarks.areas.orgs import USERNAMES
    from danvan.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=USERNAMES["superuser"]))
    return client


def _get(client: Any, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response.content


def run(ctx: RunContext) -> list[Result]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from danvan.plans.models import Plan

    results = [_refresh(ctx)]
    plan = Plan.objects.select_related("issuer").get(pk=ctx.counts["plan_id"])
    province = plan.issuer
    n_read = _read_path(plan, province)
    read_timing = time_ms(lambda: _read_path(plan, province), ctx.runs, ctx.warmup)
    try:
        url = reverse("dashboard:home")
    except NoReverseMatch:
        url = ""
    if url:
        client = _page_client()
        body = _get(client, url)
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            _get(client, url)
        n_queries = len(queries.captured_queries)  # read now: later requests reset the log it slices
        results.append(timed_result(
            name(ctx, "national_ms"), time_ms(lambda: _get(client, url), ctx.runs, ctx.warmup),
            TARGETS["national_ms"],
            f"GET {url} as a superuser: {len(body) // 1024} KiB of HTML, {n_queries} queries",
        ))
    else:
        results.append(timed_result(
            name(ctx, "national_ms"), read_timing, TARGETS["national_ms"],
            "dashboard:home not installed: the read path (34 provinces' figures + the plan's targets) instead",
        ))
    results.append(timed_result(name(ctx, "read_ms"), read_timing,
                                note=f"34 provinces' figures of the year + a plan's targets by unit ({n_read} values)"))
    results.append(Result(name(ctx, "source_rows"), sum(int(ctx.counts.get(k, 0) or 0) for k in (
        "petitions", "reports", "responses", "disclosures", "practices", "disseminations")), "rows",
        note=f"generated in {ctx.counts.get('generate_s', '?')} s: {ctx.counts}"))
    return results
