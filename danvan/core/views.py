from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from danvan.orgs.models import Membership


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.active().filter(user=request.user).select_related("org_unit", "org_unit__kind")
        .order_by("org_unit__path", "role")
    )
    return render(request, "core/home.html", {"memberships": memberships})
