"""Retention of filed-away petitions: which may be destroyed, and destroying them by a recorded decision.

Circular 05/2021/TT-TTCP keeps a filed-away petition (xếp lưu: ineligible, out of time, already
finally decided, illegible) for one year, then it is destroyed by a decision (DOMAIN.md §5). The
period is rule data (``DeadlineRule`` with key ``retention``, in force from a date), counted like
every other period (Civil Code Arts. 147–148: from the day after filing away; a last day that is a
day off moves to the next working day). The petition is kept through that last day and may be
destroyed from the day after.

Destruction is a legal act by a person, never a job: ``do_destroy`` needs the head or an
administrator of the unit (``rules.decides_destruction``) and a decision's number, date, signer
and basis. What is destroyed is the personal and content data: the filer's name and address, the
encrypted identity, the summary and content, the published result, the officers' free-text
reasons on the steps, the attachments (rows now, files once the transaction has committed). What
stays is a tombstone: number, year, unit, kind, channel, dates, status, the steps' actions and the
decision that destroyed it, so the register keeps its numbering, statistics keep their counts and
the audit chain (which never held personal data) stays whole.

A filed-away petition that was reopened and not filed away again, or that an open case still
relies on (a duplicate, a second round, an over-level case, an open mediation), is not eligible.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.writes import clean_field_text
from danvan.core.writes import fmt_date as _fmt
from danvan.core.writes import is_int as _is_int
from danvan.core.writes import raise_if as _raise
from danvan.core.writes import user_or_none as _user
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q

from . import deadlines
from .locking import lock_unit
from .models import (
    PENDING_STATUSES,
    Attachment,
    DestructionDecision,
    FilerIdentity,
    MediationCase,
    MediationStatus,
    Petition,
    PetitionEvent,
    PetitionStatus,
    RuleKey,
    RuleKind,
)

log = logging.getLogger(__name__)

S = PetitionStatus
EARLIEST = dt.date(2000, 1, 1)
NUMBER_MAX = 50
SIGNER_MAX = 200
BASIS_MAX = 2000
MAX_PER_DECISION = 1000
# The list page and the API list show at most this many at once: a decision covers a batch.
LIST_LIMIT = 500
# A case still being worked on, or waiting (suspended): what a filed-away petition may still matter to.
# How a filed-away petition may end: filed away, or closed after being filed away.
END_STATUSES = (S.FILED_AWAY, S.CLOSED)
LIST_DEFERRED = ("content", "search_text", "public_summary", "complex_criteria")


# --------------------------------------------------------------------------- the period (rule data)


def retention_rule(filed_on: dt.date) -> deadlines.Rule | None:
    """The retention rule in force on the day the petition was filed away (the newest if several)."""
    best: deadlines.Rule | None = None
    for r in deadlines.rules():
        if r.key == RuleKey.RETENTION and r.kind == RuleKind.ANY and r.in_force_on(filed_on):
            if best is None or r.effective_from > best.effective_from:
                best = r
    return best


def retained_until(filed_on: dt.date) -> dt.date | None:
    """The last day the petition must be kept; None when no retention rule covers that day (kept)."""
    rule = retention_rule(filed_on)
    return None if rule is None else rule.due(filed_on, rule.days)


def _shortest_period() -> int | None:
    periods = [r.days for r in deadlines.rules() if r.key == RuleKey.RETENTION and r.kind == RuleKind.ANY]
    return min(periods) if periods else None


# --------------------------------------------------------------------------- eligibility


@dataclass(frozen=True)
class Eligible:
    petition: Petition
    filed_on: dt.date
    kept_until: dt.date


def _candidates(unit: OrgUnit, today: dt.date) -> QuerySet[Petition]:
    """Filed-away petitions of the subtree, not destroyed, not reopened since, linked to no pending case,
    filed away long enough ago that the shortest period may have run (the exact check is in Python)."""
    days = _shortest_period()
    if days is None:
        return Petition.objects.none()
    # Filed away before the start of (today - days), local time: a necessary condition for today > end.
    cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min))
    filed = (PetitionEvent.objects.filter(petition=OuterRef("pk"), action="file_away")
             .order_by("-at", "-pk").values("at")[:1])
    reopened = (PetitionEvent.objects.filter(petition=OuterRef("pk"), action="reopen")
                .order_by("-at", "-pk").values("at")[:1])
    pending = Petition.objects.filter(status__in=PENDING_STATUSES, deleted_at__isnull=True)
    relied_on = pending.filter(Q(duplicate_of=OuterRef("pk")) | Q(first_round=OuterRef("pk"))
                               | Q(over_level_of=OuterRef("pk")))
    relies_on = pending.filter(Q(pk=OuterRef("duplicate_of_id")) | Q(pk=OuterRef("first_round_id"))
                               | Q(pk=OuterRef("over_level_of_id")))
    mediating = MediationCase.objects.filter(petition=OuterRef("pk"), status=MediationStatus.OPEN,
                                             deleted_at__isnull=True)
    return (
        Petition.objects.filter(subtree_q([unit.path], prefix="org_unit__"), status__in=END_STATUSES,
                                deleted_at__isnull=True, destroyed_at__isnull=True)
        .annotate(filed_at=Subquery(filed), reopened_at=Subquery(reopened))
        .filter(filed_at__isnull=False, filed_at__lt=cutoff)
        .filter(Q(reopened_at__isnull=True) | Q(reopened_at__lt=F("filed_at")))
        .exclude(Exists(relied_on)).exclude(Exists(relies_on)).exclude(Exists(mediating))
        .order_by("filed_at", "pk")
    )


def _eligible_rows(qs: QuerySet[Petition], today: dt.date) -> list[Eligible]:
    out = []
    for p in qs:
        filed_on = timezone.localdate(p.filed_at)  # type: ignore[attr-defined]
        until = retained_until(filed_on)
        if until is not None and today > until:
            out.append(Eligible(p, filed_on, until))
    return out


def eligible_for_destruction(unit: OrgUnit, today: dt.date | None = None, *, limit: int | None = LIST_LIMIT,
                             ids: Iterable[int] | None = None) -> list[Eligible]:
    """Filed-away petitions of ``unit``'s subtree whose retention has run out on ``today``, oldest filed first.

    One query. ``ids`` narrows to those petitions (the re-check of a decision); ``limit`` bounds the list.
    """
    today = today or timezone.localdate()
    if _shortest_period() is None:
        return []
    qs = _candidates(unit, today).select_related("org_unit", "field").defer(*LIST_DEFERRED)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if limit is not None:
        qs = qs[: max(1, int(limit))]
    return _eligible_rows(qs, today)


def count_eligible_by_unit(today: dt.date | None = None) -> list[tuple[OrgUnit, int]]:
    """(unit, number eligible) for every current unit holding eligible petitions: the command's report."""
    today = today or timezone.localdate()
    counts: dict[int, int] = {}
    if _shortest_period() is None:
        return []
    for root in OrgUnit.objects.current().filter(parent__isnull=True).order_by("path"):
        for row in _eligible_rows(_candidates(root, today).only("pk", "org_unit_id"), today):
            counts[row.petition.org_unit_id] = counts.get(row.petition.org_unit_id, 0) + 1
    units = OrgUnit.objects.in_bulk(list(counts))
    return sorted(((units[pk], n) for pk, n in counts.items()), key=lambda un: un[0].path)


def ids_hash(ids: Iterable[int]) -> str:
    """A short fingerprint of a set of ids: the confirm page posts it back so the list decided is the list shown."""
    text = ",".join(str(i) for i in sorted(set(ids)))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def petition_label(p: Petition) -> str:
    return f"{p.number}/{p.number_year}"


# --------------------------------------------------------------------------- destruction


def may_decide(user: Any, unit: Any) -> bool:
    return (getattr(user, "is_authenticated", False) and isinstance(unit, OrgUnit)
            and bool(user.has_perm("petitions.destroy_filed_petitions", unit)))


def _clean_ids(errors: dict[str, Any], petition_ids: Any) -> list[int]:
    if not isinstance(petition_ids, list | tuple | set | frozenset) or not petition_ids:
        errors["petitions"] = _("Choose at least one petition to destroy.")
        return []
    if not all(_is_int(i) and i > 0 for i in petition_ids):
        errors["petitions"] = _("The petitions must be given by their ids (whole numbers).")
        return []
    ids = sorted(set(petition_ids))
    if len(ids) > MAX_PER_DECISION:
        errors["petitions"] = _("A decision destroys at most %(n)d petitions.") % {"n": MAX_PER_DECISION}
    return ids


def _clean_decision(errors: dict[str, Any], fields: Any, today: dt.date) -> dict[str, Any]:
    if not isinstance(fields, dict):
        errors["decision"] = _("The decision's details are not in the expected shape.")
        return {}
    unknown = sorted(set(fields) - {"number", "decided_on", "signer_name", "signer_title", "basis"})
    for name in unknown:
        errors[name] = _("This field is not accepted.")
    out: dict[str, Any] = {}
    for name, limit, multiline in (("number", NUMBER_MAX, False), ("signer_name", SIGNER_MAX, False),
                                   ("signer_title", SIGNER_MAX, False), ("basis", BASIS_MAX, True)):
        out[name], error = clean_field_text(fields.get(name), limit, required=True, multiline=multiline)
        if error:
            errors[name] = error
    decided = fields.get("decided_on")
    if decided is None or decided == "":
        errors["decided_on"] = _("This field is required.")
    elif not isinstance(decided, dt.date) or isinstance(decided, dt.datetime):
        errors["decided_on"] = _("Enter a valid date.")
    elif decided > today:
        errors["decided_on"] = _("The date cannot be in the future.")
    elif decided < EARLIEST:
        errors["decided_on"] = _("The date cannot be before 01/01/2000.")
    out["decided_on"] = decided
    return out


def _wipe(petitions: list[Petition], decision: DestructionDecision, now: dt.datetime) -> list[str]:
    """Destroy the personal and content data of the petitions; the stored file names to delete after commit."""
    ids = [p.pk for p in petitions]
    files = [name for name in Attachment.objects.filter(petition_id__in=ids).values_list("file", flat=True) if name]
    Attachment.objects.filter(petition_id__in=ids).delete()
    FilerIdentity.objects.filter(petition_id__in=ids).delete()
    PetitionEvent.objects.filter(petition_id__in=ids).update(reason="")
    Petition.objects.filter(pk__in=ids).update(
        summary="", content="", filer_name="", filer_address="", search_text="", filer_key="",
        public_summary="", published_at=None, tracking_code=None, tracking_secret_hash="",  # destruction blanks the hash: no secret  # nosec B106
        destroyed_at=now, destruction=decision, lock_version=F("lock_version") + 1, updated_at=now,
    )
    return files


def _delete_files(names: list[str]) -> None:
    """After commit: a file whose row is gone is unreachable anyway, so a failure here is logged, not raised."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            log.warning("retention: could not delete a destroyed petition's file (%s)", name)


@transaction.atomic
def do_destroy(user: Any, unit: OrgUnit, decision_fields: dict[str, Any], petition_ids: Any,
               expected_ids_hash: str | None = None) -> DestructionDecision:
    """Record a destruction decision of ``unit`` and destroy the petitions it lists, all or nothing.

    Every petition is re-checked under lock: one that is no longer eligible (reopened, linked to an
    open case, already destroyed, outside the unit, not yet past its retention on the decision's
    date) is a ``ValidationError`` and nothing is destroyed. The same decision submitted twice
    (same unit, year and number, same petitions) returns the recorded one with ``replayed`` set;
    the same number with other petitions is refused.
    """
    if not may_decide(user, unit):
        raise PermissionDenied(_("Only the head or an administrator of the unit can decide to destroy petitions."))
    if unit.valid_to is not None:
        raise ValidationError({"org_unit": _("Choose a current unit.")})
    today = timezone.localdate()
    errors: dict[str, Any] = {}
    data = _clean_decision(errors, decision_fields, today)
    ids = _clean_ids(errors, petition_ids)
    _raise(errors)
    if expected_ids_hash is not None and expected_ids_hash != ids_hash(ids):
        raise ValidationError({"petitions": _(
            "The list of petitions changed since it was shown. Nothing was destroyed: review the list again.")})
    decided: dt.date = data["decided_on"]
    lock_unit(unit.pk)
    existing = DestructionDecision.objects.filter(org_unit=unit, year=decided.year, number=data["number"]).first()
    if existing is not None:
        if sorted(existing.petitions.values_list("pk", flat=True)) == ids:
            existing.replayed = True
            return existing
        raise ValidationError({"number": _(
            "This unit already recorded a decision with this number in %(year)d.") % {"year": decided.year}})

    # Lock the rows (in id order, so two decisions over the same petitions queue instead of deadlocking).
    rows = list(Petition.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
                .only("pk", "number", "number_year", "org_unit_id", "destroyed_at", "destruction_id"))
    in_unit = set(Petition.objects.filter(pk__in=ids).filter(subtree_q([unit.path], prefix="org_unit__"))
                  .values_list("pk", flat=True)) if rows else set()
    outside = [i for i in ids if i not in in_unit]
    if outside:
        raise ValidationError({"petitions": _(
            "Some petitions chosen are not petitions of this unit: %(ids)s. Nothing was destroyed.") % {
            "ids": ", ".join(str(i) for i in outside[:20])}})
    destroyed = [p for p in rows if p.destroyed_at is not None]
    if destroyed:
        decisions = DestructionDecision.objects.in_bulk({p.destruction_id for p in destroyed if p.destruction_id})
        raise ValidationError({"petitions": _(
            "Already destroyed, nothing was destroyed twice: %(list)s.") % {"list": ", ".join(
                f"{petition_label(p)} ({decisions[p.destruction_id].number})"
                if p.destruction_id in decisions else petition_label(p) for p in destroyed[:20])}})
    eligible = {e.petition.pk: e for e in eligible_for_destruction(unit, today, limit=None, ids=ids)}
    not_eligible = [p for p in rows if p.pk not in eligible]
    if not_eligible:
        raise ValidationError({"petitions": _(
            "These petitions may not be destroyed (not filed away, reopened, still needed by an open case, "
            "or still within the retention period): %(list)s. Nothing was destroyed.") % {
            "list": ", ".join(petition_label(p) for p in not_eligible[:20])}})
    too_early = [e for e in eligible.values() if decided <= e.kept_until]
    if too_early:
        last = max(e.kept_until for e in too_early)
        raise ValidationError({"decided_on": _(
            "The decision date must be after the end of the retention period (%(date)s) of every petition "
            "it destroys.") % {"date": _fmt(last)}})

    now = timezone.now()
    numbers = [petition_label(p) for p in rows]
    try:
        with transaction.atomic():
            decision = DestructionDecision.objects.create(
                org_unit=unit, year=decided.year, created_by=_user(user), petition_numbers=numbers, **data)
    except IntegrityError:
        raise ValidationError({"number": _(
            "This unit already recorded a decision with this number in %(year)d.") % {"year": decided.year}}) from None
    files = _wipe(rows, decision, now)
    audit.record("petitions.retention.destroy", actor=user, obj=decision, org_unit=unit, summary={
        "decision": decision.number, "decided_on": decided, "count": len(rows), "petitions": numbers,
        "files": len(files),
    })
    if files:
        transaction.on_commit(lambda: _delete_files(files))
    decision.replayed = False
    return decision


# --------------------------------------------------------------------------- reads


def decision_units(user: Any) -> QuerySet[OrgUnit]:
    """Current units for which the user may decide destructions (their head/admin subtrees)."""
    from danvan.orgs.scope import scope_of

    from .workflow import SIGNING_ROLES

    scope = scope_of(user)
    qs = OrgUnit.objects.current().order_by("path")
    if scope.is_superuser:
        return qs
    return qs.filter(subtree_q(scope.paths(SIGNING_ROLES)))


def decisions_for(user: Any, *, unit: OrgUnit | None = None, after: int | None = None,
                  limit: int = 50) -> list[DestructionDecision]:
    """Decisions the user may see (their subtrees; of ``unit``'s subtree if given), newest first, keyset on id."""
    qs = DestructionDecision.objects.visible_to(user).select_related("org_unit").order_by("-pk")
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], prefix="org_unit__"))
    if after is not None:
        qs = qs.filter(pk__lt=after)
    return list(qs[: max(1, min(int(limit), 200))])


def decision_for(user: Any, pk: int) -> DestructionDecision | None:
    return DestructionDecision.objects.visible_to(user).select_related("org_unit", "created_by").filter(pk=pk).first()


def destroyed_petitions(decision: DestructionDecision) -> list[Petition]:
    """The tombstones a decision left, in number order."""
    return list(decision.petitions.select_related("org_unit").only(
        "pk", "number", "number_year", "kind", "received_on", "status", "org_unit__name", "org_unit__path",
        "destroyed_at").order_by("number_year", "number", "pk"))
