"""The officers' survey builder: the list, a new survey, the builder page of a survey, one-stop desks.

Thin over ``services`` (writes), ``queries`` (reads) and ``rules`` (who sees which button). Two
promises hold on every page:

- an edit of a survey whose latest version has responses goes to a new version: the page says so
  before the edit, and the view makes that version and the edit in one transaction, so a rejected
  edit leaves no empty version behind;
- whatever goes wrong (bad input, someone else saving first), the form comes back with everything
  typed and the reason beside the field; a conflict is answered 409 and nothing is overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors
from danvan.orgs.models import OrgUnit

from . import queries, services
from .forms_builder import DeskForm, IndexRuleForm, QuestionForm, SectionForm, SurveyFilterForm, SurveyForm
from .models import Desk, Question, Section, Survey, SurveyStatus, SurveyVersion

PAGE_SIZE = 50
UNIT_CHOICES_MAX = 300
DESKS_MAX = 200
TRANSITIONS: dict[str, Callable[..., Survey]] = {
    "publish": services.publish, "close": services.close, "reopen": services.reopen,
    "delete": services.delete_survey,
}


def _url(name: str, *args: Any) -> str | None:
    """The URL if that page exists yet (results and distribution pages may not)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _conflict_text() -> str:
    return _("Someone else changed this survey while you were working on it; nothing was saved. Your input "
             "is kept below: check the survey's current state, then submit again.")


def _survey_for(request: HttpRequest, pk: int, perm: str = "surveys.view_survey") -> Survey:
    survey = get_object_or_404(Survey.objects.filter(deleted_at=None).select_related("org_unit", "service"), pk=pk)
    # Outside the user's scope the survey does not exist for them (404, as elsewhere: an id tells nothing);
    # seen but not theirs to change is a refusal (403).
    if not request.user.has_perm("surveys.view_survey", survey):
        raise Http404
    if not request.user.has_perm(perm, survey):
        raise PermissionDenied(_("You may not see or change this survey."))
    return survey


def _limited_units(qs: Any) -> Any:
    """A select of units shows at most UNIT_CHOICES_MAX (a commune officer has a handful)."""
    ids = list(qs.values_list("pk", flat=True)[:UNIT_CHOICES_MAX])
    return OrgUnit.objects.filter(pk__in=ids).order_by("path")


# --------------------------------------------------------------------------- list and new


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = _limited_units(OrgUnit.objects.visible_to(user).current())
    params = {k: v for k, v in request.GET.items() if k != "after"}
    form = SurveyFilterForm(params or None, units=units)
    rows: list[Survey] = []
    next_url = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        qs = queries.surveys_for(user, unit=data.get("unit"), status=data.get("status", "")).order_by("-pk")
        after = request.GET.get("after", "")
        if after.isdigit():
            qs = qs.filter(pk__lt=int(after))
        rows = list(qs[: PAGE_SIZE + 1])
        if len(rows) > PAGE_SIZE:
            rows = rows[:PAGE_SIZE]
            next_url = "?" + urlencode({**params, "after": rows[-1].pk})
    can_create = queries.editable_units(user).exists()
    return render(request, "surveys/builder/list.html", {
        "form": form, "rows": rows, "next_url": next_url, "first_page": "after" in request.GET,
        "can_create": can_create, "desks_url": reverse("surveys:desk_list") if can_create else None,
    })


@login_required
def survey_new(request: HttpRequest) -> HttpResponse:
    units = _limited_units(queries.editable_units(request.user))
    if not units.exists():
        raise PermissionDenied(_("Your roles do not allow creating surveys."))
    form = SurveyForm(request.POST or None, units=units, initial={"org_unit": units.first()})
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.create_survey(actor=request.user, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The survey was created as a draft."))
            return redirect("surveys:detail", survey.pk)
    return render(request, "surveys/builder/form_page.html", {
        "form": form, "title": _("New survey"), "submit": _("Create the survey"),
        "cancel_url": reverse("surveys:list"),
    }, status=400 if form.is_bound else 200)


# --------------------------------------------------------------------------- builder page


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk)
    user = request.user
    version = queries.latest_version(survey)
    current = queries.current_version(survey)
    frozen = version is not None and queries.has_responses(version)
    outline = queries.version_outline(version) if version else []
    lock = survey.lock_version
    elements = [s for s in outline if s.element_key]
    return render(request, "surveys/builder/detail.html", {
        "survey": survey, "version": version, "current": current, "frozen": frozen,
        "next_number": (version.number + 1) if version else 1,
        "outline": outline, "elements": elements, "lock": lock,
        "can_change": user.has_perm("surveys.change_survey", survey),
        "rule_form": IndexRuleForm(initial={"satisfied_threshold": version.satisfied_threshold,
                                            "element_rule": version.element_rule, "expected_version": lock})
        if version else None,
        "unpublished": version is not None and version.published_at is None,
        "results_url": _url("surveys:survey_results", survey.pk),
        "distribution_url": _url("surveys:distribute", survey.pk),
        "public_url": _url("surveys_public:start", survey.public_code),
        "S": SurveyStatus,
    })


@login_required
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, "surveys.change_survey")
    initial = {f: getattr(survey, f) for f in ("title", "description", "subject", "access", "service",
                                               "opens_on", "closes_on")}
    initial["expected_version"] = survey.lock_version
    form = SurveyForm(request.POST or None, new=False, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_survey(actor=request.user, survey=survey,
                                       expected_version=form.cleaned_data["expected_version"],
                                       **form.service_data())
            except ConcurrentEditError:
                return render(request, "surveys/builder/form_page.html", {
                    "form": _refreshed(form, survey, lambda d: SurveyForm(d, new=False)), "survey": survey,
                    "title": _("Survey settings"), "submit": _("Save"),
                    "cancel_url": reverse("surveys:detail", args=[survey.pk]),
                }, status=409)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The survey's settings were saved."))
                return redirect("surveys:detail", survey.pk)
    return render(request, "surveys/builder/form_page.html", {
        "form": form, "survey": survey, "title": _("Survey settings"), "submit": _("Save"),
        "cancel_url": reverse("surveys:detail", args=[survey.pk]),
    }, status=status)


def _refreshed(form: Form, survey: Survey, make: Callable[[Any], Form]) -> Form:
    """The same input, with the survey's current lock so that submitting again applies it, and the reason."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data["expected_version"] = str(Survey.objects.values_list("lock_version", flat=True).get(pk=survey.pk))
    fresh = make(data)
    fresh.is_valid()
    fresh.add_error(None, _conflict_text())
    return fresh


@login_required
@require_POST
def survey_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    survey = _survey_for(request, pk, "surveys.change_survey")
    run = TRANSITIONS.get(action)
    if run is None:
        raise Http404
    expected = request.POST.get("expected_version", "")
    try:
        run(actor=request.user, survey=survey, expected_version=int(expected) if expected.isdigit() else None)
    except ConcurrentEditError:
        messages.error(request, _conflict_text())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = {"publish": _("The survey is open: citizens can answer it."),
                "close": _("The survey is closed: it takes no more answers."),
                "reopen": _("The survey is open again."),
                "delete": _("The survey was deleted. Its answers are kept.")}
        messages.success(request, done[action])
        if action == "delete":
            return redirect("surveys:list")
    return redirect("surveys:detail", survey.pk)


# --------------------------------------------------------------------------- editing a version


def _in_draft(request: HttpRequest, survey: Survey, edit: Callable[[SurveyVersion], Any]) -> Any:
    """Run ``edit`` on the version to edit (a new one if the latest has responses), all or nothing."""
    with transaction.atomic():
        version = services.draft_version(actor=request.user, survey=survey)
        return edit(version)


def _section_in(version: SurveyVersion, section: Section) -> Section:
    if section.version_id == version.pk:
        return section
    found = version.sections.filter(order=section.order, title=section.title).first()
    if found is None:
        raise ConcurrentEditError(services.conflict_message())
    return found


def _question_in(version: SurveyVersion, question: Question) -> Question:
    if question.section.version_id == version.pk:
        return question
    found = Question.objects.filter(section__version=version, key=question.key).select_related(
        "section__version").first()
    if found is None:
        raise ConcurrentEditError(services.conflict_message())
    return found


def _edit_page(request: HttpRequest, survey: Survey, form: Form, title: str, submit: str,
               status: int = 200) -> HttpResponse:
    version = queries.latest_version(survey)
    frozen = version is not None and queries.has_responses(version)
    return render(request, "surveys/builder/form_page.html", {
        "form": form, "survey": survey, "title": title, "submit": submit, "frozen": frozen,
        "next_number": (version.number + 1) if version else 1,
        "cancel_url": reverse("surveys:detail", args=[survey.pk]),
    }, status=status)


def _run_form(request: HttpRequest, survey: Survey, form: Form, make: Callable[[Any], Form],
              apply: Callable[[SurveyVersion, dict[str, Any], int], Any], title: str, submit: str,
              done: str) -> HttpResponse:
    """Validate ``form``, apply it in the draft version; success → the builder page, else the form again."""
    if request.method != "POST":
        return _edit_page(request, survey, form, title, submit)
    if form.is_valid():
        data = dict(form.service_data()) if hasattr(form, "service_data") else dict(form.cleaned_data)
        data.pop("expected_version", None)
        try:
            _in_draft(request, survey, lambda v: apply(v, data, form.cleaned_data["expected_version"]))
        except ConcurrentEditError:
            return _edit_page(request, survey, _refreshed(form, survey, make), title, submit, status=409)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("surveys:detail", survey.pk)
    return _edit_page(request, survey, form, title, submit, status=400)


@login_required
@require_POST
def index_rule(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, "surveys.change_survey")
    form = IndexRuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a whole number from 1 to 5."))
        return redirect("surveys:detail", survey.pk)
    try:
        _in_draft(request, survey, lambda v: services.set_index_rule(
            actor=request.user, version=v, satisfied_threshold=form.cleaned_data["satisfied_threshold"],
            element_rule=form.cleaned_data["element_rule"], expected_version=form.cleaned_data["expected_version"]))
    except ConcurrentEditError:
        messages.error(request, _conflict_text())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The index formula was saved."))
    return redirect("surveys:detail", survey.pk)


@login_required
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, "surveys.change_survey")
    form = SectionForm(request.POST or None, initial={"expected_version": survey.lock_version, "weight": 1})

    def apply(v: SurveyVersion, data: dict[str, Any], expected: int) -> Any:
        return services.add_section(actor=request.user, version=v, expected_version=expected, **data)

    return _run_form(request, survey, form, SectionForm, apply, _("New section"), _("Add the section"),
                     _("The section was added."))


@login_required
def section_edit(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, "surveys.change_survey")
    section = get_object_or_404(Section, pk=section_pk, version__survey=survey)
    form = SectionForm(request.POST or None, initial={
        "title": section.title, "element_key": section.element_key, "weight": section.weight,
        "expected_version": survey.lock_version})

    def apply(v: SurveyVersion, data: dict[str, Any], expected: int) -> Any:
        return services.update_section(actor=request.user, section=_section_in(v, section),
                                       expected_version=expected, **data)

    return _run_form(request, survey, form, SectionForm, apply, _("Edit the section"), _("Save"),
                     _("The section was saved."))


@login_required
def question_add(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, "surveys.change_survey")
    section = get_object_or_404(Section, pk=section_pk, version__survey=survey)
    form = QuestionForm(request.POST or None, initial={"expected_version": survey.lock_version, "required": True,
                                                       "max_length": 1000})

    def apply(v: SurveyVersion, data: dict[str, Any], expected: int) -> Any:
        return services.add_question(actor=request.user, section=_section_in(v, section),
                                     expected_version=expected, **data)

    return _run_form(request, survey, form, QuestionForm, apply,
                     _("New question in “%(section)s”") % {"section": section.title}, _("Add the question"),
                     _("The question was added."))


@login_required
def question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, "surveys.change_survey")
    question = get_object_or_404(Question.objects.select_related("section__version"), pk=question_pk,
                                 section__version__survey=survey)
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_for(question, survey.lock_version))

    def apply(v: SurveyVersion, data: dict[str, Any], expected: int) -> Any:
        return services.update_question(actor=request.user, question=_question_in(v, question),
                                        expected_version=expected, **data)

    return _run_form(request, survey, form, QuestionForm, apply, _("Edit the question"), _("Save"),
                     _("The question was saved."))


def _small_post(request: HttpRequest, survey: Survey, edit: Callable[[SurveyVersion, Any], Any], done: str
                ) -> HttpResponse:
    """Delete and move buttons of the builder page: the outcome as a message."""
    expected = request.POST.get("expected_version", "")
    try:
        _in_draft(request, survey, lambda v: edit(v, int(expected) if expected.isdigit() else None))
    except ConcurrentEditError:
        messages.error(request, _conflict_text())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("surveys:detail", survey.pk)


@login_required
@require_POST
def section_delete(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, "surveys.change_survey")
    section = get_object_or_404(Section, pk=section_pk, version__survey=survey)
    return _small_post(request, survey, lambda v, e: services.delete_section(
        actor=request.user, section=_section_in(v, section), expected_version=e), _("The section was deleted."))


@login_required
@require_POST
def section_move(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, "surveys.change_survey")
    section = get_object_or_404(Section, pk=section_pk, version__survey=survey)
    direction = request.POST.get("direction", "")
    return _small_post(request, survey, lambda v, e: services.move_section(
        actor=request.user, section=_section_in(v, section), direction=direction, expected_version=e),
        _("The section was moved."))


@login_required
@require_POST
def question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, "surveys.change_survey")
    question = get_object_or_404(Question.objects.select_related("section__version"), pk=question_pk,
                                 section__version__survey=survey)
    return _small_post(request, survey, lambda v, e: services.delete_question(
        actor=request.user, question=_question_in(v, question), expected_version=e), _("The question was deleted."))


@login_required
@require_POST
def question_move(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = _survey_for(request, pk, "surveys.change_survey")
    question = get_object_or_404(Question.objects.select_related("section__version"), pk=question_pk,
                                 section__version__survey=survey)
    direction = request.POST.get("direction", "")
    return _small_post(request, survey, lambda v, e: services.move_question(
        actor=request.user, question=_question_in(v, question), direction=direction, expected_version=e),
        _("The question was moved."))


# --------------------------------------------------------------------------- desks


@login_required
def desk_list(request: HttpRequest) -> HttpResponse:
    """The one-stop desks of one unit (chosen among the user's), and a form to add one."""
    user = request.user
    units = list(_limited_units(queries.editable_units(user)))
    unit_id = request.GET.get("unit", "")
    if unit_id.isdigit():
        unit = next((u for u in units if u.pk == int(unit_id)), None)
    else:
        unit = units[0] if units else None
    if unit_id.isdigit() and unit is None:
        requested = OrgUnit.objects.filter(pk=int(unit_id)).first()
        if requested is None:
            raise Http404
        raise PermissionDenied(_("You may not manage the desks of this unit."))
    if unit is None:
        raise PermissionDenied(_("You may not manage the desks of any unit."))
    form = DeskForm(request.POST or None)
    del form.fields["is_active"]  # a new desk is in use
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.create_desk(actor=user, org_unit=unit, code=form.cleaned_data["code"],
                                     name=form.cleaned_data["name"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The desk was added."))
                return redirect(f"{reverse('surveys:desk_list')}?unit={unit.pk}")
    return render(request, "surveys/builder/desks.html", {
        "unit": unit, "units": units, "desks": list(queries.desks_of(unit)[:DESKS_MAX]), "form": form,
    }, status=status)


@login_required
def desk_edit(request: HttpRequest, desk_pk: int) -> HttpResponse:
    desk = get_object_or_404(Desk.objects.select_related("org_unit"), pk=desk_pk)
    if not request.user.has_perm("surveys.manage_desks", desk.org_unit):
        raise PermissionDenied(_("You may not manage the desks of this unit."))
    form = DeskForm(request.POST or None, initial={"code": desk.code, "name": desk.name, "is_active": desk.is_active})
    back = f"{reverse('surveys:desk_list')}?unit={desk.org_unit_id}"
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_desk(actor=request.user, desk=desk, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The desk was saved."))
                return redirect(back)
    return render(request, "surveys/builder/form_page.html", {
        "form": form, "title": _("Edit the desk"), "submit": _("Save"), "cancel_url": back,
    }, status=status)
