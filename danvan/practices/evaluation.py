"""A council's evaluation of a practice against a set of criteria, recognition, replication, criteria sets.

The council sits at the practice's unit or at a unit above it (a council below, beside or elsewhere is
refused on ``council_unit``). Every criterion of the set is scored, from 0 to its maximum; an error
names the criterion. A recognition level needs the total to reach the set's pass score, and the
practice keeps the highest level any council gave it (with the day).

A province's administrators keep their own set of criteria beside the national default; a set is
usable for the practices of its province (the default everywhere). Another unit records that it adopted
a practice (``replicate``): never the practice's own unit, never twice.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.text import search_key
from danvan.core.writes import fmt_date, raise_if, user_or_none
from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_ids
from danvan.orgs.roles import Role
from danvan.orgs.scope import scope_of, subtree_q

from .models import CriteriaSet, Criterion, Evaluation, Level, Practice, PracticeStatus, Replication, Score
from .services import allowed, current_unit, date_value, live_practice, text_value

NOTES_MAX = 10000
SET_NAME_MAX = 255
CRITERION_MAX = 500
CRITERIA_MAX = 30
SCORE_LIMIT = Decimal(1000)
LEVEL_RANK = {"": 0, Level.COMMUNE: 1, Level.PROVINCE: 2, Level.NATIONAL: 3}


def score_field(criterion: Criterion | int) -> str:
    """The name of a criterion's score in forms and errors."""
    return f"score_{getattr(criterion, 'pk', criterion)}"


def sets_for(org_unit: OrgUnit) -> QuerySet[CriteriaSet]:
    """Active sets usable for a practice of ``org_unit``: its province's own first, then the national default(s)."""
    return (CriteriaSet.objects.filter(Q(owner__isnull=True) | Q(owner_id__in=[*org_unit.ancestor_ids, org_unit.pk]),
                                       is_active=True)
            .order_by(F("owner_id").desc(nulls_last=True), "name"))


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            return None
    else:
        return None
    if not number.is_finite() or number != number.quantize(Decimal("0.01")):
        return None
    return number


def _scores(criteria: list[Criterion], scores: Any, errors: dict[str, Any]) -> dict[int, Decimal]:
    """Every criterion's score checked; keys are criterion ids (or criteria), values numbers."""
    if not isinstance(scores, dict):
        errors["scores"] = _("Score every criterion.")
        return {}
    given = {getattr(k, "pk", k): v for k, v in scores.items()}
    known = {c.pk for c in criteria}
    if set(given) - known:
        errors["scores"] = _("Some scores are for criteria of another set.")
    out: dict[int, Decimal] = {}
    for c in criteria:
        number = _decimal(given.get(c.pk))
        if number is None:
            errors[score_field(c)] = _("Criterion “%(c)s”: enter a score (a number with at most 2 decimals).") % {
                "c": c.name}
        elif not Decimal(0) <= number <= c.max_score:
            errors[score_field(c)] = _("Criterion “%(c)s”: the score must be from 0 to %(max)s.") % {
                "c": c.name, "max": _fmt(c.max_score)}
        else:
            out[c.pk] = number
    return out


def _fmt(number: Decimal) -> str:
    return f"{number.normalize():f}"


@transaction.atomic
def evaluate(*, actor: Any, practice: Practice, council_unit: Any, criteria_set: Any, evaluated_on: Any,
             scores: Any, level: Any = "", notes: Any = "") -> Evaluation:
    """Record a council's scores; with a ``level`` the practice is recognised (total ≥ the set's pass score)."""
    fresh = live_practice(practice)
    council = current_unit(council_unit, "council_unit")
    allowed(actor, "practices.evaluate", council, _("You may not record evaluations for this council's unit."))
    errors: dict[str, Any] = {}
    if not fresh.org_unit.path.startswith(council.path):
        errors["council_unit"] = _("The council must be of the practice's unit (%(u)s) or of a unit above it.") % {
            "u": fresh.org_unit.name}
    if fresh.status == PracticeStatus.STOPPED:
        errors["practice"] = _("A stopped practice is not evaluated.")
    if not isinstance(criteria_set, CriteriaSet) or not sets_for(fresh.org_unit).filter(pk=criteria_set.pk).exists():
        errors["criteria_set"] = _("Choose a set of criteria in use for this unit.")
        raise_if(errors)
    criteria = list(criteria_set.criteria.all())
    if not criteria:
        errors["criteria_set"] = _("This set has no criteria.")
    day = date_value(errors, "evaluated_on", evaluated_on, required=True)
    if day is not None and day > timezone.localdate():
        errors["evaluated_on"] = _("The date cannot be in the future.")
    elif day is not None and day < fresh.starts_on:
        errors["evaluated_on"] = _("The date cannot be before the practice starts (%(d)s).") % {
            "d": fmt_date(fresh.starts_on)}
    if level not in LEVEL_RANK:
        errors["level"] = _("Choose a recognition level from the list, or none.")
    text = text_value(errors, "notes", notes, NOTES_MAX, multiline=True)
    values = _scores(criteria, scores, errors)
    raise_if(errors)
    assert day is not None  # noqa: S101 (narrowing for the type checker)  # nosec B101
    total = sum(values.values(), Decimal(0))
    max_total = sum((c.max_score for c in criteria), Decimal(0))
    if level and total < criteria_set.pass_score:
        raise ValidationError({"level": _(
            "The total score (%(t)s) is below the %(p)s needed to be recognised: leave the level empty.") % {
            "t": _fmt(total), "p": _fmt(criteria_set.pass_score)}})
    if Evaluation.objects.filter(practice=fresh, council_unit=council, evaluated_on=day,
                                 deleted_at__isnull=True).exists():
        raise ValidationError({"evaluated_on": _(
            "This council already recorded an evaluation of the practice on this day.")})
    row = Evaluation.objects.create(practice=fresh, council_unit=council, criteria_set=criteria_set, evaluated_on=day,
                                    total=total, max_total=max_total, level=level, notes=text,
                                    created_by=user_or_none(actor))
    Score.objects.bulk_create([Score(evaluation=row, criterion_id=pk, score=v) for pk, v in values.items()])
    if level and LEVEL_RANK[level] >= LEVEL_RANK[fresh.recognition_level or ""]:
        Practice.objects.filter(pk=fresh.pk).update(recognition_level=level, recognised_on=day,
                                                    updated_at=timezone.now())
        practice.recognition_level, practice.recognised_on = level, day
    audit.record("practices.evaluation.create", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"evaluation": row.pk, "council_unit": council.pk, "criteria_set": criteria_set.pk,
                          "total": total, "max_total": max_total, "level": level, "evaluated_on": day,
                          "scores": {str(k): v for k, v in values.items()}})
    return row


# --------------------------------------------------------------------------- replication


def adoptable(practice: Practice, user: Any) -> bool:
    """A practice another unit may adopt: one the user sees, or one recognised (public on the portal)."""
    return bool(practice.recognition_level) or bool(user is None or user.has_perm("practices.view", practice))


@transaction.atomic
def replicate(*, actor: Any, practice: Practice, org_unit: Any, adopted_on: Any, notes: Any = "") -> Replication:
    """Record that ``org_unit`` adopted the practice; the practice then shows where it spread."""
    fresh = live_practice(practice)
    unit = current_unit(org_unit)
    allowed(actor, "practices.replicate", unit, _("You may not record replications for this unit."))
    if actor is not None and not adoptable(fresh, actor):
        raise PermissionDenied(_("You may not adopt this practice."))
    errors: dict[str, Any] = {}
    if unit.pk == fresh.org_unit_id:
        errors["org_unit"] = _("The practice's own unit cannot replicate it: choose another unit.")
    day = date_value(errors, "adopted_on", adopted_on, required=True)
    if day is not None and day > timezone.localdate():
        errors["adopted_on"] = _("The date cannot be in the future.")
    elif day is not None and day < fresh.starts_on:
        errors["adopted_on"] = _("The date cannot be before the practice starts (%(d)s).") % {
            "d": fmt_date(fresh.starts_on)}
    text = text_value(errors, "notes", notes, 5000, multiline=True)
    raise_if(errors)
    assert day is not None  # noqa: S101 (narrowing for the type checker)  # nosec B101
    twice = _("This unit already recorded that it adopted this practice.")
    if Replication.objects.filter(practice=fresh, org_unit=unit, deleted_at__isnull=True).exists():
        raise ValidationError({"org_unit": twice})
    try:
        with transaction.atomic():
            row = Replication.objects.create(practice=fresh, org_unit=unit, adopted_on=day, notes=text,
                                             created_by=user_or_none(actor))
    except IntegrityError as exc:
        raise ValidationError({"org_unit": twice}) from exc
    audit.record("practices.replication.create", actor=actor, obj=fresh, org_unit=unit,
                 summary={"replication": row.pk, "practice_unit": fresh.org_unit_id, "adopted_on": day})
    return row


# --------------------------------------------------------------------------- criteria sets


def may_create_set(user: Any, owner: OrgUnit | None) -> bool:
    """The national default is the superusers'; a province's own set its administrators'."""
    scope = scope_of(user)
    if owner is None:
        return scope.is_superuser
    return owner.kind.code == "province" and scope.covers(owner.path, {Role.ADMIN})


def parse_criteria(text: Any) -> list[tuple[str, Decimal]]:
    """``criterion | maximum score`` one a line → [(name, max)]; ``ValidationError`` on ``criteria`` names the line."""
    if not isinstance(text, str):
        raise ValidationError({"criteria": _("Enter the criteria, one a line.")})
    rows: list[tuple[str, Decimal]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, bar, score = line.rpartition("|")
        value = _decimal(score) if bar else None
        if not bar or value is None:
            raise ValidationError({"criteria": _(
                "Line %(n)d: write the criterion, a bar and its maximum score, e.g. “Supported by the people | 15”.")
                % {"n": number}})
        rows.append((name, value))
    return rows


@transaction.atomic
def create_criteria_set(*, actor: Any, owner: Any, name: Any, pass_score: Any, criteria: Any) -> CriteriaSet:
    """A set of criteria with their maximum scores; ``criteria`` is [(name, max score)] in order."""
    if owner is not None:
        owner = current_unit(owner, "owner")
    if actor is not None and not may_create_set(actor, owner):
        raise PermissionDenied(_("Only the administrators of a province set its own criteria."))
    errors: dict[str, Any] = {}
    title = text_value(errors, "name", name, SET_NAME_MAX, required=True)
    rows: list[tuple[str, Decimal]] = []
    if not isinstance(criteria, list | tuple) or not criteria:
        errors["criteria"] = _("Enter at least one criterion.")
    elif len(criteria) > CRITERIA_MAX:
        errors["criteria"] = _("At most %(n)d criteria.") % {"n": CRITERIA_MAX}
    else:
        for number, item in enumerate(criteria, start=1):
            text, score = (item if isinstance(item, list | tuple) and len(item) == 2 else ("", None))
            text, error = text_value({}, "", text, CRITERION_MAX, required=True), None
            if not text:
                error = _("Line %(n)d: enter the criterion (at most %(m)d characters).") % {
                    "n": number, "m": CRITERION_MAX}
            value = _decimal(score)
            if value is None or not Decimal(0) < value <= SCORE_LIMIT:
                error = _("Line %(n)d: the maximum score must be more than 0 and at most %(m)s.") % {
                    "n": number, "m": SCORE_LIMIT}
            if error:
                errors["criteria"] = error
                break
            rows.append((text, value))  # type: ignore[arg-type]
        if "criteria" not in errors and len({search_key(t) for t, _v in rows}) < len(rows):
            errors["criteria"] = _("A criterion is listed twice.")
    passing = _decimal(pass_score)
    total = sum((v for _t, v in rows), Decimal(0))
    if passing is None or passing <= 0:
        errors["pass_score"] = _("Enter the score needed to be recognised (more than 0).")
    elif rows and passing > total:
        errors["pass_score"] = _("The score needed cannot exceed the total of the maximum scores (%(t)s).") % {
            "t": _fmt(total)}
    raise_if(errors)
    assert passing is not None  # noqa: S101 (narrowing for the type checker)  # nosec B101
    same = CriteriaSet.objects.filter(owner=owner) if owner is not None else CriteriaSet.objects.filter(
        owner__isnull=True)
    if any(search_key(n) == search_key(title) for n in same.values_list("name", flat=True)[:500]):
        raise ValidationError({"name": _("A set of criteria with this name already exists for this unit.")})
    row = CriteriaSet.objects.create(name=title, owner=owner, pass_score=passing)
    Criterion.objects.bulk_create([Criterion(criteria_set=row, name=t, max_score=v, order=i)
                                   for i, (t, v) in enumerate(rows, start=1)])
    audit.record("practices.criteria_set.create", actor=actor, obj=row, org_unit=owner,
                 summary={"name": title, "pass_score": passing, "criteria": [[t, v] for t, v in rows]})
    return row


def sets_visible_to(user: Any, limit: int = 200) -> list[CriteriaSet]:
    """The national sets and those of the provinces the user works in or above (criteria prefetched)."""
    scope = scope_of(user)
    qs = CriteriaSet.objects.select_related("owner").prefetch_related("criteria").order_by("owner_id", "name")
    if not scope.is_superuser:
        paths = [g.path for g in scope.grants]
        qs = qs.filter(Q(owner__isnull=True) | Q(owner__in=_owners(paths)))
    return list(qs[:limit])


def _owners(paths: list[str]) -> QuerySet[OrgUnit]:
    """Units that are in, or above, any of ``paths``."""
    above = sorted({pk for p in paths for pk in ancestor_ids(p)})
    return OrgUnit.objects.filter(subtree_q(paths) | Q(pk__in=above))

