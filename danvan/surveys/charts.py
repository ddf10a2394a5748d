"""Small charts drawn on the server as inline SVG: no JavaScript, nothing loaded, printable.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``
(which states every value, so a screen reader gets the figures); pages also show the same figures
as a table. Values are percentages (0–100); ``None`` is "not available" and is drawn as a gap,
never as zero. Labels are escaped: they can be unit or service names typed by officials.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

Point = tuple[str, float | None]

_ids = itertools.count(1)

WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 36


def _fmt(value: float | None) -> str:
    return _("not available") if value is None else f"{value:.1f}%".replace(".", ",")


def _describe(points: Sequence[Point]) -> str:
    return "; ".join(f"{label}: {_fmt(value)}" for label, value in points)


def _open(kind: str, title: str, desc: str, height: int) -> tuple[str, str]:
    uid = f"chart-{kind}-{next(_ids)}"
    head = (
        f'<svg class="chart chart-{kind}" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg" font-size="12" '
        f'font-family="inherit" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
    )
    return uid, head


def line_chart(points: Sequence[Point], *, title: str, desc: str = "", height: int = 220) -> SafeString:
    """A trend of percentages over ordered labels (months); gaps where a value is not available."""
    _uid, svg = _open("line", title, f"{desc} {_describe(points)}".strip(), height)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    parts = [svg]
    for pct in (0, 25, 50, 75, 100):
        y = TOP + plot_h * (1 - pct / 100)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ccc" '
                     f'stroke-width="1"/><text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" '
                     f'fill="#333">{pct}%</text>')
    n = len(points)
    step = plot_w / max(n - 1, 1)
    every = max(1, (n + 11) // 12)  # at most about twelve labels on the axis
    coords: list[tuple[float, float] | None] = []
    for i, (label, value) in enumerate(points):
        x = LEFT + (step * i if n > 1 else plot_w / 2)
        if i % every == 0 or i == n - 1:
            parts.append(f'<text x="{x:.1f}" y="{height - BOTTOM + 16}" text-anchor="middle" '
                         f'fill="#333">{escape(label)}</text>')
        coords.append(None if value is None else (x, TOP + plot_h * (1 - max(0.0, min(value, 100.0)) / 100)))
    # One polyline per run of available values: a month without responses is a gap, not a dip to zero.
    run: list[tuple[float, float]] = []
    for c in [*coords, None]:
        if c is None:
            if len(run) > 1:
                pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline points="{pts}" fill="none" stroke="#1a5fb4" stroke-width="2.5"/>')
            run = []
        else:
            run.append(c)
    for (label, value), c in zip(points, coords, strict=True):
        if c is not None:
            parts.append(f'<circle cx="{c[0]:.1f}" cy="{c[1]:.1f}" r="3.5" fill="#1a5fb4">'
                         f'<title>{escape(label)}: {escape(_fmt(value))}</title></circle>')
    if not n:
        parts.append(f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle" fill="#333">'
                     f'{escape(_("No data for this period."))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped  # nosec B308 B703


def bar_chart(points: Sequence[Point], *, title: str, desc: str = "") -> SafeString:
    """Horizontal bars of percentages, one per labelled item (elements, units, services…)."""
    row_h = 26
    height = TOP + row_h * max(len(points), 1) + 8
    label_w = 220
    _uid, svg = _open("bar", title, f"{desc} {_describe(points)}".strip(), height)
    plot_w = WIDTH - label_w - 60
    parts = [svg]
    for i, (label, value) in enumerate(points):
        y = TOP + i * row_h
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" fill="#222">{escape(short)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{plot_w}" height="{row_h - 8}" fill="#eee"/>')
        if value is not None:
            w = plot_w * max(0.0, min(value, 100.0)) / 100
            parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="#1a5fb4"/>')
        parts.append(f'<text x="{label_w + plot_w + 6}" y="{y + 16}" fill="#222">{escape(_fmt(value))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped  # nosec B308 B703
