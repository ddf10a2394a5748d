"""The dashboard's pages (login): figures by unit with drill-down, targets of the active plans, trends, exports.

Thin over ``views_common`` (unit, period, pre-aggregated figures), ``targets`` (a plan's targets by
unit), ``charts`` and ``export``. The national page reads a few hundred ``Figure`` rows, never the
modules' records, so it stays fast over 100,000 units; the page says when the figures were computed.
A unit the user may not see is a 404; a figure nobody provides is "not available", never 0.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of
from danvan.plans.models import Plan, PlanStatus

from . import charts, export
from . import views_common as common
from .forms import PeriodForm, TrendForm

MAX_PLANS = 100


def _period(request: HttpRequest, refresh: Any) -> tuple[PeriodForm, str | None]:
    """The period asked for (default: this year); None with the form's error when it is not one of the choices."""
    choices = common.period_choices(refresh)
    form = PeriodForm(request.GET if "period" in request.GET else None, choices=choices)
    if not form.is_bound:
        form = PeriodForm({"period": common.default_period()}, choices=choices)
    if not form.is_valid():
        return form, None
    return form, form.cleaned_data["period"] or common.default_period()


def _no_unit(request: HttpRequest, title: str) -> HttpResponse:
    return render(request, "dashboard/no_unit.html", {"title": title})


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Every figure of the unit and of each unit below it, for one period; click a unit to go down."""
    place = common.place_of(request)
    if not place.allowed:
        return _no_unit(request, _("Dashboard"))
    refresh = common.last_refresh()
    form, period = _period(request, refresh)
    ctx: dict[str, Any] = {"place": place, "form": form, **common.refresh_info(refresh)}
    if period is None:
        return render(request, "dashboard/home.html", ctx, status=400)
    table = common.figure_table(place.unit, period)
    ctx.update({"table": table, "period": period, "period_label": common.period_label(period)})
    return render(request, "dashboard/home.html", ctx)


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The home page's table as an Excel file."""
    place = common.place_of(request)
    if not place.allowed:
        raise Http404
    refresh = common.last_refresh()
    form, period = _period(request, refresh)
    if period is None:
        return HttpResponse("; ".join(str(e) for errs in form.errors.values() for e in errs), status=400,
                            content_type="text/plain; charset=utf-8")
    table = common.figure_table(place.unit, period)
    title = _("Dashboard: %(unit)s") % {"unit": place.name}
    data = export.workbook(export.figures_rows(table, title, common.refresh_info(refresh)["refreshed_at"]),
                           _("Figures"))
    return export.response(data, f"bang-dieu-khien-{place.unit_param or 'ca-nuoc'}-{period}.xlsx")


# --------------------------------------------------------------------------- trend


@login_required
@require_GET
def trend(request: HttpRequest) -> HttpResponse:
    """One figure of one unit over the periods: a chart and the same values as a table (``?format=png``: a file)."""
    place = common.place_of(request)
    if not place.allowed:
        raise Http404
    d = common.definition(request.GET.get("key", ""))
    if d is None:
        raise Http404
    form = TrendForm(request.GET)
    by = form.cleaned_data.get("by") if form.is_valid() else None
    by = by or "quarter"
    points = common.trend_points(place.unit, d.key, d.kind, by)
    title = _("%(figure)s: %(unit)s") % {"figure": d.label, "unit": place.name}
    if request.GET.get("format") == "png":
        png = charts.line_png([(label, v) for _p, label, v in points], kind=d.kind, title=title)
        resp = HttpResponse(png, content_type="image/png")
        resp["Content-Disposition"] = f'attachment; filename="xu-huong-{d.key}-{place.unit_param or "ca-nuoc"}.png"'
        return resp
    refresh = common.last_refresh()
    chart = charts.line_svg([(label, v) for _p, label, v in points], kind=d.kind, title=title,
                            desc=str(getattr(d, "description", "") or ""))
    rows = [{"period": p, "label": label, "text": common.fmt_value(v, d.kind), "available": v is not None}
            for p, label, v in points]
    return render(request, "dashboard/trend.html", {
        "place": place, "figure": d, "form": form, "by": by, "chart": chart, "rows": rows, "title": title,
        **common.refresh_info(refresh),
    }, status=200 if form.is_valid() else 400)


# --------------------------------------------------------------------------- plans


def _active_plans(request: HttpRequest, unit: OrgUnit | None) -> list[Plan]:
    """Issued plans running this year, of the unit or of a unit above it (the plans it implements)."""
    year = timezone.localdate().year
    qs = Plan.objects.alive().filter(status=PlanStatus.ISSUED, year__lte=year).select_related("issuer")
    if unit is None:
        qs = qs.filter(issuer__parent__isnull=True)
    else:
        qs = qs.filter(issuer_id__in=[*unit.ancestor_ids, unit.pk])
    plans = [p for p in qs.order_by("-year", "issuer__path", "-pk")[: MAX_PLANS * 2]
             if (p.end_year or p.year) >= year]
    return [p for p in plans if request.user.has_perm("plans.view_plan", p)][:MAX_PLANS]


@login_required
@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    place = common.place_of(request)
    if not place.allowed:
        return _no_unit(request, _("Plans and targets"))
    rows = _active_plans(request, place.unit)
    return render(request, "dashboard/plans.html", {"place": place, "plans": rows, "more": len(rows) >= MAX_PLANS})


@login_required
@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Every target of the plan: value against target, state, and each unit below (drill-down)."""
    from .targets import plan_targets

    row = Plan.objects.alive().select_related("issuer").filter(pk=pk).first()
    if row is None or not request.user.has_perm("plans.view_plan", row):
        raise Http404
    unit: OrgUnit | None
    if request.GET.get("unit"):
        unit = common.unit_from(request.user, request.GET["unit"])
    elif scope_of(request.user).covers(row.issuer.path):
        unit = row.issuer
    else:
        unit = common.top_unit(request.user)
    if unit is None or not unit.path.startswith(row.issuer.path):
        raise Http404  # the plan's targets are shown for its issuer and the units below it
    refresh = common.last_refresh()
    targets = plan_targets(row, unit)
    return render(request, "dashboard/plan.html", {
        "plan": row, "unit": unit, "targets": targets, "crumbs": common.crumbs(request.user, unit),
        **common.refresh_info(refresh),
    })
