"""axe-core on every page of the foundation: no serious or critical violation anywhere.

Each test walks several pages and reports all of their violations together, so one run shows
everything that needs fixing.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .support import describe_violations, login, path_of, run_axe, screenshot, serious, totp_code, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Audit:
    """Runs axe on each page visited and keeps what it found, keyed by a readable label."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.found: dict[str, list[dict[str, Any]]] = {}

    def check(self, label: str, expect_path: str | None = None) -> None:
        if expect_path is not None:
            assert path_of(self.page) == expect_path, f"{label}: expected {expect_path}, got {self.page.url}"
        assert self.page.locator("h1").count() == 1, f"{label}: a page has exactly one h1"
        self.found[label] = serious(run_axe(self.page, self.base))
        screenshot(self.page, "page-" + re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-"))

    def visit(self, label: str, path: str) -> None:
        self.page.goto(url(self.base, path))
        self.check(label, expect_path=path)

    def assert_clean(self) -> None:
        bad = {label: v for label, v in self.found.items() if v}
        report = "\n".join(f"--- {label}\n{describe_violations(v)}" for label, v in bad.items())
        assert not bad, f"axe-core: serious or critical violations on {len(bad)} page(s):\n{report}"


def test_pages_without_login(watch: Any, base: str) -> None:
    audit = Audit(watch.page, base)
    audit.visit("log-in", "/accounts/login/")
    # A failed log-in shows errors; they must be announced and tied to the form.
    watch.page.fill("#id_login", "khongco")
    watch.page.fill("#id_password", "sai-mat-khau-123456")
    with watch.page.expect_navigation():
        watch.page.locator("main form button[type=submit]").click()
    assert watch.page.locator("main .errors[role=alert]").count() == 1
    audit.check("log-in with an error", expect_path="/accounts/login/")
    watch.expect_status("/khong-co-trang-nay/", 404)
    audit.visit("404 (anonymous)", "/khong-co-trang-nay/")
    audit.assert_clean()
    watch.assert_clean()


def test_pages_of_a_staff_user(watch: Any, base: str, people: dict[str, Any], tree: dict[str, Any]) -> None:
    page = watch.page
    audit = Audit(page, base)
    page.goto(url(base, "/accounts/login/"))
    page.fill("#id_login", "canbo")
    page.fill("#id_password", "mat-khau-rat-dai-2026")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    audit.check("two-factor authenticate", expect_path="/accounts/2fa/authenticate/")
    page.fill("#id_code", totp_code(people["officer_secret"]))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    audit.check("home", expect_path="/")
    audit.visit("units tree", "/units/")
    audit.visit("unit detail", f"/units/{tree['A1'].pk}/")
    page.goto(url(base, "/units/?q=binh+lu"))
    audit.check("search results")
    audit.visit("profile", "/account/")
    audit.visit("API tokens", "/account/tokens/")
    audit.visit("two-factor overview", "/accounts/2fa/")
    audit.visit("password change", "/accounts/password/change/")
    audit.visit("deadline calculator", "/petitions/deadlines/")
    page.goto(url(base, "/petitions/deadlines/?kind=complaint&received=10%2F07%2F2026&accepted=21%2F07%2F2026&round=1"))
    assert "21/07/2026" in page.inner_text("main")  # the acceptance is due on Tuesday 21/07/2026
    audit.check("deadline calculator result")
    watch.expect_status("/khong-co-trang-nay/", 404)
    audit.visit("404 (logged in)", "/khong-co-trang-nay/")
    watch.expect_status("/audit/", 403)
    audit.visit("403 (audit log for a non-admin)", "/audit/")
    audit.assert_clean()
    watch.assert_clean()


def test_totp_activation_and_recovery_codes(watch: Any, base: str, tree: dict[str, Any], make_user: Any) -> None:
    make_user("moi", (tree["A1"], "head"))
    page = watch.page
    audit = Audit(page, base)
    login(page, base, "moi")
    audit.check("TOTP activation", expect_path="/accounts/2fa/totp/activate/")
    page.fill("#id_code", totp_code(page.input_value("#authenticator_secret")))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    audit.check("recovery codes after activation")
    audit.assert_clean()
    watch.assert_clean()


def test_audit_log_as_admin(watch: Any, base: str, people: dict[str, Any], tree: dict[str, Any]) -> None:
    from django.db import transaction

    from danvan.core import audit as audit_log

    with transaction.atomic():
        audit_log.record(
            "orgs.unit.update", actor=people["admin"], obj=tree["A1"], org_unit=tree["A1"], summary={"name": "Xã Bình Lư"}
        )
    page = watch.page
    audit = Audit(page, base)
    login(page, base, "quantri", totp_secret=people["admin_secret"])
    audit.visit("audit log", "/audit/")
    assert "orgs.unit.update" in page.locator("[data-testid=audit-events]").inner_text()
    screenshot(page, "audit-log")
    audit.assert_clean()
    watch.assert_clean()
