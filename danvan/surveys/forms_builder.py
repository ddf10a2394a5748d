"""Forms of the survey builder: they check the shape of input; ``services`` checks the rules.

Each editing form carries the survey's ``lock_version`` as it was when the page was drawn
(``expected_version``), so the service can tell a stale form from a fresh one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from danvan.orgs.models import OrgUnit

from .models import Access, Aspect, ElementRule, Question, QuestionKind, Service, Subject, SurveyStatus

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
TEMPLATE_CHOICES = [("", _("Empty: I add the questions myself")),
                    ("sipas", _("The SIPAS satisfaction template (5 elements, 22 criteria)"))]
CHOICE_LINES_MAX = 20_000


class DayField(forms.DateField):
    """A date as officials write it (dd/mm/yyyy)."""

    default_error_messages = {"invalid": _("Enter a real calendar date as dd/mm/yyyy, e.g. 05/06/2026.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"))
        kwargs.setdefault("input_formats", ["%d/%m/%Y", "%Y-%m-%d"])
        kwargs.setdefault("help_text", _("dd/mm/yyyy"))
        super().__init__(**kwargs)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class LockedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


# --------------------------------------------------------------------------- list


class SurveyFilterForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), required=False, queryset=OrgUnit.objects.none(),
                           empty_label=_("All my units"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *SurveyStatus.choices])

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- survey settings


class SurveyForm(forms.Form):
    """New survey (with unit and template) or its settings (without them)."""

    org_unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=1000)
    description = forms.CharField(label=_("Introduction"), required=False, max_length=20_000,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("Shown to respondents above the questions."))
    subject = forms.ChoiceField(label=_("What is asked about"), choices=Subject.choices, initial=Subject.UNIT)
    access = forms.ChoiceField(label=_("Who may answer"), choices=Access.choices, initial=Access.LINK,
                               widget=forms.RadioSelect)
    service = forms.ModelChoiceField(label=_("Fixed service"), required=False,
                                     queryset=Service.objects.filter(is_active=True),
                                     empty_label=_("None: the respondent chooses"))
    opens_on = DayField(label=_("Opens on"), required=False)
    closes_on = DayField(label=_("Closes on"), required=False)
    template = forms.ChoiceField(label=_("Start from"), choices=TEMPLATE_CHOICES, required=False,
                                 widget=forms.RadioSelect, initial="sipas")

    def __init__(self, *args: Any, units: QuerySet[OrgUnit] | None = None, new: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if new:
            self.fields["org_unit"].queryset = units if units is not None else OrgUnit.objects.none()  # type: ignore[attr-defined]
        else:
            del self.fields["org_unit"]
            del self.fields["template"]
            self.fields["expected_version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("expected_version", None)
        return data


# --------------------------------------------------------------------------- version


class IndexRuleForm(LockedForm):
    satisfied_threshold = forms.IntegerField(
        label=_("Satisfied from"),
        help_text=_("Answer on the 1–5 scale from which a respondent counts as satisfied (4 = satisfied)."))
    element_rule = forms.ChoiceField(label=_("Element rule"), choices=ElementRule.choices)


class SectionForm(LockedForm):
    title = forms.CharField(label=_("Section title"), max_length=1000)
    element_key = forms.CharField(
        label=_("Index element"), required=False, max_length=200,
        help_text=_("A short code (e.g. access) if this section is an element of the satisfaction index; "
                    "empty otherwise. At most 16 elements."))
    weight = forms.DecimalField(label=_("Weight in the overall index"), required=False, initial=1, localize=True,
                                help_text=_("Used only when the overall index is weighted."))


def choices_to_text(choices: list[Any]) -> str:
    """The choices as the form shows them: one per line, ``code = label`` so codes survive edits."""
    lines = []
    for c in choices or []:
        if isinstance(c, dict):
            lines.append(f"{c.get('value', '')} = {c.get('label', '')}")
        else:
            lines.append(str(c))
    return "\n".join(lines)


def text_to_choices(text: str) -> list[Any]:
    out: list[Any] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        code, sep, label = line.partition("=")
        if sep and code.strip() and " " not in code.strip():
            out.append({"value": code.strip().lower(), "label": label.strip()})
        else:
            out.append(line)
    return out


class QuestionForm(LockedForm):
    text = forms.CharField(label=_("Question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    aspect = forms.ChoiceField(
        label=_("Aspect"), choices=Aspect.choices, required=False,
        help_text=_("Only satisfaction questions on the 1–5 scale in an index section count in the index."))
    choices = forms.CharField(
        label=_("Choices"), required=False, max_length=CHOICE_LINES_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For choice questions: one per line, at least two. Write “code = label” to keep a code "
                    "stable; a line without a code gets one from its label."))
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    key = forms.CharField(label=_("Key"), required=False, max_length=200,
                          help_text=_("Stable code of the question across versions; made for you when empty."))
    criterion = forms.CharField(label=_("Criterion"), required=False, max_length=200)
    help_text = forms.CharField(label=_("Explanation"), required=False, max_length=2000)
    max_length = forms.IntegerField(label=_("Longest answer (characters)"), required=False, initial=1000,
                                    help_text=_("For free-text questions."))

    @classmethod
    def initial_for(cls, question: Question, expected_version: int) -> dict[str, Any]:
        return {"text": question.text, "kind": question.kind, "aspect": question.aspect,
                "choices": choices_to_text(question.choices), "required": question.required, "key": question.key,
                "criterion": question.criterion, "help_text": question.help_text,
                "max_length": question.max_length, "expected_version": expected_version}

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("expected_version", None)
        data["choices"] = text_to_choices(data["choices"])
        return data


class MoveForm(LockedForm):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


# --------------------------------------------------------------------------- desks


class DeskForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=200,
                           help_text=_("Short, unique in the unit, e.g. quay-1 (printed on the poster)."))
    name = forms.CharField(label=_("Name"), max_length=1000)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)
