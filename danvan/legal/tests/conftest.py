"""Helpers of the registry's tests: documents registered by the system, plans citing them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def register(db: Any) -> Callable[..., Any]:
    from danvan.legal.services import register_document

    def make(ref: str = "", *, doc_type: str = "Chỉ thị", issued_on: Any = None, issuer: str = "", title: str = "",
             actor: Any = None, number: str | None = None, symbol: str = "") -> Any:
        return register_document(
            actor=actor, doc_type=doc_type, number=ref if number is None else number, symbol=symbol,
            issued_on=issued_on, issuer=issuer, title=title,
        )

    return make


@pytest.fixture
def cite(db: Any) -> Callable[..., Any]:
    """``cite(unit, doc, ...)``: a plan of ``unit`` whose legal bases are the given documents."""
    from danvan.plans.models import Plan, PlanLegalBasis

    counter = {"n": 0}

    def make(unit: Any, *docs: Any, title: str = "", year: int = 2025, number: int | None = None, **extra: Any) -> Any:
        counter["n"] += 1
        plan = Plan.objects.create(
            issuer=unit, title=title or f"Kế hoạch công tác dân vận {counter['n']}", year=year, number=number,
            number_year=year if number else None, **extra,
        )
        for i, doc in enumerate(docs):
            PlanLegalBasis.objects.create(plan=plan, document=doc, order=i)
        return plan

    return make
