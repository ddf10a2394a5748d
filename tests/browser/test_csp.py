"""The strict Content-Security-Policy in a real browser: the main pages work under it, nothing is refused.

Chromium enforces the policy the server sends (``script-src 'self'``, ``style-src 'self'``, no inline code,
no eval). Each page below is loaded and used a little; the test fails on any ``securitypolicyviolation``
event, on any console error (Chromium reports each refused script or style there), on a page error, and on
a failed request. The listener is installed before any page script runs (``add_init_script``, which the
policy does not govern), so a violation during parsing is caught too.

Pages: log-in, home, the petition list and a new case, the plan list and a plan, the Citizens' portal, a
public survey and its form, the public petition form (ALTCHA's module scripts and worker), and the pages
whose inline styles and handlers were moved to files for the policy (dashboard, dialogues, grassroots
calendar and quarterly list, survey distribution and poster).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from .portal_support import portal_data
from .support import PageWatch, login, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class CSPWatch:
    """Visits pages and keeps every CSP violation, page error and console error, reported together."""

    def __init__(self, watch: PageWatch, base: str) -> None:
        self.watch, self.base, self.page = watch, base, watch.page
        self.page.add_init_script(RECORD_VIOLATIONS)
        self.violations: list[str] = []
        self.seen: list[str] = []

    def collect(self, label: str) -> None:
        self.page.wait_for_load_state("load")
        # The policy's header must be there, or there is nothing to prove.
        found = self.page.evaluate("() => window.__cspViolations || null")
        assert found is not None, f"{label}: the violation listener did not run"
        self.violations += [f"{label}: {v}" for v in found]
        self.seen.append(label)

    def visit(self, label: str, path: str) -> None:
        response = self.page.goto(url(self.base, path))
        assert response is not None and response.status == 200, (label, response and response.status)
        header = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in header and "unsafe-inline" not in header, (label, header)
        self.collect(label)

    def assert_clean(self) -> None:
        assert not self.violations, "CSP violations:\n  " + "\n  ".join(self.violations)
        self.watch.assert_clean()


@pytest.fixture
def csp(watch: PageWatch, base: str) -> CSPWatch:
    return CSPWatch(watch, base)


def test_staff_pages_run_under_the_strict_csp(csp: CSPWatch, base: str, tree: dict[str, Any], make_user: Any,
                                              no_mfa: None) -> None:
    from danvan.plans import services as plans

    officer = make_user("csp_canbo", (tree["A1"], "officer"), full_name="Nguyễn Văn An")
    plan = plans.create_plan(actor=None, issuer=tree["A1"], title="Kế hoạch dân vận năm 2026", year=2026,
                             place="Bình Lư", signer_name="Lò Văn B", signer_position="Chủ tịch")
    plans.add_task(actor=None, plan=plan, text="Tuyên truyền chính sách")
    survey = portal_data(tree, make_user)["survey"]

    csp.visit("login", "/accounts/login/")
    login(csp.page, base, officer.username)
    csp.collect("home after log-in")
    csp.visit("home", "/")
    csp.visit("petition list", "/petitions/")
    csp.visit("new case (htmx duplicate check)", "/petitions/new/")
    csp.page.fill("#id_summary", "Đề nghị sửa đường liên bản")
    csp.page.locator("#id_summary").dispatch_event("change")
    csp.page.wait_for_timeout(500)  # the htmx request for duplicates
    csp.collect("new case after typing")
    csp.visit("plan list", "/plans/")
    csp.visit("plan", f"/plans/{plan.pk}/")
    csp.visit("dashboard", f"/dashboard/?unit={tree['A1'].pk}")
    csp.visit("dialogues", "/dialogues/")
    csp.visit("grassroots calendar", f"/grassroots/calendar/?unit={tree['A1'].pk}")
    csp.visit("grassroots quarterly list", f"/grassroots/quarterly/?unit={tree['A1'].pk}")
    # The Print button works without an inline handler (print.js): the print dialogue opens.
    csp.page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    csp.page.locator("main button[data-print]").click()
    assert csp.page.evaluate("() => window.__printed") == 1
    csp.visit("survey distribution", f"/surveys/{survey.pk}/distribute/")
    # The QR code keeps its size from the stylesheet now that the style="" attribute is gone.
    width = csp.page.evaluate("() => document.querySelector('.sv-qr-preview').getBoundingClientRect().width")
    rem = csp.page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert abs(width - 10 * rem) < 1, width
    csp.visit("survey poster", f"/surveys/{survey.pk}/poster/")
    csp.assert_clean()


def test_public_pages_run_under_the_strict_csp(csp: CSPWatch, tree: dict[str, Any], make_user: Any) -> None:
    data = portal_data(tree, make_user)
    code = data["survey"].public_code
    csp.visit("portal home", "/public/")
    csp.visit("survey start", f"/public/surveys/{code}/")
    with csp.page.expect_navigation():
        csp.page.locator("main a.button").click()
    csp.collect("survey form, step 1")
    assert csp.page.locator("main form fieldset").count() >= 1
    csp.visit("public petition form (ALTCHA)", "/public/petitions/submit/")
    # ALTCHA: its module scripts ran (the custom element is defined) and its worker comes from our origin.
    assert csp.page.evaluate("async () => !!(await customElements.whenDefined('altcha-widget').then(() => 1))")
    csp.visit("track a case", "/public/petitions/track/")
    csp.visit("unit disclosure calendar", f"/public/grassroots/units/{tree['A1'].pk}/calendar/"
              f"?month={timezone.localdate():%Y-%m}")
    csp.assert_clean()
