"""Report reminders: the working-day window, overdue notices, the right people, each reminder once."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from danvan.core.models import AuditEvent
from danvan.core.testing import run_together
from danvan.notifications.models import Notification
from danvan.reports.models import PeriodStatus, Submission, SubmissionReminder, SubmissionStatus
from danvan.reports.tasks import reminder_starts, send_reminders, send_report_reminders

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 6, 5)  # a Friday: the conftest period's deadline
NOTHING = {"due_soon": 0, "overdue": 0}


@pytest.fixture
def people(tree: dict[str, Any], make_user: Callable[..., Any]) -> dict[str, Any]:
    """Who fills A1's report (head, officer), who does not (viewer, province head), A2 without e-mail,
    an inactive officer, and the province's officer, the fallback for the department Adep."""
    p = {
        "a1head": make_user("a1head", (tree["A1"], "head")),
        "a1officer": make_user("a1officer", (tree["A1"], "officer")),
        "a1viewer": make_user("a1viewer", (tree["A1"], "viewer")),
        "a1gone": make_user("a1gone", (tree["A1"], "officer"), is_active=False),
        "provincehead": make_user("provincehead", (tree["A"], "head")),
        "provinceofficer": make_user("provinceofficer", (tree["A"], "officer")),
        "a2head": make_user("a2head", (tree["A2"], "head")),
        "b1officer": make_user("b1officer", (tree["B1"], "officer")),
    }
    type(p["a2head"]).objects.filter(pk=p["a2head"].pk).update(email="")
    return p


def subs(period: Any, tree: dict[str, Any]) -> dict[str, Submission]:
    return {k: Submission.objects.get(period=period, org_unit=tree[k]) for k in ("A1", "A2", "Adep")}


def test_the_window_counts_working_days() -> None:
    assert reminder_starts(DUE, 3) == dt.date(2026, 6, 2)  # Friday -> Tuesday
    assert reminder_starts(dt.date(2026, 6, 8), 3) == dt.date(2026, 6, 3)  # Monday -> Wednesday, over the weekend
    # Tuesday 05/05/2026: Labour Day 01/05, Reunification Day 30/04 and Monday 27/04 (Hùng Kings, observed) are off.
    assert reminder_starts(dt.date(2026, 5, 5), 3) == dt.date(2026, 4, 28)
    assert reminder_starts(DUE, 0) == DUE


def test_due_soon_then_overdue_once_each(period: Any, tree: dict[str, Any], people: dict[str, Any],
                                         mailoutbox: list[Any], settings: Any) -> None:
    settings.DANVAN_SITE_URL = ""
    s = subs(period, tree)
    assert send_reminders(today=dt.date(2026, 6, 1)) == NOTHING  # Monday: 4 working days before
    assert send_reminders(today=dt.date(2026, 6, 2)) == {"due_soon": 3, "overdue": 0}
    by_unit = {m.subject: m for m in mailoutbox}
    assert len(mailoutbox) == 2  # A2's head has no address: notified in the app only
    a1 = next(m for m in mailoutbox if "Xã Bình Lư" in m.subject)
    assert sorted(a1.to) == ["a1head@example.vn", "a1officer@example.vn"]
    assert "05/06/2026" in a1.subject and "6 tháng đầu năm 2026" in a1.subject
    assert "Tỉnh Lai Châu" in a1.body and "15/12/2025" in a1.body and "31/05/2026" in a1.body
    assert "/reports/submissions/" not in a1.body  # no site address configured: no half link
    dep = next(m for m in mailoutbox if "Sở Nội vụ" in m.subject)
    assert dep.to == ["provinceofficer@example.vn"]  # nobody at the department: its anchor's officer
    assert len(by_unit) == 2

    notes = Notification.objects.filter(key=f"reports.due_soon:{s['A1'].pk}")
    assert sorted(n.user.username for n in notes) == ["a1head", "a1officer"]
    assert notes[0].url == f"/reports/submissions/{s['A1'].pk}/"
    assert Notification.objects.filter(key=f"reports.due_soon:{s['A2'].pk}").get().user == people["a2head"]
    for name in ("a1viewer", "a1gone", "provincehead", "b1officer"):
        assert not Notification.objects.filter(user=people[name]).exists(), name
    assert SubmissionReminder.objects.get(submission=s["A1"], kind="due_soon").recipients == 2

    # The same day again and the next days: nothing more.
    assert send_reminders(today=dt.date(2026, 6, 2)) == NOTHING
    assert send_reminders(today=DUE) == NOTHING
    assert len(mailoutbox) == 2

    settings.DANVAN_SITE_URL = "https://danvan.laichau.gov.vn/"
    # A2 submits in time; the other two are overdue the day after the deadline (a Saturday).
    Submission.objects.filter(pk=s["A2"].pk).update(status=SubmissionStatus.SUBMITTED, submitted_at=timezone.now())
    assert send_reminders(today=dt.date(2026, 6, 6)) == {"due_soon": 0, "overdue": 2}
    overdue = mailoutbox[2:]
    assert len(overdue) == 2 and all("05/06/2026" in m.body for m in overdue)
    assert f"https://danvan.laichau.gov.vn/reports/submissions/{s['A1'].pk}/" in next(
        m.body for m in overdue if "Xã Bình Lư" in m.subject)
    assert send_reminders(today=dt.date(2026, 6, 9)) == NOTHING
    assert SubmissionReminder.objects.count() == 5
    assert Notification.objects.filter(key__startswith="reports.overdue:").count() == 3  # 2 at A1, 1 at the province
    events = AuditEvent.objects.filter(action="reports.reminders")
    assert events.count() == 2


def test_draft_and_returned_reports_are_reminded_but_not_submitted_or_accepted(
    period: Any, tree: dict[str, Any], people: dict[str, Any], mailoutbox: list[Any]
) -> None:
    s = subs(period, tree)
    Submission.objects.filter(pk=s["A1"].pk).update(status=SubmissionStatus.RETURNED)
    Submission.objects.filter(pk=s["A2"].pk).update(status=SubmissionStatus.ACCEPTED)
    Submission.objects.filter(pk=s["Adep"].pk).update(status=SubmissionStatus.DRAFT)
    assert send_reminders(today=dt.date(2026, 6, 8)) == {"due_soon": 0, "overdue": 2}
    assert set(SubmissionReminder.objects.values_list("submission__org_unit__name", flat=True)) == {
        "Xã Bình Lư", "Sở Nội vụ",
    }


def test_the_window_moves_with_a_holiday(period: Any, tree: dict[str, Any], people: dict[str, Any],
                                         mailoutbox: list[Any]) -> None:
    type(period).objects.filter(pk=period.pk).update(due_on=dt.date(2026, 5, 5), ends_on=dt.date(2026, 4, 30))
    assert send_reminders(today=dt.date(2026, 4, 27)) == NOTHING  # a holiday, 4 working days before
    assert send_reminders(today=dt.date(2026, 4, 28)) == {"due_soon": 3, "overdue": 0}


def test_an_administrators_day_off_moves_the_window(period: Any, tree: dict[str, Any], people: dict[str, Any],
                                                    mailoutbox: list[Any]) -> None:
    from danvan.core import calendar
    from danvan.core.models import CalendarDay

    CalendarDay.objects.create(date=dt.date(2026, 6, 4), is_working_day=False, note="Nghỉ bù")
    calendar.clear_cache()
    assert send_reminders(today=dt.date(2026, 6, 1)) == {"due_soon": 3, "overdue": 0}


def test_more_days_before(period: Any, tree: dict[str, Any], people: dict[str, Any], mailoutbox: list[Any]) -> None:
    assert send_reminders(days_before=5, today=dt.date(2026, 5, 28)) == NOTHING
    assert send_reminders(days_before=5, today=dt.date(2026, 5, 29)) == {"due_soon": 3, "overdue": 0}
    with pytest.raises(ValueError):
        send_reminders(days_before=-1, today=DUE)


def test_closed_periods_deleted_regimes_and_closed_units_are_left_alone(
    period: Any, tree: dict[str, Any], people: dict[str, Any], mailoutbox: list[Any]
) -> None:
    type(period).objects.filter(pk=period.pk).update(status=PeriodStatus.CLOSED)
    assert send_reminders(today=dt.date(2026, 6, 8)) == NOTHING
    type(period).objects.filter(pk=period.pk).update(status=PeriodStatus.OPEN)
    type(period.regime).objects.filter(pk=period.regime_id).update(deleted_at=timezone.now())
    assert send_reminders(today=dt.date(2026, 6, 8)) == NOTHING
    type(period.regime).objects.filter(pk=period.regime_id).update(deleted_at=None)
    type(tree["A2"]).objects.filter(pk=tree["A2"].pk).update(valid_to=dt.date(2026, 3, 31))
    Submission.objects.filter(org_unit=tree["Adep"]).update(expected=False)
    assert send_reminders(today=dt.date(2026, 6, 8)) == {"due_soon": 0, "overdue": 1}
    assert len(mailoutbox) == 1 and "Xã Bình Lư" in mailoutbox[0].subject
    assert AuditEvent.objects.filter(action="reports.reminders").count() == 1  # the runs that sent nothing left no trace


def test_reports_are_batched_without_a_query_per_report(
    period: Any, tree: dict[str, Any], kinds: dict[str, Any], make_user: Callable[..., Any],
    django_assert_max_num_queries: Any, mailoutbox: list[Any],
) -> None:
    from danvan.orgs import services

    units = [services.create_unit(actor=None, kind=kinds["commune"], name=f"Xã {i}", parent=tree["A"],
                                  audit_event=False) for i in range(12)]
    for u in units:
        Submission.objects.create(period=period, org_unit=u, anchor=u)
        make_user(f"u{u.pk}", (u, "officer"))
    send_reminders(today=dt.date(2026, 5, 20))  # warm the calendar's memory of 2026
    # Periods, reports, recipients; then per report: savepoint, the reminder row, the notification
    # check, insert and count, release. No query per report for its recipients.
    with django_assert_max_num_queries(3 + 6 * 15):
        assert send_reminders(today=dt.date(2026, 6, 8)) == {"due_soon": 0, "overdue": 15}
    assert len(mailoutbox) == 12


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("connection refused")


def test_a_refused_mail_is_retried_on_the_next_run(period: Any, tree: dict[str, Any], people: dict[str, Any],
                                                   settings: Any, mailoutbox: list[Any]) -> None:
    settings.EMAIL_BACKEND = "danvan.reports.tests.test_tasks.RefusingBackend"
    # A2 (no address, nothing to mail) is reminded; A1 and Adep are rolled back, notifications too.
    assert send_reminders(today=DUE) == {"due_soon": 1, "overdue": 0}
    assert list(SubmissionReminder.objects.values_list("submission__org_unit__name", flat=True)) == ["Phường Tân Phong"]
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["a2head"]
    assert AuditEvent.objects.get(action="reports.reminders").summary["failed"] == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_reminders(today=DUE) == {"due_soon": 2, "overdue": 0}
    assert len(mailoutbox) == 2


def test_task_runs_through_the_queue(period: Any, people: dict[str, Any], mailoutbox: list[Any]) -> None:
    result = send_report_reminders.enqueue(days_before=3, today="2026-06-08")
    assert result.return_value == {"due_soon": 0, "overdue": 3}


def test_remind_command(period: Any, people: dict[str, Any], mailoutbox: list[Any]) -> None:
    out = StringIO()
    call_command("reports_remind", "--today", "2026-06-02", stdout=out)
    assert SubmissionReminder.objects.filter(kind="due_soon").count() == 3
    call_command("reports_remind", "--now", "--today", "2026-06-08", stdout=out)
    assert SubmissionReminder.objects.filter(kind="overdue").count() == 3
    assert "3" in out.getvalue().splitlines()[-1]
    call_command("reports_remind", "--now", "--today", "2026-06-08", stdout=out)  # again: nothing more
    assert SubmissionReminder.objects.count() == 6 and len(mailoutbox) == 4
    for bad in (["--days-before", "-3"], ["--days-before", "61"], ["--today", "08/06/2026"]):
        with pytest.raises(CommandError):
            call_command("reports_remind", *bad, stdout=out, stderr=StringIO())


# --------------------------------------------------------------------------- two workers at once



@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections")
def test_two_workers_send_each_reminder_once(period: Any, tree: dict[str, Any], people: dict[str, Any],
                                             mailoutbox: list[Any]) -> None:
    assert connection.vendor == "postgresql"
    results = run_together(*[lambda: send_reminders(today=dt.date(2026, 6, 8)) for _ in range(3)])
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["overdue"] for r in results) == 3
    assert SubmissionReminder.objects.count() == 3
    assert len(mailoutbox) == 2
    assert Notification.objects.count() == 4  # A1: head and officer; A2: head; Adep: the province's officer


def test_sync_expected_command(period: Any, tree: dict[str, Any], kinds: dict[str, Any]) -> None:
    from danvan.orgs import services

    new = services.create_unit(actor=None, kind=kinds["commune"], name="Xã Mới", parent=tree["A"], audit_event=False)
    out = StringIO()
    call_command("reports_sync_expected", "--period", str(period.pk), stdout=out)
    assert Submission.objects.filter(period=period, org_unit=new, anchor=new).exists()
    assert "6 tháng đầu năm 2026" in out.getvalue()
    call_command("reports_sync_expected", "--period", str(period.pk), stdout=out)  # idempotent
    assert Submission.objects.filter(period=period).count() == 4
    with pytest.raises(CommandError):
        call_command("reports_sync_expected", "--period", "999999", stdout=out)
