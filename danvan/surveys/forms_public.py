"""The questionnaire as forms: a step (one section) for citizens, the whole version for a paper entry.

A question is a form field named ``q-<key>``. The fields accept anything of the right shape and
leave the judgement to ``responses.validate_question``, so the public form, the paper entry and
the API give the same message for the same mistake, and an oversized text comes back whole with
the message (no ``maxlength`` cut: a pasted answer would otherwise lose its end without a word).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import responses
from .models import Aspect, Question, QuestionKind

PREFIX = "q-"

SATISFACTION_SCALE = [
    ("1", _("1 · Very dissatisfied")), ("2", _("2 · Dissatisfied")), ("3", _("3 · Neutral")),
    ("4", _("4 · Satisfied")), ("5", _("5 · Very satisfied")),
]
ASSESSMENT_SCALE = [
    ("1", _("1 · Very poor")), ("2", _("2 · Poor")), ("3", _("3 · Fair")), ("4", _("4 · Good")),
    ("5", _("5 · Very good")),
]


def name_for(key: str) -> str:
    return PREFIX + key


def field_name(question: Question) -> str:
    return PREFIX + question.key


def _scale(question: Question) -> list[tuple[str, Any]]:
    return ASSESSMENT_SCALE if question.aspect == Aspect.ASSESSMENT else SATISFACTION_SCALE


class LooseChoiceField(forms.ChoiceField):
    def validate(self, value: Any) -> None:  # responses.validate_question decides, with its own words
        return None


class LooseMultipleChoiceField(forms.MultipleChoiceField):
    def validate(self, value: Any) -> None:
        return None


def answer_field(question: Question) -> forms.Field:
    """The form field of one question; ``required`` is only shown (the asterisk), checked by ``responses``."""
    common: dict[str, Any] = {"label": question.text, "required": False, "help_text": question.help_text}
    if question.kind == QuestionKind.LIKERT:
        field: forms.Field = LooseChoiceField(choices=_scale(question), widget=forms.RadioSelect, **common)
    elif question.kind == QuestionKind.CHOICE:
        field = LooseChoiceField(choices=responses.options(question), widget=forms.RadioSelect, **common)
    elif question.kind == QuestionKind.MULTI:
        field = LooseMultipleChoiceField(choices=responses.options(question),
                                          widget=forms.CheckboxSelectMultiple, **common)
    else:
        if not question.help_text:
            common["help_text"] = _("At most %(n)d characters.") % {"n": question.max_length}
        field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), strip=False, **common)
    field.question = question  # type: ignore[attr-defined]  # the template reads .required and .kind
    return field


class AnswersForm(forms.Form):
    """The questions given; ``answers`` holds the clean values (question key → value) once valid."""

    partial = False  # see responses.validate_question

    def __init__(self, *args: Any, questions: Iterable[Question] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            self.fields[field_name(q)] = answer_field(q)
        self.answers: dict[str, Any] = {}

    def raw_answers(self) -> dict[str, Any]:
        """What was posted for each question, as typed (to keep it between steps and on errors)."""
        out: dict[str, Any] = {}
        for q in self.questions:
            name = field_name(q)
            if q.kind == QuestionKind.MULTI:
                out[q.key] = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name, [])
            else:
                out[q.key] = self.data.get(name, "")
        return out

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw = self.raw_answers()
        for q in self.questions:
            value, error = responses.validate_question(q, raw.get(q.key), partial=self.partial)
            if error:
                self.add_error(field_name(q), error)
            elif value is not None:
                self.answers[q.key] = value
        return cleaned

    def question_fields(self) -> list[Any]:
        return [self[field_name(q)] for q in self.questions]


def initial_from(answers: dict[str, Any]) -> dict[str, Any]:
    """Form initial values from kept answers (question key → value)."""
    return {PREFIX + k: (v if isinstance(v, list) else str(v)) for k, v in answers.items()}


class StepForm(AnswersForm):
    """One section of the questionnaire; the last step carries the proof-of-work."""

    def __init__(self, *args: Any, last: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if last:
            from danvan.portal.altcha import AltchaField

            self.fields["altcha"] = AltchaField()


class TokenForm(forms.Form):
    code = forms.CharField(label=_("Code on your slip"), max_length=40,
                           help_text=_("10 letters and digits, for example 7K3QX-P2M9A."),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}))
