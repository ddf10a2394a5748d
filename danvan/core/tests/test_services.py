"""Changing the national calendar: system administrators only, validated, audited, nothing saved on error."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from danvan.core.audit import verify_chain
from danvan.core.calendar import is_working_day
from danvan.core.models import AuditEvent, CalendarDay
from danvan.core.services import remove_calendar_day, set_calendar_day

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 5)


def test_system_administrator_adds_a_day_off_with_an_audit_event(sysadmin: Any) -> None:
    day = set_calendar_day(sysadmin, DAY, False, "  Quyết định   số 1/QĐ-TTg  ")
    assert (day.date, day.is_working_day, day.note) == (DAY, False, "Quyết định số 1/QĐ-TTg")
    ev = AuditEvent.objects.get()
    assert ev.action == "core.calendar_day_set"
    assert ev.actor == sysadmin
    assert ev.object_type == "core.calendarday" and ev.object_id == str(day.pk)
    assert ev.summary == {"date": "2026-10-05", "is_working_day": False, "note": "Quyết định số 1/QĐ-TTg", "before": None}
    assert verify_chain().ok


def test_changing_an_entry_records_what_it_was(sysadmin: Any) -> None:
    first = set_calendar_day(sysadmin, DAY, False, "Day off")
    second = set_calendar_day(sysadmin, DAY, True, "Worked after all")
    assert first.pk == second.pk
    assert CalendarDay.objects.get().is_working_day is True
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    assert last.summary["before"] == {"is_working_day": False, "note": "Day off"}


def test_double_submit_saves_and_audits_once(sysadmin: Any) -> None:
    set_calendar_day(sysadmin, DAY, False, "Day off")
    set_calendar_day(sysadmin, DAY, False, "Day off")
    assert CalendarDay.objects.count() == 1
    assert AuditEvent.objects.count() == 1


def test_removal_is_audited_and_restores_the_package_calendar(sysadmin: Any) -> None:
    set_calendar_day(sysadmin, DAY, False, "Day off")
    assert not is_working_day(DAY)
    remove_calendar_day(sysadmin, DAY)
    assert not CalendarDay.objects.exists()
    assert is_working_day(DAY)
    ev = AuditEvent.objects.order_by("-seq").first()
    assert ev is not None
    assert ev.action == "core.calendar_day_removed"
    assert ev.summary == {"date": "2026-10-05", "is_working_day": False, "note": "Day off"}


def test_removing_a_date_without_an_entry_names_the_date(sysadmin: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        remove_calendar_day(sysadmin, DAY)
    assert "date" in exc.value.message_dict
    assert "05/10/2026" in exc.value.message_dict["date"][0]
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "none", "plain", "staff", "unit_admin", "inactive_superuser"])
def test_only_an_active_superuser_may_change_the_calendar(who: str, make_user: Any, tree: Any, sysadmin: Any) -> None:
    actor = {
        "anonymous": lambda: AnonymousUser(),
        "none": lambda: None,
        "plain": lambda: make_user("canbo"),
        "staff": lambda: make_user("nhanvien", is_staff=True),
        "unit_admin": lambda: make_user("qt_tinh", (tree["A"], "admin"), is_staff=True),
        "inactive_superuser": lambda: make_user("cu", is_superuser=True, is_staff=True, is_active=False),
    }[who]()
    with pytest.raises(PermissionDenied):
        set_calendar_day(actor, DAY, False, "Day off")
    assert not CalendarDay.objects.exists()
    set_calendar_day(sysadmin, DAY, False, "Day off")
    with pytest.raises(PermissionDenied):
        remove_calendar_day(actor, DAY)
    assert CalendarDay.objects.count() == 1
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"note": ""}, "note"),
        ({"note": "   "}, "note"),
        ({"note": None}, "note"),
        ({"note": "x" * 201}, "note"),
        ({"date": "2026-10-05"}, "date"),
        ({"date": None}, "date"),
        ({"date": dt.datetime(2026, 10, 5, 8, 0, tzinfo=dt.UTC)}, "date"),
        ({"is_working_day": "no"}, "is_working_day"),
        ({"is_working_day": None}, "is_working_day"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(sysadmin: Any, kwargs: dict[str, Any], field: str) -> None:
    args = {"date": DAY, "is_working_day": False, "note": "Day off", **kwargs}
    with pytest.raises(ValidationError) as exc:
        set_calendar_day(sysadmin, **args)
    assert field in exc.value.message_dict
    assert not CalendarDay.objects.exists()
    assert not AuditEvent.objects.exists()


def test_several_errors_are_reported_together(sysadmin: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        set_calendar_day(sysadmin, "05/10/2026", "yes", "")  # type: ignore[arg-type]
    assert set(exc.value.message_dict) == {"date", "is_working_day", "note"}


def test_note_of_exactly_200_characters_is_accepted(sysadmin: Any) -> None:
    assert len(set_calendar_day(sysadmin, DAY, False, "x" * 200).note) == 200
