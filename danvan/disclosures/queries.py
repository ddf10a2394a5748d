"""Reads of disclosures: an official's (scoped), the public's (what is posted on a day), a report's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from danvan.orgs.scope import subtree_q

from .models import Disclosure, DisclosureStatus


def disclosures_for(user: Any) -> QuerySet[Disclosure]:
    """The disclosures of the user's units and below, deleted ones left out."""
    return Disclosure.objects.visible_to(user).filter(deleted_at__isnull=True)


def posted_on_q(on: dt.date) -> Q:
    """Disclosed items whose posting runs on ``on`` (permanent ones from their first day on)."""
    return (Q(status=DisclosureStatus.PUBLISHED, deleted_at__isnull=True, disclosed_on__lte=on)
            & (Q(permanent=True) | Q(posting_ends_on__isnull=True) | Q(posting_ends_on__gte=on)))


def public_disclosures(unit: Any, on: dt.date | None = None) -> QuerySet[Disclosure]:
    """What the unit (and its villages) has posted publicly on ``on`` (today by default)."""
    on = on or timezone.localdate()
    return (Disclosure.objects.filter(subtree_q([unit.path], prefix="org_unit__"), is_public=True)
            .filter(posted_on_q(on)))


def made_between(units_q: Q, date_from: dt.date, date_to: dt.date) -> QuerySet[Disclosure]:
    """Items disclosed in the period by the units ``units_q`` selects (a Q over ``Disclosure``).

    A later withdrawal does not undo a disclosure made: withdrawn items count too.
    """
    return Disclosure.objects.filter(
        units_q, deleted_at__isnull=True, status__in=[DisclosureStatus.PUBLISHED, DisclosureStatus.WITHDRAWN],
        disclosed_on__gte=date_from, disclosed_on__lte=date_to)
