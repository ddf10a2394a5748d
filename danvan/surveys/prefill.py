"""The survey figures a periodic report is pre-filled with (sources ``surveys.*`` of the default form).

Both are the unit's own figure over the period's data cut-off (``period.starts_on`` –
``period.ends_on``): its surveys and responses and those of the units below it that do not report for
themselves in this period (a commune's villages). A unit below with its own report in the period counts
there, not twice — the report's aggregation adds it up the tree (as ``danvan.petitions.prefill`` does). A unit without any response in the period
has no index: ``None`` leaves the indicator for the officer to fill, never a false 0.

Registered from ``SurveysConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from danvan.orgs.scope import subtree_q
from danvan.reports.prefill import register, reporting_below

from . import index
from .models import Response, Survey, SurveyStatus


def _own(qs: Any, unit: Any, period: Any) -> Any:
    below = reporting_below(unit, period)
    return qs.exclude(subtree_q(below, prefix="org_unit__")) if below else qs


@register("surveys.satisfaction_index", _("Surveys: satisfaction index (%)"))
def satisfaction_index(unit: Any, period: Any) -> float | None:
    """The overall index (mean of the elements) of the responses about the unit (and its non-reporting units)."""
    responses = _own(index.subtree_responses(unit, period.starts_on, period.ends_on), unit, period)
    return index.compute(responses_qs=responses).overall


@register("surveys.conducted", _("Surveys: satisfaction surveys conducted"))
def conducted(unit: Any, period: Any) -> int:
    """Surveys of the subtree open at some time in the period that received at least one response in it."""
    answered = Response.objects.filter(survey=OuterRef("pk"), voided_at__isnull=True,
                                       submitted_on__gte=period.starts_on, submitted_on__lte=period.ends_on)
    return (
        _own(Survey.objects.filter(subtree_q([unit.path], prefix="org_unit__"), deleted_at__isnull=True), unit, period)
        .exclude(status=SurveyStatus.DRAFT)
        .filter(Q(opens_on__isnull=True) | Q(opens_on__lte=period.ends_on))
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=period.starts_on))
        .filter(Exists(answered))
        .count()
    )
