"""Building report forms: sections, indicators, questions, rules; publishing and new versions."""


from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.text import clean_text
from danvan.core.writes import clean_field_text as _text
from danvan.core.writes import is_int as _is_int
from danvan.core.writes import raise_if as _raise
from danvan.core.writes import user_or_none as _creator
from danvan.orgs.models import OrgUnit

from .. import rules as report_rules
from ..models import (
    CODE_VALIDATOR,
    Aggregation,
    Comparison,
    CrossRule,
    FormSection,
    FormStatus,
    Indicator,
    Question,
    ReportForm,
    ValueType,
)


def _lock_form(form: ReportForm) -> ReportForm:
    return ReportForm.objects.select_for_update(of=("self",)).select_related("owner").get(pk=form.pk)


def _require_form_owner(actor: Any, form: ReportForm) -> None:
    if actor is not None and not report_rules.covers_form_owner.test(actor, form):
        raise PermissionDenied(_("You are not allowed to change report forms of this unit."))


def _edit_form(actor: Any, form: ReportForm) -> ReportForm:
    """Lock the form, check the editor, refuse a published form plainly: the start of every form edit."""
    fresh = _lock_form(form)
    _require_form_owner(actor, fresh)
    if fresh.status != FormStatus.DRAFT:
        raise ValidationError({NON_FIELD_ERRORS: _("A published form cannot be changed; create a new version.")})
    if actor is not None and not actor.has_perm("reports.change_form", fresh):
        raise PermissionDenied(_("You are not allowed to change report forms of this unit."))
    return fresh


def _check_code(value: Any, limit: int) -> tuple[str, str]:
    code, err = _text(value, limit, required=True)
    if err:
        return code, err
    try:
        CODE_VALIDATOR(code)
    except ValidationError as exc:
        return code, str(exc.messages[0])
    return code, ""


def _next_order(qs: models.QuerySet[Any]) -> int:
    top = qs.aggregate(m=Max("order"))["m"]
    return (top or 0) + 1


def _order(value: Any, qs: models.QuerySet[Any], errors: dict[str, Any]) -> int:
    if value is None or value == "":
        return _next_order(qs)
    if not _is_int(value) or value < 0:
        errors["order"] = _("Enter a whole number, zero or more.")
        return 0
    return int(value)


@transaction.atomic
def create_form(*, actor: Any, owner: OrgUnit | None, code: str, name: str, description: str = "") -> ReportForm:
    """A new draft form, version 1. ``owner=None`` is a national form, for superusers only."""
    if actor is not None and not actor.has_perm("reports.create_form_for_unit", owner):
        raise PermissionDenied(_("You are not allowed to create report forms for this unit."))
    errors: dict[str, Any] = {}
    code, err = _check_code(code, 40)
    if err:
        errors["code"] = err
    elif ReportForm.objects.filter(code=code).exists():
        errors["code"] = _("A form with the code %(code)s already exists.") % {"code": code}
    name, err = _text(name, 255, required=True)
    if err:
        errors["name"] = err
    description, err = _text(description, 20000, multiline=True)
    if err:
        errors["description"] = err
    if owner is not None and owner.valid_to is not None:
        errors["owner"] = _("%(unit)s no longer exists.") % {"unit": owner.name}
    _raise(errors)
    form = ReportForm.objects.create(
        code=code, version=1, name=name, description=description, owner=owner, created_by=_creator(actor),
    )
    audit.record("reports.form.create", actor=actor, obj=form, org_unit=owner, summary={"code": code, "name": name})
    return form


@transaction.atomic
def save_section(
    *, actor: Any, form: ReportForm, number: str, title: str, order: int | None = None,
    section: FormSection | None = None,
) -> FormSection:
    fresh = _edit_form(actor, form)
    if section is not None and section.form_id != fresh.pk:
        raise ValidationError({NON_FIELD_ERRORS: _("This section belongs to another form.")})
    errors: dict[str, Any] = {}
    number, err = _text(number, 10)
    if err:
        errors["number"] = err
    title, err = _text(title, 255, required=True)
    if err:
        errors["title"] = err
    if order is None and section is not None:
        order = section.order
    position = _order(order, FormSection.objects.filter(form=fresh), errors)
    _raise(errors)
    obj = section or FormSection(form=fresh)
    obj.number, obj.title, obj.order = number, title, position
    obj.save()
    audit.record("reports.form.section", actor=actor, obj=fresh, org_unit=fresh.owner,
                 summary={"section": obj.pk, "number": number, "title": title, "new": section is None})
    return obj


INDICATOR_FIELDS = (
    "code", "name", "unit", "value_type", "aggregation", "numerator_code", "denominator_code", "required",
    "min_value", "max_value", "prefill_source", "help_text", "order", "section",
)
_DEFAULT_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    ValueType.PERCENTAGE: (0.0, 100.0), ValueType.COUNT: (0.0, None), ValueType.MONEY: (0.0, None),
}


def _number(value: Any) -> tuple[float | None, str]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ""
    if isinstance(value, bool):
        return None, _("Enter a number.")
    try:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        num = float(Decimal(str(value))) if not isinstance(value, (int, float)) else float(value)
    except (ArithmeticError, ValueError, TypeError):
        return None, _("Enter a number.")
    if not math.isfinite(num):
        return None, _("Enter a number.")
    return num, ""


def _section_of(value: Any, form: ReportForm, errors: dict[str, Any]) -> FormSection | None:
    if value is None or value == "":
        return None
    if isinstance(value, FormSection):
        section: FormSection | None = value
    elif _is_int(value):
        section = FormSection.objects.filter(pk=value).first()
    else:
        section = None
    if section is None or section.form_id != form.pk:
        errors["section"] = _("Choose a section of this form.")
        return None
    return section


def _check_part(part: Any, model: type[models.Model], form: ReportForm) -> None:
    if part is not None and (not isinstance(part, model) or part.form_id != form.pk):  # type: ignore[attr-defined]
        raise ValidationError({NON_FIELD_ERRORS: _("This part belongs to another form.")})


@transaction.atomic
def save_indicator(*, actor: Any, form: ReportForm, data: dict[str, Any], indicator: Indicator | None = None) -> Indicator:
    """Create or change an indicator of a draft form; ``data`` holds the fields to set.

    On creation, a percentage without bounds gets 0–100 and a count or an amount of money gets a
    minimum of 0: the defaults an officer would otherwise forget, and that catch "-5 sessions".
    """
    fresh = _edit_form(actor, form)
    _check_part(indicator, Indicator, fresh)
    unknown = set(data) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"Indicator fields {sorted(unknown)} cannot be set here")
    creating = indicator is None
    obj = indicator or Indicator(form=fresh)
    errors: dict[str, Any] = {}

    if creating or "code" in data:
        obj.code, err = _check_code(data.get("code"), 50)
        if err:
            errors["code"] = err
        elif Indicator.objects.filter(form=fresh, code=obj.code).exclude(pk=obj.pk).exists():
            errors["code"] = _("Another indicator of this form already has the code %(code)s.") % {"code": obj.code}
    if creating or "name" in data:
        obj.name, err = _text(data.get("name"), 500, required=True)
        if err:
            errors["name"] = err
    for field, limit, multiline in (("unit", 50, False), ("help_text", 5000, True)):
        if field in data:
            value, err = _text(data[field], limit, multiline=multiline)
            setattr(obj, field, value)
            if err:
                errors[field] = err
    if "value_type" in data or creating:
        obj.value_type = data.get("value_type") or ValueType.COUNT
        if obj.value_type not in ValueType.values:
            errors["value_type"] = _("Choose a valid type.")
    if "aggregation" in data or creating:
        obj.aggregation = data.get("aggregation") or Aggregation.SUM
        if obj.aggregation not in Aggregation.values:
            errors["aggregation"] = _("Choose a valid aggregation.")
    if "required" in data:
        obj.required = bool(data["required"])
    if "prefill_source" in data:
        obj.prefill_source, err = _text(data["prefill_source"], 100)
        if err:
            errors["prefill_source"] = err
    for field in ("numerator_code", "denominator_code"):
        if field in data:
            setattr(obj, field, clean_text(data[field] or "") if isinstance(data[field], (str, type(None))) else "")
    for field in ("min_value", "max_value"):
        if field in data:
            num, err = _number(data[field])
            setattr(obj, field, num)
            if err:
                errors[field] = err
    if creating:
        lo, hi = _DEFAULT_BOUNDS.get(obj.value_type, (None, None))
        if data.get("min_value") is None and "min_value" not in errors:
            obj.min_value = lo
        if data.get("max_value") is None and "max_value" not in errors:
            obj.max_value = hi
    if "section" in data:
        obj.section = _section_of(data["section"], fresh, errors)
    if "order" in data or creating:
        obj.order = _order(data.get("order"), Indicator.objects.filter(form=fresh), errors)

    _check_indicator_rules(fresh, obj, errors)
    _raise(errors)
    obj.save()
    audit.record("reports.form.indicator", actor=actor, obj=fresh, org_unit=fresh.owner,
                 summary={"indicator": obj.pk, "code": obj.code, "new": creating})
    return obj


def _check_indicator_rules(form: ReportForm, obj: Indicator, errors: dict[str, Any]) -> None:
    """The combinations of type, aggregation and bounds that make sense."""
    if "value_type" in errors or "aggregation" in errors:
        return
    if obj.value_type == ValueType.TEXT and obj.aggregation != Aggregation.NONE:
        errors["aggregation"] = _("A text indicator cannot be aggregated; choose 'Not aggregated'.")
    if obj.aggregation == Aggregation.SHARE_YES and obj.value_type != ValueType.BOOLEAN:
        errors["aggregation"] = _("The share of units answering yes needs a yes/no indicator.")
    if obj.value_type in (ValueType.TEXT, ValueType.BOOLEAN):
        if obj.min_value is not None or obj.max_value is not None:
            errors.setdefault("min_value", _("A minimum or maximum applies only to numbers."))
    elif (
        "min_value" not in errors and "max_value" not in errors
        and obj.min_value is not None and obj.max_value is not None and obj.min_value > obj.max_value
    ):
        errors["max_value"] = _("The maximum must not be below the minimum.")
    if obj.aggregation != Aggregation.RATIO:
        obj.numerator_code = obj.denominator_code = ""
        return
    numeric = {
        code for code, vtype in Indicator.objects.filter(form=form).exclude(pk=obj.pk).values_list("code", "value_type")
        if vtype != ValueType.TEXT
    }
    for field in ("numerator_code", "denominator_code"):
        code = getattr(obj, field)
        if not code:
            errors[field] = _("A ratio needs the codes of the indicators above and below the line.")
        elif code == obj.code:
            errors[field] = _("A ratio cannot refer to itself.")
        elif code not in numeric:
            errors[field] = _("%(code)s is not a numeric indicator of this form.") % {"code": code}


QUESTION_FIELDS = ("code", "text", "help_text", "required", "max_length", "section", "order")


@transaction.atomic
def save_question(*, actor: Any, form: ReportForm, data: dict[str, Any], question: Question | None = None) -> Question:
    fresh = _edit_form(actor, form)
    _check_part(question, Question, fresh)
    unknown = set(data) - set(QUESTION_FIELDS)
    if unknown:
        raise TypeError(f"Question fields {sorted(unknown)} cannot be set here")
    creating = question is None
    obj = question or Question(form=fresh)
    errors: dict[str, Any] = {}
    if creating or "code" in data:
        obj.code, err = _check_code(data.get("code"), 50)
        if err:
            errors["code"] = err
        elif Question.objects.filter(form=fresh, code=obj.code).exclude(pk=obj.pk).exists():
            errors["code"] = _("Another question of this form already has the code %(code)s.") % {"code": obj.code}
    if creating or "text" in data:
        obj.text, err = _text(data.get("text"), 500, required=True)
        if err:
            errors["text"] = err
    if "help_text" in data:
        obj.help_text, err = _text(data["help_text"], 5000, multiline=True)
        if err:
            errors["help_text"] = err
    if "required" in data:
        obj.required = bool(data["required"])
    if "max_length" in data and data["max_length"] not in (None, ""):
        if not _is_int(data["max_length"]) or not 1 <= data["max_length"] <= 100000:
            errors["max_length"] = _("Enter a whole number between 1 and 100000.")
        else:
            obj.max_length = data["max_length"]
    if "section" in data:
        obj.section = _section_of(data["section"], fresh, errors)
    if "order" in data or creating:
        obj.order = _order(data.get("order"), Question.objects.filter(form=fresh), errors)
    _raise(errors)
    obj.save()
    audit.record("reports.form.question", actor=actor, obj=fresh, org_unit=fresh.owner,
                 summary={"question": obj.pk, "code": obj.code, "new": creating})
    return obj


def _numeric_codes(form: ReportForm) -> set[str]:
    return {
        code for code, vtype in Indicator.objects.filter(form=form).values_list("code", "value_type")
        if vtype != ValueType.TEXT
    }


def _rule_side(value: Any, numeric: set[str]) -> tuple[list[str], str]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
        return [], _("Give at least one indicator code.")
    codes = [clean_text(c) if isinstance(c, str) else "" for c in value]
    missing = [c or "?" for c in codes if c not in numeric]
    if missing:
        return codes, _("Not numeric indicators of this form: %(codes)s.") % {"codes": ", ".join(missing)}
    return codes, ""


@transaction.atomic
def save_rule(
    *, actor: Any, form: ReportForm, left: list[str], operator: str, right: list[str], message: str = "",
    rule: CrossRule | None = None,
) -> CrossRule:
    """A rule across indicators, e.g. resolved ≤ received; both sides are sums of numeric indicators."""
    fresh = _edit_form(actor, form)
    _check_part(rule, CrossRule, fresh)
    errors: dict[str, Any] = {}
    numeric = _numeric_codes(fresh)
    left_codes, err = _rule_side(left, numeric)
    if err:
        errors["left"] = err
    right_codes, err = _rule_side(right, numeric)
    if err:
        errors["right"] = err
    if operator not in Comparison.values:
        errors["operator"] = _("Choose a valid comparison.")
    message, err = _text(message, 255)
    if err:
        errors["message"] = err
    _raise(errors)
    obj = rule or CrossRule(form=fresh, order=_next_order(CrossRule.objects.filter(form=fresh)))
    obj.left, obj.operator, obj.right, obj.message = left_codes, operator, right_codes, message
    obj.save()
    audit.record("reports.form.rule", actor=actor, obj=fresh, org_unit=fresh.owner,
                 summary={"rule": obj.pk, "left": left_codes, "operator": operator, "right": right_codes})
    return obj


@transaction.atomic
def delete_form_part(*, actor: Any, form: ReportForm, part: Any) -> None:
    """Remove a section, indicator, question or rule of a draft; refused while others refer to an indicator."""
    fresh = _edit_form(actor, form)
    if not isinstance(part, (FormSection, Indicator, Question, CrossRule)) or part.form_id != fresh.pk:
        raise ValidationError({NON_FIELD_ERRORS: _("This part belongs to another form.")})
    if isinstance(part, Indicator):
        users = [
            i.code for i in Indicator.objects.filter(form=fresh).exclude(pk=part.pk)
            .filter(Q(numerator_code=part.code) | Q(denominator_code=part.code))
        ]
        users += [str(r) for r in CrossRule.objects.filter(form=fresh) if part.code in (*r.left, *r.right)]
        if users:
            raise ValidationError({NON_FIELD_ERRORS: _("%(code)s is used by %(users)s; change those first.") % {
                "code": part.code, "users": ", ".join(users)}})
    summary = {"part": part._meta.model_name, "id": part.pk, "label": str(part)}
    part.delete()
    audit.record("reports.form.delete_part", actor=actor, obj=fresh, org_unit=fresh.owner, summary=summary)


def form_problems(form: ReportForm) -> dict[str, str]:
    """What stops a form from being published, by field or indicator code."""
    errors: dict[str, str] = {}
    indicators = list(Indicator.objects.filter(form=form).values_list("code", "value_type", "aggregation",
                                                                        "numerator_code", "denominator_code"))
    if not indicators:
        errors[NON_FIELD_ERRORS] = _("A form needs at least one indicator before it is published.")
        return errors
    numeric = {code for code, vtype, *_rest in indicators if vtype != ValueType.TEXT}
    for code, _vtype, aggregation, num, den in indicators:
        if aggregation == Aggregation.RATIO and (num not in numeric or den not in numeric or code in (num, den)):
            errors[code] = _("The ratio %(code)s must divide two other numeric indicators of this form.") % {"code": code}
    for rule in CrossRule.objects.filter(form=form):
        missing = [c for c in (*rule.left, *rule.right) if c not in numeric]
        if missing or not rule.left or not rule.right:
            errors[f"rule-{rule.pk}"] = _("The rule %(rule)s refers to codes that are not numeric indicators: "
                                          "%(codes)s.") % {"rule": str(rule), "codes": ", ".join(missing)}
    return errors


@transaction.atomic
def publish_form(*, actor: Any, form: ReportForm) -> ReportForm:
    """Freeze the draft. Older versions stay published: regimes that use them keep working."""
    fresh = _edit_form(actor, form)
    if actor is not None and not actor.has_perm("reports.publish_form", fresh):
        raise PermissionDenied(_("You are not allowed to publish report forms of this unit."))
    _raise(form_problems(fresh))
    fresh.status = FormStatus.PUBLISHED
    fresh.published_at = timezone.now()
    fresh.save(update_fields=["status", "published_at", "updated_at"])
    form.status, form.published_at = fresh.status, fresh.published_at
    audit.record("reports.form.publish", actor=actor, obj=fresh, org_unit=fresh.owner,
                 summary={"code": fresh.code, "version": fresh.version})
    return fresh


@transaction.atomic
def new_form_version(*, actor: Any, form: ReportForm) -> ReportForm:
    """A draft copy (sections, indicators, questions, rules) numbered one above the highest version."""
    source = _lock_form(form)
    _require_form_owner(actor, source)
    if actor is not None and not actor.has_perm("reports.new_form_version", source):
        raise PermissionDenied(_("You are not allowed to change report forms of this unit."))
    # Lock every version of the code so that two officers cannot both make version n+1.
    versions = list(ReportForm.objects.select_for_update().filter(code=source.code).values_list("version", "status"))
    drafts = [v for v, status in versions if status == FormStatus.DRAFT]
    if drafts:
        raise ValidationError({NON_FIELD_ERRORS: _("A draft version of this form already exists (version %(v)d).") % {
            "v": drafts[0]}})
    new = ReportForm.objects.create(
        code=source.code, version=max(v for v, _s in versions) + 1, name=source.name,
        description=source.description, owner=source.owner, created_by=_creator(actor),
    )
    sections: dict[int, FormSection] = {}
    for s in FormSection.objects.filter(form=source).order_by("pk"):
        sections[s.pk] = FormSection.objects.create(form=new, number=s.number, title=s.title, order=s.order)

    def section(pk: int | None) -> FormSection | None:
        return sections.get(pk) if pk is not None else None

    Indicator.objects.bulk_create([
        Indicator(
            form=new, section=section(i.section_id), code=i.code, name=i.name, unit=i.unit, value_type=i.value_type,
            aggregation=i.aggregation, numerator_code=i.numerator_code, denominator_code=i.denominator_code,
            required=i.required, min_value=i.min_value, max_value=i.max_value, prefill_source=i.prefill_source,
            help_text=i.help_text, order=i.order,
        )
        for i in Indicator.objects.filter(form=source).order_by("pk")
    ])
    Question.objects.bulk_create([
        Question(form=new, section=section(q.section_id), code=q.code, text=q.text, help_text=q.help_text,
                 required=q.required, max_length=q.max_length, order=q.order)
        for q in Question.objects.filter(form=source).order_by("pk")
    ])
    CrossRule.objects.bulk_create([
        CrossRule(form=new, left=list(r.left), operator=r.operator, right=list(r.right), message=r.message,
                  order=r.order)
        for r in CrossRule.objects.filter(form=source).order_by("pk")
    ])
    audit.record("reports.form.new_version", actor=actor, obj=new, org_unit=new.owner,
                 summary={"code": new.code, "version": new.version, "source": source.pk})
    return new
