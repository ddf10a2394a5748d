"""Plans at national scale: the parser on the seed documents, a 300-task plan and its cascade over 3,321 communes.

Data: the real official loader (34 provinces, 3,321 communes) hung under one national unit
("Chính phủ", kind ``other``) so that a single plan's subtree holds every commune; that unit
issues a plan of 300 tasks in 10 sections that requires a plan from every commune (issued through
``danvan.plans.services.issue_plan``, which creates the 3,321 obligations). Two thirds of the
communes then have an issued plan derived from it (bulk inserts: ~2,200 plans, each with 20 tasks
linked to a weighted random choice of the national tasks and 3 of their own), some of them late;
one commune in ten has a draft that does not count yet.

Scenarios: the parser's throughput on the four seeds, the plan page and the coverage matrix as an
administrator of the issuing unit (with two-factor, as a real one), and the cascade page.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
from pathlib import Path
from typing import Any

from benchmarks.context import RunContext
from benchmarks.core import PACKAGE_DIR, Result, time_ms, timed_result

GENERATOR_VERSION = 1
SEED = 20260105

TASKS = 300
SECTIONS = 10
LINKED_PER_PLAN = 20
OWN_PER_PLAN = 3
ISSUED_SHARE = 2 / 3
LATE_SHARE = 0.15
DRAFT_SHARE = 0.10
YEAR = 2026
DUE = dt.date(YEAR, 1, 31)

TARGETS = {
    "parse_ms_per_doc": 50.0,  # = 20 documents per second
    "page_ms": 300.0,
    "coverage_ms": 300.0,
}
TARGET_DOCS_PER_S = 20.0
# A scenario slower than this is timed SLOW_RUNS times without warm-up, so that the area stays a few minutes long.
SLOW_MS = 1000.0
SLOW_RUNS = 3

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 (a bench user's, not a secret)
ADMIN = "bench-national-admin"
PLAN_TITLE = "Kế hoạch thực hiện công tác dân vận chính quyền năm 2026 (bench)"

SECTION_TITLES = [
    "Công tác tuyên truyền, quán triệt",
    "Nâng cao hiệu lực, hiệu quả quản lý nhà nước",
    "Cải cách hành chính, chuyển đổi số",
    "Thực hiện dân chủ ở cơ sở",
    "Tiếp công dân, giải quyết khiếu nại, tố cáo",
    "Xây dựng đội ngũ cán bộ, công chức gần dân",
    "Phong trào thi đua “Dân vận khéo”",
    "Phát triển kinh tế, giảm nghèo bền vững",
    "Công tác dân tộc, tôn giáo",
    "Phối hợp với Mặt trận Tổ quốc và các đoàn thể",
]
VERBS = [
    "Tổ chức quán triệt, triển khai", "Tăng cường kiểm tra, giám sát việc thực hiện", "Đẩy mạnh tuyên truyền về",
    "Rà soát, hoàn thiện các quy định về", "Nâng cao chất lượng", "Thực hiện nghiêm", "Đổi mới phương thức",
    "Xây dựng và nhân rộng mô hình về", "Tiếp tục thực hiện có hiệu quả", "Đánh giá, sơ kết việc thực hiện",
]
OBJECTS = [
    "công tác dân vận chính quyền", "Quy chế dân chủ ở cơ sở", "thủ tục hành chính trên môi trường điện tử",
    "việc tiếp công dân của người đứng đầu", "đạo đức công vụ, văn hóa công sở", "công tác đối thoại với Nhân dân",
    "việc giải quyết kiến nghị của cử tri", "các chương trình mục tiêu quốc gia", "chính sách đối với đồng bào dân tộc thiểu số",
    "hoạt động của Ban Thanh tra nhân dân", "mô hình “Dân vận khéo” trên các lĩnh vực", "chuyển đổi số trong phục vụ Nhân dân",
]
TAILS = [
    "", " trong cơ quan, đơn vị", " gắn với nhiệm vụ chính trị của địa phương",
    "; kịp thời biểu dương, khen thưởng các tập thể, cá nhân tiêu biểu",
    ", bảo đảm công khai, minh bạch, đúng quy định của pháp luật",
    "; định kỳ 6 tháng, hằng năm báo cáo kết quả thực hiện về cơ quan thường trực",
]


def seeds_dir() -> Path:
    """The four seed documents: ``DANVAN_SEEDS_DIR``, or ``../shared/seeds`` beside the checkout."""
    return Path(os.environ.get("DANVAN_SEEDS_DIR", PACKAGE_DIR.parent.parent / "shared" / "seeds"))


def _task_text(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(TAILS)}."


def _national_root() -> Any:
    """A root above the 34 provinces; the provinces' whole subtrees are re-hung under it in two UPDATEs."""
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    from danvan.orgs import services
    from danvan.orgs.models import OrgKind, OrgUnit

    root = services.create_unit(actor=None, kind=OrgKind.objects.get(code="other"), name="Chính phủ", parent=None)
    OrgUnit.objects.exclude(pk=root.pk).update(path=Concat(Value(root.path), F("path")))
    OrgUnit.objects.filter(parent__isnull=True).exclude(pk=root.pk).update(parent=root)
    return root


def _national_plan(root: Any, rng: random.Random) -> Any:
    """The plan through the services (create, issue: obligations); its 300 tasks by bulk insert."""
    from danvan.legal.services import register_document
    from danvan.orgs.models import OrgKind, OrgUnit
    from danvan.plans import services
    from danvan.plans.models import PlanSection, Task

    plan = services.create_plan(
        actor=None, issuer=root, title=PLAN_TITLE, year=YEAR, issuing_body="CHÍNH PHỦ", place="Hà Nội",
        signer_name="Nguyễn Văn Bench", signer_position="PHÓ THỦ TƯỚNG", signer_authority="KT.",
        purposes=["Nâng cao hiệu quả công tác dân vận của cơ quan nhà nước các cấp."],
        requirements=["Các cấp, các ngành xây dựng kế hoạch cụ thể, bảo đảm thiết thực, hiệu quả."],
        recipients=["UBND các tỉnh, thành phố;", "Lưu: VT."],
        requires_subordinate_plans=True, subordinate_due_on=DUE,
        subordinate_kinds=[OrgKind.objects.get(code="commune")],
    )
    services.set_legal_bases(actor=None, plan=plan, documents=[
        register_document(actor=None, doc_type="Kết luận", number="114", symbol="KL/TW", issued_on="2015-07-14",
                          issuer="Ban Bí thư"),
        register_document(actor=None, doc_type="Chỉ thị", number="33", symbol="CT-TTg", issued_on="2021-11-26",
                          issuer="Thủ tướng Chính phủ"),
    ])
    for i, text in enumerate(["100% UBND các xã, phường xây dựng kế hoạch", "95% đăng ký mô hình Dân vận khéo"]):
        services.add_target(actor=None, plan=plan, text=text, value=100 - 5 * i, unit="%")
    provinces = list(OrgUnit.objects.filter(parent=root).order_by("path")[:4])
    for p in provinces:
        services.add_assignment(actor=None, plan=plan, unit=p, unit_name=p.name, duties="Chủ trì triển khai trên địa bàn.")
    services.add_deadline(actor=None, plan=plan, text="Báo cáo 6 tháng", due_on=dt.date(YEAR, 6, 5), kind="half_year_report")
    services.add_deadline(actor=None, plan=plan, text="Báo cáo năm", due_on=dt.date(YEAR, 11, 15), kind="annual_report")
    sections = PlanSection.objects.bulk_create([
        PlanSection(plan=plan, number=str(i + 1), title=title, order=i) for i, title in enumerate(SECTION_TITLES)
    ])
    per = TASKS // SECTIONS
    Task.objects.bulk_create([
        Task(plan=plan, section=sections[i // per], text=_task_text(rng), order=i,
             lead_unit=provinces[i % len(provinces)] if i % 7 == 0 else None,
             due_on=dt.date(YEAR, 3 + i % 9, 28) if i % 3 == 0 else None)
        for i in range(TASKS)
    ])
    plan.refresh_from_db()
    return services.issue_plan(actor=None, plan=plan, expected_version=plan.lock_version, issued_on=dt.date(YEAR, 1, 5))


def _pick(rng: random.Random, weights: list[float], k: int) -> list[int]:
    """``k`` distinct indexes, drawn with the given weights."""
    chosen: set[int] = set()
    while len(chosen) < k:
        chosen.update(rng.choices(range(len(weights)), weights=weights, k=k - len(chosen)))
    return sorted(chosen)


def _derived_plans(plan: Any, rng: random.Random) -> dict[str, int]:
    """Communes' plans linked to the national tasks, by bulk insert; their obligations fulfilled in one UPDATE."""
    from django.db.models import OuterRef, Subquery

    from danvan.orgs.models import OrgUnit
    from danvan.plans.models import Plan, PlanObligation, PlanStatus, Task

    communes = list(OrgUnit.objects.filter(plan_obligations__plan=plan).order_by("path").values_list("pk", "name"))
    parent_tasks = list(Task.objects.filter(plan=plan).order_by("order").values_list("pk", flat=True))
    # The first tasks of each section are taken up most; about one task in 15 by nobody (full gaps).
    per = TASKS // SECTIONS
    weights = [0.0 if i % 15 == 14 else 1.0 / (1 + (i % per)) for i in range(TASKS)]
    plans: list[Plan] = []
    for pk, name in communes:
        draw = rng.random()
        if draw < ISSUED_SHARE:
            late = rng.random() < LATE_SHARE
            issued_on = DUE + dt.timedelta(days=rng.randint(1, 40)) if late else DUE - dt.timedelta(days=rng.randint(0, 20))
            status: str = PlanStatus.ISSUED
        elif draw < ISSUED_SHARE + DRAFT_SHARE:
            issued_on, status = None, PlanStatus.DRAFT
        else:
            continue
        plans.append(Plan(
            issuer_id=pk, parent_plan=plan, title=f"Kế hoạch thực hiện công tác dân vận chính quyền năm {YEAR}",
            year=YEAR, issuing_body=f"ỦY BAN NHÂN DÂN {name.upper()}", place=name.removeprefix("Xã ").removeprefix("Phường "),
            status=status, issued_on=issued_on, number=1 if issued_on else None, number_year=YEAR if issued_on else None,
            signer_name="Bench", signer_position="CHỦ TỊCH", signer_authority="TM.",
        ))
    Plan.objects.bulk_create(plans, batch_size=500)
    tasks: list[Task] = []
    for p in plans:
        for order, i in enumerate(_pick(rng, weights, LINKED_PER_PLAN)):
            tasks.append(Task(plan_id=p.pk, text=_task_text(rng), order=order, parent_task_id=parent_tasks[i]))
        for j in range(OWN_PER_PLAN):
            tasks.append(Task(plan_id=p.pk, text=_task_text(rng), order=LINKED_PER_PLAN + j))
    Task.objects.bulk_create(tasks, batch_size=2000)
    own = Plan.objects.filter(parent_plan=plan, status=PlanStatus.ISSUED, issuer_id=OuterRef("org_unit_id"))
    PlanObligation.objects.filter(plan=plan).update(
        fulfilled_by=Subquery(own.values("pk")[:1]), fulfilled_on=Subquery(own.values("issued_on")[:1])
    )
    issued = sum(1 for p in plans if p.status == PlanStatus.ISSUED)
    return {"derived_plans_issued": issued, "derived_plans_draft": len(plans) - issued, "derived_tasks": len(tasks)}


def generate() -> dict[str, Any]:
    from danvan.accounts import services as accounts
    from danvan.orgs import services as org_services
    from danvan.orgs.loaders import load_official
    from danvan.orgs.roles import Role
    from danvan.plans.models import PlanObligation, Task

    rng = random.Random(SEED)
    load_official()
    root = _national_root()
    plan = _national_plan(root, rng)
    counts = _derived_plans(plan, rng)
    admin = accounts.create_user(actor=None, username=ADMIN, password=os.urandom(12).hex(), email="plans@bench.invalid")
    accounts.add_totp_authenticator(actor=None, user=admin, secret=TOTP_SECRET)
    org_services.grant_role(actor=None, user=admin, unit=root, role=Role.ADMIN)
    return {
        "plan_id": plan.pk,
        "plan_tasks": Task.objects.filter(plan=plan).count(),
        "obligations": PlanObligation.objects.filter(plan=plan).count(),
        "fulfilled": PlanObligation.objects.filter(plan=plan, fulfilled_by__isnull=False).count(),
        **counts,
    }


# --- scenarios ---------------------------------------------------------------------------------


def _query_count(fn: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _slowest_queries(fn: Any, top: int = 3) -> list[tuple[float, str]]:
    """The request's slowest SQL statements (ms, first 300 characters), for the printed diagnosis."""
    import time

    from django.db import connection

    timings: list[tuple[float, str]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append(((time.perf_counter() - start) * 1000, sql[:300]))

    with connection.execute_wrapper(wrapper):
        fn()
    return sorted(timings, reverse=True)[:top]


def _parse_results(ctx: RunContext) -> list[Result]:
    from danvan.plans.parsing import parse_plan

    paths = sorted(seeds_dir().glob("*.txt"))
    if not paths:
        print(f"[plans] no seed documents in {seeds_dir()}: parse figures skipped", file=sys.stderr)
        return []
    texts = [p.read_text(encoding="utf-8") for p in paths]

    def parse_all() -> None:
        for text in texts:
            parse_plan(text)

    timing = time_ms(parse_all, ctx.runs, ctx.warmup)
    per_doc = timing.median / len(texts)
    chars = sum(len(t) for t in texts) // len(texts)
    return [
        Result(ctx.name("parse_docs_per_s"), round(1000 / per_doc, 1), "docs/s",
               note=f"target ≥ {TARGET_DOCS_PER_S:g}; {len(texts)} seeds, {chars:,} characters each on average"),
        Result(ctx.name("parse_ms_per_doc"), round(per_doc, 3), "ms", p95=round(timing.p95 / len(texts), 3),
               target=TARGETS["parse_ms_per_doc"], note="the same, as time per document"),
    ]


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _get(client: Any, url: str, expect: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    assert expect.encode() in response.content, (url, expect)
    return response.content


def run(ctx: RunContext) -> list[Result]:
    from django.db import connection, reset_queries

    from danvan.accounts.models import User
    from danvan.plans import queries
    from danvan.plans.models import Plan, Task

    n = ctx.name
    results = _parse_results(ctx)

    plan = Plan.objects.select_related("issuer").get(pk=ctx.counts["plan_id"])
    admin = User.objects.get(username=ADMIN)
    client = _client(admin)
    first_task = Task.objects.filter(plan=plan).order_by("order", "pk").first()
    assert first_task is not None

    # 1. The plan page: 300 tasks in 10 sections.
    page_url = f"/plans/{plan.pk}/"
    body = _get(client, page_url, PLAN_TITLE)
    results.append(timed_result(
        n("page_ms"), time_ms(lambda: _get(client, page_url, PLAN_TITLE), ctx.runs, ctx.warmup), TARGETS["page_ms"],
        f"GET {page_url}: {ctx.counts['plan_tasks']} tasks, {len(body) // 1024} KiB of HTML",
    ))
    results.append(Result(n("page_queries"), _query_count(lambda: _get(client, page_url, PLAN_TITLE)), "queries"))

    # 2. The coverage matrix, first page, over the 3,321 communes' obligations.
    coverage_url = f"/plans/{plan.pk}/coverage/"
    _get(client, coverage_url, first_task.text[:40])
    results.append(timed_result(
        n("coverage_ms"), time_ms(lambda: _get(client, coverage_url, first_task.text[:40]), ctx.runs, ctx.warmup),
        TARGETS["coverage_ms"],
        f"GET {coverage_url}: {ctx.counts['obligations']} units in scope, {ctx.counts['derived_plans_issued']} plans",
    ))
    results.append(Result(
        n("coverage_queries"), _query_count(lambda: _get(client, coverage_url, first_task.text[:40])), "queries"
    ))
    results.append(timed_result(
        n("coverage_query_ms"), time_ms(lambda: queries.coverage_matrix(plan), ctx.runs, ctx.warmup),
        note="coverage_matrix() alone (3 queries)",
    ))
    gaps_url = f"{coverage_url}?task={first_task.pk}"
    probe = time_ms(lambda: _get(client, gaps_url, first_task.text[:40]), 1, 0).median
    runs, warmup = (ctx.runs, ctx.warmup) if probe < SLOW_MS else (SLOW_RUNS, 0)
    results.append(timed_result(
        n("coverage_gaps_ms"), time_ms(lambda: _get(client, gaps_url, first_task.text[:40]), runs, warmup),
        note="the same with one task's gap list open" + ("" if runs == ctx.runs else f" ({runs} runs: slow)"),
    ))

    # 3. The cascade: who has issued, who is late.
    cascade_url = f"/plans/{plan.pk}/cascade/"
    results.append(timed_result(
        n("cascade_ms"), time_ms(lambda: _get(client, cascade_url, PLAN_TITLE), ctx.runs, ctx.warmup),
        note=f"GET {cascade_url}: counts and the first page of each state",
    ))

    for label, url in (("page", page_url), ("coverage", coverage_url), ("cascade", cascade_url)):
        slow = _slowest_queries(lambda url=url: _get(client, url, ""))
        lines = "\n".join(f"  {ms:8.2f} ms  {sql}" for ms, sql in slow)
        print(f"[plans/{ctx.db}] slowest queries of the {label} request:\n{lines}", file=sys.stderr)

    results.append(Result(n("derived_tasks"), Task.objects.filter(plan__parent_plan=plan).count(), "tasks"))
    reset_queries()
    connection.close()
    return results
