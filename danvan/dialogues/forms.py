"""Dialogue forms: they check the shape of input; ``danvan.dialogues.services`` checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Dialogue, DialogueKind, DialogueStatus

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
YEAR_MIN, YEAR_MAX = 2000, 2100


def date_field(label: Any, **kw: Any) -> forms.DateField:
    return forms.DateField(label=label, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"), **kw)


def dialogue_label(d: Dialogue) -> str:
    return f"{d.held_on:%d/%m/%Y} · {d.title}"


class DialogueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return dialogue_label(obj)


class VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DialogueFilterForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False,
                                                          empty_label=_("All my units"))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *DialogueKind.choices])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *DialogueStatus.choices])

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class DialogueFields(forms.Form):
    """The fields a dialogue has whether it is being created or edited."""

    kind = forms.ChoiceField(label=_("Kind"), choices=DialogueKind.choices)
    title = forms.CharField(label=_("Title"), max_length=255)
    held_on = date_field(_("Date"))
    starts_at = forms.TimeField(label=_("Time"), required=False, input_formats=TIME_FORMATS,
                                widget=forms.TimeInput(attrs={"placeholder": "hh:mm"}, format="%H:%M"))
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    chaired_by = forms.CharField(label=_("Chaired by"), max_length=255, required=False,
                                 help_text=_("Name and position of who chaired it."))
    participants = forms.IntegerField(label=_("Participants"), required=False, min_value=0, max_value=1_000_000,
                                      help_text=_("How many people took part (once it is held)."))
    participant_groups = forms.CharField(label=_("Who took part"), max_length=500, required=False)
    topics = forms.CharField(label=_("Topics"), required=False, max_length=10000,
                             widget=forms.Textarea(attrs={"rows": 4}))
    minutes = forms.CharField(label=_("Minutes"), required=False, max_length=50000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    is_public = forms.BooleanField(label=_("Shown on the public portal"), required=False, initial=True)
    previous = DialogueChoiceField(label=_("Previous dialogue"), queryset=None, required=False,
                                   empty_label=_("None"),
                                   help_text=_("Its commitments are reported back at this one."))


class DialogueForm(DialogueFields):
    org_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None)

    field_order = ["org_unit", "kind", "title", "held_on", "starts_at", "place", "chaired_by", "participants",
                   "participant_groups", "topics", "minutes", "is_public", "previous"]

    def __init__(self, *args: Any, units: QuerySet, previous: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["previous"].queryset = previous  # type: ignore[attr-defined]


class DialogueEditForm(VersionedForm, DialogueFields):
    def __init__(self, *args: Any, previous: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["previous"].queryset = previous  # type: ignore[attr-defined]


class HeldForm(VersionedForm):
    prefix = "held"  # several forms share the dialogue's page: their field ids must not clash
    participants = forms.IntegerField(label=_("Participants"), min_value=0, max_value=1_000_000)
    minutes = forms.CharField(label=_("Minutes"), required=False, max_length=50000,
                              widget=forms.Textarea(attrs={"rows": 6}))


class CancelForm(VersionedForm):
    prefix = "cancel"
    reason = forms.CharField(label=_("Why it was cancelled"), max_length=500)


class DeleteForm(forms.Form):
    prefix = "delete"
    reason = forms.CharField(label=_("Why remove it"), max_length=500)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
