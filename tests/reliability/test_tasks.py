"""Background tasks: each reminder is sent once, a failed run is retried, a rolled-back task never runs.

The reminder and notification runs (reports, plans, petitions' daily scan, the e-mail of a new role,
dialogues, disclosures) are run twice in a row, and three at once on PostgreSQL (threads with their
own connections, as three workers would): the Notification rows and the mails must be those of one
run. The retries are played through the real database queue (``db_worker``) against a real SMTP
server on a local socket that refuses its first connection(s), as a mail server that is restarting
does: the run fails, is enqueued again by ``danvan.core.tasks.retrying_task``, and the retry sends
what the first could not, once.
"""
# ruff: noqa: F811 - pytest fixtures imported from the apps' test modules are redefined as arguments

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socketserver
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from danvan.core.models import AuditEvent
from danvan.core.tasks import ATTEMPTS, TaskIncomplete, retry_delay
from danvan.core.testing import run_together
from danvan.notifications.models import Notification
from danvan.orgs import services as orgs
from danvan.orgs.models import Membership
from danvan.orgs.tasks import notify_role_granted
from danvan.petitions import tasks as petition_tasks
from danvan.plans import tasks as plan_tasks
from danvan.plans.models import ObligationReminder
from danvan.plans.tests.test_cascade import cascading_plan
from danvan.plans.tests.test_services import issue
from danvan.reports import tasks as report_tasks
from danvan.reports.models import SubmissionReminder
from danvan.reports.tests.conftest import period, small_form  # noqa: F401 - fixtures

from .test_concurrent_edits import _reseed

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
REPORTS_OVERDUE = dt.date(2026, 6, 8)  # the conftest period was due on 05/06/2026
PLAN_DUE = dt.date(2025, 3, 31)
SCAN_DAY = dt.date(2026, 8, 3)


@pytest.fixture(scope="module", autouse=True)
def _seeds_back_after_the_last_flush(django_db_blocker: Any) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        _reseed()


# --------------------------------------------------------------------------- who is reminded of what


@pytest.fixture
def people(tree: dict[str, Any], make_user: Callable[..., Any]) -> dict[str, Any]:
    """Heads and officers who receive the reminders of A1, A2 and (as its anchor's officer) Adep."""
    return {
        "a1head": make_user("a1head", (tree["A1"], "head")),
        "a1officer": make_user("a1officer", (tree["A1"], "officer")),
        "a2head": make_user("a2head", (tree["A2"], "head")),
        "provinceofficer": make_user("provinceofficer", (tree["A"], "officer")),
        "provincehead": make_user("provincehead", (tree["A"], "head")),
    }


def _late_petitions(tree: dict[str, Any]) -> None:
    from danvan.petitions import services

    for summary in ("Khiếu nại về bồi thường", "Khiếu nại về cấp giấy"):
        services.receive_petition(actor=None, org_unit=tree["A1"], received_on=dt.date(2026, 7, 10), channel="direct",
                                  kind="complaint", summary=summary, filer_name="Nguyễn Văn An")


def _counts() -> tuple[int, ...]:
    return (Notification.objects.count(), SubmissionReminder.objects.count(), ObligationReminder.objects.count())


# --------------------------------------------------------------------------- twice in a row


@pytest.mark.django_db
def test_report_reminders_run_twice_send_each_once(period: Any, people: dict[str, Any], mailoutbox: list[Any]) -> None:
    first = report_tasks.send_report_reminders.enqueue(today=REPORTS_OVERDUE.isoformat())
    assert first.status == TaskResultStatus.SUCCESSFUL
    assert first.return_value == {"due_soon": 0, "overdue": 3}
    counts, mails = _counts(), len(mailoutbox)
    assert mails == 3 and counts[:2] == (4, 3)  # A1: two people, one mail; A2's head; Adep: the province officer
    again = report_tasks.send_report_reminders.enqueue(today=REPORTS_OVERDUE.isoformat())
    assert again.return_value == {"due_soon": 0, "overdue": 0}
    assert _counts() == counts and len(mailoutbox) == mails


@pytest.mark.django_db
def test_plan_reminders_run_twice_send_each_once(tree: dict[str, Any], people: dict[str, Any],
                                                 mailoutbox: list[Any]) -> None:
    issue(cascading_plan(tree, due=PLAN_DUE), on=dt.date(2025, 3, 1))
    assert plan_tasks.send_obligation_reminders.enqueue(days_before=7).return_value == {"due_soon": 0, "overdue": 2}
    assert ObligationReminder.objects.count() == 2 and len(mailoutbox) == 2
    assert plan_tasks.send_obligation_reminders.enqueue(days_before=7).return_value == {"due_soon": 0, "overdue": 0}
    assert ObligationReminder.objects.count() == 2 and len(mailoutbox) == 2


@pytest.mark.django_db
def test_the_daily_scan_run_twice_tells_each_head_once(tree: dict[str, Any], people: dict[str, Any]) -> None:
    _late_petitions(tree)
    first = petition_tasks.daily_scan.enqueue(today=SCAN_DAY.isoformat()).return_value
    assert first["overdue"] == 2 and first["notifications"] == 4  # A1's head and the province's head, each case
    again = petition_tasks.daily_scan.enqueue(today=SCAN_DAY.isoformat()).return_value
    assert again["overdue"] == 0 and again["notifications"] == 0
    assert Notification.objects.filter(key__startswith="petitions.overdue:").count() == 4


@pytest.mark.django_db
def test_the_new_role_mail_run_twice_is_sent_once(tree: dict[str, Any], make_user: Callable[..., Any],
                                                  mailoutbox: list[Any],
                                                  django_capture_on_commit_callbacks: Any) -> None:
    user = make_user("newcomer")
    with django_capture_on_commit_callbacks(execute=True):
        m = orgs.grant_role(actor=None, user=user, unit=tree["A1"], role="officer")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]
    result = notify_role_granted.enqueue(m.pk)  # a retry, or a second worker
    assert result.return_value is False
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(user=user, key=f"orgs.role_granted:{m.pk}").count() == 1


# --------------------------------------------------------------------------- three workers at once


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections")
def test_three_workers_at_once_send_each_reminder_once(period: Any, tree: dict[str, Any], people: dict[str, Any],
                                                       make_user: Callable[..., Any], mailoutbox: list[Any]) -> None:
    assert connection.vendor == "postgresql"
    _reseed()
    from danvan.dialogues.management.commands.dialogues_remind import send_reminders as remind_dialogues
    from danvan.disclosures.management.commands.disclosures_check import run as check_disclosures

    issue(cascading_plan(tree, due=PLAN_DUE), on=dt.date(2025, 3, 1))
    _late_petitions(tree)
    newcomer = make_user("newcomer")
    m = Membership.objects.create(user=newcomer, org_unit=tree["A2"], role="officer")
    mailoutbox.clear()
    october = dt.date(2026, 10, 15)  # the Front dialogue reminder and the quarterly lists are due

    runs: list[Callable[[], Any]] = [
        lambda: report_tasks.send_reminders(today=REPORTS_OVERDUE),
        lambda: plan_tasks.send_reminders(days_before=7),
        lambda: petition_tasks.scan(SCAN_DAY),
        lambda: notify_role_granted.call(m.pk),
        lambda: remind_dialogues(today=october),
        lambda: check_disclosures(october),
    ]
    for run in runs:
        results = run_together(run, run, run)
        errors = [r for r in results if isinstance(r, BaseException)]
        assert not errors, errors
    once = _counts(), len(mailoutbox), sorted(Notification.objects.values_list("user_id", "key"))
    assert once[1] == 3 + 2 + 1  # report reminders, plan reminders, the new role
    assert len(set(once[2])) == len(once[2])  # no (user, key) twice (the constraint's backstop aside)
    assert SubmissionReminder.objects.count() == 3 and ObligationReminder.objects.count() == 2
    # One more round, one at a time: nothing new anywhere.
    for run in runs:
        run()
    assert (_counts(), len(mailoutbox), sorted(Notification.objects.values_list("user_id", "key"))) == once


# --------------------------------------------------------------------------- a real mail server that refuses


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend; the first ``refuse`` connections get 421 (service not available)."""

    def handle(self) -> None:
        server: Any = self.server
        with server.lock:
            server.connections += 1
            refuse = server.connections <= server.refuse
        if refuse:
            self.wfile.write(b"421 4.3.2 Service not available, try again later\r\n")
            return
        self.wfile.write(b"220 localhost ESMTP test\r\n")
        data: list[bytes] = []
        in_data = False
        for raw in self.rfile:
            if in_data:
                if raw in (b".\r\n", b".\n"):
                    in_data = False
                    with server.lock:
                        server.messages.append(b"".join(data).decode("utf-8", "replace"))
                    data = []
                    self.wfile.write(b"250 2.0.0 queued\r\n")
                else:
                    data.append(raw)
                continue
            verb = raw[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 localhost\r\n")
            elif verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, refuse: int) -> None:
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.refuse, self.connections, self.messages = refuse, 0, []
        self.lock = threading.Lock()


@pytest.fixture
def smtp(settings: Any) -> Iterator[Callable[[int], SMTPServer]]:
    """``smtp(n)``: a mail server that refuses its first n connections; the settings point the real SMTP backend at it."""
    servers: list[SMTPServer] = []

    def start(refuse: int) -> SMTPServer:
        server = SMTPServer(refuse)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.server_address[1]
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def db_queue(settings: Any) -> Callable[[], None]:
    """The production queue (database backend, retries without delay); returns the worker to run."""
    settings.TASKS = DB_QUEUE
    settings.DANVAN_TASK_RETRY_DELAY = 0

    def work() -> None:
        # db_worker's own loop in batch mode (run until nothing is ready), without its signal handlers.
        Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
               max_tasks=None, worker_id="reliability-test", excluded_queue_names=[]).run()

    return work


def _runs(path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=path).order_by("enqueued_at"))


@pytest.mark.django_db(transaction=True)
def test_a_role_mail_refused_once_is_retried_and_sent_once(
    tree: dict[str, Any], make_user: Callable[..., Any], smtp: Any, db_queue: Callable[[], None]
) -> None:
    _reseed()
    server = smtp(1)
    user = make_user("newcomer")
    m = orgs.grant_role(actor=None, user=user, unit=tree["A1"], role="officer")  # enqueued on commit
    assert [r.status for r in _runs("danvan.orgs.tasks.notify_role_granted")] == [TaskResultStatus.READY]
    db_queue()
    runs = _runs("danvan.orgs.tasks.notify_role_granted")
    assert [r.status for r in runs] == [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]
    assert runs[0].exception_class_path == "smtplib.SMTPConnectError"
    assert runs[1].args_kwargs == {"args": [m.pk], "kwargs": {"retry_attempt": 2}}
    assert server.connections == 2 and len(server.messages) == 1
    assert f"To: {user.email}" in server.messages[0]
    assert Notification.objects.filter(user=user, key=f"orgs.role_granted:{m.pk}").count() == 1
    db_queue()  # nothing left to run
    assert len(_runs("danvan.orgs.tasks.notify_role_granted")) == 2 and len(server.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_report_reminders_with_a_refused_mail_are_retried_and_each_sent_once(
    period: Any, people: dict[str, Any], smtp: Any, db_queue: Callable[[], None]
) -> None:
    _reseed()
    server = smtp(1)  # the first reminder's mail is refused; the others go through
    report_tasks.send_report_reminders.enqueue(today=REPORTS_OVERDUE.isoformat())
    db_queue()
    runs = _runs("danvan.reports.tasks.send_report_reminders")
    assert [r.status for r in runs] == [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]
    assert runs[0].exception_class_path == f"{TaskIncomplete.__module__}.TaskIncomplete"
    assert runs[1].return_value == {"due_soon": 0, "overdue": 1}  # only the one the first run could not mail
    assert len(server.messages) == 3  # one mail per reminder, none twice
    subjects = {str(email.message_from_string(msg, policy=email.policy.default)["Subject"]) for msg in server.messages}
    assert len(subjects) == 3
    assert SubmissionReminder.objects.count() == 3 and Notification.objects.count() == 4
    assert [e.summary["failed"] for e in AuditEvent.objects.filter(action="reports.reminders").order_by("seq")] == [1, 0]


@pytest.mark.django_db(transaction=True)
def test_a_task_that_keeps_failing_stops_after_its_attempts(
    tree: dict[str, Any], make_user: Callable[..., Any], smtp: Any, db_queue: Callable[[], None]
) -> None:
    _reseed()
    server = smtp(1000)  # the mail server never comes back
    user = make_user("newcomer")
    orgs.grant_role(actor=None, user=user, unit=tree["A1"], role="officer")
    db_queue()
    runs = _runs("danvan.orgs.tasks.notify_role_granted")
    assert len(runs) == ATTEMPTS and {r.status for r in runs} == {TaskResultStatus.FAILED}
    assert [r.args_kwargs["kwargs"].get("retry_attempt", 1) for r in runs] == list(range(1, ATTEMPTS + 1))
    assert server.connections == ATTEMPTS and not server.messages
    assert not Notification.objects.filter(user=user).exists()  # the notice went with each refused mail


@pytest.mark.django_db(transaction=True)
def test_a_bug_is_not_retried(tree: dict[str, Any], db_queue: Callable[[], None]) -> None:
    """Only transient errors are retried: a bad argument fails once, for good."""
    _reseed()
    petition_tasks.daily_scan.enqueue(today="not-a-date")
    db_queue()
    runs = _runs("danvan.petitions.tasks.daily_scan")
    assert [r.status for r in runs] == [TaskResultStatus.FAILED]
    assert runs[0].exception_class_path == "builtins.ValueError"


def test_the_retry_delay_grows_and_is_capped(settings: Any) -> None:
    settings.DANVAN_TASK_RETRY_DELAY = 60
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(20) == 3600


@pytest.mark.django_db(transaction=True)
def test_a_retry_waits_its_delay_in_the_queue(tree: dict[str, Any], make_user: Callable[..., Any], smtp: Any,
                                             db_queue: Callable[[], None], settings: Any) -> None:
    _reseed()
    smtp(1)
    settings.DANVAN_TASK_RETRY_DELAY = 3600
    orgs.grant_role(actor=None, user=make_user("newcomer"), unit=tree["A1"], role="officer")
    db_queue()
    failed, retry = _runs("danvan.orgs.tasks.notify_role_granted")
    assert failed.status == TaskResultStatus.FAILED and retry.status == TaskResultStatus.READY
    assert retry.run_after > failed.finished_at + dt.timedelta(minutes=59)  # not run by this worker pass


# --------------------------------------------------------------------------- enqueued on commit only


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("queue", ["immediate", "database"])
def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(
    tree: dict[str, Any], make_user: Callable[..., Any], mailoutbox: list[Any], settings: Any, queue: str,
    db_queue: Callable[[], None],
) -> None:
    _reseed()
    settings.TASKS = DB_QUEUE if queue == "database" else {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    user = make_user("newcomer")

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        orgs.grant_role(actor=None, user=user, unit=tree["A1"], role="officer")
        raise Abandon
    assert not Membership.objects.filter(user=user).exists()
    if queue == "database":
        assert not DBTaskResult.objects.exists()
        db_queue()
    assert mailoutbox == [] and not Notification.objects.exists()
    # The same grant committed: its mail goes, once.
    orgs.grant_role(actor=None, user=user, unit=tree["A1"], role="officer")
    if queue == "database":
        db_queue()
    assert len(mailoutbox) == 1


def test_services_enqueue_only_on_commit() -> None:
    """Every ``.enqueue(`` outside the tasks themselves and the commands (which run outside any transaction)
    goes through ``transaction.on_commit`` (or ``enqueue_on_commit``)."""
    root = Path(__file__).resolve().parents[2] / "danvan"
    offenders = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if "/tests/" in rel or "/management/commands/" in rel or rel.endswith("tasks.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if ".enqueue(" in line and "on_commit" not in line:
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []
