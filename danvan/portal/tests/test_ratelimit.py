"""Rate limits of public endpoints: per client address, windows that really last, the 429 page."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from danvan.portal import ratelimit
from danvan.portal.ratelimit import client_key, over_limit, too_many

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _req(addr: str = "203.0.113.5") -> Any:
    return RequestFactory().post("/", REMOTE_ADDR=addr)


def test_counts_per_address() -> None:
    hits = [over_limit(_req(), "t", limit=(3, 600)) for _ in range(5)]
    assert hits == [False, False, False, True, True]
    assert over_limit(_req("203.0.113.6"), "t", limit=(3, 600)) is False  # someone else
    assert over_limit(_req(), "other", limit=(3, 600)) is False  # another action


def test_forged_headers_are_ignored() -> None:
    for i in range(3):
        req = _req()
        req.META["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{i}"
        over_limit(req, "t", limit=(2, 600))
    assert over_limit(_req(), "t", limit=(2, 600)) is True


def test_ipv6_counted_per_64() -> None:
    assert client_key(_req("2001:db8:1:2::1")) == client_key(_req("2001:db8:1:2:ffff::9"))
    assert client_key(_req("2001:db8:1:3::1")) != client_key(_req("2001:db8:1:2::1"))
    assert client_key(_req("::ffff:203.0.113.5")) == client_key(_req("203.0.113.5"))
    assert "203.0.113.5" not in client_key(_req()) and len(client_key(_req())) == 24  # hashed, not the address
    assert client_key(_req("")) == client_key(_req("unknown"))  # no address: one shared bucket, no crash


def test_setting_overrides_default(settings: Any) -> None:
    settings.DANVAN_PUBLIC_RATE_LIMITS = {"t": (1, 600)}
    assert [over_limit(_req(), "t", limit=(100, 600)) for _ in range(2)] == [False, True]


def test_window_ends() -> None:
    assert [over_limit(_req(), "w", limit=(1, 1)) for _ in range(2)] == [False, True]
    time.sleep(1.05)
    assert over_limit(_req(), "w", limit=(1, 1)) is False


def test_window_is_kept_by_the_database_cache() -> None:
    """Django's DatabaseCache.incr() rewrites the entry with the default 5-minute timeout: the window
    must still last its hour, or a patient robot gets a fresh quota every 5 minutes."""
    assert caches["default"].__class__.__name__ == "DatabaseCache"
    for _ in range(3):
        over_limit(_req(), "hour", limit=(10, 3600))
    with connection.cursor() as cur:
        cur.execute("SELECT expires FROM danvan_cache WHERE cache_key LIKE %s", ["%ratelimit:hour:%"])
        (expires,) = cur.fetchone()
    if isinstance(expires, str):  # SQLite
        expires = parse_datetime(expires)
    if timezone.is_naive(expires):
        expires = timezone.make_aware(expires, dt.UTC)
    hour_end = (int(time.time()) // 3600 + 1) * 3600
    assert abs(expires.timestamp() - hour_end) < 5  # the end of the aligned window, not now + 300 s


def test_too_many_page() -> None:
    req = _req()
    for _ in range(3):
        over_limit(req, "t", limit=(2, 600))
    r = too_many(req)
    body = r.content.decode()
    assert r.status_code == 429 and 0 < int(r["Retry-After"]) <= 601 and "no-store" in r["Cache-Control"]
    assert body.count("<h1") == 1 and 'data-testid="too-many"' in body
    assert too_many(_req(), retry_after=120)["Retry-After"] == "120"
    assert getattr(_req(), ratelimit.RETRY_AFTER_ATTR, None) is None
