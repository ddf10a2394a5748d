"""The portal in headless Chromium: axe-core on every public page, a phone's width, the keyboard, print.

Run: DJANGO_SETTINGS_MODULE=danvan.settings.test .venv/bin/pytest -q -m browser danvan/portal/tests/test_portal_browser.py
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from danvan.orgs import services as org_services
from danvan.orgs.models import UnitSuccession
from danvan.petitions.models import ReceptionSession
from tests.browser.support import (
    PageWatch,
    assert_lang_vi,
    describe_violations,
    horizontal_overflow,
    run_axe,
    serious,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _data(tree: dict[str, Any], kinds: dict[str, Any], make_user: Any) -> Any:
    cache.clear()
    make_user("chu_tich", (tree["A"], "head"), full_name="Nguyễn Văn Chủ", position="Chủ tịch UBND tỉnh")
    ReceptionSession.objects.create(org_unit=tree["A1"], date=timezone.localdate() + dt.timedelta(days=3),
                                    host_name="Lò Văn Thanh", host_title="Chủ tịch UBND xã", by_head=True,
                                    location="Trụ sở UBND xã")
    old = org_services.create_unit(actor=None, kind=kinds["district"], name="Huyện Tam Đường", parent=tree["A"],
                                   audit_event=False, valid_to=dt.date(2025, 6, 30))
    UnitSuccession.objects.create(predecessor=old, successor=tree["A1"], effective_on=dt.date(2025, 7, 1))
    return old


def test_every_public_page_is_accessible_and_fits_a_phone(page: Any, live_server: Any, tree: dict[str, Any],
                                                          kinds: dict[str, Any], make_user: Any) -> None:
    old = _data(tree, kinds, make_user)
    base = str(live_server.url)
    watch = PageWatch(page, base)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((base, "data:", "blob:")) else None)
    page.set_viewport_size({"width": 360, "height": 740})
    watch.expect_status("/public/units/987654/", 404)
    pages = [
        ("home", "/public/"), ("search", "/public/?q=binh+lu"), ("province", f"/public/units/{tree['A'].pk}/"),
        ("commune", f"/public/units/{tree['A1'].pk}/"), ("former unit", f"/public/units/{old.pk}/"),
        ("open data", "/public/data/"), ("open data, bad period", "/public/data/?from=2026-05-01&to=2026-01-01"),
        ("unknown unit", "/public/units/987654/"), ("schedules", "/public/petitions/"),
        ("submit", f"/public/petitions/submit/?unit={tree['A1'].pk}"), ("track", "/public/petitions/track/"),
        ("results", "/public/petitions/results/"),
    ]
    watch.expect_status("/public/data/", 400)
    found: dict[str, list[dict[str, Any]]] = {}
    for label, path in pages:
        page.goto(base + path)
        assert page.locator("h1").count() == 1, label
        assert_lang_vi(page)
        assert horizontal_overflow(page) <= 1, f"{label} is wider than a 360 px phone"
        found[label] = serious(run_axe(page, base))
    bad = {k: v for k, v in found.items() if v}
    assert not bad, "\n".join(f"--- {k}\n{describe_violations(v)}" for k, v in bad.items())
    assert not [u for u in outside if "/static/vendor/axe" not in u], outside
    watch.assert_clean()


def test_keyboard_and_print(page: Any, live_server: Any, tree: dict[str, Any], kinds: dict[str, Any],
                            make_user: Any) -> None:
    _data(tree, kinds, make_user)
    base = str(live_server.url)
    watch = PageWatch(page, base)
    page.goto(f"{base}/public/units/{tree['A1'].pk}/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    # The table of contents is reachable by keyboard and leads to the section.
    toc = page.locator("nav.toc a[href='#s-reception']")
    toc.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#s-reception"
    assert "Lò Văn Thanh" in page.locator("#s-reception").inner_text()
    # Home: search by keyboard only, without diacritics.
    page.goto(f"{base}/public/")
    page.locator("#q").focus()
    page.keyboard.type("binh lu")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator("[data-testid=search-results] a").first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Xã Bình Lư"
    # Printed: the content without navigation.
    page.emulate_media(media="print")
    assert not page.locator(".main-nav").is_visible() and not page.locator("nav.toc").is_visible()
    assert page.locator("h1").is_visible() and page.locator("#s-reception").is_visible()
    watch.assert_clean()
