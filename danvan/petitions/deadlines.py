"""The legal deadlines of a petition, from the rule data and the one working-day calendar.

Every period comes from a ``DeadlineRule`` row in force on the day that matters (DOMAIN.md §2–5):
the day the petition was received for acceptance, forwarding and the reply to the citizen; the
day it was accepted for resolution and notification. Counting is the calendar's (Civil Code
Arts. 146–148: a period starts the day after the event; a calendar-day period ending on a day off
ends on the next working day), so no period is computed anywhere else.

Deadlines are computed for every open case on every list, so the rules are read once per process
and kept in memory: saving or deleting a rule clears this process's copy at once and on commit;
other processes reload within ``DANVAN_DEADLINE_RULES_CACHE_SECONDS`` (default 60 s).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import calendar

from .models import Counting, RuleKey, RuleKind

__all__ = ["KINDS", "OUTPUT_KEYS", "DeadlineResult", "Rule", "clear_cache", "compute_deadlines", "rules"]

KINDS = (RuleKind.COMPLAINT, RuleKind.DENUNCIATION, RuleKind.RECOMMENDATION, RuleKind.FEEDBACK)
# The keys the calculator publishes (CLI JSON, API); notification is kept for the workflow and the page.
OUTPUT_KEYS = ("acceptance_due", "forward_due", "feedback_due", "resolution_due")
DEFAULT_CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class Rule:
    """A ``DeadlineRule`` row, detached from the ORM so that it can be shared between threads."""

    key: str
    kind: str
    round: int | None
    counting: str
    days: int
    complex_days: int | None
    remote_days: int | None
    remote_complex_days: int | None
    extension_days: int | None
    max_extensions: int
    effective_from: dt.date
    effective_to: dt.date | None
    legal_basis: str
    note: str

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def period(self, *, complex: bool, remote: bool) -> int:
        """The number of days for the case's flags; a flag the rule does not distinguish changes nothing."""
        if complex and remote:  # no combined figure: the longer of the two
            if self.remote_complex_days is not None:
                return self.remote_complex_days
            return max(self.complex_days or self.days, self.remote_days or self.days)
        if complex:
            return self.days if self.complex_days is None else self.complex_days
        if remote:
            return self.days if self.remote_days is None else self.remote_days
        return self.days

    def due(self, start: dt.date, days: int) -> dt.date:
        if self.counting == Counting.WORKING_DAYS:
            return calendar.add_working_days(start, days)
        return calendar.add_calendar_days(start, days)


_FIELDS = [f for f in Rule.__dataclass_fields__]
_cache: tuple[tuple[Rule, ...], float] | None = None
_lock = threading.Lock()


def _ttl() -> float:
    return float(getattr(settings, "DANVAN_DEADLINE_RULES_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def rules() -> tuple[Rule, ...]:
    """Every rule, read in one query and kept in memory."""
    global _cache
    cached = _cache
    if cached is not None and time.monotonic() < cached[1]:
        return cached[0]
    from .models import DeadlineRule

    with _lock:
        loaded = tuple(Rule(**row) for row in DeadlineRule.objects.order_by("effective_from", "pk").values(*_FIELDS))
        _cache = (loaded, time.monotonic() + _ttl())
        return loaded


def clear_cache() -> None:
    global _cache
    with _lock:
        _cache = None


def _rule(key: str, kind: str, round: int, day: dt.date) -> Rule | None:
    """The rule in force on ``day``: the petition's own kind before "any", its own round before none."""
    best: tuple[int, Rule] | None = None
    for r in rules():
        if r.key != key or r.kind not in (kind, RuleKind.ANY) or r.round not in (round, None):
            continue
        if not r.in_force_on(day):
            continue
        score = (2 if r.kind == kind else 0) + (1 if r.round == round else 0)
        if best is None or score > best[0] or (score == best[0] and r.effective_from > best[1].effective_from):
            best = (score, r)
    return best[1] if best else None


@dataclass(frozen=True)
class DeadlineResult:
    kind: str
    acceptance_due: dt.date | None = None
    forward_due: dt.date | None = None
    notification_due: dt.date | None = None
    feedback_due: dt.date | None = None
    resolution_due: dt.date | None = None
    rule_version: str = ""
    basis: dict[str, Rule] = field(default_factory=dict)  # output key -> the rule that produced it

    @property
    def version_date(self) -> dt.date:
        return dt.date.fromisoformat(self.rule_version)

    def as_json(self) -> dict[str, str]:
        """The calculator's published answer: the keys that apply, ISO dates, and the rule version."""
        out = {k: d.isoformat() for k in OUTPUT_KEYS if (d := getattr(self, k)) is not None}
        out["rule_version"] = self.rule_version
        return out

    def rows(self) -> list[tuple[str, dt.date, Rule]]:
        """Every computed deadline in the order a case meets them, with its rule (for pages)."""
        keys = ("acceptance_due", "forward_due", "notification_due", "feedback_due", "resolution_due")
        return [(k, getattr(self, k), self.basis[k]) for k in keys if getattr(self, k) is not None]


def _check_date(errors: dict[str, str], name: str, value: Any) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[name] = _("Enter a valid date.")
        return None
    return value


def compute_deadlines(
    kind: str,
    received: dt.date,
    accepted: dt.date | None = None,
    round: int = 1,
    complex: bool = False,
    remote: bool = False,
    extensions: int = 0,
    *,
    today: dt.date | None = None,
) -> DeadlineResult:
    """The deadlines of one petition; ``ValidationError({field: message})`` for input the law rules out.

    ``complex`` is the case's recorded complexity: for a complaint the longer resolution period,
    for a denunciation the longer acceptance check (verification at several places). ``remote``
    is a remote or hard-to-reach area (complaints). ``extensions`` counts the written extension
    decisions of a denunciation's resolution. ``today`` is the day "in the future" is judged
    against (the local date by default).
    """
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = _("Choose complaint, denunciation, recommendation or feedback.")
    if received is None:
        errors["received"] = _("Enter the date the petition was received.")
    received = _check_date(errors, "received", received)  # type: ignore[assignment]
    accepted = _check_date(errors, "accepted", accepted)
    if received is not None and received > today:
        errors["received"] = _("The received date cannot be in the future.")
    if accepted is not None:
        if accepted > today:
            errors["accepted"] = _("The accepted date cannot be in the future.")
        elif received is not None and accepted < received:
            errors["accepted"] = _("The accepted date cannot be before the received date.")
    if isinstance(round, bool) or round not in (1, 2):
        errors["round"] = _("The round must be 1 or 2.")
    elif round == 2 and kind != RuleKind.COMPLAINT:
        errors["round"] = _("Only a complaint has a second round.")
    if isinstance(extensions, bool) or not isinstance(extensions, int) or extensions < 0:
        errors["extensions"] = _("The number of extensions must be a whole number, 0 or more.")
    if errors:
        raise ValidationError(errors)

    received_rules = {
        key: _rule(key, kind, round, received)
        for key in (RuleKey.ACCEPTANCE, RuleKey.FORWARD, RuleKey.FEEDBACK)
    }
    after_rules = {
        key: _rule(key, kind, round, accepted or received) for key in (RuleKey.RESOLUTION, RuleKey.NOTIFICATION)
    }
    if not any(received_rules.values()):
        raise ValidationError(
            {"received": _("No deadline rule is in force on %(date)s.") % {"date": received.strftime("%d/%m/%Y")}}
        )
    resolution = after_rules[RuleKey.RESOLUTION]
    allowed = resolution.max_extensions if resolution is not None else 0
    if extensions > allowed:
        if allowed:
            msg = _("At most %(n)d extensions are allowed for this kind of petition.") % {"n": allowed}
        else:
            msg = _("This kind of petition cannot be extended.")
        raise ValidationError({"extensions": msg})

    dues: dict[str, dt.date] = {}
    basis: dict[str, Rule] = {}
    for key, out in ((RuleKey.ACCEPTANCE, "acceptance_due"), (RuleKey.FORWARD, "forward_due"),
                     (RuleKey.FEEDBACK, "feedback_due")):
        r = received_rules[key]
        if r is not None:
            dues[out], basis[out] = r.due(received, r.period(complex=complex, remote=remote)), r
    if accepted is not None:
        for key, out in ((RuleKey.NOTIFICATION, "notification_due"), (RuleKey.RESOLUTION, "resolution_due")):
            r = after_rules[key]
            if r is not None:
                days = r.period(complex=complex, remote=remote) + extensions * (r.extension_days or 0)
                dues[out], basis[out] = r.due(accepted, days), r
    version = max(r.effective_from for r in basis.values())
    return DeadlineResult(kind=kind, rule_version=version.isoformat(), basis=basis, **dues)  # type: ignore[arg-type]
