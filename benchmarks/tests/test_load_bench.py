"""The load area's arithmetic: memory growth over the last five minutes, per-group percentiles and errors,
the figures built from a runner's output, and where they are stored.

Run with ``pytest benchmarks/tests/test_load_bench.py`` (no database, no server).
"""

from __future__ import annotations

import json

import pytest

from benchmarks.core import merge_results, result_owned
from benchmarks.load.metrics import group_figures, growth_marks, memory_growth, sample_interval


def test_marks_of_a_ten_minute_run_are_five_minutes_and_the_last_minute():
    assert growth_marks(600) == (300, 540)
    assert growth_marks(1200) == (900, 1140)  # a longer run: still its last five minutes


def test_marks_of_a_short_run_are_its_middle_and_its_last_tenth():
    assert growth_marks(60) == (30, 54)


def test_sampling_is_every_ten_seconds_on_a_long_run_and_denser_on_a_short_one():
    assert sample_interval(600) == 10
    assert sample_interval(60) == 3
    assert sample_interval(5) == 1


def _series(duration: int, every: int, rss: callable) -> list[tuple[float, float]]:
    return [(float(t), float(rss(t))) for t in range(0, duration + 1, every)]


def test_flat_memory_is_zero_growth():
    got = memory_growth(_series(600, 10, lambda t: 400), 600)
    assert got.pct == 0.0
    assert got.baseline_t == 300
    assert got.samples_in_end == 7  # 540, 550, ..., 600


def test_growth_compares_the_last_minutes_mean_with_the_five_minute_mark():
    # 400 MB until 300 s, then +1 MB every 10 s: 430 MB at 600 s, mean of 540..600 = 427 MB.
    got = memory_growth(_series(600, 10, lambda t: 400 + max(0, t - 300) / 10), 600)
    assert got.baseline_mb == 400.0
    assert got.end_mb == 427.0
    assert got.pct == 6.75


def test_growth_before_the_mark_does_not_count():
    # Warm-up growth (caches filling) in the first five minutes, flat afterwards.
    got = memory_growth(_series(600, 10, lambda t: 300 + min(t, 300) / 3), 600)
    assert got.pct == 0.0


def test_shrinking_memory_is_negative_growth():
    got = memory_growth(_series(600, 10, lambda t: 500 if t < 400 else 450), 600)
    assert got.pct == -10.0


def test_a_spike_at_the_last_tick_is_averaged():
    got = memory_growth(_series(600, 10, lambda t: 700 if t == 600 else 400), 600)
    assert got.pct == pytest.approx(300 / 7 / 400 * 100, abs=0.01)


def test_the_baseline_is_the_sample_nearest_the_mark():
    samples = [(0.0, 100.0), (296.0, 200.0), (306.0, 300.0), (600.0, 300.0)]
    got = memory_growth(samples, 600)
    assert got.baseline_t == 296.0 and got.baseline_mb == 200.0
    assert got.pct == 50.0


def test_no_samples_is_an_error():
    with pytest.raises(ValueError, match="no memory samples"):
        memory_growth([], 600)


def test_group_figures_split_by_group_and_count_errors():
    records = [("official", float(ms), ms != 7) for ms in range(1, 21)]
    records += [("citizen", float(ms), True) for ms in range(100, 200)]
    got = group_figures(records)
    assert got["official"].requests == 20 and got["official"].errors == 1
    assert got["official"].p95_ms == 19.0  # nearest rank: the 19th of 20
    assert got["official"].median_ms == 10.5
    assert got["citizen"].errors == 0 and got["citizen"].p95_ms == 194.0
    assert got["all"].requests == 120 and got["all"].errors == 1
    # The mix's p95 lies between its groups' p95s.
    assert got["official"].p95_ms <= got["all"].p95_ms <= got["citizen"].p95_ms


def test_no_records_no_groups():
    assert group_figures([]) == {}


def _raw(records: list[tuple[str, float, bool]], exceptions: int = 0) -> dict:
    return {"records": records, "elapsed_s": 60.0, "exceptions": [{"count": exceptions, "msg": "x", "where": ""}]
            if exceptions else [], "memory": [(float(t), 400.0) for t in range(0, 61, 3)], "failures": {},
            "by_name": {}}


def test_figures_carry_the_issue_names_and_targets():
    from benchmarks.areas.load import figures

    got = {r.name: r for r in figures(_raw([("official", 100.0, True), ("citizen", 50.0, False)], exceptions=2))}
    assert {"load.errors", "load.p95_ms", "load.memory_growth_pct", "load.officials_p95_ms",
            "load.citizens_p95_ms", "load.requests_per_s"} <= set(got)
    assert got["load.errors"].value == 3  # one unexpected answer and two exceptions in the users
    assert got["load.errors"].target == 0
    assert got["load.officials_p95_ms"].target == 250 and got["load.citizens_p95_ms"].target == 150
    assert got["load.memory_growth_pct"].value == 0.0 and got["load.memory_growth_pct"].target == 10
    assert got["load.requests_per_s"].value == round(2 / 60, 1)


def test_figures_refuse_a_run_without_requests():
    from benchmarks.areas.load import figures

    with pytest.raises(RuntimeError, match="no request"):
        figures(_raw([]))


def test_load_figures_belong_to_postgresql_runs(tmp_path):
    assert result_owned("load.errors", "load", "postgres")
    assert not result_owned("load.errors", "load", "sqlite")
    path = tmp_path / "results.json"
    path.write_text(json.dumps([{"name": "load.p95_ms", "value": 999, "unit": "ms"},
                                {"name": "portal.p95_ms", "value": 1, "unit": "ms"}]))
    from benchmarks.core import Result

    merged = merge_results([Result("load.p95_ms", 120.0, "ms")], "load", "postgres", path)
    assert [(e["name"], e["value"]) for e in merged] == [("load.p95_ms", 120.0), ("portal.p95_ms", 1)]
