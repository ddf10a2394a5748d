"""Trend charts of one figure over periods: inline SVG for the page, PNG (matplotlib) for a file.

The SVG needs no JavaScript and prints; it is an ``<svg role="img">`` whose ``<desc>`` states every
value, and the page shows the same values as a table. A period without a figure is a gap in the
line, never a dip to 0. Rates and indexes are drawn on 0–100; counts on 0 to a round number above
the highest. Labels are escaped: unit names are typed by officials.

The PNG is drawn with matplotlib's Agg backend (no display, thread-safe with its own Figure object,
never pyplot's global state), with the same gaps.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .views_common import fmt_value

Point = tuple[str, float | None]

_ids = itertools.count(1)
WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 12, 36


def axis_max(points: Sequence[Point], kind: str) -> float:
    """100 for a rate or an index; for a count, a round number (1, 2, 5 × 10ⁿ) at or above the highest."""
    if kind != "count":
        return 100.0
    top = max((v for _l, v in points if v is not None), default=0.0)
    if top <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(top))
    for step in (1, 2, 5, 10):
        if step * power >= top:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def describe(points: Sequence[Point], kind: str) -> str:
    return "; ".join(f"{label}: {fmt_value(value, kind)}" for label, value in points)


def line_svg(points: Sequence[Point], *, kind: str, title: str, desc: str = "", height: int = 240) -> SafeString:
    uid = f"dash-chart-{next(_ids)}"
    top_value = axis_max(points, kind)
    full_desc = f"{desc} {describe(points, kind)}".strip()
    parts = [
        f'<svg class="chart chart-line" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg" font-size="12" '
        f'font-family="inherit" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(full_desc)}</desc>'
    ]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    for i in range(5):
        tick = top_value * i / 4
        y = TOP + plot_h * (1 - i / 4)
        label = fmt_value(tick, kind) if kind != "count" or tick == int(tick) else f"{tick:g}".replace(".", ",")
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ccc" '
                     f'stroke-width="1"/><text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" '
                     f'fill="#333">{escape(label)}</text>')
    n = len(points)
    step = plot_w / max(n - 1, 1)
    every = max(1, (n + 11) // 12)
    coords: list[tuple[float, float] | None] = []
    for i, (label, value) in enumerate(points):
        x = LEFT + (step * i if n > 1 else plot_w / 2)
        if i % every == 0 or i == n - 1:
            parts.append(f'<text x="{x:.1f}" y="{height - BOTTOM + 16}" text-anchor="middle" '
                         f'fill="#333">{escape(label)}</text>')
        if value is None:
            coords.append(None)
        else:
            share = max(0.0, min(value, top_value)) / top_value
            coords.append((x, TOP + plot_h * (1 - share)))
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
                         f'<title>{escape(label)}: {escape(fmt_value(value, kind))}</title></circle>')
    if not any(v is not None for _l, v in points):
        parts.append(f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle" fill="#333">'
                     f'{escape(_("No figures for these periods."))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped  # nosec B308 B703


def line_png(points: Sequence[Point], *, kind: str, title: str, dpi: int = 120) -> bytes:
    """The same trend as a PNG file, for a report or a slide."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.6), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    xs = list(range(len(points)))
    ys = [math.nan if v is None else v for _l, v in points]  # NaN: matplotlib leaves a gap
    ax.plot(xs, ys, marker="o", color="#1a5fb4", linewidth=2)
    ax.set_ylim(0, axis_max(points, kind))
    every = max(1, (len(points) + 11) // 12)
    ax.set_xticks([x for x in xs if x % every == 0 or x == len(points) - 1])
    ax.set_xticklabels([points[x][0] for x in xs if x % every == 0 or x == len(points) - 1])
    if kind == "rate":
        ax.set_ylabel("%")
    ax.set_title(title, fontsize=11)
    ax.grid(axis="y", color="#cccccc")
    if not any(v is not None for _l, v in points):
        ax.text(0.5, 0.5, _("No figures for these periods."), ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
