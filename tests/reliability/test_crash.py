"""Crash test: submissions stream into the real server while it and the worker are SIGKILLed and restarted.

Clients send petitions, report figures and survey responses over HTTP, each with its own key, and
retry a submission (same key, same body) until the server acknowledges it with a 2xx — as a phone
on a bad link would. Meanwhile the server (gunicorn, every worker at once) and the task worker are
killed with SIGKILL several times, at moments when requests are in flight, and started again.

Afterwards, on SQLite and on PostgreSQL alike:

- every acknowledged submission exists exactly once (counted by its key), with the id it was
  acknowledged with;
- nothing is half-saved, acknowledged or not: every stored petition has its receive step, its one
  audit event and (a denunciation) its encrypted identity; numbers run 1..N without gaps; every
  report change has one revision and one audit event; every API survey response its audit event;
- the audit chain verifies;
- no request answered 5xx ("database is locked" on SQLite would) and the server logged no error;
- every task enqueued ran at most once, none failed, and all but one killed mid-run finished.

SQLite: pytest-django keeps the test database in memory, which no other process can open; the
test copies it to a file (the SQLite backup API) for the servers and copies the file back before
checking. PostgreSQL: the servers use the test database itself (the test is transactional, so
what it writes is committed and visible to them).
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connection
from django.utils import timezone

from .servers import Server, Worker, database_url, process_env

pytestmark = pytest.mark.django_db(transaction=True)

KILLS = 5
INDICATORS = 40  # report cells per report; two reports
PETITION_THREADS = 2
QUIET_AFTER = 3.0  # seconds of stream after the last restart
TASKS_AT_START = 10
TASKS_PER_KILL = 4


# --------------------------------------------------------------------------- the data the stream needs


@dataclass
class Scenario:
    token: str
    unit_ids: list[int]
    survey_id: int
    submission_ids: list[int]
    codes: list[str]
    membership_ids: list[int]


def build_scenario(tree: dict[str, Any], make_user: Callable[..., Any]) -> Scenario:
    """An officer of two communes with a token, an open survey, a report form with many cells, an open period."""
    from danvan.accounts.services import create_api_token
    from danvan.reports.models import (
        Aggregation,
        FormSection,
        FormStatus,
        Indicator,
        Period,
        PeriodKind,
        ReportForm,
        ReportingRegime,
        Submission,
        ValueType,
    )
    from danvan.surveys.models import Aspect, Question, QuestionKind, Section, Survey, SurveyVersion

    a1, a2 = tree["A1"], tree["A2"]
    user = make_user("crash_officer", (a1, "officer"), (a2, "officer"))
    _, token = create_api_token(user=user, name="crash test")

    survey = Survey.objects.create(org_unit=a1, title="Khảo sát một cửa", public_code="CRASH0001", status="open")
    version = SurveyVersion.objects.create(survey=survey, number=1, published_at=timezone.now())
    sec = Section.objects.create(version=version, order=1, title="Tiếp cận dịch vụ", element_key="access",
                                 element_bit=0)
    Question.objects.create(section=sec, order=1, key="c1-s", text="Hài lòng về nơi chờ?",
                            kind=QuestionKind.LIKERT, aspect=Aspect.SATISFACTION)
    Question.objects.create(section=sec, order=2, key="y-kien", text="Ý kiến?", kind=QuestionKind.TEXT,
                            required=False, max_length=80)

    form = ReportForm.objects.create(code="crash-form", version=1, name="Báo cáo (thử)",
                                     status=FormStatus.PUBLISHED, published_at=timezone.now())
    section = FormSection.objects.create(form=form, number="I", title="Số liệu", order=1)
    codes = [f"c{i:02d}" for i in range(1, INDICATORS + 1)]
    for order, code in enumerate(codes, start=1):
        Indicator.objects.create(form=form, section=section, code=code, name=f"Chỉ tiêu {code}", unit="lượt",
                                 value_type=ValueType.COUNT, aggregation=Aggregation.SUM, required=False,
                                 min_value=0, order=order)
    regime = ReportingRegime.objects.create(name="Báo cáo thử", owner=tree["A"], scope_root=tree["A"], form=form,
                                            period_kinds=[PeriodKind.HALF_YEAR])
    regime.reporter_kinds.set([a1.kind])
    period = Period.objects.create(regime=regime, kind=PeriodKind.HALF_YEAR, year=2026, number=2,
                                   label="6 tháng cuối năm 2026", starts_on=dt.date(2026, 6, 1),
                                   ends_on=dt.date(2026, 11, 30), due_on=dt.date(2026, 12, 5))
    subs = [Submission.objects.create(period=period, org_unit=u, anchor=u) for u in (a1, a2)]

    # People to notify: each task the worker runs sends one of them an e-mail.
    others = [make_user(f"crash_member_{i}", (a1, "viewer")) for i in range(TASKS_AT_START + KILLS * TASKS_PER_KILL)]
    memberships = [u.memberships.get().pk for u in others]
    return Scenario(token=token, unit_ids=[a1.pk, a2.pk], survey_id=survey.pk,
                    submission_ids=[s.pk for s in subs], codes=codes, membership_ids=memberships)


# --------------------------------------------------------------------------- sharing the database


class SharedDatabase:
    """The URL the subprocesses use, and the copies in and out that an in-memory SQLite needs."""

    def __init__(self, tmp: Path) -> None:
        self.file: Path | None = None
        name = str(connection.settings_dict["NAME"])
        if connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name):
            self.file = tmp / "crash.sqlite3"
        elif connection.vendor == "sqlite":
            self.url = database_url({}, Path(connection.settings_dict["NAME"]))
        if connection.vendor != "sqlite":
            self.url = database_url(connection.settings_dict)
        if self.file is not None:
            self.url = database_url({}, self.file)

    def publish(self) -> None:
        """Copy the test's in-memory database (schema, seeds, scenario) to the file the servers open."""
        if self.file is None:
            return
        connection.ensure_connection()
        dst = sqlite3.connect(self.file)
        try:
            connection.connection.backup(dst)
        finally:
            dst.close()

    def ready_tasks(self) -> int:
        """Tasks still waiting, read from the database the processes use."""
        from django_tasks_db.models import DBTaskResult

        sql = f"SELECT COUNT(*) FROM {DBTaskResult._meta.db_table} WHERE status = 'READY'"  # noqa: S608 - no input
        if self.file is None:
            with connection.cursor() as cur:
                cur.execute(sql)
                return int(cur.fetchone()[0])
        db = sqlite3.connect(self.file, timeout=20)
        try:
            return int(db.execute(sql).fetchone()[0])
        finally:
            db.close()

    def collect(self) -> None:
        """Copy what the servers wrote back into the test's database, for the checks."""
        if self.file is None:
            return
        src = sqlite3.connect(self.file)
        try:
            src.backup(connection.connection)
        finally:
            src.close()


# --------------------------------------------------------------------------- the clients


@dataclass
class Stats:
    in_flight: int = 0
    cut_mid_request: int = 0
    refused: int = 0
    server_errors: list[str] = field(default_factory=list)
    client_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + n)


class Client:
    """Sends one submission until the server answers it; connection errors and 5xx are retried as they are."""

    def __init__(self, base: str, token: str, stats: Stats) -> None:
        self.base, self.stats = base, stats
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        # A new connection per request: an error other than "refused" then means the server died while
        # handling this very request, not that a pooled connection went stale.
        self.session.headers["Connection"] = "close"

    def call(self, method: str, path: str, deadline: float, **kw: Any) -> requests.Response:
        while time.monotonic() < deadline:
            self.stats.add("in_flight")
            try:
                r = self.session.request(method, self.base + "/api/v1" + path, timeout=(3, 30), **kw)
            except requests.RequestException as exc:
                # Refused: the server is down. Anything else (reset, closed, a body cut short): killed mid-request.
                self.stats.add("refused" if "refused" in repr(exc).lower() else "cut_mid_request")
                self.session.close()  # no stale pooled connection to a dead server
                time.sleep(0.1)
                continue
            finally:
                self.stats.add("in_flight", -1)
            if r.status_code >= 500:
                with self.stats.lock:
                    self.stats.server_errors.append(f"{method} {path} {r.status_code} {r.text[:300]}")
                time.sleep(0.1)
                continue
            return r
        raise TimeoutError(f"{method} {path}: no answer before the deadline")


@dataclass
class Acks:
    petitions: dict[str, int] = field(default_factory=dict)  # key -> id acknowledged
    responses: dict[str, int] = field(default_factory=dict)
    cells: dict[tuple[int, str], int] = field(default_factory=dict)  # (submission, code) -> value
    sent_keys: set[str] = field(default_factory=set)


def petition_stream(client: Client, sc: Scenario, acks: Acks, stop: threading.Event, deadline: float,
                    thread: int) -> None:
    today = timezone.localdate().isoformat()
    n = 0
    while not stop.is_set():
        n += 1
        key = f"crash-p{thread}-{n}"
        body: dict[str, Any] = {"org_unit": sc.unit_ids[0], "received_on": today, "channel": "direct",
                                "summary": f"Đơn số {thread}-{n} về đất đai", "kind": "complaint",
                                "filer_name": "Nguyễn Văn An"}
        if n % 3 == 0:
            body.update(kind="denunciation", filer_name="",
                        identity={"name": f"Người tố cáo {thread}-{n}", "phone": "0912345678"})
        acks.sent_keys.add(key)
        r = client.call("POST", "/petitions", deadline, json=body, headers={"Idempotency-Key": key})
        if r.status_code not in (200, 201):
            client.stats.client_errors.append(f"petition {key}: {r.status_code} {r.text[:300]}")
            return
        acks.petitions[key] = r.json()["id"]
        time.sleep(0.02)


def survey_stream(client: Client, sc: Scenario, acks: Acks, stop: threading.Event, deadline: float) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        key = f"crash-s-{n}"
        body = {"answers": {"c1-s": 1 + n % 5, "y-kien": f"ý kiến {n}"}, "idempotency_key": key}
        acks.sent_keys.add(key)
        r = client.call("POST", f"/surveys/{sc.survey_id}/responses", deadline, json=body)
        if r.status_code not in (200, 201):
            client.stats.client_errors.append(f"response {key}: {r.status_code} {r.text[:300]}")
            return
        acks.responses[key] = r.json()["id"]
        time.sleep(0.02)


def report_cells(sc: Scenario) -> list[tuple[int, str]]:
    return [(sub, code) for code in sc.codes for sub in sc.submission_ids]


def report_stream(client: Client, sc: Scenario, acks: Acks, stop: threading.Event, deadline: float) -> None:
    """One cell at a time, as on a slow link; a 409 (the report moved since it was read) means read again."""
    for i, (sub, code) in enumerate(report_cells(sc)):
        if stop.is_set():
            return
        value = 100 + i
        while True:
            r = client.call("GET", f"/reports/submissions/{sub}", deadline)
            if r.status_code != 200:
                client.stats.client_errors.append(f"report {sub}: {r.status_code} {r.text[:300]}")
                return
            put = client.call("PUT", f"/reports/submissions/{sub}/values", deadline,
                              json={"values": {code: value}, "lock_version": r.json()["lock_version"]})
            if put.status_code == 200:
                assert put.json()["values"][code] == value
                acks.cells[(sub, code)] = value
                break
            if put.status_code != 409:
                client.stats.client_errors.append(f"report {sub}/{code}: {put.status_code} {put.text[:300]}")
                return
        time.sleep(0.02)


def guarded(stats: Stats, target: Callable[..., None]) -> Callable[..., None]:
    """A client thread's failure must fail the test, not vanish into a warning."""

    def run(*args: Any) -> None:
        try:
            target(*args)
        except BaseException as exc:  # reported to the test thread
            with stats.lock:
                stats.client_errors.append(f"{target.__name__}: {exc!r}")

    return run


# --------------------------------------------------------------------------- the checks


def check_petitions(acks: Acks) -> None:
    """Each acknowledged key once with its id; every stored petition whole; numbers 1..N with no gap."""
    from danvan.core.models import AuditEvent
    from danvan.petitions.models import FilerIdentity, Petition, PetitionEvent

    stored = list(Petition.objects.filter(idempotency_key__startswith="crash-").values(
        "pk", "idempotency_key", "kind", "number"))
    keys = Counter(p["idempotency_key"] for p in stored)
    assert [k for k, n in keys.items() if n > 1] == []
    by_key = {p["idempotency_key"]: p["pk"] for p in stored}
    assert {k: by_key.get(k) for k in acks.petitions} == acks.petitions
    assert set(by_key) <= acks.sent_keys
    assert sorted(p["number"] for p in stored) == list(range(1, len(stored) + 1))
    pks = [p["pk"] for p in stored]
    steps = Counter(PetitionEvent.objects.filter(petition_id__in=pks, action="receive")
                    .values_list("petition_id", flat=True))
    assert {pk: steps[pk] for pk in pks} == dict.fromkeys(pks, 1)
    audits = Counter(AuditEvent.objects.filter(action="petitions.petition.receive")
                     .values_list("object_id", flat=True))
    assert {pk: audits[str(pk)] for pk in pks} == dict.fromkeys(pks, 1)
    denunciations = {p["pk"] for p in stored if p["kind"] == "denunciation"}
    assert denunciations
    assert set(FilerIdentity.objects.filter(petition_id__in=pks).values_list("petition_id", flat=True)) == denunciations


def check_responses(acks: Acks, sc: Scenario) -> None:
    from danvan.core.models import AuditEvent
    from danvan.surveys.models import Response

    stored = list(Response.objects.filter(survey_id=sc.survey_id).values_list("idempotency_key", "pk"))
    keys = Counter(k for k, _ in stored)
    assert [k for k, n in keys.items() if n > 1] == []
    by_key = dict(stored)
    assert {k: by_key.get(k) for k in acks.responses} == acks.responses
    assert set(by_key) <= acks.sent_keys
    audits = Counter(AuditEvent.objects.filter(action="surveys.response.record").values_list("object_id", flat=True))
    assert {pk: audits[str(pk)] for pk in by_key.values()} == dict.fromkeys(by_key.values(), 1)


def check_reports(acks: Acks, sc: Scenario) -> None:
    """Every acknowledged cell holds its figure; every change committed (acknowledged or not) made one
    revision, one audit event and one step of ``lock_version``: a retried save is never recorded twice."""
    from danvan.core.models import AuditEvent
    from danvan.reports.models import Submission, SubmissionRevision

    expected = {cell: 100 + i for i, cell in enumerate(report_cells(sc))}
    for sub in Submission.objects.filter(pk__in=sc.submission_ids):
        for (pk, code), value in acks.cells.items():
            if pk == sub.pk:
                assert sub.values.get(code) == value, (sub.pk, code)
        assert sub.values == {code: expected[(sub.pk, code)] for code in sub.values}
        revisions = SubmissionRevision.objects.filter(submission=sub).count()
        assert revisions == len(sub.values)
        assert AuditEvent.objects.filter(action="reports.submission.saved", object_id=str(sub.pk)).count() == revisions
        assert sub.lock_version == revisions + 1


def check_audit_chain() -> None:
    from danvan.core.audit import verify_chain
    from danvan.core.models import AuditEvent

    result = verify_chain()
    assert result.ok, result
    assert result.checked == AuditEvent.objects.count() > 0


def check_tasks(task_ids: list[str], worker_kills: int) -> int:
    """Each task claimed once and never failed; one left RUNNING needs a kill of the worker to explain it.

    django-tasks-db marks a task RUNNING in its own transaction before running it and has no lease:
    a worker killed during a task leaves it RUNNING for good (at most once, never twice).
    """
    from django_tasks_db.models import DBTaskResult

    rows = list(DBTaskResult.objects.filter(id__in=task_ids))
    assert len(rows) == len(task_ids)
    assert [r.worker_ids for r in rows if len(r.worker_ids) != 1] == []
    assert {r.status for r in rows} <= {"SUCCESSFUL", "RUNNING"}
    assert all(r.return_value is True for r in rows if r.status == "SUCCESSFUL")
    running = sum(r.status == "RUNNING" for r in rows)
    assert running <= worker_kills
    return running


# --------------------------------------------------------------------------- the run


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[tuple[SharedDatabase, Callable[[], tuple[Server, Worker]]]]:
    """The shared database, and a factory of the server and worker (killed at the end whatever happens)."""
    shared = SharedDatabase(tmp_path)
    made: list[Any] = []

    def make() -> tuple[Server, Worker]:
        env = process_env(shared.url)
        server, worker = Server(env, tmp_path), Worker(env, tmp_path)
        made.extend([server, worker])
        return server, worker

    yield shared, make
    for p in made:
        p.kill()


def enqueue_spread(ids: list[int], over: float) -> list[str]:
    """Tasks due one after another over the whole run (``run_after``), so that kills meet the worker busy."""
    from danvan.orgs.tasks import notify_role_granted

    now = timezone.now()
    step = over / max(len(ids), 1)
    return [
        str(notify_role_granted.using(run_after=now + dt.timedelta(seconds=i * step)).enqueue(pk).id)
        for i, pk in enumerate(ids)
    ]


def test_acknowledged_submissions_survive_sigkill_exactly_once(
    tree: dict[str, Any], make_user: Callable[..., Any], settings: Any, processes: Any,
) -> None:
    started = time.monotonic()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    shared, make = processes
    sc = build_scenario(tree, make_user)
    task_ids = enqueue_spread(sc.membership_ids, over=25)
    shared.publish()
    server, worker = make()
    server.spawn()
    worker.spawn()
    server.ready()
    worker.ready()

    stats, acks, stop = Stats(), Acks(), threading.Event()
    deadline = time.monotonic() + 600  # a safety net only: the stream stops when told
    threads = [
        *(threading.Thread(target=guarded(stats, petition_stream),
                           args=(Client(server.url, sc.token, stats), sc, acks, stop, deadline, t))
          for t in range(PETITION_THREADS)),
        threading.Thread(target=guarded(stats, survey_stream),
                         args=(Client(server.url, sc.token, stats), sc, acks, stop, deadline)),
        threading.Thread(target=guarded(stats, report_stream),
                         args=(Client(server.url, sc.token, stats), sc, acks, stop, deadline)),
    ]
    for t in threads:
        t.start()

    rng = random.Random(9)  # noqa: S311 - timing jitter, not security
    for k in range(KILLS):
        time.sleep(rng.uniform(2.0, 4.0))
        wait_until = time.monotonic() + 2
        while stats.in_flight == 0 and time.monotonic() < wait_until:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.03))  # somewhere inside a request
        server.kill()
        if k % 2 == 0:
            worker.kill()
        time.sleep(rng.uniform(0.2, 0.8))
        server.spawn()
        restart_worker = not worker.alive()
        if restart_worker:
            worker.spawn()
        server.ready()
        if restart_worker:
            worker.ready()
    time.sleep(QUIET_AFTER)
    stop.set()
    for t in threads:
        t.join(timeout=90)
    end = time.monotonic() + 30
    while shared.ready_tasks() and time.monotonic() < end:
        time.sleep(0.2)
    server.kill()
    worker.kill()
    shared.collect()
    elapsed = time.monotonic() - started

    print(f"\ncrash test on {connection.vendor}: {elapsed:.1f} s, {len(acks.petitions)} petitions, "
          f"{len(acks.responses)} responses, {len(acks.cells)} report cells acknowledged; "
          f"{stats.cut_mid_request} requests cut mid-way, {stats.refused} refused; "
          f"boots: server {server.boot_seconds} s, worker {worker.boot_seconds} s")
    assert not stats.client_errors, stats.client_errors
    assert not stats.server_errors, stats.server_errors  # e.g. "database is locked" on SQLite
    for proc in (server, worker):
        log = proc.log_text()
        assert "database is locked" not in log and "Traceback" not in log, log[-4000:]
    assert server.kills == KILLS + 1 and worker.kills == (KILLS + 1) // 2 + 1
    assert stats.cut_mid_request > 0, "no kill met a request in flight"
    assert len(acks.petitions) > 10 and len(acks.responses) > 10 and len(acks.cells) > 10

    check_petitions(acks)
    check_responses(acks, sc)
    check_reports(acks, sc)
    check_audit_chain()
    stuck = check_tasks(task_ids, worker.kills)
    print(f"{len(task_ids)} tasks, {stuck} left running by a kill")


# --------------------------------------------------------------------------- the deadlock the crash test found


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite writers never overlap (BEGIN IMMEDIATE)")
def test_unit_numbering_lock_does_not_deadlock_with_the_audit_chain(tree: dict[str, Any]) -> None:
    """A petition's numbering lock on its unit, and another writer recording an audit event for that unit
    while holding the chain's head: with FOR UPDATE on the unit the two waited for each other (PostgreSQL
    aborted one: a 500). With FOR NO KEY UPDATE both commit."""
    from django.db import connections, transaction

    from danvan.core import audit
    from danvan.petitions.locking import lock_unit

    unit = tree["A1"]
    with transaction.atomic():
        audit.record("test.head", summary={})  # the head row exists, so both writers lock the same row
    numbered, head_taken = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def numbering() -> None:
        try:
            with transaction.atomic():
                lock_unit(unit.pk)
                numbered.set()
                head_taken.wait(10)
                time.sleep(0.5)  # the other writer now holds the head and inserts its event
                audit.record("test.numbered", org_unit=unit, summary={})
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    def recording() -> None:
        try:
            numbered.wait(10)
            with transaction.atomic():
                from danvan.core.models import AuditChainHead

                AuditChainHead.objects.select_for_update().get(id=1)
                head_taken.set()
                time.sleep(0.2)
                audit.record("test.recorded", org_unit=unit, summary={})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=numbering), threading.Thread(target=recording)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    from danvan.core.models import AuditEvent

    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"test.head", "test.numbered", "test.recorded"}
    assert audit_ok()


def audit_ok() -> bool:
    from danvan.core.audit import verify_chain

    return verify_chain().ok
