"""Forms of the dissemination and inspection pages: they check the shape of input; ``services`` the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from danvan.legal.models import LegalDocument
from danvan.orgs.models import OrgUnit

from . import services as svc
from .models import InspectionKind

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
CHOICES_MAX = 300


def date_field(label: Any, **kw: Any) -> forms.DateField:
    return forms.DateField(label=label, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"), **kw)


def bound_choices(field: Any, qs: QuerySet | None, rows: list[Any] | None = None, label: Any = str,
                  empty: Any = None) -> None:
    """Show at most ``CHOICES_MAX`` rows (the field still validates against the whole queryset)."""
    if qs is not None:
        field.queryset = qs
    shown = rows if rows is not None else list(field.queryset[:CHOICES_MAX])
    choices: list[tuple[Any, str]] = [("", str(empty))] if empty is not None else []
    choices += [(row.pk, label(row)) for row in shown]
    field.widget.choices = choices


def _unit_name(u: OrgUnit) -> str:
    return u.name


class VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class UnitForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_choices(self.fields["unit"], units, label=_unit_name)


class DisseminationForm(forms.Form):
    org_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=svc.TITLE_MAX)
    held_on = date_field(_("Held on"))
    documents: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Documents disseminated"), queryset=LegalDocument.objects.all(), widget=forms.CheckboxSelectMultiple,
        help_text=_("Search the legal registry above the form to find other documents."))
    participants = forms.IntegerField(label=_("Participants"), min_value=1, max_value=svc.PARTICIPANTS_MAX)
    form = forms.CharField(label=_("Form"), max_length=svc.FORM_MAX, required=False,
                           help_text=_("E.g. conference, online, integrated into the unit's meeting."))
    notes = forms.CharField(label=_("Notes"), max_length=svc.NOTES_MAX, required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, units: QuerySet | None = None, documents: list[LegalDocument],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None:  # editing: the unit does not change
            del self.fields["org_unit"]
        else:
            bound_choices(self.fields["org_unit"], units, label=_unit_name)
            del self.fields["expected_version"]
        bound_choices(self.fields["documents"], None, rows=documents, label=lambda d: d.citation)

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("org_unit", "expected_version"):
            data.pop(name, None)
        data["documents"] = list(data["documents"])
        return data


class DisseminationFilterForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    document = forms.IntegerField(label=_("Document"), required=False, min_value=1, max_value=2**63 - 1,
                                  widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_choices(self.fields["unit"], units, label=_unit_name, empty=_("All my units"))


COVERAGE_STATES = [("", _("All units")), ("done", _("Disseminated")), ("missing", _("Not disseminated"))]


class CoverageForm(UnitForm):
    document = forms.TypedChoiceField(label=_("Document"), required=False, coerce=int, empty_value=None)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100,
                              help_text=_("Empty: sessions of any year count."))
    state = forms.ChoiceField(label=_("Show"), required=False, choices=COVERAGE_STATES)

    def __init__(self, *args: Any, documents: list[LegalDocument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [("", "—"), *((d.pk, d.citation) for d in documents)]  # type: ignore[attr-defined]


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Why delete it"), max_length=svc.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))


class InspectionPlanForm(forms.Form):
    org_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Inspecting unit"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=svc.TITLE_MAX)
    starts_on = date_field(_("From"))
    ends_on = date_field(_("Until"))
    units: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Units to inspect"), queryset=OrgUnit.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Empty for a self-inspection."))
    content = forms.CharField(label=_("Content"), max_length=svc.CONTENT_MAX, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, units: QuerySet, targets: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_choices(self.fields["org_unit"], units, label=_unit_name)
        bound_choices(self.fields["units"], targets, label=_unit_name)

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("org_unit")
        data["units"] = list(data["units"])
        return data


class InspectionForm(forms.Form):
    inspector: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Inspecting unit"), queryset=None)
    org_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit inspected"), queryset=None)
    starts_on = date_field(_("From"))
    ends_on = date_field(_("Until"))
    findings = forms.CharField(label=_("Findings"), max_length=svc.FINDINGS_MAX, required=False,
                               widget=forms.Textarea(attrs={"rows": 6}))
    conclusion = forms.CharField(label=_("Conclusion"), max_length=svc.CONCLUSION_MAX, required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, inspectors: QuerySet, targets: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_choices(self.fields["inspector"], inspectors, label=_unit_name)
        bound_choices(self.fields["org_unit"], targets, label=_unit_name)


class InspectionEditForm(VersionedForm):
    starts_on = date_field(_("From"))
    ends_on = date_field(_("Until"))
    findings = forms.CharField(label=_("Findings"), max_length=svc.FINDINGS_MAX, required=False,
                               widget=forms.Textarea(attrs={"rows": 6}))
    conclusion = forms.CharField(label=_("Conclusion"), max_length=svc.CONCLUSION_MAX, required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}))


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Action required"), max_length=svc.ACTION_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))
    owner_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit responsible"), queryset=None)
    due_on = date_field(_("Due on"))

    def __init__(self, *args: Any, owners: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_choices(self.fields["owner_unit"], owners, label=_unit_name)


class ActionCompleteForm(VersionedForm):
    done_on = date_field(_("Done on"))
    result = forms.CharField(label=_("Result"), max_length=svc.RESULT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
