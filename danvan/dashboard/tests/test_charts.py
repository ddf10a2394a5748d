"""Trend charts: gaps (never a dip to 0), escaped labels, the values in words, count axes, and the PNG."""

from __future__ import annotations

import struct

from django.utils import translation

from danvan.dashboard import charts


def test_svg_has_a_gap_for_a_missing_period_and_states_every_value() -> None:
    with translation.override("en"):
        svg = str(charts.line_svg([("Q1", 50.0), ("Q2", None), ("Q3", 75.0), ("Q4", 80.0)], kind="rate",
                                  title="Đúng hạn"))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    assert svg.count("<polyline") == 1  # Q1 alone, then Q3–Q4: one line, no segment through Q2
    assert svg.count("<circle") == 3
    assert "Q2: not available" in svg and "Q1: 50,0%" in svg


def test_svg_escapes_labels_and_scales_counts() -> None:
    svg = str(charts.line_svg([("<b>x</b>", 3.0), ("y", 7.0)], kind="count", title="<script>"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg
    assert charts.axis_max([("a", 7.0)], "count") == 10.0
    assert charts.axis_max([("a", 120.0)], "count") == 200.0
    assert charts.axis_max([("a", None)], "count") == 1.0
    assert charts.axis_max([("a", 300.0)], "rate") == 100.0


def test_svg_without_any_figure_says_so() -> None:
    with translation.override("en"):
        svg = str(charts.line_svg([("2025", None)], kind="rate", title="t"))
    assert "No figures for these periods." in svg and "<polyline" not in svg


def test_png_is_a_real_image() -> None:
    png = charts.line_png([("Q1", 50.0), ("Q2", None), ("Q3", 70.0)], kind="rate", title="Tỉ lệ đúng hạn", dpi=100)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (800, 360)
    empty = charts.line_png([], kind="count", title="Trống")
    assert empty[:8] == b"\x89PNG\r\n\x1a\n"
