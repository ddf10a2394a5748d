"""Officers' pages for getting a survey answered: the link, desk posters, one-time codes, paper entry,
the responses with voiding, and the suspicious duplicates.

Thin over ``responses``, ``tokens``, ``posters`` and ``duplicates``. A survey the user cannot see
(another commune's, deleted) is a 404 like one that does not exist; one the user sees but may not act
on (a viewer issuing codes) is a 403. Codes are shown once: the POST that issues them puts them in the
session, the sheet takes them out and is never cached.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from danvan.core.forms import add_service_errors

from . import duplicates, posters, queries, responses, tokens
from .forms_distribution import IssueCodesForm, PaperForm, VoidForm, desks_of
from .models import Desk, Response, Survey

PAGE_SIZE = 50
DESKS_MAX = 200
SHEET_KEY = "surveys_issued_codes"


def _survey(request: HttpRequest, pk: int, perm: str = "surveys.view_survey") -> Survey:
    survey = get_object_or_404(
        Survey.objects.visible_to(request.user).filter(deleted_at__isnull=True).select_related("org_unit", "service"),
        pk=pk,
    )
    if not request.user.has_perm(perm, survey):
        raise PermissionDenied(_("You are not allowed to do this for this survey."))
    return survey


# --------------------------------------------------------------------------- link and posters


@login_required
@require_GET
def distribute(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    url = posters.public_url(request, survey)
    user = request.user
    return render(request, "surveys/distribution/distribute.html", {
        "survey": survey, "url": url, "qr": posters.qr_svg(url, title=survey.title),
        "desks": list(desks_of(survey)[:DESKS_MAX]), "accepting": queries.accepting_responses(survey),
        "can_record": user.has_perm("surveys.record_response", survey),
        "can_void": user.has_perm("surveys.void_response", survey),
    })


@login_required
@require_GET
def poster(request: HttpRequest, pk: int) -> HttpResponse:
    """An A4 page to print and put up at the desk: the unit, the survey, the desk, a big QR, three steps."""
    survey = _survey(request, pk)
    desk = None
    raw = request.GET.get("desk", "")
    if raw:
        if not raw.isdigit() or len(raw) > 12:
            raise Http404
        desk = get_object_or_404(desks_of(survey), pk=int(raw))
    url = posters.public_url(request, survey, desk=desk)
    return render(request, "surveys/distribution/poster.html", {
        "survey": survey, "desk": desk, "url": url, "qr": posters.qr_svg(url, title=survey.title),
    })


# --------------------------------------------------------------------------- one-time codes


@login_required
@require_http_methods(["GET", "POST"])
def issue_codes(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, "surveys.record_response")
    form = IssueCodesForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            codes = tokens.issue_tokens(actor=request.user, survey=survey, count=d["count"], org_unit=d["org_unit"],
                                        service=d.get("service"), desk=d["desk"], officer=d["officer"],
                                        valid_days=d["valid_days"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            request.session[SHEET_KEY] = {
                "survey": survey.pk, "codes": codes, "desk": getattr(d["desk"], "pk", None),
                "service": getattr(d.get("service"), "pk", None), "officer": getattr(d["officer"], "pk", None),
                "valid_days": d["valid_days"],
            }
            return redirect("surveys:code_sheet", pk=survey.pk)
    return render(request, "surveys/distribution/issue_codes.html", {"survey": survey, "form": form},
                  status=400 if request.method == "POST" else 200)


@never_cache
@login_required
@require_GET
def code_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, "surveys.record_response")
    data = request.session.get(SHEET_KEY) or {}
    if data.get("survey") != survey.pk or not data.get("codes"):
        messages.warning(request, _("Codes are shown only once, right after they are issued. Issue new ones."))
        return redirect("surveys:issue_codes", pk=survey.pk)
    request.session.pop(SHEET_KEY, None)
    desk_id = data.get("desk")
    desk = Desk.objects.filter(pk=desk_id).first() if isinstance(desk_id, int) else None
    slips = []
    for code in data["codes"]:
        url = posters.public_url(request, survey, token=code)
        slips.append({"code": tokens.display(code), "qr": posters.qr_svg(url, title=tokens.display(code))})
    response = render(request, "surveys/distribution/code_sheet.html", {
        "survey": survey, "slips": slips, "desk": desk, "valid_days": data.get("valid_days"),
        "url": posters.public_url(request, survey),
    })
    response["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------- paper entry


@login_required
@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, "surveys.record_response")
    version = queries.current_version(survey)
    if version is None or not queries.accepting_responses(survey):
        messages.error(request, _("This survey is not accepting responses: open it before entering paper forms."))
        return redirect("surveys:distribute", pk=survey.pk)
    outline = queries.version_outline(version)
    questions = [q for section in outline for q in section.questions.all()]
    form = PaperForm(request.POST or None, survey=survey, questions=questions)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            r = responses.submit_response(
                survey=survey, answers=form.answers, channel="paper", org_unit=d["org_unit"], desk=d["desk"],
                service=d.get("service"), officer=d["officer"], idempotency_key=d["idempotency_key"],
                recorded_by=request.user, version=version,
            )
        except ValidationError as exc:
            add_service_errors(form, exc, rename={q.key: f"q-{q.key}" for q in questions})
        else:
            messages.success(request, _("Paper form no. %(n)d was saved. You can enter the next one.") % {"n": r.pk})
            return redirect("surveys:paper_entry", pk=survey.pk)
    sections = [(s, [form[f"q-{q.key}"] for q in s.questions.all()]) for s in outline]
    return render(request, "surveys/distribution/paper.html", {
        "survey": survey, "form": form, "sections": sections, "version": version,
    }, status=400 if request.method == "POST" else 200)


# --------------------------------------------------------------------------- responses and voiding


def _after(raw: str) -> tuple[dt.datetime, int] | None:
    """The keyset cursor ``<iso time>_<id>`` of the last row shown; a bad one starts from the top."""
    time_text, _sep, pk = raw.rpartition("_")
    if not pk.isdigit() or len(pk) > 18:
        return None
    try:
        return dt.datetime.fromisoformat(time_text), int(pk)
    except ValueError:
        return None


@login_required
@require_GET
def response_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The newest responses first, 50 a page, by keyset (page 1,000 costs what page 1 costs; no count)."""
    survey = _survey(request, pk)
    qs = (Response.objects.visible_to(request.user).filter(survey=survey)
          .select_related("org_unit", "desk", "service", "version", "recorded_by")
          .order_by("-submitted_at", "-pk"))
    after = _after(request.GET.get("after", ""))
    if after is not None:
        at, last = after
        qs = qs.filter(Q(submitted_at__lt=at) | Q(submitted_at=at, pk__lt=last))
    rows = list(qs[: PAGE_SIZE + 1])
    next_url = ""
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        cursor = f"{rows[-1].submitted_at.isoformat()}_{rows[-1].pk}"
        next_url = f"{reverse('surveys:responses', args=[survey.pk])}?{urlencode({'after': cursor})}"
    return render(request, "surveys/distribution/responses.html", {
        "survey": survey, "rows": rows, "next_url": next_url, "first_page": after is None,
        "can_void": request.user.has_perm("surveys.void_response", survey),
    })


@login_required
@require_http_methods(["GET", "POST"])
def void(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    survey = _survey(request, pk, "surveys.void_response")
    response = get_object_or_404(Response.objects.visible_to(request.user).filter(survey=survey)
                                 .select_related("org_unit", "desk", "version"), pk=rid)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            responses.void_response(actor=request.user, response=response, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Response no. %(n)d was voided; it no longer counts in the index.")
                             % {"n": response.pk})
            return redirect("surveys:responses", pk=survey.pk)
    return render(request, "surveys/distribution/void.html", {"survey": survey, "response": response, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def duplicate_groups(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    groups = duplicates.suspicious_groups(survey, limit=100)
    return render(request, "surveys/distribution/duplicates.html", {
        "survey": survey, "groups": groups, "window": int(duplicates.WINDOW.total_seconds() // 60),
        "can_void": request.user.has_perm("surveys.void_response", survey),
    })

