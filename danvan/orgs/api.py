"""/api/v1/units: the tree as other systems see it, scoped to the caller.

A unit outside the caller's subtrees answers 404 exactly like one that does not exist, so the API
never tells which units exist elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import Field

from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import (
    CURSOR_DESCRIPTION,
    DEFAULT_LIMIT,
    LIMIT_DESCRIPTION,
    MAX_CURSOR_LENGTH,
    MAX_ID,
    MAX_LIMIT,
    MAX_SEARCH_LENGTH,
    decode_cursor,
    encode_cursor,
)

from .models import OrgUnit
from .paths import SEGMENT

router = Router(tags=["units"])

_PATH_RE = re.compile(rf"(?:[0-9]{{{SEGMENT}}})+")


UnitId = Annotated[int, Path(description="The unit's id; 404 if it does not exist or the caller cannot see it.")]


class UnitOut(Schema):
    id: int = Field(description="The unit's id in danvan.")
    name: str = Field(description="Official name, e.g. “Xã Bình Lư”.")
    code: str = Field(description="Official code (statistics office) or the province's own code; empty if none.")
    kind: str = Field(description="Kind of unit: province, commune, village, department, front, party, other…")
    division_type: str = Field(description="Type as written in the official list: tỉnh, xã, phường, thôn…")
    parent_id: int | None = Field(description="The parent unit's id; null for a top-level unit.")
    depth: int = Field(description="0 for a top-level unit, 1 for its children, and so on.")
    valid_from: dt.date | None = Field(description="First day the unit existed, if known.")
    valid_to: dt.date | None = Field(description="Last day the unit existed; null while it still exists.")


class UnitDetailOut(UnitOut):
    ancestors: list[UnitOut] = Field(
        description="The unit's ancestors that the caller may see, top-level first (the unit itself excluded)."
    )
    successor_ids: list[int] = Field(description="Units (visible to the caller) that took over this unit's duties.")
    predecessor_ids: list[int] = Field(description="Units (visible to the caller) whose duties this unit took over.")
    children_count: int = Field(description="Number of child units that still exist.")


class UnitPage(Schema):
    items: list[UnitOut] = Field(description="Units in tree order (each unit directly before its sub-units).")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class PageParams(Schema):
    include_closed: bool = Field(False, description="Also return units that no longer exist (merged, abolished).")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class UnitFilters(PageParams):
    q: str | None = Field(
        None, max_length=MAX_SEARCH_LENGTH,
        description="Search in names, ignoring case and Vietnamese diacritics; an exact official code also matches.",
    )
    kind: str | None = Field(None, max_length=40, description="Only units of this kind (e.g. `commune`).")
    parent: int | None = Field(None, ge=1, le=MAX_ID, description="Only the direct children of this unit.")
    under: int | None = Field(
        None, ge=1, le=MAX_ID, description="Only this unit and its sub-units; 404 if the caller cannot see it."
    )
    code: str | None = Field(None, max_length=32, description="Only the unit with this official code.")


def unit_out(u: OrgUnit) -> UnitOut:
    return UnitOut(
        id=u.pk, name=u.name, code=u.code, kind=u.kind.code, division_type=u.division_type,
        parent_id=u.parent_id, depth=u.depth, valid_from=u.valid_from, valid_to=u.valid_to,
    )


def _is_path(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 255 and _PATH_RE.fullmatch(value) is not None


def _page(qs, params: PageParams) -> UnitPage:
    """One page in path order: the cursor is the last path seen, so each page is one range scan."""
    after = decode_cursor(params.cursor, _is_path)
    if not params.include_closed:
        qs = qs.current()
    if after is not None:
        qs = qs.filter(path__gt=after)
    rows = list(qs.select_related("kind").order_by("path")[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    return UnitPage(items=[unit_out(u) for u in rows], next_cursor=encode_cursor(rows[-1].path) if more else None)


def _visible(request: HttpRequest):
    return OrgUnit.objects.visible_to(request.user)


def _visible_unit(request: HttpRequest, unit_id: int, *, with_kind: bool = False) -> OrgUnit:
    if not 1 <= unit_id <= MAX_ID:
        raise Http404
    qs = _visible(request)
    if with_kind:
        qs = qs.select_related("kind")
    unit = qs.filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


LIST_ERRORS = error_responses(*AUTH_ERRORS, 404, 422)


@router.get(
    "", response={200: UnitPage, **LIST_ERRORS}, summary="List units", operation_id="units_list",
)
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> UnitPage:
    """Units the caller may see, in tree order, one page at a time. Filters combine with AND.

    A closed unit is left out unless `include_closed` is true. `under` names a unit the caller
    cannot see → 404.
    """
    qs = _visible(request)
    if filters.q:
        qs = qs.search(filters.q)
    if filters.kind:
        qs = qs.filter(kind__code=filters.kind)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.code:
        qs = qs.filter(code=filters.code)
    if filters.under is not None:
        qs = qs.subtree_of(_visible_unit(request, filters.under))
    return _page(qs, filters)


@router.get(
    "/{int:unit_id}", response={200: UnitDetailOut, **error_responses(*AUTH_ERRORS, 404)},
    summary="One unit", operation_id="units_detail",
)
def unit_detail(request: HttpRequest, unit_id: UnitId) -> UnitDetailOut:
    """One unit with its ancestors and its history of mergers; 404 if the caller cannot see it."""
    unit = _visible_unit(request, unit_id, with_kind=True)
    visible = _visible(request)
    ancestors = visible.filter(pk__in=unit.ancestor_ids).select_related("kind").order_by("path")
    return UnitDetailOut(
        **unit_out(unit).model_dump(),
        ancestors=[unit_out(a) for a in ancestors],
        successor_ids=list(visible.filter(predecessors=unit).order_by("pk").values_list("pk", flat=True)),
        predecessor_ids=list(visible.filter(successors=unit).order_by("pk").values_list("pk", flat=True)),
        children_count=OrgUnit.objects.filter(parent=unit).current().count(),
    )


@router.get(
    "/{int:unit_id}/subtree", response={200: UnitPage, **LIST_ERRORS},
    summary="The subtree of a unit", operation_id="units_subtree",
)
def unit_subtree(request: HttpRequest, unit_id: UnitId, params: Query[PageParams]) -> UnitPage:
    """The unit and every unit below it, in tree order, one page at a time; 404 if the caller cannot see it."""
    unit = _visible_unit(request, unit_id)
    return _page(_visible(request).subtree_of(unit), params)
