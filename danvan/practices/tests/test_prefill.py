"""The practices sources of the report pre-fill: registered, recognised, commendations of collectives and
individuals."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from danvan.practices import prefill
from danvan.practices.models import Commendation, Practice, PracticeField
from danvan.reports.models import Indicator, Submission
from danvan.reports.prefill import PROVIDERS, prefill_for
from danvan.reports.tests.conftest import period, small_form  # noqa: F401 - fixtures used by name

pytestmark = pytest.mark.django_db
D = dt.date
KEYS = ("registered", "recognised", "commendations_collective", "commendations_individual")


def practice(unit: Any, name: str, *, year: int = 2026, level: str = "", on: dt.date | None = None,
             **extra: Any) -> Practice:
    return Practice.objects.create(org_unit=unit, year=year, name=name, name_key=name.lower(),
                                   field=PracticeField.objects.get(code="economy"), goals="…",
                                   starts_on=D(year, 1, 1), responsible_person="Ông A", recognition_level=level,
                                   recognised_on=on, **extra)


def commend(unit: Any, kind: str, on: dt.date, **extra: Any) -> Commendation:
    return Commendation.objects.create(awarding_unit=unit, year=on.year, level="commune", recipient_kind=kind,
                                       recipient_name=f"{kind} {on}", org_unit=unit, awarded_on=on, **extra)


def figures(unit: Any, report_period: Any) -> dict[str, Any]:
    return {key: getattr(prefill, key)(unit, report_period) for key in KEYS}


def test_the_default_forms_practices_sources_are_provided() -> None:
    import danvan.reports.default_form as default_form

    text = Path(default_form.__file__).read_text(encoding="utf-8")
    sources = set(re.findall(r'"(practices\.[a-z_]+)"', text))
    assert sources == {f"practices.{k}" for k in KEYS}
    assert sources <= set(PROVIDERS)
    assert PROVIDERS["practices.registered"].func is prefill.registered


def test_figures_over_the_period_and_subtree(tree: Any, period: Any, small_form: Any,  # noqa: F811
                                            django_assert_max_num_queries: Any) -> None:
    # Period data: 15/12/2025 – 31/05/2026 of the year 2026; A1, A2 and Adep report for themselves.
    practice(tree["A1"], "Mô hình 1", level="commune", on=D(2026, 3, 1))
    practice(tree["A1"], "Mô hình 2", level="province", on=D(2025, 12, 20))  # recognised in the cut-off
    practice(tree["A1v"], "Mô hình của bản", level="commune", on=D(2026, 6, 10))  # recognised after it
    practice(tree["A1"], "Mô hình 2025", year=2025, level="commune", on=D(2025, 11, 1))  # last year's
    practice(tree["A1"], "Đã xoá", deleted_at=timezone.now(), level="commune", on=D(2026, 2, 1))
    practice(tree["B1"], "Tỉnh khác", level="commune", on=D(2026, 2, 1))
    commend(tree["A1"], "collective", D(2026, 1, 10))
    commend(tree["A1v"], "collective", D(2026, 5, 31))
    commend(tree["A1"], "individual", D(2026, 2, 2))
    commend(tree["A1"], "individual", D(2025, 12, 1))  # before the cut-off
    commend(tree["A1"], "individual", D(2026, 2, 3), deleted_at=timezone.now())
    commend(tree["B1"], "individual", D(2026, 2, 3))

    with django_assert_max_num_queries(2):
        assert prefill.registered(tree["A1"], period) == 3
    assert figures(tree["A1"], period) == {"registered": 3, "recognised": 2, "commendations_collective": 2,
                                           "commendations_individual": 1}
    # The province's own figure: its communes report for themselves, so nothing of them counts here.
    assert figures(tree["A"], period) == dict.fromkeys(KEYS, 0)
    practice(tree["A"], "Mô hình của tỉnh", level="province", on=D(2026, 4, 4))
    assert figures(tree["A"], period)["recognised"] == 1
    # A unit with no report of its own in the period counts in full (B1's province reports nothing here).
    assert figures(tree["B"], period) == {"registered": 1, "recognised": 1, "commendations_collective": 0,
                                          "commendations_individual": 1}

    for i, key in enumerate(KEYS):
        Indicator.objects.create(form=small_form, code=f"dvk_{i}", name=key, value_type="count",
                                 prefill_source=f"practices.{key}", order=90 + i)
    got = prefill_for(Submission.objects.get(period=period, org_unit=tree["A1"]))
    assert [got[f"dvk_{i}"] for i in range(len(KEYS))] == [3, 2, 2, 1]
    got = prefill_for(Submission.objects.get(period=period, org_unit=tree["A2"]))
    assert [got[f"dvk_{i}"] for i in range(len(KEYS))] == [0, 0, 0, 0]
