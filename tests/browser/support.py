"""What every browser test needs: logging in, TOTP codes, watching for broken assets, axe-core, layout checks.

Kept free of assertions about Vietnamese wording so the translation can land later: tests that want to
check a text call :func:`text_of` and compare.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.conf import settings

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_STATIC = "/static/vendor/axe/axe.min.js"
PASSWORD = "mat-khau-rat-dai-2026"  # conftest.make_user's default


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app would show now, computed with allauth's own functions."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if at is None:
        # A code typed in the last seconds of its 30-second window may reach the server in the next
        # one, which rejects it (no tolerance); a person would wait for the new code, and so do we.
        left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
        if left < 4:
            time.sleep(left + 0.1)
    counter = int(time.time() if at is None else at) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def give_totp(user: Any) -> str:
    """Activates TOTP for ``user`` as the activation form would, and returns the secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@dataclass
class PageWatch:
    """Collects everything that went wrong while a page was used: console errors, JS errors, failed or 4xx/5xx
    requests. ``expected_status`` lists (path, status) pairs that are the point of a test (a 404 page)."""

    page: Any
    base_url: str
    problems: list[str] = field(default_factory=list)
    expected_status: set[tuple[str, int]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)

    def _console(self, msg: Any) -> None:
        if msg.type != "error":
            return
        text = msg.text
        # Chromium logs the status of an expected error page as a console error too.
        if "the server responded with a status of" in text and any(
            f"status of {status}" in text for _p, status in self.expected_status
        ):
            return
        self.problems.append(f"console error: {text} ({msg.location.get('url', '')})")

    def _failed(self, request: Any) -> None:
        if request.failure == "net::ERR_ABORTED":
            return  # cancelled because the page navigated on (a late favicon); a real 404 shows as a response
        self.problems.append(f"request failed: {request.method} {request.url} {request.failure}")

    def _response(self, response: Any) -> None:
        if response.status < 400:
            return
        path = urlparse(response.url).path
        if (path, response.status) in self.expected_status:
            return
        self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def expect_status(self, path: str, status: int) -> None:
        self.expected_status.add((path, status))

    def assert_clean(self) -> None:
        problems, self.problems = self.problems, []
        assert not problems, "The browser reported problems:\n  " + "\n  ".join(problems)


def url(base: str, path: str) -> str:
    return base.rstrip("/") + path


def login(page: Any, base: str, username: str, password: str = PASSWORD, totp_secret: str | None = None) -> None:
    """Logs in through the real form (and the two-factor step when a secret is given)."""
    page.goto(url(base, "/accounts/login/"))
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if totp_secret is not None:
        assert urlparse(page.url).path == "/accounts/2fa/authenticate/", page.url
        page.fill("#id_code", totp_code(totp_secret))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()


def path_of(page: Any) -> str:
    return urlparse(page.url).path


def text_of(page: Any, selector: str) -> str:
    """The visible text of the first match, whitespace collapsed: compare UI wording with this."""
    return " ".join(page.locator(selector).first.inner_text().split())


def main_text(page: Any) -> str:
    """Everything visible in the page's main region, for checks such as "no English left on this page"."""
    return text_of(page, "main")


def assert_assets_loaded(page: Any) -> None:
    """The site's stylesheet applied and htmx defined: static files are served from the server itself."""
    state = page.evaluate(
        """() => ({
            htmx: typeof window.htmx === 'object' && typeof window.htmx.version === 'string',
            sheets: Array.from(document.styleSheets).map(s => s.href || '').filter(h => h.includes('/static/')),
            external: Array.from(document.querySelectorAll('script[src],link[href],img[src]'))
                .map(e => e.src || e.href).filter(u => u && !u.startsWith(location.origin) && !u.startsWith('data:')),
            skipLinkPositioned: getComputedStyle(document.querySelector('.skip-link')).position === 'absolute',
        })"""
    )
    assert state["htmx"], "htmx did not load"
    assert state["sheets"], "danvan.css did not load"
    assert state["skipLinkPositioned"], "danvan.css did not apply"
    assert not state["external"], f"resources loaded from outside the server: {state['external']}"


def run_axe(page: Any, base: str) -> list[dict[str, Any]]:
    """axe-core's violations on the current page. Served by the app itself (same origin, so a strict CSP still
    allows it); injected from node_modules when the static route is unavailable."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        from playwright.sync_api import Error as PlaywrightError

        try:
            page.add_script_tag(url=url(base, AXE_STATIC))
        except PlaywrightError:
            page.add_script_tag(path=str(AXE_PATH))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return list(result["violations"])


def serious(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v.get("impact") in {"serious", "critical"}]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def assert_accessible(page: Any, base: str, label: str) -> None:
    bad = serious(run_axe(page, base))
    assert not bad, f"axe-core found serious or critical violations on {label} ({page.url}):\n{describe_violations(bad)}"


def assert_lang_vi(page: Any) -> None:
    assert page.evaluate("() => document.documentElement.lang") == "vi"


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    return int(page.evaluate("() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"))


def screenshot(page: Any, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
