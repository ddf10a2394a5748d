"""The dashboard's figures: what each module measures, and the periods it is measured over.

A module registers a ``FigureDef`` at start-up (from its ``AppConfig.ready``, or from
``danvan.dashboard.providers`` for modules that do not know the dashboard). Its provider answers for
one period, in one grouped query, ``{unit id: (numerator, denominator)}`` for the units that hold the
records; ``danvan.dashboard.refresh`` adds those up the tree. Numerators and denominators, not rates,
travel up: a province's on-time rate is the rate of its communes' cases, not a mean of their rates.

A unit the provider leaves out has no figure ("not available"), which is not the same as a 0: a
module without data for a unit must not enter it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

Kind = Literal["rate", "count", "index"]
KINDS: tuple[str, ...] = ("rate", "count", "index")
Numbers = tuple[float | None, float | None]
ProviderResult = dict[int, Numbers]

_PERIOD_RE = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")


@dataclass(frozen=True)
class PeriodRange:
    """A period of the figures: a year ("2026") or a quarter ("2026-Q3"), both days included.

    ``as_of`` is the last day that has happened: the end of a past period, else today. Providers
    count what was due by ``as_of`` (a report not due yet is not late), and what happened by then.
    """

    key: str
    starts_on: dt.date
    ends_on: dt.date
    as_of: dt.date
    today: dt.date

    @property
    def is_past(self) -> bool:
        return self.ends_on < self.today

    @property
    def year(self) -> int:
        return self.starts_on.year

    @property
    def is_quarter(self) -> bool:
        return "-Q" in self.key

    @property
    def quarter(self) -> int | None:
        return int(self.key[-1]) if self.is_quarter else None

    def due_q(self, field: str) -> Q:
        """Rows whose deadline ``field`` falls in the period and has passed (what is due today is not late yet)."""
        return Q(**{f"{field}__gte": self.starts_on, f"{field}__lte": self.ends_on, f"{field}__lt": self.today})

    def between_q(self, field: str) -> Q:
        """Rows whose day ``field`` falls in the period (up to today)."""
        return Q(**{f"{field}__gte": self.starts_on, f"{field}__lte": self.as_of})


def year_period(year: int, today: dt.date | None = None) -> PeriodRange:
    today = today or timezone.localdate()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return PeriodRange(str(year), start, end, min(end, today), today)


def quarter_period(year: int, quarter: int, today: dt.date | None = None) -> PeriodRange:
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter {quarter!r} is not 1–4")
    today = today or timezone.localdate()
    start = dt.date(year, 3 * quarter - 2, 1)
    end = (dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)) - dt.timedelta(days=1)
    return PeriodRange(f"{year}-Q{quarter}", start, end, min(end, today), today)


def parse_period(key: str, today: dt.date | None = None) -> PeriodRange:
    """``"2026"`` or ``"2026-Q3"``; ValueError for anything else (the error names the text)."""
    match = _PERIOD_RE.match(key or "")
    if not match:
        raise ValueError(f"{key!r} is not a period (2026 or 2026-Q3)")
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise ValueError(f"{key!r} is outside 2000–2100")
    if match.group(2):
        return quarter_period(year, int(match.group(2)), today)
    return year_period(year, today)


def default_periods(today: dt.date | None = None) -> list[PeriodRange]:
    """What a refresh recomputes: this year, its quarters so far, and last year (its figures still move
    while late records of December come in)."""
    today = today or timezone.localdate()
    current_quarter = (today.month - 1) // 3 + 1
    return [
        year_period(today.year, today),
        *(quarter_period(today.year, q, today) for q in range(1, current_quarter + 1)),
        year_period(today.year - 1, today),
    ]


def value_of(kind: str, numerator: float | None, denominator: float | None) -> float | None:
    """A count is its numerator; a rate or an index is numerator / denominator · 100, None without a denominator."""
    if numerator is None:
        return None
    if kind == "count":
        return float(numerator)
    if not denominator:
        return None
    return round(100.0 * numerator / denominator, 2)


@dataclass(frozen=True)
class FigureDef:
    """One figure of the dashboard.

    ``kind``: "rate" and "index" are 0–100 (numerator / denominator · 100), "count" is a plain
    number. ``source_url(unit, period)`` links a figure to the records it counts (empty when the
    module has no such page). ``description`` says in words how it is computed (the league table's
    formula shows it).
    """

    key: str
    label: Any
    kind: Kind
    provider: Callable[[PeriodRange], ProviderResult]
    source_url: Callable[[Any, PeriodRange], str] | None = None
    higher_is_better: bool = True
    description: Any = ""
    order: int = 100  # where it comes on the pages: modules in the order of the issue

    def value(self, numerator: float | None, denominator: float | None) -> float | None:
        return value_of(self.kind, numerator, denominator)

    def url(self, unit: Any, period: PeriodRange | str) -> str:
        if self.source_url is None:
            return ""
        if isinstance(period, str):
            period = parse_period(period)
        try:
            return self.source_url(unit, period) or ""
        except Exception:  # noqa: BLE001 - a broken link must not break the page that shows the figure
            return ""


def page_url(name: str, **query: Any) -> str:
    """A module's page with a query string, or "" while that page does not exist (yet)."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    params = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


def counts(rows: Iterable[tuple[Any, Any]]) -> ProviderResult:
    """``(unit id, n)`` rows as a count figure's provider result (no denominator)."""
    return {int(unit): (float(n), None) for unit, n in rows if unit is not None and n}


def ratios(rows: Iterable[tuple[Any, Any, Any]]) -> ProviderResult:
    """``(unit id, numerator, denominator)`` rows as a rate's provider result; units with nothing due left out."""
    return {int(unit): (float(num or 0), float(den)) for unit, num, den in rows if unit is not None and den}


_REGISTRY: dict[str, FigureDef] = {}


def register(figure: FigureDef) -> FigureDef:
    """Add a figure; registering the same key from the same provider again (a re-import) is harmless.

    A second, different provider for a key already taken is a programming error.
    """
    if figure.kind not in KINDS:
        raise ValueError(f"figure {figure.key!r}: kind must be one of {KINDS}, not {figure.kind!r}")
    if not figure.key or len(figure.key) > 60:
        raise ValueError(f"figure key {figure.key!r} must be 1–60 characters (Figure.key)")
    current = _REGISTRY.get(figure.key)
    if current is not None and _origin(current.provider) != _origin(figure.provider):
        raise ValueError(f"figure {figure.key!r} is already provided by {_origin(current.provider)}")
    _REGISTRY[figure.key] = figure
    return figure


def unregister(key: str) -> None:
    """For tests that register a figure of their own."""
    _REGISTRY.pop(key, None)


def _origin(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def figures() -> list[FigureDef]:
    """Every registered figure, by ``order`` then registration."""
    return sorted(_REGISTRY.values(), key=lambda f: f.order)


def get(key: str) -> FigureDef | None:
    return _REGISTRY.get(key)


def keys() -> list[str]:
    return [f.key for f in figures()]
