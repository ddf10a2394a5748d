"""Response headers Django has no setting for.

Permissions-Policy switches off browser features (camera, microphone, location...) that no page of the
site uses, so that a script that got in anyway, or a page framing ours, cannot ask for them
(OWASP ASVS 5.0 V3.4). The value is the ``PERMISSIONS_POLICY`` setting; empty sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response
