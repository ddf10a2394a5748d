"""Working with units in the browser: switching the unit worked for, browsing the tree, searching."""

from __future__ import annotations

from typing import Any

import pytest

from .support import login, path_of, screenshot, text_of, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def breadcrumb(page: Any) -> list[str]:
    return [" ".join(t.split()) for t in page.locator("nav.breadcrumb li").all_inner_texts()]


def test_user_with_two_units_switches_and_the_header_follows(watch: Any, base: str, people: dict[str, Any]) -> None:
    page = watch.page
    login(page, base, "haidonvi")
    page.goto(url(base, "/units/"))
    assert text_of(page, "[data-testid=current-unit]").endswith("Phường Tân Phong")
    page.locator("details.switch-unit summary").click()
    switcher = page.locator("#unit-switch")
    assert page.locator("label[for=unit-switch]").count() == 1
    assert sorted(switcher.locator("option").all_inner_texts()) == ["Phường Bắc Kạn", "Phường Tân Phong"]
    switcher.select_option(label="Phường Bắc Kạn")
    screenshot(page, "switcher-open", full_page=False)
    with page.expect_navigation():
        page.locator(".switch-form button[type=submit]").click()
    assert path_of(page) == "/units/"  # back where the user was
    assert text_of(page, "[data-testid=current-unit]").endswith("Phường Bắc Kạn")
    assert page.locator("#unit-switch option[selected]").text_content() == "Phường Bắc Kạn"
    # The choice lasts for the session.
    page.goto(url(base, "/"))
    assert text_of(page, "[data-testid=current-unit]").endswith("Phường Bắc Kạn")
    watch.assert_clean()


def test_browse_from_the_list_to_a_commune_with_a_breadcrumb(watch: Any, base: str, people: dict[str, Any]) -> None:
    page = watch.page
    login(page, base, "haitinh")
    page.goto(url(base, "/units/"))
    with page.expect_navigation():
        page.get_by_role("link", name="Tỉnh Thái Nguyên").click()
    assert text_of(page, "h1") == "Tỉnh Thái Nguyên"
    assert breadcrumb(page)[-1].endswith("Tỉnh Thái Nguyên")
    with page.expect_navigation():
        page.locator("main table").get_by_role("link", name="Phường Bắc Kạn").click()
    assert text_of(page, "h1") == "Phường Bắc Kạn"
    crumbs = breadcrumb(page)
    assert len(crumbs) == 3
    assert "Tỉnh Thái Nguyên" in crumbs[1] and "Phường Bắc Kạn" in crumbs[2]
    assert page.locator("nav.breadcrumb [aria-current=page]").inner_text().strip() == "Phường Bắc Kạn"
    # The breadcrumb leads back up.
    with page.expect_navigation():
        page.locator("nav.breadcrumb").get_by_role("link", name="Tỉnh Thái Nguyên").click()
    assert text_of(page, "h1") == "Tỉnh Thái Nguyên"
    watch.assert_clean()


def test_search_without_diacritics_finds_the_unit(watch: Any, base: str, people: dict[str, Any]) -> None:
    page = watch.page
    login(page, base, "haitinh")
    page.goto(url(base, "/units/"))
    search = page.locator("main form[role=search] input[type=search]")
    search.fill("bac kan")
    with page.expect_navigation():
        search.press("Enter")
    results = page.locator("main table tbody")
    assert "Phường Bắc Kạn" in results.inner_text()
    assert "Phường Tân Phong" not in results.inner_text()
    assert search.input_value() == "bac kan"  # the query stays in the box
    screenshot(page, "search")
    watch.assert_clean()
