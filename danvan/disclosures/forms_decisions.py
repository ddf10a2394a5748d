"""Forms of the residents' decisions and consultations pages: they check the shape of input;
``decisions`` and ``consultations`` check the law's rules and say which field is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import consultations, decisions
from .models import ConsultationMatter, ConsultationStatus, DecisionForm, Matter

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def date_field(label: Any, **kw: Any) -> forms.DateField:
    return forms.DateField(label=label, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"), **kw)


def count_field(label: Any, **kw: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=decisions.HOUSEHOLDS_MAX,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}), **kw)


def _years() -> list[tuple[str, str]]:
    this = timezone.localdate().year
    return [("", str(_("Any year")))] + [(str(y), str(y)) for y in range(this, this - 10, -1)]


class UnitFilterForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False,
                                                          empty_label=_("All my units"))
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None, choices=())

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["year"].choices = _years()  # type: ignore[attr-defined]


class DecisionFilterForm(UnitFilterForm):
    matter = forms.ChoiceField(label=_("Matter"), required=False, choices=[("", _("Any matter")), *Matter.choices])
    result = forms.ChoiceField(label=_("Result"), required=False, choices=[
        ("", _("Any result")), ("passed", _("Passed")), ("failed", _("Not passed"))])
    sending = forms.ChoiceField(label=_("Sent to the commune"), required=False, choices=[
        ("", _("Any")), (decisions.SendState.OVERDUE, _("Not sent, overdue")),
        (decisions.SendState.PENDING, _("Not sent yet, still in time")),
        (decisions.SendState.SENT_LATE, _("Sent late")), (decisions.SendState.SENT, _("Sent in time"))])


class VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ResidentDecisionForm(forms.Form):
    """Create (with the unit) or edit (with the version) a decision."""

    org_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Village or unit"), queryset=None)
    matter = forms.ChoiceField(label=_("Matter"), choices=Matter.choices,
                               help_text=_("Contributions and community funds need two thirds of the households; "
                                           "the other matters more than half."))
    title = forms.CharField(label=_("Title"), max_length=decisions.TITLE_MAX)
    form = forms.ChoiceField(label=_("How residents decided"), choices=DecisionForm.choices)
    held_on = date_field(_("Meeting or vote held on"))
    decided_on = date_field(_("Result recorded on"),
                            help_text=_("For a ballot or an online vote: the day the vote ended."))
    households_total = count_field(_("Households in the village"))
    households_participating = count_field(_("Households taking part"))
    votes_for = count_field(_("Households for"))
    votes_against = count_field(_("Households against"))
    content = forms.CharField(label=_("Content decided"), required=False, max_length=decisions.CONTENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 5}))
    sent_to_commune_on = date_field(_("Sent to the commune on"), required=False,
                                    help_text=_("Leave empty if the result has not been sent yet."))
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, units: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["org_unit"]
        else:
            self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
            del self.fields["expected_version"]


class SentForm(VersionedForm):
    sent_on = date_field(_("Sent to the commune on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("sent_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Why remove it"), max_length=decisions.REASON_MAX)


class ConsultationFilterForm(UnitFilterForm):
    matter = forms.ChoiceField(label=_("Matter"), required=False,
                               choices=[("", _("Any matter")), *ConsultationMatter.choices])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *ConsultationStatus.choices])


class ConsultationEditForm(forms.Form):
    """Create (with the unit) or edit (with the version) a consultation; the opinions once it has closed."""

    org_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    matter = forms.ChoiceField(label=_("Matter"), choices=ConsultationMatter.choices)
    title = forms.CharField(label=_("Title"), max_length=consultations.TITLE_MAX)
    draft = forms.CharField(label=_("Draft or summary of the draft"), required=False,
                            max_length=consultations.DRAFT_MAX, widget=forms.Textarea(attrs={"rows": 8}),
                            help_text=_("Or attach the draft as a file on the consultation's page."))
    opens_on = date_field(_("Opinions from"))
    closes_on = date_field(_("Opinions until"))
    is_public = forms.BooleanField(label=_("Show on the public portal"), required=False, initial=True)
    opinions_received = count_field(_("Opinions received"), required=False)
    opinions_summary = forms.CharField(label=_("Summary of the opinions"), required=False,
                                       max_length=consultations.SUMMARY_MAX, widget=forms.Textarea(attrs={"rows": 5}))
    taken_into_account = forms.CharField(label=_("How the opinions were taken into account"), required=False,
                                         max_length=consultations.SUMMARY_MAX,
                                         widget=forms.Textarea(attrs={"rows": 5}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    # Named like the model's field; declared last because the name hides the ``forms`` module below it.
    forms = forms.MultipleChoiceField(label=_("How residents are asked"), required=False,
                                      choices=consultations.ConsultationMethod.choices,
                                      widget=forms.CheckboxSelectMultiple)
    field_order = ["org_unit", "matter", "title", "draft", "forms", "opens_on", "closes_on", "is_public"]

    def __init__(self, *args: Any, units: QuerySet | None = None, closed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["org_unit"]
        else:
            self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
            del self.fields["expected_version"]
        if not closed:
            for name in consultations.AFTER_CLOSING:
                del self.fields[name]

    def clean_opinions_received(self) -> int:
        value = self.cleaned_data.get("opinions_received")
        return 0 if value is None else value


class OpenForm(VersionedForm):
    pass


class CloseForm(VersionedForm):
    opinions_received = count_field(_("Opinions received"))
    opinions_summary = forms.CharField(label=_("Summary of the opinions"), required=False,
                                       max_length=consultations.SUMMARY_MAX, widget=forms.Textarea(attrs={"rows": 5}))


class PublishForm(VersionedForm):
    taken_into_account = forms.CharField(label=_("How the opinions were taken into account"),
                                         max_length=consultations.SUMMARY_MAX,
                                         widget=forms.Textarea(attrs={"rows": 6}))
    result_published_on = date_field(_("Result published on"), required=False,
                                     help_text=_("Today if left empty."))


def default_dates() -> dict[str, dt.date]:
    today = timezone.localdate()
    return {"opens_on": today, "closes_on": today + dt.timedelta(days=30)}
