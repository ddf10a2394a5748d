"""The audit log for administrators: events of units inside their subtrees, newest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from danvan.orgs.roles import Role
from danvan.orgs.scope import scope_of, visible_q

from .models import AuditEvent

PAGE = 50


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if not scope.is_superuser and not scope.paths({Role.ADMIN}):
        return render(request, "403.html", status=403)
    qs = AuditEvent.objects.select_related("org_unit").order_by("-seq")
    q = visible_q(request.user, prefix="org_unit__", roles={Role.ADMIN})
    if q is not None:
        qs = qs.filter(q)
    before = request.GET.get("before", "")
    if before.isdigit():
        qs = qs.filter(seq__lt=int(before))
    events = list(qs[: PAGE + 1])
    return render(request, "core/audit_log.html", {"events": events[:PAGE], "more": len(events) > PAGE})
