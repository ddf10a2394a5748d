"""The grassroots-democracy sources of the report pre-fill: items disclosed and residents' decisions passed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from danvan.disclosures import prefill
from danvan.disclosures.models import Disclosure, DisclosureCategory, ResidentDecision
from danvan.reports.models import Indicator, Submission
from danvan.reports.prefill import PROVIDERS, prefill_for
from danvan.reports.tests.conftest import period, small_form  # noqa: F401 - fixtures used by name

pytestmark = pytest.mark.django_db
D = dt.date


def disclose(unit: Any, on: dt.date | None, status: str = "published", **extra: Any) -> Disclosure:
    return Disclosure.objects.create(org_unit=unit, category=DisclosureCategory.objects.get(code="budget"),
                                     title=f"Mục {on}", disclosed_on=on, status=status, **extra)


def decide(unit: Any, on: dt.date, passed: bool, **extra: Any) -> ResidentDecision:
    return ResidentDecision.objects.create(
        org_unit=unit, matter="contribution", title=f"Góp {on} {passed}", held_on=on, decided_on=on,
        households_total=90, households_participating=80, votes_for=70 if passed else 30, votes_against=10,
        threshold="two_thirds", passed=passed, **extra)


def test_the_default_forms_disclosure_sources_are_provided() -> None:
    import danvan.reports.default_form as default_form

    text = Path(default_form.__file__).read_text(encoding="utf-8")
    sources = set(re.findall(r'"(disclosures\.[a-z_]+)"', text))
    assert sources <= set(PROVIDERS)
    assert {"disclosures.made", "disclosures.decisions_taken"} <= set(PROVIDERS)


def test_figures_over_the_period_and_subtree(tree: Any, period: Any, small_form: Any) -> None:  # noqa: F811
    # Period data: 15/12/2025 – 31/05/2026; A1, A2 and Adep report for themselves.
    disclose(tree["A1"], D(2025, 12, 15))
    disclose(tree["A1v"], D(2026, 5, 31), is_public=False)  # a village's, not on the portal: counted all the same
    disclose(tree["A1"], D(2026, 3, 1), status="withdrawn")  # made, then withdrawn: it was made
    disclose(tree["A1"], D(2025, 12, 14))  # before the cut-off
    disclose(tree["A1"], D(2026, 6, 1))  # after it
    disclose(tree["A1"], None, status="draft")
    disclose(tree["A1"], D(2026, 2, 1), deleted_at=timezone.now())
    disclose(tree["B1"], D(2026, 2, 1))
    decide(tree["A1v"], D(2026, 1, 10), True)
    decide(tree["A1v"], D(2026, 1, 11), False)  # failed: no decision taken
    decide(tree["A1v"], D(2026, 1, 12), True, deleted_at=timezone.now())
    decide(tree["A1v"], D(2026, 6, 2), True)

    assert prefill.made(tree["A1"], period) == 3
    assert prefill.decisions_taken(tree["A1"], period) == 1
    # The province's own figure: its communes report for themselves, so their items count there, not twice.
    assert prefill.made(tree["A"], period) == 0
    assert prefill.made(tree["A2"], period) == 0 and prefill.decisions_taken(tree["A2"], period) == 0
    disclose(tree["A"], D(2026, 1, 5))
    assert prefill.made(tree["A"], period) == 1

    Indicator.objects.create(form=small_form, code="disc", name="disc", value_type="count",
                             prefill_source="disclosures.made", order=90)
    Indicator.objects.create(form=small_form, code="dec", name="dec", value_type="count",
                             prefill_source="disclosures.decisions_taken", order=91)
    got = prefill_for(Submission.objects.get(period=period, org_unit=tree["A1"]))
    assert got["disc"] == 3 and got["dec"] == 1
    got = prefill_for(Submission.objects.get(period=period, org_unit=tree["A2"]))
    assert got["disc"] == 0 and got["dec"] == 0


def test_consultations_and_supervisions_counted(tree: Any, period: Any, small_form: Any) -> None:  # noqa: F811
    from danvan.disclosures.models import BoardFinding, Consultation, FrontSupervision, PeopleBoard

    def consult(on: dt.date, status: str, **extra: Any) -> None:
        Consultation.objects.create(org_unit=tree["A1"], matter="project", title=f"Ý kiến {on} {status}",
                                    opens_on=on, closes_on=on + dt.timedelta(days=10), status=status, **extra)

    consult(D(2026, 1, 5), "open")
    consult(D(2026, 2, 5), "published")
    consult(D(2026, 3, 5), "draft")  # never put to residents
    consult(D(2026, 7, 5), "open")  # after the cut-off
    consult(D(2026, 4, 5), "closed", deleted_at=timezone.now())
    board = PeopleBoard.objects.create(org_unit=tree["A1"], kind="inspection", name="Ban TTND",
                                       term_starts_on=D(2025, 1, 1), term_ends_on=D(2029, 12, 31))
    for on in (D(2026, 1, 20), D(2026, 3, 20), D(2025, 12, 1)):
        BoardFinding.objects.create(board=board, found_on=on, subject=f"Giám sát {on}", findings="...",
                                    addressed_to=tree["A1"])
    FrontSupervision.objects.create(org_unit=tree["A1"], by_name="UBMTTQ xã", kind="supervision",
                                    subject="Chi trả chính sách", starts_on=D(2026, 4, 1))
    FrontSupervision.objects.create(org_unit=tree["B1"], by_name="UBMTTQ xã", kind="critique",
                                    subject="Quy hoạch", starts_on=D(2026, 4, 1))

    assert prefill.consultations_held(tree["A1"], period) == 2
    assert prefill.board_supervisions(tree["A1"], period) == 2
    assert prefill.front_supervisions(tree["A1"], period) == 1
    # A1 reports for itself: the province does not count its commune's records again.
    assert prefill.consultations_held(tree["A"], period) == 0
    assert prefill.board_supervisions(tree["A"], period) == 0
    assert prefill.front_supervisions(tree["B1"], period) == 1
