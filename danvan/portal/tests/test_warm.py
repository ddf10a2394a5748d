"""Warming the unit pages: the same page as on demand, served from the cache with no query of its own."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client

from danvan.portal import warm
from danvan.portal.views import unit_cache_key

pytestmark = pytest.mark.django_db


def test_warm_renders_current_provinces_and_communes(tree: dict, head: Any, settings: Any,
                                                     django_assert_max_num_queries: Any) -> None:
    settings.DANVAN_PORTAL_CACHE_SECONDS = 300
    result = warm.warm()
    expected = set(warm.unit_ids())
    assert result.pages == len(expected) and tree["A"].pk in expected and tree["A1"].pk in expected
    assert tree["A1v"].pk not in expected  # a village is rendered on demand
    warmed = cache.get(unit_cache_key(tree["A1"].pk, 1, "vi"))
    assert warmed and "Xã Bình Lư" in warmed
    with django_assert_max_num_queries(1):  # the cache read (database cache) and nothing else
        r = Client().get(f"/public/units/{tree['A'].pk}/")
    assert r.status_code == 200 and r.content.decode() == cache.get(unit_cache_key(tree["A"].pk, 1, "vi"))


def test_warm_does_nothing_when_caching_is_off(tree: dict, settings: Any) -> None:
    settings.DANVAN_PORTAL_CACHE_SECONDS = 0
    assert warm.warm().pages == 0
    assert cache.get(unit_cache_key(tree["A"].pk, 1, "vi")) is None


def test_command(tree: dict, settings: Any) -> None:
    settings.DANVAN_PORTAL_CACHE_SECONDS = 300
    out = StringIO()
    call_command("portal_warm", "--kinds", "province", stdout=out)
    provinces = len(warm.unit_ids(["province"]))
    assert f" {provinces} " in out.getvalue() and cache.get(unit_cache_key(tree["A"].pk, 1, "vi"))
    assert cache.get(unit_cache_key(tree["A1"].pk, 1, "vi")) is None
    with pytest.raises(CommandError, match="nowhere"):
        call_command("portal_warm", "--kinds", "nowhere")
