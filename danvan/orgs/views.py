"""Browsing the tree, and the pages where administrators of a subtree manage its units and roles.

Views are thin: they find the unit among those the user may see (404 otherwise), check the
permission (403), validate the form and call a service; every rule lives in the service.
"""

from __future__ import annotations

import secrets
import tempfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from danvan.core.forms import add_service_errors

from . import exporters, importers, services
from .forms import (
    CHOICE_LIMIT,
    GrantRoleForm,
    ImportForm,
    OfficialCreateForm,
    UnitCloseForm,
    UnitCreateForm,
    UnitEditForm,
    UnitMoveForm,
)
from .middleware import SESSION_KEY
from .models import Membership, OrgUnit
from .paths import next_prefix
from .roles import Role
from .scope import scope_of

PAGE_SIZE = 50
IMPORT_CACHE_SECONDS = 3600


def _unit_for(request: HttpRequest, pk: int, perm: str) -> OrgUnit:
    """The unit if the user may see it (404 otherwise) and holds ``perm`` on it (403 otherwise)."""
    unit = get_object_or_404(OrgUnit.objects.visible_to(request.user).select_related("kind", "parent"), pk=pk)
    if not request.user.has_perm(perm, unit):
        raise PermissionDenied(_("You can only manage units inside your own part of the tree."))
    return unit



@login_required
def tree(request: HttpRequest) -> HttpResponse:
    """Search across everything visible, or show the top of the user's subtrees; one page at a time."""
    q = (request.GET.get("q") or "").strip()[:200]
    include_closed = request.GET.get("closed") == "1"
    after = request.GET.get("after", "")
    visible = OrgUnit.objects.visible_to(request.user).select_related("kind", "parent")
    if not include_closed:
        visible = visible.current()
    if q:
        qs = visible.search(q)
    else:
        scope = scope_of(request.user)
        qs = visible.filter(parent__isnull=True) if scope.is_superuser else visible.filter(pk__in=scope.unit_ids)
    if after.isdigit():
        qs = qs.filter(path__gt=after)
    if include_closed:
        qs = qs.prefetch_related("successors")
    units = list(qs.order_by("path")[: PAGE_SIZE + 1])
    more = len(units) > PAGE_SIZE
    units = units[:PAGE_SIZE]
    return render(
        request, "orgs/tree.html",
        {
            "units": units, "more": more, "q": q, "include_closed": include_closed,
            "next_after": units[-1].path if more else "", "paged": bool(after),
        },
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(OrgUnit.objects.visible_to(request.user).select_related("kind", "parent"), pk=pk)
    include_closed = request.GET.get("closed") == "1"
    children = unit.children.select_related("kind").order_by("kind__rank", "name", "pk")
    if not include_closed:
        children = children.filter(valid_to__isnull=True)
    else:
        children = children.prefetch_related("successors")
    after = request.GET.get("after", "")
    if after.isdigit():
        last = OrgUnit.objects.filter(parent=unit, pk=int(after)).values("kind__rank", "name").first()
        if last is not None:
            rank, name = last["kind__rank"], last["name"]
            children = children.filter(
                Q(kind__rank__gt=rank) | Q(kind__rank=rank, name__gt=name) | Q(kind__rank=rank, name=name, pk__gt=int(after))
            )
    page = list(children[: PAGE_SIZE + 1])
    ancestors = list(OrgUnit.objects.filter(pk__in=unit.ancestor_ids).order_by("path"))
    scope = scope_of(request.user)
    can_manage = request.user.has_perm("orgs.change_unit", unit)
    return render(
        request, "orgs/detail.html",
        {
            "unit": unit,
            "children": page[:PAGE_SIZE],
            "more": len(page) > PAGE_SIZE,
            "next_after": page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else "",
            "ancestors": ancestors,
            "visible_ancestor_ids": {a.pk for a in ancestors if scope.covers(a.path)},
            "successors": unit.successors.all(),
            "predecessors": unit.predecessors.all(),
            "include_closed": include_closed,
            "is_current": unit.valid_to is None,
            "can_manage": can_manage,
            "can_move": can_manage and unit.parent is not None,
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


# ---------------------------------------------------------------------------------------------
# Managing units


def _closed_refused(request: HttpRequest, unit: OrgUnit) -> HttpResponse | None:
    if unit.valid_to is not None:
        messages.error(request, _("This unit no longer exists and cannot be changed."))
        return redirect("orgs:detail", unit.pk)
    return None


@login_required
def unit_add(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _unit_for(request, pk, "orgs.add_child_unit")
    if (refused := _closed_refused(request, parent)) is not None:
        return refused
    form = UnitCreateForm(request.POST or None, superuser=request.user.is_superuser)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.create_unit(actor=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The unit “%(name)s” was created.") % {"name": unit.name})
            return redirect("orgs:detail", unit.pk)
    return render(request, "orgs/unit_form.html", {"unit": parent, "form": form, "mode": "add"})


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for(request, pk, "orgs.change_unit")
    official = unit.kind.is_administrative and not request.user.is_superuser
    current = None  # the values someone else saved meanwhile, shown beside the user's own
    if request.method == "POST":
        form = UnitEditForm(request.POST, official=official, initial=_edit_initial(unit))
        if form.is_valid():
            try:
                unit = services.update_unit(
                    actor=request.user, unit=unit, expected_version=form.cleaned_data["version"], **form.changes()
                )
            except services.ConcurrentEditError as exc:
                current = OrgUnit.objects.get(pk=unit.pk)
                data = request.POST.copy()
                data["version"] = services.unit_version(current)
                form = UnitEditForm(data, official=official, initial=_edit_initial(current))
                form.is_valid()
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("orgs:detail", unit.pk)
    else:
        form = UnitEditForm(initial=_edit_initial(unit), official=official)
    return render(request, "orgs/unit_form.html", {"unit": unit, "form": form, "mode": "edit", "current": current})


def _edit_initial(unit: OrgUnit) -> dict[str, Any]:
    return {f: getattr(unit, f) for f in services.UPDATABLE if f != "valid_to"} | {"version": services.unit_version(unit)}


def _admin_units(request: HttpRequest) -> Any:
    """Current units the user administers, in tree order, for choosing a parent or a successor."""
    return OrgUnit.objects.visible_to(request.user, roles={Role.ADMIN}).current().order_by("path")


@login_required
def unit_move(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for(request, pk, "orgs.change_unit")
    if (refused := _closed_refused(request, unit)) is not None:
        return refused
    choices = _admin_units(request).exclude(pk=unit.pk).exclude(kind__code="village")
    form = UnitMoveForm(request.POST or None, choices=choices[:CHOICE_LIMIT] if request.method == "GET" else choices,
                        initial={"new_parent": unit.parent_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.move_unit(actor=request.user, unit=unit, new_parent=form.cleaned_data["new_parent"])
        except ValidationError as exc:
            add_service_errors(form, exc, {"parent": "new_parent"})
        else:
            messages.success(
                request,
                _("“%(name)s” now belongs to “%(parent)s”.") % {"name": unit.name, "parent": form.cleaned_data["new_parent"].name},
            )
            return redirect("orgs:detail", unit.pk)
    return render(request, "orgs/unit_form.html", {"unit": unit, "form": form, "mode": "move"})


@login_required
def unit_close(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for(request, pk, "orgs.change_unit")
    if (refused := _closed_refused(request, unit)) is not None:
        return refused
    scope_root = unit.parent if unit.parent is not None and request.user.has_perm("orgs.view_unit", unit.parent) else None
    choices = OrgUnit.objects.visible_to(request.user).current().filter(kind=unit.kind).exclude(
        path__gte=unit.path, path__lt=next_prefix(unit.path)
    )
    if scope_root is not None:
        choices = choices.subtree_of(scope_root)
    choices = choices.order_by("path")
    form = UnitCloseForm(
        request.POST or None, choices=choices[:CHOICE_LIMIT] if request.method == "GET" else choices,
        initial={"last_day": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.close_unit(
                actor=request.user, unit=unit, last_day=form.cleaned_data["last_day"],
                successors=list(form.cleaned_data["successors"]), note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"valid_to": "last_day"})
        else:
            messages.success(request, _("The unit “%(name)s” was closed.") % {"name": unit.name})
            return redirect("orgs:detail", unit.pk)
    return render(request, "orgs/unit_form.html", {"unit": unit, "form": form, "mode": "close"})


# ---------------------------------------------------------------------------------------------
# Memberships


@login_required
def memberships(request: HttpRequest, pk: int) -> HttpResponse:
    """The roles held in the unit and below it, with the form to grant one."""
    unit = _unit_for(request, pk, "orgs.view_memberships")
    form = GrantRoleForm(request.POST or None)
    if request.method == "POST":
        if unit.valid_to is not None:
            form.add_error(None, _("Roles cannot be granted for a unit that no longer exists."))
        elif form.is_valid():
            try:
                m = services.grant_role(
                    actor=request.user, user=form.cleaned_data["user"], unit=unit, role=form.cleaned_data["role"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc, {"org_unit": "user"})
            else:
                messages.success(
                    request, _("%(user)s is now %(role)s of %(unit)s.")
                    % {"user": m.user.display_name, "role": m.get_role_display(), "unit": unit.name},
                )
                return redirect("orgs:memberships", unit.pk)
    qs = (
        Membership.objects.active()
        .filter(org_unit__path__gte=unit.path, org_unit__path__lt=next_prefix(unit.path))
        .select_related("user", "org_unit", "granted_by")
        .order_by("org_unit__path", "pk")
    )
    after = request.GET.get("after", "")
    path, _sep, mid = after.partition("-")
    if path.isdigit() and mid.isdigit():
        qs = qs.filter(Q(org_unit__path__gt=path) | Q(org_unit__path=path, pk__gt=int(mid)))
    rows = list(qs[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return render(
        request, "orgs/memberships.html",
        {
            "unit": unit, "memberships": rows, "form": form, "more": more,
            "next_after": f"{rows[-1].org_unit.path}-{rows[-1].pk}" if more else "",
            "paged": bool(after),
        },
    )


@login_required
@require_POST
def membership_revoke(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    unit = _unit_for(request, pk, "orgs.view_memberships")
    m = get_object_or_404(
        Membership.objects.active().select_related("org_unit", "user").filter(
            org_unit__path__gte=unit.path, org_unit__path__lt=next_prefix(unit.path)
        ),
        pk=membership_pk,
    )
    if not request.user.has_perm("orgs.revoke_membership", m):
        raise PermissionDenied(_("You can only change roles inside your own part of the tree."))
    try:
        services.revoke_membership(actor=request.user, membership=m)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The role %(role)s of %(user)s in %(unit)s was revoked.")
            % {"role": m.get_role_display(), "user": m.user.display_name, "unit": m.org_unit.name},
        )
    return redirect("orgs:memberships", unit.pk)


@login_required
def official_add(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for(request, pk, "orgs.grant_role")
    if (refused := _closed_refused(request, unit)) is not None:
        return refused
    form = OfficialCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.create_official(request.user, unit, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The account %(username)s was created for %(name)s.")
                % {"username": user.get_username(), "name": user.display_name},
            )
            return redirect("orgs:memberships", unit.pk)
    return render(request, "orgs/official_form.html", {"unit": unit, "form": form})


# ---------------------------------------------------------------------------------------------
# Import and export


def _import_key(token: str) -> str:
    return f"orgs-import:{token}"


@login_required
def unit_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload → preview (nothing saved) → confirm. The file waits in the shared cache for an hour.

    Confirming twice, or importing the same file again, creates nothing twice: rows that exist
    are reported as such and left unchanged.
    """
    unit = _unit_for(request, pk, "orgs.import_units")
    if (refused := _closed_refused(request, unit)) is not None:
        return refused
    context: dict[str, Any] = {"unit": unit, "max_bytes": settings.DANVAN_IMPORT_MAX_BYTES}
    form = ImportForm()
    if request.method == "POST" and "token" in request.POST:
        token = request.POST.get("token", "")
        stash = cache.get(_import_key(token)) if token else None
        if not stash or stash.get("user") != request.user.pk or stash.get("unit") != unit.pk:
            messages.error(request, _("This preview has expired or was already imported. Choose the file again."))
            return redirect("orgs:import", unit.pk)
        report = importers.run_import(actor=request.user, root=unit, data=stash["data"], filename=stash["name"])
        if report.ok:
            cache.delete(_import_key(token))
            messages.success(
                request, _("%(created)d units were imported; %(existing)d already existed and were left unchanged.")
                % {"created": len(report.created), "existing": len(report.existing)},
            )
            return redirect("orgs:detail", unit.pk)
        context["report"] = report
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            report = importers.run_import(
                actor=request.user, root=unit, data=data, filename=upload.name, dry_run=True
            )
            context["report"] = report
            if report.ok and report.to_create:
                token = secrets.token_urlsafe(24)
                cache.set(
                    _import_key(token), {"user": request.user.pk, "unit": unit.pk, "name": upload.name, "data": data},
                    IMPORT_CACHE_SECONDS,
                )
                context["token"] = token
    context["form"] = form
    return render(request, "orgs/import.html", context)


@login_required
@require_GET
def unit_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    unit = _unit_for(request, pk, "orgs.view_unit")
    fmt = request.GET.get("format", "csv")
    rows = exporters.unit_rows(exporters.export_queryset(request.user, unit))
    stem = slugify(unit.code or unit.name) or "units"
    if fmt == "csv":
        response = StreamingHttpResponse(exporters.csv_lines(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    if fmt == "xlsx":
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        exporters.write_xlsx(rows, spool)
        spool.seek(0)
        return FileResponse(
            spool, as_attachment=True, filename=f"{stem}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return HttpResponseBadRequest(_("Choose the format csv or xlsx."))
