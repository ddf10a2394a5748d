"""Downloads of attachments and notices, and the upload of an attachment: thin views over the services.

Every download is a fresh permission check (``attachments.open_for``, ``notices.open_notice``),
sent as an attachment that browsers must not sniff or cache, since the files are personal data.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from . import attachments, notices
from .models import Attachment, Notice, Petition


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    identifies_filer = forms.BooleanField(label=gettext_lazy("Identifies the filer"), required=False)


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(data))
    return response


def _case_url(pk: int) -> str:
    try:
        return reverse("petitions:detail", args=[pk])
    except NoReverseMatch:  # the case pages are mounted separately; until then, back to the petitions home
        return reverse("petitions:deadlines")


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(
        Attachment.objects.select_related("petition__org_unit", "visit__org_unit"), pk=pk, deleted_at__isnull=True
    )
    data, name, content_type = attachments.open_for(request.user, row)
    return _download(data, name, content_type)


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_object_or_404(Petition.objects.alive().visible_to(request.user).select_related("org_unit"), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors) or _("Choose a file to attach."))
        return redirect(_case_url(petition.pk))
    try:
        attachments.store_attachment(
            actor=request.user, file=form.cleaned_data["file"], petition=petition,
            identifies_filer=form.cleaned_data["identifies_filer"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The file was attached."))
    return redirect(_case_url(petition.pk))


@login_required
@require_GET
def notice_docx(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice.objects.select_related("petition__org_unit", "visit__org_unit", "org_unit"), pk=pk)
    data, name = notices.open_notice(request.user, notice)
    return _download(data, name, notices.DOCX_TYPE)
