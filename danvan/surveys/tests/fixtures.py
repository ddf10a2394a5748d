"""Shared fixtures of the survey tests (builder, responding, results, API): loaded by conftest.py.

The names are stable; other test modules rely on them:

- ``survey_tree``: the ``tree`` of the root conftest (province ``A`` with communes ``A1`` and ``A2``,
  province ``B`` with ``B1``), plus the seeded services under ``"services"`` (code → Service);
- ``officer_user`` (officer of A1), ``head_user`` (head of A1), ``reception_user`` (reception
  officer of A1), ``viewer_user`` (viewer of A1), ``other_commune_user`` (officer of A2, the
  sibling commune), ``province_user`` (officer of province A, covers A1), ``other_province_user``
  (head of B), ``nobody_user`` (no membership);
- ``desks``: two desks of A1 (codes ``quay-1``, ``quay-2``); ``desk`` is the first;
- ``sipas_survey``: the SIPAS template in A1, subject "unit", access "link", no fixed service,
  published (open, version 1 with ``published_at``); the first question (``service``) is a
  required choice over the service codes; ``make_survey`` builds others.

Question choices are stored as ``[{"value": code, "label": text}, …]``; an answer to a choice
question is the value (a list of values for "multi"). Likert answers are ints 1–5.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps

from danvan.surveys import services
from danvan.surveys.models import Desk, Service, Survey


def load_services() -> None:
    """Transactional tests start after a flush that removed the seeded services: put them back."""
    if not Service.objects.exists():
        import_module("danvan.surveys.migrations.0002_services").add(apps, None)


@pytest.fixture
def survey_tree(tree: dict[str, Any], no_mfa: Any) -> dict[str, Any]:
    load_services()
    return {**tree, "services": {s.code: s for s in Service.objects.all()}}


@pytest.fixture
def officer_user(survey_tree: dict[str, Any], make_user: Any) -> Any:
    return make_user("canbo_a1", (survey_tree["A1"], "officer"))


@pytest.fixture
def head_user(survey_tree: dict[str, Any], make_user: Any) -> Any:
    return make_user("chutich_a1", (survey_tree["A1"], "head"))


@pytest.fixture
def reception_user(survey_tree: dict[str, Any], make_user: Any) -> Any:
    return make_user("tiepdan_a1", (survey_tree["A1"], "reception_officer"))


@pytest.fixture
def viewer_user(survey_tree: dict[str, Any], make_user: Any) -> Any:
    return make_user("xem_a1", (survey_tree["A1"], "viewer"))


@pytest.fixture
def other_commune_user(survey_tree: dict[str, Any], make_user: Any) -> Any:
    return make_user("canbo_a2", (survey_tree["A2"], "officer"))


@pytest.fixture
def province_user(survey_tree: dict[str, Any], make_user: Any) -> Any:
    return make_user("canbo_tinh_a", (survey_tree["A"], "officer"))


@pytest.fixture
def other_province_user(survey_tree: dict[str, Any], make_user: Any) -> Any:
    return make_user("chutich_b", (survey_tree["B"], "head"))


@pytest.fixture
def nobody_user(survey_tree: dict[str, Any], make_user: Any) -> Any:
    return make_user("khongai")


@pytest.fixture
def desks(survey_tree: dict[str, Any]) -> list[Desk]:
    return [
        services.create_desk(actor=None, org_unit=survey_tree["A1"], code="quay-1", name="Quầy 1 — Tư pháp, hộ tịch"),
        services.create_desk(actor=None, org_unit=survey_tree["A1"], code="quay-2", name="Quầy 2 — Đất đai"),
    ]


@pytest.fixture
def desk(desks: list[Desk]) -> Desk:
    return desks[0]


@pytest.fixture
def make_survey(survey_tree: dict[str, Any]) -> Callable[..., Survey]:
    """``make_survey(unit=None, publish=True, **create_survey kwargs)``; defaults: SIPAS in A1."""

    def make(unit: Any = None, *, publish: bool = True, **kwargs: Any) -> Survey:
        kwargs.setdefault("title", "Khảo sát sự hài lòng của người dân")
        kwargs.setdefault("template", "sipas")
        survey = services.create_survey(actor=None, org_unit=unit or survey_tree["A1"], **kwargs)
        if publish:
            services.publish(actor=None, survey=survey, expected_version=survey.lock_version)
        return survey

    return make


@pytest.fixture
def sipas_survey(make_survey: Callable[..., Survey], desks: list[Desk]) -> Survey:
    return make_survey(title="Khảo sát SIPAS tại bộ phận một cửa xã Bình Lư")
