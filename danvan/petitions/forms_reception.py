"""Forms of the reception pages: they check the shape of input; ``reception`` checks the law."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of

from . import reception
from .models import PetitionField, PetitionKind, ReceptionMode, RefusalGround, VisitHandling

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
TIME_ATTRS = {"placeholder": "hh:mm", "inputmode": "numeric", "autocomplete": "off"}


def units_for(user: Any, roles: frozenset[str] | set[str] | None = None) -> QuerySet[OrgUnit]:
    """Units the user may pick: those in their subtrees (for the roles), at most a province's units for an
    official; a superuser without memberships picks among the top units (any unit opens by its id in the address)."""
    scope = scope_of(user)
    qs = OrgUnit.objects.current()
    if scope.is_superuser and not scope.grants:
        return qs.filter(parent__isnull=True).order_by("path")
    return qs.visible_to(user, roles=roles).order_by("path")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class SessionForm(forms.Form):
    org_unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE_ATTRS))
    starts_at = forms.TimeField(label=_("From"), required=False, widget=forms.TimeInput(attrs=TIME_ATTRS))
    ends_at = forms.TimeField(label=_("Until"), required=False, widget=forms.TimeInput(attrs=TIME_ATTRS))
    by_head = forms.BooleanField(label=_("Received by the head"), required=False,
                                 help_text=_("Counts towards the head's reception days the law requires."))
    host_name = forms.CharField(label=_("Received by"), max_length=reception.HOST_MAX)
    host_title = forms.CharField(label=_("Title"), max_length=reception.TITLE_MAX, required=False)
    mode = forms.ChoiceField(label=_("Form"), choices=ReceptionMode.choices)
    location = forms.CharField(label=_("Place"), max_length=reception.LOCATION_MAX, required=False)
    online_link = forms.CharField(label=_("Online link"), max_length=reception.LINK_MAX, required=False)
    published = forms.BooleanField(label=_("Publish on the public site"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), max_length=reception.NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=reception.CANCEL_REASON_MAX)
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class VisitForm(forms.Form):
    org_unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    visited_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE_ATTRS))
    visitor_name = forms.CharField(label=_("Full name"), max_length=reception.NAME_MAX, required=False)
    visitor_address = forms.CharField(label=_("Address"), max_length=reception.ADDRESS_MAX, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=reception.ID_MAX, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "---------"), *PetitionKind.choices],
                             help_text=_("For a denunciation, the visitor's name, address and ID are kept encrypted."))
    summary = forms.CharField(label=_("Summary of content"), max_length=reception.SUMMARY_MAX,
                              widget=forms.Textarea(attrs={"rows": 4}))
    people_count = forms.IntegerField(label=_("People with the same content"), min_value=1, max_value=32767, initial=1,
                                      help_text=_("5 or more is a mass delegation."))
    prior_bodies = forms.CharField(label=_("Bodies that already handled it"), max_length=reception.PRIOR_MAX,
                                   required=False)
    has_written_petition = forms.BooleanField(label=_("Brought a written petition"), required=False, initial=True)
    content_signed = forms.BooleanField(label=_("Content recorded and signed by the citizen"), required=False)
    handling = forms.ChoiceField(label=_("Handling"), choices=[("", "---------"), *VisitHandling.choices],
                                 required=False)
    forwarded_to_name = forms.CharField(label=_("Forwarded to"), max_length=reception.FORWARD_TO_MAX, required=False)
    forward_document_number = forms.CharField(label=_("Forwarding document number"),
                                              max_length=reception.DOC_NUMBER_MAX, required=False)
    refusal_ground = forms.ChoiceField(label=_("Ground for refusal"), choices=[("", "---------"), *RefusalGround.choices],
                                       required=False)
    refusal_reason = forms.CharField(label=_("Reason explained"), max_length=reception.REFUSAL_REASON_MAX,
                                     required=False, widget=forms.Textarea(attrs={"rows": 2}))
    create_petition = forms.BooleanField(label=_("Create a petition in one step"), required=False,
                                         help_text=_("The petition is received with this visit; handling is "
                                                     "'petition received for handling'."))
    petition_content = forms.CharField(label=_("Petition content"), max_length=50_000, required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    petition_field = forms.ModelChoiceField(label=_("Field"), queryset=PetitionField.objects.filter(active=True),
                                            required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=reception.KEY_MAX, required=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(label=_("Follow-up of the result"), max_length=reception.FOLLOW_UP_MAX,
                                required=False, widget=forms.Textarea(attrs={"rows": 3}))
    lock_version = forms.IntegerField(widget=forms.HiddenInput)
