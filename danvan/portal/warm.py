"""Render the unit pages of the portal ahead of the citizens who will ask for them.

A unit page costs 20–40 ms to render (a province's far more: its sections aggregate a whole
subtree), and citizens spread over 3,300 communes: left to itself the page cache would mostly
miss, and a 2-core server would serve some fifty cold pages a second. Run from cron a little more
often than the cache keeps a page (``DANVAN_PORTAL_CACHE_SECONDS``, 300 s by default), this keeps
every province and commune page in the shared cache, so a visit costs one cache read; a page is
then at most that old, and says when it was made ("updated at").

Pages are rendered one by one, in the default language, exactly as the view would (same template,
same sections, same cache key), so a warm page and a page rendered on demand cannot differ.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import translation

from danvan.orgs.models import OrgUnit

from .opendata import cache_seconds

DEFAULT_KINDS = ("province", "commune")


@dataclass(frozen=True)
class WarmResult:
    pages: int
    seconds: float


def unit_ids(kinds: Iterable[str] = DEFAULT_KINDS) -> list[int]:
    return list(OrgUnit.objects.current().filter(kind__code__in=list(kinds)).order_by("path")
                .values_list("pk", flat=True))


def warm(kinds: Iterable[str] = DEFAULT_KINDS, *, ids: list[int] | None = None) -> WarmResult:
    """Render page 1 of each current unit of these kinds into the cache; nothing when caching is off."""
    from .views import _unit_html, unit_cache_key  # the view's own renderer and key

    ttl = cache_seconds()
    started = time.perf_counter()
    done = 0
    if ttl <= 0:
        return WarmResult(0, 0.0)
    request = RequestFactory().get("/public/")
    with translation.override(settings.LANGUAGE_CODE):
        for pk in ids if ids is not None else unit_ids(kinds):
            html = _unit_html(request, pk, 1)
            if html is not None:
                cache.set(unit_cache_key(pk, 1), html, ttl)
                done += 1
    return WarmResult(done, round(time.perf_counter() - started, 1))
