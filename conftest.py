"""Fixtures shared by every app's tests: a small two-province tree, users with roles, a browser."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls in browser tests are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("DANVAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture
def kinds(db: Any) -> dict[str, Any]:
    from danvan.orgs.models import OrgKind

    return {k.code: k for k in OrgKind.objects.all()}


@pytest.fixture
def tree(kinds: dict[str, Any]) -> dict[str, Any]:
    """Two provinces, two communes in the first and one in the second, a department and villages.

    ``A`` ─ ``A1`` ─ ``A1v`` ; ``A`` ─ ``A2`` ; ``A`` ─ ``Adep`` ; ``B`` ─ ``B1``
    """
    from danvan.orgs import services

    def mk(key: str, kind: str, name: str, parent: Any, code: str = "") -> Any:
        return services.create_unit(actor=None, kind=kinds[kind], name=name, parent=parent, code=code, audit_event=False)

    t: dict[str, Any] = {}
    t["A"] = mk("A", "province", "Tỉnh Lai Châu", None, "12")
    t["A1"] = mk("A1", "commune", "Xã Bình Lư", t["A"], "03440")
    t["A1v"] = mk("A1v", "village", "Bản Thẳm", t["A1"])
    t["A2"] = mk("A2", "commune", "Phường Tân Phong", t["A"], "03388")
    t["Adep"] = mk("Adep", "department", "Sở Nội vụ", t["A"], "12-SNV")
    t["B"] = mk("B", "province", "Tỉnh Thái Nguyên", None, "19")
    t["B1"] = mk("B1", "commune", "Phường Bắc Kạn", t["B"], "01843")
    return t


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    """``make_user("name", (unit, "admin"), ...)``: a user with the given roles, no MFA required by default."""
    from danvan.accounts.models import User
    from danvan.orgs.models import Membership

    def make(username: str, *grants: tuple[Any, str], password: str = "mat-khau-rat-dai-2026", **extra: Any) -> Any:
        user = User.objects.create_user(username=username, password=password, email=f"{username}@example.vn", **extra)
        for unit, role in grants:
            Membership.objects.create(user=user, org_unit=unit, role=role)
        return user

    return make


@pytest.fixture
def no_mfa(settings: Any) -> None:
    """Most tests are not about two-factor; those that are turn it back on."""
    settings.DANVAN_MFA_REQUIRED_ROLES = []


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/system-packages")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    """Tests roll the database back; the in-memory copies (calendar, deadline rules, subtree sizes) must not outlive them."""
    from danvan.core import calendar
    from danvan.orgs import sizes
    from danvan.petitions import deadlines

    calendar.clear_cache()
    deadlines.clear_cache()
    sizes.forget()
    yield
    calendar.clear_cache()
    deadlines.clear_cache()
    sizes.forget()


def _db_usage(request: Any) -> tuple[bool, bool]:
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(names & {"transactional_db", "live_server"})
    return (marker is not None or bool(names & {"db", "transactional_db", "live_server"})), transactional


@pytest.fixture(autouse=True)
def _sqlite_audit_triggers(request: Any) -> Iterator[None]:
    """Keep the audit log's append-only triggers in place during tests, and out of the way of flushes.

    A transactional test ends with Django emptying every table; SQLite does that with DELETE, which
    the triggers refuse (PostgreSQL uses TRUNCATE, which they allow). So on SQLite the triggers are
    dropped just before that flush and put back at the start of every test.
    """
    uses_db, transactional = _db_usage(request)
    if not uses_db:
        yield
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    if transactional:
        # A transactional test starts after another one's flush, which also removed the rows the
        # migrations seed (unit kinds, legal deadline rules, petition fields); put them back.
        from danvan.orgs.models import OrgKind
        from danvan.petitions.models import DeadlineRule, PetitionField, ReceptionRule

        if not OrgKind.objects.exists():
            import_module("danvan.orgs.migrations.0002_unit_kinds").add_kinds(apps, None)
        if not DeadlineRule.objects.exists():
            import_module("danvan.petitions.migrations.0002_load_deadline_rules").load(apps, None)
        if not DeadlineRule.objects.filter(key="retention").exists():
            import_module("danvan.petitions.migrations.0011_retention_destruction").load(apps, None)
        if not PetitionField.objects.exists():
            import_module("danvan.petitions.migrations.0004_load_fields").load(apps, None)
        if not ReceptionRule.objects.exists():
            import_module("danvan.petitions.migrations.0006_load_reception_rules").load(apps, None)
    if connection.vendor != "sqlite":
        yield
        return
    mig = import_module("danvan.core.migrations.0002_audit_append_only")
    with connection.cursor() as cur:
        for sql in mig.SQLITE:
            cur.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))
    yield
    if transactional:
        with connection.cursor() as cur:
            for sql in mig.SQLITE_REVERSE:
                cur.execute(sql)
