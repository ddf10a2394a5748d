"""Reminders to units that still owe their plan: once per obligation and kind, to the right people."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from danvan.core.models import AuditEvent
from danvan.plans.models import ObligationReminder
from danvan.plans.tasks import send_obligation_reminders, send_reminders
from danvan.plans.tests.test_cascade import cascading_plan, derive_and_issue
from danvan.plans.tests.test_services import issue

pytestmark = pytest.mark.django_db

DUE = dt.date(2025, 3, 31)


def test_due_soon_then_overdue_once_each(tree: Any, make_user: Any, mailoutbox: Any) -> None:
    make_user("a1head", (tree["A1"], "head"))
    make_user("a1officer", (tree["A1"], "officer"))
    make_user("a1viewer", (tree["A1"], "viewer"))
    make_user("province_head", (tree["A"], "head"))
    no_address = make_user("a2head", (tree["A2"], "head"))
    type(no_address).objects.filter(pk=no_address.pk).update(email="")
    province = issue(cascading_plan(tree, due=DUE), on=dt.date(2025, 3, 1))

    assert send_reminders(days_before=7, today=dt.date(2025, 3, 20)) == {"due_soon": 0, "overdue": 0}
    assert send_reminders(days_before=7, today=dt.date(2025, 3, 26)) == {"due_soon": 2, "overdue": 0}
    assert len(mailoutbox) == 1  # A2's head has no address: recorded, nothing sent
    mail = mailoutbox[0]
    assert sorted(mail.to) == ["a1head@example.vn", "a1officer@example.vn"]
    assert "31/03/2025" in mail.subject and province.reference in mail.body
    assert send_reminders(days_before=7, today=dt.date(2025, 3, 27)) == {"due_soon": 0, "overdue": 0}

    derive_and_issue(province, tree["A2"], on=dt.date(2025, 3, 28))  # A2 complies in time
    assert send_reminders(days_before=7, today=dt.date(2025, 4, 1)) == {"due_soon": 0, "overdue": 1}
    assert "Xã Bình Lư" in mailoutbox[-1].subject and len(mailoutbox) == 2
    assert send_reminders(days_before=7, today=dt.date(2025, 4, 2)) == {"due_soon": 0, "overdue": 0}
    assert ObligationReminder.objects.count() == 3
    assert AuditEvent.objects.filter(action="plans.obligation.reminders").count() == 2


def test_no_reminders_for_closed_plans(tree: Any, make_user: Any, mailoutbox: Any) -> None:
    from danvan.plans import services

    make_user("a1head", (tree["A1"], "head"))
    province = issue(cascading_plan(tree, due=DUE), on=dt.date(2025, 3, 1))
    services.close_plan(actor=None, plan=province)
    assert send_reminders(today=dt.date(2025, 4, 1)) == {"due_soon": 0, "overdue": 0}
    assert not mailoutbox


def test_task_runs_through_the_queue(tree: Any, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    issue(cascading_plan(tree, due=dt.date(2020, 1, 1)), on=dt.date(2019, 12, 1))
    result = send_obligation_reminders.enqueue(days_before=3)
    assert result.return_value == {"due_soon": 0, "overdue": 2}


def test_remind_command_queues_the_daily_run(tree: Any, mailoutbox: Any, make_user: Any) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    make_user("a1head", (tree["A1"], "head"))
    issue(cascading_plan(tree, due=dt.date(2020, 1, 1)), on=dt.date(2019, 12, 1))
    out = StringIO()
    call_command("plans_remind", stdout=out)
    assert ObligationReminder.objects.filter(kind="overdue").count() == 2
    assert len(mailoutbox) == 1
    call_command("plans_remind", stdout=out)  # the same day again: nothing more
    assert len(mailoutbox) == 1
    with pytest.raises((SystemExit, CommandError)):
        call_command("plans_remind", "--days-before", "-3", stdout=out, stderr=StringIO())
