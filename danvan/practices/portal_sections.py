"""The "Good practices" section of a unit's public page ("Dân vận khéo"), and its open-data figures.

The section lists the practices recognised (at any level) of the unit and of the units below it, latest
recognised first, each with its field, level and how many other units adopted it: one bounded query
(the adoption count is a subquery of it). Nothing personal is shown: the person responsible or the
individual who registered a practice stays off the public page. A unit with no recognised practice
gets no section. Registered from ``PracticesConfig.ready()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q
from danvan.portal.registry import OpenFigure, Section, register

from .models import Commendation, Practice, Replication

MAX_PRACTICES = 20


def recognised(unit: Any) -> tuple[list[dict[str, Any]], bool]:
    """The subtree's recognised practices (at most ``MAX_PRACTICES``) and whether more exist; one query."""
    adopted = (Replication.objects.filter(practice=OuterRef("pk"), deleted_at__isnull=True).order_by()
               .values("practice").annotate(n=Count("pk")).values("n"))
    rows: list[dict[str, Any]] = [dict(r) for r in (
        Practice.objects.filter(subtree_q([unit.path], prefix="org_unit__"), deleted_at__isnull=True)
        .exclude(recognition_level="")
        .annotate(adopted=Coalesce(Subquery(adopted, output_field=IntegerField()), 0))
        .order_by("-recognised_on", "-pk")
        .values("pk", "name", "year", "place", "goals", "ethnic_remote", "recognition_level", "recognised_on",
                "adopted", "org_unit_id", "org_unit__name", "field__name")[: MAX_PRACTICES + 1]
    )]
    labels = dict(Practice._meta.get_field("recognition_level").choices or [])
    for r in rows:
        r["level_label"] = labels.get(r["recognition_level"], r["recognition_level"])
    return rows[:MAX_PRACTICES], len(rows) > MAX_PRACTICES


def _context(unit: Any, request: HttpRequest) -> dict[str, Any] | None:
    practices, more = recognised(unit)
    if not practices:
        return None
    return {"practices": practices, "more": more}


def _count(qs: QuerySet) -> Coalesce:
    """``qs``'s row count as a scalar subquery (aggregated over a constant: one row, whatever matches)."""
    return Coalesce(Subquery(qs.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk")).values("n"),
                             output_field=IntegerField()), 0)


def open_figures(unit: Any, date_from: dt.date, date_to: dt.date) -> list[OpenFigure]:
    """Counts over the subtree, in one query: practices registered for the years of the range (and those in
    ethnic-minority or remote areas), recognised within it, and commendations awarded within it."""
    live = Practice.objects.filter(subtree_q([unit.path], prefix="org_unit__"), deleted_at__isnull=True)
    registered = live.filter(year__gte=date_from.year, year__lte=date_to.year)
    awarded = Commendation.objects.filter(subtree_q([unit.path], prefix="org_unit__"), deleted_at__isnull=True,
                                          awarded_on__gte=date_from, awarded_on__lte=date_to)
    found = OrgUnit.objects.filter(pk=unit.pk).values(pk_=F("pk")).annotate(
        registered=_count(registered),
        ethnic_remote=_count(registered.filter(ethnic_remote=True)),
        recognised=_count(live.exclude(recognition_level="").filter(recognised_on__gte=date_from,
                                                                     recognised_on__lte=date_to)),
        collective=_count(awarded.filter(recipient_kind="collective")),
        individual=_count(awarded.filter(recipient_kind="individual")),
    ).first()
    row: dict[str, Any] = dict(found) if found else {}
    return [
        OpenFigure("practices.registered", _("Good practices registered"), row.get("registered", 0), "practices"),
        OpenFigure("practices.registered_ethnic_remote",
                   _("Good practices registered in ethnic-minority or remote areas"), row.get("ethnic_remote", 0),
                   "practices"),
        OpenFigure("practices.recognised", _("Good practices recognised"), row.get("recognised", 0), "practices"),
        OpenFigure("practices.commendations_collective", _("Collectives commended"), row.get("collective", 0),
                   "collectives"),
        OpenFigure("practices.commendations_individual", _("Individuals commended"), row.get("individual", 0),
                   "people"),
    ]


SECTION = register(Section(key="practices", title=_("Good practices (“Dân vận khéo”)"), order=70,
                           template="practices/portal/section.html", context=_context, open_data=open_figures))
