"""Every write of a commitment: the promise itself (host unit), its progress (host or owner unit).

The host unit (the dialogue's) says what was promised, by whom and by when; the owner unit, which
must keep the promise, reports its progress. The rules that keep the "kept on time" figure honest:

- a commitment always has an owner unit and a due date on or after the dialogue;
- it is "done" only with a completion date (not in the future, not before the dialogue) and the
  evidence of it; "cannot be done" only with an explanation;
- the due date of a done commitment no longer moves (moving it would turn a late one into a kept one);
- every step of progress is kept in ``CommitmentUpdate`` (the history read out at the next dialogue).

Two people updating one commitment: ``expected_version`` is checked against the locked row, the
second gets ``ConcurrentEditError``. ``actor=None`` is the system (demo data): no permission check.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.text import clean_text
from danvan.core.writes import check_version, conditional_update, fmt_date, is_int, raise_if, user_or_none
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of

from .models import Commitment, CommitmentStatus, CommitmentUpdate, Dialogue, DialogueStatus
from .rules import CHANGE_ROLES
from .services import bool_field, copy_fields, current_unit, date_field, require, text_field

TEXT_MAX = 2000
OWNER_PERSON_MAX = 200
EVIDENCE_MAX = 10000
NOTE_MAX = 5000
REASON_MAX = 500
MAX_REPORT_BACK = 500
EDITABLE = ("text", "owner_unit", "owner_person", "due_on", "is_public")


def conflict_message() -> str:
    return _("Someone else changed this commitment after you opened it. Nothing was saved: "
             "reload the page and make your change again.")


def _same_text(text: str) -> str:
    return clean_text(text).casefold()


def _lock(commitment: Commitment) -> Commitment:
    fresh = (Commitment.objects.select_for_update(of=("self",))
             .select_related("dialogue__org_unit", "owner_unit").get(pk=commitment.pk))
    if fresh.deleted_at is not None or fresh.dialogue.deleted_at is not None:
        raise ValidationError({"commitment": _("This commitment has been deleted.")})
    return fresh


def _owner(errors: dict[str, Any], actor: Any, value: Any, dialogue: Dialogue) -> OrgUnit | None:
    """The host unit, a unit under it, or a unit the actor edits for: a commune cannot hand promises to others."""
    if value in (None, ""):
        errors["owner_unit"] = _("A commitment needs an owner unit.")
        return None
    unit = current_unit(errors, "owner_unit", value, _("Choose a unit in use."))
    if unit is None:
        return None
    host = dialogue.org_unit
    if actor is not None and not unit.path.startswith(host.path) and not scope_of(actor).covers(unit.path, CHANGE_ROLES):
        errors["owner_unit"] = _("Choose the dialogue's unit, a unit under it, or a unit you work for.")
        return None
    return unit


def _due(errors: dict[str, Any], value: Any, dialogue: Dialogue) -> Any:
    due = date_field(errors, "due_on", value, required=True)
    if due is not None and due < dialogue.held_on:
        errors["due_on"] = _("The due date cannot be before the dialogue (%(date)s).") % {
            "date": fmt_date(dialogue.held_on)}
    return due


def _duplicate_text(dialogue: Dialogue, text: str, current: Commitment | None = None) -> bool:
    key = _same_text(text)
    qs = Commitment.objects.filter(dialogue=dialogue, deleted_at__isnull=True)
    if current is not None:
        qs = qs.exclude(pk=current.pk)
    return any(_same_text(other) == key for other in qs.values_list("text", flat=True))


def _clean(errors: dict[str, Any], actor: Any, values: dict[str, Any], dialogue: Dialogue,
           current: Commitment | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "text" in values:
        out["text"] = text_field(errors, "text", values["text"], TEXT_MAX, required=True, multiline=True)
        if "text" not in errors and _duplicate_text(dialogue, out["text"], current):
            errors["text"] = _("This commitment is already on the list of this dialogue.")
    if "owner_unit" in values:
        out["owner_unit"] = _owner(errors, actor, values["owner_unit"], dialogue)
    if "owner_person" in values:
        out["owner_person"] = text_field(errors, "owner_person", values["owner_person"], OWNER_PERSON_MAX)
    if "due_on" in values:
        out["due_on"] = _due(errors, values["due_on"], dialogue)
    if "is_public" in values:
        out["is_public"] = bool_field(errors, "is_public", values["is_public"])
    return out


@transaction.atomic
def add_commitment(*, actor: Any, dialogue: Dialogue, text: Any, owner_unit: Any, due_on: Any,
                   owner_person: Any = "", is_public: Any = True) -> Commitment:
    """A promise made at a held dialogue, numbered after the dialogue's others."""
    # Locking the dialogue serialises the numbering of two commitments added at the same time.
    host = Dialogue.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=dialogue.pk)
    if host.deleted_at is not None:
        raise ValidationError({"dialogue": _("This dialogue has been deleted.")})
    require(actor, "dialogues.change_commitment", host, _("You may not record commitments of this dialogue."))
    if host.status != DialogueStatus.HELD:
        raise ValidationError({"dialogue": _("Commitments are recorded once the dialogue has been held.")})
    errors: dict[str, Any] = {}
    values = _clean(errors, actor, {"text": text, "owner_unit": owner_unit, "owner_person": owner_person,
                                    "due_on": due_on, "is_public": is_public}, host, None)
    raise_if(errors)
    last = Commitment.objects.filter(dialogue=host).aggregate(n=Max("number"))["n"] or 0
    commitment = Commitment.objects.create(dialogue=host, number=last + 1, created_by=user_or_none(actor), **values)
    audit.record("dialogues.commitment.add", actor=actor, obj=commitment, org_unit=host.org_unit,
                 summary={"dialogue": host.pk, "number": commitment.number, "owner_unit": commitment.owner_unit_id,
                          "due_on": commitment.due_on, "text": commitment.text[:200]})
    return commitment


@transaction.atomic
def update_commitment(*, actor: Any, commitment: Commitment, expected_version: Any, **fields: Any) -> Commitment:
    """Correct what was promised (host unit only); only the fields given change."""
    version = check_version(expected_version)
    fresh = _lock(commitment)
    require(actor, "dialogues.change_commitment", fresh, _("You may not change the commitments of this dialogue."))
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    errors: dict[str, Any] = {}
    values = _clean(errors, actor, fields, fresh.dialogue, fresh)
    if ("due_on" in values and values["due_on"] != fresh.due_on
            and fresh.status in (CommitmentStatus.DONE, CommitmentStatus.DROPPED)):
        errors["due_on"] = _("The due date of a finished commitment cannot be changed.")
    raise_if(errors)
    changed: dict[str, Any] = {}
    for name, value in values.items():
        before = getattr(fresh, f"{name}_id") if name == "owner_unit" else getattr(fresh, name)
        after = value.pk if name == "owner_unit" else value
        if before != after:
            changed[name] = [before, after] if name != "text" else [before[:200], after[:200]]
    conditional_update(Commitment, fresh, version, conflict_message(), **values)
    audit.record("dialogues.commitment.update", actor=actor, obj=fresh, org_unit=fresh.dialogue.org_unit,
                 summary=changed)
    copy_fields(commitment, fresh)
    return fresh


@transaction.atomic
def report_progress(*, actor: Any, commitment: Commitment, expected_version: Any, status: Any, note: Any = "",
                    done_on: Any = None, evidence: Any = "") -> Commitment:
    """One step of progress, by the host or the owner unit; kept in the commitment's history (``updates``)."""
    version = check_version(expected_version)
    fresh = _lock(commitment)
    require(actor, "dialogues.update_commitment", fresh, _("You may not report on this commitment."))
    errors: dict[str, Any] = {}
    if status not in CommitmentStatus.values:
        errors["status"] = _("Choose the status.")
    note_text = text_field(errors, "note", note, NOTE_MAX, multiline=True)
    evidence_text = text_field(errors, "evidence", evidence, EVIDENCE_MAX, multiline=True)
    day = date_field(errors, "done_on", done_on)
    values: dict[str, Any] = {"status": status}
    if status == CommitmentStatus.DONE:
        if day is None and "done_on" not in errors:
            errors["done_on"] = _("Enter the date the commitment was done.")
        elif day is not None and day > timezone.localdate():
            errors["done_on"] = _("The date it was done cannot be in the future.")
        elif day is not None and day < fresh.dialogue.held_on:
            errors["done_on"] = _("The date it was done cannot be before the dialogue (%(date)s).") % {
                "date": fmt_date(fresh.dialogue.held_on)}
        if not evidence_text and "evidence" not in errors:
            errors["evidence"] = _("Describe the result and the evidence that the commitment was done.")
        values.update(done_on=day, evidence=evidence_text)
    else:
        if day is not None:
            errors["done_on"] = _("Only a done commitment has a date it was done.")
        if status == CommitmentStatus.DROPPED and not note_text and "note" not in errors:
            errors["note"] = _("Explain why the commitment cannot be done.")
        if (status == fresh.status and not note_text and not evidence_text
                and "note" not in errors and "status" not in errors):
            errors["note"] = _("Write what has changed since the last report.")
        values["done_on"] = None
        if evidence_text:
            values["evidence"] = evidence_text
    raise_if(errors)
    before = fresh.status
    conditional_update(Commitment, fresh, version, conflict_message(), **values)
    CommitmentUpdate.objects.create(commitment=fresh, at=timezone.now(), actor=user_or_none(actor),
                                             status=status, note=note_text)
    audit.record("dialogues.commitment.progress", actor=actor, obj=fresh, org_unit=fresh.owner_unit,
                 summary={"status": [before, status], "done_on": values.get("done_on"), "note": len(note_text),
                          "evidence": len(evidence_text)})
    copy_fields(commitment, fresh)
    return fresh


def _ids(errors: dict[str, Any], value: Any) -> list[int]:
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        errors["commitment_ids"] = _("Choose the commitments to report back.")
        return []
    ids = list(value)
    if not ids:
        errors["commitment_ids"] = _("Choose at least one commitment.")
    elif len(ids) > MAX_REPORT_BACK or not all(is_int(i) and i > 0 for i in ids):
        errors["commitment_ids"] = _("Choose the commitments to report back.")
    return sorted(set(ids)) if "commitment_ids" not in errors else []


@transaction.atomic
def report_back(*, actor: Any, dialogue: Dialogue, commitment_ids: Any) -> int:
    """Mark earlier commitments of the unit as reported back at this dialogue; returns how many."""
    host = Dialogue.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=dialogue.pk)
    if host.deleted_at is not None:
        raise ValidationError({"dialogue": _("This dialogue has been deleted.")})
    require(actor, "dialogues.change_dialogue", host, _("You may not change the dialogues of this unit."))
    errors: dict[str, Any] = {}
    if host.status == DialogueStatus.CANCELLED:
        errors["dialogue"] = _("Nothing can be reported back at a cancelled dialogue.")
    ids = _ids(errors, commitment_ids)
    raise_if(errors)
    earlier = (Q(dialogue__held_on__lt=host.held_on) | Q(dialogue__held_on=host.held_on, dialogue__pk__lt=host.pk))
    eligible = Commitment.objects.live().filter(earlier, pk__in=ids, dialogue__org_unit=host.org_unit)
    found = set(eligible.values_list("pk", flat=True))
    if found != set(ids):
        raise ValidationError({"commitment_ids": _(
            "Only commitments made at earlier dialogues of this unit can be reported back here.")})
    count = Commitment.objects.filter(pk__in=ids).update(reported_at=host, updated_at=timezone.now())
    audit.record("dialogues.commitment.report_back", actor=actor, obj=host, org_unit=host.org_unit,
                 summary={"commitments": ids})
    return count


@transaction.atomic
def delete_commitment(*, actor: Any, commitment: Commitment, reason: Any) -> Commitment:
    """Soft delete with a reason (e.g. entered twice): it leaves every list and count."""
    fresh = _lock(commitment)
    require(actor, "dialogues.change_commitment", fresh, _("You may not change the commitments of this dialogue."))
    errors: dict[str, Any] = {}
    text = text_field(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    raise_if(errors)
    conditional_update(Commitment, fresh, fresh.lock_version, conflict_message(), deleted_at=timezone.now())
    audit.record("dialogues.commitment.delete", actor=actor, obj=fresh, org_unit=fresh.dialogue.org_unit,
                 summary={"dialogue": fresh.dialogue_id, "number": fresh.number, "status": fresh.status,
                          "reason": text})
    copy_fields(commitment, fresh)
    return fresh
