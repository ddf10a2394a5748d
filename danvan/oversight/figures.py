"""The dashboard's figure about dissemination, registered at start-up.

``oversight.disseminated``: dissemination sessions ("quán triệt") held in the period, by the unit
that held them (deleted ones left out). The share of units that disseminated a given document is a
plan target's business (``oversight.queries.disseminated_share``); this count is what the trend and
the league table can compare. One grouped query; a unit without sessions has no figure.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from danvan.dashboard.registry import FigureDef, PeriodRange, ProviderResult, counts, page_url, register

from .models import Dissemination


def disseminated(period: PeriodRange) -> ProviderResult:
    qs = Dissemination.objects.filter(period.between_q("held_on"), deleted_at__isnull=True)
    return counts(qs.order_by().values("org_unit_id").annotate(n=Count("pk")).values_list("org_unit_id", "n"))


def _list_url(unit: Any, period: PeriodRange) -> str:
    return page_url("oversight:dissemination_list", unit=unit.pk, year=period.year)


register(FigureDef(
    key="oversight.disseminated", order=90, label=_("Dissemination sessions held"), kind="count", provider=disseminated,
    source_url=_list_url, description=_("Dissemination sessions the unit held in the period."),
))
