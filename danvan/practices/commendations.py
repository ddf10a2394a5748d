"""Year-end commendations of collectives and individuals, for a practice or for the work as a whole.

Recorded by the awarding unit (``practices.commend`` on it) for a recipient in its own subtree; a
commendation of a practice goes to the practice's unit. The same award entered twice (same awarding
unit, year, level, recipient, practice) is refused; a deletion is soft, with a reason.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.text import search_key
from danvan.core.writes import raise_if, user_or_none

from .models import Commendation, Level, Practice, RegisteredBy
from .services import REASON_MAX, allowed, current_unit, date_value, text_value, year_value

RECIPIENT_MAX = 255
FORM_MAX = 255
DECISION_MAX = 100


@transaction.atomic
def commend(*, actor: Any, awarding_unit: Any, year: Any, level: Any, recipient_kind: Any, recipient_name: Any,
            org_unit: Any, awarded_on: Any, practice: Any = None, form: Any = "", decision_ref: Any = "") -> Commendation:
    """Record one commendation awarded by ``awarding_unit`` for ``year``."""
    awarding = current_unit(awarding_unit, "awarding_unit")
    allowed(actor, "practices.commend", awarding, _("You may not record commendations of this unit."))
    today = timezone.localdate()
    errors: dict[str, Any] = {}
    year = year_value(errors, "year", year, today)
    if level not in Level.values:
        errors["level"] = _("Choose a level from the list.")
    if recipient_kind not in RegisteredBy.values:
        errors["recipient_kind"] = _("Choose a collective or an individual.")
    name = text_value(errors, "recipient_name", recipient_name, RECIPIENT_MAX, required=True)
    form_text = text_value(errors, "form", form, FORM_MAX)
    ref = text_value(errors, "decision_ref", decision_ref, DECISION_MAX)
    day = date_value(errors, "awarded_on", awarded_on, required=True)
    try:
        unit = current_unit(org_unit)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        unit = None
    if unit is not None and not unit.path.startswith(awarding.path):
        errors["org_unit"] = _("The recipient's unit must be the awarding unit or a unit below it.")
    if day is not None and day > today:
        errors["awarded_on"] = _("The date cannot be in the future.")
    elif day is not None and year and day.year < year:
        errors["awarded_on"] = _("A commendation for %(y)d cannot be awarded before that year.") % {"y": year}
    if practice is not None:
        if not isinstance(practice, Practice) or practice.deleted_at is not None:
            errors["practice"] = _("Choose a practice from the list.")
        elif unit is not None and practice.org_unit_id != unit.pk:
            errors["practice"] = _("The practice belongs to another unit than the recipient's.")
    raise_if(errors)
    assert unit is not None and day is not None  # noqa: S101 (narrowing for the type checker)  # nosec B101
    key = search_key(name)
    same = Commendation.objects.filter(awarding_unit=awarding, year=year, level=level, org_unit=unit,
                                       practice=practice, deleted_at__isnull=True)
    if any(search_key(n) == key for n in same.values_list("recipient_name", flat=True)[:1000]):
        raise ValidationError({"recipient_name": _("This commendation was already recorded.")})
    row = Commendation.objects.create(
        awarding_unit=awarding, year=year, level=level, recipient_kind=recipient_kind, recipient_name=name,
        org_unit=unit, practice=practice, form=form_text, decision_ref=ref, awarded_on=day,
        created_by=user_or_none(actor))
    audit.record("practices.commendation.create", actor=actor, obj=row, org_unit=unit,
                 summary={"awarding_unit": awarding.pk, "year": year, "level": level, "recipient_kind": recipient_kind,
                          "recipient_name": name, "practice": getattr(practice, "pk", None), "awarded_on": day,
                          "decision_ref": ref})
    return row


@transaction.atomic
def delete_commendation(*, actor: Any, commendation: Commendation, reason: Any) -> Commendation:
    """Remove a commendation entered by mistake (soft: the row and the audit trail stay)."""
    row = (Commendation.objects.select_for_update(of=("self",)).select_related("awarding_unit", "org_unit")
           .filter(pk=commendation.pk).first())
    if row is None or row.deleted_at is not None:
        raise ValidationError({"commendation": _("This commendation has been deleted.")})
    allowed(actor, "practices.commend", row.awarding_unit, _("You may not delete the commendations of this unit."))
    errors: dict[str, Any] = {}
    text = text_value(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    raise_if(errors)
    row.deleted_at = timezone.now()
    row.save(update_fields=["deleted_at", "updated_at"])
    audit.record("practices.commendation.delete", actor=actor, obj=row, org_unit=row.org_unit,
                 summary={"reason": text, "recipient_name": row.recipient_name, "year": row.year})
    commendation.deleted_at = row.deleted_at
    return row
