"""A citizen answers a SIPAS survey in headless Chromium (issue #6): axe-core on every page of the survey, the
keyboard alone from the start to the thank-you page (ALTCHA included), a phone's width, a missing answer,
script in a text answer.

Pages under axe: the start page, every step (and a step with errors), the last step with the ALTCHA widget,
the thank-you page, "already received", a survey not open yet, a closed survey, an unknown code, the code
entry page of a survey with one-time codes (and with a wrong code), the 429 page.

Run: DJANGO_SETTINGS_MODULE=danvan.settings.test .venv/bin/pytest -q tests/browser/test_surveys_browser.py
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from .portal_support import (
    Axe,
    desk,
    focused,
    portal_data,
    sipas_survey,
    tab_until,
    tick_altcha,
    wait_altcha_ready,
)
from .support import PageWatch, horizontal_overflow, login, path_of, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEP_FORM = "[data-testid=step-form]"
NEXT = f"{STEP_FORM} button[value=next]"
BACK = f"{STEP_FORM} button[value=back]"
REQUIRED = "Please answer this question."  # responses.validate_question's msgid
SCRIPT = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\"> Cần thêm ghế chờ"


def _steps(page: Any) -> tuple[int, int]:
    progress = page.locator("[data-testid=progress]")
    return int(progress.get_attribute("data-step") or 0), int(progress.get_attribute("data-steps") or 0)


def _fill_step(page: Any, *, value: str = "4", text: str | None = None, skip: tuple[str, ...] = ()) -> None:
    """Answer every question of the step shown (mouse: this is not the keyboard test)."""
    form = page.locator(STEP_FORM)
    for group in form.locator("fieldset.question").all():
        if group.get_attribute("id") in skip:
            continue
        if "likert" in (group.get_attribute("class") or ""):
            group.locator(f"input[type=radio][value='{value}']").check()
        elif group.locator("input[type=radio]").count():
            group.locator("input[type=radio]").first.check()
        elif group.locator("input[type=checkbox]").count():
            group.locator("input[type=checkbox]").first.check()
    if text is not None:
        for area in form.locator("textarea").all():
            area.fill(text)


def _next(page: Any) -> None:
    with page.expect_navigation(timeout=30_000):
        page.locator(NEXT).click()


def _start(page: Any, base: str, survey: Any, query: str = "") -> int:
    page.goto(url(base, f"/public/surveys/{survey.public_code}/{query}"))
    with page.expect_navigation():
        page.locator("main a.button").click()
    n, steps = _steps(page)
    assert n == 1 and steps >= 6, (n, steps)
    return steps


# --------------------------------------------------------------------------- axe on every page


def test_every_survey_page_is_accessible(watch: PageWatch, base: str, tree: dict[str, Any], make_user: Any,
                                         settings: Any) -> None:
    from danvan.surveys.models import Response, Survey

    data = portal_data(tree, make_user)
    survey, token_survey = data["survey"], data["token_survey"]
    code = survey.public_code
    page = watch.page
    axe = Axe(page, base)

    axe.visit("survey: start", f"/public/surveys/{code}/?desk={data['desk'].code}")
    assert data["desk"].name in page.inner_text("main")
    with page.expect_navigation():
        page.locator("main a.button").click()
    n, steps = _steps(page)
    watch.expect_status(f"/public/surveys/{code}/step/1/", 400)
    _next(page)  # nothing answered
    assert _steps(page)[0] == 1 and page.locator(".has-error").count() >= 1
    axe.check("survey: step 1 with errors")
    for n in range(1, steps + 1):
        assert _steps(page)[0] == n
        if n == steps:
            wait_altcha_ready(page)
        axe.check(f"survey: step {n} of {steps}")
        _fill_step(page, text="Cần thêm ghế chờ")
        _next(page)
    assert path_of(page) == f"/public/surveys/{code}/thanks/"
    axe.check("survey: thanks")
    assert page.locator("[data-testid=received]").count() == 1
    assert Response.objects.filter(survey=survey).count() == 1
    axe.visit("survey: already received", f"/public/surveys/{code}/")
    assert page.locator("[data-testid=already]").count() == 1

    # One-time codes: the code entry page, a wrong code, then too many tries (429).
    tcode = token_survey.public_code
    axe.visit("token survey: code entry", f"/public/surveys/{tcode}/")
    assert page.locator("input[name=code]").count() == 1
    watch.expect_status(f"/public/surveys/{tcode}/", 400)
    page.fill("input[name=code]", "ZZZZZ-ZZZZZ")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".has-error").count() == 1
    axe.check("token survey: wrong code")
    settings.DANVAN_PUBLIC_RATE_LIMITS = {"survey_code": (0, 900)}
    watch.expect_status(f"/public/surveys/{tcode}/", 429)
    page.fill("input[name=code]", "ZZZZZ-ZZZZY")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("[data-testid=too-many]").count() == 1
    axe.check("survey: 429 too many attempts")

    # Not open yet (200 with the date), closed (410), unknown (404).
    later = sipas_survey(tree["A2"], title="Khảo sát mở tuần sau", opens_on=timezone.localdate() + dt.timedelta(days=7))
    axe.visit("survey: not open yet", f"/public/surveys/{later.public_code}/")
    assert page.locator("[data-testid=not-yet]").count() == 1
    Survey.objects.filter(pk=survey.pk).update(status="closed")
    watch.expect_status(f"/public/surveys/{code}/", 410)
    axe.visit("survey: closed", f"/public/surveys/{code}/")
    assert page.locator("[data-testid=closed]").count() == 1
    watch.expect_status("/public/surveys/KHONGCO123/", 404)
    axe.visit("survey: unknown code", "/public/surveys/KHONGCO123/")
    axe.assert_clean()


# --------------------------------------------------------------------------- keyboard only


def _answer_step_by_keyboard(page: Any, text: str, no_ring: list[str]) -> dict[str, str]:
    """Tab through the step: Space then arrows to "4" on each scale, Space on a choice, typing in a text box,
    Space on the ALTCHA box; Enter on Next/Send. Returns what was answered (field name → value); adds to
    ``no_ring`` each focused element without a visible focus indicator."""
    answered: dict[str, str] = {}
    for _ in range(200):
        page.keyboard.press("Tab")
        e = focused(page)
        if not e.get("ring", True):
            no_ring.append(f"{e['tag']} {e['type']} {e['name'] or e['id']} {e['label']!r}")
        if e["inAltcha"] and e["type"] == "checkbox":
            if not e["checked"]:
                tick_altcha(page)
        elif e["type"] == "radio" and e["name"] not in answered:
            page.keyboard.press("Space")  # the first answer of the group is focused: choose it
            if e["likert"]:
                for _ in range(3):
                    page.keyboard.press("ArrowRight")  # moves the choice along the scale: 1 → 4
            e = focused(page)
            assert e["checked"], e
            answered[e["name"]] = e["value"]
        elif e["type"] == "checkbox" and e["name"] not in answered:
            page.keyboard.press("Space")
            answered[e["name"]] = e["value"]
        elif e["tag"] == "TEXTAREA" and e["name"] not in answered:
            page.keyboard.type(text)
            answered[e["name"]] = text
        elif e["tag"] == "BUTTON" and e["value"] == "next":
            # Shift+Tab goes back to the last question, Tab returns: the order is the reading order.
            page.keyboard.press("Shift+Tab")
            back = focused(page)
            assert back["tag"] in {"INPUT", "TEXTAREA"} or back["inAltcha"], back
            page.keyboard.press("Tab")
            assert focused(page)["value"] == "next"
            with page.expect_navigation(timeout=30_000):
                page.keyboard.press("Enter")
            return answered
    raise AssertionError(f"never reached Next; answered {answered}")


def test_a_survey_with_the_keyboard_only(watch: PageWatch, base: str, tree: dict[str, Any],
                                         make_user: Any) -> None:
    from danvan.surveys.models import Response

    data = portal_data(tree, make_user)
    survey = data["survey"]
    page = watch.page
    # From the commune's public page to the survey: Tab to its link, Enter.
    page.goto(url(base, f"/public/units/{tree['A1'].pk}/"))
    tab_until(page, lambda e: e["tag"] == "A" and f"/public/surveys/{survey.public_code}/" in e["href"], limit=120)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page) == f"/public/surveys/{survey.public_code}/"
    tab_until(page, lambda e: e["tag"] == "A" and e["href"].endswith("/step/1/"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _n, steps = _steps(page)
    answered: dict[str, str] = {}
    no_ring: list[str] = []
    for n in range(1, steps + 1):
        assert _steps(page)[0] == n, page.url
        if n == steps:
            wait_altcha_ready(page)
        answered.update(_answer_step_by_keyboard(page, f"Góp ý bước {n}", no_ring))
    assert path_of(page) == f"/public/surveys/{survey.public_code}/thanks/", page.inner_text("main")
    assert page.locator("[data-testid=received]").count() == 1

    response = Response.objects.get(survey=survey)
    expected = {name.removeprefix("q-"): value for name, value in answered.items()}
    likert = {k: v for k, v in expected.items() if v == "4"}
    assert len(likert) == 44, f"22 criteria × (assessment, satisfaction): {len(likert)}"
    assert all(response.answers.get(k) == 4 for k in likert), response.answers
    assert response.answers.get("service") == expected["service"]
    texts = {k: v for k, v in expected.items() if v.startswith("Góp ý")}
    assert texts and all(response.answers.get(k) == v for k, v in texts.items())
    assert response.element_answered == response.element_satisfied == 0b11111
    assert not no_ring, "focused without a visible focus indicator:\n  " + "\n  ".join(sorted(set(no_ring)))


# --------------------------------------------------------------------------- a phone


def test_survey_pages_fit_a_phone(watch: PageWatch, base: str, tree: dict[str, Any], make_user: Any) -> None:
    data = portal_data(tree, make_user)
    page = watch.page
    page.set_viewport_size({"width": 360, "height": 640})

    def fits(label: str) -> None:
        sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert sizes[0] <= sizes[1], f"{label} scrolls sideways at 360 px: scrollWidth {sizes[0]} > {sizes[1]}"
        assert horizontal_overflow(page) == 0

    page.goto(url(base, f"/public/surveys/{data['survey'].public_code}/?desk={data['desk'].code}"))
    fits("start")
    with page.expect_navigation():
        page.locator("main a.button").click()
    _n, steps = _steps(page)
    for n in range(1, steps + 1):
        if n == steps:
            wait_altcha_ready(page)
        fits(f"step {n}")
        _fill_step(page, text="Cần thêm ghế chờ")
        _next(page)
    fits("thanks")
    page.goto(url(base, f"/public/surveys/{data['token_survey'].public_code}/"))
    fits("code entry")


# --------------------------------------------------------------------------- bad input


def test_a_missing_answer_is_named_and_nothing_is_lost(watch: PageWatch, base: str, tree: dict[str, Any],
                                                       make_user: Any) -> None:
    data = portal_data(tree, make_user)
    code = data["survey"].public_code
    page = watch.page
    _start(page, base, data["survey"])
    _fill_step(page)
    _next(page)
    assert _steps(page)[0] == 2  # the first element: Likert questions and an expectation
    groups = page.locator(f"{STEP_FORM} fieldset.likert")
    assert groups.count() >= 2
    missing = groups.nth(1).get_attribute("id") or ""
    _fill_step(page, value="5", text="Cần thêm ghế chờ", skip=(missing,))
    long_text = " ".join(["Rất dài."] * 112)  # 1,007 characters: more than the 1,000 an expectation allows
    page.locator(f"{STEP_FORM} textarea").last.fill(long_text)
    watch.expect_status(f"/public/surveys/{code}/step/2/", 400)
    _next(page)

    assert _steps(page)[0] == 2, "the step comes back with the error"
    group = page.locator(f"fieldset#{missing}")
    assert "has-error" in (group.get_attribute("class") or "")
    error = group.locator(".error")
    assert error.count() == 1 and error.is_visible()
    described = (group.get_attribute("aria-describedby") or "").split()
    assert error.get_attribute("id") in described, "the error is tied to its question by aria-describedby"
    message = " ".join(error.inner_text().split())
    summary = page.locator(f"{STEP_FORM} .errors[role=alert]")
    assert summary.count() == 1 and summary.locator(f"a[href='#{missing}']").count() == 1
    # Nothing typed is lost: every other answer is still chosen, the text is still there.
    others = page.locator(f"{STEP_FORM} fieldset.likert").count() - 1
    assert page.locator(f"{STEP_FORM} fieldset.likert input[value='5']:checked").count() == others
    assert page.locator(f"fieldset#{missing} input:checked").count() == 0
    areas = page.locator(f"{STEP_FORM} textarea")
    if areas.count() > 1:
        assert areas.first.input_value() == "Cần thêm ghế chờ"
    # The oversized text comes back whole (not cut), with its error tied to the box.
    area = areas.last
    assert area.input_value() == long_text
    area_id = area.get_attribute("id")
    text_error = page.locator(f"#{area_id}_error")
    assert text_error.count() == 1 and str(len(long_text)) in text_error.inner_text().replace(".", "").replace(",", "")
    assert area.get_attribute("aria-invalid") == "true"
    assert f"{area_id}_error" in (area.get_attribute("aria-describedby") or "").split(), (
        f"the too-long error is not tied to the text box: {area.evaluate('e => e.outerHTML')[:300]}")
    # The summary's link takes the keyboard to the question.
    summary.locator(f"a[href='#{missing}']").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == f"#{missing}"
    assert page.evaluate(f"() => document.activeElement.id === {missing!r}")
    Axe(page, base).check("survey: a missing answer")

    # Going back and forth keeps the answers too.
    with page.expect_navigation():
        page.locator(BACK).click()
    assert _steps(page)[0] == 1 and page.locator(f"{STEP_FORM} input[type=radio]:checked").count() >= 1
    _next(page)
    assert page.locator(f"{STEP_FORM} fieldset.likert input[value='5']:checked").count() == others

    with translation.override("vi"):
        vietnamese = translation.gettext(REQUIRED)
    assert message in {vietnamese, REQUIRED}, message
    if message == REQUIRED:
        pytest.xfail("the message is still English: the vi catalogue has no entry yet for the survey msgids "
                     "(danvan/surveys/responses.py); the lead's makemessages/translation pass fixes it")


def test_script_in_a_text_answer_is_shown_as_text(watch: PageWatch, base: str, tree: dict[str, Any],
                                                  make_user: Any, people: dict[str, Any]) -> None:
    from danvan.surveys.models import Response

    data = portal_data(tree, make_user)
    survey = data["survey"]
    page = watch.page
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    steps = _start(page, base, survey)
    _fill_step(page)
    _next(page)
    _fill_step(page, text=SCRIPT)
    _next(page)
    # Back to the step with the text: it comes back as typed, inert.
    with page.expect_navigation():
        page.locator(BACK).click()
    assert page.locator(f"{STEP_FORM} textarea").first.input_value() == SCRIPT
    assert page.evaluate("() => window.__xss") is None
    _next(page)
    for n in range(3, steps + 1):
        if n == steps:
            wait_altcha_ready(page)
        _fill_step(page, text=SCRIPT)
        _next(page)
    assert page.locator("[data-testid=received]").count() == 1
    assert page.evaluate("() => window.__xss") is None
    response = Response.objects.get(survey=survey)
    assert SCRIPT in response.answers.values(), "stored as given"

    # The officer reads it as text on the responses and results pages.
    login(page, base, "canbo", totp_secret=people["officer_secret"])
    page.goto(url(base, f"/surveys/{survey.pk}/responses/"))
    assert page.locator("[data-testid=response-row]").count() == 1
    page.locator("[data-testid=response-row] details summary").first.click()
    assert SCRIPT in page.locator("[data-testid=response-row]").inner_text()
    assert page.locator("main img[src=x], main table script").count() == 0
    assert page.evaluate("() => window.__xss") is None
    page.goto(url(base, f"/surveys/{survey.pk}/results/"))
    if page.locator(".text-answers").count():
        assert SCRIPT in page.locator("main").inner_text()
    assert page.locator("main img[src=x], main .text-answers script").count() == 0
    assert page.evaluate("() => window.__xss") is None
    assert not dialogs


def test_a_desk_that_is_not_the_units_is_ignored(watch: PageWatch, base: str, tree: dict[str, Any],
                                                 make_user: Any) -> None:
    """A poster's QR names a desk; a desk of another unit in the address is dropped, not trusted."""
    from danvan.surveys.models import Response

    data = portal_data(tree, make_user)
    foreign = desk(tree["B1"], code="quay-b", name="Quầy phường Bắc Kạn")
    page = watch.page
    steps = _start(page, base, data["survey"], query=f"?desk={foreign.code}")
    assert foreign.name not in page.inner_text("main")
    for n in range(1, steps + 1):
        if n == steps:
            wait_altcha_ready(page)
        _fill_step(page)
        _next(page)
    assert Response.objects.get(survey=data["survey"]).desk_id is None
