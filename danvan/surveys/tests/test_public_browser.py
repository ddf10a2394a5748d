"""A citizen answers the SIPAS survey in headless Chromium on a phone's width: axe-core on every step (and on
an error, the thank-you and the closed pages), the first step with the keyboard alone, the real ALTCHA."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from tests.browser.support import PageWatch, describe_violations, horizontal_overflow, run_axe, serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_step_is_accessible_and_works_with_the_keyboard(page: Any, live_server: Any, sipas_survey: Any,
                                                               desk: Any) -> None:
    from danvan.surveys.models import Response, Survey

    cache.clear()
    base = str(live_server.url)
    watch = PageWatch(page, base)
    page.set_viewport_size({"width": 360, "height": 740})
    code = sipas_survey.public_code
    found: dict[str, Any] = {}
    page.goto(f"{base}/public/surveys/{code}/?desk={desk.code}")
    found["start"] = serious(run_axe(page, base))
    assert horizontal_overflow(page) <= 0
    page.focus("main a.button")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    steps = int(page.locator("[data-testid=progress]").get_attribute("data-steps") or 0)
    assert steps >= 6
    # Step 1 with the keyboard: Tab into the first radio group, arrow to a choice, Tab on to "Next", Enter.
    watch.expect_status(f"/public/surveys/{code}/step/1/", 400)
    page.focus("[data-testid=step-form] button[value=next]")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # nothing chosen: the errors come back, on the same step
    found["step 1 with errors"] = serious(run_axe(page, base))
    assert page.locator("[data-testid=progress]").get_attribute("data-step") == "1"
    page.locator("[data-testid=step-form] input[type=radio]").first.focus()
    page.keyboard.press("Space")
    assert page.locator("[data-testid=step-form] input[type=radio]:checked").count() == 1
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.value") == "next":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")

    for n in range(2, steps + 1):
        assert page.locator("[data-testid=progress]").get_attribute("data-step") == str(n)
        if n == steps:
            page.wait_for_selector("altcha-widget input[type=checkbox]")
        found[f"step {n}"] = serious(run_axe(page, base))
        assert horizontal_overflow(page) <= 0, n
        for group in page.locator("[data-testid=step-form] fieldset.likert").all():
            group.locator("input[type=radio][value='4']").check()
        text = page.locator("[data-testid=step-form] textarea")
        if text.count():
            text.first.fill("<script>alert('x')</script> Cần thêm ghế chờ")
        with page.expect_navigation(timeout=30000):
            page.locator("[data-testid=step-form] button[value=next]").click()

    found["thanks"] = serious(run_axe(page, base))
    assert page.locator("[data-testid=received]").count() == 1
    response = Response.objects.get(survey=sipas_survey)
    assert response.desk_id == desk.pk and response.element_answered == response.element_satisfied == 0b11111
    assert any("<script>" in str(v) for v in response.answers.values())

    Survey.objects.filter(pk=sipas_survey.pk).update(status="closed")
    watch.expect_status(f"/public/surveys/{code}/", 410)
    page.goto(f"{base}/public/surveys/{code}/")
    found["closed"] = serious(run_axe(page, base))

    bad = {k: v for k, v in found.items() if v}
    assert not bad, "\n".join(f"--- {k}\n{describe_violations(v)}" for k, v in bad.items())
    watch.assert_clean()
