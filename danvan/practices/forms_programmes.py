"""Programme forms: they check the shape of input; ``programmes`` checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from danvan.plans.models import Plan
from danvan.surveys.models import Survey

from . import programmes as svc
from .models import ProgrammeStatus

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
CHOICES_MAX = 300


def date_field(label: Any, **kw: Any) -> forms.DateField:
    return forms.DateField(label=label, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"), **kw)


def bound_choices(field: Any, qs: QuerySet, label: Any = str, empty: Any = None) -> None:
    """Show at most ``CHOICES_MAX`` rows (the field still validates against the whole queryset)."""
    field.queryset = qs
    choices: list[tuple[Any, str]] = [("", str(empty))] if empty is not None else []
    choices += [(row.pk, label(row)) for row in qs[:CHOICES_MAX]]
    field.widget.choices = choices


class ProgrammeForm(forms.Form):
    org_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=svc.NAME_MAX)
    starts_on = date_field(_("Starts on"))
    ends_on = date_field(_("Ends on"))
    description = forms.CharField(label=_("Purpose and requirements"), required=False,
                                  max_length=svc.DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 5}))
    plan: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.none(), required=False,
        help_text=_("The plan of this unit or of a unit above it that the programme carries out."))
    survey: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Satisfaction survey"), queryset=Survey.objects.none(), required=False,
        help_text=_("The survey of citizens' satisfaction that measures the programme."))
    status = forms.ChoiceField(label=_("Status"), choices=[(ProgrammeStatus.DRAFT, ProgrammeStatus.DRAFT.label),
                                                           (ProgrammeStatus.RUNNING, ProgrammeStatus.RUNNING.label)])
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, units: QuerySet | None = None, plans: QuerySet, surveys: QuerySet,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None:  # editing: the unit does not change
            del self.fields["org_unit"]
        else:
            bound_choices(self.fields["org_unit"], units, label=lambda u: u.name)
            del self.fields["expected_version"]
            del self.fields["status"]
        bound_choices(self.fields["plan"], plans, label=lambda p: f"{p.title} ({p.year})", empty="—")
        bound_choices(self.fields["survey"], surveys, label=lambda s: s.title, empty="—")

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("org_unit", "expected_version"):
            data.pop(name, None)
        return data


class ProgrammeFilterForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")),
                                                                           *ProgrammeStatus.choices])
    late = forms.BooleanField(label=_("Only with late steps"), required=False)

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_choices(self.fields["unit"], units, label=lambda u: u.name, empty=_("All my units"))


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=svc.PERSON_MAX)
    position = forms.CharField(label=_("Position"), max_length=svc.POSITION_MAX, required=False)
    role = forms.CharField(label=_("Role in the board"), max_length=svc.ROLE_MAX, required=False,
                           help_text=_("E.g. head, deputy head, member."))
    duties = forms.CharField(label=_("Duties"), max_length=svc.DUTIES_MAX, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class StepForm(forms.Form):
    title = forms.CharField(label=_("Step"), max_length=svc.STEP_TITLE_MAX)
    starts_on = date_field(_("From"), required=False, help_text=_("Empty for a step done on one date."))
    ends_on = date_field(_("By"))
    owner = forms.CharField(label=_("Who does it"), max_length=svc.OWNER_MAX, required=False)
    order = forms.IntegerField(label=_("Position"), min_value=0, max_value=svc.ORDER_MAX, required=False,
                               help_text=_("Empty: after the last step."))


class StepCompleteForm(forms.Form):
    done_on = date_field(_("Done on"))
    note = forms.CharField(label=_("Result"), max_length=svc.NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=svc.CRITERION_MAX)


MET_CHOICES = [("", _("Not assessed yet")), ("yes", _("Met")), ("no", _("Not met"))]


class AssessForm(forms.Form):
    met = forms.TypedChoiceField(label=_("Assessment"), choices=MET_CHOICES, required=False, empty_value=None,
                                 coerce=lambda v: {"yes": True, "no": False}.get(v))
    evidence = forms.CharField(label=_("Evidence"), max_length=svc.EVIDENCE_MAX, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))


class EvaluateForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    evaluated_on = date_field(_("Evaluated on"))
    final_evaluation = forms.CharField(label=_("Final evaluation and lessons"), max_length=svc.EVALUATION_MAX,
                                       widget=forms.Textarea(attrs={"rows": 6}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=svc.REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}))
