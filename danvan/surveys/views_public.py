"""The citizen's side of a survey (no login): open it from a poster's QR or a link, answer step by step, send.

- ``/public/surveys/<code>/`` opens the survey and starts a scan session (``scan.py``): the desk,
  service and officer the QR names are kept in it. A survey with one-time codes asks for the code
  here (``?token=`` from a receipt's QR fills it in).
- ``…/step/<n>/`` is one section: Back and Next keep the answers in the session, whatever their
  state, so nothing typed is lost; Next checks the section; the last step has the proof-of-work
  (ALTCHA) and sends. The sending is rate-limited per client address.
- ``…/thanks/`` closes the visit. The same scan session cannot send again: a double click, a second
  tab or the back button after sending land on "your answers were already received".

A survey that is closed, or whose dates are past, answers 410 with a plain page; not yet open, 200
with its opening date; a draft or deleted survey is 404, like an unknown code.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from danvan.orgs.models import Membership
from danvan.portal import ratelimit

from . import queries, responses, scan, tokens
from .forms_public import StepForm, TokenForm, initial_from, name_for
from .models import Access, Desk, Question, Section, Service, Survey, SurveyStatus, SurveyVersion

SUBMIT_LIMIT = (60, 3600)  # sendings per client address per hour (a one-stop section may share one address)
CODE_LIMIT = (20, 900)  # code checks per client address per 15 minutes: codes cannot be guessed by trying


# --------------------------------------------------------------------------- helpers


def _survey(code: str) -> Survey:
    if len(code) > 16:
        raise Http404
    survey = (Survey.objects.filter(public_code=code, deleted_at__isnull=True).exclude(status=SurveyStatus.DRAFT)
              .select_related("org_unit", "service").first())
    if survey is None:
        raise Http404
    return survey


def _not_accepting(request: HttpRequest, survey: Survey) -> HttpResponse:
    today = timezone.localdate()
    not_yet = survey.status == SurveyStatus.OPEN and survey.opens_on is not None and today < survey.opens_on
    return render(request, "surveys/public/closed.html", {"survey": survey, "not_yet": not_yet},
                  status=200 if not_yet else 410)


def _sections(version: SurveyVersion) -> list[Section]:
    """The version's steps: its sections that ask something, with their questions (two queries)."""
    sections = version.sections.order_by("order").prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("order")))
    return [s for s in sections if s.questions.all()]


def _context_from_query(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    """Desk, service and officer named by the QR, each kept only if it belongs to the survey's unit."""
    out: dict[str, Any] = {}
    root = survey.org_unit.path
    desk_code = request.GET.get("desk", "")[:40]
    if desk_code:
        desk = (Desk.objects.filter(code=desk_code, is_active=True, org_unit__path__startswith=root)
                .order_by("org_unit__path").first())
        out["desk_id"] = desk.pk if desk else None
    service_code = request.GET.get("service", "")[:60]
    if service_code and survey.service_id is None:
        service = Service.objects.filter(code=service_code, is_active=True).first()
        out["service_id"] = service.pk if service else None
    officer = request.GET.get("officer", "")
    if officer.isdigit() and len(officer) < 12:
        known = Membership.objects.active().filter(user_id=int(officer), user__is_active=True,
                                                   org_unit__path__startswith=root).exists()
        out["officer_id"] = int(officer) if known else None
    return out


def _usable_version(survey: Survey, state: scan.ScanState | None) -> SurveyVersion | None:
    """The version a scan session answers: the one it started, while that stays allowed (see scan.py)."""
    if state is None or state.expired:
        return None
    return SurveyVersion.objects.filter(pk=state.version_id, survey=survey, published_at__isnull=False).first()


def _restart(request: HttpRequest, survey: Survey) -> HttpResponse:
    scan.forget(request, survey.public_code)
    return render(request, "surveys/public/restart.html", {"survey": survey}, status=409)


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"  # answers in progress are never kept by a shared cache
    return response


# --------------------------------------------------------------------------- start


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, code: str) -> HttpResponse:
    survey = _survey(code)
    if not queries.accepting_responses(survey):
        return _not_accepting(request, survey)
    state = scan.load(request, survey.public_code)
    if state is not None and state.done:
        return _page(request, "surveys/public/thanks.html", {"survey": survey, "already": True})
    version = _usable_version(survey, state)
    from_query = _context_from_query(request, survey) if request.method == "GET" else {}
    if state is None or version is None:
        version = queries.current_version(survey)
        if version is None:
            return _not_accepting(request, survey)
        state = scan.start(request, survey.public_code, version.pk, **from_query)
    elif from_query and not state.answers:  # scanned again, at another desk, before answering anything
        for name, value in from_query.items():
            setattr(state, name, value)
        scan.save(request, survey.public_code, state)
    steps = _sections(version)
    desk = Desk.objects.filter(pk=state.desk_id).first() if state.desk_id else None
    context: dict[str, Any] = {"survey": survey, "steps": len(steps), "desk": desk}
    if survey.access == Access.TOKEN and not state.token:
        form = TokenForm(request.POST or None, initial={"code": request.GET.get("token", "")[:40]})
        token_error = state.errors.pop("token", None)
        if token_error:  # the code was refused when sending (used meanwhile, or expired)
            form.cleaned_data = {}
            form.add_error("code", token_error)
            scan.save(request, survey.public_code, state)
        if request.method == "POST":
            if ratelimit.over_limit(request, "survey_code", limit=CODE_LIMIT):
                return ratelimit.too_many(request)
            if form.is_valid():
                error = tokens.check(survey, form.cleaned_data["code"])
                if not error:
                    state.token = tokens.normalise(form.cleaned_data["code"])
                    scan.save(request, survey.public_code, state)
                    return redirect("surveys_public:step", code=survey.public_code, n=1)
                form.add_error("code", error)
            return _page(request, "surveys/public/start.html", {**context, "form": form}, status=400)
        return _page(request, "surveys/public/start.html", {**context, "form": form})
    if request.method == "POST":
        return redirect("surveys_public:step", code=survey.public_code, n=1)
    return _page(request, "surveys/public/start.html", {**context, "form": None})


# --------------------------------------------------------------------------- steps


def _first_wrong_step(steps: list[Section], errors: dict[str, Any]) -> int | None:
    for i, section in enumerate(steps, start=1):
        if any(q.key in errors for q in section.questions.all()):
            return i
    return None


def _send(request: HttpRequest, survey: Survey, version: SurveyVersion, state: scan.ScanState,
          steps: list[Section], n: int, form: StepForm) -> HttpResponse | None:
    """Validate everything and save; a response to return, or None to show the step's form with errors."""
    try:
        responses.validate_answers(version, state.answers)
    except ValidationError as exc:
        errors = getattr(exc, "message_dict", {"__all__": exc.messages})
        wrong = _first_wrong_step(steps, errors)
        if wrong is None or wrong == n:
            for key, messages in errors.items():
                form.add_error(name_for(key) if name_for(key) in form.fields else None, messages)
            return None
        state.errors = {k: list(v) for k, v in errors.items()}
        scan.save(request, survey.public_code, state)
        return redirect("surveys_public:step", code=survey.public_code, n=wrong)
    try:
        responses.submit_response(
            survey=survey, answers=state.answers,
            desk=Desk.objects.filter(pk=state.desk_id).first() if state.desk_id else None,
            service=Service.objects.filter(pk=state.service_id).first() if state.service_id else None,
            officer=_officer(state),
            token_code=state.token, scan_session=state.scan_id, client_address=request.META.get("REMOTE_ADDR", ""),
            version=version,
        )
    except ValidationError as exc:
        errors = getattr(exc, "message_dict", {})
        if "scan_session" in errors:
            scan.finish(request, survey.public_code, state)
            return _page(request, "surveys/public/thanks.html", {"survey": survey, "already": True})
        if "survey" in errors:
            return _not_accepting(request, survey)
        if "version" in errors:
            return _restart(request, survey)
        if "token" in errors:
            state.token, state.errors = "", {"token": errors["token"]}
            scan.save(request, survey.public_code, state)
            return redirect("surveys_public:start", code=survey.public_code)
        form.add_error(None, exc.messages)
        return None
    scan.finish(request, survey.public_code, state)
    return redirect("surveys_public:thanks", code=survey.public_code)


def _officer(state: scan.ScanState) -> Any:
    if not state.officer_id:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=state.officer_id).first()


@never_cache
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, code: str, n: int) -> HttpResponse:
    survey = _survey(code)
    if not queries.accepting_responses(survey):
        return _not_accepting(request, survey)
    state = scan.load(request, survey.public_code)
    if state is None:
        return redirect("surveys_public:start", code=survey.public_code)
    if state.done:
        return _page(request, "surveys/public/thanks.html", {"survey": survey, "already": True})
    version = _usable_version(survey, state)
    if version is None:
        return _restart(request, survey)
    if survey.access == Access.TOKEN and not state.token:
        return redirect("surveys_public:start", code=survey.public_code)
    steps = _sections(version)
    if not 1 <= n <= len(steps):
        raise Http404
    section = steps[n - 1]
    questions = list(section.questions.all())
    last = n == len(steps)
    ctx: dict[str, Any] = {"survey": survey, "section": section, "n": n, "steps": len(steps), "last": last,
                           "percent": round(100 * (n - 1) / len(steps))}
    if request.method == "GET":
        initial = initial_from(state.answers)
        if responses.SERVICE_QUESTION_KEY not in state.answers and state.service_id:
            service = Service.objects.filter(pk=state.service_id).first()
            if service is not None:
                initial[name_for(responses.SERVICE_QUESTION_KEY)] = service.code
        form = StepForm(questions=questions, last=last, initial=initial)
        if state.errors:  # found at the last step, shown here where the question is
            form.cleaned_data = {}
            for key, messages in state.errors.items():
                form.add_error(name_for(key) if name_for(key) in form.fields else None, messages)
            state.errors = {}
            scan.save(request, survey.public_code, state)
        return _page(request, "surveys/public/step.html", {**ctx, "form": form})

    form = StepForm(request.POST, questions=questions, last=last and request.POST.get("nav") != "back")
    state.answers.update({k: scan.keep(v) for k, v in form.raw_answers().items()})
    scan.save(request, survey.public_code, state)
    if request.POST.get("nav") == "back":
        if n == 1:
            return redirect("surveys_public:start", code=survey.public_code)
        return redirect("surveys_public:step", code=survey.public_code, n=n - 1)
    if last and ratelimit.over_limit(request, "survey_submit", limit=SUBMIT_LIMIT):
        return ratelimit.too_many(request)
    if form.is_valid():
        if not last:
            return redirect("surveys_public:step", code=survey.public_code, n=n + 1)
        done = _send(request, survey, version, state, steps, n, form)
        if done is not None:
            return done
    return _page(request, "surveys/public/step.html", {**ctx, "form": form}, status=400)


# --------------------------------------------------------------------------- thanks


@never_cache
@require_http_methods(["GET"])
def thanks(request: HttpRequest, code: str) -> HttpResponse:
    survey = _survey(code)
    state = scan.load(request, survey.public_code)
    if state is None or not state.done:
        return redirect(reverse("surveys_public:start", args=[survey.public_code]))
    return _page(request, "surveys/public/thanks.html", {"survey": survey, "already": False})
