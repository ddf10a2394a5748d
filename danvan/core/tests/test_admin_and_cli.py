"""The Django admin and the CLI change the calendar only through the service; the audit log is read-only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from danvan.core import audit
from danvan.core.calendar import is_working_day
from danvan.core.models import AuditEvent, CalendarDay

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 5)
ADMIN = "/django-admin/core/"


@pytest.fixture
def admin_client_(client: Any, sysadmin: Any, no_mfa: None) -> Any:
    client.force_login(sysadmin)
    return client


def test_admin_add_goes_through_the_service(admin_client_: Any, sysadmin: Any) -> None:
    resp = admin_client_.post(
        f"{ADMIN}calendarday/add/", {"date": "2026-10-05", "is_working_day": "", "note": "Extra day off"}
    )
    assert resp.status_code == 302, resp.content[:2000]
    day = CalendarDay.objects.get()
    assert (day.date, day.is_working_day) == (DAY, False)
    ev = AuditEvent.objects.get()
    assert (ev.action, ev.actor) == ("core.calendar_day_set", sysadmin)
    assert not is_working_day(DAY)


def test_admin_change_and_delete_go_through_the_service(admin_client_: Any, sysadmin: Any) -> None:
    from danvan.core.services import set_calendar_day

    day = set_calendar_day(sysadmin, DAY, False, "Extra day off")
    assert not is_working_day(DAY)
    resp = admin_client_.post(f"{ADMIN}calendarday/{day.pk}/change/", {"is_working_day": "on", "note": "Cancelled"})
    assert resp.status_code == 302
    assert CalendarDay.objects.get().is_working_day is True
    assert is_working_day(DAY)
    resp = admin_client_.post(f"{ADMIN}calendarday/{day.pk}/delete/", {"post": "yes"})
    assert resp.status_code == 302
    assert not CalendarDay.objects.exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "core.calendar_day_set", "core.calendar_day_set", "core.calendar_day_removed",
    ]


def test_admin_rejects_a_too_long_note_and_saves_nothing(admin_client_: Any) -> None:
    resp = admin_client_.post(f"{ADMIN}calendarday/add/", {"date": "2026-10-05", "note": "x" * 201})
    assert resp.status_code == 200
    assert "note" in resp.context["adminform"].form.errors
    assert not CalendarDay.objects.exists()


def test_staff_who_are_not_superusers_cannot_reach_the_calendar(client: Any, make_user: Any, tree: Any, no_mfa: None) -> None:
    from django.contrib.auth.models import Permission

    staff = make_user("nhanvien", (tree["A"], "admin"), is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="core"))
    client.force_login(staff)
    assert client.get(f"{ADMIN}calendarday/").status_code == 403
    resp = client.post(f"{ADMIN}calendarday/add/", {"date": "2026-10-05", "note": "Extra day off"})
    assert resp.status_code == 403
    assert not CalendarDay.objects.exists()


def _events(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit.record("test.event", summary={"i": i})


def test_audit_admin_is_read_only(admin_client_: Any) -> None:
    _events(3)
    ev = AuditEvent.objects.get(seq=2)
    assert admin_client_.get(f"{ADMIN}auditevent/").status_code == 200
    assert admin_client_.get(f"{ADMIN}auditevent/{ev.pk}/change/").status_code == 200  # view only
    assert admin_client_.get(f"{ADMIN}auditevent/add/").status_code == 403
    assert admin_client_.post(f"{ADMIN}auditevent/{ev.pk}/change/", {"action": "forged"}).status_code == 403
    assert admin_client_.post(f"{ADMIN}auditevent/{ev.pk}/delete/", {"post": "yes"}).status_code == 403
    resp = admin_client_.post(
        f"{ADMIN}auditevent/", {"action": "delete_selected", "_selected_action": [ev.pk], "post": "yes"}
    )
    assert AuditEvent.objects.count() == 3
    assert AuditEvent.objects.get(seq=2).action == "test.event"
    assert resp.status_code in (200, 302)


def test_audit_admin_list_does_not_count_the_whole_log(admin_client_: Any) -> None:
    _events(30)
    with CaptureQueriesContext(connection) as ctx:
        resp = admin_client_.get(f"{ADMIN}auditevent/")
    assert resp.status_code == 200
    assert resp.context["cl"].result_count == 30
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper() and "core_auditevent" in q["sql"]]
    assert counts == []
    assert len(ctx.captured_queries) <= 12
    # A search still counts exactly (only the matching rows).
    resp = admin_client_.get(f"{ADMIN}auditevent/", {"q": "test.event"})
    assert resp.context["cl"].result_count == 30


def test_cli_add_day_and_remove_day(sysadmin: Any) -> None:
    from io import StringIO

    out = StringIO()
    call_command("calendar_add_day", "05/10/2026", "--off", "--note", "Extra day off", "--user", sysadmin.username, stdout=out)
    assert "05/10/2026" in out.getvalue()
    assert not is_working_day(DAY)
    call_command("calendar_add_day", "2026-07-18", "--working", "--note", "Swapped Saturday", "--user", sysadmin.username, stdout=out)
    assert is_working_day(dt.date(2026, 7, 18))
    show = StringIO()
    call_command("calendar_show", "2026", stdout=show)
    text = show.getvalue()
    assert "18/07/2026" in text and "Swapped Saturday" in text
    assert "22/08/2026" in text and "31/08/2026" in text and "17/02/2026" in text
    assert "14/02/2026" not in text  # an ordinary Saturday is not listed
    call_command("calendar_remove_day", "05/10/2026", "--user", sysadmin.username, stdout=out)
    assert is_working_day(DAY)
    assert AuditEvent.objects.count() == 3


def test_cli_refuses_bad_input_and_non_administrators(sysadmin: Any, make_user: Any) -> None:
    make_user("canbo")
    with pytest.raises(CommandError, match="31/02/2026"):
        call_command("calendar_add_day", "31/02/2026", "--off", "--note", "x", "--user", sysadmin.username)
    with pytest.raises(CommandError, match="note"):
        call_command("calendar_add_day", "05/10/2026", "--off", "--note", "x" * 201, "--user", sysadmin.username)
    with pytest.raises(CommandError, match="ghost"):
        call_command("calendar_add_day", "05/10/2026", "--off", "--note", "x", "--user", "ghost")
    with pytest.raises(CommandError):
        call_command("calendar_add_day", "05/10/2026", "--off", "--note", "x", "--user", "canbo")
    with pytest.raises(CommandError, match="date"):
        call_command("calendar_remove_day", "05/10/2026", "--user", sysadmin.username)
    assert not CalendarDay.objects.exists()
    assert not AuditEvent.objects.exists()
