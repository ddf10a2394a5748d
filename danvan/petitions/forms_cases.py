"""Forms of the officials' case pages: they check the shape of input; ``services`` checks the law.

A denunciation's filer is typed into the ``identity_*`` fields, which are handed to the service as
the protected identity and never written back into a page other than the same form on an error
(the officer who typed them is the one who sees them again).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from danvan.orgs.models import OrgUnit

from . import workflow
from .identity import FIELDS as IDENTITY_FIELDS
from .models import Channel, Outcome, Petition, PetitionField, PetitionKind, PetitionStatus

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
NUMBER_RE = re.compile(r"^\s*(\d{1,9})\s*/\s*(\d{4})\s*$")
SEARCH_MAX = 200
# Identity keys typed on the intake form (the note is for the handlers, not for the front desk).
IDENTITY_KEYS = ("name", "address", "id_number", "phone", "email")
MANY_SIGNERS = 5


def parse_number(text: str) -> tuple[int, int] | None:
    """(number, year) from "12/2026", as petitions are cited; None for anything else."""
    m = NUMBER_RE.match(text or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


class DayField(forms.DateField):
    """A date as officials write it (dd/mm/yyyy); 31/02 is named as not a date."""

    default_error_messages = {
        "invalid": _("Enter a real calendar date as dd/mm/yyyy, e.g. 05/06/2026."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"))
        kwargs.setdefault("help_text", _("dd/mm/yyyy"))
        super().__init__(**kwargs)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


# --------------------------------------------------------------------------- work list filters

STATUS_OPEN = "open"
STATUS_ALL = "all"


class WorklistFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=SEARCH_MAX,
                        help_text=_("A number such as 12/2026, or words of the summary."))
    unit = UnitChoiceField(label=_("Unit"), required=False, queryset=OrgUnit.objects.none(),
                           empty_label=_("All my units"))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *PetitionKind.choices])
    field = forms.ModelChoiceField(label=_("Field"), required=False, queryset=PetitionField.objects.none(),
                                   empty_label=_("Any field"))
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[(STATUS_OPEN, _("Open")), (STATUS_ALL, _("All")), *PetitionStatus.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    prolonged = forms.BooleanField(label=_("Prolonged"), required=False)
    over_level = forms.BooleanField(label=_("Over-level"), required=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], fields: QuerySet[PetitionField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["field"].queryset = fields  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- intake


class IntakeForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    org_unit = UnitChoiceField(label=_("Receiving unit"), queryset=OrgUnit.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=PetitionKind.choices)
    channel = forms.ChoiceField(label=_("Received through"), choices=Channel.choices)
    received_on = DayField(label=_("Received on"))
    field = forms.ModelChoiceField(label=_("Field"), required=False, queryset=PetitionField.objects.none())
    summary = forms.CharField(label=_("Summary"), max_length=500,
                              widget=forms.TextInput(attrs={"autocomplete": "off"}))
    content = forms.CharField(label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    filer_name = forms.CharField(label=_("Filer's name"), required=False, max_length=200)
    filer_address = forms.CharField(label=_("Filer's address"), required=False, max_length=300)
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    identity_name = forms.CharField(label=_("Denouncer's name"), required=False, max_length=IDENTITY_FIELDS["name"])
    identity_address = forms.CharField(label=_("Denouncer's address"), required=False,
                                       max_length=IDENTITY_FIELDS["address"])
    identity_id_number = forms.CharField(label=_("Denouncer's ID number"), required=False,
                                         max_length=IDENTITY_FIELDS["id_number"])
    identity_phone = forms.CharField(label=_("Denouncer's phone"), required=False, max_length=IDENTITY_FIELDS["phone"])
    identity_email = forms.CharField(label=_("Denouncer's e-mail"), required=False, max_length=IDENTITY_FIELDS["email"])
    signers = forms.IntegerField(label=_("Number of signers"), min_value=1, max_value=32767, initial=1,
                                 help_text=_("5 or more: a petition with many signers."))
    forwarded_by = forms.CharField(label=_("Forwarded by"), required=False, max_length=255,
                                   help_text=_("Only for a petition forwarded by another body."))
    round = forms.TypedChoiceField(label=_("Round"), required=False, coerce=int, empty_value=None,
                                   choices=[("", _("Not a complaint")), (1, _("First")), (2, _("Second"))])
    first_round_number = forms.CharField(
        label=_("First-round complaint"), required=False, max_length=20,
        help_text=_("Its number, e.g. 12/2026 (second round only)."),
    )

    IDENTITY_FIELD_NAMES = tuple(f"identity_{k}" for k in IDENTITY_KEYS)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], fields: QuerySet[PetitionField], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["field"].queryset = fields  # type: ignore[attr-defined]
        for name in self.IDENTITY_FIELD_NAMES:
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def identity(self) -> dict[str, str] | None:
        """The protected identity typed for a denunciation (None for other kinds or when nothing was typed)."""
        if self.cleaned_data.get("kind") != PetitionKind.DENUNCIATION:
            return None
        out = {k: self.cleaned_data.get(f"identity_{k}") or "" for k in IDENTITY_KEYS}
        out = {k: v for k, v in out.items() if v.strip()}
        return out or None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") and data["kind"] != PetitionKind.DENUNCIATION:
            for name in self.IDENTITY_FIELD_NAMES:
                if (data.get(name) or "").strip():
                    self.add_error(name, _("Only a denunciation has a protected identity; "
                                           "enter the filer's name instead."))
        text = (data.get("first_round_number") or "").strip()
        if text and parse_number(text) is None:
            self.add_error("first_round_number", _("Enter the number as number/year, e.g. 12/2026."))
        return data

    # Service names that differ from the form's.
    RENAME = {**{f"identity.{k}": f"identity_{k}" for k in IDENTITY_KEYS},
              "identity": "identity_name", "first_round": "first_round_number"}


class DuplicateLinkForm(forms.Form):
    original_number = forms.CharField(label=_("Duplicate of petition number"), max_length=20,
                                      help_text=_("e.g. 12/2026"))

    def clean_original_number(self) -> str:
        text = self.cleaned_data["original_number"]
        if parse_number(text) is None:
            raise forms.ValidationError(_("Enter the number as number/year, e.g. 12/2026."))
        return str(text)


class HandlerForm(forms.Form):
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Officer"), queryset=None)  # type: ignore[arg-type]

    def __init__(self, *args: Any, users: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = users  # type: ignore[attr-defined]
        field.label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Why you need to see the identity"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))


# --------------------------------------------------------------------------- workflow actions

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _action_field(name: str, required: bool, petition: Petition, units: QuerySet[OrgUnit]) -> forms.Field:
    """The form field for one piece of data an action takes (see ``services._clean_action_data``)."""
    if name == "kind":
        return forms.ChoiceField(label=_("Kind"), choices=PetitionKind.choices, required=required,
                                 initial=petition.kind)
    if name == "field":
        return forms.ModelChoiceField(label=_("Field"), queryset=PetitionField.objects.filter(active=True),
                                      required=required, initial=petition.field_id)
    if name == "eligible":
        return forms.ChoiceField(label=_("Meets the conditions for handling"), choices=YES_NO, required=required,
                                 widget=forms.RadioSelect, initial="yes")
    if name == "competence":
        return forms.ChoiceField(label=_("Competence"), choices=workflow.Competence.choices, required=required,
                                 widget=forms.RadioSelect, initial=workflow.Competence.OWN)
    if name == "is_complex":
        return forms.BooleanField(label=_("Complex case"), required=False, initial=petition.is_complex)
    if name == "complex_criteria":
        return forms.MultipleChoiceField(label=_("Why it is complex"), choices=workflow.ComplexCriterion.choices,
                                         required=False, widget=forms.CheckboxSelectMultiple,
                                         initial=petition.complex_criteria)
    if name == "is_remote":
        return forms.BooleanField(label=_("Remote or hard-to-reach area"), required=False, initial=petition.is_remote)
    if name in ("accepted_on", "decision_on", "suspended_on", "resumed_on"):
        labels = {"accepted_on": _("Accepted on"), "decision_on": _("Decision date"),
                  "suspended_on": _("Suspended from"), "resumed_on": _("Resumed on")}
        return DayField(label=labels[name], required=required)
    if name == "to_unit":
        return UnitChoiceField(label=_("Forward to unit"), queryset=units, required=False,
                               empty_label=_("(another body, named below)"))
    if name == "to_name":
        return forms.CharField(label=_("Forward to body"), max_length=255, required=False)
    if name == "ground":
        return forms.ChoiceField(label=_("Ground"), choices=workflow.FilingGround.choices, required=required)
    if name == "decision_number":
        return forms.CharField(label=_("Decision or conclusion number"), max_length=50, required=required)
    if name == "outcome":
        return forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, required=required,
                                 widget=forms.RadioSelect)
    if name == "to":
        return forms.ChoiceField(label=_("Reopen as"), required=required,
                                 choices=[(s, PetitionStatus(s).label) for s in workflow.REOPEN_TARGETS])
    if name == "reason":
        return forms.CharField(label=_("Reason"), max_length=2000, required=required,
                               widget=forms.Textarea(attrs={"rows": 3}))
    raise KeyError(name)


class ActionForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, act: workflow.Action, petition: Petition, units: QuerySet[OrgUnit],
                 **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("expected_version", petition.lock_version)
        super().__init__(*args, **kwargs)
        self.act = act
        for name in act.fields:
            self.fields[name] = _action_field(name, name in act.required, petition, units)

    def service_data(self) -> dict[str, Any]:
        """The cleaned values as the service takes them: yes/no as booleans, empty optional values left out."""
        out: dict[str, Any] = {}
        for name in self.act.fields:
            value = self.cleaned_data.get(name)
            if name == "eligible":
                value = value == "yes" if value in ("yes", "no") else value
            elif name in ("is_complex", "is_remote"):
                value = bool(value)
            elif name == "complex_criteria":
                value = list(value or [])
            elif value in (None, "") and name not in self.act.required:
                continue
            out[name] = value
        return out
