"""League tables (login): the list, a ranking with its formula, and an administrator's edits.

Thin over ``league`` (scores and writes). A table is seen by anyone whose roles cover its unit (a 404
for others, as if it did not exist); only an administrator of the unit may create, change or delete
one (403). A stale form is a 409, nothing saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors

from . import export, league
from . import views_common as common
from .forms import DeleteForm, LeagueTableForm, PeriodForm
from .models import LeagueTable

MAX_TABLES = 200


def tables_for(user: Any) -> QuerySet[LeagueTable]:
    """Live tables of the units the user's roles cover."""
    return LeagueTable.objects.filter(deleted_at__isnull=True).visible_to(user)


def _table(request: HttpRequest, pk: int) -> LeagueTable:
    table = tables_for(request.user).select_related("owner", "owner__kind").filter(pk=pk).first()
    if table is None:
        raise Http404
    return table


def _can_edit(request: HttpRequest, table: LeagueTable) -> bool:
    return bool(request.user.has_perm("orgs.change_unit", table.owner))


@login_required
@require_GET
def league_list(request: HttpRequest) -> HttpResponse:
    place = common.place_of(request)
    rows = list(tables_for(request.user).select_related("owner").order_by("owner__path", "name", "pk")[:MAX_TABLES])
    return render(request, "dashboard/league_list.html", {
        "place": place, "tables": rows, "more": len(rows) >= MAX_TABLES,
        "can_create": place.unit is not None and request.user.has_perm("orgs.change_unit", place.unit),
    })


def _result(request: HttpRequest, table: LeagueTable) -> tuple[Any, PeriodForm, league.LeagueResult | None]:
    """The ranking of the units below ``?unit=`` (default: the table's unit, or a unit below it) for ``?period=``."""
    unit = table.owner
    if request.GET.get("unit"):
        unit = common.unit_from(request.user, request.GET["unit"])
        if not unit.path.startswith(table.owner.path):
            raise Http404
    refresh = common.last_refresh()
    choices = common.period_choices(refresh)
    form = PeriodForm(request.GET if "period" in request.GET else {"period": common.default_period()},
                      choices=choices)
    if not form.is_valid():
        return refresh, form, None
    return refresh, form, league.score(table, unit, form.cleaned_data["period"] or common.default_period())


@login_required
@require_GET
def league_detail(request: HttpRequest, pk: int) -> HttpResponse:
    table = _table(request, pk)
    refresh, form, result = _result(request, table)
    ctx = {"table": table, "form": form, "result": result, "can_edit": _can_edit(request, table),
           "crumbs": common.crumbs(request.user, result.unit) if result else [],
           "period_label": common.period_label(result.period) if result else "",
           **common.refresh_info(refresh)}
    return render(request, "dashboard/league.html", ctx, status=200 if result is not None else 400)


@login_required
@require_GET
def league_export(request: HttpRequest, pk: int) -> HttpResponse:
    table = _table(request, pk)
    refresh, form, result = _result(request, table)
    if result is None:
        return HttpResponse("; ".join(str(e) for errs in form.errors.values() for e in errs), status=400,
                            content_type="text/plain; charset=utf-8")
    data = export.workbook(export.league_rows(result, common.refresh_info(refresh)["refreshed_at"]),
                           _("League table"))
    return export.response(data, f"xep-hang-{table.pk}-{result.unit.pk}-{result.period}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def league_create(request: HttpRequest) -> HttpResponse:
    place = common.place_of(request)
    if place.unit is None:
        raise Http404
    if not request.user.has_perm("orgs.change_unit", place.unit):
        raise PermissionDenied(_("Only an administrator of the unit may change its league tables."))
    defs = common.registered()
    if request.method == "POST":
        form = LeagueTableForm(request.POST, defs=defs)
        if form.is_valid():
            try:
                table = league.create_table(actor=request.user, owner=place.unit, name=form.cleaned_data["name"],
                                            criteria=form.criteria(), is_default=form.cleaned_data["is_default"])
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("The league table was saved."))
                return redirect("dashboard:league", pk=table.pk)
        return render(request, "dashboard/league_form.html", {"form": form, "place": place, "table": None},
                      status=400)
    form = LeagueTableForm(defs=defs, initial=LeagueTableForm.initial_for(None, defs))
    return render(request, "dashboard/league_form.html", {"form": form, "place": place, "table": None})


@login_required
@require_http_methods(["GET", "POST"])
def league_edit(request: HttpRequest, pk: int) -> HttpResponse:
    table = _table(request, pk)
    if not _can_edit(request, table):
        raise PermissionDenied(_("Only an administrator of the unit may change its league tables."))
    defs = common.registered()
    ctx: dict[str, Any] = {"table": table, "place": common.Place(unit=table.owner, allowed=True),
                           "delete_form": DeleteForm(initial={"expected_version": table.lock_version})}
    if request.method == "POST":
        form = LeagueTableForm(request.POST, defs=defs)
        status = 400
        if form.is_valid():
            try:
                league.update_table(actor=request.user, table=table,
                                    expected_version=form.cleaned_data["expected_version"],
                                    name=form.cleaned_data["name"], criteria=form.criteria(),
                                    is_default=form.cleaned_data["is_default"])
            except ConcurrentEditError as e:
                form.add_error(None, e.messages)
                status = 409
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("The league table was saved."))
                return redirect("dashboard:league", pk=table.pk)
        return render(request, "dashboard/league_form.html", {**ctx, "form": form}, status=status)
    form = LeagueTableForm(defs=defs, initial=LeagueTableForm.initial_for(table, defs))
    return render(request, "dashboard/league_form.html", {**ctx, "form": form})


@login_required
@require_POST
def league_delete(request: HttpRequest, pk: int) -> HttpResponse:
    table = _table(request, pk)
    if not _can_edit(request, table):
        raise PermissionDenied(_("Only an administrator of the unit may change its league tables."))
    form = DeleteForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            league.delete_table(actor=request.user, table=table, expected_version=form.cleaned_data["expected_version"],
                                reason=form.cleaned_data["reason"])
        except ConcurrentEditError as e:
            form.add_error(None, e.messages)
            status = 409
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The league table was deleted."))
            return redirect(reverse("dashboard:league_list") + f"?unit={table.owner_id}")
    defs = common.registered()
    edit = LeagueTableForm(defs=defs, initial=LeagueTableForm.initial_for(table, defs))
    return render(request, "dashboard/league_form.html", {
        "table": table, "place": common.Place(unit=table.owner, allowed=True), "form": edit, "delete_form": form,
    }, status=status)
