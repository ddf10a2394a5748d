"""League tables: units ranked on weighted figures, with the formula in words and symbols.

Score of a unit = Σ wᵢ·Nᵢ ÷ Σ wᵢ over the criteria the unit has a figure for, where Nᵢ is the figure
brought to 0–100: a rate or an index as it is; a count as a share of the best unit of the table
(count ÷ highest count × 100). A figure where lower is better is turned round (100 − N). A unit
without any of the figures is "not available" and listed last, never ranked as 0; a unit missing
some figures is scored on the others, and the missing ones are named beside its score.

The writes (create, edit, delete a table) are here too, one transaction and one audit event each:
only an administrator of the table's unit may change it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.text import search_key
from danvan.core.writes import check_version, clean_field_text, conditional_update, raise_if
from danvan.orgs.models import OrgUnit

from . import views_common as common
from .models import LeagueTable

NAME_MAX = 255
REASON_MAX = 1000
WEIGHT_MAX = Decimal(1000)
CRITERIA_MAX = 30
# The criteria the issue names, offered first when a table is made.
SUGGESTED = ("petitions.on_time_rate", "reports.timeliness_rate", "surveys.satisfaction_index", "dialogues.held",
             "dialogues.commitments_kept_rate", "practices.recognised")


# --------------------------------------------------------------------------- scores


@dataclass
class Criterion:
    key: str
    weight: float
    label: str
    kind: str
    higher_is_better: bool = True
    known: bool = True


@dataclass
class LeagueRow:
    unit: OrgUnit
    figures: dict[str, common.Cell]
    normalised: dict[str, float | None]
    score: float | None
    missing: list[str]
    rank: int | None = None
    cells: list[common.Cell] = field(default_factory=list)
    missing_labels: list[str] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return self.score is not None


@dataclass
class LeagueResult:
    table: LeagueTable
    unit: OrgUnit
    period: str
    criteria: list[Criterion]
    rows: list[LeagueRow]
    best_counts: dict[str, float] = field(default_factory=dict)
    truncated: bool = False

    @property
    def formula_symbols(self) -> str:
        return formula_symbols(self.criteria)

    @property
    def formula_words(self) -> str:
        return formula_words(self.criteria)


def criteria_of(table: LeagueTable) -> list[Criterion]:
    """The table's criteria with their figures' labels; a key no module registers (any more) is kept, unknown."""
    defs = {d.key: d for d in common.registered()}
    out: list[Criterion] = []
    for item in table.criteria if isinstance(table.criteria, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            continue
        try:
            weight = float(item.get("weight", 0))
        except (TypeError, ValueError):
            continue
        if not math.isfinite(weight) or weight <= 0:
            continue
        d = defs.get(item["key"])
        out.append(Criterion(key=item["key"], weight=weight, label=str(d.label) if d else item["key"],
                             kind=d.kind if d else "rate", higher_is_better=bool(getattr(d, "higher_is_better", True))
                             if d else True, known=d is not None))
    return out


def _w(weight: float) -> str:
    return (f"{weight:g}").replace(".", ",")


def formula_symbols(criteria: list[Criterion]) -> str:
    """S = (3·N₁ + 2·N₂) ÷ (3 + 2), with the figures named after it."""
    if not criteria:
        return ""
    subs = "₀₁₂₃₄₅₆₇₈₉"

    def n(i: int) -> str:
        return "N" + "".join(subs[int(c)] for c in str(i))

    top = " + ".join(f"{_w(c.weight)}·{n(i)}" for i, c in enumerate(criteria, 1))
    bottom = " + ".join(_w(c.weight) for c in criteria)
    names = "; ".join(f"{n(i)} = {c.label}" for i, c in enumerate(criteria, 1))
    return f"S = ({top}) ÷ ({bottom}); {names}"


def formula_words(criteria: list[Criterion]) -> str:
    if not criteria:
        return ""
    parts = ", ".join(_("%(label)s (weight %(weight)s)") % {"label": c.label, "weight": _w(c.weight)}
                      for c in criteria)
    return _("The score is the weighted mean of %(parts)s, over the figures the unit has. A rate or an index "
             "counts as it is (0 to 100); a count is scaled to the best unit of the table (its count divided by "
             "the highest count, times 100); where a lower figure is better, 100 minus that is used. A unit "
             "without any of these figures is not ranked.") % {"parts": parts}


def _normalise(c: Criterion, value: float | None, best: float) -> float | None:
    if value is None:
        return None
    if c.kind == "count":
        if c.higher_is_better:
            n = value / best * 100 if best > 0 else 0.0
        else:
            n = 100 - value / best * 100 if best > 0 else 100.0
    else:
        n = value if c.higher_is_better else 100 - value
    return max(0.0, min(100.0, n))


def score(table: LeagueTable, unit: OrgUnit | None = None, period: str | None = None) -> LeagueResult:
    """Rank the units directly below ``unit`` (default: the table's owner) for ``period`` (default: this year)."""
    unit = unit or table.owner
    period = period or common.default_period()
    criteria = criteria_of(table)
    units = common.children_of(unit)
    found = common.figures_of([u.pk for u in units], period, [c.key for c in criteria])
    defs = {d.key: d for d in common.registered()}
    cells: dict[int, dict[str, common.Cell]] = {}
    for u in units:
        cells[u.pk] = {}
        for c in criteria:
            d = defs.get(c.key)
            fig = found.get((u.pk, c.key))
            cells[u.pk][c.key] = (common.cell(d, u, fig, period) if d is not None
                                  else common.Cell(key=c.key, kind=c.kind, value=None))
    best = {c.key: max((v for u in units if (v := cells[u.pk][c.key].value) is not None), default=0.0)
            for c in criteria if c.kind == "count"}
    rows: list[LeagueRow] = []
    for u in units:
        normalised = {c.key: _normalise(c, cells[u.pk][c.key].value, best.get(c.key, 0.0)) for c in criteria}
        have = [(c.weight, n) for c in criteria if (n := normalised[c.key]) is not None]
        total_w = sum(w for w, _n in have)
        s = sum(w * n for w, n in have) / total_w if have and total_w > 0 else None
        rows.append(LeagueRow(unit=u, figures=cells[u.pk], normalised=normalised,
                              score=None if s is None else round(s, 2),
                              missing=[c.key for c in criteria if normalised[c.key] is None],
                              cells=[cells[u.pk][c.key] for c in criteria],
                              missing_labels=[c.label for c in criteria if normalised[c.key] is None]))
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.unit.name, r.unit.pk))
    previous: float | None = None
    rank = 0
    for i, r in enumerate(rows, 1):
        if r.score is None:
            break
        if r.score != previous:
            rank, previous = i, r.score
        r.rank = rank  # equal scores share a rank (1, 2, 2, 4)
    return LeagueResult(table=table, unit=unit, period=period, criteria=criteria, rows=rows, best_counts=best,
                        truncated=len(units) >= common.MAX_CHILDREN)


# --------------------------------------------------------------------------- writes


def clean_criteria(raw: Any) -> list[dict[str, Any]]:
    """``[{"key", "weight"}]`` with known keys, weights 0–1000, no key twice, at least one weight above 0."""
    known = {d.key for d in common.registered()}
    if not isinstance(raw, list | tuple) or not raw:
        raise ValidationError({"criteria": _("Give a weight above 0 to at least one figure.")})
    if len(raw) > CRITERIA_MAX:
        raise ValidationError({"criteria": _("At most %(n)d criteria.") % {"n": CRITERIA_MAX}})
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in raw:
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str) or key not in known:
            raise ValidationError({"criteria": _("“%(key)s” is not a figure of the dashboard.") % {
                "key": str(key)[:60]}})
        if key in seen:
            raise ValidationError({"criteria": _("The figure “%(key)s” is given twice.") % {"key": key}})
        seen.add(key)
        weight = item.get("weight")
        try:
            if isinstance(weight, bool) or weight is None:
                raise InvalidOperation
            w = Decimal(str(weight))
        except (InvalidOperation, ValueError):
            raise ValidationError({"criteria": _("The weight of “%(key)s” must be a number.") % {"key": key}}) from None
        if not w.is_finite() or w < 0 or w > WEIGHT_MAX:
            raise ValidationError({"criteria": _("The weight of “%(key)s” must be between 0 and %(max)s.") % {
                "key": key, "max": WEIGHT_MAX}})
        if w > 0:
            out.append({"key": key, "weight": float(w)})
    if not out:
        raise ValidationError({"criteria": _("Give a weight above 0 to at least one figure.")})
    return out


def _allowed(actor: Any, owner: OrgUnit) -> None:
    if actor is not None and not actor.has_perm("orgs.change_unit", owner):
        raise PermissionDenied(_("Only an administrator of the unit may change its league tables."))


def _name(value: Any) -> str:
    name, error = clean_field_text(value, NAME_MAX, required=True)
    if error:
        raise ValidationError({"name": error})
    return name


def _check_unique_name(owner: OrgUnit, name: str, exclude: int | None = None) -> None:
    key = search_key(name)
    others = LeagueTable.objects.filter(owner=owner, deleted_at__isnull=True)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if any(search_key(n) == key for n in others.values_list("name", flat=True)):
        raise ValidationError({"name": _("This unit already has a league table with this name.")})


def _clear_default(owner: OrgUnit, exclude: int | None = None) -> None:
    qs = LeagueTable.objects.filter(owner=owner, is_default=True, deleted_at__isnull=True)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    qs.update(is_default=False)


def conflict_message() -> str:
    return _("Someone else changed this league table after you opened it. Nothing was saved: "
             "reload the page and make your change again.")


@transaction.atomic
def create_table(*, actor: Any, owner: OrgUnit, name: Any, criteria: Any, is_default: bool = False) -> LeagueTable:
    _allowed(actor, owner)
    errors: dict[str, Any] = {}
    try:
        name = _name(name)
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        cleaned = clean_criteria(criteria)
    except ValidationError as e:
        errors.update(e.message_dict)
    raise_if(errors)
    # Lock the owner's row: two submits of the same form are serialised and the second is refused by name.
    OrgUnit.objects.select_for_update(no_key=True).filter(pk=owner.pk).first()
    _check_unique_name(owner, name)
    if is_default:
        _clear_default(owner)
    try:
        with transaction.atomic():
            table = LeagueTable.objects.create(owner=owner, name=name, criteria=cleaned, is_default=bool(is_default))
    except IntegrityError:
        raise ValidationError({"is_default": _("This unit already has a default league table.")}) from None
    audit.record("dashboard.league_table_created", actor=actor, obj=table, org_unit=owner,
                 summary={"name": name, "criteria": cleaned, "is_default": bool(is_default)})
    return table


@transaction.atomic
def update_table(*, actor: Any, table: LeagueTable, expected_version: Any, name: Any, criteria: Any,
                 is_default: bool = False) -> LeagueTable:
    _allowed(actor, table.owner)
    version = check_version(expected_version)
    if table.deleted_at is not None:
        raise ValidationError({"name": _("This league table was deleted.")})
    errors: dict[str, Any] = {}
    try:
        name = _name(name)
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        cleaned = clean_criteria(criteria)
    except ValidationError as e:
        errors.update(e.message_dict)
    raise_if(errors)
    LeagueTable.objects.select_for_update().filter(pk=table.pk).first()
    _check_unique_name(table.owner, name, exclude=table.pk)
    if is_default:
        _clear_default(table.owner, exclude=table.pk)
    before = {"name": table.name, "criteria": table.criteria, "is_default": table.is_default}
    conditional_update(LeagueTable, table, version, conflict_message(), name=name, criteria=cleaned,
                       is_default=bool(is_default))
    audit.record("dashboard.league_table_changed", actor=actor, obj=table, org_unit=table.owner,
                 summary={"before": before, "after": {"name": name, "criteria": cleaned,
                                                      "is_default": bool(is_default)}})
    return table


@transaction.atomic
def delete_table(*, actor: Any, table: LeagueTable, expected_version: Any, reason: Any) -> LeagueTable:
    _allowed(actor, table.owner)
    version = check_version(expected_version)
    text, error = clean_field_text(reason, REASON_MAX, required=True, multiline=True)
    if error:
        raise ValidationError({"reason": error})
    if table.deleted_at is not None:
        raise ConcurrentEditError(conflict_message())
    conditional_update(LeagueTable, table, version, conflict_message(), deleted_at=timezone.now(), is_default=False)
    audit.record("dashboard.league_table_deleted", actor=actor, obj=table, org_unit=table.owner,
                 summary={"name": table.name, "reason": text})
    return table
