"""The figure registry: periods, values, registration rules, links to the records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from danvan.dashboard import registry
from danvan.dashboard.registry import FigureDef

D = dt.date
EXPECTED_KEYS = [
    "petitions.on_time_rate", "reports.timeliness_rate", "surveys.satisfaction_index", "dialogues.held",
    "dialogues.commitments_kept_rate", "disclosures.made", "practices.registered", "practices.recognised",
    "oversight.disseminated",
]


def _none(period: Any) -> dict[int, tuple[float | None, float | None]]:
    return {}


def _other(period: Any) -> dict[int, tuple[float | None, float | None]]:
    return {}


def test_every_module_figure_is_registered_in_the_issue_order() -> None:
    assert registry.keys() == EXPECTED_KEYS
    kinds = {f.key: f.kind for f in registry.figures()}
    assert kinds["petitions.on_time_rate"] == "rate" and kinds["surveys.satisfaction_index"] == "index"
    assert kinds["dialogues.held"] == "count" and kinds["oversight.disseminated"] == "count"
    assert all(str(f.label) and str(f.description) for f in registry.figures())
    assert registry.get("nope") is None


def test_year_and_quarter_periods() -> None:
    today = D(2026, 8, 20)
    y = registry.parse_period("2026", today)
    assert (y.starts_on, y.ends_on, y.as_of, y.is_quarter, y.is_past) == (D(2026, 1, 1), D(2026, 12, 31), today,
                                                                          False, False)
    q3 = registry.parse_period("2026-Q3", today)
    assert (q3.starts_on, q3.ends_on, q3.as_of, q3.quarter, q3.year) == (D(2026, 7, 1), D(2026, 9, 30), today, 3, 2026)
    q4 = registry.parse_period("2025-Q4", today)
    assert (q4.starts_on, q4.ends_on, q4.as_of, q4.is_past) == (D(2025, 10, 1), D(2025, 12, 31), D(2025, 12, 31), True)
    assert registry.parse_period("2026-Q1", today).ends_on == D(2026, 3, 31)
    assert registry.parse_period("2024-Q1", today).ends_on == D(2024, 3, 31)


@pytest.mark.parametrize("bad", ["", "26", "2026-Q5", "2026-Q0", "2026Q1", "1999", "2101", "2026-q1", " 2026", None])
def test_bad_period_is_refused_naming_the_text(bad: Any) -> None:
    with pytest.raises(ValueError, match="period|outside"):
        registry.parse_period(bad)


def test_quarter_out_of_range() -> None:
    with pytest.raises(ValueError):
        registry.quarter_period(2026, 5)


def test_default_periods_this_year_its_quarters_so_far_and_last_year() -> None:
    keys = [p.key for p in registry.default_periods(D(2026, 8, 20))]
    assert keys == ["2026", "2026-Q1", "2026-Q2", "2026-Q3", "2025"]
    assert [p.key for p in registry.default_periods(D(2027, 1, 1))] == ["2027", "2027-Q1", "2026"]


def test_due_q_counts_only_deadlines_passed_in_the_period() -> None:
    p = registry.parse_period("2026-Q3", D(2026, 8, 20))
    q = p.due_q("due_on")
    children: Any = q.children
    assert dict(children) == {"due_on__gte": D(2026, 7, 1), "due_on__lte": D(2026, 9, 30), "due_on__lt": D(2026, 8, 20)}


def test_value_of_counts_rates_and_not_available() -> None:
    assert registry.value_of("count", 3, None) == 3.0
    assert registry.value_of("rate", 1, 3) == 33.33
    assert registry.value_of("index", 9, 10) == 90.0
    assert registry.value_of("rate", 0, 0) is None  # nothing due: not available, never 0 %
    assert registry.value_of("rate", 0, None) is None
    assert registry.value_of("count", None, None) is None
    assert registry.value_of("rate", 0, 4) == 0.0  # a true zero stays zero


def test_register_refuses_a_second_provider_and_bad_definitions() -> None:
    fig = FigureDef(key="test.figure", label="Test", kind="count", provider=_none)
    try:
        registry.register(fig)
        registry.register(fig)  # a re-import: harmless
        assert registry.get("test.figure") is fig
        with pytest.raises(ValueError, match="already provided"):
            registry.register(FigureDef(key="test.figure", label="Test", kind="count", provider=_other))
    finally:
        registry.unregister("test.figure")
    assert registry.get("test.figure") is None
    with pytest.raises(ValueError, match="kind"):
        registry.register(FigureDef(key="test.bad", label="Bad", kind="ratio", provider=_none))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="1–60"):
        registry.register(FigureDef(key="x" * 61, label="Long", kind="count", provider=_none))
    with pytest.raises(ValueError, match="1–60"):
        registry.register(FigureDef(key="", label="Empty", kind="count", provider=_none))
    assert registry.get("test.bad") is None


def test_counts_and_ratios_leave_out_units_without_data() -> None:
    assert registry.counts([(1, 2), (2, 0), (None, 5)]) == {1: (2.0, None)}
    assert registry.ratios([(1, 1, 2), (2, 0, 0), (3, 0, 4)]) == {1: (1.0, 2.0), 3: (0.0, 4.0)}


def test_source_urls_link_to_the_records(tree: Any) -> None:
    period = registry.parse_period("2026", D(2026, 8, 20))
    unit = tree["A1"]
    assert registry.get("petitions.on_time_rate").url(unit, period) == f"/petitions/?unit={unit.pk}&status=resolved"  # type: ignore[union-attr]
    assert registry.get("dialogues.held").url(unit, "2026") == f"/dialogues/?unit={unit.pk}&year=2026&status=held"  # type: ignore[union-attr]
    surveys = registry.get("surveys.satisfaction_index").url(unit, period)  # type: ignore[union-attr]
    assert surveys == f"/surveys/results/?unit={unit.pk}&date_from=2026-01-01&date_to=2026-08-20"
    assert registry.get("disclosures.made").url(unit, period).startswith("/grassroots/disclosures/?unit=")  # type: ignore[union-attr]
    # A page not installed (yet) gives no link rather than an error.
    assert registry.page_url("nowhere:list", unit=1) == ""
    broken = FigureDef(key="t", label="t", kind="count", provider=_none, source_url=lambda u, p: 1 / 0)  # type: ignore[arg-type,return-value]
    assert broken.url(unit, period) == ""
    assert FigureDef(key="t", label="t", kind="count", provider=_none).url(unit, period) == ""
