"""Every write of the survey builder: surveys, their versions' sections and questions, publishing, desks.

Each function is one transaction with its audit event. The promises:

- a version that has a response never changes: ``draft_version`` gives the version to edit, a copy
  (number + 1) when the latest one has been answered, so every answer keeps the questions it was
  asked; the edit functions refuse a version with responses;
- two officials editing one survey: every write checks and bumps ``Survey.lock_version`` under a
  row lock, so the second gets ``ConcurrentEditError`` and nothing of the first is overwritten;
- a section with an ``element_key`` is an element of the satisfaction index; its ``element_bit``
  (0..15, the bit of the response masks, scoring.py) is kept assigned in section order after every
  change of an unanswered version, so a published version is always scorable.

``actor=None`` is the system (demo data, commands): no permission check, audited as "system".
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.text import search_key
from danvan.core.writes import (
    check_version,
    clean_field_text,
    conditional_update,
    is_int,
    raise_if,
    user_or_none,
)
from danvan.orgs.models import OrgUnit

from . import queries, sipas
from .models import (
    MAX_ELEMENTS,
    TEXT_ANSWER_MAX,
    Access,
    Aspect,
    Desk,
    ElementRule,
    Question,
    QuestionKind,
    Section,
    Service,
    Subject,
    Survey,
    SurveyStatus,
    SurveyVersion,
)

PUBLIC_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
PUBLIC_CODE_LENGTH = 10
TITLE_MAX = 255
DESCRIPTION_MAX = 4000
SECTION_TITLE_MAX = 255
ELEMENT_KEY_MAX = 40
QUESTION_MAX = 500
HELP_MAX = 500
CRITERION_MAX = 20
KEY_MAX = 60
CHOICES_MAX = 50
CHOICE_LABEL_MAX = 200
DESK_CODE_MAX = 40
DESK_NAME_MAX = 200
WEIGHT_MAX = Decimal("999.99")
TEMPLATES = {"": None, "sipas": sipas.build}
_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def conflict_message() -> str:
    return _("Someone else changed this survey after you opened it. Nothing was saved: "
             "reload the page and make your change again.")


# --------------------------------------------------------------------------- small helpers


def _allowed(actor: Any, perm: str, obj: Any) -> None:
    if actor is None:
        return
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(_("You may not change the surveys of this unit."))


def _text(errors: dict[str, Any], name: str, value: Any, limit: int, *, required: bool = False,
          multiline: bool = False) -> str:
    value, error = clean_field_text(value, limit, required=required, multiline=multiline)
    if error:
        errors[name] = error
    return value


def _slug(errors: dict[str, Any], name: str, value: Any, limit: int, *, required: bool = False) -> str:
    value, error = clean_field_text(value, limit, required=required)
    if error:
        errors[name] = error
        return ""
    value = value.lower()
    if value and not _KEY_RE.match(value):
        errors[name] = _("Use only lower-case letters without marks, digits, hyphens and underscores.")
    return value


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _other_than(qs: Any, current: Any) -> Any:
    return qs.exclude(pk=current.pk) if current is not None else qs


def _new_public_code() -> str:
    while True:
        code = "".join(secrets.choice(PUBLIC_CODE_ALPHABET) for _ in range(PUBLIC_CODE_LENGTH))
        if not Survey.objects.filter(public_code=code).exists():
            return code


def _locked(survey: Survey) -> Survey:
    """The survey's row, locked until the end of the transaction (a no-op on SQLite; see ``_bump``)."""
    fresh = Survey.objects.select_for_update().select_related("org_unit").get(pk=survey.pk)
    if fresh.deleted_at is not None:
        raise ValidationError({"survey": _("This survey has been deleted.")})
    return fresh


def _bump(caller: Survey, fresh: Survey, expected_version: Any, **fields: Any) -> None:
    """Write ``fields`` and lock_version + 1 if nobody wrote since ``expected_version`` (None: since now)."""
    expected = fresh.lock_version if expected_version is None else check_version(expected_version)
    conditional_update(Survey, fresh, expected, conflict_message(), **fields)
    if caller is not fresh:
        for f in Survey._meta.concrete_fields:
            setattr(caller, f.attname, getattr(fresh, f.attname))


def _survey_fields(errors: dict[str, Any], *, title: Any, description: Any, subject: Any, access: Any,
                   service: Any, opens_on: Any, closes_on: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": _text(errors, "title", title, TITLE_MAX, required=True),
        "description": _text(errors, "description", description, DESCRIPTION_MAX, multiline=True),
        "subject": subject, "access": access, "service": service, "opens_on": opens_on, "closes_on": closes_on,
    }
    if subject not in Subject.values:
        errors["subject"] = _("Choose what the survey is about.")
    if access not in Access.values:
        errors["access"] = _("Choose who may answer.")
    if service is not None and (not isinstance(service, Service) or not service.is_active):
        errors["service"] = _("Choose a service in use.")
    for name in ("opens_on", "closes_on"):
        value = out[name]
        if value in (None, ""):
            out[name] = None
        elif not _is_date(value):
            errors[name] = _("Enter a valid date.")
            out[name] = None
    if out["opens_on"] and out["closes_on"] and out["closes_on"] < out["opens_on"]:
        errors["closes_on"] = _("The closing date must be on or after the opening date.")
    return out


# --------------------------------------------------------------------------- surveys


@transaction.atomic
def create_survey(*, actor: Any, org_unit: Any, title: Any, description: Any = "", subject: Any = Subject.UNIT,
                  access: Any = Access.LINK, service: Any = None, opens_on: Any = None, closes_on: Any = None,
                  template: Any = "") -> Survey:
    """A new survey in draft with version 1, empty or filled from a template (``"sipas"``)."""
    if not isinstance(org_unit, OrgUnit) or org_unit.valid_to is not None:
        raise ValidationError({"org_unit": _("Choose a unit in use.")})
    _allowed(actor, "surveys.change_survey", org_unit)
    errors: dict[str, Any] = {}
    fields = _survey_fields(errors, title=title, description=description, subject=subject, access=access,
                            service=service, opens_on=opens_on, closes_on=closes_on)
    if template not in TEMPLATES:
        errors["template"] = _("Choose a template from the list.")
    raise_if(errors)
    survey = Survey.objects.create(org_unit=org_unit, public_code=_new_public_code(), template=template,
                                   created_by=user_or_none(actor), **fields)
    version = SurveyVersion.objects.create(survey=survey, number=1)
    build = TEMPLATES[template]
    if build is not None:
        build(version)
    audit.record("surveys.create_survey", actor=actor, obj=survey, org_unit=org_unit,
                 summary={"title": survey.title, "public_code": survey.public_code, "template": template})
    return survey


@transaction.atomic
def update_survey(*, actor: Any, survey: Survey, expected_version: Any, title: Any, description: Any = "",
                  subject: Any = Subject.UNIT, access: Any = Access.LINK, service: Any = None,
                  opens_on: Any = None, closes_on: Any = None) -> Survey:
    """Change the survey's settings (not its questions: those live in versions)."""
    fresh = _locked(survey)
    _allowed(actor, "surveys.change_survey", fresh)
    errors: dict[str, Any] = {}
    fields = _survey_fields(errors, title=title, description=description, subject=subject, access=access,
                            service=service, opens_on=opens_on, closes_on=closes_on)
    raise_if(errors)
    changed = sorted(k for k, v in fields.items() if getattr(fresh, k) != v)
    _bump(survey, fresh, expected_version, **fields)
    audit.record("surveys.update_survey", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"changed": changed})
    return survey


def _transition(actor: Any, survey: Survey, expected_version: Any) -> Survey:
    fresh = _locked(survey)
    _allowed(actor, "surveys.change_survey", fresh)
    check_version(expected_version)
    return fresh


def _check_publishable(version: SurveyVersion) -> None:
    sections = queries.version_outline(version)
    if not any(s.questions.all() for s in sections):
        raise ValidationError({"version": _("Add at least one question before publishing.")})
    errors = []
    for s in sections:
        if s.element_key and not any(q.kind == QuestionKind.LIKERT and q.aspect == Aspect.SATISFACTION
                                     for q in s.questions.all()):
            errors.append(_("Section “%(title)s” is an index element but has no satisfaction question on the "
                            "1–5 scale.") % {"title": s.title})
    if errors:
        raise ValidationError({"version": errors})


def _check_not_over(fresh: Survey) -> None:
    if fresh.closes_on and fresh.closes_on < timezone.localdate():
        raise ValidationError({"closes_on": _("The closing date has passed: change it first.")})


@transaction.atomic
def publish(*, actor: Any, survey: Survey, expected_version: Any) -> Survey:
    """Open the survey with its latest version (a first publication, or a new version of an open survey)."""
    fresh = _transition(actor, survey, expected_version)
    version = queries.latest_version(fresh)
    if version is None or version.published_at is not None:
        raise ValidationError({"status": _("The latest version is already published: nothing new to publish.")})
    _check_publishable(version)
    _check_not_over(fresh)
    _assign_bits(version)
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])
    _bump(survey, fresh, expected_version, status=SurveyStatus.OPEN)
    audit.record("surveys.publish", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"version": version.number})
    return survey


@transaction.atomic
def close(*, actor: Any, survey: Survey, expected_version: Any) -> Survey:
    fresh = _transition(actor, survey, expected_version)
    if fresh.status != SurveyStatus.OPEN:
        raise ValidationError({"status": _("Only an open survey can be closed.")})
    _bump(survey, fresh, expected_version, status=SurveyStatus.CLOSED)
    audit.record("surveys.close", actor=actor, obj=fresh, org_unit=fresh.org_unit, summary={})
    return survey


@transaction.atomic
def reopen(*, actor: Any, survey: Survey, expected_version: Any) -> Survey:
    fresh = _transition(actor, survey, expected_version)
    if fresh.status != SurveyStatus.CLOSED:
        raise ValidationError({"status": _("Only a closed survey can be reopened.")})
    _check_not_over(fresh)
    _bump(survey, fresh, expected_version, status=SurveyStatus.OPEN)
    audit.record("surveys.reopen", actor=actor, obj=fresh, org_unit=fresh.org_unit, summary={})
    return survey


@transaction.atomic
def delete_survey(*, actor: Any, survey: Survey, expected_version: Any) -> Survey:
    """Soft delete: the survey and its responses stay in the database, out of every list and the index pages."""
    fresh = _transition(actor, survey, expected_version)
    _bump(survey, fresh, expected_version, deleted_at=timezone.now())
    audit.record("surveys.delete_survey", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"title": fresh.title})
    return survey


# --------------------------------------------------------------------------- versions


@transaction.atomic
def draft_version(*, actor: Any, survey: Survey) -> SurveyVersion:
    """The version to edit: the latest if nobody answered it, else a copy numbered one higher."""
    fresh = _locked(survey)
    _allowed(actor, "surveys.change_survey", fresh)
    latest = queries.latest_version(fresh)
    if latest is None:
        return SurveyVersion.objects.create(survey=fresh, number=1)
    if not queries.has_responses(latest):
        return latest
    new = SurveyVersion.objects.create(survey=fresh, number=latest.number + 1,
                                       satisfied_threshold=latest.satisfied_threshold,
                                       element_rule=latest.element_rule)
    for section in queries.version_outline(latest):
        copy = Section.objects.create(version=new, order=section.order, title=section.title,
                                      element_key=section.element_key, element_bit=section.element_bit,
                                      weight=section.weight)
        Question.objects.bulk_create([
            Question(section=copy, order=q.order, key=q.key, text=q.text, help_text=q.help_text, kind=q.kind,
                     aspect=q.aspect, criterion=q.criterion, required=q.required, choices=q.choices,
                     max_length=q.max_length)
            for q in section.questions.all()
        ])
    audit.record("surveys.new_version", actor=actor, obj=new, org_unit=fresh.org_unit,
                 summary={"survey": fresh.pk, "number": new.number, "copied_from": latest.number})
    return new


def _editing(actor: Any, version: SurveyVersion, expected_version: Any) -> Survey:
    """Lock the survey, check the user and that the version may still change, and bump the lock."""
    fresh = _locked(version.survey)
    _allowed(actor, "surveys.change_survey", fresh)
    if queries.has_responses(version):
        raise ValidationError({"version": _(
            "Version %(n)d already has responses and cannot change: your edit must go to a new version."
        ) % {"n": version.number}})
    latest = queries.latest_version(fresh)
    if latest is None or latest.pk != version.pk:
        raise ValidationError({"version": _("Only the latest version of a survey can be edited.")})
    _bump(version.survey, fresh, expected_version)
    return fresh


def _assign_bits(version: SurveyVersion) -> None:
    """Elements take bits 0, 1, … in section order; sections without an element take none."""
    bit = 0
    for section in version.sections.order_by("order"):
        want = None
        if section.element_key:
            want, bit = bit, bit + 1
        if section.element_bit != want:
            Section.objects.filter(pk=section.pk).update(element_bit=want)


@transaction.atomic
def set_index_rule(*, actor: Any, version: SurveyVersion, satisfied_threshold: Any, element_rule: Any,
                   expected_version: Any = None) -> SurveyVersion:
    """The index formula of a version; frozen with its questions once it has a response."""
    errors: dict[str, Any] = {}
    if not is_int(satisfied_threshold) or not 1 <= satisfied_threshold <= 5:
        errors["satisfied_threshold"] = _("Enter a whole number from 1 to 5.")
    if element_rule not in ElementRule.values:
        errors["element_rule"] = _("Choose a rule from the list.")
    raise_if(errors)
    fresh = _editing(actor, version, expected_version)
    version.satisfied_threshold, version.element_rule = satisfied_threshold, element_rule
    version.save(update_fields=["satisfied_threshold", "element_rule"])
    audit.record("surveys.set_index_rule", actor=actor, obj=version, org_unit=fresh.org_unit,
                 summary={"threshold": satisfied_threshold, "rule": element_rule})
    return version


# --------------------------------------------------------------------------- sections


def _section_fields(errors: dict[str, Any], version: SurveyVersion, current: Section | None, *, title: Any,
                    element_key: Any, weight: Any) -> dict[str, Any]:
    title = _text(errors, "title", title, SECTION_TITLE_MAX, required=True)
    key = _slug(errors, "element_key", element_key, ELEMENT_KEY_MAX)
    others = _other_than(version.sections.exclude(element_key=""), current)
    if key and "element_key" not in errors:
        if others.filter(element_key=key).exists():
            errors["element_key"] = _("Another section of this version already measures the element “%(key)s”.") % {
                "key": key}
        elif others.count() >= MAX_ELEMENTS:
            errors["element_key"] = _("A version can have at most %(n)d index elements.") % {"n": MAX_ELEMENTS}
    try:
        value = Decimal(str(weight if weight not in (None, "") else 1))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if isinstance(weight, bool) or not value.is_finite() or not Decimal(0) <= value <= WEIGHT_MAX \
            or value != value.quantize(Decimal("0.01")):
        errors["weight"] = _("Enter a number from 0 to 999.99 with at most two decimals.")
        value = Decimal(1)
    return {"title": title, "element_key": key, "weight": value}


def _summary_section(section: Section) -> dict[str, Any]:
    return {"version": section.version_id, "section": section.pk, "title": section.title,
            "element_key": section.element_key}


@transaction.atomic
def add_section(*, actor: Any, version: SurveyVersion, title: Any, element_key: Any = "", weight: Any = 1,
                expected_version: Any = None) -> Section:
    fresh = _editing(actor, version, expected_version)
    errors: dict[str, Any] = {}
    fields = _section_fields(errors, version, None, title=title, element_key=element_key, weight=weight)
    raise_if(errors)
    order = (version.sections.aggregate(m=Max("order"))["m"] or 0) + 1
    section = Section.objects.create(version=version, order=order, **fields)
    _assign_bits(version)
    section.refresh_from_db()
    audit.record("surveys.add_section", actor=actor, obj=section, org_unit=fresh.org_unit,
                 summary=_summary_section(section))
    return section


@transaction.atomic
def update_section(*, actor: Any, section: Section, title: Any, element_key: Any = "", weight: Any = 1,
                   expected_version: Any = None) -> Section:
    fresh = _editing(actor, section.version, expected_version)
    errors: dict[str, Any] = {}
    fields = _section_fields(errors, section.version, section, title=title, element_key=element_key,
                             weight=weight)
    raise_if(errors)
    for name, value in fields.items():
        setattr(section, name, value)
    section.save(update_fields=list(fields))
    _assign_bits(section.version)
    section.refresh_from_db()
    audit.record("surveys.update_section", actor=actor, obj=section, org_unit=fresh.org_unit,
                 summary=_summary_section(section))
    return section


@transaction.atomic
def delete_section(*, actor: Any, section: Section, expected_version: Any = None) -> None:
    version = section.version
    fresh = _editing(actor, version, expected_version)
    summary = _summary_section(section)
    section.delete()
    _assign_bits(version)
    audit.record("surveys.delete_section", actor=actor, obj=version, org_unit=fresh.org_unit, summary=summary)


def _swap(model: Any, a: Any, b: Any) -> None:
    """Exchange two rows' ``order`` without breaking the unique constraint in between (0 is never used)."""
    a_order, b_order = a.order, b.order
    model.objects.filter(pk=a.pk).update(order=0)
    model.objects.filter(pk=b.pk).update(order=a_order)
    model.objects.filter(pk=a.pk).update(order=b_order)
    a.order, b.order = b_order, a_order


def _direction(direction: Any) -> str:
    if direction not in ("up", "down"):
        raise ValidationError({"direction": _("Choose up or down.")})
    return str(direction)


@transaction.atomic
def move_section(*, actor: Any, section: Section, direction: Any, expected_version: Any = None) -> Section:
    direction = _direction(direction)
    fresh = _editing(actor, section.version, expected_version)
    siblings = section.version.sections.all()
    other = (siblings.filter(order__lt=section.order).order_by("-order") if direction == "up"
             else siblings.filter(order__gt=section.order).order_by("order")).first()
    if other is not None:
        _swap(Section, section, other)
        _assign_bits(section.version)
        audit.record("surveys.move_section", actor=actor, obj=section, org_unit=fresh.org_unit,
                     summary={"direction": direction, "order": section.order})
    return section


# --------------------------------------------------------------------------- questions


def _choice_value(label: str, index: int) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", search_key(label)).strip("-")[:KEY_MAX].strip("-")
    return value or f"c{index}"


def _choices(errors: dict[str, Any], kind: str, raw: Any) -> list[dict[str, str]]:
    """``[{"value", "label"}]`` from a list of labels or of such dicts; at least two for a choice question."""
    if kind not in (QuestionKind.CHOICE, QuestionKind.MULTI):
        return []
    if raw is None:
        raw = []
    if not isinstance(raw, list | tuple):
        errors["choices"] = _("Enter the choices as a list.")
        return []
    out: list[dict[str, str]] = []
    for index, item in enumerate(raw, start=1):
        given_value: Any = None
        if isinstance(item, dict):
            label, given_value = item.get("label"), item.get("value")
        else:
            label = item
        label, error = clean_field_text(label, CHOICE_LABEL_MAX, required=True)
        if error:
            errors["choices"] = _("Choice %(n)d: %(error)s") % {"n": index, "error": error}
            return []
        if given_value in (None, ""):
            value = _choice_value(label, index)
        else:
            value, error = clean_field_text(given_value, KEY_MAX, required=True)
            if error or not _KEY_RE.match(value):
                errors["choices"] = _("Choice %(n)d: the code may use only lower-case letters without marks, "
                                      "digits, hyphens and underscores.") % {"n": index}
                return []
        out.append({"value": value, "label": label})
    if len(out) < 2:
        errors["choices"] = _("A choice question needs at least two choices.")
    elif len(out) > CHOICES_MAX:
        errors["choices"] = _("A question can have at most %(n)d choices.") % {"n": CHOICES_MAX}
    else:
        seen: set[str] = set()
        for c in out:
            if c["value"] in seen:
                errors["choices"] = _("Two choices have the same code “%(value)s”.") % {"value": c["value"]}
                break
            seen.add(c["value"])
    return out


def _free_key(version: SurveyVersion) -> str:
    used = set(Question.objects.filter(section__version=version).values_list("key", flat=True))
    n = len(used) + 1
    while f"q{n}" in used:
        n += 1
    return f"q{n}"


def _question_fields(errors: dict[str, Any], version: SurveyVersion, current: Question | None, *, key: Any,
                     text: Any, kind: Any, aspect: Any, criterion: Any, help_text: Any, required: Any,
                     choices: Any, max_length: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "text": _text(errors, "text", text, QUESTION_MAX, required=True),
        "help_text": _text(errors, "help_text", help_text, HELP_MAX),
        "criterion": _text(errors, "criterion", criterion, CRITERION_MAX),
        "kind": kind, "aspect": aspect or "", "required": required,
    }
    if kind not in QuestionKind.values:
        errors["kind"] = _("Choose a kind of question.")
    if out["aspect"] not in Aspect.values:
        errors["aspect"] = _("Choose an aspect from the list.")
    elif out["aspect"] in (Aspect.ASSESSMENT, Aspect.SATISFACTION) and kind != QuestionKind.LIKERT:
        errors["aspect"] = _("An assessment or satisfaction question must use the 1–5 scale.")
    if not isinstance(required, bool):
        errors["required"] = _("Say whether an answer is required.")
    key = _slug(errors, "key", key, KEY_MAX)
    if not key and "key" not in errors:
        key = _free_key(version)
    elif key and _other_than(Question.objects.filter(section__version=version, key=key), current).exists():
        errors["key"] = _("Another question of this version already has the key “%(key)s”.") % {"key": key}
    out["key"] = key
    out["choices"] = _choices(errors, kind, choices)
    if max_length in (None, ""):
        max_length = 1000
    if not is_int(max_length) or not 1 <= max_length <= TEXT_ANSWER_MAX:
        errors["max_length"] = _("Enter a whole number from 1 to %(n)d.") % {"n": TEXT_ANSWER_MAX}
        max_length = 1000
    out["max_length"] = max_length
    return out


def _summary_question(q: Question) -> dict[str, Any]:
    return {"section": q.section_id, "question": q.pk, "key": q.key, "kind": q.kind, "aspect": q.aspect}


@transaction.atomic
def add_question(*, actor: Any, section: Section, text: Any, kind: Any, key: Any = "", aspect: Any = "",
                 criterion: Any = "", help_text: Any = "", required: Any = True, choices: Any = None,
                 max_length: Any = 1000, expected_version: Any = None) -> Question:
    fresh = _editing(actor, section.version, expected_version)
    errors: dict[str, Any] = {}
    fields = _question_fields(errors, section.version, None, key=key, text=text, kind=kind, aspect=aspect,
                              criterion=criterion, help_text=help_text, required=required, choices=choices,
                              max_length=max_length)
    raise_if(errors)
    order = (section.questions.aggregate(m=Max("order"))["m"] or 0) + 1
    question = Question.objects.create(section=section, order=order, **fields)
    audit.record("surveys.add_question", actor=actor, obj=question, org_unit=fresh.org_unit,
                 summary=_summary_question(question))
    return question


@transaction.atomic
def update_question(*, actor: Any, question: Question, text: Any, kind: Any, key: Any = "", aspect: Any = "",
                    criterion: Any = "", help_text: Any = "", required: Any = True, choices: Any = None,
                    max_length: Any = 1000, expected_version: Any = None) -> Question:
    version = question.section.version
    fresh = _editing(actor, version, expected_version)
    errors: dict[str, Any] = {}
    fields = _question_fields(errors, version, question, key=key, text=text, kind=kind, aspect=aspect,
                              criterion=criterion, help_text=help_text, required=required, choices=choices,
                              max_length=max_length)
    raise_if(errors)
    for name, value in fields.items():
        setattr(question, name, value)
    question.save(update_fields=list(fields))
    audit.record("surveys.update_question", actor=actor, obj=question, org_unit=fresh.org_unit,
                 summary=_summary_question(question))
    return question


@transaction.atomic
def delete_question(*, actor: Any, question: Question, expected_version: Any = None) -> None:
    fresh = _editing(actor, question.section.version, expected_version)
    summary = _summary_question(question)
    question.delete()
    audit.record("surveys.delete_question", actor=actor, obj=question.section, org_unit=fresh.org_unit,
                 summary=summary)


@transaction.atomic
def move_question(*, actor: Any, question: Question, direction: Any, expected_version: Any = None) -> Question:
    """One place up or down within its section."""
    direction = _direction(direction)
    fresh = _editing(actor, question.section.version, expected_version)
    siblings = question.section.questions.all()
    other = (siblings.filter(order__lt=question.order).order_by("-order") if direction == "up"
             else siblings.filter(order__gt=question.order).order_by("order")).first()
    if other is not None:
        _swap(Question, question, other)
        audit.record("surveys.move_question", actor=actor, obj=question, org_unit=fresh.org_unit,
                     summary={"direction": direction, "order": question.order})
    return question


# --------------------------------------------------------------------------- desks


def _desk_fields(errors: dict[str, Any], unit: OrgUnit, current: Desk | None, code: Any, name: Any) -> dict[str, Any]:
    code = _slug(errors, "code", code, DESK_CODE_MAX, required=True)
    name = _text(errors, "name", name, DESK_NAME_MAX, required=True)
    if code and "code" not in errors and _other_than(Desk.objects.filter(org_unit=unit, code=code), current).exists():
        errors["code"] = _("Another desk of this unit already has the code “%(code)s”.") % {"code": code}
    return {"code": code, "name": name}


def _save_desk(desk: Desk, fields: dict[str, Any]) -> None:
    try:
        with transaction.atomic():
            desk.save()
    except IntegrityError:
        raise ValidationError({"code": _("Another desk of this unit already has the code “%(code)s”.") % {
            "code": fields["code"]}}) from None


@transaction.atomic
def create_desk(*, actor: Any, org_unit: Any, code: Any, name: Any) -> Desk:
    if not isinstance(org_unit, OrgUnit) or org_unit.valid_to is not None:
        raise ValidationError({"org_unit": _("Choose a unit in use.")})
    _allowed(actor, "surveys.manage_desks", org_unit)
    errors: dict[str, Any] = {}
    fields = _desk_fields(errors, org_unit, None, code, name)
    raise_if(errors)
    desk = Desk(org_unit=org_unit, **fields)
    _save_desk(desk, fields)
    audit.record("surveys.create_desk", actor=actor, obj=desk, org_unit=org_unit, summary=fields)
    return desk


@transaction.atomic
def update_desk(*, actor: Any, desk: Desk, code: Any, name: Any, is_active: Any = True) -> Desk:
    unit = desk.org_unit
    _allowed(actor, "surveys.manage_desks", unit)
    errors: dict[str, Any] = {}
    fields = _desk_fields(errors, unit, desk, code, name)
    if not isinstance(is_active, bool):
        errors["is_active"] = _("Say whether the desk is in use.")
    raise_if(errors)
    for field, value in {**fields, "is_active": is_active}.items():
        setattr(desk, field, value)
    _save_desk(desk, fields)
    audit.record("surveys.update_desk", actor=actor, obj=desk, org_unit=unit,
                 summary={**fields, "is_active": is_active})
    return desk
