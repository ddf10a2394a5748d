"""The drill-down page's data: a unit's totals and rates, its children's, and its own reporters."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from danvan.reports.aggregation import cache_key
from danvan.reports.drilldown import drilldown
from danvan.reports.models import Period, SubmissionStatus
from danvan.reports.tests.test_aggregation import LOCMEM, V_A1, V_A1V, V_ADEP, report


@pytest.fixture(autouse=True)
def _memory_cache(settings: Any) -> Any:
    settings.CACHES = LOCMEM
    cache.clear()
    yield
    cache.clear()


def _small(values: dict) -> dict:
    """The figures of the conftest's form (test_aggregation adds two indicators of its own)."""
    return {k: v for k, v in values.items() if k not in ("lowest", "rank")}


@pytest.fixture
def filled(tree: dict[str, Any], small_form: Any, period: Any) -> Any:
    report(period, tree["A1"], tree["A1"], values=_small(V_A1))
    report(period, tree["A1v"], tree["A1"], SubmissionStatus.SUBMITTED, late=True, values=_small(V_A1V))
    report(period, tree["A2"], tree["A2"], SubmissionStatus.NOT_STARTED)
    report(period, tree["Adep"], tree["A"], values=_small(V_ADEP))
    return Period.objects.get(pk=period.pk)


def test_province_page_has_its_totals_its_communes_and_its_departments(tree, filled):
    page = drilldown(filled, tree["A"])
    assert [i.code for i in page["indicators"]] == [
        "sessions", "participants", "own_plan", "received", "resolved", "satisfaction", "budget", "resolved_rate",
    ]
    node = page["node"]
    assert node["unit_id"] == tree["A"].pk and node["name"] == "Tỉnh Lai Châu"
    assert node["values"]["sessions"] == 7 and node["values"]["budget"] == 9_000_000
    assert node["values"]["own_plan"] == pytest.approx(200 / 3)
    c = node["completeness"]
    assert (c.expected, c.received, c.on_time, c.late, c.not_started) == (4, 3, 2, 1, 1)
    assert [(r["name"], r["values"]["sessions"]) for r in page["children"]] == [("Xã Bình Lư", 6), ("Phường Tân Phong", None)]
    assert page["children"][0]["completeness"].rate == 1.0 and page["children"][1]["completeness"].rate == 0.0
    assert [r["unit"] for r in page["reports"]] == ["Sở Nội vụ"]  # the department, anchored at the province
    assert page["ancestors"] == []  # the province is the regime's scope root
    # Only the province's subtree was aggregated, and cached under its own key.
    assert cache.get(cache_key(filled, tree["A"].pk)) is not None


def test_commune_page_lists_its_villages_reports(tree, filled):
    page = drilldown(filled, tree["A1"])
    assert page["node"]["values"]["sessions"] == 6
    assert page["node"]["values"]["resolved_rate"] == pytest.approx(100 * 13 / 15)
    assert page["children"] == []
    assert [(r["unit"], r["late"]) for r in page["reports"]] == [("Xã Bình Lư", False), ("Bản Thẳm", True)]
    assert page["ancestors"] == [{"pk": tree["A"].pk, "name": "Tỉnh Lai Châu"}]


def test_a_commune_with_no_reporters_below_lists_no_reports(tree, filled):
    page = drilldown(filled, tree["A2"])
    assert page["reports"] == []
    assert page["node"]["completeness"].expected == 1 and page["node"]["values"]["sessions"] is None


def test_query_counts(tree, filled, django_assert_num_queries):
    drilldown(filled, tree["A"])  # the form's spec is read once per process
    period = Period.objects.get(pk=filled.pk)
    # regime, units of the subtree, completeness, figures, the unit's reports, the way up
    with django_assert_num_queries(6):
        drilldown(period, tree["A1"])
    # cached aggregate: the reports and the way up only
    with django_assert_num_queries(2):
        drilldown(period, tree["A1"])
