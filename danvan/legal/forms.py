"""Forms of the registry pages: they check the shape of input; services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DocType

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False, strip=True)
    type = forms.ChoiceField(
        label=_("Document type"), required=False, choices=[("", _("All types")), *DocType.choices],
    )


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=[("", "—"), *DocType.choices])
    number = forms.CharField(
        label=_("Number"), max_length=30, required=False,
        help_text=_("E.g. 33 or 10/2022. You may also type the whole reference, e.g. 33/CT-TTg."),
    )
    symbol = forms.CharField(label=_("Symbol"), max_length=60, required=False, help_text=_("E.g. CT-TTg, KL/TW, QH15."))
    issued_on = forms.DateField(label=_("Date of issue"), required=False, widget=forms.DateInput(attrs=DATE_ATTRS))
    issuer = forms.CharField(
        label=_("Issuing body"), max_length=255, required=False, help_text=_("E.g. Thủ tướng Chính phủ, Ban Bí thư.")
    )
    title = forms.CharField(label=_("Summary"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    url = forms.URLField(label=_("Link"), max_length=200, required=False, assume_scheme="https")


class DocumentEditForm(DocumentForm):
    version = forms.CharField(widget=forms.HiddenInput, required=False)


class MergeForm(forms.Form):
    duplicate = forms.CharField(
        label=_("Duplicate record"), max_length=100,
        help_text=_("The number and symbol (e.g. 33/CT-TTG) or the id of the record to fold into this one."),
    )
    confirm = forms.BooleanField(
        label=_("I understand: plans citing the duplicate will cite this document, and the duplicate is deleted."),
    )
