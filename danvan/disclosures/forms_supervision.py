"""Front supervision forms: they check the shape of input; ``danvan.disclosures.supervision`` checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from . import supervision
from .forms_boards import RespondForm, VersionedForm, date_field
from .models import SupervisionKind

STATES = [
    ("", _("Any")),
    ("awaiting", _("Awaiting response")),
    ("overdue", _("Response overdue")),
    ("responded", _("Responded")),
]


class SupervisionFilterForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False,
                                                          empty_label=_("All my units"))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *SupervisionKind.choices])
    state = forms.ChoiceField(label=_("Response"), required=False, choices=STATES)

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class SupervisionFields(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SupervisionKind.choices)
    by_name = forms.CharField(label=_("By (organisation)"), max_length=supervision.BY_NAME_MAX,
                              help_text=_("E.g. the Standing Board of the commune's Fatherland Front committee."))
    subject = forms.CharField(label=_("Subject"), max_length=supervision.SUBJECT_MAX)
    starts_on = date_field(_("From"))
    ends_on = date_field(_("Until"), required=False)
    findings = forms.CharField(label=_("Findings"), max_length=supervision.FINDINGS_MAX, required=False,
                               widget=forms.Textarea(attrs={"rows": 6}))
    recommendations = forms.CharField(label=_("Recommendations"), max_length=supervision.RECOMMENDATIONS_MAX,
                                      required=False, widget=forms.Textarea(attrs={"rows": 4}))
    response_due_on = date_field(_("Response due on"), required=False)
    is_public = forms.BooleanField(label=_("Shown on the public portal"), required=False)


class SupervisionForm(SupervisionFields):
    org_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit supervised"), queryset=None)
    front_unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Front body"), queryset=None, required=False,
        help_text=_("The Front committee or member organisation that supervises, if it is a unit in the system."))
    field_order = ["org_unit", "front_unit", "kind", "by_name", "subject"]

    def __init__(self, *args: Any, units: QuerySet, fronts: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["front_unit"].queryset = fronts  # type: ignore[attr-defined]


class SupervisionEditForm(SupervisionFields, VersionedForm):
    pass


class SupervisionDeleteForm(forms.Form):
    reason = forms.CharField(label=_("Why remove it"), max_length=supervision.REASON_MAX)


__all__ = ["RespondForm", "SupervisionDeleteForm", "SupervisionEditForm", "SupervisionFilterForm",
           "SupervisionForm"]
