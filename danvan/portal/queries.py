"""The portal's reads: public facts about units only, each one bounded query.

Nothing here is scoped to a user: the portal shows what is public about every unit (its name,
place in the tree, address and switchboard, and the names and positions of its heads). A person's
own phone or e-mail is never read here, so it cannot leak into a page by a template slip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from danvan.orgs.models import Membership, OrgUnit, UnitSuccession
from danvan.orgs.paths import ancestor_ids
from danvan.orgs.roles import Role

SEARCH_MAX = 50
CHILDREN_PAGE = 200
HEADS_MAX = 10
PROVINCE_KIND = "province"
_UNIT_FIELDS = ("pk", "name", "code", "division_type", "path", "valid_from", "valid_to", "address", "phone",
                "email", "parent_id", "kind__code", "kind__name", "kind__rank")


def unit_or_none(pk: int) -> OrgUnit | None:
    """Any unit, current or former (a former one is shown as such: citizens still look them up)."""
    return OrgUnit.objects.select_related("kind").only(*_UNIT_FIELDS).filter(pk=pk).first()


def provinces() -> QuerySet[OrgUnit]:
    """The current provinces (34 since 1 July 2025), by name."""
    return (OrgUnit.objects.current().filter(kind__code=PROVINCE_KIND).only("pk", "name", "code", "path")
            .order_by("name", "pk"))


def search(text: str) -> list[OrgUnit]:
    """Current units whose name matches without regard to marks or case (or whose code is typed exactly)."""
    if not text.strip():
        return []
    return list(OrgUnit.objects.current().search(text).select_related("kind", "parent")
                .only("pk", "name", "code", "kind__name", "kind__rank", "parent__name")
                .order_by("kind__rank", "name", "pk")[:SEARCH_MAX])


def ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """Root first, without the unit itself: the breadcrumb."""
    ids = ancestor_ids(unit.path)[:-1] if unit.path else []
    if not ids:
        return []
    found = {u.pk: u for u in OrgUnit.objects.filter(pk__in=ids).only("pk", "name", "valid_to")}
    return [found[i] for i in ids if i in found]


@dataclass
class ChildrenPage:
    items: list[OrgUnit]
    number: int
    has_next: bool


def children(unit: OrgUnit, page: int = 1) -> ChildrenPage:
    """The unit's current children, grouped by kind (communes before villages), a bounded page at a time."""
    page = max(1, page)
    start = (page - 1) * CHILDREN_PAGE
    rows = list(OrgUnit.objects.current().filter(parent_id=unit.pk).select_related("kind")
                .only("pk", "name", "kind__name", "kind__rank", "kind__code")
                .order_by("kind__rank", "kind__code", "name", "pk")[start:start + CHILDREN_PAGE + 1])
    return ChildrenPage(rows[:CHILDREN_PAGE], page, len(rows) > CHILDREN_PAGE)


@dataclass(frozen=True)
class Head:
    """A head as the public sees them: a name and a position, never a personal phone or e-mail."""

    name: str
    position: str


def heads(unit: OrgUnit) -> list[Head]:
    """The current heads of this unit itself (a province's heads are not every commune's)."""
    rows = (Membership.objects.active().filter(org_unit_id=unit.pk, role=Role.HEAD, user__is_active=True)
            .values_list("user__full_name", "user__first_name", "user__last_name", "user__position")
            .order_by("user__full_name", "user__last_name", "pk")[:HEADS_MAX])
    out: list[Head] = []
    seen: set[tuple[str, str]] = set()
    for full, first, last, position in rows:
        name = (full or f"{last} {first}").strip()
        if name and (name, position) not in seen:  # a username alone is not a name to publish
            seen.add((name, position))
            out.append(Head(name, position or ""))
    return out


def successors(unit: OrgUnit) -> list[Any]:
    """For a former unit: the units that took over its duties."""
    return list(UnitSuccession.objects.filter(predecessor_id=unit.pk).select_related("successor")
                .only("effective_on", "successor__id", "successor__name").order_by("successor__name")[:20])
