"""The dashboard's figure about dissemination sessions."""

from __future__ import annotations

from typing import Any

import pytest

from danvan.dashboard import registry
from danvan.dashboard.models import Figure
from danvan.dashboard.refresh import refresh
from danvan.dashboard.tests.test_providers import NOW, disseminations, period, provide

pytestmark = pytest.mark.django_db


def test_oversight_disseminated(tree: Any, django_assert_max_num_queries: Any) -> None:
    disseminations(tree)
    with django_assert_max_num_queries(1):
        got = provide("oversight.disseminated", period("2026"))
    assert got == {tree["Adep"].pk: (1.0, None), tree["A1v"].pk: (2.0, None)}
    assert provide("oversight.disseminated", period("2026-Q1")) == {}


def test_sessions_roll_up_and_link_to_the_list(tree: Any) -> None:
    disseminations(tree)
    refresh(["2026"], now=NOW)
    rows = {f.org_unit_id: f.value for f in Figure.objects.filter(period="2026", key="oversight.disseminated")}
    assert rows == {tree["Adep"].pk: 1.0, tree["A1v"].pk: 2.0, tree["A1"].pk: 2.0, tree["A"].pk: 3.0}
    fig = registry.get("oversight.disseminated")
    assert fig is not None and fig.kind == "count"
    url = fig.url(tree["A1"], period("2026"))
    assert url == "" or url.endswith(f"?unit={tree['A1'].pk}&year=2026")
