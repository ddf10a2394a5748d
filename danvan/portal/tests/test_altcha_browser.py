"""ALTCHA in a real browser (headless Chromium): the widget loads from /static, solves, and the form is sent.

Run: DJANGO_SETTINGS_MODULE=danvan.settings.test .venv/bin/pytest -q -m browser danvan/portal/tests/test_altcha_browser.py
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core.cache import cache

from danvan.petitions.models import Petition
from tests.browser.support import PageWatch, describe_violations, run_axe, serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _file(page: Any, base: str, unit: Any) -> float:
    """Fill the filing form as a citizen and press Send; the seconds from the click to the confirmation."""
    page.goto(f"{base}/public/petitions/submit/?unit={unit.pk}")
    page.wait_for_function("() => customElements.get('altcha-widget') !== undefined")
    page.locator("input[name=kind]").first.check()
    page.fill("#id_summary", "Đề nghị sửa đường vào bản")
    page.fill("#id_content", "Đường hỏng nặng sau mưa lũ")
    page.fill("#id_name", "Giàng A Páo")
    page.locator("#id_consent").check()
    started = time.monotonic()
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url("**/public/petitions/submitted/", timeout=60_000)
    return time.monotonic() - started


def test_widget_solves_and_the_petition_is_filed(page: Any, live_server: Any, tree: dict[str, Any]) -> None:
    cache.clear()
    base = str(live_server.url)
    watch = PageWatch(page, base)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) and
            not r.url.startswith(("data:", "blob:")) else None)
    challenges: list[str] = []
    page.on("request", lambda r: challenges.append(r.url) if "/public/altcha/challenge" in r.url else None)

    took = _file(page, base, tree["A1"])
    p = Petition.objects.get()
    assert p.org_unit == tree["A1"] and p.channel == "online"
    assert len(challenges) == 1 and not outside, outside
    assert page.locator("[data-testid=tracking-secret]").count() == 1
    assert urlparse(page.url).path == "/public/petitions/submitted/"
    watch.assert_clean()
    print(f"\nALTCHA (test cost) click-to-confirmation: {took:.2f} s")  # noqa: T201


def test_widget_in_vietnamese_and_production_cost(page: Any, live_server: Any, tree: dict[str, Any],
                                                   settings: Any) -> None:
    """With the production cost the check still completes in seconds on this machine; its strings are Vietnamese."""
    cache.clear()
    settings.DANVAN_ALTCHA_COST = 1000
    settings.DANVAN_ALTCHA_MAX_COUNTER = 2000
    base = str(live_server.url)
    watch = PageWatch(page, base)
    page.goto(f"{base}/public/petitions/submit/")
    page.wait_for_function("() => customElements.get('altcha-widget') !== undefined")
    widget = page.locator("altcha-widget")
    assert widget.count() == 1
    # Solve on demand (what "Send" does first), then read the state and the visible label.
    state = page.evaluate("""async () => {
        const w = document.querySelector('altcha-widget');
        const t0 = performance.now();
        const result = await w.verify();
        return {state: w.getState(), ms: performance.now() - t0, payload: !!(result && result.payload),
                text: w.innerText, hidden: document.querySelector('input[type=hidden][name=altcha]')?.value?.length};
    }""")
    assert state["state"] == "verified" and state["payload"] and state["hidden"] > 100, state
    assert "Đã xác minh" in state["text"] or "xác minh" in state["text"].lower(), state["text"]
    watch.assert_clean()
    print(f"\nALTCHA (production cost) solve in Chromium: {state['ms']:.0f} ms; text: {state['text']!r}")  # noqa: T201


def test_keyboard_and_axe(page: Any, live_server: Any, tree: dict[str, Any], settings: Any) -> None:
    """The widget's checkbox is reached with Tab and ticked with Space; axe finds nothing serious, before
    and after the check, on the filing and tracking pages and on the 429 page."""
    cache.clear()
    base = str(live_server.url)
    watch = PageWatch(page, base)
    page.goto(f"{base}/public/petitions/track/")
    page.wait_for_function("() => customElements.get('altcha-widget') !== undefined")
    page.wait_for_selector("altcha-widget input[type=checkbox]")
    found = {"track": serious(run_axe(page, base))}
    page.focus("#id_secret")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.closest('altcha-widget') !== null"):
            break
    assert page.evaluate("() => document.activeElement?.type") == "checkbox"
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('altcha-widget').getState() === 'verified'")
    found["track, verified"] = serious(run_axe(page, base))
    page.goto(f"{base}/public/petitions/submit/?unit={tree['A1'].pk}")
    page.wait_for_selector("altcha-widget input[type=checkbox]")
    found["submit"] = serious(run_axe(page, base))
    watch.expect_status("/public/petitions/submit/", 400)
    with page.expect_navigation():  # empty form: the check runs, then the errors come back
        page.locator("main form[method=post] button[type=submit]").click()
    assert page.locator(".has-error").count() >= 3
    page.wait_for_selector("altcha-widget input[type=checkbox]")
    found["submit with errors"] = serious(run_axe(page, base))
    settings.DANVAN_PUBLIC_RATE_LIMITS = {"petitions_track": (0, 600)}
    watch.expect_status("/public/petitions/track/", 429)
    page.goto(f"{base}/public/petitions/track/")
    page.wait_for_selector("altcha-widget input[type=checkbox]")
    page.fill("#id_code", "PA00000000")
    page.fill("#id_secret", "x")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_selector("[data-testid=too-many]")
    found["429"] = serious(run_axe(page, base))
    bad = {k: v for k, v in found.items() if v}
    assert not bad, "\n".join(f"--- {k}\n{describe_violations(v)}" for k, v in bad.items())
    watch.assert_clean()
