from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100, help_text=_("E.g. the name of the system that will use it."))
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, help_text=_("dd/mm/yyyy. Leave empty for a token that does not expire."),
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )
