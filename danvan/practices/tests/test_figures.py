"""The dashboard's figures about good practices: what counts as registered and recognised, and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from danvan.dashboard import registry
from danvan.dashboard.models import Figure
from danvan.dashboard.refresh import refresh
from danvan.dashboard.tests.test_providers import NOW, period, practices, provide

pytestmark = pytest.mark.django_db
D = dt.date


def test_practices_registered_and_recognised(tree: Any, django_assert_max_num_queries: Any) -> None:
    practices(tree)
    with django_assert_max_num_queries(1):
        got = provide("practices.registered", period("2026"))
    assert got == {tree["A1"].pk: (1.0, None), tree["A2"].pk: (1.0, None)}
    assert provide("practices.registered", period("2026-Q1")) == {tree["A1"].pk: (1.0, None)}
    assert provide("practices.registered", period("2025")) == {tree["A1"].pk: (1.0, None)}
    with django_assert_max_num_queries(1):
        assert provide("practices.recognised", period("2026")) == {tree["A2"].pk: (1.0, None)}
    assert provide("practices.recognised", period("2026-Q3")) == {tree["A2"].pk: (1.0, None)}
    assert provide("practices.recognised", period("2025")) == {tree["A1"].pk: (1.0, None)}
    # Recognised after the day the figures look at: not counted yet.
    assert provide("practices.recognised", period("2026", D(2026, 7, 31))) == {}


def test_practices_roll_up_to_the_province_and_link_to_the_list(tree: Any) -> None:
    practices(tree)
    refresh(["2026"], now=NOW)
    rows = {(f.org_unit_id, f.key): f.value for f in Figure.objects.filter(period="2026")}
    assert rows[(tree["A"].pk, "practices.registered")] == 2.0
    assert rows[(tree["A"].pk, "practices.recognised")] == 1.0
    assert (tree["B"].pk, "practices.registered") not in rows  # no practice: not available, not 0
    fig = registry.get("practices.registered")
    assert fig is not None and fig.kind == "count"
    url = fig.url(tree["A1"], period("2026"))
    # The list page is P1's; until it exists the figure simply has no link.
    assert url == "" or url.endswith(f"?unit={tree['A1'].pk}&year=2026")
