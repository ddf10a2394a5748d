"""Reads of surveys: which version citizens answer, whether a survey takes answers, the builder's lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q

from .models import Desk, Question, Response, Section, Survey, SurveyStatus, SurveyVersion
from .rules import CHANGE_ROLES


def current_version(survey: Survey) -> SurveyVersion | None:
    """The latest published version: the one a new response answers (a later draft is not yet asked)."""
    return survey.versions.exclude(published_at=None).order_by("-number").first()


def latest_version(survey: Survey) -> SurveyVersion | None:
    return survey.versions.order_by("-number").first()


def accepting_responses(survey: Survey, on: dt.date | None = None) -> bool:
    """Open, not deleted, and ``on`` (today by default) within the survey's dates."""
    if survey.deleted_at is not None or survey.status != SurveyStatus.OPEN:
        return False
    day = on or timezone.localdate()
    if survey.opens_on and day < survey.opens_on:
        return False
    return not (survey.closes_on and day > survey.closes_on)


def has_responses(version: SurveyVersion) -> bool:
    return Response.objects.filter(version=version).exists()


def surveys_for(user: Any, *, unit: OrgUnit | None = None, status: str = "") -> QuerySet[Survey]:
    """The surveys a user may see (not deleted), optionally of one unit's subtree and one status."""
    qs = Survey.objects.visible_to(user).filter(deleted_at=None).select_related("org_unit", "service")
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], "org_unit__"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def editable_units(user: Any) -> QuerySet[OrgUnit]:
    """Units where the user may create surveys and manage desks (and their subtrees)."""
    return OrgUnit.objects.visible_to(user, roles=CHANGE_ROLES).current().order_by("path")


def version_outline(version: SurveyVersion) -> list[Section]:
    """The version's sections with their questions, in order (two queries)."""
    return list(
        version.sections.order_by("order").prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("order"))
        )
    )


def desks_of(unit: OrgUnit) -> QuerySet[Desk]:
    return Desk.objects.filter(org_unit=unit).order_by("code")


def choice_values(question: Question) -> list[str]:
    """The values a choice question accepts (``choices`` is a list of ``{"value", "label"}``)."""
    return [c["value"] for c in question.choices or [] if isinstance(c, dict) and "value" in c]
