"""/api/v1/units: the tree as other systems see it, scoped to the caller."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from danvan.api.pagination import check_limit, decode_cursor, encode_cursor

from .models import OrgUnit

router = Router(tags=["units"])


class UnitOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    division_type: str
    parent_id: int | None
    depth: int
    valid_from: dt.date | None
    valid_to: dt.date | None


class UnitDetailOut(UnitOut):
    ancestors: list[UnitOut]
    successor_ids: list[int]
    predecessor_ids: list[int]
    children_count: int


class UnitPage(Schema):
    items: list[UnitOut]
    next_cursor: str | None


class UnitFilters(Schema):
    q: str | None = None
    kind: str | None = None
    parent: int | None = None
    under: int | None = None
    code: str | None = None
    include_closed: bool = False
    cursor: str | None = None
    limit: int = 50


def unit_out(u: OrgUnit) -> UnitOut:
    return UnitOut(
        id=u.pk, name=u.name, code=u.code, kind=u.kind.code, division_type=u.division_type,
        parent_id=u.parent_id, depth=u.depth, valid_from=u.valid_from, valid_to=u.valid_to,
    )


def _page(request: HttpRequest, qs, limit: int, cursor: str | None) -> UnitPage:
    limit = check_limit(limit)
    after = decode_cursor(cursor)
    if after is not None:
        if not isinstance(after, str) or not after.isdigit():
            raise HttpError(400, _("The cursor is not valid."))
        qs = qs.filter(path__gt=after)
    rows = list(qs.select_related("kind").order_by("path")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return UnitPage(items=[unit_out(u) for u in rows], next_cursor=encode_cursor(rows[-1].path) if more else None)


def _visible(request: HttpRequest):
    return OrgUnit.objects.visible_to(request.user)


@router.get("", response=UnitPage, summary="List units", operation_id="units_list")
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> UnitPage:
    """Units the caller may see, in tree order, with filters. Diacritics and case are ignored in ``q``."""
    qs = _visible(request)
    if not filters.include_closed:
        qs = qs.current()
    if filters.q:
        if len(filters.q) > 200:
            raise HttpError(400, _("The search text is too long."))
        qs = qs.search(filters.q)
    if filters.kind:
        qs = qs.filter(kind__code=filters.kind)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.code:
        qs = qs.filter(code=filters.code)
    if filters.under is not None:
        root = get_object_or_404(_visible(request), pk=filters.under)
        qs = qs.subtree_of(root)
    return _page(request, qs, filters.limit, filters.cursor)


@router.get("/{unit_id}", response=UnitDetailOut, summary="One unit", operation_id="units_detail")
def unit_detail(request: HttpRequest, unit_id: int) -> UnitDetailOut:
    unit = get_object_or_404(_visible(request).select_related("kind"), pk=unit_id)
    ancestors = OrgUnit.objects.filter(pk__in=unit.ancestor_ids).select_related("kind").order_by("path")
    base = unit_out(unit)
    return UnitDetailOut(
        **base.dict(),
        ancestors=[unit_out(a) for a in ancestors],
        successor_ids=list(unit.successors.values_list("pk", flat=True)),
        predecessor_ids=list(unit.predecessors.values_list("pk", flat=True)),
        children_count=unit.children.count(),
    )


@router.get("/{unit_id}/subtree", response=UnitPage, summary="The subtree of a unit", operation_id="units_subtree")
def unit_subtree(
    request: HttpRequest, unit_id: int, cursor: str | None = None, limit: int = 50, include_closed: bool = False
) -> UnitPage:
    """The unit and every unit below it, in tree order, one page at a time."""
    unit = get_object_or_404(_visible(request), pk=unit_id)
    qs = _visible(request).subtree_of(unit)
    if not include_closed:
        qs = qs.current()
    return _page(request, qs, limit, cursor)
