"""The load area's figures from what the run recorded: percentiles, errors per group, memory growth.

Pure functions (no Django, no locust), tested in ``benchmarks/tests/test_load_bench.py``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from benchmarks.core import Timing

# A run of 10 minutes compares its last minute with the start of its last five minutes.
FLAT_WINDOW_S = 300.0
END_WINDOW_S = 60.0
SAMPLE_EVERY_S = 10.0


def sample_interval(duration_s: float) -> float:
    """Every 10 s on a 10-minute run; more often on a short one, so that it still has ~20 samples."""
    return max(1.0, min(SAMPLE_EVERY_S, duration_s / 20))


def growth_marks(duration_s: float) -> tuple[float, float]:
    """(baseline time, start of the end window), in seconds from the start of the measured window.

    The baseline is the start of the last five minutes (the middle of a run shorter than ten);
    the end window is the last minute (the last tenth of a run shorter than ten minutes).
    """
    baseline = duration_s - min(FLAT_WINDOW_S, duration_s / 2)
    return baseline, duration_s - min(END_WINDOW_S, duration_s / 10)


@dataclass(frozen=True)
class MemoryGrowth:
    pct: float
    baseline_mb: float
    end_mb: float
    baseline_t: float
    samples_in_end: int


def memory_growth(samples: Sequence[tuple[float, float]], duration_s: float) -> MemoryGrowth:
    """Growth of the server's memory over the last five minutes, in per cent.

    ``samples`` are (seconds since the measured window began, RSS in MB of gunicorn's master and
    workers together). ``(mean RSS of the samples in the end window − RSS of the sample nearest the
    baseline time) / that RSS × 100``: a mean at the end, so that one garbage collection or one big
    answer at the last tick does not decide; a single sample at the baseline, the point the issue names.
    """
    if not samples:
        raise ValueError("no memory samples")
    baseline_t, end_from = growth_marks(duration_s)
    t0, base = min(samples, key=lambda s: (abs(s[0] - baseline_t), s[0]))
    end = [mb for t, mb in samples if t >= end_from] or [samples[-1][1]]
    end_mb = statistics.fmean(end)
    if base <= 0:
        raise ValueError("the baseline RSS is not positive")
    return MemoryGrowth(round((end_mb - base) / base * 100, 2), round(base, 1), round(end_mb, 1), t0, len(end))


@dataclass(frozen=True)
class GroupFigures:
    requests: int
    errors: int
    median_ms: float
    p95_ms: float


def group_figures(records: Iterable[tuple[str, float, bool]]) -> dict[str, GroupFigures]:
    """Per group and ``"all"``: requests, errors (answers other than the expected one, and failed
    connections), median and 95th percentile (nearest rank, as every area) of every request's time."""
    times: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    for group, ms, ok in records:
        for key in (group, "all"):
            times.setdefault(key, []).append(ms)
            errors[key] = errors.get(key, 0) + (not ok)
    out = {}
    for key, samples in times.items():
        t = Timing(samples)
        out[key] = GroupFigures(len(samples), errors[key], round(t.median, 1), round(t.p95, 1))
    return out
