"""Disclosure forms: they check the shape of input; ``services`` checks the law's rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from danvan.core import uploads

from . import attachments, services
from .checks import CODES
from .models import DisclosureCategory, DisclosureForm, DisclosureStatus

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
UNIT_CHOICES_MAX = 300


def date_field(label: Any, **kw: Any) -> forms.DateField:
    return forms.DateField(label=label, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"), **kw)


def bound_unit_choices(field: Any, units: QuerySet, empty: Any = None) -> None:
    """Show at most ``UNIT_CHOICES_MAX`` units (the field still validates against the whole queryset)."""
    field.queryset = units
    choices: list[tuple[Any, str]] = [("", str(empty))] if empty is not None else []
    choices += [(u.pk, u.name) for u in units.select_related(None).only("pk", "name", "path")[:UNIT_CHOICES_MAX]]
    field.widget.choices = choices


class VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DisclosureEditForm(forms.Form):
    org_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    category: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Category (Art. 11)"), queryset=DisclosureCategory.objects.filter(is_active=True))
    title = forms.CharField(label=_("Title"), max_length=services.TITLE_MAX)
    decision_ref = forms.CharField(label=_("Decision or document number"), max_length=services.REF_MAX,
                                   required=False)
    decided_on = date_field(_("Date of the decision"), required=False,
                            help_text=_("The item must be disclosed within 5 working days of it."))
    disclosed_on = date_field(_("Posted from"), required=False,
                              help_text=_("Empty for a draft: disclosing it fills in today."))
    posting_ends_on = date_field(_("Posted until"), required=False,
                                 help_text=_("Empty: the category's minimum period (none for a permanent posting)."))
    place = forms.CharField(label=_("Place of posting"), max_length=services.PLACE_MAX, required=False)
    loudspeaker_days = forms.IntegerField(label=_("Days broadcast on the loudspeakers"), min_value=0,
                                          max_value=services.LOUDSPEAKER_MAX, required=False, initial=0)
    content = forms.CharField(label=_("Content"), required=False, max_length=services.CONTENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 6}))
    is_public = forms.BooleanField(label=_("Show on the public portal"), required=False, initial=True)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    # Last in the class body: the name shadows the module from here on.
    forms = forms.MultipleChoiceField(label=_("Forms of disclosure"), choices=DisclosureForm.choices,
                                      required=False, widget=forms.CheckboxSelectMultiple)

    field_order = ["org_unit", "category", "title", "decision_ref", "decided_on", "disclosed_on", "posting_ends_on",
                   "forms", "place", "loudspeaker_days", "content", "is_public"]

    def __init__(self, *args: Any, units: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None:  # editing: the unit does not change
            del self.fields["org_unit"]
        else:
            bound_unit_choices(self.fields["org_unit"], units)
            del self.fields["expected_version"]

    def clean_loudspeaker_days(self) -> int:
        return self.cleaned_data.get("loudspeaker_days") or 0

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("org_unit", None)
        data.pop("expected_version", None)
        return data


class DisclosureFilterForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    category: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Category"), queryset=DisclosureCategory.objects.all(), required=False,
        empty_label=_("Any category"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *DisclosureStatus.choices])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    problem = forms.ChoiceField(label=_("Problem"), required=False,
                                choices=[("", _("Any")), *((k, v) for k, v in CODES.items())])

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_unit_choices(self.fields["unit"], units, empty=_("All my units"))


class PublishForm(VersionedForm):
    disclosed_on = date_field(_("Posted from"), required=False, help_text=_("Empty: today."))


class WithdrawForm(VersionedForm):
    reason = forms.CharField(label=_("Why withdraw it"), max_length=services.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Why delete it"), max_length=services.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))


class UnitForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_unit_choices(self.fields["unit"], units)


class CalendarForm(UnitForm):
    month = forms.CharField(label=_("Month (mm/yyyy)"), required=False, max_length=7)


class QuarterForm(UnitForm):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), required=False, coerce=int, empty_value=None,
                                     choices=[(q, str(q)) for q in range(1, 5)])


class AttachmentAddForm(forms.Form):
    owner_type = forms.ChoiceField(choices=[(k, k) for k in attachments.OWNERS])
    owner_id = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    file = forms.FileField(label=_("File"))
    next = forms.CharField(required=False, max_length=500)


class AttachmentRemoveForm(forms.Form):
    reason = forms.CharField(label=_("Why remove it"), max_length=uploads.REASON_MAX)
    next = forms.CharField(required=False, max_length=500)
