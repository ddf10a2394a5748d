"""The reports pages: "My reports", and the helpers every report page shares.

Views are thin: find the object among those the user may see (404 otherwise, as for plans), check
the permission of rules.py (403), validate a Django form and call a service. The pages are split
by subject: ``views_forms`` (report forms), ``views_regimes`` (regimes, periods, the drill-down)
and ``views_submissions`` (the fill grid, review, Excel, history).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of

from .models import EDITABLE_STATUSES, Period, ReportingRegime, Submission
from .rules import EDITORS

LIST_LIMIT = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def editing_units(request: HttpRequest) -> QuerySet[OrgUnit]:
    """Units the user may create forms and regimes for: those where they hold an editing role."""
    scope = scope_of(request.user)
    ids = sorted({g.unit_id for g in scope.grants if g.role in EDITORS})
    if not ids and scope.is_superuser:
        return OrgUnit.objects.current().filter(parent__isnull=True).order_by("path")
    return OrgUnit.objects.current().filter(pk__in=ids).order_by("path")


def id_url(name: str, *args: Any) -> Callable[[object], str]:
    """``reverse()`` once with a stand-in for the last id; each row then puts its own id in."""
    stand_in = "2147483647"
    head, _sep, tail = reverse(name, args=[*args, int(stand_in)]).rpartition(stand_in)
    return lambda pk: f"{head}{pk}{tail}"


def regime_for(request: HttpRequest, pk: int) -> ReportingRegime:
    """The regime if the user may read it; 404 otherwise (another province's regime does not exist for them)."""
    regime = get_object_or_404(
        ReportingRegime.objects.alive().select_related("owner", "scope_root", "form", "plan"), pk=pk
    )
    if not request.user.has_perm("reports.view_regime", regime):
        raise Http404
    return regime


def period_for(request: HttpRequest, pk: int) -> Period:
    period = get_object_or_404(
        Period.objects.select_related(
            "regime", "regime__owner", "regime__scope_root", "regime__form", "regime__plan"
        ).filter(regime__deleted_at__isnull=True),
        pk=pk,
    )
    if not request.user.has_perm("reports.view_regime", period.regime):
        raise Http404
    return period


def submission_for(request: HttpRequest, pk: int) -> Submission:
    sub = get_object_or_404(
        Submission.objects.visible_to(request.user).select_related(
            "period", "period__regime", "period__regime__owner", "period__regime__form", "org_unit",
            "org_unit__kind", "submitted_by", "reviewed_by",
        ),
        pk=pk,
    )
    if not request.user.has_perm("reports.view_submission", sub):
        raise Http404
    return sub


def deadline_state(sub: Submission, today: dt.date | None = None) -> str:
    """"late" (submitted after the deadline), "overdue" (not submitted, deadline passed) or ""."""
    if sub.is_late:
        return "late"
    today = today or timezone.localdate()
    if sub.status in EDITABLE_STATUSES and sub.period.due_on < today:
        return "overdue"
    return ""


def _rows(subs: list[Submission], today: dt.date) -> list[dict[str, Any]]:
    url = id_url("reports:submission")
    return [
        {"sub": s, "url": url(s.pk), "state": deadline_state(s, today), "status": s.get_status_display()}
        for s in subs
    ]


def _bounded(qs: QuerySet[Any]) -> tuple[list[Any], bool]:
    rows = list(qs[: LIST_LIMIT + 1])
    return rows[:LIST_LIMIT], len(rows) > LIST_LIMIT


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What the user has to do: reports to fill in open periods, reports to review, regimes they manage."""
    from . import queries

    user = request.user
    today = timezone.localdate()
    related = ("period", "period__regime", "org_unit")
    to_fill, more_fill = _bounded(
        queries.my_submissions(user).select_related(*related).order_by("period__due_on", "org_unit__path", "pk")
    )
    to_review, more_review = _bounded(
        queries.submissions_to_review(user).select_related(*related)
        .order_by("submitted_at", "org_unit__path", "pk")
    )
    managed, more_managed = _bounded(
        ReportingRegime.objects.alive().visible_to(user, roles=EDITORS)
        .select_related("owner", "form", "plan").order_by("-created_at", "-pk")
    )
    regime_url = id_url("reports:regime")
    return render(
        request, "reports/home.html",
        {
            "to_fill": _rows(to_fill, today), "more_fill": more_fill,
            "to_review": _rows(to_review, today), "more_review": more_review,
            "managed": [{"regime": r, "url": regime_url(r.pk)} for r in managed], "more_managed": more_managed,
            "can_create": editing_units(request).exists(),
            "limit": LIST_LIMIT,
        },
    )
