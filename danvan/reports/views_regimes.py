"""Regimes and periods: setting up reporting from a plan, opening and closing periods, and the period page.

The period page is the reporting-rate summary of DHIS2: for one unit, how many reports were
expected from each unit below it, how many came, on time or late, drilling from the province to a
commune and down to the reports themselves, with the aggregated figures of chosen indicators.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors
from danvan.orgs.models import OrgKind, OrgUnit
from danvan.orgs.scope import scope_of

from .forms import YEARLY_KINDS, OpenPeriodForm, PeriodForm, RegimeForm
from .models import COUNTED_STATUSES, Period, PeriodKind, PeriodStatus, Submission, SubmissionStatus
from .views import DOCX_TYPE, XLSX_TYPE, editing_units, id_url, period_for, regime_for
from .views_forms import visible_forms

PERIOD_LIMIT = 40
MAX_SHOWN_INDICATORS = 6


# ---------------------------------------------------------------------------------------------
# A new regime, usually from a plan


def _plan_for(request: HttpRequest) -> Any:
    from danvan.plans.queries import plans_visible_to

    raw = request.GET.get("plan", "")
    if not raw.isdigit() or len(raw) > 12:
        return None
    plan = plans_visible_to(request.user).select_related("issuer").filter(pk=int(raw)).first()
    if plan is None or not request.user.has_perm("plans.view_plan", plan):
        raise Http404
    return plan


def _plan_initial(plan: Any) -> dict[str, Any]:
    """Owner, name and deadlines as the plan gives them ("6-month report before 05/6")."""
    from danvan.plans.models import DeadlineKind

    initial: dict[str, Any] = {"owner": plan.issuer_id, "scope_root": plan.issuer_id, "name": plan.title[:255]}
    kinds = {DeadlineKind.HALF_YEAR_REPORT: PeriodKind.HALF_YEAR, DeadlineKind.ANNUAL_REPORT: PeriodKind.ANNUAL}
    period_kinds = []
    for d in plan.deadlines.filter(kind__in=list(kinds)).order_by("due_on"):
        kind = kinds[d.kind]
        if f"deadline_{kind}" not in initial:
            initial[f"deadline_{kind}"] = f"{d.due_on.month:02d}-{d.due_on.day:02d}"
            period_kinds.append(str(kind))
    initial["period_kinds"] = period_kinds or [PeriodKind.HALF_YEAR, PeriodKind.ANNUAL]
    subordinate = list(plan.subordinate_kinds.values_list("pk", flat=True))
    initial["reporter_kinds"] = subordinate or list(
        OrgKind.objects.filter(code__in=["commune", "department"]).values_list("pk", flat=True)
    )
    return initial


@login_required
def regime_new(request: HttpRequest) -> HttpResponse:
    from . import services

    plan = _plan_for(request)
    owners = editing_units(request)
    if plan is not None:
        owners = (owners | OrgUnit.objects.filter(pk=plan.issuer_id)).distinct()
    initial = _plan_initial(plan) if plan is not None else {
        "period_kinds": [PeriodKind.HALF_YEAR, PeriodKind.ANNUAL],
        "owner": getattr(request.current_unit, "pk", None),  # type: ignore[attr-defined]
    }
    forms_qs = visible_forms(request.user).filter(status="published").order_by("code", "-version")
    form = RegimeForm(request.POST or None, owners=owners, forms_qs=forms_qs, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if not request.user.has_perm("reports.create_regime_for_unit", d["owner"]):
            raise PermissionDenied(_("You may only set up reporting for units where you hold an editing role."))
        try:
            regime = services.create_regime(
                actor=request.user, owner=d["owner"], name=d["name"], form=d["form"],
                reporter_kinds=list(d["reporter_kinds"]), period_kinds=list(d["period_kinds"]),
                scope_root=d["scope_root"] or d["owner"], plan=plan, cutoffs=form.cutoffs(),
                deadlines=form.deadlines(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {f"deadlines.{k}": f"deadline_{k}" for k in YEARLY_KINDS})
        else:
            messages.success(request, _("The reporting regime was set up. Open its first period below."))
            return redirect("reports:regime", regime.pk)
    return render(
        request, "reports/regime_new.html",
        {"form": form, "plan": plan, "has_units": owners.exists(), "has_forms": forms_qs.exists()},
        status=400 if request.method == "POST" else 200,
    )


# ---------------------------------------------------------------------------------------------
# A regime and its periods


def _summaries(request: HttpRequest, period_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Expected, received and late reports per period, in the user's part of the tree: one query."""
    rows = (
        Submission.objects.visible_to(request.user).filter(period_id__in=period_ids, expected=True)
        .values("period_id")
        .annotate(
            expected=Count("pk"),
            received=Count("pk", filter=Q(status__in=COUNTED_STATUSES)),
            late=Count("pk", filter=Q(status__in=COUNTED_STATUSES, is_late=True)),
            accepted=Count("pk", filter=Q(status=SubmissionStatus.ACCEPTED)),
        )
    )
    out = {}
    for r in rows:
        r["missing"] = r["expected"] - r["received"]
        r["rate"] = round(100 * r["received"] / r["expected"]) if r["expected"] else None
        out[r["period_id"]] = r
    return out


@login_required
@require_GET
def regime_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from .periods import DECREE_09_CUTOFFS

    regime = regime_for(request, pk)
    periods = list(regime.periods.order_by("-year", "-due_on", "-pk")[:PERIOD_LIMIT])
    summaries = _summaries(request, [p.pk for p in periods])
    url = id_url("reports:period")
    rows = [{"period": p, "url": url(p.pk), "summary": summaries.get(p.pk)} for p in periods]
    labels = dict(PeriodKind.choices)
    kinds = [
        {"label": labels.get(k, k), "deadline": _day_month((regime.deadlines or {}).get(k)),
         "cutoff": (regime.cutoffs or {}).get(k) or DECREE_09_CUTOFFS.get(k)}
        for k in regime.period_kinds
    ]
    for k in kinds:
        cut = k["cutoff"]
        k["cutoff"] = f"{_day_month(cut['start'])}–{_day_month(cut['end'])}" if cut else ""
    return render(
        request, "reports/regime_detail.html",
        {"regime": regime, "rows": rows, "kinds": kinds, "reporter_kinds": list(regime.reporter_kinds.all()),
         "can_manage": request.user.has_perm("reports.change_regime", regime), "more": len(periods) == PERIOD_LIMIT},
    )


def _day_month(text: Any) -> str:
    """"06-05" as officials write it: 05/06."""
    if isinstance(text, str) and len(text) == 5 and text[2] == "-":
        return f"{text[3:]}/{text[:2]}"
    return ""


def _defaults(regime: Any, year: int) -> list[dict[str, Any]]:
    """The cut-off and deadline each kind gets when the dates are left empty (first period of the year)."""
    from .periods import default_cutoff, default_deadline

    labels = dict(PeriodKind.choices)
    out = []
    for kind in regime.period_kinds:
        start: dt.date | None
        end: dt.date | None
        try:
            start, end = default_cutoff(kind, year, 1, regime.cutoffs)
        except ValueError:
            start = end = None
        try:
            due = default_deadline(regime, kind, year, 1)
        except ValueError:
            due = None
        out.append({"label": labels.get(kind, kind), "start": start, "end": end, "due": due})
    return out


@login_required
def period_open(request: HttpRequest, pk: int) -> HttpResponse:
    from . import services

    regime = regime_for(request, pk)
    if not request.user.has_perm("reports.change_regime", regime):
        raise PermissionDenied(_("Only officers of the consolidating unit may open periods."))
    year = timezone.localdate().year
    form = OpenPeriodForm(request.POST or None, kinds=regime.period_kinds, initial={"year": year, "number": 1})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            period = services.open_period(
                actor=request.user, regime=regime, kind=d["kind"], year=d["year"], number=d["number"],
                starts_on=d["starts_on"], ends_on=d["ends_on"], due_on=d["due_on"], label=d["label"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The period was opened; every unit expected to report can now fill in its report."))
            return redirect("reports:period", period.pk)
    if form.is_bound and form.data.get("year", "").isdigit():
        year = min(max(int(form.data["year"]), 2000), 2100)
    return render(
        request, "reports/period_open.html",
        {"regime": regime, "form": form, "defaults": _defaults(regime, year), "year": year},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def period_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from . import services

    period = period_for(request, pk)
    regime = period.regime
    if not request.user.has_perm("reports.change_regime", regime):
        raise PermissionDenied(_("Only officers of the consolidating unit may change periods."))
    initial = {"label": period.label, "starts_on": period.starts_on, "ends_on": period.ends_on,
               "due_on": period.due_on, "expected_version": period.lock_version}
    form = PeriodForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_period(
                actor=request.user, period=period, expected_version=d["expected_version"], starts_on=d["starts_on"],
                ends_on=d["ends_on"], due_on=d["due_on"], label=d["label"],
            )
        except ConcurrentEditError as exc:
            data = request.POST.copy()
            data["expected_version"] = str(Period.objects.get(pk=period.pk).lock_version)
            form = PeriodForm(data, initial=initial)
            form.is_valid()
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("reports:period", period.pk)
    return render(request, "reports/period_edit.html", {"period": period, "regime": regime, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def period_close(request: HttpRequest, pk: int) -> HttpResponse:
    from . import services

    period = period_for(request, pk)
    if not request.user.has_perm("reports.change_regime", period.regime):
        raise PermissionDenied(_("Only officers of the consolidating unit may close periods."))
    if period.status == PeriodStatus.CLOSED:
        messages.info(request, _("This period is already closed."))
        return redirect("reports:period", period.pk)
    try:
        services.close_period(actor=request.user, period=period)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The period was closed; its reports can no longer be changed."))
    return redirect("reports:period", period.pk)


# ---------------------------------------------------------------------------------------------
# The period page: completeness and figures, drilling down the tree


def period_unit(request: HttpRequest, period: Period) -> OrgUnit:
    """The unit asked for (``?unit=``), or the highest unit of the user inside the regime's scope.

    A unit outside the regime's scope, or outside the user's part of the tree, does not exist for them.
    """
    regime = period.regime
    root = regime.scope_root
    scope = scope_of(request.user)
    raw = request.GET.get("unit", "")
    if raw:
        if not raw.isdigit() or len(raw) > 12:
            raise Http404
        unit = OrgUnit.objects.select_related("kind").filter(pk=int(raw)).first()
        if unit is None or not unit.path.startswith(root.path) or not scope.covers(unit.path):
            if not (unit is not None and unit.path.startswith(root.path) and scope.covers(regime.owner.path)):
                raise Http404
        return unit
    if scope.covers(root.path) or scope.covers(regime.owner.path):
        return root
    inside = sorted((p for p in scope.paths() if p.startswith(root.path)), key=lambda p: (len(p), p))
    if not inside:
        raise Http404
    return OrgUnit.objects.select_related("kind").get(path=inside[0])


def _pct(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _completeness_row(c: Any) -> dict[str, Any]:
    expected, received = c.expected, c.received
    missing = max(expected - received, 0)
    rate = _pct(min(received, expected), expected)
    return {"expected": expected, "received": received, "on_time": c.on_time, "late": c.late, "missing": missing,
            "accepted": getattr(c, "accepted", 0), "rate": rate, "timely": _pct(min(c.on_time, expected), expected)}


def _shown(value: float | None, ind: Any) -> str:
    if value is None:
        return "—"
    if ind.aggregation == "share_yes" or ind.value_type == "percentage" or ind.aggregation == "ratio":
        return f"{value:.1f}".replace(".", ",") + " %"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _chosen_indicators(request: HttpRequest, spec: Any) -> list[Any]:
    codes = request.GET.getlist("ind")[:MAX_SHOWN_INDICATORS]
    return [ind for code in codes if (ind := spec.indicator(code)) is not None and ind.is_numeric]


@login_required
@require_GET
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from .aggregation import unit_reports
    from .drilldown import drilldown

    period = period_for(request, pk)
    regime = period.regime
    unit = period_unit(request, period)
    scope = scope_of(request.user)
    reads_all = scope.covers(regime.owner.path)
    try:
        data = drilldown(period, unit)
    except KeyError:  # a unit with no node (nothing expected in its subtree)
        data = None
    spec = data["aggregate"].spec if data else _spec(regime)
    chosen = _chosen_indicators(request, spec)
    base = reverse("reports:period", args=[period.pk])
    query_inds = "".join(f"&ind={ind.code}" for ind in chosen)
    children, total, totals, crumbs = [], None, [], []
    if data is not None:
        for child in data["children"]:
            row = _completeness_row(child["completeness"])
            row.update(
                name=child["name"], kind=child["kind"], unit_id=child["unit_id"],
                url=f"{base}?unit={child['unit_id']}{query_inds}",
                values=[_shown(child["values"].get(ind.code), ind) for ind in chosen],
            )
            children.append(row)
        total = _completeness_row(data["node"]["completeness"])
        totals = [_shown(data["node"]["values"].get(ind.code), ind) for ind in chosen]
        crumbs = [{"name": a["name"], "url": f"{base}?unit={a['pk']}{query_inds}"} for a in data["ancestors"]]
    reports = (data["reports"] if data else []) or unit_reports(period, unit)
    sub_url = id_url("reports:submission")
    rows = [{**r, "url": sub_url(r["submission_id"]) if reads_all or scope.covers(r["path"]) else ""} for r in reports]
    today = timezone.localdate()
    return render(
        request, "reports/period_detail.html",
        {
            "period": period, "regime": regime, "unit": unit, "total": total, "children": children,
            "reports": rows, "indicators": [i for i in spec.indicators if i.is_numeric], "chosen": chosen,
            "chosen_codes": [i.code for i in chosen], "totals": totals,
            "chosen_totals": list(zip(chosen, totals, strict=False)),
            "crumbs": crumbs, "overdue": period.status == PeriodStatus.OPEN and period.due_on < today,
            "can_manage": request.user.has_perm("reports.change_regime", regime),
            "query": f"?unit={unit.pk}",
        },
    )


def _spec(regime: Any) -> Any:
    from .validation import spec_for

    return spec_for(regime.form)


def _filename(period: Period, unit: OrgUnit, suffix: str) -> str:
    from .export import ascii_slug

    return f"tong-hop-{ascii_slug(unit.name) or unit.pk}-{ascii_slug(period.label) or period.pk}{suffix}"[:150]


@login_required
@require_GET
def period_synthesis(request: HttpRequest, pk: int) -> HttpResponse:
    from .synthesis import synthesis_docx

    period = period_for(request, pk)
    unit = period_unit(request, period)
    data = synthesis_docx(period, unit, actor=request.user)
    response = HttpResponse(data, content_type=DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(period, unit, ".docx")}"'
    return response


@login_required
@require_GET
def period_values(request: HttpRequest, pk: int) -> FileResponse:
    """Every figure of the unit's subtree as XLSX, written to a temporary file and streamed from it."""
    from .export import write_values_xlsx

    period = period_for(request, pk)
    unit = period_unit(request, period)
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it after streaming
    try:
        write_values_xlsx(period, unit, out)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return FileResponse(out, as_attachment=True, filename=_filename(period, unit, ".xlsx"), content_type=XLSX_TYPE)
