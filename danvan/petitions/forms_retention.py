"""Forms of the retention and personal-data pages: they check the shape; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from . import retention, subject_export
from .forms_mediation import _date_field

MAX_IDS = retention.MAX_PER_DECISION


class UnitForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None)

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class DecisionForm(UnitForm):
    """The decision's details and the petitions chosen on the list (``ids``, several values)."""

    number = forms.CharField(label=_("Decision number and symbol"), max_length=retention.NUMBER_MAX,
                             help_text=_("For example 15/QĐ-UBND."))
    decided_on = _date_field(_("Decided on"))
    signer_name = forms.CharField(label=_("Signed by"), max_length=retention.SIGNER_MAX)
    signer_title = forms.CharField(label=_("Signer's title"), max_length=retention.SIGNER_MAX)
    basis = forms.CharField(label=_("Reason and legal basis"), max_length=retention.BASIS_MAX,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        ids = []
        for value in raw[: MAX_IDS + 1]:
            if not str(value).isdigit() or len(str(value)) > 12:
                self.add_error(None, _("The petitions chosen are not valid."))
                return cleaned
            ids.append(int(value))
        if not ids:
            self.add_error(None, _("Choose at least one petition to destroy."))
        cleaned["ids"] = sorted(set(ids))
        return cleaned

    def decision_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {k: d[k] for k in ("number", "decided_on", "signer_name", "signer_title", "basis")}


class SubjectExportForm(UnitForm):
    id_number = forms.CharField(label=_("ID number (CCCD)"), max_length=20,
                                help_text=_("Checked against the citizen's card, in person."))
    name = forms.CharField(label=_("Full name"), max_length=subject_export.NAME_MAX)
    address = forms.CharField(label=_("Address"), max_length=subject_export.ADDRESS_MAX, required=False,
                              help_text=_("Optional: also finds petitions recorded by name and address."))
    reason = forms.CharField(label=_("Reason for the export"), max_length=subject_export.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Kept in the audit log: do not write the citizen's name or ID number."))
    verified = forms.BooleanField(label=_("I checked the citizen's identity card in person."))
