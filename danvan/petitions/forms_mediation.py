"""Mediation forms: they check the shape of input; ``danvan.petitions.mediation`` checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .mediation import CLOSING_STATUSES, MEDIATORS_MAX, NAME_MAX, ROLE_MAX
from .models import MediationStatus

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _date_field(label: Any, **kw: Any) -> forms.DateField:
    return forms.DateField(label=label, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"), **kw)


class MediationFilterForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False, empty_label=_("All my units"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *MediationStatus.choices])

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class MediationForm(forms.Form):
    org_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Mediation team of"), queryset=None)
    subject = forms.CharField(label=_("Subject of the dispute"), max_length=300)
    parties = forms.CharField(label=_("Parties"), widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("The people in dispute, with their addresses."))
    opened_on = _date_field(_("Opened on"))
    mediators = forms.CharField(
        label=_("Mediators"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name, then a comma and the role in the team (e.g. team leader)."),
    )

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]

    def clean_mediators(self) -> list[dict[str, str]]:
        out = []
        for line in self.cleaned_data["mediators"].splitlines():
            if not line.strip():
                continue
            name, _sep, role = line.partition(",")
            out.append({"name": name.strip(), "role": role.strip()})
        if not out:
            raise forms.ValidationError(_("Name at least one mediator."))
        if len(out) > MEDIATORS_MAX:
            raise forms.ValidationError(_("A mediation has at most %(n)d mediators.") % {"n": MEDIATORS_MAX})
        return out


class VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MediatorForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    role = forms.CharField(label=_("Role in the team"), max_length=ROLE_MAX, required=False)


class SessionForm(VersionedForm):
    held_on = _date_field(_("Held on"))
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    summary = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 4}))
    result = forms.CharField(label=_("Result of the session"), max_length=300, required=False)


class CloseForm(VersionedForm):
    status = forms.ChoiceField(label=_("Outcome"), choices=[(s.value, s.label) for s in CLOSING_STATUSES])
    closed_on = _date_field(_("Closed on"))
    outcome = forms.CharField(label=_("What was agreed, or why it failed"), widget=forms.Textarea(attrs={"rows": 4}))


class DeleteForm(VersionedForm):
    reason = forms.CharField(label=_("Why remove it"), max_length=1000)
