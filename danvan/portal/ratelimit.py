"""Rate limits for public (no log-in) endpoints, counted per client address in the shared cache.

``over_limit(request, "survey_submit", limit=(20, 3600))`` counts the attempt and answers whether the
client went past the limit; the setting ``DANVAN_PUBLIC_RATE_LIMITS = {action: (count, seconds)}``
overrides the default an endpoint gives. Windows are fixed (aligned on multiples of their length), so
a client may get up to twice the count around a window's edge: enough against flooding and guessing.

The address is REMOTE_ADDR only, never a header the client can forge (a reverse proxy must set it,
e.g. gunicorn ``--forwarded-allow-ips`` behind nginx). IPv6 clients are counted per /64 network, as
one household or phone gets a whole /64. Many citizens may share one address (mobile carrier NAT):
keep limits generous, they are a brake on robots, not a quota for people. The address is stored only
as a salted hash in the cache key, and never logged.
"""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

RETRY_AFTER_ATTR = "danvan_retry_after"


def client_key(request: HttpRequest) -> str:
    """A short salted hash of the client's address (IPv6: its /64 network)."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        pass
    else:
        if ip.version == 6 and ip.ipv4_mapped is None:
            address = str(ipaddress.ip_network(f"{ip}/64", strict=False))
        elif ip.version == 6 and ip.ipv4_mapped is not None:
            address = str(ip.ipv4_mapped)
    return salted_hmac("danvan.portal.ratelimit", address, algorithm="sha256").hexdigest()[:24]


def limit_for(action: str, default: tuple[int, int]) -> tuple[int, int]:
    allowed, window = getattr(settings, "DANVAN_PUBLIC_RATE_LIMITS", {}).get(action, default)
    return int(allowed), max(1, int(window))


def over_limit(request: HttpRequest, action: str, *, limit: tuple[int, int]) -> bool:
    """Count this attempt; True once the client made more than ``count`` in the current window.

    When True, the seconds left in the window are kept on the request for ``too_many``.
    """
    allowed, window = limit_for(action, limit)
    now = time.time()
    left = int(window - now % window) + 1
    key = f"ratelimit:{action}:{client_key(request)}:{int(now // window)}"
    if cache.add(key, 1, left):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, left)
            count = 1
        else:
            # The database cache's incr() rewrites the entry with the default timeout: put the window's back.
            cache.touch(key, left)
    if count > allowed:
        setattr(request, RETRY_AFTER_ATTR, left)
        return True
    return False


def too_many(request: HttpRequest, retry_after: int | None = None) -> HttpResponse:
    """The 429 page, with Retry-After (by default the rest of the window ``over_limit`` found exceeded)."""
    seconds = retry_after if retry_after is not None else getattr(request, RETRY_AFTER_ATTR, 60)
    response = render(request, "portal/too_many.html", {"retry_minutes": max(1, -(-int(seconds) // 60))},
                      status=429)
    response["Retry-After"] = str(int(seconds))
    response["Cache-Control"] = "no-store"
    return response
