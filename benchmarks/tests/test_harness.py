"""The harness's own arithmetic: statistics, the merge into results.json, the village split.

Run with ``pytest benchmarks/tests`` (not part of ``make test``'s default paths).
"""

from __future__ import annotations

import json
import random

import pytest

from benchmarks.areas.orgs import _village_counts, _village_name
from benchmarks.core import Result, Timing, format_table, merge_results, result_owned


def test_median_and_nearest_rank_p95():
    t = Timing([float(x) for x in range(1, 101)])  # 1..100
    assert t.median == 50.5
    assert t.p95 == 95.0
    assert Timing([3.0, 1.0, 2.0]).p95 == 3.0
    assert Timing([7.0]).p95 == 7.0


def test_ratio_against_an_upper_bound():
    assert Result("a.x_ms", 25.0, "ms", target=50.0).ratio == 0.5
    assert Result("a.x_ms", 75.0, "ms", target=50.0).ratio == 1.5
    assert Result("a.x", 0, "queries", target=0).ratio == 0.0
    assert Result("a.x", 1, "queries", target=0).ratio == float("inf")
    assert Result("a.x_ms", 1.0, "ms").ratio is None


def test_table_marks_figures_over_their_target():
    text = format_table([Result("a.fast_ms", 10.0, "ms", target=50.0), Result("a.slow_ms", 80.0, "ms", target=50.0)])
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["name", "value", "unit"]
    assert "0.20 ok" in lines[2] and "1.60 OVER" in lines[3]


@pytest.mark.parametrize(
    ("name", "area", "database", "owned"),
    [
        ("orgs.search_ms", "orgs", "sqlite", True),
        ("orgs.pg.search_ms", "orgs", "sqlite", False),
        ("orgs.pg.search_ms", "orgs", "postgres", True),
        ("orgs.search_ms", "orgs", "postgres", False),
        ("orgsx.search_ms", "orgs", "sqlite", False),
        ("reports.submit_ms", "orgs", "sqlite", False),
    ],
)
def test_which_figures_a_run_replaces(name, area, database, owned):
    assert result_owned(name, area, database) is owned


def test_merge_replaces_this_area_and_database_only(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps([
        {"name": "orgs.search_ms", "value": 99, "unit": "ms"},
        {"name": "orgs.stale_ms", "value": 1, "unit": "ms"},
        {"name": "orgs.pg.search_ms", "value": 42, "unit": "ms"},
        {"name": "reports.submit_ms", "value": 7, "unit": "ms"},
    ]))
    merged = merge_results([Result("orgs.search_ms", 12.5, "ms", p95=20.0)], "orgs", "sqlite", path)
    assert merged == json.loads(path.read_text())
    assert merged == [
        {"name": "orgs.pg.search_ms", "value": 42, "unit": "ms"},
        {"name": "orgs.search_ms", "value": 12.5, "unit": "ms"},
        {"name": "reports.submit_ms", "value": 7, "unit": "ms"},
    ]


@pytest.mark.parametrize(
    ("name", "database", "owned"),
    [
        ("reports.aggregate_sqlite_s", "sqlite", True),
        ("reports.aggregate_sqlite_s", "postgres", False),
        ("reports.aggregate_postgres_s", "postgres", True),
        ("reports.aggregate_postgres_s", "sqlite", False),  # no ".pg." in its name, yet PostgreSQL's
        ("reports.aggregate_ratio_vs_sql", "sqlite", True),
        ("reports.aggregate_ratio_vs_sql", "postgres", True),
        ("reports.pg.aggregate_vs_sql_ratio", "sqlite", False),
    ],
)
def test_figures_named_by_database_or_combining_both(name, database, owned):
    assert result_owned(name, "reports", database) is owned


def test_a_sqlite_rerun_keeps_the_postgresql_figure_and_replaces_the_combined_one(tmp_path):
    path = tmp_path / "results.json"
    merge_results([
        Result("reports.aggregate_postgres_s", 0.8, "s"), Result("reports.aggregate_ratio_vs_sql", 1.3, "×"),
    ], "reports", "postgres", path)
    merged = merge_results([
        Result("reports.aggregate_sqlite_s", 1.5, "s"), Result("reports.aggregate_ratio_vs_sql", 1.2, "×"),
    ], "reports", "sqlite", path)
    assert merged == [
        {"name": "reports.aggregate_postgres_s", "value": 0.8, "unit": "s"},
        {"name": "reports.aggregate_ratio_vs_sql", "value": 1.2, "unit": "×"},
        {"name": "reports.aggregate_sqlite_s", "value": 1.5, "unit": "s"},
    ]


def test_merge_creates_the_file(tmp_path):
    path = tmp_path / "results.json"
    merge_results([Result("orgs.units", 100000, "units")], "orgs", "sqlite", path)
    assert json.loads(path.read_text()) == [{"name": "orgs.units", "value": 100000, "unit": "units"}]


def test_a_figure_given_again_replaces_the_stored_one_whoever_owns_it(tmp_path):
    """An extra figure without ``.pg.`` and missing from FIGURE_DATABASE once piled up, one copy per run."""
    path = tmp_path / "results.json"
    for value in (1.0, 2.0, 3.0):
        merged = merge_results([Result("petitions.some_new_extra", value, "ms")], "petitions", "postgres", path)
    assert merged == [{"name": "petitions.some_new_extra", "value": 3.0, "unit": "ms"}]
    merge_results([Result("petitions.worklist_rps", 1.0, "req/s")], "petitions", "postgres", path)
    merged = merge_results([Result("petitions.worklist_rps", 2.0, "req/s")], "petitions", "postgres", path)
    assert [e["value"] for e in merged if e["name"] == "petitions.worklist_rps"] == [2.0]


def test_villages_split_exactly_and_every_commune_gets_some():
    counts = _village_counts(3321, 79_194, random.Random(1))
    assert sum(counts) == 79_194
    assert len(counts) == 3321
    assert min(counts) >= 10 and max(counts) <= 40


def test_village_names_follow_the_commune_type():
    assert _village_name("Phường", 4, 0) == ("Tổ dân phố 4", "Tổ dân phố")
    name, division = _village_name("Xã", 0, 1)
    assert division == "Thôn" and name.startswith("Thôn ")
    long_name, _ = _village_name("Xã", 100, 1)
    assert long_name.endswith(" 3")  # repeated words are numbered
