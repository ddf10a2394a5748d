"""The registry pages: search, one document with the plans that cite it, add, correct, merge.

Views are thin: they check the permission (403), validate the form and call a service. The
registry is not secret but the platform is for staff, so every page needs a login.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from danvan.core.forms import add_service_errors

from . import queries, services
from .forms import DocumentEditForm, DocumentForm, MergeForm, SearchForm
from .models import LegalDocument


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        if perm == "legal.merge_documents":
            raise PermissionDenied(_("Only a system or provincial administrator can merge documents."))
        raise PermissionDenied(_("Only officers who draft plans can add or change documents in the registry."))


@login_required
def document_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    q = doc_type = ""
    if form.is_bound and form.is_valid():
        q, doc_type = form.cleaned_data["q"], form.cleaned_data["type"]
    after = request.GET.get("after", "")[:40]
    page = queries.search_documents(q=q, doc_type=doc_type, after=after)
    return render(
        request, "legal/list.html",
        {
            "form": form, "q": q, "doc_type": doc_type, "documents": page.items, "next_after": page.next_after,
            "paged": bool(after), "can_add": request.user.has_perm("legal.add_document"),
        },
    )


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_object_or_404(LegalDocument.objects.select_related("issuing_unit"), pk=pk)
    after = request.GET.get("after", "")[:40]
    plans = queries.citing_plans(doc, request.user, after=after)
    return render(
        request, "legal/detail.html",
        {
            "doc": doc, "plans": plans.items, "next_after": plans.next_after, "paged": bool(after),
            "can_change": request.user.has_perm("legal.change_document"),
            "can_merge": request.user.has_perm("legal.merge_documents"),
        },
    )


@login_required
def document_add(request: HttpRequest) -> HttpResponse:
    _require(request, "legal.add_document")
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            doc, created = services.find_or_register_document(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if created:
                messages.success(request, _("The document %(doc)s was added to the registry.") % {"doc": doc.citation})
            else:
                messages.info(
                    request,
                    _("The document %(doc)s was already in the registry; what it did not know yet was added.")
                    % {"doc": doc.citation},
                )
            return redirect("legal:detail", doc.pk)
    return render(request, "legal/form.html", {"form": form, "mode": "add"})


def _edit_initial(doc: LegalDocument) -> dict[str, Any]:
    return {
        "doc_type": doc.doc_type, "number": doc.number, "symbol": doc.symbol, "issued_on": doc.issued_on,
        "issuer": doc.issuer, "title": doc.title, "url": doc.url, "version": services.document_version(doc),
    }


@login_required
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_object_or_404(LegalDocument, pk=pk)
    _require(request, "legal.change_document")
    current = None  # what someone else saved meanwhile, shown beside the user's own values
    if request.method == "POST":
        form = DocumentEditForm(request.POST, initial=_edit_initial(doc))
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version") or None
            try:
                doc = services.update_document(actor=request.user, document=doc, expected_version=version, **data)
            except services.ConcurrentEditError as exc:
                current = LegalDocument.objects.get(pk=doc.pk)
                post = request.POST.copy()
                post["version"] = services.document_version(current)
                form = DocumentEditForm(post, initial=_edit_initial(current))
                form.is_valid()
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("legal:detail", doc.pk)
    else:
        form = DocumentEditForm(initial=_edit_initial(doc))
    return render(request, "legal/form.html", {"form": form, "mode": "edit", "doc": doc, "current": current})


@login_required
def document_merge(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_object_or_404(LegalDocument, pk=pk)
    _require(request, "legal.merge_documents")
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        duplicate = queries.find_by_reference(form.cleaned_data["duplicate"])
        if duplicate is None:
            form.add_error("duplicate", _("No document in the registry has this number and symbol or id."))
        else:
            label = duplicate.citation
            try:
                services.merge_documents(actor=request.user, keep=doc, duplicate=duplicate)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("%(dup)s was merged into this document.") % {"dup": label}
                )
                return redirect("legal:detail", doc.pk)
    return render(request, "legal/merge.html", {"form": form, "doc": doc})
