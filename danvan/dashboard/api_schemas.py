"""Request and response shapes of /api/v1/dashboard (the operations are in ``api.py``).

A figure that is not available is ``value: null`` with ``available: false``, never 0.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from danvan.api.pagination import MAX_ID
from danvan.api.schemas import UnitBriefOut as DashboardUnitOut

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PeriodCode = Annotated[str, StringConstraints(pattern=r"^\d{4}(-Q[1-4])?$", max_length=7)]
FigureKey = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1, description="The `lock_version` read; a stale one is 409.")]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class FigureDefOut(Schema):
    key: str = Field(description="The figure's key, e.g. `petitions.on_time_rate`.")
    label: str = Field(description="Its name, in Vietnamese.")
    kind: Literal["rate", "count", "index"] = Field(description="`rate` and `index` are 0–100; `count` a number.")
    higher_is_better: bool = Field(description="False when a lower figure is better.")
    description: str = Field(description="How it is computed, in words; may be empty.")


class FigureValueOut(Schema):
    key: str = Field(description="The figure's key.")
    available: bool = Field(description="False when no module provides this figure for the unit.")
    value: float | None = Field(description="The figure (0–100 for a rate or an index); null when not available.")
    numerator: float | None = Field(description="Cases counted (the count itself for a count).")
    denominator: float | None = Field(description="Cases in all, for a rate or an index; null for a count.")
    source_url: str | None = Field(description="The page listing the records behind the figure, if there is one.")


class FigureRowOut(Schema):
    unit: DashboardUnitOut | None = Field(description="The unit; null for the whole country's total.")
    total: bool = Field(description="True for the row of the unit asked for (its whole subtree).")
    has_children: bool = Field(description="True when there are units below it (ask again with its id).")
    figures: list[FigureValueOut] = Field(description="One per figure of `definitions`, in that order.")


class FigureTableOut(Schema):
    period: str = Field(description="The period: a year (`2026`) or a quarter (`2026-Q3`).")
    refreshed_at: dt.datetime | None = Field(description="When the figures were computed; null if never.")
    stale: bool = Field(description="True when the figures have not been refreshed for longer than promised.")
    definitions: list[FigureDefOut] = Field(description="The figures the modules provide.")
    rows: list[FigureRowOut] = Field(description="The unit's total first, then each unit directly below it.")


class FigureTableParams(Schema):
    unit: Id | None = Field(None, description="The unit (default: the caller's top unit; the country for a "
                                              "superuser); 404 if the caller cannot see it.")
    period: PeriodCode | None = Field(None, description="A year or a quarter (default: this year).")


class DashboardTrendParams(Schema):
    key: FigureKey = Field(description="The figure's key; 404 if no module provides it.")
    unit: Id | None = Field(None, description="The unit (default as for the figures).")
    by: Literal["quarter", "year"] = Field("quarter", description="Quarters or years.")


class DashboardTrendPointOut(Schema):
    period: str = Field(description="A year (`2026`) or a quarter (`2026-Q3`).")
    value: float | None = Field(description="Null when not available for that period (a gap, not 0).")


class DashboardTrendOut(Schema):
    figure: FigureDefOut = Field(description="The figure.")
    unit: DashboardUnitOut | None = Field(description="Null for the whole country.")
    points: list[DashboardTrendPointOut] = Field(description="Every period from the first figure to the last.")


class LeagueCriterionOut(Schema):
    key: str = Field(description="The figure's key.")
    weight: float = Field(description="Its weight (above 0).")
    label: str = Field(description="The figure's name.")
    kind: str = Field(description="`rate`, `count` or `index`.")


class LeagueTableOut(Schema):
    id: int = Field(description="The table's id.")
    name: str = Field(description="Its name.")
    owner: DashboardUnitOut = Field(description="The unit whose child units it ranks.")
    is_default: bool = Field(description="The unit's default table.")
    criteria: list[LeagueCriterionOut] = Field(description="The figures used and their weights.")
    lock_version: int = Field(description="Send it back as `expected_version` to change or delete the table.")


class LeagueTableList(Schema):
    items: list[LeagueTableOut] = Field(description="The tables, by unit then name (at most 200).")


class LeagueRowOut(Schema):
    rank: int | None = Field(description="1 for the best; equal scores share a rank; null when not available.")
    unit: DashboardUnitOut = Field(description="The unit ranked.")
    score: float | None = Field(description="0–100; null when the unit has none of the figures.")
    figures: list[FigureValueOut] = Field(description="One per criterion, in the table's order.")
    missing: list[str] = Field(description="Keys of the criteria the unit has no figure for.")


class LeagueResultOut(Schema):
    table: LeagueTableOut = Field(description="The table.")
    unit: DashboardUnitOut = Field(description="The unit whose child units are ranked.")
    period: str = Field(description="The period ranked.")
    refreshed_at: dt.datetime | None = Field(description="When the figures were computed; null if never.")
    formula: str = Field(description="The formula in symbols.")
    formula_words: str = Field(description="The formula in words.")
    rows: list[LeagueRowOut] = Field(description="Best first; units without any figure last.")


class LeagueParams(Schema):
    unit: Id | None = Field(None, description="Rank the units below this unit of the table's subtree "
                                              "(default: the table's unit).")
    period: PeriodCode | None = Field(None, description="A year or a quarter (default: this year).")


class CriterionIn(_Input):
    key: FigureKey = Field(description="A figure's key (see `definitions`).")
    weight: float = Field(description="0 to 1000; 0 leaves the figure out.")


class LeagueTableIn(_Input):
    owner: Id = Field(description="The unit whose child units are ranked; the caller must administer it.")
    name: str = Field(max_length=255, description="The table's name, unique in the unit.")
    criteria: list[CriterionIn] = Field(max_length=30, description="At least one weight above 0.")
    is_default: bool = Field(False, description="The unit's default table (replaces the previous default).")


class LeagueTableUpdateIn(_Input):
    expected_version: Version
    name: str = Field(max_length=255, description="The table's name, unique in the unit.")
    criteria: list[CriterionIn] = Field(max_length=30, description="At least one weight above 0.")
    is_default: bool = Field(False, description="The unit's default table.")


class LeagueDeleteParams(Schema):
    expected_version: Version
    reason: Annotated[str, StringConstraints(min_length=1, max_length=1000)] = Field(
        description="Why it is deleted (kept in the audit log).")
