"""Files of a dialogue (minutes, photos) or of a commitment (evidence): download, attach, remove.

Each download is a fresh permission check; a file of a record the user cannot read is a 404.
Attaching and removing go back to the page they came from (``next``, same host only).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from . import attachments
from .forms import AttachmentForm
from .models import Attachment
from .views_common import (
    MAX_PK,
    commitment_or_404,
    dialogue_or_404,
    download,
    pk_or_none,
    safe_next,
)


class RemoveForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why remove it"), max_length=500)


def _owner(request: HttpRequest, owner_type: str, owner_id: Any) -> tuple[Any, str]:
    pk = pk_or_none(owner_id)
    if pk is None or owner_type not in ("dialogue", "commitment"):
        raise Http404
    if owner_type == "dialogue":
        dialogue = dialogue_or_404(request, pk)
        return dialogue, reverse("dialogues:detail", args=[dialogue.pk])
    commitment = commitment_or_404(request, pk)
    return commitment, reverse("dialogues:commitment_detail", args=[commitment.pk])


def _row(request: HttpRequest, pk: int) -> tuple[Attachment, Any, str]:
    if not 1 <= pk <= MAX_PK:
        raise Http404
    row = Attachment.objects.filter(pk=pk, deleted_at__isnull=True).first()
    if row is None:
        raise Http404
    if row.dialogue_id:
        owner, url = _owner(request, "dialogue", row.dialogue_id)
    else:
        owner, url = _owner(request, "commitment", row.commitment_id)
    return row, owner, url


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    row, _owner_obj, _url = _row(request, pk)
    try:
        data, name, content_type = attachments.open_for(request.user, row)
    except PermissionDenied as exc:
        raise Http404 from exc
    return download(data, name, content_type)


@login_required
@require_POST
def attachment_add(request: HttpRequest) -> HttpResponse:
    owner, url = _owner(request, request.POST.get("owner_type", ""), request.POST.get("owner_id"))
    back = safe_next(request, url)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect(back)
    try:
        attachments.add(actor=request.user, owner=owner, file=form.cleaned_data["file"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The file was attached."))
    return redirect(back)


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    row, _owner_obj, url = _row(request, pk)
    back = safe_next(request, url)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the file is removed."))
        return redirect(back)
    try:
        attachments.remove(actor=request.user, attachment=row, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The file was removed."))
    return redirect(back)
