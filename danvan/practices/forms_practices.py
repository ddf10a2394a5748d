"""Forms of the practices registry: they check the shape of input; the services check the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from danvan.core import uploads

from . import attachments, commendations, evaluation, services
from .models import Criterion, Level, PracticeField, PracticeStatus, RegisteredBy, UpdateKind

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
UNIT_CHOICES_MAX = 300
YEAR_ATTRS = {"inputmode": "numeric"}


def date_field(label: Any, **kw: Any) -> forms.DateField:
    return forms.DateField(label=label, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"), **kw)


def bound_unit_choices(field: Any, units: QuerySet, empty: Any = None) -> None:
    """Show at most ``UNIT_CHOICES_MAX`` units (the field still validates against the whole queryset)."""
    field.queryset = units
    choices: list[tuple[Any, str]] = [("", str(empty))] if empty is not None else []
    choices += [(u.pk, u.name) for u in units.select_related(None).only("pk", "name", "path")[:UNIT_CHOICES_MAX]]
    field.widget.choices = choices


class TargetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.plan.year} · {obj.plan.title[:80]} — {obj.text[:120]}"


class PracticeForm(forms.Form):
    org_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=services.YEAR_MIN, max_value=2100,
                              widget=forms.NumberInput(attrs=YEAR_ATTRS))
    name = forms.CharField(label=_("Name of the practice"), max_length=services.NAME_MAX)
    field: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Field"), queryset=PracticeField.objects.filter(is_active=True))
    registered_by = forms.ChoiceField(label=_("Registered by"), choices=RegisteredBy.choices,
                                      initial=RegisteredBy.COLLECTIVE, widget=forms.RadioSelect)
    person_name = forms.CharField(label=_("Name of the person"), max_length=services.PERSON_MAX, required=False,
                                  help_text=_("For a practice registered by an individual."))
    place = forms.CharField(label=_("Place"), max_length=services.PLACE_MAX, required=False)
    goals = forms.CharField(label=_("Goals"), max_length=services.GOALS_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    starts_on = date_field(_("Starts on"))
    ends_on = date_field(_("Ends on"), required=False)
    responsible_person = forms.CharField(label=_("Person responsible"), max_length=services.PERSON_MAX)
    target: forms.ModelChoiceField = TargetChoiceField(label=_("Plan target served"), queryset=None,
                                                       required=False, empty_label=_("None"))
    ethnic_remote = forms.BooleanField(label=_("In an ethnic-minority or remote area"), required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, units: QuerySet | None = None, targets: QuerySet | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None:  # editing: the unit and the year do not change
            del self.fields["org_unit"]
            del self.fields["year"]
        else:
            bound_unit_choices(self.fields["org_unit"], units)
            del self.fields["expected_version"]
        from danvan.plans.models import Target

        target_field = self.fields["target"]
        target_field.queryset = (targets if targets is not None  # type: ignore[attr-defined]
                                 else Target.objects.filter(plan__deleted_at__isnull=True).select_related("plan"))

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("org_unit", "year", "expected_version"):
            data.pop(name, None)
        return data


class PracticeFilterForm(forms.Form):
    SCOPES = [("", _("My units")), ("recognised", _("Recognised practices everywhere"))]

    scope = forms.ChoiceField(label=_("Show"), choices=SCOPES, required=False)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=services.YEAR_MIN, max_value=2100)
    field: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Field"), queryset=PracticeField.objects.all(),
                                                           required=False, empty_label=_("Any field"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *PracticeStatus.choices])
    level = forms.ChoiceField(label=_("Recognised at"), required=False,
                              choices=[("", _("Any")), ("none", _("Not recognised")), *Level.choices])
    ethnic_remote = forms.ChoiceField(label=_("Ethnic-minority or remote area"), required=False,
                                      choices=[("", _("Any")), ("yes", _("Yes")), ("no", _("No"))])

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_unit_choices(self.fields["unit"], units, empty=_("All my units"))


class UpdateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=UpdateKind.choices, initial=UpdateKind.PROGRESS)
    on = date_field(_("Date"))
    text = forms.CharField(label=_("What was done and its results"), max_length=services.UPDATE_MAX,
                           widget=forms.Textarea(attrs={"rows": 6}))
    file = forms.FileField(label=_("Evidence (photo or file)"), required=False,
                           help_text=_("PDF, JPEG, PNG, DOCX, XLSX or ODT. More files can be added afterwards."))


class StopForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(label=_("Why stop it"), max_length=services.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Why delete it"), max_length=services.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))


class EvaluationForm(forms.Form):
    """The council, the day, one score per criterion of the chosen set (``score_<id>``), a level and remarks."""

    council_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Council of"), queryset=None)
    evaluated_on = date_field(_("Evaluated on"))
    level = forms.ChoiceField(label=_("Recognition level"), required=False,
                              choices=[("", _("Not recognised")), *Level.choices],
                              help_text=_("Only when the total reaches the score needed."))
    notes = forms.CharField(label=_("Council's remarks"), max_length=evaluation.NOTES_MAX, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, councils: QuerySet, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_unit_choices(self.fields["council_unit"], councils)
        self.criteria = criteria
        for c in criteria:
            self.fields[evaluation.score_field(c)] = forms.DecimalField(
                label=f"{c.order}. {c.name}", max_digits=6, decimal_places=2,
                help_text=_("From 0 to %(max)s.") % {"max": evaluation._fmt(c.max_score)},
                widget=forms.NumberInput(attrs={"min": 0, "max": str(c.max_score), "step": "0.01"}))
        self.order_fields(["council_unit", "evaluated_on", *[evaluation.score_field(c) for c in criteria],
                           "level", "notes"])

    def scores(self) -> dict[int, Decimal]:
        return {c.pk: self.cleaned_data[evaluation.score_field(c)] for c in self.criteria}


class ReplicationForm(forms.Form):
    org_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Adopting unit"), queryset=None)
    adopted_on = date_field(_("Adopted on"))
    notes = forms.CharField(label=_("How it was adapted"), max_length=5000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_unit_choices(self.fields["org_unit"], units)


class CommendationForm(forms.Form):
    awarding_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Awarded by"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=services.YEAR_MIN, max_value=2100)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    recipient_kind = forms.ChoiceField(label=_("Recipient"), choices=RegisteredBy.choices, widget=forms.RadioSelect,
                                       initial=RegisteredBy.COLLECTIVE)
    recipient_name = forms.CharField(label=_("Name of the recipient"), max_length=commendations.RECIPIENT_MAX)
    org_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit of the recipient"), queryset=None)
    practice_id = forms.IntegerField(label=_("Number of the practice (optional)"), required=False, min_value=1,
                                     max_value=2**63 - 1, help_text=_("Shown on the practice's page."))
    form = forms.CharField(label=_("Form of commendation"), max_length=commendations.FORM_MAX, required=False)
    decision_ref = forms.CharField(label=_("Decision number"), max_length=commendations.DECISION_MAX, required=False)
    awarded_on = date_field(_("Awarded on"))

    def __init__(self, *args: Any, awarding: QuerySet, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_unit_choices(self.fields["awarding_unit"], awarding)
        bound_unit_choices(self.fields["org_unit"], units)


class CommendationFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=services.YEAR_MIN, max_value=2100)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("Any")), *Level.choices])
    recipient_kind = forms.ChoiceField(label=_("Recipient"), required=False,
                                       choices=[("", _("Any")), *RegisteredBy.choices])


class CriteriaSetForm(forms.Form):
    owner: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Province"), queryset=None, required=False)
    name = forms.CharField(label=_("Name of the set"), max_length=evaluation.SET_NAME_MAX)
    pass_score = forms.DecimalField(label=_("Score to be recognised"), max_digits=6, decimal_places=2, min_value=0)
    criteria = forms.CharField(
        label=_("Criteria"), widget=forms.Textarea(attrs={"rows": 10}), max_length=20000,
        help_text=_("One a line: the criterion, a bar, its maximum score (e.g. “Supported by the people | 15”)."))

    def __init__(self, *args: Any, owners: QuerySet, national: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_unit_choices(self.fields["owner"], owners, empty=_("National default") if national else None)
        self.fields["owner"].required = not national


class RegistrationForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=services.YEAR_MIN, max_value=2100)
    target: forms.ModelChoiceField = TargetChoiceField(label=_("Plan target"), queryset=None, required=False,
                                                       empty_label=_("None"))

    def __init__(self, *args: Any, units: QuerySet, targets: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_unit_choices(self.fields["unit"], units)
        self.fields["target"].queryset = targets  # type: ignore[attr-defined]


class AttachmentAddForm(forms.Form):
    owner_type = forms.ChoiceField(choices=[(k, k) for k in attachments.OWNERS])
    owner_id = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    file = forms.FileField(label=_("File"))
    next = forms.CharField(required=False, max_length=500)


class AttachmentRemoveForm(forms.Form):
    reason = forms.CharField(label=_("Why remove it"), max_length=uploads.REASON_MAX)
    next = forms.CharField(required=False, max_length=500)
