"""People's boards forms: they check the shape of input; ``danvan.disclosures.boards`` checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from . import boards
from .models import BoardKind, MemberPosition, WorkPlanPeriod

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def date_field(label: Any, **kw: Any) -> forms.DateField:
    return forms.DateField(label=label, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"), **kw)


class VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class BoardFilterForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False,
                                                          empty_label=_("All my units"))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *BoardKind.choices])

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class BoardFields(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BoardKind.choices)
    name = forms.CharField(label=_("Name"), max_length=boards.NAME_MAX)
    term_starts_on = date_field(_("Term starts on"))
    term_ends_on = date_field(_("Term ends on"))
    project = forms.CharField(label=_("Project supervised"), max_length=boards.PROJECT_MAX, required=False,
                              help_text=_("Required for a community investment supervision board."))
    project_investor = forms.CharField(label=_("Investor"), max_length=boards.PROJECT_MAX, required=False)


class BoardForm(BoardFields):
    org_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    field_order = ["org_unit", "kind", "name", "term_starts_on", "term_ends_on", "project", "project_investor"]

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]


class BoardEditForm(BoardFields, VersionedForm):
    pass


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Why remove it"), max_length=boards.REASON_MAX)


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=boards.PERSON_MAX)
    position = forms.ChoiceField(label=_("Position"), choices=MemberPosition.choices, initial=MemberPosition.MEMBER)
    joined_on = date_field(_("Joined on"))
    village: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Village"), queryset=None, required=False)
    username = forms.CharField(
        label=_("User account (if any)"), max_length=150, required=False,
        help_text=_("The member's login name, if he or she has one: used to check that the member is not an "
                    "official of the commune."))

    def __init__(self, *args: Any, villages: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]

    def clean_username(self) -> Any:
        from django.contrib.auth import get_user_model

        name = self.cleaned_data["username"].strip()
        if not name:
            return None
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise forms.ValidationError(_("No user has this login name."))
        return user


class EndMemberForm(forms.Form):
    left_on = date_field(_("Left on"))


class WorkPlanForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=WorkPlanPeriod.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=4, initial=1,
                                help_text=_("Quarter 1–4, half-year 1–2, 1 for the year."))
    content = forms.CharField(label=_("Content"), max_length=boards.CONTENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 4}))
    approved_on = date_field(_("Approved on"), required=False)


class FindingForm(forms.Form):
    found_on = date_field(_("Date"))
    subject = forms.CharField(label=_("Subject"), max_length=boards.SUBJECT_MAX)
    findings = forms.CharField(label=_("Findings"), max_length=boards.FINDINGS_MAX,
                               widget=forms.Textarea(attrs={"rows": 6}))
    recommendations = forms.CharField(label=_("Recommendations"), max_length=boards.RECOMMENDATIONS_MAX,
                                      required=False, widget=forms.Textarea(attrs={"rows": 4}))
    recommends_suspension = forms.BooleanField(label=_("Recommends suspending the project"), required=False)
    addressed_to: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Addressed to"), queryset=None)
    response_due_on = date_field(_("Response due on"), required=False)

    def __init__(self, *args: Any, units: QuerySet, investment: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["addressed_to"].queryset = units  # type: ignore[attr-defined]
        if not investment:
            del self.fields["recommends_suspension"]


class RespondForm(VersionedForm):
    response = forms.CharField(label=_("Response"), max_length=boards.RESPONSE_MAX,
                               widget=forms.Textarea(attrs={"rows": 5}))
    responded_on = date_field(_("Responded on"))
    late_reason = forms.CharField(label=_("Reason for the late response"), max_length=boards.LATE_REASON_MAX,
                                  required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("Required when the response is after its deadline."))
