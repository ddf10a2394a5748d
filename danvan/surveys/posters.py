"""The survey's public address and its QR codes (segno, inline SVG: no image files, nothing external).

The address starts from ``DANVAN_SITE_URL`` when it is set (the address citizens know, even when
an officer prints from an internal host name), else from the request. A desk's poster adds
``?desk=<code>`` (and ``&service=``/``&officer=`` when the poster is for one), so every response
made from it is counted for that desk; a slip adds ``?token=<code>``.
"""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from .models import Desk, Service, Survey


def public_url(request: HttpRequest | None, survey: Survey, *, desk: Desk | None = None,
               service: Service | None = None, officer: Any = None, token: str = "") -> str:
    path = reverse("surveys_public:start", args=[survey.public_code])
    params: dict[str, str] = {}
    if desk is not None:
        params["desk"] = desk.code
    if service is not None:
        params["service"] = service.code
    if officer is not None:
        params["officer"] = str(officer.pk)
    if token:
        params["token"] = token
    query = f"?{urlencode(params)}" if params else ""
    base = (getattr(settings, "DANVAN_SITE_URL", "") or "").rstrip("/")
    if base:
        return f"{base}{path}{query}"
    if request is not None:
        return request.build_absolute_uri(path) + query
    return path + query


def qr_svg(url: str, *, title: str = "") -> SafeString:
    """An inline ``<svg>`` of the address (error correction M: survives a crease or a smudge on paper).

    It has a viewBox and no size, so CSS sizes it (5 cm on the poster, 2.5 cm on a slip); the title
    is its accessible name.
    """
    qr = segno.make(url, error="m", micro=False)
    svg = qr.svg_inline(border=2, dark="#000", light="#fff", title=title or None, svgclass="qr",
                        lineclass=None, omitsize=True)
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 - segno escapes the title  # nosec B308 B703
