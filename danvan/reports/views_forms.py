"""Report forms: the list, one form with its parts and versions, a new form, editing a draft, publishing.

A national form (no owner) and the forms of the user's units and of the units above them are
readable; a draft only by the editors of its owner, who alone may change it (rules.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from danvan.core.forms import add_service_errors
from danvan.orgs.paths import ancestor_ids
from danvan.orgs.scope import scope_of, visible_q

from .forms import IndicatorForm, NewFormForm, QuestionForm, RuleForm, SectionForm
from .models import CrossRule, FormSection, FormStatus, Indicator, Question, ReportForm
from .rules import EDITORS
from .views import editing_units

FORM_LIST_LIMIT = 200


def visible_forms(user: Any) -> QuerySet[ReportForm]:
    """National forms, forms of the user's subtrees and of the units above them; drafts only where they edit."""
    scope = scope_of(user)
    qs = ReportForm.objects.select_related("owner")
    if scope.is_superuser:
        return qs
    above: set[int] = set()
    for g in scope.grants:
        above.update(ancestor_ids(g.path))
    readable = Q(owner__isnull=True) | Q(owner_id__in=above)
    inside = visible_q(user, prefix="owner__")
    if inside is not None:
        readable |= inside
    editable = visible_q(user, prefix="owner__", roles=EDITORS)
    published = ~Q(status=FormStatus.DRAFT)
    return qs.filter(readable & (published | editable) if editable is not None else readable & published)


def _form(request: HttpRequest, pk: int) -> ReportForm:
    form = get_object_or_404(visible_forms(request.user), pk=pk)
    if not request.user.has_perm("reports.view_form", form):
        raise Http404
    return form


def _draft(request: HttpRequest, pk: int) -> tuple[ReportForm, HttpResponse | None]:
    """The draft the user may change; a published form answers with a message instead of a form."""
    form = _form(request, pk)
    if form.status != FormStatus.DRAFT:
        messages.error(request, _("This form has been published and is frozen. To change it, make a new version."))
        return form, redirect("reports:form", form.pk)
    if not request.user.has_perm("reports.change_form", form):
        raise PermissionDenied(_("Only officers of the owning unit may change this draft."))
    return form, None


@login_required
@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    rows = list(visible_forms(request.user).order_by("code", "-version", "pk")[: FORM_LIST_LIMIT + 1])
    return render(
        request, "reports/form_list.html",
        {"forms": rows[:FORM_LIST_LIMIT], "more": len(rows) > FORM_LIST_LIMIT,
         "can_create": editing_units(request).exists()},
    )


@login_required
@require_GET
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form(request, pk)
    sections = list(form.sections.all())
    indicators = list(form.indicators.all())
    questions = list(form.questions.all())
    by_section: dict[int | None, dict[str, list[Any]]] = {s.pk: {"indicators": [], "questions": []} for s in sections}
    loose: dict[str, list[Any]] = {"indicators": [], "questions": []}
    for ind in indicators:
        by_section.get(ind.section_id, loose)["indicators"].append(ind)
    for q in questions:
        by_section.get(q.section_id, loose)["questions"].append(q)
    groups = [{"section": s, **by_section[s.pk]} for s in sections]
    if loose["indicators"] or loose["questions"]:
        groups.append({"section": None, **loose})
    user = request.user
    versions = list(visible_forms(user).filter(code=form.code).order_by("-version"))
    return render(
        request, "reports/form_detail.html",
        {
            "form_obj": form, "groups": groups, "rules": list(form.rules.all()), "versions": versions,
            "indicator_count": len(indicators),
            "can_edit": user.has_perm("reports.change_form", form),
            "can_publish": user.has_perm("reports.publish_form", form),
            "can_new_version": form.status != FormStatus.DRAFT and user.has_perm("reports.new_form_version", form)
            and not any(v.status == FormStatus.DRAFT for v in versions),
        },
    )


@login_required
def form_new(request: HttpRequest) -> HttpResponse:
    from . import services

    owners = editing_units(request)
    current = request.current_unit  # type: ignore[attr-defined]
    form = NewFormForm(request.POST or None, owners=owners, initial={"owner": current.pk if current else None})
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data["owner"]
        if not request.user.has_perm("reports.create_form_for_unit", owner):
            raise PermissionDenied(_("You may only create forms for units where you hold an editing role."))
        try:
            new = services.create_form(
                actor=request.user, owner=owner, code=form.cleaned_data["code"], name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The draft form was created. Add its sections, indicators and questions."))
            return redirect("reports:form", new.pk)
    return render(request, "reports/form_new.html", {"form": form, "has_units": owners.exists()})


@login_required
@require_POST
def form_publish(request: HttpRequest, pk: int) -> HttpResponse:
    from . import services

    form = _form(request, pk)
    if form.status != FormStatus.DRAFT:
        messages.info(request, _("This form is already published."))
        return redirect("reports:form", form.pk)
    if not request.user.has_perm("reports.publish_form", form):
        raise PermissionDenied(_("Only officers of the owning unit may publish this form."))
    try:
        services.publish_form(actor=request.user, form=form)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The form was published; it can now be used by reporting regimes."))
    return redirect("reports:form", form.pk)


@login_required
@require_POST
def form_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    from . import services

    form = _form(request, pk)
    if not request.user.has_perm("reports.new_form_version", form):
        raise PermissionDenied(_("Only officers of the owning unit may make a new version of this form."))
    try:
        new = services.new_form_version(actor=request.user, form=form)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reports:form", form.pk)
    messages.success(request, _("A new draft version was made. Change it, then publish it."))
    return redirect("reports:form", new.pk)


# ---------------------------------------------------------------------------------------------
# Parts of a draft


PARTS: dict[str, tuple[type, str]] = {
    "section": (FormSection, "section"),
    "indicator": (Indicator, "indicator"),
    "question": (Question, "question"),
    "rule": (CrossRule, "rule"),
}


def _part_page(request: HttpRequest, report_form: ReportForm, form: Form, *, title: str, kind: str,
               obj: Any = None, status: int = 200) -> HttpResponse:
    delete_url = reverse("reports:part_delete", args=[report_form.pk, kind, obj.pk]) if obj is not None else ""
    return render(
        request, "reports/part_form.html",
        {"form_obj": report_form, "form": form, "title": title, "obj": obj, "delete_url": delete_url},
        status=status,
    )


def _fields(kind: str, obj: Any) -> dict[str, Any]:
    names = {
        "section": ("number", "title", "order"),
        "indicator": ("code", "name", "unit", "value_type", "aggregation", "numerator_code", "denominator_code",
                      "required", "min_value", "max_value", "prefill_source", "help_text", "order"),
        "question": ("code", "text", "help_text", "required", "max_length", "order"),
        "rule": ("left", "operator", "right", "message"),
    }[kind]
    initial = {n: getattr(obj, n) for n in names}
    if kind in ("indicator", "question"):
        initial["section"] = obj.section_id
    return initial


@login_required
def part_edit(request: HttpRequest, pk: int, kind: str, part_pk: int | None = None) -> HttpResponse:
    from . import services

    if kind not in PARTS:
        raise Http404
    report_form, refused = _draft(request, pk)
    if refused is not None:
        return refused
    model, _name = PARTS[kind]
    obj = get_object_or_404(model.objects.filter(form=report_form), pk=part_pk) if part_pk else None  # type: ignore[attr-defined]
    initial = _fields(kind, obj) if obj is not None else {}
    data = request.POST if request.method == "POST" else None
    form: Form
    if kind == "section":
        form = SectionForm(data, initial=initial)
        titles = (_("New section"), _("Edit section"))
    elif kind == "indicator":
        from .prefill import available_sources

        form = IndicatorForm(data, initial=initial, form=report_form, sources=available_sources())
        titles = (_("New indicator"), _("Edit indicator"))
    elif kind == "question":
        form = QuestionForm(data, initial=initial or {"max_length": 5000}, form=report_form)
        titles = (_("New narrative question"), _("Edit narrative question"))
    else:
        form = RuleForm(data, initial=initial)
        titles = (_("New validation rule"), _("Edit validation rule"))
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            if kind == "section":
                services.save_section(actor=request.user, form=report_form, number=d["number"], title=d["title"],
                                      order=d["order"], section=obj)
            elif kind == "rule":
                services.save_rule(actor=request.user, form=report_form, left=d["left"], operator=d["operator"],
                                   right=d["right"], message=d["message"], rule=obj)
            else:
                section_id = d.pop("section")
                d["section"] = report_form.sections.filter(pk=section_id).first() if section_id else None
                if d.get("order") is None:
                    d.pop("order", None)
                save = services.save_indicator if kind == "indicator" else services.save_question
                save(actor=request.user, form=report_form, data=d, **{kind: obj})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("reports:form", args=[report_form.pk]) + f"#{kind}s")
    return _part_page(request, report_form, form, title=titles[1] if obj else titles[0], kind=kind, obj=obj,
                      status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def part_delete(request: HttpRequest, pk: int, kind: str, part_pk: int) -> HttpResponse:
    from . import services

    if kind not in PARTS:
        raise Http404
    report_form, refused = _draft(request, pk)
    if refused is not None:
        return refused
    model, _name = PARTS[kind]
    part = get_object_or_404(model.objects.filter(form=report_form), pk=part_pk)  # type: ignore[attr-defined]
    try:
        services.delete_form_part(actor=request.user, form=report_form, part=part)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Deleted."))
    return redirect("reports:form", report_form.pk)
