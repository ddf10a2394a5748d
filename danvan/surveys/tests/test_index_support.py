"""Helpers for the index, results, export, pre-fill and portal tests: surveys and responses made with the models.

Responses get their masks from ``scoring`` exactly as every real write path does, so the index is
tested against what the submission code would have stored.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from danvan.surveys import scoring
from danvan.surveys.models import Question, Response, Section, Survey, SurveyVersion

_codes = itertools.count(1)

ELEMENTS = (("access", "Tiếp cận dịch vụ", ("c1-1-s", "c1-2-s")), ("officials", "Công chức", ("c3-1-s",)))


def make_survey(unit: Any, *, title: str = "Khảo sát hài lòng", status: str = "open", elements: Any = ELEMENTS,
                threshold: int = 4, rule: str = "mean", weights: tuple[int, ...] = (), **extra: Any) -> Survey:
    survey = Survey.objects.create(org_unit=unit, title=title, public_code=f"T{next(_codes):09d}", status=status,
                                   **extra)
    add_version(survey, elements=elements, threshold=threshold, rule=rule, weights=weights)
    return survey


def add_version(survey: Survey, *, elements: Any = ELEMENTS, threshold: int = 4, rule: str = "mean",
                weights: tuple[int, ...] = ()) -> SurveyVersion:
    number = survey.versions.count() + 1
    version = SurveyVersion.objects.create(survey=survey, number=number, satisfied_threshold=threshold,
                                           element_rule=rule, published_at=timezone.now())
    intro = Section.objects.create(version=version, order=0, title="Dịch vụ")
    Question.objects.create(section=intro, order=0, key="service", text="Dịch vụ?", kind="choice",
                            choices=["Chứng thực", "Xác nhận"], required=False)
    for i, (key, title, qkeys) in enumerate(elements):
        section = Section.objects.create(version=version, order=i + 1, title=title, element_key=key, element_bit=i,
                                         weight=weights[i] if i < len(weights) else 1)
        for j, qkey in enumerate(qkeys):
            Question.objects.create(section=section, order=2 * j, key=qkey.replace("-s", "-a"), text=f"Đánh giá {qkey}",
                                    kind="likert", aspect="assessment")
            Question.objects.create(section=section, order=2 * j + 1, key=qkey, text=f"Hài lòng {qkey}",
                                    kind="likert", aspect="satisfaction")
    last = Section.objects.create(version=version, order=len(elements) + 1, title="Mong muốn")
    Question.objects.create(section=last, order=0, key="e0", text="Mong muốn?", kind="text", required=False,
                            aspect="expectation")
    return version


def respond(survey: Survey, answers: dict[str, Any], *, version: SurveyVersion | None = None,
            on: dt.date | None = None, unit: Any = None, voided: bool = False, **extra: Any) -> Response:
    version = version or survey.versions.order_by("-number").first()
    assert version is not None
    answered, satisfied = scoring.masks(scoring.plan_for(version), answers)
    day = on or timezone.localdate()
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
    return Response.objects.create(
        survey=survey, version=version, org_unit=unit or survey.org_unit, submitted_at=at, submitted_on=day,
        answers=answers, element_answered=answered, element_satisfied=satisfied,
        voided_at=timezone.now() if voided else None, **extra,
    )
