"""The pre-aggregation: roll-up through the tree, replacement of the periods refreshed, failures, the command, the task."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from danvan.dashboard import refresh as refresh_mod
from danvan.dashboard import registry
from danvan.dashboard.models import Figure, Refresh
from danvan.dashboard.refresh import is_stale, last_refresh, read, refresh, roll_up
from danvan.dashboard.registry import FigureDef
from danvan.dashboard.tasks import refresh_figures

from .test_providers import NOW, everything, fields, practices  # noqa: F401 - fields: a fixture

pytestmark = pytest.mark.django_db
D = dt.date


def values(period: str) -> dict[tuple[str, str], tuple[float | None, float | None, float | None]]:
    """{(unit name, key): (numerator, denominator, value)}."""
    return {(f.org_unit.name, f.key): (f.numerator, f.denominator, f.value)
            for f in Figure.objects.filter(period=period).select_related("org_unit")}


def test_roll_up_adds_numerators_and_denominators_to_every_ancestor(tree: Any) -> None:
    paths = {u.pk: u.path for u in tree.values()}
    got = roll_up({tree["A1v"].pk: (1.0, 2.0), tree["A1"].pk: (0.0, 1.0), tree["B1"].pk: (3.0, 3.0), 999_999: (5.0, 5.0)},
                  paths)
    assert got == {tree["A1v"].pk: [1.0, 2.0], tree["A1"].pk: [1.0, 3.0], tree["A"].pk: [1.0, 3.0],
                   tree["B1"].pk: [3.0, 3.0], tree["B"].pk: [3.0, 3.0]}  # an unknown unit is skipped
    counts = roll_up({tree["A1v"].pk: (2.0, None), tree["A2"].pk: (1.0, None)}, paths)
    assert counts[tree["A"].pk] == [3.0, None]  # a count has no denominator


def test_refresh_writes_every_figure_rolled_up(tree: Any, kinds: Any, fields: Any) -> None:  # noqa: F811
    everything(tree, kinds, fields)
    run = refresh(["2026"], now=NOW)
    got = values("2026")
    # A rate of the province is the rate of its units' cases, not the mean of their rates.
    assert got[("Tỉnh Lai Châu", "petitions.on_time_rate")] == (1.0, 2.0, 50.0)
    assert got[("Xã Bình Lư", "petitions.on_time_rate")] == (1.0, 2.0, 50.0)  # its own and its village's
    assert got[("Bản Thẳm", "petitions.on_time_rate")] == (0.0, 1.0, 0.0)
    assert got[("Tỉnh Thái Nguyên", "petitions.on_time_rate")] == (1.0, 1.0, 100.0)
    assert got[("Tỉnh Lai Châu", "reports.timeliness_rate")] == (1.0, 3.0, 33.33)
    assert got[("Tỉnh Lai Châu", "surveys.satisfaction_index")] == (3.0, 5.0, 60.0)
    assert got[("Tỉnh Lai Châu", "dialogues.held")] == (1.0, None, 1.0)
    assert got[("Tỉnh Lai Châu", "dialogues.commitments_kept_rate")] == (1.0, 3.0, 33.33)
    assert got[("Tỉnh Lai Châu", "disclosures.made")] == (2.0, None, 2.0)
    assert got[("Tỉnh Lai Châu", "practices.registered")] == (2.0, None, 2.0)
    assert got[("Tỉnh Lai Châu", "practices.recognised")] == (1.0, None, 1.0)
    assert got[("Tỉnh Lai Châu", "oversight.disseminated")] == (3.0, None, 3.0)
    assert got[("Xã Bình Lư", "oversight.disseminated")] == (2.0, None, 2.0)
    # No data, no row: "not available", never 0.
    assert ("Tỉnh Thái Nguyên", "reports.timeliness_rate") not in got
    assert ("Phường Tân Phong", "surveys.satisfaction_index") not in got
    assert ("Tỉnh Thái Nguyên", "practices.registered") not in got
    assert run.finished_at is not None and run.error == "" and run.periods == ["2026"]
    assert run.figures == Figure.objects.count() == len(got)
    assert {f.computed_at for f in Figure.objects.all()} == {NOW}
    assert last_refresh() == run


def test_default_periods_and_replacing_only_those(tree: Any) -> None:
    practices(tree)
    old = Figure.objects.create(org_unit=tree["B"], key="practices.registered", period="2020", numerator=9, value=9,
                                computed_at=NOW)
    stale = Figure.objects.create(org_unit=tree["B"], key="practices.registered", period="2026", numerator=9, value=9,
                                  computed_at=NOW)
    run = refresh(now=NOW)
    assert run.periods == ["2026", "2026-Q1", "2026-Q2", "2026-Q3", "2025"]
    assert Figure.objects.filter(pk=old.pk).exists()  # a period not refreshed is kept
    assert not Figure.objects.filter(pk=stale.pk).exists()  # a unit that has no data any more loses its figure
    assert values("2026-Q1")[("Tỉnh Lai Châu", "practices.registered")] == (1.0, None, 1.0)
    assert values("2026-Q2")[("Tỉnh Lai Châu", "practices.registered")] == (1.0, None, 1.0)
    assert ("Tỉnh Lai Châu", "practices.registered") not in values("2026-Q3")
    assert values("2025")[("Tỉnh Lai Châu", "practices.recognised")] == (1.0, None, 1.0)
    # Running again gives the same rows, never duplicates (the unique constraint would refuse them).
    n = Figure.objects.count()
    refresh(now=NOW)
    assert Figure.objects.count() == n
    assert Refresh.objects.count() == 2


def test_a_failing_provider_keeps_its_old_figures_and_is_named(tree: Any) -> None:
    practices(tree)

    def broken(period: registry.PeriodRange) -> dict[int, tuple[float | None, float | None]]:
        raise RuntimeError("module down")

    kept = Figure.objects.create(org_unit=tree["A"], key="test.broken", period="2026", numerator=4, value=4,
                                 computed_at=NOW)
    registry.register(FigureDef(key="test.broken", label="Broken", kind="count", provider=broken))
    try:
        run = refresh(["2026"], now=NOW)
    finally:
        registry.unregister("test.broken")
    assert "test.broken 2026: RuntimeError: module down" in run.error
    assert run.finished_at is not None
    assert Figure.objects.filter(pk=kept.pk).exists()  # stale, not wrong
    assert Figure.objects.filter(key="practices.registered", period="2026").count() == 3  # A1, A2, A


def test_refresh_costs_a_bounded_number_of_queries(tree: Any, kinds: Any, fields: Any) -> None:  # noqa: F811
    everything(tree, kinds, fields)
    with CaptureQueriesContext(connection) as one:
        refresh(["2026"], now=NOW)
    with CaptureQueriesContext(connection) as two:
        refresh(["2026", "2026-Q3"], now=NOW)
    # Reads: the tree once, then one or two grouped queries per figure and period; the write is a few statements.
    assert len(one.captured_queries) <= 25
    assert len(two.captured_queries) - len(one.captured_queries) <= 14


def test_a_write_that_fails_leaves_the_figures_and_records_the_error(tree: Any, monkeypatch: Any) -> None:
    practices(tree)
    first = refresh(["2026"], now=NOW)
    n = Figure.objects.count()

    def fail(rows: Any, done: Any) -> None:
        Figure.objects.all().delete()
        raise RuntimeError("disk full")

    monkeypatch.setattr(refresh_mod, "_replace", fail)
    with pytest.raises(RuntimeError):
        refresh(["2026"], now=NOW)
    assert Figure.objects.count() == n  # the delete was rolled back with the transaction
    failed = Refresh.objects.exclude(pk=first.pk).get()
    assert failed.finished_at is None and "disk full" in failed.error
    assert last_refresh() == first


def test_staleness_and_pruning(tree: Any) -> None:
    assert last_refresh() is None and is_stale(None)
    run = refresh(["2026"], now=NOW)
    assert run.finished_at is not None
    assert not is_stale(run, run.finished_at + dt.timedelta(minutes=7))  # two 4-minute intervals
    assert is_stale(run, run.finished_at + dt.timedelta(minutes=9))
    Refresh.objects.filter(pk=run.pk).update(started_at=NOW - dt.timedelta(days=8))
    refresh(["2026"], now=NOW)
    assert not Refresh.objects.filter(pk=run.pk).exists()  # a week's runs are kept, older ones pruned


def test_read_is_one_query(tree: Any, django_assert_num_queries: Any) -> None:
    practices(tree)
    refresh(["2026"], now=NOW)
    with django_assert_num_queries(1):
        got = read([tree["A"].pk, tree["B"].pk, tree["A1"].pk], "2026", ["practices.registered"])
    assert set(got) == {(tree["A"].pk, "practices.registered"), (tree["A1"].pk, "practices.registered")}
    assert got[(tree["A"].pk, "practices.registered")].value == 2.0
    assert read([tree["A"].pk], "2024") == {}


def test_command(tree: Any) -> None:
    practices(tree)
    out = StringIO()
    call_command("dashboard_refresh", "--period", "2026", "--period", "2026-Q1", stdout=out)
    text = out.getvalue()
    assert "2026, 2026-Q1" in text
    assert Figure.objects.filter(period="2026-Q1", key="practices.registered").count() == 2
    with pytest.raises(CommandError, match="2026-Q9"):
        call_command("dashboard_refresh", "--period", "2026-Q9")
    assert Refresh.objects.count() == 1  # the bad period ran nothing
    call_command("dashboard_refresh", "--queue", stdout=out)  # the immediate backend of the tests runs it
    assert Refresh.objects.count() == 2
    assert str(timezone.localdate().year) in Refresh.objects.order_by("-started_at").first().periods  # type: ignore[union-attr]


def test_task(tree: Any) -> None:
    practices(tree)
    result = refresh_figures.enqueue(periods=["2026"])
    assert result.return_value is not None
    assert result.return_value["periods"] == ["2026"]
    # Registered: A1, A2 and A; recognised (on 01/08/2026, before today): A2 and A.
    assert result.return_value["figures"] == Figure.objects.count() == 5
    assert result.return_value["error"] == ""
