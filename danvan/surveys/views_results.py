"""Results pages (login): the satisfaction index of a unit's subtree or of one survey, and the exports.

Thin over ``index`` and ``export``. Permission ``surveys.view_results`` on the unit or the survey
(any role covering it); a unit or a survey the user cannot see is a 404 like one that does not
exist. Every figure is computed in SQL over the masks; only the per-question distribution of one
version reads answers, bounded (``index.DISTRIBUTION_MAX``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of, subtree_q

from . import charts, export, index
from .forms_results import ResultsForm
from .models import Response, Survey

XLSX_MAX_ROWS = 50_000  # DANVAN_SURVEYS_XLSX_MAX_ROWS

BREAKDOWNS = ("month", "org_unit", "service", "desk", "officer")
MAX_SURVEYS = 50


def _digits(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


def _unit(request: HttpRequest) -> OrgUnit | None:
    """The unit of ``?unit=`` (404 if not visible), else the current unit, else the user's first unit."""
    raw = request.GET.get("unit", "")
    if raw:
        pk = _digits(raw)
        unit = OrgUnit.objects.filter(pk=pk).first() if pk is not None else None
        if unit is None or not request.user.has_perm("surveys.view_results", unit):
            raise Http404
        return unit
    current = getattr(request, "current_unit", None)
    if current is not None and request.user.has_perm("surveys.view_results", current):
        return current
    ids = scope_of(request.user).unit_ids
    if not ids and scope_of(request.user).is_superuser:
        return OrgUnit.objects.current().filter(parent__isnull=True).order_by("name").first()
    return OrgUnit.objects.filter(pk__in=ids[:1]).first() if ids else None


def _survey(request: HttpRequest, pk: int) -> Survey:
    survey = (Survey.objects.visible_to(request.user).filter(pk=pk, deleted_at__isnull=True)
              .select_related("org_unit", "service").first())
    if survey is None or not request.user.has_perm("surveys.view_results", survey):
        raise Http404
    return survey


def _form(request: HttpRequest) -> ResultsForm:
    form = ResultsForm(request.GET)
    form.is_valid()
    return form


def _months(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    out: list[dt.date] = []
    day = date_from.replace(day=1)
    while day <= date_to and len(out) < 121:
        out.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def _trend(months: index.IndexResult, date_from: dt.date, date_to: dt.date) -> list[index.IndexRow | None]:
    """One entry per month of the period, ``None`` for a month without responses (a gap in the chart)."""
    rows = {r.key: r for r in months.rows}
    return [rows.get(m) or index.IndexRow(key=m, label=m.strftime("%m/%Y"), respondents=0, elements=[],
                                          overall=None) for m in _months(date_from, date_to)]


def _context(results: dict[str, index.IndexResult], form: ResultsForm, title: str) -> dict[str, Any]:
    total = results["month"]
    d = form.cleaned_data
    trend = _trend(total, d["date_from"], d["date_to"])
    return {
        "form": form, "query": form.query(), "result": total, "trend": trend,
        "trend_chart": charts.line_chart(
            [(r.label, r.overall) for r in trend if r is not None],
            title=_("Overall index per month: %(title)s") % {"title": title},
            desc=_("Share of satisfied respondents, mean of the elements, per month."),
        ),
        "elements_chart": charts.bar_chart(
            [(e.title, e.share) for e in total.elements],
            title=_("Index per element: %(title)s") % {"title": title},
            desc=_("Share of respondents satisfied or very satisfied with each element."),
        ) if total.elements else "",
        "breakdowns": [
            (_("By service"), _("Service"), results["service"]), (_("By desk"), _("Desk"), results["desk"]),
            (_("By officer"), _("Officer"), results["officer"]),
        ],
    }


@login_required
@require_GET
def unit_results(request: HttpRequest) -> HttpResponse:
    """The index of a unit aggregated up the tree, its children (drill down), services, desks, officers, months."""
    unit = _unit(request)
    form = _form(request)
    if unit is None or not form.is_valid():
        return render(request, "surveys/results/unit.html", {"form": form, "unit": unit},
                      status=400 if form.errors else 200)
    d = form.cleaned_data
    qs = index.subtree_responses(unit, d["date_from"], d["date_to"])
    results = index.compute_many(responses_qs=qs, bys=BREAKDOWNS, overall=d["overall"])
    children = list(OrgUnit.objects.filter(parent=unit).current().order_by("name"))
    surveys = list(Survey.objects.visible_to(request.user).filter(subtree_q([unit.path], "org_unit__"),
                                                                   deleted_at__isnull=True)
                   .select_related("org_unit").order_by("-created_at", "-pk")[:MAX_SURVEYS])
    ctx = _context(results, form, unit.name)
    ctx.update({
        "unit": unit, "surveys": surveys, "more_surveys": len(surveys) == MAX_SURVEYS,
        "by_unit": index.by_child(unit, results["org_unit"], children, d["overall"]),
        "parent": unit.parent if unit.parent_id and request.user.has_perm("surveys.view_results", unit.parent)
        else None,
    })
    return render(request, "surveys/results/unit.html", ctx)


@login_required
@require_GET
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    """One survey: the index and its breakdowns, and how each question of one version was answered."""
    survey = _survey(request, pk)
    form = _form(request)
    versions = list(survey.versions.order_by("-number"))
    if not form.is_valid():
        return render(request, "surveys/results/survey.html", {"form": form, "survey": survey, "versions": versions},
                      status=400)
    d = form.cleaned_data
    qs = Response.objects.filter(survey=survey, submitted_on__gte=d["date_from"], submitted_on__lte=d["date_to"])
    results = index.compute_many(responses_qs=qs, bys=BREAKDOWNS, overall=d["overall"])
    ctx = _context(results, form, survey.title)
    wanted = _digits(request.GET.get("version", ""))
    version = next((v for v in versions if v.number == wanted), None) if wanted else None
    if version is None:
        version = next((v for v in versions if v.published_at is not None), versions[0] if versions else None)
    questions, read, capped = index.question_distribution(version, qs) if version else ([], 0, False)
    ctx["breakdowns"].insert(0, (_("By unit"), _("Unit"), results["org_unit"]))
    ctx.update({"survey": survey, "versions": versions, "version": version, "questions": questions,
                "read": read, "capped": capped, "cap": index.DISTRIBUTION_MAX})
    return render(request, "surveys/results/survey.html", ctx)


def _bad_period(form: ResultsForm) -> HttpResponse:
    errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
    return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")


def _export_qs(request: HttpRequest, pk: int) -> tuple[Survey, Any, ResultsForm]:
    survey = _survey(request, pk)
    form = _form(request)
    qs = None
    if form.is_valid():
        d = form.cleaned_data
        qs = Response.objects.filter(survey=survey, submitted_on__gte=d["date_from"], submitted_on__lte=d["date_to"])
    return survey, qs, form


@login_required
@require_GET
def responses_csv(request: HttpRequest, pk: int) -> HttpResponseBase:
    survey, qs, form = _export_qs(request, pk)
    if qs is None:
        return _bad_period(form)
    response = StreamingHttpResponse(export.stream_csv(qs), content_type=export.CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="khao-sat-{survey.pk}-phieu.csv"'
    return response


@login_required
@require_GET
def responses_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    survey, qs, form = _export_qs(request, pk)
    if qs is None:
        return _bad_period(form)
    limit = int(getattr(settings, "DANVAN_SURVEYS_XLSX_MAX_ROWS", XLSX_MAX_ROWS))
    if qs.count() > limit:
        # openpyxl writes ~2,000 rows a second: past this the request would outlive the server's timeout.
        message = _("More than %(limit)s responses in this period: an Excel file would take too long to make. "
                    "Download the CSV file (it opens in Excel too), or choose a shorter period.") % {
            "limit": f"{limit:,}".replace(",", ".")}
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    return export.xlsx_response(qs, f"khao-sat-{survey.pk}-phieu.xlsx", title=survey.title)


def _by(request: HttpRequest) -> str | None:
    by = request.GET.get("by", "") or None
    if by not in index.BYS:
        raise Http404
    return by


@login_required
@require_GET
def unit_index_csv(request: HttpRequest) -> HttpResponseBase:
    """The index table of a unit's subtree (``?by=`` month, org_unit, service, desk or officer; empty: total)."""
    unit = _unit(request)
    if unit is None:
        raise Http404
    by = _by(request)
    form = _form(request)
    if not form.is_valid():
        return _bad_period(form)
    d = form.cleaned_data
    result = index.unit_index(unit, d["date_from"], d["date_to"], by=by, overall=d["overall"])
    response = StreamingHttpResponse(export.index_csv(result), content_type=export.CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="chi-so-hai-long-{unit.pk}.csv"'
    return response


@login_required
@require_GET
def survey_index_csv(request: HttpRequest, pk: int) -> HttpResponseBase:
    survey, qs, form = _export_qs(request, pk)
    if qs is None:
        return _bad_period(form)
    result = index.compute(responses_qs=qs, by=_by(request), overall=form.cleaned_data["overall"])
    response = StreamingHttpResponse(export.index_csv(result), content_type=export.CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="khao-sat-{survey.pk}-chi-so.csv"'
    return response
