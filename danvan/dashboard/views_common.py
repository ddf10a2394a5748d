"""What every dashboard page shares: which unit and period it shows, and the figures of a set of units.

A page shows one unit (``?unit=``, else the unit the user works for, else the top of the user's part
of the tree) and its child units; a superuser with no unit of their own sees the country: the roots of
the tree, their figures added up. A unit the user may not see is a 404, as if it did not exist.

Figures are read from the pre-aggregated rows (``Figure``): one query for all the units of a page.
A figure without a row is "not available", never 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_ids
from danvan.orgs.scope import scope_of

from .models import Figure, Refresh

PERIOD_RE = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")
MAX_CHILDREN = 1000  # a province has a few hundred units below it; more is cut with a notice
FIGURE_KINDS = ("rate", "count", "index")


def registered() -> list[Any]:
    """The figures the modules provide (``FigureDef``), in the order they registered."""
    from .registry import figures

    return list(figures())


def definition(key: str) -> Any | None:
    from .registry import get

    return get(key)


def last_refresh() -> Refresh | None:
    from .refresh import last_refresh as last

    return last()


# --------------------------------------------------------------------------- periods


def is_period(value: Any) -> bool:
    return isinstance(value, str) and bool(PERIOD_RE.match(value)) and 2000 <= int(value[:4]) <= 2100


def default_period() -> str:
    return str(timezone.localdate().year)


def period_label(period: str) -> str:
    m = PERIOD_RE.match(period)
    if not m:
        return period
    year, quarter = m.groups()
    return _("Quarter %(q)s/%(y)s") % {"q": quarter, "y": year} if quarter else _("Year %(y)s") % {"y": year}


def period_choices(refresh: Refresh | None) -> list[tuple[str, str]]:
    """The periods the last refresh computed, newest first, and always the current year."""
    periods = {default_period()}
    if refresh is not None and isinstance(refresh.periods, list):
        periods.update(p for p in refresh.periods if is_period(p))
    ordered = sorted(periods, key=lambda p: (p[:4], len(p) == 4, p), reverse=True)
    return [(p, period_label(p)) for p in ordered]


def periods_between(periods: list[str], by: str) -> list[str]:
    """Every year (or quarter) from the first to the last of ``periods``: a period without a figure is a gap."""
    if not periods:
        return []
    if by == "year":
        years = sorted(int(p) for p in periods)
        return [str(y) for y in range(years[0], years[-1] + 1)][-30:]
    keys = sorted((int(p[:4]), int(p[-1])) for p in periods)
    (y0, q0), (y1, q1) = keys[0], keys[-1]
    out: list[str] = []
    y, q = y0, q0
    while (y, q) <= (y1, q1) and len(out) < 120:
        out.append(f"{y}-Q{q}")
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


# --------------------------------------------------------------------------- units


def may_view(user: Any, unit: OrgUnit | None) -> bool:
    """The country (``None``) is for superusers; a unit for anyone whose roles cover it."""
    scope = scope_of(user)
    if unit is None:
        return scope.is_superuser
    return scope.covers(unit.path)


def _digits(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


def unit_from(user: Any, raw: str) -> OrgUnit:
    """The unit of a ``?unit=`` value; 404 if it does not exist or the user cannot see it."""
    pk = _digits(raw)
    unit = OrgUnit.objects.select_related("kind").filter(pk=pk).first() if pk is not None else None
    if unit is None or not may_view(user, unit):
        raise Http404
    return unit


def top_unit(user: Any) -> OrgUnit | None:
    """The highest unit the user holds a role on (None: none, or a superuser who sees the country)."""
    scope = scope_of(user)
    paths = scope.paths()
    if not paths:
        return None
    ids = [ancestor_ids(p)[-1] for p in paths]
    return OrgUnit.objects.select_related("kind").filter(pk__in=ids).order_by("path").first()


@dataclass
class Place:
    """Where a page is: the unit (None = the country), whether the user may see anything at all."""

    unit: OrgUnit | None
    allowed: bool
    crumbs: list[OrgUnit] = field(default_factory=list)
    national: bool = False

    @property
    def name(self) -> str:
        return self.unit.name if self.unit is not None else _("Whole country")

    @property
    def unit_param(self) -> str:
        return str(self.unit.pk) if self.unit is not None else ""


def place_of(request: HttpRequest, *, param: str = "unit") -> Place:
    raw = request.GET.get(param, "")
    user = request.user
    scope = scope_of(user)
    if raw:
        unit: OrgUnit | None = unit_from(user, raw)
    else:
        current = getattr(request, "current_unit", None)  # a lazy object: test it by truth, not "is None"
        if current and not scope.is_superuser and may_view(user, current):
            unit = current
        else:
            unit = top_unit(user)
        if unit is None and not scope.is_superuser:
            return Place(unit=None, allowed=False)
    return Place(unit=unit, allowed=True, crumbs=crumbs(user, unit), national=scope.is_superuser)


def crumbs(user: Any, unit: OrgUnit | None) -> list[OrgUnit]:
    """The unit's ancestors the user may see, root first: the way back up after a drill-down."""
    if unit is None or not unit.path:
        return []
    ids = ancestor_ids(unit.path)[:-1]
    if not ids:
        return []
    scope = scope_of(user)
    return [u for u in OrgUnit.objects.filter(pk__in=ids).order_by("path") if scope.covers(u.path)]


def children_of(unit: OrgUnit | None) -> list[OrgUnit]:
    """The current units directly below (the roots for the country), each with ``has_children``: one query.

    ``has_children`` is an EXISTS per row, which stops at the first child found: a province with
    thousands of units below it costs no more than a commune.
    """
    below = OrgUnit.objects.filter(parent=OuterRef("pk"), valid_to__isnull=True)
    qs = OrgUnit.objects.current().select_related("kind").annotate(has_children=Exists(below))
    qs = qs.filter(parent__isnull=True) if unit is None else qs.filter(parent=unit)
    return list(qs.order_by("kind__rank", "name", "pk")[:MAX_CHILDREN])


def with_children(units: list[OrgUnit]) -> set[int]:
    """Which of the units (read by ``children_of``) have units below them: they can be drilled into."""
    return {u.pk for u in units if getattr(u, "has_children", False)}


# --------------------------------------------------------------------------- figures


def value_of(kind: str, numerator: float | None, denominator: float | None) -> float | None:
    """A count is its numerator; a rate or an index is numerator ÷ denominator × 100 (None without cases)."""
    from .registry import value_of as registry_value

    return registry_value(kind, numerator, denominator)


def fmt_value(value: float | None, kind: str) -> str:
    """Vietnamese number style: 1.234 and 85,3%; "not available" for a figure nobody provides."""
    if value is None:
        return _("not available")
    if kind == "count":
        return f"{round(value):,}".replace(",", ".")
    text = f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{text}%" if kind == "rate" else text


@dataclass
class Cell:
    key: str
    kind: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    url: str | None = None

    @property
    def text(self) -> str:
        return fmt_value(self.value, self.kind)

    @property
    def available(self) -> bool:
        return self.value is not None


@dataclass
class Row:
    unit: OrgUnit | None
    cells: list[Cell]
    drill: bool = False
    total: bool = False

    @property
    def name(self) -> str:
        return self.unit.name if self.unit is not None else _("Whole country")


def figures_of(unit_ids: list[int], period: str, keys: list[str]) -> dict[tuple[int, str], Figure]:
    """The figure rows of the units for the period: one query."""
    if not unit_ids or not keys:
        return {}
    rows = Figure.objects.filter(period=period, key__in=keys, org_unit_id__in=unit_ids).only(
        "org_unit_id", "key", "numerator", "denominator", "value")
    return {(f.org_unit_id, f.key): f for f in rows}


def source_url(d: Any, unit: OrgUnit | None, period: str) -> str | None:
    """The page of the records a figure counts (FigureDef.url never raises; "" when there is none)."""
    if unit is None or getattr(d, "source_url", None) is None:
        return None
    return d.url(unit, period) or None


def cell(d: Any, unit: OrgUnit | None, figure: Figure | None, period: str, *, links: bool = True) -> Cell:
    if figure is None:
        return Cell(key=d.key, kind=d.kind, value=None)
    value = figure.value if figure.value is not None else value_of(d.kind, figure.numerator, figure.denominator)
    return Cell(key=d.key, kind=d.kind, value=value, numerator=figure.numerator, denominator=figure.denominator,
                url=source_url(d, unit, period) if links and value is not None else None)


def summed(d: Any, figures: list[Figure]) -> Cell:
    """The country's figure: numerators and denominators of the roots added up (a rate of cases, not of rates)."""
    if not figures:
        return Cell(key=d.key, kind=d.kind, value=None)
    num = sum(f.numerator or 0 for f in figures if f.numerator is not None)
    dens = [f.denominator for f in figures if f.denominator is not None]
    den = sum(dens) if dens else None
    if all(f.numerator is None for f in figures):
        return Cell(key=d.key, kind=d.kind, value=None)
    return Cell(key=d.key, kind=d.kind, value=value_of(d.kind, num, den), numerator=num, denominator=den)


@dataclass
class FigureTable:
    period: str
    defs: list[Any]
    total: Row
    rows: list[Row]
    truncated: bool


def figure_table(unit: OrgUnit | None, period: str, *, defs: list[Any] | None = None) -> FigureTable:
    """The unit's own figures (the total) and each child unit's: every registered figure, for one period."""
    defs = registered() if defs is None else defs
    keys = [d.key for d in defs]
    children = children_of(unit)
    drillable = with_children(children)
    ids = [c.pk for c in children] + ([unit.pk] if unit is not None else [])
    found = figures_of(ids, period, keys)
    if unit is None:
        total = Row(unit=None, total=True, cells=[
            summed(d, [f for c in children if (f := found.get((c.pk, d.key))) is not None]) for d in defs])
    else:
        total = Row(unit=unit, total=True, cells=[cell(d, unit, found.get((unit.pk, d.key)), period) for d in defs])
    rows = [Row(unit=c, drill=c.pk in drillable,
                cells=[cell(d, c, found.get((c.pk, d.key)), period) for d in defs]) for c in children]
    return FigureTable(period=period, defs=defs, total=total, rows=rows, truncated=len(children) >= MAX_CHILDREN)


def trend_points(unit: OrgUnit | None, key: str, kind: str, by: str) -> list[tuple[str, str, float | None]]:
    """(period, label, value) for every period from the first figure to the last, gaps as None."""
    if unit is None:
        roots = list(OrgUnit.objects.current().filter(parent__isnull=True).values_list("pk", flat=True))
        rows = list(Figure.objects.filter(key=key, org_unit_id__in=roots).only(
            "period", "numerator", "denominator", "value"))
    else:
        rows = list(Figure.objects.filter(key=key, org_unit=unit).only("period", "numerator", "denominator", "value"))
    rows = [f for f in rows if is_period(f.period) and (len(f.period) == 4) == (by == "year")]
    by_period: dict[str, list[Figure]] = {}
    for f in rows:
        by_period.setdefault(f.period, []).append(f)
    d = definition(key)
    values: dict[str, float | None] = {}
    for p, figs in by_period.items():
        if unit is None:
            values[p] = summed(d, figs).value
        else:
            values[p] = cell(d, unit, figs[0], p, links=False).value
    out = []
    for p in periods_between(list(by_period), by):
        label = p if by == "year" else f"Q{p[-1]}/{p[:4]}"
        out.append((p, label, values.get(p)))
    return out


def refresh_info(refresh: Refresh | None) -> dict[str, Any]:
    """The time of the figures, and whether they are older than the promised few minutes."""
    from .refresh import is_stale

    return {"refreshed_at": refresh.finished_at if refresh is not None else None, "stale": is_stale(refresh)}
