"""Petitions at national scale: 5,000,000 cases (about ten years of national volume), PostgreSQL only.

Data: the orgs area's 100,000-unit tree hung under one national unit ("Chính phủ"), as in the
reports area. Petitions arrive day by day over ten years (fewer at weekends, slowly growing), at
communes (most), provinces, their departments and the national unit; kinds complaint ~35 %,
recommendation ~40 %, feedback ~15 %, denunciation ~8 %, mixed ~2 %; numbered per unit and year in
order of arrival; about 4 % still open (received / classified / accepted / verifying, the next
deadline spread around today so that some are overdue), the rest resolved, closed, filed away,
forwarded, guided or withdrawn. Summaries and contents come from a vocabulary of Vietnamese
phrases, and ``search_text`` / ``filer_key`` are what ``danvan.petitions.duplicates`` computes, so
fuzzy matching meets realistic text and recurring filers. Rows go in with ``COPY`` after the
table's secondary indexes are dropped (rebuilt afterwards, as a restore would), foreign-key
triggers off (the rows are consistent by construction). Officers with a token at a commune, its
province and the national unit; heads at the national unit, every province and 300 communes, for
the overdue notifications.

Scenarios: the work list through gunicorn (16 concurrent clients, keep-alive, first pages and next
pages, three officers); intake through the API (16 clients, an idempotency key each); the daily
overdue scan; duplicate candidates. ``BENCH_PETITIONS=50000`` makes a small data set for trying the
harness; ``BENCH_PETITIONS_SECONDS`` changes the 20 s measuring windows.
"""

from __future__ import annotations

import datetime as dt
import http.client
import io
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.context import RunContext
from benchmarks.core import PACKAGE_DIR, Result, Timing

SCALE = int(os.environ.get("BENCH_PETITIONS", "5000000"))
# The data set's size is part of its version, so a small trial run never passes for the full one.
GENERATOR_BASE = 1
GENERATOR_VERSION = GENERATOR_BASE * 100_000 + min(SCALE // 1000, 99_999)
SEED = 20260706
YEARS = 10
WINDOW_S = float(os.environ.get("BENCH_PETITIONS_SECONDS", "20"))
WARMUP_S = 3.0
CLIENTS = 16
PAGE = 50
NEXT_PAGE_SHARE = 0.3
DUPLICATE_QUERIES = 50
SCAN_RUNS = 3
HEAD_COMMUNES = 300
BATCH = 50_000
INTAKE_PREFIX = "bench-intake-"
# The server's shape (also the load area's); the environment changes it for a comparison run.
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "2"))
GUNICORN_THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "8"))
# 1: only the two scenarios through gunicorn (work list, intake), for comparing server settings quickly.
SERVER_ONLY = os.environ.get("BENCH_PETITIONS_SERVER_ONLY", "0") == "1"
CPUS = "0,1"

# These figures are PostgreSQL's although their names carry no ".pg." (benchmarks.core.FIGURE_DATABASE).
FIGURES = ("worklist_median_ms", "worklist_p95_ms", "intake_per_s", "intake_errors", "overdue_scan_s",
           "duplicates_ms")
TARGETS = {
    "worklist_median_ms": 100.0,
    "worklist_p95_ms": 250.0,
    "intake_errors": 0.0,
    "overdue_scan_s": 5.0,
    "duplicates_ms": 200.0,
}
TARGET_INTAKE_PER_S = 200.0  # a lower bound; Result's target is an upper one, so it is named in the note

USERNAMES = {
    "commune": "bench-petitions-commune", "province": "bench-petitions-province",
    "national": "bench-petitions-national",
}
HEAD_PREFIX = "bench-petitions-head-"

KIND_SHARES = [("complaint", 35), ("recommendation", 40), ("feedback", 15), ("denunciation", 8), ("mixed", 2)]
OPEN_STATUSES = ("received", "classified", "accepted", "verifying")
# Open cases: most are young, a few have dragged on for years (prolonged).
RECENT_DAYS = 90
RECENT_OPEN_SHARE = 0.6
OLD_OPEN_SHARE = 0.025
CLOSED_MIX = [("closed", 45), ("resolved", 33), ("filed_away", 8), ("forwarded", 6), ("guided", 6), ("withdrawn", 2)]
OPEN_MIX = [("received", 25), ("classified", 15), ("accepted", 35), ("verifying", 25)]
CHANNELS = [("post", 40), ("direct", 25), ("reception", 20), ("online", 10), ("forwarded", 5)]

# (kind, field code, subject) — what people write about, as an officer would summarise it.
SUBJECTS: list[tuple[str, str, str]] = [
    ("complaint", "land", "Khiếu nại quyết định thu hồi đất"),
    ("complaint", "compensation", "Khiếu nại về mức bồi thường, hỗ trợ tái định cư"),
    ("complaint", "site-clearance", "Khiếu nại việc giải phóng mặt bằng dự án mở rộng đường"),
    ("complaint", "land", "Khiếu nại việc cấp giấy chứng nhận quyền sử dụng đất"),
    ("complaint", "construction", "Khiếu nại quyết định xử phạt vi phạm hành chính về xây dựng"),
    ("complaint", "social-policy", "Khiếu nại việc cắt trợ cấp người có công"),
    ("complaint", "labour", "Khiếu nại việc chấm dứt hợp đồng lao động"),
    ("complaint", "administrative-procedures", "Khiếu nại việc từ chối giải quyết thủ tục hành chính"),
    ("recommendation", "construction", "Kiến nghị sửa chữa đường giao thông nông thôn"),
    ("recommendation", "construction", "Kiến nghị lắp đặt hệ thống đèn chiếu sáng công cộng"),
    ("recommendation", "social-policy", "Đề nghị xem xét công nhận hộ nghèo, hộ cận nghèo"),
    ("recommendation", "environment", "Kiến nghị xử lý ô nhiễm môi trường do cơ sở chăn nuôi"),
    ("recommendation", "land", "Đề nghị điều chỉnh quy hoạch sử dụng đất"),
    ("recommendation", "education", "Kiến nghị xây dựng thêm phòng học cho trường tiểu học"),
    ("recommendation", "health", "Kiến nghị bổ sung bác sĩ cho trạm y tế"),
    ("recommendation", "administrative-procedures", "Đề nghị rút ngắn thời gian cấp giấy phép xây dựng"),
    ("recommendation", "social-policy", "Đề nghị hỗ trợ nhà ở cho gia đình chính sách"),
    ("recommendation", "environment", "Kiến nghị nạo vét kênh mương thoát nước"),
    ("feedback", "construction", "Phản ánh tình trạng lấn chiếm vỉa hè, lòng đường"),
    ("feedback", "environment", "Phản ánh tiếng ồn kéo dài từ cơ sở sản xuất"),
    ("feedback", "environment", "Phản ánh việc đổ rác thải không đúng nơi quy định"),
    ("feedback", "officials-conduct", "Phản ánh thái độ phục vụ của cán bộ bộ phận một cửa"),
    ("feedback", "administrative-procedures", "Phản ánh việc chậm trả kết quả hồ sơ"),
    ("feedback", "health", "Phản ánh chất lượng khám chữa bệnh bảo hiểm y tế"),
    ("denunciation", "officials-conduct", "Tố cáo cán bộ địa chính nhận tiền của người dân"),
    ("denunciation", "construction", "Tố cáo hành vi xây dựng trái phép trên đất nông nghiệp"),
    ("denunciation", "land", "Tố cáo việc giao đất trái thẩm quyền"),
    ("denunciation", "officials-conduct", "Tố cáo việc lạm dụng chức vụ, quyền hạn trong thu chi ngân sách"),
    ("mixed", "land", "Khiếu nại, tố cáo việc thu hồi đất và bồi thường không đúng quy định"),
    ("mixed", "compensation", "Khiếu nại và phản ánh việc chi trả tiền hỗ trợ tái định cư"),
]
DETAILS = [
    "của hộ gia đình", "kéo dài nhiều năm chưa được giải quyết", "ảnh hưởng đến đời sống nhân dân",
    "đã gửi đơn nhiều lần", "liên quan đến thửa đất số {n}", "theo quyết định số {n}/QĐ-UBND",
    "của nhiều hộ dân trong khu dân cư", "gây bức xúc trong nhân dân", "chưa được trả lời",
    "đề nghị cơ quan có thẩm quyền xem xét", "từ năm {y}", "tại khu vực chợ",
]
PLACES = [
    "Đồng Tâm", "Tân Lập", "Quyết Thắng", "Thống Nhất", "Hợp Thành", "Đoàn Kết", "Tiến Bộ", "Bình Minh",
    "Nà Phặc", "Khuổi Trang", "Pác Nặm", "Nà Làng", "Bản Chang", "Phiêng Lầu", "Cốc Lùng", "Hòa Bình",
    "Trung Tâm", "Đông Sơn", "Tây Sơn", "Nam Sơn", "Bắc Sơn", "Làng Mới", "Xuân Hòa", "Phú Lợi",
    "An Khang", "Yên Thịnh", "Minh Khai", "Quang Trung", "Lê Lợi", "Hưng Đạo", "Kim Đồng", "Suối Cạn",
]
CONTENTS = [
    "Gia đình tôi đã nhiều lần đến trụ sở nhưng chưa được giải quyết dứt điểm.",
    "Đề nghị các cơ quan chức năng kiểm tra, xác minh và trả lời bằng văn bản.",
    "Việc này ảnh hưởng trực tiếp đến sinh hoạt và sản xuất của các hộ dân xung quanh.",
    "Kèm theo đơn là bản sao các giấy tờ có liên quan.",
    "Kính mong lãnh đạo quan tâm xem xét, giải quyết theo đúng quy định của pháp luật.",
    "Chúng tôi đã phản ánh tại buổi tiếp xúc cử tri nhưng đến nay chưa có kết quả.",
    "Sự việc xảy ra từ đầu năm, đến nay vẫn tiếp diễn.",
    "Đề nghị công khai kết quả xử lý để nhân dân được biết.",
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Lò", "Hà", "Nông", "Triệu"]
MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Xuân", "Thu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Hương", "Lan", "Linh",
         "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Tuấn", "Việt"]
PEOPLE = 400_000  # distinct filers nationally: many file more than once

COLUMNS = (
    "org_unit_id", "number", "number_year", "received_on", "channel", "kind", "field_id", "round", "summary",
    "content", "filer_name", "filer_address", "anonymous", "signers", "forwarded_by", "status", "is_complex",
    "complex_criteria", "is_remote", "extensions", "accepted_on", "forwarded_to_name", "decision_number",
    "decision_on", "outcome", "next_due", "next_due_key", "suspended_days", "search_text", "filer_key",
    "over_level", "tracking_secret_hash", "public_summary", "lock_version", "idempotency_key", "created_at",
    "updated_at",
)
NULL = "\\N"


# --- data ------------------------------------------------------------------------------------------


def _weighted(pairs: Sequence[tuple[Any, int]]) -> tuple[list[Any], list[int]]:
    values, cum, total = [], [], 0
    for value, weight in pairs:
        total += weight
        values.append(value)
        cum.append(total)
    return values, cum


def day_counts(start: dt.date, days: int, total: int) -> list[int]:
    """``total`` petitions over ``days`` days from ``start``: weekends quiet, volume growing ~5 % a year."""
    weights = []
    for i in range(days):
        d = start + dt.timedelta(days=i)
        weekday = d.weekday()
        w = 1.0 if weekday < 5 else (0.3 if weekday == 5 else 0.08)
        weights.append(w * (1 + 0.05 * i / 365))
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    counts = [int(x) for x in raw]
    by_rest = sorted(range(days), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in by_rest[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class Vocabulary:
    """Texts and their matching keys, each worked out once (``search_key`` costs microseconds a call)."""

    keys: dict[str, str] = field(default_factory=dict)
    filers: dict[int, tuple[str, str, str]] = field(default_factory=dict)

    def key(self, text: str) -> str:
        k = self.keys.get(text)
        if k is None:
            from danvan.core.text import search_key

            k = self.keys[text] = search_key(text)
        return k

    def search_text(self, summary: str, content: str) -> str:
        """What ``duplicates.search_text_for`` returns, from cached halves (the test checks they agree)."""
        from danvan.petitions.duplicates import SEARCH_TEXT_MAX

        a, b = self.key(summary), self.key(content)
        return (f"{a} {b}" if a and b else a or b)[:SEARCH_TEXT_MAX]

    def filer(self, person: int, *, denunciation: bool) -> tuple[str, str, str]:
        """(name, address, filer_key) of a person; a denunciation's key comes from the identity, as on intake."""
        got = self.filers.get(person)
        if got is None:
            from danvan.petitions.duplicates import filer_key_for

            r = random.Random(person)
            name = f"{r.choice(SURNAMES)} {r.choice(MIDDLES)} {r.choice(GIVEN)}"
            address = f"Số {r.randrange(1, 300)}, thôn {r.choice(PLACES)}"
            got = self.filers[person] = (name, address, filer_key_for(name, address, None))
        if denunciation:
            from danvan.petitions.duplicates import filer_key_for

            return "", "", filer_key_for("", "", {"name": got[0], "address": got[1]})
        return got


def summary_for(rng: random.Random, subject: str, year: int) -> str:
    detail = rng.choice(DETAILS).format(n=rng.randrange(1, 999), y=year - rng.randrange(1, 8))
    return f"{subject} {detail} tại thôn {rng.choice(PLACES)}"


def _d(value: dt.date | None) -> str:
    return NULL if value is None else value.isoformat()


def petition_rows(
    units: Sequence[int], unit_weights: Sequence[float], fields: dict[str, int], today: dt.date, total: int,
    seed: int = SEED, vocab: Vocabulary | None = None,
) -> Iterator[tuple[str, ...]]:
    """Every petition as a tuple of COPY text values in ``COLUMNS`` order, oldest first."""
    rng = random.Random(seed)
    vocab = vocab or Vocabulary()
    start = today - dt.timedelta(days=365 * YEARS)
    days = (today - start).days + 1
    cum_units: list[float] = []
    acc = 0.0
    for w in unit_weights:
        acc += w
        cum_units.append(acc)
    kinds, kind_cum = _weighted(KIND_SHARES)
    closed, closed_cum = _weighted(CLOSED_MIX)
    opened, open_cum = _weighted(OPEN_MIX)
    channels, channel_cum = _weighted(CHANNELS)
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for kind, code, subject in SUBJECTS:
        by_kind.setdefault(kind, []).append((code, subject))
    numbers: dict[tuple[int, int], int] = {}
    for i, n_day in enumerate(day_counts(start, days, total)):
        if not n_day:
            continue
        day = start + dt.timedelta(days=i)
        age = (today - day).days
        stamp = f"{day.isoformat()} 08:30:00+07"
        for unit, kind, status_draw in zip(
            rng.choices(units, cum_weights=cum_units, k=n_day), rng.choices(kinds, cum_weights=kind_cum, k=n_day),
            [rng.random() for _ in range(n_day)], strict=True,
        ):
            numbers[(unit, day.year)] = number = numbers.get((unit, day.year), 0) + 1
            code, subject = rng.choice(by_kind[kind])
            summary = summary_for(rng, subject, day.year)
            content = rng.choice(CONTENTS)
            channel = rng.choices(channels, cum_weights=channel_cum)[0]
            denunciation = kind == "denunciation"
            anonymous = (denunciation and rng.random() < 0.3) or (
                kind in ("recommendation", "feedback") and rng.random() < 0.05)
            if anonymous:
                name = address = key = ""
            else:
                name, address, key = vocab.filer(int(rng.paretovariate(1.2) * 1000) % PEOPLE, denunciation=denunciation)
            is_open = status_draw < (RECENT_OPEN_SHARE if age <= RECENT_DAYS else OLD_OPEN_SHARE)
            status = (rng.choices(opened, cum_weights=open_cum) if is_open else rng.choices(closed, cum_weights=closed_cum))[0]
            accepted_on = decision_on = next_due = None
            next_due_key = outcome = decision_number = ""
            if status in ("accepted", "verifying", "resolved", "closed"):
                accepted_on = min(today, day + dt.timedelta(days=rng.randrange(1, 12)))
            if status in ("resolved", "closed"):
                decision_on = min(today, (accepted_on or day) + dt.timedelta(days=rng.randrange(10, 90)))
                decision_number = f"{rng.randrange(1, 3000)}/QĐ-UBND"
                if kind in ("complaint", "denunciation", "mixed"):
                    outcome = rng.choice(("upheld", "partly", "rejected", "rejected"))
            if is_open:
                # Spread around today: about one open case in six is past its deadline.
                next_due = today + dt.timedelta(days=int(rng.gauss(20, 20)))
                next_due_key = "resolution" if status in ("accepted", "verifying") else (
                    "acceptance" if kind in ("complaint", "denunciation", "mixed") else "feedback")
            complaint_like = kind in ("complaint", "mixed")
            yield (
                str(unit), str(number), str(day.year), day.isoformat(), channel, kind, str(fields[code]),
                ("2" if rng.random() < 0.08 else "1") if kind == "complaint" else NULL,
                summary, content, name, address, "t" if anonymous else "f",
                str(rng.choice((1, 1, 1, 1, 2, 3, 7))) if not denunciation else "1",
                "Ban Tiếp công dân Trung ương" if channel == "forwarded" else "", status,
                "t" if complaint_like and rng.random() < 0.1 else "f", "[]",
                "t" if rng.random() < 0.05 else "f", "0", _d(accepted_on),
                "Ủy ban nhân dân cấp trên" if status == "forwarded" else "", decision_number, _d(decision_on),
                outcome, _d(next_due), next_due_key, "0", vocab.search_text(summary, content), key, "f", "", "",
                "1", "", stamp, stamp,
            )


def _unit_weights(rng: random.Random) -> tuple[list[int], list[float], dict[str, Any]]:
    """Who handles petitions, and how many: communes most, then provinces, their departments, the nation."""
    from danvan.orgs.models import OrgUnit

    rows = list(OrgUnit.objects.filter(kind__code__in=["commune", "province", "department", "other"])
                .values_list("pk", "kind__code", "parent_id"))
    share = {"commune": 0.62, "province": 0.14, "department": 0.19, "other": 0.05}
    per_kind: dict[str, list[int]] = {}
    for pk, kind, _parent in rows:
        per_kind.setdefault(kind, []).append(pk)
    units: list[int] = []
    weights: list[float] = []
    busiest: dict[str, tuple[float, int]] = {}
    for kind, pks in per_kind.items():
        raw = [rng.lognormvariate(0, 0.6) for _ in pks]
        scale = share[kind] / sum(raw)
        for pk, w in zip(pks, raw, strict=True):
            units.append(pk)
            weights.append(w * scale)
            if w * scale > busiest.get(kind, (0.0, 0))[0]:
                busiest[kind] = (w * scale, pk)
    return units, weights, {k: v[1] for k, v in busiest.items()}


def _secondary_indexes(cur: Any) -> list[tuple[str, str]]:
    """(name, definition) of the petition table's indexes that back no constraint (the pk and numbering stay)."""
    cur.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'petitions_petition' "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
    )
    return list(cur.fetchall())


def _copy_petitions(rows: Iterator[tuple[str, ...]]) -> tuple[int, float, float]:
    """COPY every row with the secondary indexes dropped and FK triggers off; then rebuild the indexes."""
    from django.db import connection, transaction

    n = 0
    with connection.cursor() as cur:
        indexes = _secondary_indexes(cur)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET LOCAL session_replication_role = replica")  # the bench user is the cluster's superuser
        with cur.cursor.copy(f"COPY petitions_petition ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            buf = io.StringIO()
            for row in rows:
                buf.write("\t".join(row))
                buf.write("\n")
                n += 1
                if n % BATCH == 0:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
                    if n % 1_000_000 == 0:
                        print(f"[petitions] {n:,} rows copied ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
            copy.write(buf.getvalue())
    copy_s = time.perf_counter() - start
    start = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            cur.execute(definition)
        cur.execute("RESET maintenance_work_mem")
        cur.execute("VACUUM ANALYZE petitions_petition")
    return n, copy_s, time.perf_counter() - start


def _people(units: dict[str, int]) -> dict[str, Any]:
    """The three officers, and heads at the national unit, every province and a sample of communes."""
    import secrets

    from danvan.accounts import services as accounts
    from danvan.orgs import services as org_services
    from danvan.orgs.models import OrgUnit
    from danvan.orgs.roles import Role

    password = secrets.token_urlsafe(24)
    for who, name in USERNAMES.items():
        user = accounts.create_user(actor=None, username=name, password=password, email=f"{name}@bench.invalid")
        org_services.grant_role(actor=None, user=user, unit=OrgUnit.objects.get(pk=units[who]), role=Role.OFFICER)
    rng = random.Random(SEED)
    communes = list(OrgUnit.objects.filter(kind__code="commune").order_by("pk").values_list("pk", flat=True))
    head_units = [units["national"], *OrgUnit.objects.filter(kind__code="province").values_list("pk", flat=True),
                  *rng.sample(communes, min(HEAD_COMMUNES, len(communes)))]
    for i, pk in enumerate(head_units):
        head = accounts.create_user(actor=None, username=f"{HEAD_PREFIX}{i}", password=password,
                                    email=f"{HEAD_PREFIX}{i}@bench.invalid")
        org_services.grant_role(actor=None, user=head, unit=OrgUnit.objects.get(pk=pk), role=Role.HEAD)
    return {"heads": len(head_units)}


def generate() -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        return {"skipped": "the petitions bench runs on PostgreSQL only"}
    from benchmarks.areas import orgs
    from benchmarks.areas.plans import _national_root
    from danvan.orgs.models import OrgUnit
    from danvan.petitions.models import Petition, PetitionField

    tree = orgs.generate()
    root = _national_root()
    rng = random.Random(SEED)
    units, weights, busiest = _unit_weights(rng)
    commune = OrgUnit.objects.get(pk=busiest["commune"])
    province = OrgUnit.objects.get(path=commune.path[: len(root.path) + 9])
    who = {"commune": commune.pk, "province": province.pk, "national": root.pk}
    people = _people(who)
    fields = dict(PetitionField.objects.values_list("code", "pk"))
    today = timezone.localdate()
    start = time.perf_counter()
    n, copy_s, index_s = _copy_petitions(petition_rows(units, weights, fields, today, SCALE))
    open_count = Petition.objects.filter(status__in=OPEN_STATUSES).count()
    return {
        "units": tree["units"] + 1,
        "petitions": n,
        "open": open_count,
        "overdue_on_generation_day": Petition.objects.filter(status__in=OPEN_STATUSES, next_due__lt=today).count(),
        "generated_on": today.isoformat(),
        "commune_id": commune.pk, "province_id": province.pk, "root_id": root.pk,
        "commune": commune.name, "province": province.name,
        "copy_s": round(copy_s, 1), "indexes_s": round(index_s, 1), "petitions_s": round(time.perf_counter() - start, 1),
        **people,
    }


# --- the HTTP load ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn on the bench database, pinned to two cores when ``taskset`` exists; stopped by its own pid."""

    def __init__(self, settings: str = "benchmarks.settings") -> None:
        self.port = _free_port()
        self.pinned = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
        self.log = tempfile.NamedTemporaryFile(prefix="danvan-bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        cmd = [
            gunicorn, "danvan.wsgi", "-k", "gthread", "-w", str(GUNICORN_WORKERS), "--threads", str(GUNICORN_THREADS),
            "-b", f"127.0.0.1:{self.port}", "--keep-alive", "30", "--log-level", "warning", "--timeout", "120",
        ]
        if self.pinned:
            cmd = ["taskset", "-c", CPUS, *cmd]
        env = dict(os.environ, DJANGO_SETTINGS_MODULE=settings)
        self.proc = subprocess.Popen(cmd, cwd=PACKAGE_DIR.parent, env=env, stdout=self.log, stderr=self.log)
        self.describe = (f"gunicorn gthread {GUNICORN_WORKERS}×{GUNICORN_THREADS}"
                         + (f", taskset -c {CPUS}" if self.pinned else ", not pinned"))

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout} s:\n{self.tail()}")

    def tail(self) -> str:
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")[-3000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)

    def __enter__(self) -> Server:
        self.wait()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class Sample:
    label: str
    ms: float
    status: int


class Client:
    """One keep-alive connection; reconnects once when the server closed it between requests."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, url: str, body: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
        data = None if body is None else json.dumps(body).encode()
        hdrs = dict(self.headers, **(headers or {}))
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        for attempt in (0, 1):
            start = time.perf_counter()
            try:
                self.conn.request(method, url, body=data, headers=hdrs)
                response = self.conn.getresponse()
                payload = response.read()
                return response.status, payload, (time.perf_counter() - start) * 1000
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def run_load(clients: int, seconds: float, warmup: float, step: Callable[[int, int, bool], list[Sample]]
             ) -> tuple[list[Sample], float]:
    """``clients`` threads call ``step(thread, iteration, measuring)`` until time is up; returns samples and the window."""
    samples: list[Sample] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    begin = time.monotonic()
    measure_from = begin + warmup
    stop_at = measure_from + seconds

    def worker(index: int) -> None:
        mine: list[Sample] = []
        i = 0
        try:
            while (now := time.monotonic()) < stop_at and not errors:
                got = step(index, i, now >= measure_from)
                if time.monotonic() >= measure_from and now >= measure_from:
                    mine.extend(got)
                i += 1
        except BaseException as exc:  # noqa: BLE001 (re-raised in the main thread)
            errors.append(exc)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return samples, seconds


# --- scenarios --------------------------------------------------------------------------------------


def _users() -> dict[str, Any]:
    from danvan.accounts.models import User

    return {who: User.objects.get(username=name) for who, name in USERNAMES.items()}


def _tokens(users: dict[str, Any]) -> dict[str, str]:
    """A fresh token per officer each run (only hashes are stored, so last run's cannot be reused)."""
    from danvan.accounts import services as accounts
    from danvan.accounts.models import ApiToken

    ApiToken.objects.filter(user__in=list(users.values())).delete()
    return {who: accounts.create_api_token(user=u, name="bench")[1] for who, u in users.items()}


def _probe(port: int, token: str, method: str, url: str, body: dict[str, Any] | None = None) -> int:
    client = Client(port, token)
    try:
        status, _payload, _ms = client.request(method, url, body, {"Idempotency-Key": f"{INTAKE_PREFIX}probe"}
                                               if body is not None else None)
        return status
    finally:
        client.close()


def worklist_scenario(port: int, tokens: dict[str, str], counts: dict[str, Any]) -> tuple[list[Result], str]:
    order = ["commune", "province", "national"]
    url = f"/api/v1/petitions/worklist?limit={PAGE}"
    clients = [Client(port, tokens[order[k % 3]]) for k in range(CLIENTS)]
    rngs = [random.Random(SEED + k) for k in range(CLIENTS)]
    first_page: dict[str, int] = {}

    def step(k: int, _i: int, _measuring: bool) -> list[Sample]:
        who = order[k % 3]
        status, payload, ms = clients[k].request("GET", url)
        if status != 200:
            raise RuntimeError(f"worklist for the {who} officer answered {status}: {payload[:300]!r}")
        page = json.loads(payload)
        first_page[who] = len(page["items"])
        out = [Sample(f"first:{who}", ms, status)]
        if page.get("next") and rngs[k].random() < NEXT_PAGE_SHARE:
            cursor = urllib.parse.quote(str(page["next"]), safe="")
            status, payload, ms = clients[k].request("GET", f"{url}&after={cursor}")
            if status != 200:
                raise RuntimeError(f"worklist next page for the {who} officer answered {status}: {payload[:300]!r}")
            out.append(Sample(f"next:{who}", ms, status))
        return out

    try:
        samples, window = run_load(CLIENTS, WINDOW_S, WARMUP_S, step)
    finally:
        for c in clients:
            c.close()
    first = Timing([s.ms for s in samples if s.label.startswith("first:")])
    later = [s.ms for s in samples if s.label.startswith("next:")]
    per_officer = ", ".join(
        f"{who} {statistics.median([s.ms for s in samples if s.label == f'first:{who}']):.0f}" for who in order
    )
    note = (f"{len(first.samples_ms):,} first pages in {window:.0f} s by {CLIENTS} clients; medians ms {per_officer}; "
            f"rows on a page {first_page}")
    results = [
        Result("petitions.worklist_median_ms", round(first.median, 1), "ms", target=TARGETS["worklist_median_ms"],
               note=note),
        Result("petitions.worklist_p95_ms", round(first.p95, 1), "ms", target=TARGETS["worklist_p95_ms"]),
    ]
    if later:
        nxt = Timing(later)
        results.append(Result("petitions.worklist_next_median_ms", round(nxt.median, 1), "ms", p95=round(nxt.p95, 1),
                              note=f"{len(later):,} next pages (keyset cursor)"))
    results.append(Result("petitions.worklist_rps", round(len(samples) / window, 1), "req/s",
                          note="first and next pages together"))
    return results, note


def _intake_units(counts: dict[str, Any]) -> list[int]:
    from danvan.orgs.models import OrgUnit

    return list(OrgUnit.objects.filter(kind__code="commune").order_by("pk").values_list("pk", flat=True))


def intake_scenario(port: int, tokens: dict[str, str], counts: dict[str, Any], run_id: str) -> list[Result]:
    from django.utils import timezone

    units = _intake_units(counts)
    today = timezone.localdate().isoformat()
    clients = [Client(port, tokens["national"]) for _ in range(CLIENTS)]
    rngs = [random.Random(SEED * 7 + k) for k in range(CLIENTS)]
    kinds = ["recommendation", "recommendation", "feedback", "complaint"]
    failures: list[str] = []

    def step(k: int, i: int, _measuring: bool) -> list[Sample]:
        rng = rngs[k]
        kind = rng.choice(kinds)
        subject = rng.choice([s for s in SUBJECTS if s[0] == kind])[2]
        body = {
            "org_unit": rng.choice(units), "received_on": today, "channel": "post", "kind": kind,
            "filer_name": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}",
            "filer_address": f"Số {rng.randrange(1, 300)}, thôn {rng.choice(PLACES)}",
            "summary": summary_for(rng, subject, 2026), "content": rng.choice(CONTENTS),
        }
        status, payload, ms = clients[k].request(
            "POST", "/api/v1/petitions", body, {"Idempotency-Key": f"{INTAKE_PREFIX}{run_id}-{k}-{i}"})
        if status not in (200, 201) and len(failures) < 5:
            failures.append(f"{status}: {payload[:200]!r}")
        return [Sample("intake", ms, status)]

    try:
        samples, window = run_load(CLIENTS, WINDOW_S, WARMUP_S, step)
    finally:
        for c in clients:
            c.close()
    ok = [s for s in samples if 200 <= s.status < 300]
    errors = len(samples) - len(ok)
    if failures:
        print("[petitions] intake failures (first few):\n  " + "\n  ".join(failures), file=sys.stderr)
    rate = round(len(ok) / window, 1)
    t = Timing([s.ms for s in ok] or [0.0])
    return [
        Result("petitions.intake_per_s", rate, "/s",
               note=f"target >= {TARGET_INTAKE_PER_S:.0f}/s: {'ok' if rate >= TARGET_INTAKE_PER_S else 'UNDER'}; "
                    f"{len(ok):,} created in {window:.0f} s by {CLIENTS} clients; median {t.median:.0f} ms, "
                    f"p95 {t.p95:.0f} ms"),
        Result("petitions.intake_errors", errors, "errors", target=TARGETS["intake_errors"],
               note="non-2xx answers"),
    ]


def cleanup_intake() -> int:
    """Delete what the intake scenario created, so that reruns measure the same data set."""
    from django.db import connection

    from danvan.petitions.models import Petition

    ids = list(Petition.objects.filter(idempotency_key__startswith=INTAKE_PREFIX).values_list("pk", flat=True))
    if not ids:
        return 0
    with connection.cursor() as cur:
        # Rows that point at the new petitions (events, notices, identities…), found from the schema itself.
        cur.execute(
            "SELECT cl.relname, a.attname FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "WHERE c.contype = 'f' AND c.confrelid = 'petitions_petition'::regclass AND cl.relname <> 'petitions_petition'"
        )
        for table, column in cur.fetchall():
            cur.execute(f'DELETE FROM "{table}" WHERE "{column}" = ANY(%s)', [ids])  # noqa: S608 (catalogue names)
        cur.execute("DELETE FROM petitions_petition WHERE id = ANY(%s)", [ids])
    return len(ids)


def scan_scenario(counts: dict[str, Any]) -> list[Result]:
    from django.db import connection
    from django.utils import timezone

    from danvan.notifications.models import Notification

    try:
        from danvan.petitions.tasks import scan
    except ImportError as exc:
        print(f"[petitions] overdue_scan_s skipped: danvan.petitions.tasks.scan is not there yet ({exc})", file=sys.stderr)
        return []
    today = timezone.localdate()

    def reset() -> None:
        with connection.cursor() as cur:
            cur.execute("UPDATE petitions_petition SET overdue_notified_on = NULL, prolonged_since = NULL "
                        "WHERE overdue_notified_on IS NOT NULL OR prolonged_since IS NOT NULL")

    # The first scan after a load (or after months without one) catches up on every case at once; the
    # daily scan then sees one day's newly overdue and newly prolonged cases. Both are measured: the
    # daily one is the figure the issue names, on the days after the catch-up.
    reset()
    mark = timezone.now()
    start = time.perf_counter()
    catchup = scan(today=today)
    catchup_s = time.perf_counter() - start
    samples = []
    outcome: Any = None
    for day in range(1, SCAN_RUNS + 1):
        start = time.perf_counter()
        outcome = scan(today=today + dt.timedelta(days=day))
        samples.append(time.perf_counter() - start)
    Notification.objects.filter(created_at__gte=mark).delete()
    reset()
    overdue = counts.get("overdue_on_generation_day")
    return [
        Result(
            "petitions.overdue_scan_s", round(statistics.median(samples), 3), "s", p95=round(max(samples), 3),
            target=TARGETS["overdue_scan_s"],
            note=f"daily scan, median of the {SCAN_RUNS} days after a catch-up; last day {outcome!r}"[:300],
        ),
        Result(
            "petitions.overdue_scan_catchup_s", round(catchup_s, 3), "s",
            note=f"first scan over a never-scanned table ({overdue:,} overdue when generated): {catchup!r}"[:300],
        ),
    ]


def duplicates_scenario(users: dict[str, Any], counts: dict[str, Any]) -> list[Result]:
    from danvan.orgs.models import OrgUnit
    from danvan.petitions.models import Petition

    try:
        from danvan.petitions.duplicates import candidates
    except ImportError as exc:
        print(f"[petitions] duplicates_ms skipped: duplicates.candidates is not there yet ({exc})", file=sys.stderr)
        return []
    rng = random.Random(SEED + 5)
    commune = OrgUnit.objects.get(pk=counts["commune_id"])
    province = OrgUnit.objects.get(pk=counts["province_id"])
    province_communes = list(OrgUnit.objects.filter(kind__code="commune").subtree_of(province).values_list("pk", flat=True))
    all_communes = list(OrgUnit.objects.filter(kind__code="commune").values_list("pk", flat=True))
    queries: list[tuple[Any, Any, str, bool]] = []
    for i in range(DUPLICATE_QUERIES):
        who = ("commune", "province", "national")[i % 3]
        unit_pk = commune.pk if who == "commune" else rng.choice(province_communes if who == "province" else all_communes)
        unit = OrgUnit.objects.get(pk=unit_pk)
        matching = i % 2 == 0
        summary = ""
        if matching:  # an existing petition of that unit, re-filed in slightly different words
            pk = (Petition.objects.filter(org_unit_id=unit_pk).order_by("-pk").values_list("summary", flat=True).first())
            summary = f"{pk} (đơn lần hai)" if pk else ""
        if not summary:
            summary = f"Đề nghị giải quyết việc {rng.choice(['cấp nước sạch', 'trợ cấp thất nghiệp', 'cây xanh đổ'])} " \
                      f"tại tổ {rng.randrange(1, 40)}"
            matching = False
        queries.append((users[who], unit, summary, matching))
    candidates(queries[0][0], summary=queries[0][2], unit=queries[0][1])  # warm-up: plans, the scope cache
    samples, found = [], []
    for user, unit, summary, matching in queries:
        start = time.perf_counter()
        got = candidates(user, summary=summary, unit=unit)
        samples.append((time.perf_counter() - start) * 1000)
        if matching:
            found.append(len(got))
    t = Timing(samples)
    return [Result(
        "petitions.duplicates_ms", round(t.median, 1), "ms", p95=round(t.p95, 1), target=TARGETS["duplicates_ms"],
        note=f"median of {len(samples)} calls (half re-filed summaries, found candidates for "
             f"{sum(1 for n in found if n)}/{len(found)})",
    )]


def run(ctx: RunContext) -> list[Result]:
    from django.db import connection

    if connection.vendor != "postgresql" or "petitions" not in ctx.counts:
        print("[petitions] PostgreSQL only (COPY, gunicorn, trigram matching): nothing measured on SQLite",
              file=sys.stderr)
        return []
    counts = ctx.counts
    users = _users()
    tokens = _tokens(users)
    removed = cleanup_intake()  # a run stopped half-way leaves its intake behind
    if removed:
        print(f"[petitions] removed {removed} petitions left by an earlier intake run", file=sys.stderr)
    connection.close()  # gunicorn's workers and this process must not share a connection state
    results: list[Result] = []
    run_id = f"{int(time.time())}"
    server = Server()
    print(f"[petitions] {server.describe} on port {server.port}; {os.cpu_count()} cores on the machine; "
          f"the {CLIENTS} client threads share them", file=sys.stderr)
    with server:
        if (status := _probe(server.port, tokens["commune"], "GET", f"/api/v1/petitions/worklist?limit={PAGE}")) == 404:
            print("[petitions] worklist skipped: GET /api/v1/petitions/worklist is not there yet (404)", file=sys.stderr)
        else:
            assert status == 200, f"the worklist answered {status} to the commune officer"
            got, _note = worklist_scenario(server.port, tokens, counts)
            results += got
        try:
            results += intake_scenario(server.port, tokens, counts, run_id)
        finally:
            removed = cleanup_intake()
            print(f"[petitions] intake: removed the {removed:,} petitions it created", file=sys.stderr)
    if not any(r.name == "petitions.intake_per_s" and r.value > 0 for r in results):
        print("[petitions] intake created nothing: POST /api/v1/petitions is probably not there yet", file=sys.stderr)
    if not SERVER_ONLY:
        results += scan_scenario(counts)
        results += duplicates_scenario(users, counts)
    results.append(Result("petitions.petitions", counts["petitions"], "rows",
                          note=f"{counts['open']:,} open; generated in {counts.get('generate_s', '?')} s "
                               f"(COPY {counts['copy_s']} s, indexes {counts['indexes_s']} s)"))
    connection.close()
    return results


def main() -> int:
    """``python -m benchmarks.areas.petitions``: this area on PostgreSQL, until it is registered in AREAS."""
    from benchmarks.db import database_url

    os.environ["DANVAN_BENCH_DATABASE_URL"] = database_url("petitions", "postgres")
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    import django

    django.setup()
    from benchmarks.__main__ import machine
    from benchmarks.context import RunContext
    from benchmarks.core import format_table, merge_results
    from benchmarks.generate import ensure_data

    module = sys.modules[__name__]
    counts = ensure_data("petitions", module)
    about = machine()
    results = run(RunContext(area="petitions", db="postgres", counts=counts))
    print(f"\n== petitions on postgres; {about} ==")
    print(format_table(results))
    if "--no-save" not in sys.argv:
        merge_results(results, "petitions", "postgres")
    return 0


if __name__ == "__main__":
    sys.exit(main())
