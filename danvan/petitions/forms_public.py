"""Public forms (no login): online filing and tracking. They check shape; ``public`` checks the rules.

Both carry ALTCHA proof-of-work (``danvan.portal.altcha``): each post costs a robot real work.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from danvan.orgs.models import OrgUnit
from danvan.portal.altcha import AltchaField

from .models import PetitionKind
from .public import CONTACT_MAX

KIND_CHOICES = [(k.value, k.label) for k in (PetitionKind.RECOMMENDATION, PetitionKind.FEEDBACK)]
UNIT_CHOICES_MAX = 50


class UnitSearchForm(forms.Form):
    q = forms.CharField(label=_("Find a unit (province, commune, ward)"), max_length=100, required=False)


def search_units(text: str) -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.current().order_by("path")
    return qs.search(text)[:UNIT_CHOICES_MAX] if text.strip() else qs.filter(parent__isnull=True)[:UNIT_CHOICES_MAX]


class SubmitForm(forms.Form):
    org_unit = forms.ModelChoiceField(label=_("Send to"), queryset=OrgUnit.objects.current(),
                                      empty_label=_("Choose a unit"))
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    summary = forms.CharField(label=_("Summary"), max_length=500)
    content = forms.CharField(label=_("Content"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 8}))
    name = forms.CharField(label=_("Your full name"), max_length=200)
    address = forms.CharField(label=_("Your address"), max_length=300, required=False)
    contact = forms.CharField(label=_("Phone or e-mail to reply to"), max_length=CONTACT_MAX, required=False)
    consent = forms.BooleanField(
        label=_("I agree that the unit processes the personal data I give here to handle and answer my "
                "petition (Law 91/2025 on personal data protection)."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # A field people never see (hidden by CSS, skipped by screen readers): robots fill it.
    website = forms.CharField(label=_("Leave this field empty"), required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    altcha = AltchaField()

    def __init__(self, *args: Any, units: Iterable[OrgUnit] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", secrets.token_urlsafe(16))
        super().__init__(*args, **kwargs)
        if units is not None:
            field = self.fields["org_unit"]
            field.widget.choices = [("", field.empty_label), *((u.pk, u.name) for u in units)]  # type: ignore[attr-defined]

    def visible_main_fields(self) -> list[Any]:
        return [self[n] for n in ("org_unit", "kind", "summary", "content", "name", "address", "contact", "consent")]


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)
    secret = forms.CharField(label=_("Secret"), max_length=64, widget=forms.PasswordInput(render_value=False))
    altcha = AltchaField()

    def visible_main_fields(self) -> list[Any]:
        """All but the ALTCHA check, which the page renders with ``{% include "portal/_altcha.html" %}``."""
        return [self["code"], self["secret"]]


class ScheduleFilterForm(forms.Form):
    q = forms.CharField(label=_("Province, commune or ward"), max_length=100, required=False)
