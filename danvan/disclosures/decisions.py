"""Residents discuss and decide (dân bàn và quyết định, Law 10/2022 Arts. 15–20): writes and scoped reads.

The law's arithmetic lives here and nowhere else: a matter passes only when more than half of the
village's households took part and enough of *all* households (not of those present) agreed — two
thirds for contributions and community funds, more than half for the rest (``MATTER_THRESHOLD``).
The result is stored (``threshold``, ``passed``) so lists and reports filter on it in SQL, and it is
recomputed on every write, so a corrected vote count can never leave a stale result behind.

The result goes to the commune within 5 working days (Art. 20.3), counted by the one calendar
(``core.calendar``) from the end of the meeting — for a household ballot or an online vote, from the
day the vote ended and its result was recorded (``decided_on``), since a ballot runs over several days.

Each write is one transaction with its audit event; two officials correcting one decision at once:
the second gets ``ConcurrentEditError`` (``lock_version``) and nothing of the first is lost. Creating
the same decision twice (same unit, title and day) is refused: the unit's row is locked while we
look, so two quick submits cannot both pass the check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.api.pagination import decode_cursor, encode_cursor, is_dated_key
from danvan.core import audit
from danvan.core.calendar import add_working_days
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.writes import check_version, clean_field_text, conditional_update, fmt_date, is_int, raise_if
from danvan.core.writes import user_or_none as _user
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q

from .models import MATTER_THRESHOLD, DecisionForm, Matter, ResidentDecision, Threshold

EARLIEST = dt.date(2000, 1, 1)
SEND_WORKING_DAYS = 5  # Art. 20.3
TITLE_MAX = 255
CONTENT_MAX = 10_000
REASON_MAX = 1000
HOUSEHOLDS_MAX = 1_000_000
PAGE_SIZE = 50
EDITABLE = frozenset({
    "matter", "title", "form", "held_on", "decided_on", "households_total", "households_participating",
    "votes_for", "votes_against", "content", "sent_to_commune_on",
})


# --------------------------------------------------------------------------- the law's arithmetic


@dataclass(frozen=True)
class Outcome:
    """What the votes give under a threshold; ``needed`` and ``quorum_needed`` are numbers of households."""

    threshold: str
    passed: bool
    needed: int
    share_for: float
    quorum_met: bool
    quorum_needed: int


def needed_for(threshold: str, households_total: int) -> int:
    """Households that must agree: two thirds rounded up, or one more than half."""
    if threshold == Threshold.TWO_THIRDS:
        return -(-2 * households_total // 3)
    return households_total // 2 + 1


def outcome(*, threshold: str, households_total: int, households_participating: int, votes_for: int) -> Outcome:
    """Apply the matter's majority to the votes: shares are of all households of the village, not of those present."""
    needed = needed_for(threshold, households_total)
    quorum_met = households_participating * 2 > households_total
    share = round(votes_for * 100 / households_total, 1) if households_total else 0.0
    return Outcome(threshold=threshold, passed=quorum_met and votes_for >= needed, needed=needed, share_for=share,
                   quorum_met=quorum_met, quorum_needed=households_total // 2 + 1)


def outcome_of(decision: ResidentDecision) -> Outcome:
    return outcome(threshold=decision.threshold or MATTER_THRESHOLD[Matter(decision.matter)],
                   households_total=decision.households_total,
                   households_participating=decision.households_participating, votes_for=decision.votes_for)


def explain(decision: ResidentDecision) -> list[str]:
    """The rule applied, in words, for the decision's page (one sentence per check, then the result)."""
    o = outcome_of(decision)
    n = {"needed": o.needed, "total": decision.households_total, "for": decision.votes_for,
         "quorum": o.quorum_needed, "took": decision.households_participating, "share": o.share_for}
    lines = [_("More than half of the households must take part: at least %(quorum)d of %(total)d households; "
               "%(took)d took part.") % n]
    if o.threshold == Threshold.TWO_THIRDS:
        lines.append(_("At least two thirds of all households must agree: %(needed)d of %(total)d households; "
                       "%(for)d agreed (%(share)s%%).") % n)
    else:
        lines.append(_("More than half of all households must agree: %(needed)d of %(total)d households; "
                       "%(for)d agreed (%(share)s%%).") % n)
    if o.passed:
        lines.append(_("Result: passed."))
    elif not o.quorum_met:
        lines.append(_("Result: not passed, too few households took part."))
    else:
        lines.append(_("Result: not passed, too few households agreed."))
    return lines


def send_due(form: str, held_on: dt.date, decided_on: dt.date) -> dt.date:
    """5 working days from the end of the meeting, or of the ballot (the day its result was recorded)."""
    end = held_on if form == DecisionForm.MEETING else decided_on
    return add_working_days(end, SEND_WORKING_DAYS)


class SendState:
    SENT = "sent"
    SENT_LATE = "sent_late"
    PENDING = "pending"
    OVERDUE = "overdue"


def send_state(decision: ResidentDecision, today: dt.date | None = None) -> str:
    """Where the sending to the commune stands: sent (on time or late), still to send, or overdue."""
    due = decision.send_due_on
    sent = decision.sent_to_commune_on
    if sent is not None:
        return SendState.SENT_LATE if due is not None and sent > due else SendState.SENT
    today = today or timezone.localdate()
    return SendState.OVERDUE if due is not None and due < today else SendState.PENDING


# --------------------------------------------------------------------------- validation


def _conflict() -> str:
    return _("Someone else changed this decision after you opened it. Nothing was saved: "
             "reload the page and make your change again.")


def _text(errors: dict[str, Any], name: str, value: Any, limit: int, *, required: bool = False,
          multiline: bool = False) -> str:
    value, error = clean_field_text(value, limit, required=required, multiline=multiline)
    if error:
        errors[name] = error
    return value


def _day(errors: dict[str, Any], name: str, value: Any, today: dt.date, *, required: bool = True,
         future: str = "") -> dt.date | None:
    """A real date, not in the future and not before 2000; None (with the error if required) otherwise."""
    if value is None or value == "":
        if required:
            errors[name] = _("This field is required.")
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[name] = _("Enter a valid date.")
        return None
    if value > today:
        errors[name] = future or _("The date cannot be in the future.")
        return None
    if value < EARLIEST:
        errors[name] = _("The date cannot be before 01/01/2000.")
        return None
    return value


def _count(errors: dict[str, Any], name: str, value: Any, *, minimum: int = 0) -> int | None:
    if value is None or value == "":
        errors[name] = _("This field is required.")
        return None
    if not is_int(value):
        errors[name] = _("Enter a whole number.")
        return None
    if value < minimum:
        errors[name] = (_("Enter a number of at least %(n)d.") % {"n": minimum}) if minimum else \
            _("The number cannot be negative.")
        return None
    if value > HOUSEHOLDS_MAX:
        errors[name] = _("Enter a number of at most %(n)d.") % {"n": HOUSEHOLDS_MAX}
        return None
    return int(value)


def _clean(values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Every field of a decision checked together, so one submit shows every problem; raises the errors."""
    errors: dict[str, Any] = {}
    out: dict[str, Any] = {}
    matter = values.get("matter")
    if matter not in Matter.values:
        errors["matter"] = _("Choose the matter from the list.")
    out["matter"] = matter
    form = values.get("form")
    if form not in DecisionForm.values:
        errors["form"] = _("Choose how the residents decided.")
    out["form"] = form
    out["title"] = _text(errors, "title", values.get("title"), TITLE_MAX, required=True)
    out["content"] = _text(errors, "content", values.get("content"), CONTENT_MAX, multiline=True)
    held = out["held_on"] = _day(errors, "held_on", values.get("held_on"), today, future=_(
        "The meeting or vote cannot be in the future: record it once it has been held."))
    decided = out["decided_on"] = _day(errors, "decided_on", values.get("decided_on"), today)
    if held and decided and decided < held:
        errors["decided_on"] = _("The result cannot be recorded before the meeting or vote (%(date)s).") % {
            "date": fmt_date(held)}
    sent = out["sent_to_commune_on"] = _day(errors, "sent_to_commune_on", values.get("sent_to_commune_on"), today,
                                            required=False)
    if held and sent and sent < held:
        errors["sent_to_commune_on"] = _("The result cannot be sent before the meeting or vote (%(date)s).") % {
            "date": fmt_date(held)}
    total = out["households_total"] = _count(errors, "households_total", values.get("households_total"),
                                             minimum=1)
    took = out["households_participating"] = _count(errors, "households_participating",
                                                    values.get("households_participating"))
    yes = out["votes_for"] = _count(errors, "votes_for", values.get("votes_for"))
    no = out["votes_against"] = _count(errors, "votes_against", values.get("votes_against"))
    if total is not None and took is not None and took > total:
        errors["households_participating"] = _(
            "More households took part (%(took)d) than there are in the village (%(total)d).") % {
            "took": took, "total": total}
    if took is not None and yes is not None and no is not None and yes + no > took:
        errors["votes_for"] = _(
            "The households for and against (%(votes)d) are more than the households taking part (%(took)d).") % {
            "votes": yes + no, "took": took}
    raise_if(errors)
    out["threshold"] = MATTER_THRESHOLD[Matter(str(matter))]
    out["passed"] = outcome(threshold=out["threshold"], households_total=total or 0,
                            households_participating=took or 0, votes_for=yes or 0).passed
    out["send_due_on"] = send_due(out["form"], held, decided)  # type: ignore[arg-type]
    return out


def _may(actor: Any, perm: str, obj: Any) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied(_("You may not change the residents' decisions of this unit."))


def _duplicate(org_unit: OrgUnit, title: str, held_on: dt.date, exclude: int | None = None) -> bool:
    qs = ResidentDecision.objects.filter(org_unit=org_unit, title=title, held_on=held_on, deleted_at__isnull=True)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def _duplicate_error() -> ValidationError:
    return ValidationError({"title": _("This decision is already recorded for this unit on this date.")})


def _lock(decision: ResidentDecision) -> ResidentDecision:
    fresh = (ResidentDecision.objects.select_for_update(of=("self",)).select_related("org_unit")
             .filter(pk=decision.pk, deleted_at__isnull=True).first())
    if fresh is None:
        raise ValidationError({"decision": _("This decision no longer exists.")})
    return fresh


def _refresh(caller: ResidentDecision, fresh: ResidentDecision) -> None:
    if caller is not fresh:
        for f in ResidentDecision._meta.concrete_fields:
            setattr(caller, f.attname, getattr(fresh, f.attname))


def _summary(d: ResidentDecision) -> dict[str, Any]:
    return {"matter": d.matter, "held_on": d.held_on, "households_total": d.households_total,
            "households_participating": d.households_participating, "votes_for": d.votes_for,
            "votes_against": d.votes_against, "passed": d.passed, "send_due_on": d.send_due_on,
            "sent_to_commune_on": d.sent_to_commune_on}


# --------------------------------------------------------------------------- writes


@transaction.atomic
def record_decision(*, actor: Any, org_unit: OrgUnit, matter: str, title: str, form: str, held_on: dt.date,
                    decided_on: dt.date, households_total: int, households_participating: int, votes_for: int,
                    votes_against: int, content: str = "", sent_to_commune_on: dt.date | None = None
                    ) -> ResidentDecision:
    """Record what a village decided; the majority, the result and the sending deadline are computed here."""
    if not isinstance(org_unit, OrgUnit) or org_unit.valid_to is not None:
        raise ValidationError({"org_unit": _("Choose a unit in use.")})
    _may(actor, "disclosures.change", org_unit)
    values = _clean({
        "matter": matter, "title": title, "form": form, "held_on": held_on, "decided_on": decided_on,
        "households_total": households_total, "households_participating": households_participating,
        "votes_for": votes_for, "votes_against": votes_against, "content": content,
        "sent_to_commune_on": sent_to_commune_on,
    }, timezone.localdate())
    # Serialise creations in this unit (PostgreSQL; SQLite writers are serial already): no double submit.
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=org_unit.pk).first()
    if _duplicate(org_unit, values["title"], values["held_on"]):
        raise _duplicate_error()
    decision = ResidentDecision.objects.create(org_unit=org_unit, created_by=_user(actor), **values)
    audit.record("disclosures.decision.record", actor=actor, obj=decision, org_unit=org_unit,
                 summary=_summary(decision))
    return decision


@transaction.atomic
def update_decision(*, actor: Any, decision: ResidentDecision, expected_version: Any, **fields: Any
                    ) -> ResidentDecision:
    """Correct a decision; every rule is checked again on the whole record and the result recomputed."""
    unknown = sorted(set(fields) - EDITABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    version = check_version(expected_version)
    fresh = _lock(decision)
    _may(actor, "disclosures.change", fresh)
    if fresh.lock_version != version:  # a stale form: say so before judging its values
        raise ConcurrentEditError(_conflict())
    current = {name: getattr(fresh, name) for name in EDITABLE}
    values = _clean({**current, **fields}, timezone.localdate())
    if _duplicate(fresh.org_unit, values["title"], values["held_on"], exclude=fresh.pk):
        raise _duplicate_error()
    changed = sorted(name for name in EDITABLE if values[name] != current[name])
    conditional_update(ResidentDecision, fresh, version, _conflict(), **values)
    audit.record("disclosures.decision.update", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"changed": changed, **_summary(fresh)})
    _refresh(decision, fresh)
    return fresh


@transaction.atomic
def mark_sent(*, actor: Any, decision: ResidentDecision, expected_version: Any, sent_on: Any) -> ResidentDecision:
    """Record the day the result went to the commune (Art. 20.3); late is kept visible, not refused."""
    version = check_version(expected_version)
    fresh = _lock(decision)
    _may(actor, "disclosures.change", fresh)
    if fresh.lock_version != version:
        raise ConcurrentEditError(_conflict())
    if fresh.sent_to_commune_on is not None:
        raise ValidationError({"sent_on": _("The result was already recorded as sent on %(date)s.") % {
            "date": fmt_date(fresh.sent_to_commune_on)}})
    errors: dict[str, Any] = {}
    day = _day(errors, "sent_on", sent_on, timezone.localdate())
    if day is not None and day < fresh.held_on:
        errors["sent_on"] = _("The result cannot be sent before the meeting or vote (%(date)s).") % {
            "date": fmt_date(fresh.held_on)}
    raise_if(errors)
    conditional_update(ResidentDecision, fresh, version, _conflict(), sent_to_commune_on=day)
    audit.record("disclosures.decision.sent", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"sent_on": day, "send_due_on": fresh.send_due_on,
                          "late": bool(fresh.send_due_on and day and day > fresh.send_due_on)})
    _refresh(decision, fresh)
    return fresh


@transaction.atomic
def delete_decision(*, actor: Any, decision: ResidentDecision, reason: str) -> None:
    """Remove a decision entered by mistake: it leaves every list and count; the audit keeps why and who."""
    fresh = _lock(decision)
    _may(actor, "disclosures.delete", fresh)
    errors: dict[str, Any] = {}
    reason = _text(errors, "reason", reason, REASON_MAX, required=True, multiline=True)
    raise_if(errors)
    conditional_update(ResidentDecision, fresh, fresh.lock_version, _conflict(), deleted_at=timezone.now())
    audit.record("disclosures.decision.delete", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"reason": reason, "title": fresh.title})
    _refresh(decision, fresh)


# --------------------------------------------------------------------------- reads


@dataclass
class Page:
    items: list[Any]
    next: str | None


def keyset_page(qs: QuerySet, date_field: str, after: str | None, limit: int = PAGE_SIZE) -> Page:
    """Newest first on (date, id); a late page costs what the first costs. A bad cursor is a ValidationError."""
    key = decode_cursor(after, lambda v: is_dated_key(v, dt.date.fromisoformat))
    if key is not None:
        day = dt.date.fromisoformat(key[0])
        qs = qs.filter(Q(**{f"{date_field}__lt": day}) | Q(**{date_field: day, "pk__lt": key[1]}))
    rows = list(qs.order_by(f"-{date_field}", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = encode_cursor([getattr(rows[-1], date_field).isoformat(), rows[-1].pk]) if more and rows else None
    return Page(rows, nxt)


def decisions_for(user: Any) -> QuerySet[ResidentDecision]:
    """The decisions the user may read: their units' subtrees, nothing deleted."""
    return ResidentDecision.objects.visible_to(user).filter(deleted_at__isnull=True)


def decision_for(user: Any, pk: Any) -> ResidentDecision | None:
    """The decision if the user may read it (None: a 404 for the caller, like one that does not exist)."""
    if not is_int(pk):
        return None
    return decisions_for(user).select_related("org_unit", "created_by").filter(pk=pk).first()


def decisions_page(user: Any, *, unit: OrgUnit | None = None, matter: str | None = None,
                   passed: bool | None = None, sending: str | None = None, year: int | None = None,
                   after: str | None = None, today: dt.date | None = None, limit: int = PAGE_SIZE) -> Page:
    """One page of the user's decisions with the list's filters (``sending``: a ``SendState`` value)."""
    today = today or timezone.localdate()
    qs = decisions_for(user).select_related("org_unit")
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], prefix="org_unit__"))
    if matter:
        qs = qs.filter(matter=matter)
    if passed is not None:
        qs = qs.filter(passed=passed)
    if year:
        qs = qs.filter(held_on__gte=dt.date(year, 1, 1), held_on__lte=dt.date(year, 12, 31))
    if sending == SendState.OVERDUE:
        qs = qs.filter(sent_to_commune_on__isnull=True, send_due_on__lt=today)
    elif sending == SendState.PENDING:
        qs = qs.filter(sent_to_commune_on__isnull=True, send_due_on__gte=today)
    elif sending == SendState.SENT_LATE:
        qs = qs.filter(sent_to_commune_on__gt=F("send_due_on"))
    elif sending == SendState.SENT:
        qs = qs.filter(sent_to_commune_on__lte=F("send_due_on"))
    return keyset_page(qs, "held_on", after, limit)


def not_sent_in_time(today: dt.date | None = None) -> QuerySet[ResidentDecision]:
    """Decisions whose result should have reached the commune before today and has not (for the checks command)."""
    today = today or timezone.localdate()
    return (ResidentDecision.objects.filter(deleted_at__isnull=True, sent_to_commune_on__isnull=True,
                                            send_due_on__lt=today)
            .select_related("org_unit").order_by("send_due_on", "pk"))


def taken_between(units_q: Q, date_from: dt.date, date_to: dt.date) -> QuerySet[ResidentDecision]:
    """Decisions (passed or not) with a result recorded in the period, in the units matched (for report pre-fill)."""
    return ResidentDecision.objects.filter(units_q, deleted_at__isnull=True, decided_on__gte=date_from,
                                           decided_on__lte=date_to)
