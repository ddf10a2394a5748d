"""Where each target of a plan stands, for a unit and for each unit directly below it.

A target's current value comes from the dashboard's figures when its ``indicator_code`` is the key
of a registered figure (``petitions.on_time_rate``…): the unit's Figure row of the plan's year (the
current year while a multi-year plan runs). Otherwise it is the value the plans module holds
(entered by an officer, or computed as a share of units). Below the issuing unit, a unit's value is
its own derived target's (``Target.parent_target`` links a unit's target to the level above, through
any number of levels) or its figure; the target value that applies is the derived target's if it
set one, else the nearest one above it.

States (``state_of``):

* not available — no current value (never shown as 0);
* met — the current value reaches the target (or is at most the target for a figure where lower is better);
* an officer's explicit judgement on an entered value (at risk, missed, met) is kept as given;
* missed — the plan's period is over and the target was not reached;
* a rate (``%``, or a rate / index figure): on track within ``RATE_MARGIN`` points of the target,
  at risk below that;
* a count: on track when it is at least the target times the share of the plan's period elapsed
  (a linear pace), at risk below it.

Queries: the targets, the child units, the derived targets (one per level below, bounded to the
unit's subtree) and the figures (one): a handful, whatever the size of the tree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import next_prefix

from . import registry
from .refresh import read

MET, ON_TRACK, AT_RISK, MISSED, NOT_AVAILABLE = "met", "on_track", "at_risk", "missed", "not_available"
STATE_LABELS = {
    MET: _("Met"), ON_TRACK: _("On track"), AT_RISK: _("At risk"), MISSED: _("Missed"),
    NOT_AVAILABLE: _("Not available"),
}
RATE_MARGIN = 5.0  # percentage points below a rate target that still count as on track
MAX_LEVELS = 6  # derived targets followed this many levels down (nation → province → commune → …)


@dataclass
class UnitTarget:
    """A target as it stands for one unit."""

    unit: OrgUnit
    target: Any  # the unit's own Target (the plan's, or a derived one), or None
    value: Decimal | None  # the target value that applies
    current: float | None
    state: str
    source: str  # "figure", "plan" (the value the plans module holds) or "" (nothing)
    computed_at: dt.datetime | None = None

    @property
    def state_label(self) -> Any:
        return STATE_LABELS[self.state]


@dataclass
class TargetRow:
    """One target of the plan: where the unit stands, and each unit directly below it."""

    target: Any
    figure_key: str  # "" when the target is not measured by a dashboard figure
    own: UnitTarget
    children: list[UnitTarget] = field(default_factory=list)

    @property
    def text(self) -> str:
        return str(self.target.text)

    @property
    def value(self) -> Decimal | None:
        return self.own.value

    @property
    def current(self) -> float | None:
        return self.own.current

    @property
    def state(self) -> str:
        return self.own.state

    @property
    def state_label(self) -> Any:
        return self.own.state_label


def plan_period(plan: Any) -> tuple[dt.date, dt.date]:
    return dt.date(plan.year, 1, 1), dt.date(plan.end_year or plan.year, 12, 31)


def figure_period(plan: Any, today: dt.date) -> str:
    """The year whose figures measure the plan: this year while it runs, else its nearest year."""
    last = plan.end_year or plan.year
    return str(min(max(today.year, plan.year), last))


def state_of(value: Decimal | float | None, current: float | None, *, stored: str = "", rate: bool = False,
             higher_is_better: bool = True, starts_on: dt.date, ends_on: dt.date, today: dt.date) -> str:
    """The state of a target (see the module's docstring for the rules)."""
    if current is None:
        return NOT_AVAILABLE
    if stored in (MET, AT_RISK, MISSED):
        return stored
    if value is None:
        return ON_TRACK
    target = float(value)
    if (current >= target) if higher_is_better else (current <= target):
        return MET
    if today > ends_on:
        return MISSED
    if rate:
        gap = (target - current) if higher_is_better else (current - target)
        return ON_TRACK if gap <= RATE_MARGIN else AT_RISK
    if not higher_is_better:
        return AT_RISK
    total = (ends_on - starts_on).days + 1
    elapsed = min(max((today - starts_on).days + 1, 0), total)
    return ON_TRACK if current >= target * elapsed / total else AT_RISK


def _derived(targets: list[Any], unit: OrgUnit) -> tuple[dict[tuple[int, int], Any], dict[int, Decimal | None]]:
    """``{(plan target id, issuing unit id): derived target}`` in ``unit``'s subtree, the nearest level first,
    and the target value that applies to each (its own, else the nearest one above it)."""
    from danvan.plans.models import Target

    root_of = {t.pk: t.pk for t in targets}
    applies: dict[int, Decimal | None] = {t.pk: t.value for t in targets}
    out: dict[tuple[int, int], Any] = {}
    level = list(root_of)
    in_subtree = {"plan__issuer__path__gte": unit.path, "plan__issuer__path__lt": next_prefix(unit.path)}
    for _depth in range(MAX_LEVELS):
        if not level:
            break
        rows = list(Target.objects.filter(parent_target_id__in=level, plan__deleted_at__isnull=True, **in_subtree)
                    .select_related("plan").order_by("pk"))
        level = []
        for t in rows:
            assert t.parent_target_id is not None  # noqa: S101 - filtered on it  # nosec B101
            root = root_of[t.parent_target_id]
            root_of[t.pk] = root
            applies[t.pk] = t.value if t.value is not None else applies.get(t.parent_target_id)
            out.setdefault((root, t.plan.issuer_id), t)
            level.append(t.pk)
    return out, applies


def plan_targets(plan: Any, unit: OrgUnit | None = None, *, today: dt.date | None = None) -> list[TargetRow]:
    """Every target of ``plan`` for ``unit`` (default: the issuer) and for each current unit directly below it."""
    today = today or timezone.localdate()
    unit = unit or plan.issuer
    targets = list(plan.targets.order_by("order", "pk"))
    if not targets:
        return []
    children = list(OrgUnit.objects.filter(parent=unit).current().order_by("name", "pk"))
    starts_on, ends_on = plan_period(plan)
    defs = {t.pk: registry.get(t.indicator_code) for t in targets if t.indicator_code}
    keys = {d.key for d in defs.values() if d is not None}
    figs = read([unit.pk, *(c.pk for c in children)], figure_period(plan, today), keys) if keys else {}
    derived, applies = _derived(targets, unit)

    def measure(t: Any, who: OrgUnit) -> UnitTarget:
        own = t if who.pk == plan.issuer_id else derived.get((t.pk, who.pk))
        value = applies.get(own.pk, t.value) if own is not None else t.value
        fdef = defs.get(t.pk)
        if fdef is not None:
            fig = figs.get((who.pk, fdef.key))
            current = None if fig is None else fig.value
            state = state_of(value, current, rate=fdef.kind != "count", higher_is_better=fdef.higher_is_better,
                             starts_on=starts_on, ends_on=ends_on, today=today)
            return UnitTarget(who, own, value, current, state, "figure" if fig is not None else "",
                              fig.computed_at if fig is not None else None)
        if own is None or own.current_value is None:
            return UnitTarget(who, own, value, None, NOT_AVAILABLE, "")
        current = float(own.current_value)
        stored = own.status if own.status in (MET, AT_RISK, MISSED) and own.measurement == "entered" else ""
        state = state_of(value, current, stored=stored, rate=(t.unit or "").strip() == "%",
                         starts_on=starts_on, ends_on=ends_on, today=today)
        return UnitTarget(who, own, value, current, state, "plan", own.measured_at)

    return [
        TargetRow(target=t, figure_key=defs[t.pk].key if defs.get(t.pk) else "",  # type: ignore[union-attr]
                  own=measure(t, unit), children=[measure(t, c) for c in children])
        for t in targets
    ]
