"""Fixtures for the petitions tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from danvan.petitions import deadlines


@pytest.fixture(autouse=True)
def fresh_rules() -> Iterator[None]:
    """Each test's database is rolled back, so the rules in memory must not outlive it."""
    deadlines.clear_cache()
    yield
    deadlines.clear_cache()


@pytest.fixture
def sysadmin(make_user: Any) -> Any:
    return make_user("quantri", is_superuser=True, is_staff=True)
