"""Every write of a dialogue: record it, correct it, mark it held, cancel it, delete it.

Each function is one transaction with its audit event. The promises:

- a dialogue dated today or earlier is recorded as held, a later one as planned; a planned one
  becomes held only through ``mark_held`` (with how many took part), never by editing its date;
- two officials editing one dialogue: every edit checks ``expected_version`` against the locked row
  (``core.writes.conditional_update``), so the second gets ``ConcurrentEditError`` and nothing of
  the first is overwritten;
- the same dialogue entered twice (same unit, same title, same day: a double submit) is refused;
- a deletion is soft and needs a reason, kept in the audit log: the commitments made there vanish
  from every list and count with it.

``actor=None`` is the system (demo data, commands): no permission check, audited as "system".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.writes import (
    check_version,
    clean_field_text,
    conditional_update,
    fmt_date,
    is_int,
    raise_if,
    user_or_none,
)
from danvan.orgs.models import OrgUnit

from .models import Commitment, Dialogue, DialogueKind, DialogueStatus

TITLE_MAX = 255
PLACE_MAX = 255
CHAIRED_BY_MAX = 255
GROUPS_MAX = 500
TOPICS_MAX = 10000
MINUTES_MAX = 50000
REASON_MAX = 500
PARTICIPANTS_MAX = 1_000_000
EDITABLE = ("kind", "title", "held_on", "starts_at", "place", "chaired_by", "participants", "participant_groups",
            "topics", "minutes", "is_public", "previous")


def conflict_message() -> str:
    return _("Someone else changed this dialogue after you opened it. Nothing was saved: "
             "reload the page and make your change again.")


# --------------------------------------------------------------------------- helpers shared with commitments.py


def require(actor: Any, perm: str, obj: Any, message: str) -> None:
    """PermissionDenied unless the actor holds ``perm`` on ``obj``; the system (None) may do anything."""
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def text_field(errors: dict[str, Any], name: str, value: Any, limit: int, *, required: bool = False,
               multiline: bool = False) -> str:
    value, error = clean_field_text(value, limit, required=required, multiline=multiline)
    if error:
        errors[name] = error
    return value


def is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def date_field(errors: dict[str, Any], name: str, value: Any, *, required: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors[name] = _("Enter the date.")
        return None
    if not is_date(value):
        errors[name] = _("Enter a valid date.")
        return None
    return value  # type: ignore[no-any-return]


def bool_field(errors: dict[str, Any], name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        errors[name] = _("Choose yes or no.")
        return False
    return value


def current_unit(errors: dict[str, Any], name: str, value: Any, message: str) -> OrgUnit | None:
    if not isinstance(value, OrgUnit) or value.valid_to is not None:
        errors[name] = message
        return None
    return value


def copy_fields(target: Any, source: Any) -> None:
    """Give the caller's instance what was written to the locked copy."""
    if target is source:
        return
    for f in type(source)._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


# --------------------------------------------------------------------------- dialogues


def _lock(dialogue: Dialogue) -> Dialogue:
    fresh = Dialogue.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=dialogue.pk)
    if fresh.deleted_at is not None:
        raise ValidationError({"dialogue": _("This dialogue has been deleted.")})
    return fresh


def _participants(errors: dict[str, Any], value: Any, *, required: bool = False) -> int | None:
    if value in (None, ""):
        if required:
            errors["participants"] = _("Enter how many people took part.")
        return None
    if not is_int(value) or value < 0 or value > PARTICIPANTS_MAX:
        errors["participants"] = _("Enter a whole number between 0 and %(n)d.") % {"n": PARTICIPANTS_MAX}
        return None
    if required and value < 1:
        errors["participants"] = _("A dialogue that was held had at least one participant.")
        return None
    return int(value)


def _check_previous(errors: dict[str, Any], previous: Any, org_unit: Any, held_on: dt.date | None,
                    current: Dialogue | None) -> Dialogue | None:
    if previous in (None, ""):
        return None
    message = _("Choose an earlier dialogue of the same unit.")
    if (not isinstance(previous, Dialogue) or previous.deleted_at is not None
            or previous.status == DialogueStatus.CANCELLED
            or org_unit is None or previous.org_unit_id != org_unit.pk
            or (current is not None and previous.pk == current.pk)
            or (held_on is not None and previous.held_on > held_on)):
        errors["previous"] = message
        return None
    return previous


def _clean(errors: dict[str, Any], values: dict[str, Any], org_unit: Any, current: Dialogue | None) -> dict[str, Any]:
    """Check and normalise the editable fields present in ``values``."""
    out: dict[str, Any] = {}
    if "kind" in values:
        out["kind"] = values["kind"]
        if values["kind"] not in DialogueKind.values:
            errors["kind"] = _("Choose the kind of dialogue.")
    if "title" in values:
        out["title"] = text_field(errors, "title", values["title"], TITLE_MAX, required=True)
    if "held_on" in values:
        out["held_on"] = date_field(errors, "held_on", values["held_on"], required=True)
    if "starts_at" in values:
        value = values["starts_at"]
        if value in (None, ""):
            out["starts_at"] = None
        elif not isinstance(value, dt.time):
            errors["starts_at"] = _("Enter a valid time.")
        else:
            out["starts_at"] = value
    for name, limit, multiline in (("place", PLACE_MAX, False), ("chaired_by", CHAIRED_BY_MAX, False),
                                   ("participant_groups", GROUPS_MAX, False), ("topics", TOPICS_MAX, True),
                                   ("minutes", MINUTES_MAX, True)):
        if name in values:
            out[name] = text_field(errors, name, values[name], limit, multiline=multiline)
    if "participants" in values:
        out["participants"] = _participants(errors, values["participants"])
    if "is_public" in values:
        out["is_public"] = bool_field(errors, "is_public", values["is_public"])
    if "previous" in values:
        held_on = out.get("held_on") if "held_on" in values else getattr(current, "held_on", None)
        out["previous"] = _check_previous(errors, values["previous"], org_unit, held_on, current)
    return out


def _duplicate(org_unit: OrgUnit, title: str, held_on: dt.date, current: Dialogue | None = None) -> bool:
    """Same unit, same day, same title ignoring case (compared here: SQLite folds only ASCII case)."""
    qs = Dialogue.objects.filter(org_unit=org_unit, held_on=held_on, deleted_at__isnull=True)
    if current is not None:
        qs = qs.exclude(pk=current.pk)
    key = title.casefold()
    return any(other.casefold() == key for other in qs.values_list("title", flat=True))


def _summary(d: Dialogue) -> dict[str, Any]:
    return {"kind": d.kind, "title": d.title, "held_on": d.held_on, "status": d.status}


@transaction.atomic
def create_dialogue(*, actor: Any, org_unit: Any, kind: Any, title: Any, held_on: Any, starts_at: Any = None,
                    place: Any = "", chaired_by: Any = "", participants: Any = None, participant_groups: Any = "",
                    topics: Any = "", minutes: Any = "", is_public: Any = True, previous: Any = None) -> Dialogue:
    """Record a dialogue: held if its date has come, planned otherwise."""
    if not isinstance(org_unit, OrgUnit) or org_unit.valid_to is not None:
        raise ValidationError({"org_unit": _("Choose a unit in use.")})
    unit = org_unit
    errors: dict[str, Any] = {}
    require(actor, "dialogues.change_dialogue", unit, _("You may not record dialogues for this unit."))
    values = _clean(errors, {"kind": kind, "title": title, "held_on": held_on, "starts_at": starts_at,
                             "place": place, "chaired_by": chaired_by, "participants": participants,
                             "participant_groups": participant_groups, "topics": topics, "minutes": minutes,
                             "is_public": is_public, "previous": previous}, unit, None)
    if not errors and _duplicate(unit, values["title"], values["held_on"]):  # type: ignore[arg-type]
        errors["title"] = _("This unit already has a dialogue with this title on %(date)s.") % {
            "date": fmt_date(values["held_on"])}
    raise_if(errors)
    status = DialogueStatus.PLANNED if values["held_on"] > timezone.localdate() else DialogueStatus.HELD
    dialogue = Dialogue.objects.create(org_unit=unit, status=status, created_by=user_or_none(actor), **values)
    audit.record("dialogues.dialogue.create", actor=actor, obj=dialogue, org_unit=unit,
                 summary={**_summary(dialogue), "previous": dialogue.previous_id})
    return dialogue


@transaction.atomic
def update_dialogue(*, actor: Any, dialogue: Dialogue, expected_version: Any, **fields: Any) -> Dialogue:
    """Correct a dialogue's record; only the fields given change. A cancelled one is kept as it was."""
    version = check_version(expected_version)
    fresh = _lock(dialogue)
    require(actor, "dialogues.change_dialogue", fresh, _("You may not change the dialogues of this unit."))
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    if fresh.status == DialogueStatus.CANCELLED:
        raise ValidationError({"status": _("A cancelled dialogue cannot be changed.")})
    errors: dict[str, Any] = {}
    values = _clean(errors, fields, fresh.org_unit, fresh)
    held_on = values.get("held_on") or fresh.held_on
    if "held_on" in values and values["held_on"] is not None:
        if fresh.status == DialogueStatus.HELD and held_on > timezone.localdate():
            errors["held_on"] = _("A dialogue that was held cannot be dated in the future.")
        elif fresh.previous_id and "previous" not in values and fresh.previous is not None \
                and fresh.previous.held_on > held_on:
            errors["held_on"] = _("The date cannot be before the previous dialogue (%(date)s).") % {
                "date": fmt_date(fresh.previous.held_on)}
        else:
            first_due = (Commitment.objects.filter(dialogue=fresh, deleted_at__isnull=True)
                         .order_by("due_on").values_list("due_on", flat=True).first())
            if first_due is not None and first_due < held_on:
                errors["held_on"] = _("A commitment of this dialogue is due on %(date)s, before this date.") % {
                    "date": fmt_date(first_due)}
    if not errors and ("title" in values or "held_on" in values):
        title = values.get("title", fresh.title)
        if _duplicate(fresh.org_unit, title, held_on, fresh):
            errors["title"] = _("This unit already has a dialogue with this title on %(date)s.") % {
                "date": fmt_date(held_on)}
    raise_if(errors)
    changed = {name: [getattr(fresh, name if name != "previous" else "previous_id"),
                      value.pk if name == "previous" and value is not None else value]
               for name, value in values.items()}
    changed = {name: pair for name, pair in changed.items() if pair[0] != pair[1]}
    for long in ("topics", "minutes"):
        if long in changed:
            changed[long] = [len(changed[long][0] or ""), len(changed[long][1] or "")]  # lengths, not the text
    conditional_update(Dialogue, fresh, version, conflict_message(), **values)
    audit.record("dialogues.dialogue.update", actor=actor, obj=fresh, org_unit=fresh.org_unit, summary=changed)
    copy_fields(dialogue, fresh)
    return fresh


@transaction.atomic
def mark_held(*, actor: Any, dialogue: Dialogue, expected_version: Any, participants: Any,
              minutes: Any = "") -> Dialogue:
    """A planned dialogue took place: how many came and, if written, the minutes."""
    version = check_version(expected_version)
    fresh = _lock(dialogue)
    require(actor, "dialogues.change_dialogue", fresh, _("You may not change the dialogues of this unit."))
    errors: dict[str, Any] = {}
    if fresh.status != DialogueStatus.PLANNED:
        errors["status"] = _("Only a planned dialogue can be marked as held.")
    elif fresh.held_on > timezone.localdate():
        errors["status"] = _("The dialogue is dated %(date)s: it cannot be marked as held before that day.") % {
            "date": fmt_date(fresh.held_on)}
    count = _participants(errors, participants, required=True)
    text = text_field(errors, "minutes", minutes, MINUTES_MAX, multiline=True)
    raise_if(errors)
    values: dict[str, Any] = {"status": DialogueStatus.HELD, "participants": count}
    if text:
        values["minutes"] = text
    conditional_update(Dialogue, fresh, version, conflict_message(), **values)
    audit.record("dialogues.dialogue.held", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"participants": count, "minutes": len(text)})
    copy_fields(dialogue, fresh)
    return fresh


@transaction.atomic
def cancel_dialogue(*, actor: Any, dialogue: Dialogue, expected_version: Any, reason: Any) -> Dialogue:
    """A planned dialogue will not take place; the reason is kept in the audit log."""
    version = check_version(expected_version)
    fresh = _lock(dialogue)
    require(actor, "dialogues.change_dialogue", fresh, _("You may not change the dialogues of this unit."))
    errors: dict[str, Any] = {}
    if fresh.status != DialogueStatus.PLANNED:
        errors["status"] = _("Only a planned dialogue can be cancelled.")
    text = text_field(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    raise_if(errors)
    conditional_update(Dialogue, fresh, version, conflict_message(), status=DialogueStatus.CANCELLED,
                       cancel_reason=text)
    audit.record("dialogues.dialogue.cancel", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"title": fresh.title, "held_on": fresh.held_on, "reason": text})
    copy_fields(dialogue, fresh)
    return fresh


@transaction.atomic
def delete_dialogue(*, actor: Any, dialogue: Dialogue, reason: Any) -> Dialogue:
    """Soft delete with a reason: the dialogue and its commitments leave every list and count."""
    fresh = _lock(dialogue)
    require(actor, "dialogues.delete_dialogue", fresh, _("You may not delete the dialogues of this unit."))
    errors: dict[str, Any] = {}
    text = text_field(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    raise_if(errors)
    commitments = Commitment.objects.filter(dialogue=fresh, deleted_at__isnull=True).count()
    conditional_update(Dialogue, fresh, fresh.lock_version, conflict_message(), deleted_at=timezone.now())
    audit.record("dialogues.dialogue.delete", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={**_summary(fresh), "commitments": commitments, "reason": text})
    copy_fields(dialogue, fresh)
    return fresh
