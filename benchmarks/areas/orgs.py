"""The unit tree at national scale: 100,000 units, the official list plus what provinces add below it.

Data: the real loader (34 provinces, 3,321 communes), then departments and front organisations
under every province, front organisations under every commune and villages / residential groups
(10–38 per commune, as in the countryside and the cities) up to exactly ``TOTAL_UNITS``. Ids are
assigned here so each path is written once, in the same insert (no UPDATE pass).

Scenarios: the API's first subtree page for a province administrator, the queries ``visible_to``
adds, the official loader into an empty database, and the diacritics-insensitive search.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.context import RunContext
from benchmarks.core import Result, time_ms, timed_result

GENERATOR_VERSION = 3
TOTAL_UNITS = 100_000
SEED = 20250701

TARGETS = {
    "subtree_first_page_ms": 50.0,
    "visible_to_extra_queries": 1.0,
    "load_official_s": 10.0,
}
PAGE = 50
SEARCH_TEXT = "bac kan"

PROVINCE_DEPARTMENTS = [
    "Văn phòng Ủy ban nhân dân", "Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường", "Sở Xây dựng", "Sở Giáo dục và Đào tạo", "Sở Y tế",
    "Sở Khoa học và Công nghệ", "Sở Văn hóa, Thể thao và Du lịch", "Sở Dân tộc và Tôn giáo",
    "Sở Ngoại vụ", "Thanh tra tỉnh", "Ban Quản lý các khu công nghiệp", "Ban Dân vận Tỉnh ủy",
    "Ban Tuyên giáo và Dân vận", "Trung tâm Phục vụ hành chính công", "Ban Tiếp công dân", "Văn phòng Tỉnh ủy",
]
PROVINCE_FRONT = [
    "Ủy ban Mặt trận Tổ quốc Việt Nam", "Hội Liên hiệp Phụ nữ", "Hội Nông dân", "Tỉnh đoàn", "Hội Cựu chiến binh",
]
COMMUNE_FRONT = [
    "Ủy ban Mặt trận Tổ quốc Việt Nam", "Hội Liên hiệp Phụ nữ", "Hội Nông dân", "Đoàn Thanh niên",
    "Hội Cựu chiến binh",
]
VILLAGE_WORDS = [
    "Đồng Tâm", "Tân Lập", "Quyết Thắng", "Thống Nhất", "Hợp Thành", "Đoàn Kết", "Tiến Bộ", "Bình Minh",
    "Nà Phặc", "Khuổi Trang", "Pác Nặm", "Nà Làng", "Bản Chang", "Phiêng Lầu", "Cốc Lùng", "Hòa Bình",
    "Trung Tâm", "Đông Sơn", "Tây Sơn", "Nam Sơn", "Bắc Sơn", "Thượng", "Hạ", "Làng Mới", "Xuân Hòa",
    "Phú Lợi", "An Khang", "Yên Thịnh", "Minh Khai", "Quang Trung", "Lê Lợi", "Hưng Đạo", "Kim Đồng",
    "Suối Cạn", "Đá Trắng", "Cây Thị", "Gò Đình", "Vĩnh Phúc",
]
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 (a bench user's, not a secret)
USERNAMES = {"admin": "bench-province-admin", "officer": "bench-commune-officer", "superuser": "bench-superuser"}


def _village_counts(communes: int, total: int, rng: random.Random) -> list[int]:
    """Split ``total`` villages over the communes in proportion to random weights, summing exactly."""
    weights = [rng.randint(10, 38) for _ in range(communes)]
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    counts = [int(x) for x in raw]
    by_remainder = sorted(range(communes), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _village_name(commune_division: str, n: int, offset: int) -> tuple[str, str]:
    if commune_division == "Phường":
        return f"Tổ dân phố {n}", "Tổ dân phố"
    word = VILLAGE_WORDS[(n + offset) % len(VILLAGE_WORDS)]
    prefix = "Bản" if (offset % 3 == 0) else "Thôn"
    suffix = f" {n // len(VILLAGE_WORDS) + 1}" if n >= len(VILLAGE_WORDS) else ""
    return f"{prefix} {word}{suffix}", prefix


def generate() -> dict[str, Any]:
    from django.db import connection, transaction
    from django.db.models import Count, Max

    from danvan.accounts import services as accounts
    from danvan.core.text import search_key
    from danvan.orgs import services
    from danvan.orgs.loaders import REFORM_DAY, load_official
    from danvan.orgs.models import OrgKind, OrgUnit
    from danvan.orgs.paths import child_path
    from danvan.orgs.roles import Role

    load_official()
    kinds = {k.code: k for k in OrgKind.objects.all()}
    provinces = list(OrgUnit.objects.filter(kind=kinds["province"]).order_by("path"))
    communes = list(OrgUnit.objects.filter(kind=kinds["commune"]).order_by("path"))
    existing = len(provinces) + len(communes)
    keys: dict[str, str] = {}

    def key(name: str) -> str:
        if name not in keys:
            keys[name] = search_key(name)
        return keys[name]

    next_id = (OrgUnit.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    new: list[OrgUnit] = []
    subtree_size = {p.pk: 1 for p in provinces}
    province_of_path = {p.path: p.pk for p in provinces}

    def add(parent: OrgUnit, kind: str, name: str, division: str = "") -> None:
        nonlocal next_id
        new.append(OrgUnit(
            id=next_id, kind=kinds[kind], name=name, division_type=division, parent_id=parent.pk,
            path=child_path(parent.path, next_id), valid_from=REFORM_DAY, search_name=key(name),
        ))
        subtree_size[province_of_path[parent.path[:9]]] += 1
        next_id += 1

    for p in provinces:
        short = p.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
        for name in PROVINCE_DEPARTMENTS:
            add(p, "department", name)
        for name in PROVINCE_FRONT:
            add(p, "front", f"{name} {short}")
    for c in communes:
        subtree_size[province_of_path[c.path[:9]]] += 1
        for name in COMMUNE_FRONT:
            add(c, "front", f"{name} {c.name}")
    villages = TOTAL_UNITS - existing - len(new)
    rng = random.Random(SEED)
    for c, n_villages in zip(communes, _village_counts(len(communes), villages, rng), strict=True):
        offset = rng.randrange(len(VILLAGE_WORDS))
        for n in range(n_villages):
            name, division = _village_name(c.division_type, n, offset)
            add(c, "village", name, division)

    with transaction.atomic():
        OrgUnit.objects.bulk_create(new, batch_size=2000)
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            with connection.cursor() as cur:
                for statement in connection.ops.sequence_reset_sql(no_style(), [OrgUnit]):
                    cur.execute(statement)

    assert OrgUnit.objects.count() == TOTAL_UNITS, "the generated tree does not have the planned size"
    largest = max(provinces, key=lambda p: subtree_size[p.pk])
    commune = (
        OrgUnit.objects.filter(kind=kinds["commune"]).subtree_of(largest)
        .annotate(n=Count("children")).order_by("-n", "path").first()
    )
    # Staff roles need two-factor: the bench users have it, as real officials would, so the
    # requests measured are the ones a logged-in official makes.
    password = secrets.token_urlsafe(24)
    admin = accounts.create_user(actor=None, username=USERNAMES["admin"], password=password, email="admin@bench.invalid")
    officer = accounts.create_user(
        actor=None, username=USERNAMES["officer"], password=password, email="officer@bench.invalid"
    )
    root = accounts.create_user(
        actor=None, username=USERNAMES["superuser"], password=password, email="root@bench.invalid", is_superuser=True
    )
    for user in (admin, officer, root):
        accounts.add_totp_authenticator(actor=None, user=user, secret=TOTP_SECRET)
    services.grant_role(actor=None, user=admin, unit=largest, role=Role.ADMIN)
    services.grant_role(actor=None, user=officer, unit=commune, role=Role.OFFICER)
    return {
        "units": OrgUnit.objects.count(),
        "official": existing,
        "largest_province": largest.name,
        "largest_province_units": subtree_size[largest.pk],
        "officer_commune": commune.name if commune else "",
    }


# --- scenarios ---------------------------------------------------------------------------------


def _users() -> dict[str, Any]:
    from danvan.accounts.models import User

    return {role: User.objects.get(username=name) for role, name in USERNAMES.items()}


def _grant_unit(user: Any) -> Any:
    from danvan.orgs.models import OrgUnit

    return OrgUnit.objects.get(memberships__user=user, memberships__revoked_at__isnull=True)


def _subtree_qs(user: Any, unit: Any) -> Any:
    """The query the subtree endpoint runs for its page (see ``danvan/orgs/api.py``)."""
    from danvan.orgs.models import OrgUnit

    return OrgUnit.objects.visible_to(user).subtree_of(unit).current().select_related("kind").order_by("path")[: PAGE + 1]


def _api_client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _get_json(client: Any, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response.json()


def _query_count(fn: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def explain_subtree(user: Any, unit: Any) -> tuple[bool, str]:
    """The database's plan for the subtree page, and whether it reads the path index."""
    from django.db import connection

    from danvan.orgs.models import OrgUnit

    sql, params = _subtree_qs(user, unit).query.sql_with_params()
    path_indexes = [
        name for name, info in connection.introspection.get_constraints(connection.cursor(), OrgUnit._meta.db_table).items()
        if info["index"] and info["columns"] == ["path"]
    ]
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(row[-1]) for row in cur.fetchall())
        else:
            cur.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cur.fetchall())
    return any(name in plan for name in path_indexes), plan


def _load_official_fresh(ctx: RunContext) -> dict[str, Any]:
    """Time the loader in a child process on an empty, freshly migrated database of the same kind."""
    from benchmarks import db as bench_db

    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="danvan-bench-") as tmp:
        if ctx.db == "sqlite":
            env["DANVAN_BENCH_DATABASE_URL"] = bench_db.sqlite_url(Path(tmp) / "load.sqlite3")
            server = None
        else:
            server = bench_db.pg_server_url()
            env["DANVAN_BENCH_DATABASE_URL"] = bench_db.pg_ensure_database(server, "danvan_bench_orgs_load", fresh=True)
        try:
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.areas.orgs_load"], env=env, check=False, capture_output=True, text=True,
            )
        finally:
            if server:
                bench_db.pg_drop_database(server, "danvan_bench_orgs_load")
    if out.returncode != 0:
        raise RuntimeError(f"benchmarks.areas.orgs_load failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(ctx: RunContext) -> list[Result]:
    from django.db import connection, reset_queries

    from danvan.accounts.models import User
    from danvan.orgs.models import OrgUnit

    users = _users()
    admin, officer, root = users["admin"], users["officer"], users["superuser"]
    province, commune = _grant_unit(admin), _grant_unit(officer)
    results: list[Result] = []
    n = ctx.name

    # 1. The first page of the largest province's subtree, through the API, then the bare query.
    client = _api_client(admin)
    url = f"/api/v1/units/{province.pk}/subtree"
    page = _get_json(client, url)
    assert len(page["items"]) == PAGE and page["next_cursor"], "the subtree page is not full"
    assert page["items"][0]["id"] == province.pk
    results.append(timed_result(
        n("subtree_first_page_ms"), time_ms(lambda: _get_json(client, url), ctx.runs, ctx.warmup),
        TARGETS["subtree_first_page_ms"], f"GET {PAGE} rows of {province.name}",
    ))
    results.append(Result(n("subtree_request_queries"), _query_count(lambda: _get_json(client, url)), "queries"))
    results.append(timed_result(
        n("subtree_query_ms"), time_ms(lambda: list(_subtree_qs(admin, province)), ctx.runs, ctx.warmup),
        note="the page's SQL alone",
    ))
    uses_index, plan = explain_subtree(admin, province)
    results.append(Result(n("subtree_uses_path_index"), int(uses_index), "bool", target=None, note="EXPLAIN"))
    print(f"[orgs/{ctx.db}] plan of the subtree page:\n{plan}\n", file=sys.stderr)
    # A later page costs what the first costs (keyset pagination); check with the cursor at the end.
    last = list(OrgUnit.objects.subtree_of(province).order_by("-path").values_list("path", flat=True)[:PAGE + 1])[-1]
    from danvan.api.pagination import encode_cursor

    deep_url = f"{url}?cursor={encode_cursor(last)}"
    results.append(timed_result(
        n("subtree_last_page_ms"), time_ms(lambda: _get_json(client, deep_url), ctx.runs, ctx.warmup),
        note="keyset cursor near the end",
    ))
    officer_client = _api_client(officer)
    officer_url = f"/api/v1/units/{commune.pk}/subtree"
    results.append(timed_result(
        n("subtree_commune_page_ms"), time_ms(lambda: _get_json(officer_client, officer_url), ctx.runs, ctx.warmup),
        note=f"commune officer, {commune.name}",
    ))

    # 2. What .visible_to(user) adds to a list query, on a user object that has not read its scope yet.
    extra = []
    for user in (admin, officer):
        fresh = User.objects.get(pk=user.pk)
        base = _query_count(lambda: list(OrgUnit.objects.all()[:PAGE]))
        scoped = _query_count(lambda fresh=fresh: list(OrgUnit.objects.visible_to(fresh)[:PAGE]))
        extra.append(scoped - base)
    results.append(Result(
        n("visible_to_extra_queries"), max(extra), "queries", target=TARGETS["visible_to_extra_queries"],
        note="province admin and commune officer",
    ))

    # 3. The official loader into an empty database, and the idempotent second run.
    load = _load_official_fresh(ctx)
    results.append(Result(
        n("load_official_s"), load["load_official_s"], "s", p95=load["load_official_max_s"],
        target=TARGETS["load_official_s"], note=f"median of {load['runs']}, {load['created']} units created",
    ))
    results.append(Result(n("load_official_rerun_s"), load["load_official_rerun_s"], "s", note="nothing to change"))

    # 4. Diacritics-insensitive search, as the province admin (its ~subtree) and as a superuser (all units).
    search_url = "/api/v1/units?q=" + SEARCH_TEXT.replace(" ", "+")
    found = _get_json(client, search_url)["items"]
    ids = [i["id"] for i in found]
    assert OrgUnit.objects.subtree_of(province).filter(pk__in=ids).count() == len(ids), "search left the scope"
    results.append(timed_result(
        n("search_ms"), time_ms(lambda: _get_json(client, search_url), ctx.runs, ctx.warmup),
        note=f'"{SEARCH_TEXT}" in {province.name}: {len(found)} hits',
    ))
    results.append(timed_result(
        n("search_query_ms"),
        time_ms(lambda: list(OrgUnit.objects.visible_to(admin).current().search(SEARCH_TEXT).order_by("path")[:PAGE + 1]),
                ctx.runs, ctx.warmup),
        note="the search's SQL alone",
    ))
    root_client = _api_client(root)
    everywhere = _get_json(root_client, search_url)["items"]
    assert any(i["name"] == "Phường Bắc Kạn" for i in everywhere), "search did not find Phường Bắc Kạn"
    results.append(timed_result(
        n("search_all_ms"), time_ms(lambda: _get_json(root_client, search_url), ctx.runs, ctx.warmup),
        note=f"superuser, all {ctx.counts.get('units', '?')} units: {len(everywhere)} hits",
    ))
    results.append(Result(n("units"), OrgUnit.objects.count(), "units"))
    reset_queries()
    connection.close()
    return results
