"""Where a report sits in the tree: its anchor (for aggregation) and the unit that reviews it.

Administrative units (province, former district, commune) are the levels that consolidate;
villages, departments and front organisations hang below one of them (``OrgKind.is_administrative``).
"""

from __future__ import annotations

from typing import Any

from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_ids


def administrative_ids(ids: list[int]) -> set[int]:
    return set(OrgUnit.objects.filter(pk__in=ids, kind__is_administrative=True).values_list("pk", flat=True))


def anchor_id_for(path: str, admin_ids: set[int]) -> int:
    """The unit itself if administrative, else its nearest administrative ancestor (else itself)."""
    chain = ancestor_ids(path)
    for pk in reversed(chain):
        if pk in admin_ids:
            return pk
    return chain[-1]


def anchor_for(unit: OrgUnit) -> int:
    return anchor_id_for(unit.path, administrative_ids(ancestor_ids(unit.path)))


def reviewer_unit(submission: Any) -> OrgUnit | None:
    """The nearest administrative unit strictly above the reporting unit; the regime owner if none.

    Cached on the submission, since permission checks on a list ask it for every row.
    """
    cached = getattr(submission, "_reviewer_unit", None)
    if cached is not None:
        return cached
    unit = submission.org_unit
    above = ancestor_ids(unit.path)[:-1]
    found = (
        OrgUnit.objects.filter(pk__in=above, kind__is_administrative=True).order_by("-path").first() if above else None
    )
    result = found or submission.period.regime.owner
    submission._reviewer_unit = result
    return result
