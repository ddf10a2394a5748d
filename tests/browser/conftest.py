"""Browser tests: people and a tree they work in, a page that reports every broken asset.

The live server runs in another thread, so these tests use transactional databases, and the flush
after each one also removes the rows the migrations seed (unit kinds). ``serialized_rollback`` is not
reliable here: when other database tests run first in the same session, the serialized copy is missing
from the connection these tests use (seen on SQLite and PostgreSQL), so the root conftest's
``_sqlite_audit_triggers`` fixture puts the rows back before each transactional test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .support import PageWatch, give_totp


@pytest.fixture
def base(live_server: Any) -> str:
    return str(live_server.url)


@pytest.fixture
def watch(page: Any, base: str) -> Iterator[PageWatch]:
    """The page, watched: a test ends with ``watch.assert_clean()``; anything left over fails the teardown."""
    w = PageWatch(page, base)
    yield w
    w.assert_clean()


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any) -> dict[str, Any]:
    """An officer with TOTP, a viewer, a user in two communes, a viewer of two provinces, a province admin with TOTP."""
    officer = make_user("canbo", (tree["A1"], "officer"), full_name="Nguyễn Văn An")
    viewer = make_user("xem", (tree["A2"], "viewer"), full_name="Trần Thị Bình")
    two = make_user("haidonvi", (tree["A2"], "viewer"), (tree["B1"], "viewer"), full_name="Lê Văn Cường")
    admin = make_user("quantri", (tree["A"], "admin"), full_name="Phạm Thị Dung")
    provinces = make_user("haitinh", (tree["A"], "viewer"), (tree["B"], "viewer"), full_name="Hoàng Văn Em")
    return {
        "officer": officer, "officer_secret": give_totp(officer),
        "viewer": viewer,
        "two": two,
        "provinces": provinces,
        "admin": admin, "admin_secret": give_totp(admin),
    }
