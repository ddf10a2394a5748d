"""The SIPAS template: five elements, 22 criteria asked twice, expectations; stable keys; scorable."""

from __future__ import annotations

from typing import Any

import pytest

from danvan.surveys import queries, scoring, services, sipas
from danvan.surveys.models import Aspect, Question, QuestionKind, Section

pytestmark = pytest.mark.django_db


def test_template_has_the_five_elements_and_22_criteria(sipas_survey: Any) -> None:
    version = queries.current_version(sipas_survey)
    sections = list(Section.objects.filter(version=version).order_by("order"))
    assert [s.element_key for s in sections] == ["", "access", "procedure", "officials", "result", "feedback", ""]
    assert [s.element_bit for s in sections] == [None, 0, 1, 2, 3, 4, None]
    qs = Question.objects.filter(section__version=version)
    assert sipas.CRITERIA_COUNT == 22
    assert qs.filter(aspect=Aspect.SATISFACTION, kind=QuestionKind.LIKERT).count() == 22
    assert qs.filter(aspect=Aspect.ASSESSMENT, kind=QuestionKind.LIKERT).count() == 22
    assert qs.filter(aspect=Aspect.EXPECTATION, kind=QuestionKind.TEXT).count() == 6
    keys = set(qs.values_list("key", flat=True))
    assert {"service", "c1-1-a", "c1-1-s", "c3-6-s", "c5-4-a", "e1", "e5", "expectation"} <= keys
    assert len(keys) == qs.count()  # unique
    c22 = qs.get(key="c2-2-s")
    assert c22.criterion == "2.2" and c22.text.startswith("Ông/Bà hài lòng thế nào về")
    assert "niêm yết công khai chính xác" in c22.text


def test_service_question_lists_the_services_and_is_required_without_a_fixed_service(
        sipas_survey: Any, make_survey: Any, survey_tree: dict[str, Any]) -> None:
    q = Question.objects.get(section__version__survey=sipas_survey, key="service")
    assert q.kind == QuestionKind.CHOICE and q.required
    assert {"value": "chung-thuc", "label": "Chứng thực"} in q.choices
    fixed = make_survey(title="Đất đai", service=survey_tree["services"]["dat-dai"])
    assert not Question.objects.get(section__version__survey=fixed, key="service").required


def test_masks_of_a_sipas_answer(sipas_survey: Any) -> None:
    plan = scoring.plan_for(queries.current_version(sipas_survey))
    assert [e.key for e in plan.elements] == ["access", "procedure", "officials", "result", "feedback"]
    assert plan.elements[0].question_keys == ("c1-1-s", "c1-2-s", "c1-3-s", "c1-4-s")
    answers = {"c1-1-s": 5, "c1-2-s": 4, "c2-1-s": 2, "c2-2-s": 3, "c1-1-a": 1}
    assert scoring.masks(plan, answers) == (0b11, 0b01)


def test_a_copy_keeps_the_keys(sipas_survey: Any, officer_user: Any) -> None:
    from .builder_helpers import answer

    answer(sipas_survey)
    v2 = services.draft_version(actor=officer_user, survey=sipas_survey)
    v1 = queries.current_version(sipas_survey)
    keys = lambda v: list(Question.objects.filter(section__version=v).order_by(  # noqa: E731
        "section__order", "order").values_list("key", flat=True))
    assert v2.number == 2 and keys(v2) == keys(v1)
