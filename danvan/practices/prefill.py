"""The "Dân vận khéo" figures a periodic report is pre-filled with (sources ``practices.*`` of the default form).

Each is the unit's own figure: its records and those of the units below it that do not report for
themselves in this period (a commune's villages). A unit below with its own report counts there, not
twice — the report's aggregation adds it up the tree (as ``danvan.surveys.prefill`` does). Deleted
records never count.

* ``practices.registered``: practices registered for the period's year (the registry is yearly: a
  6-month report counts what the unit registered to build this year);
* ``practices.recognised``: practices recognised (at any level) within the period's data cut-off
  (``period.starts_on`` – ``period.ends_on``);
* ``practices.commendations_collective`` / ``_individual``: commendations awarded within the cut-off to a
  collective / an individual, counted by the recipient's unit.

Registered from ``PracticesConfig.ready()``. Each source costs the query of the units reporting below
and one count.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from danvan.orgs.scope import subtree_q
from danvan.reports.prefill import register, reporting_below

from .models import Commendation, Practice, RegisteredBy


def _own(qs: QuerySet, unit: Any, period: Any) -> QuerySet:
    """``qs`` in the unit's subtree, without the subtrees of the units below it that report themselves."""
    qs = qs.filter(subtree_q([unit.path], prefix="org_unit__"))
    below = reporting_below(unit, period)
    return qs.exclude(subtree_q(below, prefix="org_unit__")) if below else qs


def _in_period(field: str, period: Any) -> dict[str, Any]:
    return {f"{field}__gte": period.starts_on, f"{field}__lte": period.ends_on}


@register("practices.registered", _("Good practices: registered"))
def registered(unit: Any, period: Any) -> int:
    return _own(Practice.objects.filter(deleted_at__isnull=True, year=period.year), unit, period).count()


@register("practices.recognised", _("Good practices: recognised"))
def recognised(unit: Any, period: Any) -> int:
    qs = Practice.objects.filter(deleted_at__isnull=True).exclude(recognition_level="")
    return _own(qs.filter(**_in_period("recognised_on", period)), unit, period).count()


def _commendations(unit: Any, period: Any, kind: str) -> int:
    qs = Commendation.objects.filter(deleted_at__isnull=True, recipient_kind=kind, **_in_period("awarded_on", period))
    return _own(qs, unit, period).count()


@register("practices.commendations_collective", _("Commendations: collectives"))
def commendations_collective(unit: Any, period: Any) -> int:
    return _commendations(unit, period, RegisteredBy.COLLECTIVE)


@register("practices.commendations_individual", _("Commendations: individuals"))
def commendations_individual(unit: Any, period: Any) -> int:
    return _commendations(unit, period, RegisteredBy.INDIVIDUAL)
