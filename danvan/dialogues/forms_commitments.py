"""Commitment forms: shape of input only; ``danvan.dialogues.commitments`` checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .forms import VersionedForm, date_field
from .models import CommitmentStatus

# The states of ``queries.state``: the words and the badge colour each one is shown with.
STATE_LABELS: dict[str, Any] = {
    "done_on_time": _("Done on time"),
    "done_late": _("Done late"),
    "dropped": _("Cannot be done"),
    "overdue": _("Overdue"),
    "due_soon": _("Due within 7 days"),
    "on_track": _("On track"),
}
STATE_CHOICES = [("", _("Any state")), ("open", _("Not yet done (any)")), *STATE_LABELS.items()]


class CommitmentFields(forms.Form):
    text = forms.CharField(label=_("Commitment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("What was promised, as it was said."))
    owner_unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Owner unit"), queryset=None,
        error_messages={"required": _("A commitment needs an owner unit.")},
        help_text=_("The unit that must keep the promise."),
    )
    owner_person = forms.CharField(label=_("Person responsible"), max_length=200, required=False)
    due_on = date_field(_("Due on"))
    is_public = forms.BooleanField(label=_("Shown on the public portal"), required=False, initial=True)

    def __init__(self, *args: Any, owner_units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = owner_units  # type: ignore[attr-defined]


class CommitmentForm(CommitmentFields):
    pass


class CommitmentEditForm(VersionedForm, CommitmentFields):
    pass


class ProgressForm(VersionedForm):
    status = forms.ChoiceField(label=_("Status"), choices=CommitmentStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Required when it cannot be done: say why."))
    done_on = date_field(_("Done on"), required=False, help_text=_("Required when it is done."))
    evidence = forms.CharField(label=_("Result and evidence"), required=False, max_length=10000,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("Required when it is done: what was done, where to see it."))


class ReportBackForm(forms.Form):
    prefix = "report"
    commitment_ids = forms.TypedMultipleChoiceField(label=_("Commitments reported back"), coerce=int,
                                                    widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, commitments: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commitment_ids"].choices = [  # type: ignore[attr-defined]
            (c.pk, f"{c.number}. {c.text[:120]}") for c in commitments
        ]


class CommitmentFilterForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False,
                                                          empty_label=_("All my units"))
    side = forms.ChoiceField(label=_("The unit"), required=False, choices=[
        ("", _("made or owns the commitment")), ("host", _("made the commitment")),
        ("owner", _("owns the commitment")),
    ])
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_CHOICES)

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class DeleteCommitmentForm(forms.Form):
    reason = forms.CharField(label=_("Why remove it"), max_length=500)
