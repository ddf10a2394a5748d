"""The overview page every user lands on, and the health check load balancers poll."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from danvan.orgs.models import Membership


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Answers only when the database does: a process that cannot reach it should leave the pool."""
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's own roles: the first question after logging in is "what may I do, and where"."""
    memberships = (
        Membership.objects.active().filter(user=request.user).select_related("org_unit", "org_unit__kind")
        .order_by("org_unit__path", "role")
    )
    return render(request, "core/home.html", {"memberships": memberships})
