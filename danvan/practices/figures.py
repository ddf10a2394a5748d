"""The dashboard's figures about good practices ("Dân vận khéo"), registered at start-up.

* ``practices.registered``: live practices registered for the year (a year period), or of that year
  starting in the quarter (a quarter period); by the registering unit.
* ``practices.recognised``: live practices recognised at some level, by the day of recognition in
  the period; by the practice's unit.

One grouped query each; a unit without practices has no figure (not available), never 0.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from danvan.dashboard.registry import FigureDef, PeriodRange, ProviderResult, counts, page_url, register

from .models import Practice


def registered(period: PeriodRange) -> ProviderResult:
    qs = Practice.objects.filter(year=period.year, deleted_at__isnull=True)
    if period.is_quarter:
        qs = qs.filter(starts_on__gte=period.starts_on, starts_on__lte=period.ends_on)
    return counts(qs.order_by().values("org_unit_id").annotate(n=Count("pk")).values_list("org_unit_id", "n"))


def recognised(period: PeriodRange) -> ProviderResult:
    qs = Practice.objects.filter(period.between_q("recognised_on"), deleted_at__isnull=True).exclude(
        recognition_level="")
    return counts(qs.order_by().values("org_unit_id").annotate(n=Count("pk")).values_list("org_unit_id", "n"))


def _list_url(unit: Any, period: PeriodRange) -> str:
    return page_url("practices:list", unit=unit.pk, year=period.year)


register(FigureDef(
    key="practices.registered", order=70, label=_("Good practices registered"), kind="count", provider=registered,
    source_url=_list_url, description=_("Good practices the unit registered for the period."),
))
register(FigureDef(
    key="practices.recognised", order=80, label=_("Good practices recognised"), kind="count", provider=recognised,
    source_url=_list_url, description=_("Good practices of the unit recognised (at any level) in the period."),
))
