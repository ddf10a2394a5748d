"""The satisfaction index: shares per element, the overall mean, breakdowns, versions, voided responses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from danvan.surveys import index
from danvan.surveys.models import Response

from .test_index_support import add_version, make_survey, respond

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Any:
    """The formula's wording is checked in its English source; the Vietnamese is the catalogue's (test_i18n)."""
    with translation.override("en"):
        yield

D = dt.date


def sat(a1: int, a2: int, o: int) -> dict[str, Any]:
    return {"c1-1-s": a1, "c1-2-s": a2, "c3-1-s": o, "c1-1-a": 3}


def test_no_response_is_not_available_never_zero(tree: Any) -> None:
    survey = make_survey(tree["A1"])
    result = index.compute(responses_qs=Response.objects.filter(survey=survey))
    assert result.respondents == 0
    assert result.overall is None and not result.available
    assert result.elements == []
    assert "≥ 4" in result.formula


def test_shares_per_element_and_overall_mean(tree: Any, django_assert_num_queries: Any) -> None:
    survey = make_survey(tree["A1"])
    respond(survey, sat(5, 4, 5))  # access mean 4.5 ✓, officials ✓
    respond(survey, sat(4, 3, 2))  # access mean 3.5 ✗, officials ✗
    respond(survey, sat(5, 3, 4))  # access mean 4 ✓, officials ✓
    respond(survey, {"c3-1-s": 1})  # access not answered, officials ✗
    respond(survey, sat(5, 5, 5), voided=True)  # left out
    with django_assert_num_queries(2):
        result = index.compute(responses_qs=Response.objects.filter(survey=survey))
    assert result.respondents == 4
    access, officials = result.elements
    assert (access.key, access.title, access.answered, access.satisfied) == ("access", "Tiếp cận dịch vụ", 3, 2)
    assert (officials.key, officials.answered, officials.satisfied) == ("officials", 4, 2)
    assert access.share == 66.7 and officials.share == 50.0
    assert result.overall == round((200 / 3 + 50) / 2, 1) == 58.3
    assert result.formula.startswith("Per element: share of respondents whose mean satisfaction answer for the "
                                     "element is ≥ 4 (satisfied or very satisfied).")
    assert "Overall: mean of the 2 elements." in result.formula


def test_an_element_nobody_answered_is_left_out_of_the_mean(tree: Any) -> None:
    survey = make_survey(tree["A1"])
    respond(survey, {"c3-1-s": 5})
    result = index.compute(responses_qs=Response.objects.filter(survey=survey))
    access, officials = result.elements
    assert access.share is None and access.answered == 0
    assert officials.share == 100.0
    assert result.overall == 100.0


def test_weighted_overall_uses_section_weights(tree: Any) -> None:
    survey = make_survey(tree["A1"], weights=(3, 1))
    respond(survey, sat(5, 5, 1))  # access ✓ officials ✗
    mean = index.compute(responses_qs=Response.objects.filter(survey=survey))
    weighted = index.compute(responses_qs=Response.objects.filter(survey=survey), overall="weighted")
    assert mean.overall == 50.0
    assert weighted.overall == 75.0
    assert "weighted" in weighted.formula
    with pytest.raises(ValueError):
        index.compute(responses_qs=Response.objects.all(), overall="median")
    with pytest.raises(ValueError):
        index.compute(responses_qs=Response.objects.all(), by="colour")


def test_rule_all_and_threshold_five_are_frozen_per_version(tree: Any) -> None:
    survey = make_survey(tree["A1"], rule="all", threshold=5)
    respond(survey, sat(5, 4, 5))  # access: not every answer is 5 → ✗
    result = index.compute(responses_qs=Response.objects.filter(survey=survey))
    assert [e.share for e in result.elements] == [0.0, 100.0]
    assert "every satisfaction answer" in result.formula and "≥ 5 (very satisfied)" in result.formula


def test_versions_are_merged_by_element_key_even_when_bits_differ(tree: Any) -> None:
    survey = make_survey(tree["A1"])
    v1 = survey.versions.get()
    respond(survey, sat(5, 5, 1), version=v1)  # access ✓ officials ✗
    # Version 2 swaps the order: officials is bit 0 now, access bit 1, and renames access.
    v2 = add_version(survey, elements=(("officials", "Công chức", ("c3-1-s",)),
                                       ("access", "Tiếp cận", ("c1-1-s",))), threshold=3)
    respond(survey, {"c3-1-s": 3, "c1-1-s": 2}, version=v2)  # officials ✓ (≥3), access ✗
    result = index.compute(responses_qs=Response.objects.filter(survey=survey))
    by_key = {e.key: e for e in result.elements}
    assert [e.key for e in result.elements] == ["officials", "access"]  # the newest version's order
    assert by_key["access"].title == "Tiếp cận"
    assert (by_key["access"].answered, by_key["access"].satisfied) == (2, 1)
    assert (by_key["officials"].answered, by_key["officials"].satisfied) == (2, 1)
    assert "different rules" in result.formula and "≥ 3" in result.formula and "≥ 4" in result.formula


def test_breakdowns_sum_to_the_total(tree: Any, make_user: Any, django_assert_max_num_queries: Any) -> None:
    from danvan.surveys.models import Desk, Service

    officer = make_user("canbo", (tree["A1"], "officer"), first_name="Lan", last_name="Nguyễn")
    service = Service.objects.create(code="chung-thuc-x", name="Chứng thực X")
    desk = Desk.objects.create(org_unit=tree["A1"], code="q1", name="Quầy 1")
    survey = make_survey(tree["A1"])
    respond(survey, sat(5, 5, 5), on=D(2026, 1, 10), service=service, desk=desk, officer=officer)
    respond(survey, sat(1, 1, 1), on=D(2026, 1, 20), service=service)
    respond(survey, sat(4, 4, 4), on=D(2026, 3, 2), desk=desk)
    qs = Response.objects.filter(survey=survey)
    with django_assert_max_num_queries(3):
        months = index.compute(responses_qs=qs, by="month")
    assert [(r.label, r.respondents, r.overall) for r in months.rows] == [("01/2026", 2, 50.0), ("03/2026", 1, 100.0)]
    assert months.overall == index.compute(responses_qs=qs).overall
    services = index.compute(responses_qs=qs, by="service")
    assert [(r.label, r.respondents) for r in services.rows] == [("Chứng thực X", 2), ("No service named", 1)]
    desks = index.compute(responses_qs=qs, by="desk")
    assert [(r.label, r.respondents) for r in desks.rows] == [("Quầy 1", 2), ("No desk named", 1)]
    officers = index.compute(responses_qs=qs, by="officer")
    assert officers.rows[0].label == "Lan Nguyễn" and officers.rows[0].overall == 100.0
    many = index.compute_many(responses_qs=qs, bys=["month", "service"])
    assert many["service"].rows[0].respondents == 2 and many["month"].overall == months.overall


def test_unit_index_aggregates_up_the_tree_and_by_child(tree: Any) -> None:
    province = make_survey(tree["A"])
    commune = make_survey(tree["A1"])
    other = make_survey(tree["B1"])
    respond(commune, sat(5, 5, 5), on=D(2026, 2, 1))
    respond(province, sat(1, 1, 1), on=D(2026, 2, 1), unit=tree["A1v"])  # about a village of A1
    respond(province, sat(5, 5, 1), on=D(2026, 2, 1), unit=tree["A2"])
    respond(province, sat(5, 5, 5), on=D(2026, 2, 1))  # about the province itself
    respond(commune, sat(5, 5, 5), on=D(2025, 12, 31))  # before the period
    respond(other, sat(1, 1, 1), on=D(2026, 2, 1))  # another province
    a = index.unit_index(tree["A"], D(2026, 1, 1), D(2026, 12, 31))
    assert a.respondents == 4
    a1 = index.unit_index(tree["A1"], D(2026, 1, 1), D(2026, 12, 31))
    assert a1.respondents == 2 and a1.overall == 50.0
    assert index.unit_index(tree["A2"], D(2027, 1, 1), D(2027, 12, 31)).overall is None
    per_unit = index.unit_index(tree["A"], D(2026, 1, 1), D(2026, 12, 31), by="org_unit")
    children = [tree["A1"], tree["A2"], tree["Adep"]]
    rows = index.by_child(tree["A"], per_unit, children)
    assert [(r.label, r.respondents, r.overall) for r in rows] == [
        ("Tỉnh Lai Châu", 1, 100.0), ("Xã Bình Lư", 2, 50.0), ("Phường Tân Phong", 1, 50.0)]
    survey_deleted = make_survey(tree["A2"])
    respond(survey_deleted, sat(1, 1, 1), on=D(2026, 2, 1))
    from django.utils import timezone

    type(survey_deleted).objects.filter(pk=survey_deleted.pk).update(deleted_at=timezone.now())
    assert index.unit_index(tree["A2"], D(2026, 1, 1), D(2026, 12, 31)).respondents == 1
