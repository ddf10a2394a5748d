"""Officers' forms for distributing a survey: one-time codes, a paper questionnaire's entry, voiding."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from danvan.orgs.models import Membership, OrgUnit

from . import responses, tokens
from .forms_public import AnswersForm
from .models import Desk, Question, Service, Survey

CHOICES_MAX = 300


def units_of(survey: Survey) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.current().subtree_of(survey.org_unit).order_by("path")


def desks_of(survey: Survey) -> QuerySet[Desk]:
    return (Desk.objects.filter(org_unit__path__startswith=survey.org_unit.path, is_active=True)
            .select_related("org_unit").order_by("org_unit__path", "code"))


def officers_of(survey: Survey) -> QuerySet[Any]:
    """Users with a role in the survey's unit or below (those a survey "per officer" can be about)."""
    ids = (Membership.objects.active().filter(org_unit__path__startswith=survey.org_unit.path)
           .values("user_id"))
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")


class _Where(forms.Form):
    """Where the citizen was served: unit, desk, service, officer (each optional but the unit)."""

    org_unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    desk = forms.ModelChoiceField(label=_("Desk"), queryset=Desk.objects.none(), required=False,
                                  empty_label=_("No particular desk"))
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none(), required=False,
                                     empty_label=_("No particular service"))
    officer = forms.ModelChoiceField(label=_("Officer"), queryset=get_user_model().objects.none(), required=False,
                                     empty_label=_("No particular officer"))

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.fields["org_unit"].queryset = units_of(survey)  # type: ignore[attr-defined]
        self.fields["org_unit"].initial = survey.org_unit_id
        self.fields["desk"].queryset = desks_of(survey)  # type: ignore[attr-defined]
        self.fields["service"].queryset = Service.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["officer"].queryset = officers_of(survey)  # type: ignore[attr-defined]
        self.fields["officer"].label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[attr-defined]
        if survey.service_id:
            del self.fields["service"]


class IssueCodesForm(_Where):
    count = forms.IntegerField(label=_("Number of codes"), min_value=1, max_value=tokens.MAX_COUNT, initial=20)
    valid_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=tokens.MAX_VALID_DAYS,
                                    initial=30)


class PaperForm(AnswersForm):
    """A paper questionnaire as the officer types it in: where, then every question of the version."""

    partial = True  # questions the citizen left blank on paper stay unanswered

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=responses.IDEMPOTENCY_MAX)

    def __init__(self, *args: Any, survey: Survey, questions: list[Question], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", "paper:" + secrets.token_urlsafe(16))
        super().__init__(*args, questions=questions, **kwargs)
        where = _Where(survey=survey)
        for name, field in where.fields.items():
            self.fields[name] = field
        self.where_names = list(where.fields)

    def where_fields(self) -> list[Any]:
        return [self[n] for n in self.where_names]


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason for voiding"), max_length=responses.VOID_REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("For example: the same paper form entered twice."))
