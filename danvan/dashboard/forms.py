"""Forms of the dashboard: the period of the figures, and a league table's criteria and weights."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .league import NAME_MAX, REASON_MAX, SUGGESTED, WEIGHT_MAX


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), required=False)

    def __init__(self, data: Any = None, *, choices: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.fields["period"].choices = choices  # type: ignore[attr-defined]


class TrendForm(forms.Form):
    by = forms.ChoiceField(label=gettext_lazy("Periods"), required=False,
                           choices=[("quarter", gettext_lazy("Quarters")), ("year", gettext_lazy("Years"))])


def weight_field_name(key: str) -> str:
    return "w_" + key.replace(".", "__")


class LeagueTableForm(forms.Form):
    """Name, default flag and one weight per figure the dashboard knows: an unknown key cannot be entered."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=NAME_MAX)
    is_default = forms.BooleanField(label=gettext_lazy("Default table of the unit"), required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data: Any = None, *, defs: list[Any], initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, initial=initial)
        self.defs = defs
        for d in defs:
            self.fields[weight_field_name(d.key)] = forms.DecimalField(
                label=str(d.label), required=False, min_value=Decimal(0), max_value=WEIGHT_MAX, max_digits=7,
                decimal_places=2, help_text=_("Weight; empty or 0: not used."),
                widget=forms.NumberInput(attrs={"step": "any", "min": "0", "max": str(WEIGHT_MAX)}))

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[weight_field_name(d.key)] for d in self.defs]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weights = [data.get(weight_field_name(d.key)) for d in self.defs]
        if not any(self.errors.get(weight_field_name(d.key)) for d in self.defs) and not any(
                w is not None and w > 0 for w in weights):
            raise forms.ValidationError(_("Give a weight above 0 to at least one figure."))
        return data

    def criteria(self) -> list[dict[str, Any]]:
        out = []
        for d in self.defs:
            w = self.cleaned_data.get(weight_field_name(d.key))
            if w is not None and w > 0:
                out.append({"key": d.key, "weight": float(w)})
        return out

    @staticmethod
    def initial_for(table: Any | None, defs: list[Any]) -> dict[str, Any]:
        if table is None:
            known = {d.key for d in defs}
            return {weight_field_name(k): 1 for k in SUGGESTED if k in known}
        out: dict[str, Any] = {"name": table.name, "is_default": table.is_default,
                               "expected_version": table.lock_version}
        for item in table.criteria if isinstance(table.criteria, list) else []:
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                out[weight_field_name(item["key"])] = item.get("weight")
        return out


class DeleteForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
