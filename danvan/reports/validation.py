"""Reading and checking a report's figures and answers, whatever channel they came through.

Values reach us as JSON numbers and booleans (the API) or as strings typed by a person (the
browser grid, an Excel cell formatted as text). One parser serves every channel so that a figure
accepted in the browser is accepted in Excel and the API, and vice versa.

Parsing rules, by indicator type:

- ``None`` or a blank string is *missing* (``None``); a missing figure is not zero.
- count: a whole number from 0 to 10^12. A JSON number must be integral (``12.0`` is fine,
  ``12.5`` is not). A string may group thousands the Vietnamese way, with dots or spaces —
  ``"1234"``, ``"1.234"``, ``"1 234"`` — but one separator throughout; ``"1,5"``, ``"1.5"``,
  ``"abc"`` and negatives are refused.
- percentage: a decimal from 0 to 100; a string may use a comma or a dot as the decimal mark
  (``"12,5"``, ``"12.5"``) and may end in ``%``.
- money: an amount in đồng, 0 or more, whole or decimal. In a string the dot (or a space) groups
  thousands and the comma is the decimal mark: ``"1.500.000"``, ``"1 500 000"``, ``"1500,5"``; a
  trailing ``đ``/``đồng``/``VND`` is allowed. ``"1500.5"`` is ambiguous and refused.
- boolean: ``true``/``false``, ``1``/``0``, or (case-insensitive) ``có``/``không``, ``co``/``khong``,
  ``yes``/``no``, ``x`` (a ticked Excel cell).
- text: a string, stripped, at most 2,000 characters.

Anything of the wrong kind (a list, an object, ``true`` in a number field) is refused. After the
type, the indicator's own ``min_value``/``max_value`` apply. A *ratio* indicator is computed from
its numerator and denominator, so a unit never enters it: a value for it is refused.

Messages are short English msgids translated at call time; the Vietnamese catalogue renders them.

``spec_for`` turns a form into plain frozen data (three queries) so that validation, the grid,
Excel and aggregation do not walk the ORM for every cell. A published form never changes (a change
is a new version), so its spec is cached in this process, keyed by the form's id and checked
against the form's identity (code, version, creation and publication times) so that a reused id
— SQLite reuses them after a rolled-back test — can never serve another form's spec. Drafts are
re-read every time.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from .models import Aggregation, Comparison, CrossRule, FormStatus, Indicator, Question, ReportForm, ValueType

MAX_COUNT = 10**12
MAX_MONEY = 10**15
MAX_TEXT = 2000
ALL = "__all__"


@dataclass(frozen=True)
class IndicatorSpec:
    id: int
    code: str
    name: str
    unit: str
    value_type: str
    aggregation: str
    numerator_code: str
    denominator_code: str
    required: bool
    min_value: float | None
    max_value: float | None
    prefill_source: str
    section_id: int | None
    order: int

    @property
    def is_numeric(self) -> bool:
        return self.value_type != ValueType.TEXT

    @property
    def is_computed(self) -> bool:
        """A ratio is worked out from two other figures; nobody types it."""
        return self.aggregation == Aggregation.RATIO


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    code: str
    text: str
    required: bool
    max_length: int
    section_id: int | None
    order: int


@dataclass(frozen=True)
class RuleSpec:
    left: tuple[str, ...]
    operator: str
    right: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class SectionSpec:
    id: int
    number: str
    title: str
    order: int


@dataclass(frozen=True)
class FormSpec:
    form_id: int
    code: str
    version: int
    sections: tuple[SectionSpec, ...]
    indicators: tuple[IndicatorSpec, ...]
    questions: tuple[QuestionSpec, ...]
    rules: tuple[RuleSpec, ...]
    _by_code: dict[str, IndicatorSpec] = field(init=False, repr=False, compare=False, hash=False)
    _questions_by_code: dict[str, QuestionSpec] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {i.code: i for i in self.indicators})
        object.__setattr__(self, "_questions_by_code", {q.code: q for q in self.questions})

    def indicator(self, code: str) -> IndicatorSpec | None:
        return self._by_code.get(code)

    def question(self, code: str) -> QuestionSpec | None:
        return self._questions_by_code.get(code)

    @property
    def numeric_indicators(self) -> tuple[IndicatorSpec, ...]:
        """Every indicator with a number (ratios included: aggregation computes them)."""
        return tuple(i for i in self.indicators if i.is_numeric)

    @property
    def input_indicators(self) -> tuple[IndicatorSpec, ...]:
        """The indicators a unit fills in (everything but ratios)."""
        return tuple(i for i in self.indicators if not i.is_computed)


# --------------------------------------------------------------------------- spec and its cache

_CACHE: dict[int, tuple[tuple[Any, ...], FormSpec]] = {}


def clear_cache() -> None:
    _CACHE.clear()


def _identity(form: ReportForm) -> tuple[Any, ...]:
    return (form.code, form.version, form.created_at, form.published_at)


def _build(form: ReportForm) -> FormSpec:
    sections: dict[int, SectionSpec] = {}

    def section_of(obj: Indicator | Question) -> int | None:
        s = obj.section
        if s is not None and s.pk not in sections:
            sections[s.pk] = SectionSpec(id=s.pk, number=s.number, title=s.title, order=s.order)
        return obj.section_id

    indicators = tuple(
        IndicatorSpec(
            id=i.pk, code=i.code, name=i.name, unit=i.unit, value_type=i.value_type, aggregation=i.aggregation,
            numerator_code=i.numerator_code, denominator_code=i.denominator_code, required=i.required,
            min_value=i.min_value, max_value=i.max_value, prefill_source=i.prefill_source,
            section_id=section_of(i), order=i.order,
        )
        for i in Indicator.objects.filter(form_id=form.pk).select_related("section").order_by("order", "pk")
    )
    questions = tuple(
        QuestionSpec(
            id=q.pk, code=q.code, text=q.text, required=q.required, max_length=q.max_length,
            section_id=section_of(q), order=q.order,
        )
        for q in Question.objects.filter(form_id=form.pk).select_related("section").order_by("order", "pk")
    )
    rules = tuple(
        RuleSpec(
            left=tuple(str(c) for c in (r.left or [])), operator=r.operator,
            right=tuple(str(c) for c in (r.right or [])), message=r.message,
        )
        for r in CrossRule.objects.filter(form_id=form.pk).order_by("order", "pk")
    )
    return FormSpec(
        form_id=form.pk, code=form.code, version=form.version,
        # Sections are read through their indicators and questions (three queries, not four): a
        # section with nothing in it has nothing to fill and is left out.
        sections=tuple(sorted(sections.values(), key=lambda s: (s.order, s.id))),
        indicators=indicators, questions=questions, rules=rules,
    )


def spec_for(form: ReportForm) -> FormSpec:
    """The form as frozen data; at most three queries, none for a published form seen before."""
    if form.status == FormStatus.DRAFT:
        return _build(form)
    identity = _identity(form)
    hit = _CACHE.get(form.pk)
    if hit is not None and hit[0] == identity:
        return hit[1]
    spec = _build(form)
    _CACHE[form.pk] = (identity, spec)
    return spec


# --------------------------------------------------------------------------- one value

_GROUPED_INT = re.compile(r"^\d{1,3}(?:([. \u00a0\u202f])\d{3})(?:\1\d{3})*$")
_PLAIN_INT = re.compile(r"^\d+$")
_PERCENT = re.compile(r"^(\d+)(?:[.,](\d+))?\s*%?$")
_MONEY_PLAIN = re.compile(r"^\d+(?:,\d+)?$")
_MONEY_GROUPED = re.compile(r"^\d{1,3}(?:([. \u00a0\u202f])\d{3})(?:\1\d{3})*(?:,\d+)?$")
_MONEY_SUFFIX = re.compile(r"\s*(?:đồng|đ|vnđ|vnd)\.?$", re.IGNORECASE)
_YES = {"true", "có", "co", "yes", "1", "x"}
_NO = {"false", "không", "khong", "no", "0"}


def _is_number(raw: Any) -> bool:
    return isinstance(raw, int | float | Decimal) and not isinstance(raw, bool)


def _fmt(x: float) -> str:
    return formats.number_format(int(x) if float(x).is_integer() else x)


def _clean_str(raw: str) -> str:
    return unicodedata.normalize("NFC", raw).strip()


def _negative_text(text: str) -> bool:
    return text.startswith("-") and len(text) > 1


def _parse_count(raw: Any) -> int:
    msg = _("Enter a whole number.")
    if _is_number(raw):
        f = float(raw)
        if not math.isfinite(f) or not f.is_integer():
            raise ValueError(msg)
        if f < 0:
            raise ValueError(_("Must not be negative."))
        if f > MAX_COUNT:
            raise ValueError(_("This number is too large."))
        return int(raw)
    if not isinstance(raw, str):
        raise ValueError(msg)
    text = _clean_str(raw)
    negative = _negative_text(text)
    body = text[1:].strip() if negative else text
    if not (_PLAIN_INT.match(body) or _GROUPED_INT.match(body)):
        raise ValueError(msg)
    if negative:
        raise ValueError(_("Must not be negative."))
    value = int(re.sub(r"\D", "", body))
    if value > MAX_COUNT:
        raise ValueError(_("This number is too large."))
    return value


def _parse_percentage(raw: Any) -> float:
    msg = _("Enter a number between 0 and 100.")
    if _is_number(raw):
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError(msg)
    elif isinstance(raw, str):
        text = _clean_str(raw)
        negative = _negative_text(text)
        m = _PERCENT.match(text[1:].strip() if negative else text)
        if not m:
            raise ValueError(msg)
        value = float(f"{m.group(1)}.{m.group(2) or 0}")
        value = -value if negative else value
    else:
        raise ValueError(msg)
    if not 0 <= value <= 100:
        raise ValueError(_("Must be between %(min)s and %(max)s.") % {"min": _fmt(0), "max": _fmt(100)})
    return value


def _parse_money(raw: Any) -> int | float:
    msg = _("Enter an amount, e.g. 1.500.000.")
    if _is_number(raw):
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError(msg)
    elif isinstance(raw, str):
        text = _MONEY_SUFFIX.sub("", _clean_str(raw))
        negative = _negative_text(text)
        body = text[1:].strip() if negative else text
        if not (_MONEY_PLAIN.match(body) or _MONEY_GROUPED.match(body)):
            raise ValueError(msg)
        whole, _sep, decimals = body.partition(",")
        digits = re.sub(r"\D", "", whole)
        value = float(f"{digits}.{decimals or 0}")
        value = -value if negative else value
    else:
        raise ValueError(msg)
    if value < 0:
        raise ValueError(_("Must not be negative."))
    if value > MAX_MONEY:
        raise ValueError(_("This number is too large."))
    return int(value) if value.is_integer() else value


def _parse_boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if _is_number(raw) and float(raw) in (0.0, 1.0):
        return float(raw) == 1.0
    if isinstance(raw, str):
        text = _clean_str(raw).lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
    raise ValueError(_("Enter yes or no."))


def _parse_text(raw: Any, max_length: int) -> str:
    if _is_number(raw):
        raw = str(raw)
    if not isinstance(raw, str):
        raise ValueError(_("Enter text."))
    text = _clean_str(raw)
    if "\x00" in text:
        raise ValueError(_("Contains characters that are not allowed."))
    if len(text) > max_length:
        raise ValueError(_("Too long (at most %(max)d characters).") % {"max": max_length})
    return text


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _check_bounds(ind: IndicatorSpec, value: float) -> None:
    lo, hi = ind.min_value, ind.max_value
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        if lo is not None and hi is not None:
            raise ValueError(_("Must be between %(min)s and %(max)s.") % {"min": _fmt(lo), "max": _fmt(hi)})
        if lo is not None:
            raise ValueError(_("Must be at least %(min)s.") % {"min": _fmt(lo)})
        raise ValueError(_("Must be at most %(max)s.") % {"max": _fmt(hi or 0)})


def parse_value(ind: IndicatorSpec, raw: Any) -> int | float | bool | str | None:
    """The stored form of one figure (``None`` when missing); ``ValueError(message)`` when bad."""
    if _is_blank(raw):
        return None
    vt = ind.value_type
    value: int | float | bool | str
    if vt == ValueType.COUNT:
        value = _parse_count(raw)
    elif vt == ValueType.PERCENTAGE:
        value = _parse_percentage(raw)
    elif vt == ValueType.MONEY:
        value = _parse_money(raw)
    elif vt == ValueType.BOOLEAN:
        return _parse_boolean(raw)
    elif vt == ValueType.TEXT:
        value = _parse_text(raw, MAX_TEXT)
        return value or None
    else:  # pragma: no cover - the model's choices are closed
        raise ValueError(_("Unknown type of figure."))
    _check_bounds(ind, float(value))
    return value


# --------------------------------------------------------------------------- a whole report


def _unknown(codes: list[str], msgid: str) -> str:
    return msgid % {"codes": ", ".join(sorted(codes))}


def clean_values(spec: FormSpec, raw: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse every figure: (values without missing ones, errors by code; unknown codes under ``__all__``)."""
    if not isinstance(raw, dict):
        return {}, {ALL: _("Expected a mapping of indicator codes to values.")}
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    unknown: list[str] = []
    for key, value in raw.items():
        code = str(key)
        ind = spec.indicator(code)
        if ind is None:
            unknown.append(code)
            continue
        if ind.is_computed:
            if not _is_blank(value):
                errors[code] = _("This figure is computed from other figures; leave it empty.")
            continue
        try:
            parsed = parse_value(ind, value)
        except ValueError as exc:
            errors[code] = str(exc)
            continue
        if parsed is not None:
            cleaned[code] = parsed
    if unknown:
        errors[ALL] = _unknown(unknown, _("Unknown indicator codes: %(codes)s."))
    return cleaned, errors


def clean_answers(spec: FormSpec, raw: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Strip every narrative answer and check its length; blank answers are dropped."""
    if not isinstance(raw, dict):
        return {}, {ALL: _("Expected a mapping of question codes to answers.")}
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    unknown: list[str] = []
    for key, value in raw.items():
        code = str(key)
        q = spec.question(code)
        if q is None:
            unknown.append(code)
            continue
        if _is_blank(value):
            continue
        try:
            cleaned[code] = _parse_text(value, q.max_length)
        except ValueError as exc:
            errors[code] = str(exc)
    if unknown:
        errors[ALL] = _unknown(unknown, _("Unknown question codes: %(codes)s."))
    return cleaned, errors


def _rule_message(spec: FormSpec, rule: RuleSpec) -> str:
    if rule.message:
        return rule.message

    def names(codes: tuple[str, ...]) -> str:
        return " + ".join((ind.name if (ind := spec.indicator(c)) else c) for c in codes)

    params = {"left": names(rule.left), "right": names(rule.right)}
    messages = {
        Comparison.LTE: _("%(left)s must be less than or equal to %(right)s"),
        Comparison.LT: _("%(left)s must be less than %(right)s"),
        Comparison.GTE: _("%(left)s must be greater than or equal to %(right)s"),
        Comparison.GT: _("%(left)s must be greater than %(right)s"),
        Comparison.EQ: _("%(left)s must equal %(right)s"),
    }
    return messages.get(rule.operator, messages[Comparison.LTE]) % params  # type: ignore[call-overload]


def _holds(left: float, operator: str, right: float) -> bool:
    eps = 1e-9 * max(1.0, abs(left), abs(right))
    if operator == Comparison.LTE:
        return left <= right + eps
    if operator == Comparison.LT:
        return left < right - eps
    if operator == Comparison.GTE:
        return left >= right - eps
    if operator == Comparison.GT:
        return left > right + eps
    return abs(left - right) <= eps


def _side(values: dict[str, Any], codes: tuple[str, ...]) -> float | None:
    """The sum of one side; ``None`` when a figure is missing or not a number (the rule is skipped)."""
    total = 0.0
    for code in codes:
        v = values.get(code)
        if v is None or not isinstance(v, int | float):
            return None
        total += float(v)
    return total


def check_for_submission(spec: FormSpec, values: Any, answers: Any) -> dict[str, str]:
    """Everything that must hold before a report is submitted: types, required parts, cross rules.

    A cross rule is checked only when every figure on both sides is there: a missing figure is
    already reported as required if it is, and otherwise the rule cannot be judged.
    """
    cleaned, errors = clean_values(spec, values)
    cleaned_answers, answer_errors = clean_answers(spec, answers)
    for key, msg in answer_errors.items():
        if key == ALL and ALL in errors:
            errors[ALL] = f"{errors[ALL]} {msg}"
        else:
            errors.setdefault(key, msg)
    for ind in spec.indicators:
        if ind.required and not ind.is_computed and ind.code not in cleaned and ind.code not in errors:
            errors[ind.code] = _("This figure is required.")
    for q in spec.questions:
        if q.required and q.code not in cleaned_answers and q.code not in errors:
            errors[q.code] = _("This answer is required.")
    for rule in spec.rules:
        if not rule.left or not rule.right:
            continue
        left, right = _side(cleaned, rule.left), _side(cleaned, rule.right)
        if left is None or right is None or _holds(left, rule.operator, right):
            continue
        errors.setdefault(rule.left[0], _rule_message(spec, rule))
    return errors


def counted_numbers(spec: FormSpec, values: dict[str, Any]) -> list[tuple[int, float]]:
    """(indicator id, number) for each figure that becomes a ``DataValue``: yes/no as 1/0, no text, no ratios."""
    out: list[tuple[int, float]] = []
    for ind in spec.indicators:
        if not ind.is_numeric or ind.is_computed:
            continue
        v = values.get(ind.code)
        if isinstance(v, bool):
            out.append((ind.id, 1.0 if v else 0.0))
        elif isinstance(v, int | float) and math.isfinite(v):
            out.append((ind.id, float(v)))
    return out
