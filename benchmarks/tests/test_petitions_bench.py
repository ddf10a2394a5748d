"""The petitions area's generator and load harness, at a tiny scale and without a database.

Run with ``pytest benchmarks/tests`` (not part of ``make test``'s default paths).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter

import pytest

from benchmarks.areas import petitions as bench
from benchmarks.core import result_owned
from danvan.petitions.duplicates import filer_key_for, search_text_for
from danvan.petitions.models import Petition

TODAY = dt.date(2026, 7, 6)
C = {name: i for i, name in enumerate(bench.COLUMNS)}


@pytest.fixture(scope="module")
def rows():
    fields = {code: i + 1 for i, code in enumerate(sorted({s[1] for s in bench.SUBJECTS}))}
    units = list(range(1, 201))
    weights = [1.0 + (u % 7) for u in units]
    return list(bench.petition_rows(units, weights, fields, TODAY, 40_000, seed=7))


def test_days_split_exactly_with_quiet_weekends():
    start = dt.date(2024, 1, 1)  # a Monday
    counts = bench.day_counts(start, 14, 10_000)
    assert sum(counts) == 10_000
    assert counts[0] > counts[5] > counts[6]  # Monday, Saturday, Sunday
    assert bench.day_counts(start, 3, 0) == [0, 0, 0]


def test_rows_fill_every_required_column_in_order(rows):
    assert all(len(r) == len(bench.COLUMNS) for r in rows)
    required = {
        f.column for f in Petition._meta.concrete_fields if not f.null and not f.primary_key
    }
    assert required <= set(bench.COLUMNS), required - set(bench.COLUMNS)
    assert set(bench.COLUMNS) <= {f.column for f in Petition._meta.concrete_fields}


def test_values_are_safe_in_copy_text_format(rows):
    for r in rows[:5000]:
        for value in r:
            assert value == bench.NULL or not any(ch in value for ch in "\t\n\r\\"), value


def test_kind_mix_and_open_share_follow_the_brief(rows):
    kinds = Counter(r[C["kind"]] for r in rows)
    share = {k: n / len(rows) for k, n in kinds.items()}
    assert share["complaint"] == pytest.approx(0.35, abs=0.02)
    assert share["recommendation"] == pytest.approx(0.40, abs=0.02)
    assert share["feedback"] == pytest.approx(0.15, abs=0.02)
    assert share["denunciation"] == pytest.approx(0.08, abs=0.01)
    assert share["mixed"] == pytest.approx(0.02, abs=0.01)
    open_rows = [r for r in rows if r[C["status"]] in bench.OPEN_STATUSES]
    assert 0.03 <= len(open_rows) / len(rows) <= 0.05
    overdue = [r for r in open_rows if r[C["next_due"]] < TODAY.isoformat()]
    assert 0.05 < len(overdue) / len(open_rows) < 0.3  # some, not most
    assert all(r[C["next_due"]] == bench.NULL for r in rows if r[C["status"]] not in bench.OPEN_STATUSES)


def test_received_over_ten_years_and_never_in_the_future(rows):
    received = [r[C["received_on"]] for r in rows]
    assert max(received) <= TODAY.isoformat()
    assert min(received) <= (TODAY - dt.timedelta(days=365 * 9)).isoformat()
    assert received == sorted(received)  # oldest first: ids follow arrival, as in a live system
    for r in rows:
        if r[C["accepted_on"]] != bench.NULL:
            assert r[C["received_on"]] <= r[C["accepted_on"]] <= TODAY.isoformat()


def test_numbers_are_unique_and_consecutive_per_unit_and_year(rows):
    seen: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        assert r[C["number_year"]] == r[C["received_on"]][:4]
        seen.setdefault((r[C["org_unit_id"]], r[C["number_year"]]), []).append(int(r[C["number"]]))
    for numbers in seen.values():
        assert numbers == list(range(1, len(numbers) + 1))


def test_matching_keys_are_what_intake_computes(rows):
    for r in rows[:3000]:
        assert r[C["search_text"]] == search_text_for(r[C["summary"]], r[C["content"]])
        if r[C["kind"]] not in ("denunciation",) and r[C["anonymous"]] == "f":
            assert r[C["filer_key"]] == filer_key_for(r[C["filer_name"]], r[C["filer_address"]], None)


def test_filers_by_kind(rows):
    denunciations = [r for r in rows if r[C["kind"]] == "denunciation"]
    assert all(r[C["filer_name"]] == "" and r[C["filer_address"]] == "" for r in denunciations)
    assert any(r[C["filer_key"]] for r in denunciations if r[C["anonymous"]] == "f")
    assert all(r[C["filer_key"]] == "" for r in rows if r[C["anonymous"]] == "t")
    assert all(r[C["anonymous"]] == "f" and r[C["filer_name"]] for r in rows if r[C["kind"]] == "complaint")
    keys = Counter(r[C["filer_key"]] for r in rows if r[C["filer_key"]])
    assert keys.most_common(1)[0][1] > 1  # some people file again: duplicates by filer exist


def test_the_issue_named_figures_belong_to_postgresql_runs():
    for figure in bench.FIGURES:
        name = f"petitions.{figure}"
        assert result_owned(name, "petitions", "postgres")
        assert not result_owned(name, "petitions", "sqlite")


def test_the_version_follows_the_scale():
    assert bench.GENERATOR_VERSION == bench.GENERATOR_BASE * 100_000 + min(bench.SCALE // 1000, 99_999)


def test_load_keeps_only_samples_from_the_window():
    calls = Counter()
    lock = threading.Lock()

    def step(k, i, measuring):
        with lock:
            calls["all"] += 1
        time.sleep(0.01)
        return [bench.Sample("x", 1.0 if measuring else 99.0, 200)]

    samples, window = bench.run_load(4, 0.3, 0.2, step)
    assert window == 0.3
    assert samples and all(s.ms == 1.0 for s in samples)
    assert len(samples) < calls["all"]


def test_load_raises_a_clients_error():
    def step(k, i, measuring):
        if k == 2:
            raise RuntimeError("worklist answered 500")
        time.sleep(0.01)
        return []

    with pytest.raises(RuntimeError, match="answered 500"):
        bench.run_load(4, 0.5, 0.0, step)
