"""Forms of the unit and membership pages: they check the shape of input; services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import OrgKind, OrgUnit
from .roles import Role

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
CHOICE_LIMIT = 1000


class UnitChoiceField(forms.ModelChoiceField):
    """Units indented by depth, so that a long list still reads as a tree."""

    def label_from_instance(self, obj: Any) -> str:
        indent = "\u00a0\u00a0" * max(0, obj.depth)
        return f"{indent}{obj.name}" + (f" ({obj.code})" if obj.code else "")


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name + (f" ({obj.code})" if obj.code else "")


class UnitCreateForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Kind"), queryset=OrgKind.objects.none(), empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=255)
    code = forms.CharField(
        label=_("Code"), max_length=32, required=False,
        help_text=_("Optional. Must be unique among current units; used by imports to name the parent unit."),
    )
    division_type = forms.CharField(
        label=_("Type"), max_length=50, required=False, help_text=_("E.g. thôn, tổ dân phố, phòng, ban.")
    )
    valid_from = forms.DateField(
        label=_("Valid from"), required=False, help_text=_("dd/mm/yyyy"), widget=forms.DateInput(attrs=DATE_ATTRS)
    )

    def __init__(self, *args: Any, superuser: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = OrgKind.objects.all() if superuser else OrgKind.objects.filter(is_administrative=False)
        self.fields["kind"].queryset = kinds  # type: ignore[attr-defined]


class UnitEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    code = forms.CharField(label=_("Code"), max_length=32, required=False)
    division_type = forms.CharField(label=_("Type"), max_length=50, required=False)
    valid_from = forms.DateField(
        label=_("Valid from"), required=False, help_text=_("dd/mm/yyyy"), widget=forms.DateInput(attrs=DATE_ATTRS)
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    version = forms.CharField(widget=forms.HiddenInput)

    OFFICIAL_FIELDS = ("name", "code", "division_type")

    def __init__(self, *args: Any, official: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if official:
            for f in self.OFFICIAL_FIELDS:
                self.fields[f].disabled = True
                self.fields[f].help_text = _("From the official list; only a system administrator changes it.")

    def changes(self) -> dict[str, Any]:
        return {f: v for f, v in self.cleaned_data.items() if f != "version" and not self.fields[f].disabled}


class UnitMoveForm(forms.Form):
    new_parent = UnitChoiceField(label=_("New parent unit"), queryset=OrgUnit.objects.none(), empty_label=None)

    def __init__(self, *args: Any, choices: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = choices  # type: ignore[attr-defined]


class UnitCloseForm(forms.Form):
    last_day = forms.DateField(
        label=_("Last day"), help_text=_("The last day the unit existed (dd/mm/yyyy)."),
        widget=forms.DateInput(attrs=DATE_ATTRS),
    )
    successors = UnitMultipleChoiceField(
        label=_("Successor units"), queryset=OrgUnit.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The units that took over its duties, e.g. the commune it was merged into. Leave empty if abolished."),
    )
    note = forms.CharField(label=pgettext_lazy("unit closure", "Note"), max_length=255, required=False, help_text=_("E.g. the decision's number."))

    def __init__(self, *args: Any, choices: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successors"].queryset = choices  # type: ignore[attr-defined]


class GrantRoleForm(forms.Form):
    user = forms.CharField(
        label=_("Username or e-mail"), max_length=254,
        help_text=_("The account must already exist; otherwise create it below."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_user(self) -> Any:
        from danvan.accounts.models import User

        text = self.cleaned_data["user"].strip()
        matches = list(User.objects.filter(username__iexact=text, is_active=True)[:2])
        if not matches:
            matches = list(User.objects.filter(email__iexact=text, is_active=True)[:2])
        if not matches:
            raise forms.ValidationError(_("No active account has this username or e-mail."))
        if len(matches) > 1:
            raise forms.ValidationError(_("Several accounts use this e-mail; enter the username instead."))
        return matches[0]


class OfficialCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    password = forms.CharField(
        label=_("Temporary password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.OFFICER)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.contrib.auth.password_validation import password_validators_help_texts

        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = " ".join(
            [str(_("Give it to the official, who should change it at the first log-in.")), *password_validators_help_texts()]
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV UTF-8 or Excel .xlsx)"),
        help_text=_("Columns: parent unit code, kind, name, code, type, valid from (dd/mm/yyyy). "
                    "The first row holds the column titles."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv,"
                                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        limit = settings.DANVAN_IMPORT_MAX_BYTES
        if f.size > limit:
            raise forms.ValidationError(
                _("The file is too large; the limit is %(mb).1f MB.") % {"mb": limit / 1024 / 1024}
            )
        return f
