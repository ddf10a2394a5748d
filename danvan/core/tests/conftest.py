"""Fixtures for the shared kernel's tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from danvan.core import calendar


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    """Each test's database is rolled back, so the calendar must not remember another test's exceptions."""
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture
def sysadmin(make_user: Any) -> Any:
    return make_user("quantri", is_superuser=True, is_staff=True)
