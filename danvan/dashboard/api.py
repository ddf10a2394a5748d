"""/api/v1/dashboard: the pre-aggregated figures by unit, trends, and league tables.

Thin over ``views_common`` (unit, period, figures) and ``league`` (scores and writes). A unit or a table
the caller cannot see answers 404 like one that does not exist; a write the caller may not make is 403;
a stale ``expected_version`` is 409 (nothing saved); bad input is 422 naming the field. A figure that is
not available is null, never 0.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Path, Query, Router, Status

from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import MAX_ID
from danvan.orgs.models import OrgUnit

from . import league
from . import views_common as common
from .api_schemas import (
    DashboardTrendOut,
    DashboardTrendParams,
    DashboardTrendPointOut,
    DashboardUnitOut,
    FigureDefOut,
    FigureRowOut,
    FigureTableOut,
    FigureTableParams,
    FigureValueOut,
    LeagueCriterionOut,
    LeagueDeleteParams,
    LeagueParams,
    LeagueResultOut,
    LeagueRowOut,
    LeagueTableIn,
    LeagueTableList,
    LeagueTableOut,
    LeagueTableUpdateIn,
)
from .models import LeagueTable

router = Router(tags=["dashboard"])

READ_ERRORS = error_responses(*AUTH_ERRORS, 404, 422)
WRITE_ERRORS = error_responses(*AUTH_ERRORS, 404, 409, 422)
MAX_TABLES = 200

TableId = Annotated[int, Path(description="The league table's id; 404 if it does not exist or the caller cannot "
                                          "see it.")]


def _unit_out(unit: OrgUnit | None) -> DashboardUnitOut | None:
    return None if unit is None else DashboardUnitOut(id=unit.pk, name=unit.name, code=unit.code or "")


def _def_out(d: Any) -> FigureDefOut:
    return FigureDefOut(key=d.key, label=str(d.label), kind=d.kind, higher_is_better=bool(d.higher_is_better),
                        description=str(getattr(d, "description", "") or ""))


def _value_out(c: common.Cell) -> FigureValueOut:
    return FigureValueOut(key=c.key, available=c.value is not None, value=c.value, numerator=c.numerator,
                          denominator=c.denominator, source_url=c.url)


def _place(request: HttpRequest, unit_id: int | None) -> OrgUnit | None:
    """The unit asked for, else the caller's top unit, else (a superuser) the country: None."""
    user = caller(request)
    if unit_id is not None:
        return common.unit_from(user, str(unit_id))
    unit = common.top_unit(user)
    if unit is None and not common.may_view(user, None):
        raise Http404
    return unit


@router.get("/figures", response={200: FigureTableOut, **READ_ERRORS}, summary="Figures by unit",
            operation_id="dashboard_figures")
def figures(request: HttpRequest, params: Query[FigureTableParams]) -> FigureTableOut:
    """Every figure of the unit (its whole subtree) and of each unit directly below it, for one period, as
    last computed (`refreshed_at`; at most a few minutes old). Drill down by asking again with a child's id."""
    unit = _place(request, params.unit)
    period = params.period or common.default_period()
    table = common.figure_table(unit, period)
    info = common.refresh_info(common.last_refresh())
    rows = [FigureRowOut(unit=_unit_out(table.total.unit), total=True, has_children=bool(table.rows),
                         figures=[_value_out(c) for c in table.total.cells])]
    rows += [FigureRowOut(unit=_unit_out(r.unit), total=False, has_children=r.drill,
                          figures=[_value_out(c) for c in r.cells]) for r in table.rows]
    return FigureTableOut(period=period, refreshed_at=info["refreshed_at"], stale=info["stale"],
                          definitions=[_def_out(d) for d in table.defs], rows=rows)


@router.get("/trend", response={200: DashboardTrendOut, **READ_ERRORS}, summary="A figure over periods",
            operation_id="dashboard_trend")
def trend(request: HttpRequest, params: Query[DashboardTrendParams]) -> DashboardTrendOut:
    """One figure of one unit for every quarter (or year) from its first figure to its last; a period without
    a figure is null."""
    unit = _place(request, params.unit)
    d = common.definition(params.key)
    if d is None:
        raise Http404
    points = common.trend_points(unit, d.key, d.kind, params.by)
    return DashboardTrendOut(figure=_def_out(d), unit=_unit_out(unit),
                             points=[DashboardTrendPointOut(period=p, value=v) for p, _label, v in points])


# --------------------------------------------------------------------------- league tables


def _tables(request: HttpRequest) -> Any:
    from .views_league import tables_for

    return tables_for(caller(request)).select_related("owner")


def _table(request: HttpRequest, table_id: int) -> LeagueTable:
    t = _tables(request).filter(pk=table_id).first() if 1 <= table_id <= MAX_ID else None
    if t is None:
        raise Http404
    return t  # type: ignore[no-any-return]


def _table_out(t: LeagueTable) -> LeagueTableOut:
    owner = _unit_out(t.owner)
    assert owner is not None  # noqa: S101 - a table always has an owner  # nosec B101
    return LeagueTableOut(id=t.pk, name=t.name, owner=owner, is_default=t.is_default, lock_version=t.lock_version,
                          criteria=[LeagueCriterionOut(key=c.key, weight=c.weight, label=c.label, kind=c.kind)
                                    for c in league.criteria_of(t)])


@router.get("/league-tables", response={200: LeagueTableList, **READ_ERRORS}, summary="League tables",
            operation_id="dashboard_league_tables")
def league_tables(request: HttpRequest) -> LeagueTableList:
    """The league tables of the caller's units (at most 200, by unit then name)."""
    rows = _tables(request).order_by("owner__path", "name", "pk")[:MAX_TABLES]
    return LeagueTableList(items=[_table_out(t) for t in rows])


@router.get("/league-tables/{int:table_id}", response={200: LeagueResultOut, **READ_ERRORS},
            summary="A league table's ranking", operation_id="dashboard_league_table")
def league_table(request: HttpRequest, table_id: TableId, params: Query[LeagueParams]) -> LeagueResultOut:
    """The units below the table's unit (or below `unit`, inside it) ranked on the weighted figures, with the
    formula; units without any of the figures come last with `score: null`."""
    t = _table(request, table_id)
    unit = t.owner
    if params.unit is not None:
        unit = common.unit_from(caller(request), str(params.unit))
        if not unit.path.startswith(t.owner.path):
            raise Http404
    result = league.score(t, unit, params.period or common.default_period())
    refreshed = common.refresh_info(common.last_refresh())["refreshed_at"]
    unit_out = _unit_out(unit)
    assert unit_out is not None  # noqa: S101 (narrowing for the type checker: unit is set)  # nosec B101
    return LeagueResultOut(
        table=_table_out(t), unit=unit_out, period=result.period, refreshed_at=refreshed,
        formula=result.formula_symbols, formula_words=result.formula_words,
        rows=[LeagueRowOut(rank=r.rank, unit=_unit_out(r.unit), score=r.score,  # type: ignore[arg-type]
                           figures=[_value_out(c) for c in r.cells], missing=r.missing) for r in result.rows],
    )


@router.post("/league-tables", response={201: LeagueTableOut, **WRITE_ERRORS}, summary="Create a league table",
             operation_id="dashboard_league_table_create")
def create_league_table(request: HttpRequest, payload: LeagueTableIn) -> Status:
    """Creates a table of `owner` (its administrators only, else 403). Unknown keys, negative weights, no
    weight above 0 or a name the unit already uses answer 422."""
    owner = common.unit_from(caller(request), str(payload.owner))
    t = league.create_table(actor=caller(request), owner=owner, name=payload.name, is_default=payload.is_default,
                            criteria=[c.model_dump() for c in payload.criteria])
    return Status(201, _table_out(t))


@router.put("/league-tables/{int:table_id}", response={200: LeagueTableOut, **WRITE_ERRORS},
            summary="Change a league table", operation_id="dashboard_league_table_update")
def update_league_table(request: HttpRequest, table_id: TableId, payload: LeagueTableUpdateIn) -> LeagueTableOut:
    """Replaces the name, criteria and default flag. A stale `expected_version` is 409, nothing saved."""
    t = _table(request, table_id)
    league.update_table(actor=caller(request), table=t, expected_version=payload.expected_version,
                        name=payload.name, is_default=payload.is_default,
                        criteria=[c.model_dump() for c in payload.criteria])
    return _table_out(t)


@router.delete("/league-tables/{int:table_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a league table", operation_id="dashboard_league_table_delete")
def delete_league_table(request: HttpRequest, table_id: TableId, params: Query[LeagueDeleteParams]) -> HttpResponse:
    """Removes the table from every list (kept in the audit log with `reason`)."""
    t = _table(request, table_id)
    league.delete_table(actor=caller(request), table=t, expected_version=params.expected_version,
                        reason=params.reason)
    return HttpResponse(status=204)
