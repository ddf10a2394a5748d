from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def officer(tree: dict[str, Any], make_user: Any) -> Any:
    """A commune officer: a staff role that must use two-factor under the default settings."""
    return make_user("canbo.binhlu", (tree["A1"], "officer"))


@pytest.fixture
def viewer(tree: dict[str, Any], make_user: Any) -> Any:
    return make_user("xem.binhlu", (tree["A1"], "viewer"))
