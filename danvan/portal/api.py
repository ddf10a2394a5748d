"""/api/v1/portal: the portal's open data as JSON, for other systems. Public: no token needed.

The same figures as ``/public/units/<id>/data.json`` (``opendata``), with the API's error shape: a
wrong or reversed period is 400 naming ``from`` or ``to``, an unknown unit 404. Answers are cached
like the public files, so a crawler cannot make every figure be recomputed on each call.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from danvan.api.errors import ErrorOut, error_responses
from danvan.api.pagination import MAX_ID

from . import opendata, queries

router = Router(tags=["portal"])


class PeriodParams(Schema):
    date_from: str | None = Field(None, alias="from", max_length=20,
                                  description="First day, YYYY-MM-DD (default: 1 January of this year).")
    date_to: str | None = Field(None, alias="to", max_length=20, description="Last day, YYYY-MM-DD (default: today).")


class PortalUnitOut(Schema):
    id: int = Field(description="The unit's id (as in /public/units/{id}/).")
    code: str = Field(description="The official code (statistics office), or empty.")
    name: str = Field(description="The unit's name.")


class OpenFigureOut(Schema):
    key: str = Field(description="Stable key, prefixed by the publishing app, e.g. petitions.received_total.")
    label: str = Field(description="What the figure counts, in the caller's language (Vietnamese by default).")
    value: int | float | None = Field(description="The figure; null when it is not available (not zero).")
    unit: str = Field(description="Unit of measure: petitions, cases, people, days, %… or empty.")


class OpenDataOut(Schema):
    unit: PortalUnitOut
    date_from: str = Field(description="First day of the period, YYYY-MM-DD.")
    date_to: str = Field(description="Last day of the period, YYYY-MM-DD.")
    generated_at: str = Field(description="When the figures were computed (they may be cached for a few minutes).")
    figures: list[OpenFigureOut] = Field(description="The figures of every app, for the unit and all units below it.")


class NationalOpenDataOut(Schema):
    date_from: str = Field(description="First day of the period, YYYY-MM-DD.")
    date_to: str = Field(description="Last day of the period, YYYY-MM-DD.")
    generated_at: str = Field(description="When the figures were computed (they may be cached for a few minutes).")
    provinces: list[OpenDataOut] = Field(description="Each current province with its figures.")


def _period(params: PeriodParams) -> opendata.Period | Status:
    try:
        return opendata.period({"from": params.date_from or "", "to": params.date_to or ""})
    except ValidationError as exc:
        errors = [{"field": f, "message": m} for f, ms in exc.message_dict.items() for m in ms]
        return Status(400, {"detail": _("The period is not valid."), "errors": errors})


@router.get(
    "/units/{unit_id}/open-data", response={200: OpenDataOut, **error_responses(400, 404, 422)}, auth=None,
    summary="Open data of a unit", operation_id="portal_unit_open_data",
)
def unit_open_data(request: HttpRequest, unit_id: Path[int], params: Query[PeriodParams]) -> Any:
    """Aggregated public figures (counts and rates, no personal data) of every app for the unit and its whole
    subtree over the period. Any unit, current or former. No authentication. A bad or reversed period is 400."""
    when = _period(params)
    if isinstance(when, Status):
        return when
    unit = queries.unit_or_none(unit_id) if 1 <= unit_id <= MAX_ID else None
    if unit is None:
        return Status(404, ErrorOut(detail=_("This unit does not exist.")))
    key = f"portal:data:{unit.pk}:{translation.get_language()}:{when.date_from}:{when.date_to}:json"
    return opendata.cached(key, lambda: opendata.as_json(unit, when, opendata.figures(unit, when)))


@router.get(
    "/national/open-data", response={200: NationalOpenDataOut, **error_responses(400, 422)}, auth=None,
    summary="Open data of every province", operation_id="portal_national_open_data",
)
def national_open_data(request: HttpRequest, params: Query[PeriodParams]) -> Any:
    """The open data of each current province over the period, in one answer. No authentication."""
    when = _period(params)
    if isinstance(when, Status):
        return when
    key = f"portal:data:national:{translation.get_language()}:{when.date_from}:{when.date_to}:json"
    return opendata.cached(key, lambda: opendata.national_json(when))
