"""The petitions sources of the report pre-fill: registered, and a submission gets the unit's figures."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from danvan.reports.models import Indicator, Submission
from danvan.reports.prefill import PROVIDERS, prefill_for
from danvan.reports.tests.conftest import period, small_form  # noqa: F401 - fixtures used by name

from . import fixtures_cases
from .fixtures_cases import D, receive

fields, people = fixtures_cases.fields, fixtures_cases.people  # fixtures used by name

pytestmark = pytest.mark.django_db


def default_form_sources() -> set[str]:
    import danvan.reports.default_form as default_form

    text = Path(default_form.__file__).read_text(encoding="utf-8")
    return set(re.findall(r'"(petitions\.[a-z_]+)"', text))


def test_every_petitions_source_of_the_default_form_is_provided() -> None:
    sources = default_form_sources()
    assert len(sources) >= 10
    assert sources <= set(PROVIDERS)


def test_a_submission_is_prefilled_with_the_units_figures(tree: Any, period: Any, small_form: Any) -> None:  # noqa: F811
    codes = {"p_total": "petitions.received_total", "p_complaints": "petitions.received_complaints",
             "p_den": "petitions.received_denunciations", "p_rec": "petitions.received_recommendations",
             "p_resolved": "petitions.resolved", "p_citizens": "petitions.citizens_received",
             "p_mass": "petitions.mass_cases"}
    for order, (code, source) in enumerate(codes.items(), start=60):
        Indicator.objects.create(form=small_form, code=code, name=code, value_type="count", prefill_source=source,
                                 order=order)
    # Period data: 15/12/2025 – 31/05/2026.
    receive(tree["A1"], received_on=D(2026, 3, 2))
    receive(tree["A1"], kind="denunciation", received_on=D(2026, 3, 3))
    receive(tree["A1"], kind="feedback", filer_name="B", received_on=D(2026, 3, 4), signers=6)
    receive(tree["A1v"], kind="recommendation", filer_name="C", received_on=D(2026, 3, 5))  # a village: no report
    receive(tree["A1"], received_on=D(2026, 6, 2))  # after the cut-off
    receive(tree["A2"], received_on=D(2026, 3, 2))
    receive(tree["A"], received_on=D(2026, 3, 2))  # the province's own
    from danvan.petitions.models import ReceptionVisit

    ReceptionVisit.objects.create(org_unit=tree["A1"], book_year=2026, number=1, visited_on=dt.date(2026, 4, 1),
                                  summary="x", kind="complaint", people_count=3, handling="recorded")
    a1 = Submission.objects.get(period=period, org_unit=tree["A1"])
    got = prefill_for(a1)
    assert got["p_total"] == 4 and got["p_complaints"] == 1 and got["p_den"] == 1 and got["p_rec"] == 2
    assert got["p_resolved"] == 0 and got["p_citizens"] == 3 and got["p_mass"] == 1
    a2 = prefill_for(Submission.objects.get(period=period, org_unit=tree["A2"]))
    assert a2["p_total"] == 1 and a2["p_citizens"] == 0  # a real zero, pre-filled
    # The province does not report in this regime; if it did, its reporting communes would not count twice.
    from danvan.petitions import prefill

    assert prefill.received_total(tree["A"], period) == 1  # its own only: A1, A2 and Adep report for themselves
