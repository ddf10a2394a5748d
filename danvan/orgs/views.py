"""Browsing the tree: the units a user may see, one level at a time, with search."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import OrgUnit
from .middleware import SESSION_KEY
from .scope import scope_of

PAGE_SIZE = 50


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    """Search across everything visible, or show the top of the user's subtrees."""
    q = (request.GET.get("q") or "").strip()[:200]
    include_closed = request.GET.get("closed") == "1"
    visible = OrgUnit.objects.visible_to(request.user).select_related("kind", "parent")
    if not include_closed:
        visible = visible.current()
    if q:
        units = list(visible.search(q).order_by("path")[: PAGE_SIZE + 1])
    else:
        scope = scope_of(request.user)
        if scope.is_superuser:
            units = list(visible.filter(parent__isnull=True).order_by("name")[: PAGE_SIZE + 1])
        else:
            units = list(visible.filter(pk__in=scope.unit_ids).order_by("path")[: PAGE_SIZE + 1])
    more = len(units) > PAGE_SIZE
    return render(
        request, "orgs/tree.html",
        {"units": units[:PAGE_SIZE], "more": more, "q": q, "include_closed": include_closed},
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(OrgUnit.objects.visible_to(request.user).select_related("kind", "parent"), pk=pk)
    include_closed = request.GET.get("closed") == "1"
    children = unit.children.select_related("kind").order_by("kind__rank", "name")
    if not include_closed:
        children = children.filter(valid_to__isnull=True)
    after = request.GET.get("after") or ""
    if after:
        children = children.filter(name__gt=after)
    page = list(children[: PAGE_SIZE + 1])
    ancestors = OrgUnit.objects.filter(pk__in=unit.ancestor_ids).order_by("path")
    return render(
        request, "orgs/detail.html",
        {
            "unit": unit,
            "children": page[:PAGE_SIZE],
            "more": len(page) > PAGE_SIZE,
            "ancestors": ancestors,
            "visible_ancestor_ids": set(
                OrgUnit.objects.visible_to(request.user).filter(pk__in=unit.ancestor_ids).values_list("pk", flat=True)
            ),
            "successors": unit.successors.all(),
            "predecessors": unit.predecessors.all(),
            "include_closed": include_closed,
            "can_manage": request.user.has_perm("orgs.change_unit", unit),
        },
    )


@login_required
@require_POST
def switch_unit(request: HttpRequest) -> HttpResponse:
    try:
        unit_id = int(request.POST.get("unit", ""))
    except ValueError:
        return HttpResponseBadRequest(_("Choose a unit."))
    scope = scope_of(request.user)
    if unit_id not in scope.unit_ids and not scope.is_superuser:
        messages.error(request, _("You do not hold a role for that unit."))
    else:
        request.session[SESSION_KEY] = unit_id
        unit = OrgUnit.objects.filter(pk=unit_id).first()
        if unit:
            messages.success(request, _("You are now working for %(unit)s.") % {"unit": unit.name})
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        nxt = "/"
    return redirect(nxt)
