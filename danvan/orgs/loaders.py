"""Loading the official list of provinces and communes from the ``vietnam-provinces`` package.

The loader is idempotent: it compares the package's list with what is stored, creates what is
missing, renames what changed, and reports the counts. It never deletes: a unit that left the
official list is for an administrator to close, with its successors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from danvan.core import audit
from danvan.core.text import search_key

from .models import OrgKind, OrgUnit
from .paths import child_path

REFORM_DAY = dt.date(2025, 7, 1)

# The package's division types, as officials write them in a unit's type column.
DIVISION_LABELS = {
    "tỉnh": "Tỉnh",
    "thành phố trung ương": "Thành phố",
    "xã": "Xã",
    "phường": "Phường",
    "đặc khu": "Đặc khu",
}


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def province_code(code: int) -> str:
    return f"{int(code):02d}"


def ward_code(code: int) -> str:
    return f"{int(code):05d}"


@transaction.atomic
def load_official(actor: object = None) -> LoadResult:
    import vietnam_provinces as vp

    province_kind = OrgKind.objects.get(code="province")
    commune_kind = OrgKind.objects.get(code="commune")
    result = LoadResult()

    existing = {
        (u.kind_id, u.code): u
        for u in OrgUnit.objects.filter(kind__in=[province_kind, commune_kind], valid_to__isnull=True).only(
            "id", "kind_id", "code", "name", "division_type", "parent_id", "path"
        )
    }

    def sync(kind: OrgKind, code: str, name: str, division: str, parent: OrgUnit | None) -> tuple[OrgUnit, bool]:
        unit = existing.get((kind.pk, code))
        if unit is None:
            return OrgUnit(
                kind=kind, code=code, name=name, division_type=division, parent=parent,
                valid_from=REFORM_DAY, search_name=search_key(name),
            ), True
        if unit.name != name or unit.division_type != division or (parent and unit.parent_id != parent.pk):
            unit.name, unit.division_type, unit.search_name = name, division, search_key(name)
            unit._danvan_dirty = True  # type: ignore[attr-defined]
            if parent and unit.parent_id != parent.pk:
                unit.parent = parent
                unit.path = child_path(parent.path, unit.pk)
        return unit, False

    provinces: dict[int, OrgUnit] = {}
    new_provinces: list[OrgUnit] = []
    dirty: list[OrgUnit] = []
    for p in vp.Province.iter_all():
        unit, is_new = sync(province_kind, province_code(p.code), p.name, DIVISION_LABELS.get(p.division_type.value, ""), None)
        provinces[int(p.code)] = unit
        if is_new:
            new_provinces.append(unit)
        elif getattr(unit, "_danvan_dirty", False):
            dirty.append(unit)
    _insert_with_paths(new_provinces)

    new_wards: list[OrgUnit] = []
    for w in vp.Ward.iter_all():
        parent = provinces[int(w.province_code)]
        unit, is_new = sync(commune_kind, ward_code(w.code), w.name, DIVISION_LABELS.get(w.division_type.value, ""), parent)
        if is_new:
            new_wards.append(unit)
        elif getattr(unit, "_danvan_dirty", False):
            dirty.append(unit)
    _insert_with_paths(new_wards)
    if dirty:
        OrgUnit.objects.bulk_update(dirty, ["name", "division_type", "search_name", "parent", "path"], batch_size=500)

    result.created = len(new_provinces) + len(new_wards)
    result.updated = len(dirty)
    result.unchanged = len(existing) - result.updated
    if result.changed:
        audit.record(
            "orgs.load_official", actor=actor,
            summary={"created": result.created, "updated": result.updated, "source": f"vietnam-provinces {vp.__version__}"},
        )
    return result


def _insert_with_paths(units: list[OrgUnit]) -> None:
    """Insert, then fill in the paths that need the new ids (one extra UPDATE per 500 rows)."""
    if not units:
        return
    OrgUnit.objects.bulk_create(units, batch_size=500)
    for u in units:
        u.path = child_path(u.parent.path if u.parent else "", u.pk)
    OrgUnit.objects.bulk_update(units, ["path"], batch_size=500)
