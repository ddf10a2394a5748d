"""Commitment pages: every promise the user can see (by state), one promise with its history, and the
forms that add, correct, progress, report back and remove promises.

Thin over ``danvan.dialogues.commitments``. The host unit's editors change what was promised; the
host's or the owner's editors report progress; a promise the user cannot read is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors
from danvan.orgs.scope import subtree_q

from . import attachments, queries
from . import commitments as commitment_services
from .forms import AttachmentForm
from .forms_commitments import (
    STATE_LABELS,
    CommitmentEditForm,
    CommitmentFilterForm,
    CommitmentForm,
    DeleteCommitmentForm,
    ProgressForm,
    ReportBackForm,
)
from .models import Attachment, Commitment, DialogueStatus
from .views import render_detail
from .views_common import (
    commitment_or_404,
    dialogue_or_404,
    keyset,
    owner_units,
    query_without_cursor,
    reading_units,
    safe_next,
    state_q,
)

# --------------------------------------------------------------------------- list


@login_required
def commitment_list(request: HttpRequest) -> HttpResponse:
    form = CommitmentFilterForm(request.GET or None, units=reading_units(request.user))
    qs = queries.commitments_for(request.user).select_related("dialogue__org_unit", "owner_unit")
    today = timezone.localdate()
    if form.is_valid():
        d = form.cleaned_data
        unit = d["unit"]
        if unit is not None:
            host = subtree_q([unit.path], prefix="dialogue__org_unit__")
            owner = subtree_q([unit.path], prefix="owner_unit__")
            qs = qs.filter({"host": host, "owner": owner}.get(d["side"], host | owner))
        if d["state"]:
            qs = qs.filter(state_q(d["state"], today))
    page = keyset(qs, request.GET.get("after"), date_field="due_on", descending=False)
    rows = []
    for c in page.items:
        state = queries.state(c, today)
        rows.append({"c": c, "state": state, "state_label": STATE_LABELS.get(state, state)})
    return render(request, "dialogues/commitment_list.html", {
        "form": form, "page": page, "rows": rows, "query": query_without_cursor(request),
    }, status=200 if not form.is_bound or form.is_valid() else 400)


# --------------------------------------------------------------------------- add (on the dialogue page)


@login_required
@require_POST
def commitment_add(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = dialogue_or_404(request, pk)
    if not request.user.has_perm("dialogues.change_commitment", dialogue):
        raise PermissionDenied
    form = CommitmentForm(request.POST, owner_units=owner_units(dialogue.org_unit, request.user))
    if form.is_valid():
        try:
            commitment_services.add_commitment(actor=request.user, dialogue=dialogue, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The commitment was added."))
            return redirect(reverse("dialogues:detail", args=[dialogue.pk]) + "#commitments")
    return render_detail(request, dialogue, status=400, commitment_form=form)


@login_required
@require_POST
def report_back(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = dialogue_or_404(request, pk)
    if not request.user.has_perm("dialogues.change_dialogue", dialogue):
        raise PermissionDenied
    to_report = queries.to_report_back(dialogue) if dialogue.status != DialogueStatus.CANCELLED else []
    form = ReportBackForm(request.POST, commitments=to_report)
    if form.is_valid():
        try:
            commitment_services.report_back(actor=request.user, dialogue=dialogue,
                                            commitment_ids=form.cleaned_data["commitment_ids"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The commitments were marked as reported back at this dialogue."))
            return redirect(reverse("dialogues:detail", args=[dialogue.pk]) + "#report-back")
    return render_detail(request, dialogue, status=400, report_form=form)


# --------------------------------------------------------------------------- one commitment


def _render_commitment(request: HttpRequest, commitment: Commitment, *, status: int = 200,
                       progress_form: ProgressForm | None = None,
                       delete_form: DeleteCommitmentForm | None = None) -> HttpResponse:
    user = request.user
    state = queries.state(commitment)
    can_update = user.has_perm("dialogues.update_commitment", commitment)
    if progress_form is None and can_update:
        progress_form = ProgressForm(initial={
            "expected_version": commitment.lock_version, "status": commitment.status,
            "done_on": commitment.done_on, "evidence": commitment.evidence})
    return render(request, "dialogues/commitment_detail.html", {
        "c": commitment, "dialogue": commitment.dialogue, "state": state,
        "state_label": STATE_LABELS.get(state, state), "can_update": can_update,
        "can_change": user.has_perm("dialogues.change_commitment", commitment),
        "can_attach": attachments.may_change(user, commitment),
        "updates": list(commitment.updates.select_related("actor")),
        "attachments": list(Attachment.objects.filter(commitment=commitment, deleted_at__isnull=True)),
        "progress_form": progress_form, "delete_form": delete_form or DeleteCommitmentForm(),
        "attachment_form": AttachmentForm(),
    }, status=status)


@login_required
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_commitment(request, commitment_or_404(request, pk))


@login_required
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = commitment_or_404(request, pk)
    if not request.user.has_perm("dialogues.change_commitment", commitment):
        raise PermissionDenied
    initial: dict[str, Any] = {name: getattr(commitment, name) for name in (
        "text", "owner_person", "due_on", "is_public")}
    initial.update(owner_unit=commitment.owner_unit_id, expected_version=commitment.lock_version)
    units = owner_units(commitment.dialogue.org_unit, request.user) | type(commitment.owner_unit).objects.filter(
        pk=commitment.owner_unit_id)  # the owner given through the API stays choosable
    form = CommitmentEditForm(request.POST or None, owner_units=units.distinct().order_by("path"), initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = dict(form.cleaned_data)
            version = d.pop("expected_version")
            changed = {k: v for k, v in d.items() if k in form.changed_data}
            try:
                commitment_services.update_commitment(actor=request.user, commitment=commitment,
                                                      expected_version=version, **changed)
            except ConcurrentEditError as exc:
                status = 409
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The commitment was saved."))
                return redirect("dialogues:commitment_detail", commitment.pk)
    return render(request, "dialogues/commitment_form.html", {"form": form, "c": commitment}, status=status)


@login_required
@require_POST
def commitment_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress form is on the commitment's page and, prefixed ``c<pk>``, on the dialogue's page."""
    commitment = commitment_or_404(request, pk)
    if not request.user.has_perm("dialogues.update_commitment", commitment):
        raise PermissionDenied
    prefix = f"c{commitment.pk}" if f"c{commitment.pk}-status" in request.POST else None
    form = ProgressForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            commitment_services.report_progress(actor=request.user, commitment=commitment, **form.cleaned_data)
        except ConcurrentEditError as exc:
            form.add_error(None, exc.messages)
            return _progress_error(request, commitment, form, prefix, 409)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The progress was recorded."))
            return redirect(safe_next(request, reverse("dialogues:commitment_detail", args=[commitment.pk])))
    return _progress_error(request, commitment, form, prefix, 400)


def _progress_error(request: HttpRequest, commitment: Commitment, form: ProgressForm, prefix: str | None,
                    status: int) -> HttpResponse:
    if prefix:  # sent from the dialogue's page: show it there, the form open beside its commitment
        dialogue = dialogue_or_404(request, commitment.dialogue_id)
        return render_detail(request, dialogue, status=status, progress_forms={commitment.pk: form})
    return _render_commitment(request, commitment, status=status, progress_form=form)


@login_required
@require_POST
def commitment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = commitment_or_404(request, pk)
    if not request.user.has_perm("dialogues.change_commitment", commitment):
        raise PermissionDenied
    form = DeleteCommitmentForm(request.POST)
    if form.is_valid():
        try:
            commitment_services.delete_commitment(actor=request.user, commitment=commitment,
                                                  reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The commitment was removed."))
            return redirect("dialogues:detail", commitment.dialogue_id)
    return _render_commitment(request, commitment, status=400, delete_form=form)

