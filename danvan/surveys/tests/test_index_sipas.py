"""The index over the real SIPAS template and the real submission path (H3's builder, H4's submit_response)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from danvan.surveys import index, queries, responses
from danvan.surveys.models import Aspect, Question, Response

pytestmark = pytest.mark.django_db


def answers_for(survey: Any, value: int, officials: int | None = None) -> dict[str, Any]:
    version = queries.current_version(survey)
    out: dict[str, Any] = {}
    for q in Question.objects.filter(section__version=version, kind="likert").select_related("section"):
        v = officials if officials is not None and q.section.element_key == "officials" else value
        out[q.key] = v
    service = Question.objects.get(section__version=version, key="service")
    out["service"] = service.choices[0]["value"]
    return out


def test_sipas_survey_index_has_the_five_elements(sipas_survey: Any, survey_tree: Any) -> None:
    responses.submit_response(survey=sipas_survey, answers=answers_for(sipas_survey, 5, officials=2),
                              scan_session="s1")
    responses.submit_response(survey=sipas_survey, answers=answers_for(sipas_survey, 4), scan_session="s2")
    responses.submit_response(survey=sipas_survey, answers=answers_for(sipas_survey, 3), scan_session="s3")
    with translation.override("en"):
        result = index.compute(responses_qs=Response.objects.filter(survey=sipas_survey))
    assert [e.key for e in result.elements] == ["access", "procedure", "officials", "result", "feedback"]
    shares = {e.key: e.share for e in result.elements}
    assert shares == {"access": 66.7, "procedure": 66.7, "officials": 33.3, "result": 66.7, "feedback": 66.7}
    assert result.overall == round((4 * 200 / 3 + 100 / 3) / 5, 1)
    assert "Overall: mean of the 5 elements." in result.formula
    assert index.unit_index(survey_tree["A"], None, None).respondents == 3
    assert Question.objects.filter(section__version__survey=sipas_survey, aspect=Aspect.SATISFACTION).count() == 22
    version = queries.current_version(sipas_survey)
    assert version is not None
    questions, read, capped = index.question_distribution(version, Response.objects.filter(survey=sipas_survey))
    assert read == 3 and not capped
    service = next(q for q in questions if q.key == "service")
    first = Question.objects.get(section__version__survey=sipas_survey, key="service").choices[0]
    assert service.counts[0] == (first["label"], 3) and service.answered == 3
    likert = next(q for q in questions if q.key == "c3-1-s")
    assert likert.counts == [("1", 0), ("2", 1), ("3", 1), ("4", 1), ("5", 0)] and likert.mean == 3.0
