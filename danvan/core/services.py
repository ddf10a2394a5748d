"""Writes to the shared kernel: the national calendar's exceptions, each audited.

Every deadline of every unit in the country depends on this calendar, so only a system
administrator (superuser) may change it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import audit, calendar
from .models import CalendarDay
from .text import clean_text

NOTE_MAX_LENGTH = 200


def _check_system_admin(actor: Any) -> None:
    if not (
        getattr(actor, "is_authenticated", False)
        and getattr(actor, "is_active", False)
        and getattr(actor, "is_superuser", False)
    ):
        raise PermissionDenied(_("Only a system administrator can change the national calendar."))


def _check_date(day: Any) -> dt.date:
    # A datetime is a date subclass; accepting one would silently drop its time and time zone.
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError({"date": _("Enter a valid date.")})
    return day


def _forget_calendar() -> None:
    """Clear now (this transaction's later reads) and again on commit (reads made meanwhile)."""
    calendar.clear_cache()
    transaction.on_commit(calendar.clear_cache)


@transaction.atomic
def set_calendar_day(actor: Any, date: dt.date, is_working_day: bool, note: str) -> CalendarDay:
    """Declare ``date`` a working day or a day off, whatever the holiday list says; replaces any earlier entry."""
    _check_system_admin(actor)
    errors: dict[str, str] = {}
    try:
        date = _check_date(date)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if not isinstance(is_working_day, bool):
        errors["is_working_day"] = _("Choose whether the day is a working day.")
    note = clean_text(note) if isinstance(note, str) else ""
    if not note:
        errors["note"] = _("The note is required: say which decision announced this day.")
    elif len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("The note must be at most %(n)d characters.") % {"n": NOTE_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)

    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    before = {"is_working_day": day.is_working_day, "note": day.note} if day else None
    if day is None:
        day = CalendarDay(date=date, is_working_day=is_working_day, note=note)
        try:
            with transaction.atomic():
                day.save(force_insert=True)
        except IntegrityError:  # another administrator entered the same date a moment ago
            raise ValidationError(
                {"date": _("This date was just entered by someone else; reload and check it.")}
            ) from None
    elif before == {"is_working_day": is_working_day, "note": note}:
        return day  # a double submit: nothing changed, nothing to audit
    else:
        day.is_working_day, day.note = is_working_day, note
        day.save(update_fields=["is_working_day", "note", "updated_at"])
    audit.record(
        "core.calendar_day_set",
        actor=actor,
        obj=day,
        summary={"date": date.isoformat(), "is_working_day": is_working_day, "note": note, "before": before},
    )
    _forget_calendar()
    return day


@transaction.atomic
def remove_calendar_day(actor: Any, date: dt.date) -> None:
    """Drop the administrator's entry for ``date``; the holiday list decides that day again."""
    _check_system_admin(actor)
    date = _check_date(date)
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        raise ValidationError(
            {"date": _("There is no calendar exception on %(date)s.") % {"date": date.strftime("%d/%m/%Y")}}
        )
    audit.record(
        "core.calendar_day_removed",
        actor=actor,
        obj=day,
        summary={"date": date.isoformat(), "is_working_day": day.is_working_day, "note": day.note},
    )
    day.delete()
    _forget_calendar()
