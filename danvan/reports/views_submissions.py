"""One unit's report: the fill grid, Excel out and in, review by the level above, history.

The grid is a plain server-rendered form so that it works on a slow link without JavaScript.
Whatever goes wrong — a figure typed as text, a rule broken across indicators, someone else
saving first — the page comes back with everything the officer typed, the reason beside the field.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors
from danvan.orgs.scope import scope_of

from .forms import (
    FillForm,
    ReopenForm,
    ReturnForm,
    UploadForm,
    VersionForm,
    answer_field_name,
    fill_initial,
    reason_field_name,
    shown_value,
    value_field_name,
)
from .models import Submission, SubmissionRevision, SubmissionStatus
from .rules import EDITORS
from .views import XLSX_TYPE, deadline_state, submission_for

HISTORY_LIMIT = 200


def _spec(sub: Submission) -> Any:
    from .validation import spec_for

    return spec_for(sub.period.regime.form)


def _display(ind: Any, value: Any) -> str:
    """A figure as read on the page (not typed): yes/no in words, empty as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return shown_value(value)


def _computed(ind: Any, values: dict[str, Any]) -> str:
    """A ratio indicator's value for this report, worked out from its two figures."""
    num, den = values.get(ind.numerator_code), values.get(ind.denominator_code)
    if not isinstance(num, int | float) or not isinstance(den, int | float) or isinstance(num, bool) or not den:
        return "—"
    ratio = 100 * float(num) / float(den) if ind.value_type == "percentage" else float(num) / float(den)
    return f"{ratio:.1f}".replace(".", ",")


def _grid(sub: Submission, spec: Any, form: FillForm | None, current: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Sections in order with their rows: each indicator's field (or value), unit, pre-filled figure, reason."""
    values = sub.values or {}
    prefilled = sub.prefilled or {}
    mine: dict[str, Any] = getattr(form, "values", None) or {}  # what the user typed, once cleaned
    sections = [{"section": s, "rows": [], "questions": []} for s in spec.sections]
    by_id = {g["section"].id: g for g in sections}
    loose: dict[str, Any] = {"section": None, "rows": [], "questions": []}
    for ind in spec.indicators:
        group = by_id.get(ind.section_id, loose)
        row: dict[str, Any] = {"ind": ind, "computed": ind.aggregation == "ratio"}
        if row["computed"]:
            row["value"] = _computed(ind, values)
        elif form is not None:
            row["field"] = form[value_field_name(ind.code)]
            if reason_field_name(ind.code) in form.fields:
                row["reason"] = form[reason_field_name(ind.code)]
        else:
            row["value"] = _display(ind, values.get(ind.code))
            row["reason_text"] = (sub.corrections or {}).get(ind.code, "")
        if ind.code in prefilled:
            row["prefilled"] = _display(ind, prefilled[ind.code])
            row["prefilled_raw"] = shown_value(prefilled[ind.code])
        if current is not None and not row["computed"] and current.get(ind.code) != mine.get(ind.code):
            row["theirs"] = _display(ind, current.get(ind.code))
        group["rows"].append(row)
    for q in spec.questions:
        group = by_id.get(q.section_id, loose)
        if form is not None:
            group["questions"].append({"q": q, "field": form[answer_field_name(q.code)]})
        else:
            group["questions"].append({"q": q, "text": (sub.answers or {}).get(q.code, "")})
    if loose["rows"] or loose["questions"]:
        sections.append(loose)
    return sections


def _page(request: HttpRequest, sub: Submission, *, form: FillForm | None = None, status: int = 200,
          upload_form: UploadForm | None = None, return_form: ReturnForm | None = None,
          reopen_form: ReopenForm | None = None, upload_errors: list[str] | None = None,
          conflict: dict[str, Any] | None = None) -> HttpResponse:
    user = request.user
    spec = _spec(sub)
    can_fill = user.has_perm("reports.fill_submission", sub)
    if can_fill and form is None:
        form = FillForm(initial=fill_initial(sub, spec), spec=spec, prefilled=sub.prefilled or {})
    version = {"expected_version": sub.lock_version}
    can_review = user.has_perm("reports.review_submission", sub)
    can_reopen = user.has_perm("reports.reopen_submission", sub)
    context = {
        "sub": sub, "period": sub.period, "regime": sub.period.regime, "spec": spec,
        "form": form if can_fill or form is not None else None,
        "editable": can_fill,
        "groups": _grid(sub, spec, form if can_fill or form is not None else None, conflict),
        "state": deadline_state(sub),
        "can_review": can_review, "can_reopen": can_reopen,
        "has_prefill": any(ind.prefill_source for ind in spec.indicators),
        "upload_form": upload_form or (UploadForm(initial=version) if can_fill else None),
        "upload_errors": upload_errors or [],
        "version_form": VersionForm(initial=version),
        "return_form": return_form or (ReturnForm(initial=version) if can_review else None),
        "reopen_form": reopen_form or (ReopenForm(initial=version) if can_reopen else None),
        "conflict": conflict is not None,
        "revision_count": sub.revisions.count(),
    }
    return render(request, "reports/submission.html", context, status=status)


def _refresh(sub: Submission) -> Submission:
    fresh = Submission.objects.select_related(
        "period", "period__regime", "period__regime__owner", "period__regime__form", "org_unit", "org_unit__kind",
        "submitted_by", "reviewed_by",
    ).get(pk=sub.pk)
    return fresh


def _with_version(request: HttpRequest, version: int) -> Any:
    data = request.POST.copy()
    data["expected_version"] = str(version)
    return data


def _not_fillable(request: HttpRequest, sub: Submission) -> HttpResponse:
    """An editor posting to a report that is no longer open (accepted, submitted, period closed): say why, keep input."""
    if not scope_of(request.user).covers(sub.org_unit.path, EDITORS):
        raise PermissionDenied(_("Only officers of the reporting unit may fill in this report."))
    if sub.status == SubmissionStatus.ACCEPTED:
        message = _("This report was accepted and is locked. Ask the reviewing unit to reopen it.")
    elif sub.status == SubmissionStatus.SUBMITTED:
        message = _("This report was submitted and is waiting for review; it can no longer be changed.")
    else:
        message = _("The period is closed; the report can no longer be changed.")
    spec = _spec(sub)
    form = FillForm(_with_version(request, sub.lock_version), spec=spec, prefilled=sub.prefilled or {})
    form.is_valid()
    form.add_error(None, message)
    return _page(request, sub, form=form, status=409)


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from . import services

    sub = submission_for(request, pk)
    if request.method != "POST":
        return _page(request, sub)
    action = request.POST.get("action", "save")
    if not request.user.has_perm("reports.fill_submission", sub):
        return _not_fillable(request, sub)
    if action == "prefill":
        return _prefill(request, sub)
    spec = _spec(sub)
    form = FillForm(request.POST, spec=spec, prefilled=sub.prefilled or {})
    if not form.is_valid():
        return _page(request, sub, form=form, status=400)
    version = form.cleaned_data["expected_version"]
    try:
        sub = services.save_draft(
            actor=request.user, submission=sub, values=form.all_values(), answers=form.all_answers(),
            reasons=form.reasons, expected_version=version,
        )
    except ConcurrentEditError as exc:
        return _conflict(request, sub, spec, exc)
    except ValidationError as exc:
        add_service_errors(form, exc, form.rename())
        return _page(request, sub, form=form, status=400)
    if action != "submit":
        messages.success(request, _("The report was saved as a draft."))
        return redirect("reports:submission", sub.pk)
    try:
        sub = services.submit_report(actor=request.user, submission=sub, expected_version=sub.lock_version)
    except ConcurrentEditError as exc:
        return _conflict(request, sub, spec, exc)
    except ValidationError as exc:
        # The draft is saved; the page shows what must be fixed before it can be submitted.
        sub = _refresh(sub)
        form = FillForm(_with_version(request, sub.lock_version), spec=spec, prefilled=sub.prefilled or {})
        form.is_valid()
        add_service_errors(form, exc, form.rename())
        return _page(request, sub, form=form, status=400)
    messages.success(request, _("The report was submitted to the level above."))
    return redirect("reports:submission", sub.pk)


def _conflict(request: HttpRequest, sub: Submission, spec: Any, exc: ValidationError) -> HttpResponse:
    """Someone saved first: keep every figure typed, show theirs beside, and let the officer save again knowingly."""
    current = _refresh(sub)
    form = FillForm(_with_version(request, current.lock_version), spec=spec, prefilled=current.prefilled or {})
    form.is_valid()
    form.add_error(None, exc.messages)
    return _page(request, current, form=form, status=409, conflict=dict(current.values or {}))


def _prefill(request: HttpRequest, sub: Submission) -> HttpResponse:
    from . import services

    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page was out of date; reload it and try again."))
        return redirect("reports:submission", sub.pk)
    try:
        services.prefill_submission(actor=request.user, submission=sub,
                                    expected_version=form.cleaned_data["expected_version"])
    except ConcurrentEditError:
        messages.error(request, _("Someone else changed this report meanwhile. Check it, then pre-fill again."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Figures held by other modules were filled in; check them and give a reason for any change."))
    return redirect("reports:submission", sub.pk)


# ---------------------------------------------------------------------------------------------
# Excel out and in


@login_required
@require_GET
def submission_template(request: HttpRequest, pk: int) -> HttpResponse:
    from .xlsx import template_filename, template_xlsx

    sub = submission_for(request, pk)
    response = HttpResponse(template_xlsx(sub), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{template_filename(sub)}"'
    return response


@login_required
@require_POST
def submission_upload(request: HttpRequest, pk: int) -> HttpResponse:
    from . import services
    from .xlsx import read_upload

    sub = submission_for(request, pk)
    if not request.user.has_perm("reports.fill_submission", sub):
        if not scope_of(request.user).covers(sub.org_unit.path, EDITORS):
            raise PermissionDenied(_("Only officers of the reporting unit may fill in this report."))
        messages.error(request, _("This report can no longer be changed."))
        return redirect("reports:submission", sub.pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, sub, upload_form=form, status=400)
    try:
        values, answers, reasons = read_upload(sub, form.cleaned_data["file"])
        services.save_draft(
            actor=request.user, submission=sub, values=values, answers=answers, reasons=reasons,
            expected_version=form.cleaned_data["expected_version"], action="imported",
        )
    except ConcurrentEditError:
        form.add_error(None, _("Someone else changed this report after you opened it. Reload the page, check "
                               "their changes, then upload your file again."))
        return _page(request, _refresh(sub), upload_form=form, status=409)
    except ValidationError as exc:
        return _page(request, sub, upload_form=form, upload_errors=_named(sub, exc), status=400)
    messages.success(request, _("The figures of the Excel file were saved as a draft."))
    return redirect("reports:submission", sub.pk)


def _named(sub: Submission, exc: ValidationError) -> list[str]:
    """The errors of an upload as a list; a figure's error names its indicator."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    spec = _spec(sub)
    out: list[str] = []
    for key, errors in exc.message_dict.items():
        ind = spec.indicator(key)
        label = f"{ind.name}: " if ind is not None else ""
        out.extend(f"{label}{e}" for e in errors)
    return out


# ---------------------------------------------------------------------------------------------
# Review by the level above


@login_required
@require_POST
def submission_review(request: HttpRequest, pk: int) -> HttpResponse:
    from . import services

    sub = submission_for(request, pk)
    if not request.user.has_perm("reports.review_submission", sub):
        if sub.status != SubmissionStatus.SUBMITTED:
            messages.error(request, _("This report is not waiting for review."))
            return redirect("reports:submission", sub.pk)
        raise PermissionDenied(_("Only officers of the reviewing unit may return or accept this report."))
    action = request.POST.get("action", "")
    form: VersionForm = ReturnForm(request.POST) if action == "return" else VersionForm(request.POST)
    if action not in ("return", "accept") or not form.is_valid():
        return _page(request, sub, return_form=form if action == "return" else None, status=400)  # type: ignore[arg-type]
    try:
        if action == "return":
            services.return_report(actor=request.user, submission=sub, comment=form.cleaned_data["comment"],
                                   expected_version=form.cleaned_data["expected_version"])
            messages.success(request, _("The report was returned to the unit with your comments."))
        else:
            services.accept_report(actor=request.user, submission=sub,
                                   expected_version=form.cleaned_data["expected_version"])
            messages.success(request, _("The report was accepted and is now locked."))
    except ConcurrentEditError:
        messages.error(request, _("The report changed after you opened it. Check it again before deciding."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("reports:submission", sub.pk)


@login_required
@require_POST
def submission_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    from . import services

    sub = submission_for(request, pk)
    if not request.user.has_perm("reports.reopen_submission", sub):
        if sub.status != SubmissionStatus.ACCEPTED:
            messages.error(request, _("Only an accepted report can be reopened."))
            return redirect("reports:submission", sub.pk)
        raise PermissionDenied(_("Only the head of the reviewing unit may reopen an accepted report."))
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _page(request, sub, reopen_form=form, status=400)
    try:
        services.reopen_report(actor=request.user, submission=sub, reason=form.cleaned_data["reason"],
                               expected_version=form.cleaned_data["expected_version"])
    except ConcurrentEditError:
        messages.error(request, _("The report changed after you opened it. Check it again before deciding."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The report was reopened; the unit can correct it and submit it again."))
    return redirect("reports:submission", sub.pk)


# ---------------------------------------------------------------------------------------------
# History


@login_required
@require_GET
def submission_history(request: HttpRequest, pk: int) -> HttpResponse:
    sub = submission_for(request, pk)
    spec = _spec(sub)
    revisions = list(
        SubmissionRevision.objects.filter(submission=sub).select_related("actor").order_by("-at", "-pk")[: HISTORY_LIMIT + 1]
    )
    more = len(revisions) > HISTORY_LIMIT
    revisions = revisions[:HISTORY_LIMIT]
    names = {ind.code: ind for ind in spec.indicators}
    questions = {q.code: q for q in spec.questions}
    rows = []
    # Oldest first to compare each with the one before, then newest first on the page.
    ordered = list(reversed(revisions))
    before: dict[str, Any] = {}
    before_answers: dict[str, Any] = {}
    for rev in ordered:
        changes = []
        values = rev.values or {}
        for code in sorted(set(before) | set(values), key=lambda c: (names[c].order if c in names else 10**9, c)):
            if before.get(code) != values.get(code):
                ind = names.get(code)
                changes.append({"label": ind.name if ind else code,
                                "old": _display(ind, before.get(code)), "new": _display(ind, values.get(code))})
        answers = rev.answers or {}
        changed_answers = [questions[c].text if c in questions else c
                           for c in sorted(set(before_answers) | set(answers))
                           if before_answers.get(c) != answers.get(c)]
        rows.append({"rev": rev, "changes": changes, "answers": changed_answers})
        before, before_answers = values, answers
    rows.reverse()
    return render(request, "reports/history.html", {"sub": sub, "period": sub.period, "rows": rows, "more": more})
