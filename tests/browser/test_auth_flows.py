"""Logging in through the real forms: staff with two-factor, viewers without, first TOTP set-up."""

from __future__ import annotations

from typing import Any

import pytest

from .support import login, path_of, screenshot, text_of, totp_code, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_logs_in_with_password_then_totp_and_sees_their_roles(
    watch: Any, base: str, people: dict[str, Any]
) -> None:
    page = watch.page
    page.goto(url(base, "/accounts/login/"))
    page.fill("#id_login", "canbo")
    page.fill("#id_password", "mat-khau-rat-dai-2026")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    # The password alone is not enough: the two-factor step, with a labelled code field.
    assert path_of(page) == "/accounts/2fa/authenticate/"
    assert page.locator("label[for=id_code]").count() == 1
    screenshot(page, "two-factor")
    page.fill("#id_code", totp_code(people["officer_secret"]))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert path_of(page) == "/"
    assert "Nguyễn Văn An" in text_of(page, "h1")
    roles = text_of(page, "[data-testid=roles]")
    assert "Xã Bình Lư" in roles
    assert "Officer" in roles or "Cán bộ" in roles  # English until the Vietnamese catalogue lands
    assert text_of(page, "[data-testid=current-unit]").endswith("Xã Bình Lư")
    screenshot(page, "home")
    watch.assert_clean()


def test_wrong_totp_code_keeps_the_user_out(watch: Any, base: str, people: dict[str, Any]) -> None:
    page = watch.page
    page.goto(url(base, "/accounts/login/"))
    page.fill("#id_login", "canbo")
    page.fill("#id_password", "mat-khau-rat-dai-2026")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    good = totp_code(people["officer_secret"])
    page.fill("#id_code", "000000" if good != "000000" else "111111")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert path_of(page) == "/accounts/2fa/authenticate/"
    assert page.locator("#id_code[aria-invalid=true]").count() == 1
    assert page.locator("#id_code_error").count() == 1  # read with the field via aria-describedby
    page.goto(url(base, "/"))  # not logged in: back to the pending two-factor step
    assert path_of(page) == "/accounts/2fa/authenticate/"
    watch.assert_clean()


def test_viewer_logs_in_without_two_factor(watch: Any, base: str, people: dict[str, Any]) -> None:
    page = watch.page
    login(page, base, "xem")
    assert path_of(page) == "/"
    assert "Phường Tân Phong" in text_of(page, "[data-testid=roles]")
    # No unit switcher for a single unit.
    assert page.locator("#unit-switch").count() == 0
    watch.assert_clean()


def test_staff_without_totp_must_set_it_up_first(watch: Any, base: str, tree: dict[str, Any], make_user: Any) -> None:
    make_user("moi", (tree["A1"], "head"))
    page = watch.page
    login(page, base, "moi")
    # Straight to the set-up page: no second password prompt right after logging in.
    assert path_of(page) == "/accounts/2fa/totp/activate/"
    secret = page.input_value("#authenticator_secret")
    assert page.locator("label[for=authenticator_secret]").count() == 1
    screenshot(page, "totp-activate")
    page.fill("#id_code", totp_code(secret))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    screenshot(page, "after-totp-activate")
    page.goto(url(base, "/"))
    assert path_of(page) == "/"
    watch.assert_clean()
