"""Server-drawn SVG charts: named and described for screen readers, gaps for missing values, labels escaped."""

from __future__ import annotations

from django.utils import translation

from danvan.surveys import charts


def test_line_chart_describes_values_and_leaves_gaps() -> None:
    with translation.override("en"):
        svg = str(charts.line_chart([("01/2026", 50.0), ("02/2026", None), ("03/2026", 80.0), ("04/2026", 90.0)],
                                    title="Trend <b>", desc="Per month."))
    assert svg.startswith("<svg") and svg.endswith("</svg>") and 'role="img"' in svg
    assert "<title id=" in svg and "Trend &lt;b&gt;" in svg and "<b>" not in svg
    assert "02/2026: not available" in svg and "03/2026: 80,0%" in svg
    # 01/2026 stands alone (the gap after it), so only 03–04/2026 make a line; every available month has a dot.
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 3


def test_bar_chart_clamps_and_shows_not_available() -> None:
    with translation.override("en"):
        svg = str(charts.bar_chart([("Công chức", 120.0), ("<script>", None)], title="Elements"))
    assert "&lt;script&gt;" in svg and "<script>" not in svg
    assert 'width="360.0"' in svg  # 120 % is drawn as a full bar, never beyond it
    assert "not available" in svg


def test_empty_line_chart_says_so() -> None:
    with translation.override("en"):
        assert "No data for this period." in str(charts.line_chart([], title="T"))
