"""The survey sources of the report pre-fill: the subtree's index and the number of surveys conducted."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from danvan.reports.models import Indicator, Submission
from danvan.reports.prefill import PROVIDERS, prefill_for
from danvan.reports.tests.conftest import period, small_form  # noqa: F401 - fixtures used by name
from danvan.surveys import prefill

from .test_index_support import make_survey, respond

pytestmark = pytest.mark.django_db

D = dt.date


def test_the_default_forms_survey_sources_are_provided() -> None:
    import danvan.reports.default_form as default_form

    text = Path(default_form.__file__).read_text(encoding="utf-8")
    sources = set(re.findall(r'"(surveys\.[a-z_]+)"', text))
    assert sources == {"surveys.satisfaction_index", "surveys.conducted"}
    assert sources <= set(PROVIDERS)


def test_figures_over_the_period_and_subtree(tree: Any, period: Any, small_form: Any) -> None:  # noqa: F811
    # Period data: 15/12/2025 – 31/05/2026.
    a1 = make_survey(tree["A1"])
    respond(a1, {"c1-1-s": 5, "c1-2-s": 5, "c3-1-s": 5}, on=D(2026, 1, 5))
    respond(a1, {"c1-1-s": 1, "c1-2-s": 1, "c3-1-s": 5}, unit=tree["A1v"], on=D(2026, 2, 5))
    respond(a1, {"c1-1-s": 1, "c1-2-s": 1, "c3-1-s": 1}, on=D(2026, 6, 2))  # after the cut-off
    respond(a1, {"c1-1-s": 1, "c1-2-s": 1, "c3-1-s": 1}, on=D(2026, 3, 2), voided=True)
    old = make_survey(tree["A1"], status="closed", closes_on=D(2025, 12, 1))
    respond(old, {"c3-1-s": 1}, on=D(2025, 11, 30))
    only_voided = make_survey(tree["A1"])
    respond(only_voided, {"c3-1-s": 1}, on=D(2026, 3, 2), voided=True)
    make_survey(tree["A1"], status="draft")
    b1 = make_survey(tree["B1"])
    respond(b1, {"c3-1-s": 5}, on=D(2026, 3, 2))

    # access 1 of 2, officials 2 of 2 → mean 75.0
    assert prefill.satisfaction_index(tree["A1"], period) == 75.0
    # The province's own figure: A1 and A2 report for themselves, so their responses count there, not twice.
    assert prefill.satisfaction_index(tree["A"], period) is None
    assert prefill.satisfaction_index(tree["A2"], period) is None  # not available, never 0
    assert prefill.conducted(tree["A1"], period) == 1
    assert prefill.conducted(tree["A"], period) == 0
    assert prefill.conducted(tree["A2"], period) == 0

    Indicator.objects.create(form=small_form, code="sat", name="sat", value_type="percentage",
                             prefill_source="surveys.satisfaction_index", order=90)
    Indicator.objects.create(form=small_form, code="sat_n", name="sat_n", value_type="count",
                             prefill_source="surveys.conducted", order=91)
    got = prefill_for(Submission.objects.get(period=period, org_unit=tree["A1"]))
    assert got["sat"] == 75.0 and got["sat_n"] == 1
    got = prefill_for(Submission.objects.get(period=period, org_unit=tree["A2"]))
    assert "sat" not in got and got["sat_n"] == 0
    own = make_survey(tree["A"])
    respond(own, {"c3-1-s": 5}, on=D(2026, 3, 2))
    assert prefill.satisfaction_index(tree["A"], period) == 100.0
    assert prefill.conducted(tree["A"], period) == 1
