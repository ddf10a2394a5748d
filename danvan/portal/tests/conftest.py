"""Fixtures of the portal tests: an empty cache around each test, a head with personal contact data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

HEAD_NAME, HEAD_POSITION, HEAD_PHONE = "Nguyễn Văn Chủ", "Chủ tịch UBND tỉnh", "0987 654 321"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def head(tree: dict[str, Any], make_user: Any) -> Any:
    return make_user("chu_tich_tinh", (tree["A"], "head"), full_name=HEAD_NAME, position=HEAD_POSITION,
                     phone=HEAD_PHONE)
