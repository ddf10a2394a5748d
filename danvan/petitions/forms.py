"""The deadline calculator's form: it checks the shape of input; the engine checks the law."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RuleKind

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
KIND_CHOICES = [(k.value, k.label) for k in (
    RuleKind.COMPLAINT, RuleKind.DENUNCIATION, RuleKind.RECOMMENDATION, RuleKind.FEEDBACK
)]


class DeadlineForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of petition"), choices=KIND_CHOICES)
    received = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs=DATE_ATTRS))
    accepted = forms.DateField(
        label=_("Accepted on"), required=False, widget=forms.DateInput(attrs=DATE_ATTRS),
        help_text=_("Leave empty if not accepted yet; the resolution deadline needs it."),
    )
    round = forms.TypedChoiceField(
        label=_("Round"), coerce=int, initial=1, choices=[(1, _("First")), (2, _("Second (complaints only)"))],
    )
    complex = forms.BooleanField(
        label=_("Complex case (for a denunciation: verification at several places)"), required=False,
    )
    remote = forms.BooleanField(label=_("Remote or hard-to-reach area"), required=False)
    extensions = forms.IntegerField(
        label=_("Extensions decided"), min_value=0, max_value=9, initial=0, required=False,
        help_text=_("Denunciations only: each extension adds up to 30 days."),
    )
