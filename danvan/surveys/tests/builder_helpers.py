"""Helpers of the builder tests: a response written straight to the database (the responding code is
another module's; the builder only needs "this version has an answer")."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from danvan.surveys import queries, scoring
from danvan.surveys.models import Response, Survey, SurveyVersion


def latest(survey: Survey) -> SurveyVersion:
    version = queries.latest_version(survey)
    assert version is not None
    return version


def answer(survey: Survey, answers: dict[str, Any] | None = None) -> Response:
    version = queries.current_version(survey)
    assert version is not None
    answers = answers if answers is not None else {"service": "chung-thuc", "c1-1-s": 5}
    answered, satisfied = scoring.masks(scoring.plan_for(version), answers)
    now = timezone.now()
    return Response.objects.create(survey=survey, version=version, org_unit=survey.org_unit, submitted_at=now,
                                   submitted_on=timezone.localdate(), answers=answers,
                                   element_answered=answered, element_satisfied=satisfied)
