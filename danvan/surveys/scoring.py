"""The two index masks of a response, computed once when it is saved.

Bit ``b`` of ``element_answered`` is set when the respondent gave at least one satisfaction answer
(a Likert question with aspect *satisfaction*) in the section whose ``element_bit`` is ``b``; bit
``b`` of ``element_satisfied`` when, in addition, the version's rule holds: the mean of those
answers reaches ``satisfied_threshold`` (rule *mean*) or every one of them does (rule *all*).

Keeping this in one function is what lets the index read two integers per response: the public
form, the officer's paper entry, the API and the benchmark's generator all call it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .models import Aspect, ElementRule, Question, QuestionKind


@dataclass(frozen=True)
class ElementQuestions:
    bit: int
    key: str
    question_keys: tuple[str, ...]


@dataclass(frozen=True)
class IndexPlan:
    """What ``masks`` needs of a version, loaded once (cache it per version when scoring in bulk)."""

    threshold: int
    rule: str
    elements: tuple[ElementQuestions, ...]


def plan_for(version: Any) -> IndexPlan:
    """Read the version's index elements and their satisfaction questions (two queries)."""
    sections = list(version.sections.exclude(element_bit=None).order_by("element_bit"))
    questions: dict[int, list[str]] = {s.pk: [] for s in sections}
    for q in (
        Question.objects.filter(section__in=sections, kind=QuestionKind.LIKERT, aspect=Aspect.SATISFACTION)
        .order_by("section_id", "order").values("section_id", "key")
    ):
        questions[q["section_id"]].append(q["key"])
    return IndexPlan(
        threshold=version.satisfied_threshold,
        rule=version.element_rule,
        elements=tuple(ElementQuestions(s.element_bit, s.element_key, tuple(questions[s.pk])) for s in sections),
    )


def masks(plan: IndexPlan, answers: Mapping[str, Any]) -> tuple[int, int]:
    """``(element_answered, element_satisfied)`` of validated answers (Likert values are ints 1–5)."""
    answered = satisfied = 0
    for element in plan.elements:
        values = [answers[k] for k in element.question_keys if isinstance(answers.get(k), int)]
        if not values:
            continue
        answered |= 1 << element.bit
        if plan.rule == ElementRule.ALL:
            ok = all(v >= plan.threshold for v in values)
        else:
            ok = sum(values) >= plan.threshold * len(values)
        if ok:
            satisfied |= 1 << element.bit
    return answered, satisfied


def bits(mask: int) -> Iterable[int]:
    b = 0
    while mask:
        if mask & 1:
            yield b
        mask >>= 1
        b += 1
