"""The layout itself: language, assets, keyboard use, small screens."""

from __future__ import annotations

from typing import Any

import pytest

from .support import (
    assert_accessible,
    assert_assets_loaded,
    assert_lang_vi,
    horizontal_overflow,
    login,
    path_of,
    screenshot,
    text_of,
    url,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_is_vietnamese_and_served_from_the_server(watch: Any, base: str) -> None:
    page = watch.page
    page.goto(url(base, "/accounts/login/"))
    assert_lang_vi(page)
    assert_assets_loaded(page)
    # Labelled fields: the accessible name comes from a <label for>.
    assert page.get_by_label(text_of(page, "label[for=id_password]")).count() == 1
    assert page.locator("h1").count() == 1
    # Django ships Vietnamese for the password label; allauth does not ship any.
    assert text_of(page, "label[for=id_password]").startswith("Mật khẩu")
    screenshot(page, "login")
    watch.assert_clean()


def test_skip_link_is_first_and_moves_focus_to_main(watch: Any, base: str, people: dict[str, Any]) -> None:
    page = watch.page
    login(page, base, "xem")
    page.goto(url(base, "/"))
    page.keyboard.press("Tab")
    focused = page.evaluate("() => ({cls: document.activeElement.className, href: document.activeElement.getAttribute('href')})")
    assert focused == {"cls": "skip-link", "href": "#main"}
    assert page.evaluate("() => document.activeElement.getBoundingClientRect().top >= 0"), "skip link not shown on focus"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # The next Tab lands inside the content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")
    # Focus is visible: a focus ring (outline or shadow) on the focused element.
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.boxShadow]; }"
    )
    assert ring[0] != "none" or ring[1] != "none", ring
    watch.assert_clean()


def test_login_with_the_keyboard_only(watch: Any, base: str, people: dict[str, Any]) -> None:
    page = watch.page
    page.goto(url(base, "/accounts/login/"))
    page.keyboard.press("Tab")  # skip link
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        el = page.evaluate("() => document.activeElement.id || document.activeElement.tagName")
        order.append(el)
        if el == "id_login":
            page.keyboard.type("xem")
        elif el == "id_password":
            page.keyboard.type("mat-khau-rat-dai-2026")
            break
    assert order[-2:] == ["id_login", "id_password"], order
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page) == "/"
    assert "Trần Thị Bình" in text_of(page, "h1")
    watch.assert_clean()


@pytest.mark.parametrize(
    "path,name",
    [("/", "home-360"), ("/units/", "tree-360"), ("/units/{B}/", "detail-360"), ("/account/tokens/", "tokens-360")],
)
def test_small_screen_has_no_horizontal_scroll(
    watch: Any, base: str, people: dict[str, Any], tree: dict[str, Any], path: str, name: str
) -> None:
    page = watch.page
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, base, "haidonvi")
    page.goto(url(base, path.format(B=tree["B1"].pk)))
    screenshot(page, name)
    assert horizontal_overflow(page) == 0, f"{path} is wider than 360 px"
    assert_accessible(page, base, f"{path} at 360 px")  # scrolling tables must stay reachable by keyboard
    page.locator("details.switch-unit summary").click()  # the open unit switcher fits too
    screenshot(page, name + "-switcher", full_page=False)
    assert horizontal_overflow(page) == 0, f"{path} with the unit switcher open is wider than 360 px"
    watch.assert_clean()


def test_print_leaves_out_navigation_and_forms(watch: Any, base: str, people: dict[str, Any]) -> None:
    page = watch.page
    login(page, base, "haidonvi")
    page.goto(url(base, "/units/"))
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => ['.main-nav', '.switch-unit', '.user-menu', '.site-footer', 'main form']
            .map(s => [s, getComputedStyle(document.querySelector(s)).display])"""
    )
    assert all(display == "none" for _s, display in hidden), hidden
    assert page.locator("[data-testid=current-unit]").is_visible()  # the printout says which unit
    assert page.locator("main table").is_visible()
    watch.assert_clean()
