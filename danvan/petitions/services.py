"""Every write to a petition: intake, the workflow's transitions, handler assignments.

Each function is one transaction with its audit event. Three promises hold throughout:

- a double submit is one petition: the caller's idempotency key is unique per unit, checked
  after the unit's row is locked (the same lock that serialises the numbering) and backed by
  the unique constraint;
- two officers moving the same case at once: the second gets ``ConcurrentEditError`` and nothing
  of the first is lost (the row is locked, and the update is conditional on ``lock_version`` for
  SQLite where the lock is a no-op);
- a denunciation's filer is never written on the petition, its events or the audit log: the
  identity goes to ``danvan.petitions.identity`` (encrypted), and audit summaries carry no name
  and no free text for any kind.

A user without the role gets ``PermissionDenied``; a user with it who asks for something the
state or the law does not allow gets a ``ValidationError`` naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.prepared import Prepared
from danvan.core.writes import clean_field_text, conditional_update
from danvan.core.writes import fmt_date as _fmt
from danvan.core.writes import is_int as _is_int
from danvan.core.writes import raise_if as _raise
from danvan.core.writes import user_or_none as _user
from danvan.orgs.models import OrgUnit

from . import duplicates, flags, notices, workflow
from . import rules as petition_rules
from .deadlines import compute_deadlines
from .locking import conflict_message, lock_unit
from .models import (
    CaseHandler,
    Channel,
    Outcome,
    Petition,
    PetitionEvent,
    PetitionField,
    PetitionKind,
    PetitionStatus,
    ReceptionVisit,
    RuleKind,
)

S = PetitionStatus
EARLIEST = dt.date(2000, 1, 1)  # nothing older is entered as a new petition
SUMMARY_MAX = 500
CONTENT_MAX = 50_000
NAME_MAX = 200
ADDRESS_MAX = 300
BODY_MAX = 255
REASON_MAX = 2000
KEY_MAX = 100
NUMBER_MAX = 50
SIGNERS_MAX = 32767
# Keys of event data that could identify a filer: never written on an event, whatever the caller passes.
_PERSONAL_KEYS = frozenset({"identity", "filer_name", "filer_address", "name", "address"})


# --------------------------------------------------------------------------- small helpers





def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)



def _text(errors: dict[str, Any], name: str, value: Any, limit: int, *, required: bool = False,
          multiline: bool = False) -> str:
    value, error = clean_field_text(value, limit, required=required, multiline=multiline)
    if error:
        errors[name] = error
    return value


def _date(errors: dict[str, Any], name: str, value: Any, today: dt.date, *, required: bool = True,
          not_before: dt.date | None = None, not_before_msg: str = "") -> dt.date | None:
    if value is None or value == "":
        if required:
            errors[name] = _("This field is required.")
        return None
    if not _is_date(value):
        errors[name] = _("Enter a valid date.")
        return None
    if value > today:
        errors[name] = _("The date cannot be in the future.")
    elif not_before is not None and value < not_before:
        errors[name] = not_before_msg
    return value


def _rule_kind(kind: str) -> str:
    """The rule data has no row for mixed content: it runs on the complaint's periods, the strictest common case."""
    return RuleKind.COMPLAINT if kind == PetitionKind.MIXED else kind


def _refresh_caller(caller: Petition, fresh: Petition) -> None:
    if caller is fresh:
        return
    for f in Petition._meta.concrete_fields:
        setattr(caller, f.attname, getattr(fresh, f.attname))


# --------------------------------------------------------------------------- deadlines


def next_deadline(petition: Petition, *, today: dt.date | None = None) -> tuple[dt.date | None, str]:
    """(next due date, which period) for the case's state.

    While received or classified: the acceptance check (complaints, denunciations), else the reply
    to the citizen (recommendations, feedback), else forwarding. While accepted or under
    verification: the resolution, with the denunciation's extensions and the calendar days spent
    suspended added to the period (suspended time is not counted). Nothing in any other state.
    """
    status = petition.status
    today = today or timezone.localdate()
    if status in (S.RECEIVED, S.CLASSIFIED):
        r = compute_deadlines(
            _rule_kind(petition.kind), petition.received_on, round=petition.round or 1,
            complex=petition.is_complex, remote=petition.is_remote, today=max(today, petition.received_on),
        )
        for key in ("acceptance", "feedback", "forward"):
            due = getattr(r, f"{key}_due")
            if due is not None:
                return due, key
        return None, ""
    if status in (S.ACCEPTED, S.VERIFYING) and petition.accepted_on is not None:
        r = compute_deadlines(
            _rule_kind(petition.kind), petition.received_on, petition.accepted_on, round=petition.round or 1,
            complex=petition.is_complex, remote=petition.is_remote, extensions=petition.extensions,
            today=max(today, petition.accepted_on),
        )
        if r.resolution_due is None:
            return None, ""
        if not petition.suspended_days:
            return r.resolution_due, "resolution"
        rule = r.basis["resolution_due"]
        days = (rule.period(complex=petition.is_complex, remote=petition.is_remote)
                + petition.extensions * (rule.extension_days or 0) + petition.suspended_days)
        return rule.due(petition.accepted_on, days), "resolution"
    return None, ""


def _deadline_errors(exc: ValidationError) -> ValidationError:
    """The engine names its inputs ``received``/``accepted``; the petition's fields are ``received_on``/``accepted_on``."""
    names = {"received": "received_on", "accepted": "accepted_on"}
    return ValidationError({names.get(k, k): v for k, v in exc.message_dict.items()})


# --------------------------------------------------------------------------- intake


def _clean_identity(errors: dict[str, Any], identity: Any, *, anonymous: bool) -> dict[str, str] | None:
    """Whether a denunciation has a filer; the identity's own fields are checked by ``identity.store_identity``."""
    if identity is None or identity == {}:
        if not anonymous:
            errors["identity"] = _("Enter the filer's name, or mark the denunciation as anonymous.")
        return None
    if anonymous:
        errors["identity"] = _("An anonymous denunciation has no filer's identity.")
        return None
    if not isinstance(identity, dict):
        errors["identity"] = _("The filer's identity is not in the expected shape.")
        return None
    name = identity.get("name")
    if not isinstance(name, str) or not name.strip():
        errors["identity"] = _("Enter the filer's name, or mark the denunciation as anonymous.")
    return identity


def _clean_intake(
    actor: Any, org_unit: Any, received_on: Any, channel: Any, kind: Any, summary: Any, content: Any,
    filer_name: Any, filer_address: Any, anonymous: Any, signers: Any, field: Any, forwarded_by: Any,
    round: Any, first_round: Any, identity: Any, idempotency_key: Any, today: dt.date,
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    out: dict[str, Any] = {}
    if not isinstance(org_unit, OrgUnit) or org_unit.valid_to is not None:
        errors["org_unit"] = _("Choose a current unit.")
    out["received_on"] = _date(errors, "received_on", received_on, today, not_before=EARLIEST,
                               not_before_msg=_("The received date cannot be before 01/01/2000."))
    if channel not in Channel.values:
        errors["channel"] = _("Choose how the petition was received.")
    if kind not in PetitionKind.values:
        errors["kind"] = _("Choose complaint, denunciation, recommendation, feedback or mixed content.")
    out["summary"] = _text(errors, "summary", summary, SUMMARY_MAX, required=True)
    out["content"] = _text(errors, "content", content, CONTENT_MAX, multiline=True)
    name = _text(errors, "filer_name", filer_name, NAME_MAX)
    address = _text(errors, "filer_address", filer_address, ADDRESS_MAX)
    out["forwarded_by"] = _text(errors, "forwarded_by", forwarded_by, BODY_MAX)
    out["idempotency_key"] = _text(errors, "idempotency_key", idempotency_key, KEY_MAX)
    if not isinstance(anonymous, bool):
        errors["anonymous"] = _("Choose yes or no.")
        anonymous = False
    out["anonymous"] = anonymous
    if not _is_int(signers) or signers < 1:
        errors["signers"] = _("The number of signers must be a whole number, 1 or more.")
    elif signers > SIGNERS_MAX:
        errors["signers"] = _("The number of signers must be at most %(n)d.") % {"n": SIGNERS_MAX}
    out["signers"] = signers
    if field is not None and (not isinstance(field, PetitionField) or not field.active):
        errors["field"] = _("Choose a field in use.")
    out["field"] = field
    forwarded = channel == Channel.FORWARDED
    if forwarded and not out["forwarded_by"] and "forwarded_by" not in errors:
        errors["forwarded_by"] = _("Name the body that forwarded the petition.")
    elif out["forwarded_by"] and not forwarded:
        errors["channel"] = _("A petition forwarded by another body must be received through 'forwarded'.")

    # The filer, per kind.
    out["identity"] = None
    if kind == PetitionKind.DENUNCIATION:
        if name or address:
            errors["filer_name" if name else "filer_address"] = _(
                "A denunciation's filer is recorded only in the protected identity, never on the petition.")
        out["identity"] = _clean_identity(errors, identity, anonymous=anonymous)
        name = address = ""
    else:
        if identity is not None:
            errors["identity"] = _("Only a denunciation has a protected identity; enter the filer's name instead.")
        if anonymous and (name or address):
            errors["anonymous"] = _("An anonymous petition has no filer's name or address.")
        if kind == PetitionKind.COMPLAINT:
            if anonymous:
                errors["anonymous"] = _("A complaint cannot be anonymous.")
            elif not name and not forwarded and "filer_name" not in errors:
                errors["filer_name"] = _("A complaint needs the complainant's name.")
    out["filer_name"], out["filer_address"] = name, address

    # Rounds: only complaints have them; a second round names its first.
    if round is not None and (not _is_int(round) or round not in (1, 2)):
        errors["round"] = _("The round must be 1 or 2.")
        round = None
    if first_round is not None and round is None:
        round = 2
    if kind == PetitionKind.COMPLAINT:
        round = round or 1
    elif round is not None:
        errors["round"] = _("Only a complaint has a round.")
    out["round"] = round
    out["first_round"] = None
    if round == 2:
        if first_round is None:
            errors["first_round"] = _("A second-round complaint must name the first-round complaint.")
        elif (not isinstance(first_round, Petition) or first_round.deleted_at is not None
              or (actor is not None and not actor.has_perm("petitions.view_petition", first_round))):
            errors["first_round"] = _("Choose a complaint you can see.")
        elif first_round.kind != PetitionKind.COMPLAINT or (first_round.round or 1) != 1:
            errors["first_round"] = _("The first-round complaint must be a complaint of the first round.")
        elif out["received_on"] is not None and first_round.received_on > out["received_on"]:
            errors["first_round"] = _("The first-round complaint was received after this one.")
        else:
            out["first_round"] = first_round
    elif round == 1 and first_round is not None:
        errors["first_round"] = _("Only a second-round complaint names a first-round complaint.")
    _raise(errors)
    return out


def _build_number_and_replay(unit: int, year: int, key: str | None = None) -> QuerySet[Any]:
    mine = Petition.objects.filter(org_unit=OuterRef("pk"))
    top = Subquery(mine.filter(number_year=year).order_by("-number").values("number")[:1])
    replay = (Subquery(mine.filter(idempotency_key=key).values("pk")[:1]) if key is not None
              else Value(None, BigIntegerField()))
    return OrgUnit.objects.filter(pk=unit).annotate(top=top, replay=replay).values_list("top", "replay")


# Compiled once per process: intake's hottest read (the Python that builds it cost more than the query).
_NUMBER = Prepared(_build_number_and_replay, unit=int, year=int)
_NUMBER_AND_REPLAY = Prepared(_build_number_and_replay, unit=int, year=int, key=str)


def _number_and_replay(org_unit: OrgUnit, year: int, key: str) -> tuple[int, int | None]:
    """The unit's next number in ``year`` and the petition already recorded under ``key``, in one query.

    Call under ``lock_unit``: both are read after the lock is held (in one statement, so intake pays
    one round trip for them), each through its unique index.
    """
    if key:
        rows = _NUMBER_AND_REPLAY.rows(unit=org_unit.pk, year=year, key=key)
    else:
        rows = _NUMBER.rows(unit=org_unit.pk, year=year)
    top, replay = rows[0]
    return (top or 0) + 1, replay


@transaction.atomic
def receive_petition(
    *, actor: Any, org_unit: OrgUnit, received_on: dt.date, channel: str, kind: str, summary: str,
    content: str = "", filer_name: str = "", filer_address: str = "", anonymous: bool = False, signers: int = 1,
    field: PetitionField | None = None, forwarded_by: str = "", round: int | None = None,
    first_round: Petition | None = None, identity: dict[str, str] | None = None, idempotency_key: str = "",
    visit: ReceptionVisit | None = None,
) -> Petition:
    """Record a petition as received and number it: the unit's next number in the year of receipt.

    The unit's row is locked while the number is chosen, so two petitions received at the same
    moment never share a number (the unique constraint is the backstop); numbers restart on
    1 January. The same ``idempotency_key`` for the same unit returns the petition already
    recorded, so a double submit is one petition.
    """
    if actor is not None and not actor.has_perm("petitions.receive_petition", org_unit):
        raise PermissionDenied(_("You are not allowed to receive petitions for this unit."))
    today = timezone.localdate()
    data = _clean_intake(actor, org_unit, received_on, channel, kind, summary, content, filer_name, filer_address,
                         anonymous, signers, field, forwarded_by, round, first_round, identity, idempotency_key, today)
    key = data.pop("idempotency_key")
    ident = data.pop("identity")
    lock_unit(org_unit.pk)
    year = data["received_on"].year
    number, replay = _number_and_replay(org_unit, year, key)
    if replay is not None and (existing := Petition.objects.filter(pk=replay).first()) is not None:
        existing.replayed = True
        return existing
    try:
        due = compute_deadlines(_rule_kind(kind), data["received_on"], round=data["round"] or 1, today=today)
    except ValidationError as exc:
        raise _deadline_errors(exc) from exc
    if visit is not None and (not isinstance(visit, ReceptionVisit) or visit.org_unit_id != org_unit.pk):
        raise ValidationError({"visit": _("The reception visit belongs to another unit.")})
    petition = Petition(
        org_unit=org_unit, channel=channel, kind=kind, idempotency_key=key, created_by=_user(actor),
        number_year=year, number=number,
        visit=visit, search_text=duplicates.search_text_for(data["summary"], data["content"]),
        filer_key=duplicates.filer_key_for(data["filer_name"], data["filer_address"], ident), **data,
    )
    petition.next_due, petition.next_due_key = next_deadline(petition, today=today)
    try:
        # With row locks (PostgreSQL) the unit's lock already serialises the numbering and the key check
        # above: no savepoint (two round trips per intake) for a race that cannot happen there; the
        # unique constraints stay the backstop.
        with transaction.atomic(savepoint=not connection.features.has_select_for_update):
            petition.save(force_insert=True)
    except IntegrityError:
        if connection.features.has_select_for_update:
            raise  # the transaction is spoilt (no savepoint): a bug, not a race
        # Only a race the unit lock could not stop (a database without row locks) gets here.
        if key and (existing := Petition.objects.filter(org_unit=org_unit, idempotency_key=key).first()):
            existing.replayed = True
            return existing
        raise ValidationError({NON_FIELD_ERRORS: _(
            "Another petition was numbered at the same moment. Nothing was saved: submit again.")}) from None
    if ident is not None:
        from .identity import store_identity

        store_identity(petition, ident)
    event = PetitionEvent.objects.create(
        petition=petition, at=timezone.now(), actor=_user(actor), action="receive", from_status="",
        to_status=petition.status,
        data={"number": petition.number, "year": petition.number_year, "channel": channel, "kind": kind,
              "acceptance_due": due.acceptance_due.isoformat() if due.acceptance_due else None},
    )
    flags.flag_over_level(petition)
    # Kept on the instance (not stored) so that the API answers without reading the case back.
    petition.receive_event = event
    petition.receive_notice = notices.issue_for_step(actor=actor, petition=petition, event=event)
    audit.record("petitions.petition.receive", actor=actor, obj=petition, org_unit=org_unit, summary={
        "number": petition.number, "year": petition.number_year, "kind": kind, "channel": channel,
        "next_due": petition.next_due, "anonymous": petition.anonymous, "signers": petition.signers,
    })
    return petition


# --------------------------------------------------------------------------- transitions


def _lock(petition: Petition) -> Petition:
    return Petition.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=petition.pk)


def _clean_action_data(act: workflow.Action, fresh: Petition, data: dict[str, Any], actor: Any,
                       today: dt.date) -> tuple[dict[str, Any], dict[str, Any], str, str]:
    """(model fields to set, event data, reason, target state) — or ValidationError naming the field."""
    errors: dict[str, Any] = {}
    unknown = sorted(set(data) - set(act.fields))
    for name in unknown:
        errors[name] = _("This action does not take this information.")
    for name in act.required:
        if data.get(name) is None or data.get(name) == "":
            errors.setdefault(name, _("This field is required."))
    reason = _text(errors, "reason", data.get("reason"), REASON_MAX, multiline=True) if "reason" not in errors else ""
    _raise(errors)

    fields: dict[str, Any] = {}
    event: dict[str, Any] = {}
    target = act.target or fresh.status
    name = act.name
    if name == "classify":
        kind = data["kind"]
        if kind not in PetitionKind.values:
            errors["kind"] = _("Choose complaint, denunciation, recommendation, feedback or mixed content.")
        elif kind != fresh.kind and PetitionKind.DENUNCIATION in (kind, fresh.kind):
            errors["kind"] = _("A petition cannot be reclassified into or out of a denunciation: "
                               "the filer's identity is protected differently. Record it again.")
        elif kind != PetitionKind.COMPLAINT and (fresh.round or 1) == 2:
            errors["kind"] = _("A second-round complaint stays a complaint.")
        field = data["field"]
        if not isinstance(field, PetitionField) or not field.active:
            errors["field"] = _("Choose a field in use.")
        if not isinstance(data["eligible"], bool):
            errors["eligible"] = _("Choose yes or no.")
        if data["competence"] not in workflow.Competence.values:
            errors["competence"] = _("Choose whether the petition is within this unit's competence.")
        is_complex, is_remote = data.get("is_complex", False), data.get("is_remote", False)
        for flag, value in (("is_complex", is_complex), ("is_remote", is_remote)):
            if not isinstance(value, bool):
                errors[flag] = _("Choose yes or no.")
        criteria = data.get("complex_criteria") or []
        if not isinstance(criteria, list) or any(c not in workflow.ComplexCriterion.values for c in criteria):
            errors["complex_criteria"] = _("Choose the criteria from the list.")
        elif is_complex is True and not criteria:
            errors["complex_criteria"] = _("Record at least one criterion that makes the case complex.")
        elif criteria and is_complex is not True:
            errors["complex_criteria"] = _("Criteria are recorded only for a complex case.")
        _raise(errors)
        fields.update(kind=kind, field=field, is_complex=is_complex, is_remote=is_remote,
                      complex_criteria=sorted(set(criteria)), round=(fresh.round or 1) if kind == PetitionKind.COMPLAINT
                      else None)
        event.update(kind=kind, field=field.code, eligible=data["eligible"], competence=data["competence"],
                     is_complex=is_complex, complex_criteria=sorted(set(criteria)), is_remote=is_remote)
    elif name == "accept":
        accepted = _date(errors, "accepted_on", data["accepted_on"], today, not_before=fresh.received_on,
                         not_before_msg=_("The accepted date cannot be before the received date (%(date)s).") % {
                             "date": _fmt(fresh.received_on)})
        if fresh.anonymous and fresh.kind == PetitionKind.DENUNCIATION:
            errors[NON_FIELD_ERRORS] = _("An anonymous denunciation cannot be accepted as a denunciation; "
                                         "file it away or pass its content to an inspection.")
        _raise(errors)
        fields["accepted_on"] = accepted
        event["accepted_on"] = accepted
    elif name == "forward":
        to_unit, to_name = data.get("to_unit"), _text(errors, "to_name", data.get("to_name"), BODY_MAX)
        if to_unit is None and not to_name and "to_name" not in errors:
            errors["to_unit"] = _("Choose the unit or name the body the petition is forwarded to.")
        elif to_unit is not None and to_name:
            errors["to_name"] = _("Choose a unit or name a body, not both.")
        elif to_unit is not None and (not isinstance(to_unit, OrgUnit) or to_unit.valid_to is not None):
            errors["to_unit"] = _("Choose a current unit.")
        elif to_unit is not None and to_unit.pk == fresh.org_unit_id:
            errors["to_unit"] = _("A petition cannot be forwarded to the unit that holds it.")
        if fresh.channel == Channel.FORWARDED or fresh.forwarded_by:
            errors[NON_FIELD_ERRORS] = _(
                "This petition was forwarded to this unit by %(body)s; a petition is forwarded only once "
                "for the same content. Accept it, guide the filer or file it away.") % {
                "body": fresh.forwarded_by or _("another body")}
        _raise(errors)
        fields.update(forwarded_to=to_unit, forwarded_to_name=to_name)
        event.update(to_unit=to_unit.pk if to_unit else None, to_name=to_name)
    elif name == "file_away":
        ground = data["ground"]
        if ground not in workflow.FilingGround.values:
            errors["ground"] = _("Choose a ground from the list.")
        elif ground == workflow.FilingGround.ANONYMOUS_DENUNCIATION and not (
                fresh.anonymous and fresh.kind == PetitionKind.DENUNCIATION):
            errors["ground"] = _("This petition is not an anonymous denunciation.")
        _raise(errors)
        event["ground"] = ground
    elif name == "extend":
        number = _text(errors, "decision_number", data.get("decision_number"), NUMBER_MAX)
        _raise(errors)
        try:
            compute_deadlines(_rule_kind(fresh.kind), fresh.received_on, fresh.accepted_on,
                              extensions=fresh.extensions + 1, today=max(today, fresh.accepted_on or today))
        except ValidationError as exc:
            raise ValidationError({"extensions": exc.message_dict.get("extensions", exc.messages)}) from exc
        fields["extensions"] = fresh.extensions + 1
        event.update(extension=fresh.extensions + 1, decision_number=number)
    elif name == "resolve":
        number = _text(errors, "decision_number", data["decision_number"], NUMBER_MAX, required=True)
        start = fresh.accepted_on or fresh.received_on
        decided = _date(errors, "decision_on", data["decision_on"], today, not_before=start,
                        not_before_msg=_("The decision date cannot be before the accepted date (%(date)s).") % {
                            "date": _fmt(start)})
        if data["outcome"] not in Outcome.values:
            errors["outcome"] = _("Choose upheld, partly upheld or rejected.")
        _raise(errors)
        fields.update(decision_number=number, decision_on=decided, outcome=data["outcome"])
        event.update(decision_number=number, decision_on=decided, outcome=data["outcome"])
    elif name == "suspend":
        start = fresh.accepted_on or fresh.received_on
        on = _date(errors, "suspended_on", data.get("suspended_on") or today, today, not_before=start,
                   not_before_msg=_("The suspension cannot start before the accepted date (%(date)s).") % {
                       "date": _fmt(start)})
        _raise(errors)
        fields["suspended_on"] = on
        event["suspended_on"] = on
    elif name == "resume":
        since = fresh.suspended_on or today
        on = _date(errors, "resumed_on", data.get("resumed_on") or today, today, not_before=since,
                   not_before_msg=_("The case cannot resume before it was suspended (%(date)s).") % {
                       "date": _fmt(since)})
        _raise(errors)
        days = (cast(dt.date, on) - since).days
        previous = (PetitionEvent.objects.filter(petition=fresh, action="suspend").order_by("-at", "-pk")
                    .values_list("from_status", flat=True).first())
        target = previous if previous in (S.ACCEPTED, S.VERIFYING) else S.ACCEPTED
        fields.update(suspended_on=None, suspended_days=fresh.suspended_days + days)
        event.update(resumed_on=on, suspended_days=days)
    elif name == "withdraw":
        fields["suspended_on"] = None
    elif name == "reopen":
        to = data["to"]
        if to not in workflow.REOPEN_TARGETS:
            errors["to"] = _("A case is reopened as accepted or as classified.")
        elif to == S.ACCEPTED and (fresh.accepted_on is None
                                   or fresh.kind not in (PetitionKind.COMPLAINT, PetitionKind.DENUNCIATION)):
            errors["to"] = _("This case was never accepted: reopen it as classified.")
        _raise(errors)
        target = to
        fields.update(decision_number="", decision_on=None, outcome="", forwarded_to=None, forwarded_to_name="")
        if to == S.CLASSIFIED:
            fields["accepted_on"] = None
        event["to"] = to
    return fields, event, reason, target


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def transition(*, actor: Any, petition: Petition, action: str, expected_version: int, **data: Any) -> Petition:
    """Apply one workflow action (see ``workflow.ACTIONS``) to the case, as one recorded step.

    Refusals, in this order: an unknown action (``ValidationError`` on ``action``); a user whose
    roles do not allow it (``PermissionDenied``); a stale ``expected_version``
    (``ConcurrentEditError``: someone else moved the case first); a state or a kind the action
    does not apply to, or bad data (``ValidationError`` naming the field).
    """
    act = workflow.action(action) if isinstance(action, str) else None
    if act is None:
        raise ValidationError({"action": _("Unknown action.")})
    if not _is_int(expected_version):
        raise ValidationError({"expected_version": _("The petition's version is missing or invalid.")})
    fresh = _lock(petition)
    if actor is not None:
        if not actor.has_perm("petitions.view_petition", fresh):
            raise PermissionDenied(_("You are not allowed to handle the petitions of this unit."))
        if not actor.has_perm(petition_rules.permission(action), fresh):
            raise PermissionDenied(_("Your role does not allow this step: %(action)s.") % {"action": act.label})
    if fresh.lock_version != expected_version:
        raise ConcurrentEditError(conflict_message())
    if not act.allows_state(fresh.status):
        raise ValidationError({"action": _("A petition that is %(status)s cannot take the step: %(action)s.") % {
            "status": fresh.get_status_display().lower(), "action": act.label}})
    if not act.allows_kind(fresh.kind):
        raise ValidationError({"action": _("This step does not apply to a petition of this kind: %(action)s.") % {
            "action": act.label}})
    today = timezone.localdate()
    fields, event_data, reason, target = _clean_action_data(act, fresh, data, actor, today)
    old_status = fresh.status
    fields["status"] = target
    for name, value in fields.items():
        setattr(fresh, name, value)
    fresh.next_due, fresh.next_due_key = next_deadline(fresh, today=today)
    fields.update(next_due=fresh.next_due, next_due_key=fresh.next_due_key, updated_at=timezone.now())
    conditional_update(Petition, fresh, expected_version, conflict_message(), **fields)
    clean_event = {k: _json(v) for k, v in event_data.items() if k not in _PERSONAL_KEYS}
    clean_event["next_due"] = _json(fresh.next_due)
    event = PetitionEvent.objects.create(
        petition=fresh, at=timezone.now(), actor=_user(actor), action=action, from_status=old_status,
        to_status=target, reason=reason, data=clean_event,
    )
    notices.issue_for_step(actor=actor, petition=fresh, event=event)
    audit.record(f"petitions.petition.{action}", actor=actor, obj=fresh, org_unit=fresh.org_unit, summary={
        "number": fresh.number, "year": fresh.number_year, "from": old_status, "to": target,
        **{k: v for k, v in clean_event.items() if k not in {"to_name", "decision_number"}},
    })
    _refresh_caller(petition, fresh)
    return fresh


# --------------------------------------------------------------------------- handlers


@transaction.atomic
def assign_handler(*, actor: Any, petition: Petition, user: Any) -> CaseHandler:
    """Assign ``user`` to handle the case; only assigned handlers may reveal a whistleblower's identity."""
    fresh = _lock(petition)
    if actor is not None and not actor.has_perm("petitions.assign_handler", fresh):
        raise PermissionDenied(_("Only the head or an administrator of the unit can assign handlers."))
    if user is None or not getattr(user, "is_active", False) or not petition_rules.may_be_handler(user, fresh):
        raise ValidationError({"user": _("A handler must hold a handling role in this unit.")})
    existing = CaseHandler.objects.filter(petition=fresh, user=user, revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    handler = CaseHandler.objects.create(petition=fresh, user=user, assigned_by=_user(actor),
                                         assigned_at=timezone.now())
    audit.record("petitions.handler.assign", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"number": fresh.number, "year": fresh.number_year, "handler": user.pk})
    return handler


@transaction.atomic
def revoke_handler(*, actor: Any, petition: Petition, user: Any) -> None:
    """End the user's assignment: from now on they cannot reveal the identity (earlier reveals stay audited)."""
    fresh = _lock(petition)
    if actor is not None and not actor.has_perm("petitions.assign_handler", fresh):
        raise PermissionDenied(_("Only the head or an administrator of the unit can assign handlers."))
    done = CaseHandler.objects.filter(petition=fresh, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    if not done:
        raise ValidationError({"user": _("This user is not a handler of this case.")})
    audit.record("petitions.handler.revoke", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"number": fresh.number, "year": fresh.number_year, "handler": user.pk})
