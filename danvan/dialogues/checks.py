"""The law's minimum: at least one dialogue a year between the commune committee and the Front.

Law 10/2022 Art. 32 (DOMAIN.md §8). A dialogue counts when it is of kind FRONT, was held (not
planned, not cancelled, not deleted) in the year, and was recorded by the commune itself or by the
Front body registered as a unit directly under it (where the Front keeps its own records).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from danvan.orgs.models import OrgUnit

from .models import Dialogue, DialogueKind, DialogueStatus

COMMUNE_KIND = "commune"
FRONT_KIND = "front"


def held_front_dialogues(year: int) -> QuerySet[Dialogue]:
    return Dialogue.objects.filter(kind=DialogueKind.FRONT, status=DialogueStatus.HELD, deleted_at__isnull=True,
                                   held_on__year=year)


def front_dialogue_held(unit: Any, year: int) -> bool:
    return held_front_dialogues(year).filter(
        Q(org_unit=unit) | Q(org_unit__parent=unit, org_unit__kind__code=FRONT_KIND)).exists()


def communes_without_front_dialogue(year: int, under: Any = None) -> QuerySet[OrgUnit]:
    """Current communes (in ``under``'s subtree if given) that have held no Front dialogue in ``year``."""
    held = held_front_dialogues(year)
    qs = OrgUnit.objects.current().filter(kind__code=COMMUNE_KIND)
    if under is not None:
        qs = qs.subtree_of(under)
    return (qs.exclude(pk__in=held.values("org_unit_id"))
            .exclude(pk__in=held.filter(org_unit__kind__code=FRONT_KIND, org_unit__parent__isnull=False)
                             .values("org_unit__parent_id"))
            .order_by("path"))
