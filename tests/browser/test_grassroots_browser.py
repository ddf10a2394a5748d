"""Grassroots democracy and dialogues (issue #7) in headless Chromium.

- axe-core (no serious or critical violation), exactly one h1, lang="vi" and Vietnamese menu entries on every
  officials' page: the overview, disclosures (list, create, detail, edit), the calendar, the quarterly list (screen
  and print), residents' decisions, consultations, people's boards (with warnings), a finding, the Front's
  supervision (as the Front supervisor and as the commune officer), dialogues (list with the Front-dialogue
  banner, create, detail with commitment states and the report-back block), commitments, the printable
  commitment list (print: toolbar hidden);
- the same on the public pages (unit page sections, disclosure calendar, a disclosure, a consultation result,
  a dialogue, a unit's commitments), also at 360 × 640 without sideways scrolling;
- flows typed and clicked in the browser: a residents' decision with more votes than households (error beside
  the field, nothing saved, values kept) then corrected (result in words); a dialogue with a commitment without
  an owner (error), with one (shown with its state), reported done with evidence ("done on time"); a Front
  supervision recorded by the Front supervisor, answered late by the commune officer without a reason (error on
  the reason) and with one (responded late).

Run: DJANGO_SETTINGS_MODULE=danvan.settings.test .venv/bin/pytest -q tests/browser/test_grassroots_browser.py
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from .grassroots_support import PageCheck as Axe
from .grassroots_support import days, grassroots_data
from .support import PageWatch, horizontal_overflow, login, main_text, path_of, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIETNAMESE_LETTER = "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]"
MENU = {"Grassroots democracy": "Dân chủ ở cơ sở", "Dialogues and commitments": "Đối thoại và cam kết"}


def vi(msgid: str) -> str:
    with translation.override("vi"):
        return translation.gettext(msgid)


def d(day: Any) -> str:
    return day.strftime("%d/%m/%Y")


def assert_vietnamese_menu(page: Any, label: str) -> None:
    nav = " ".join(page.locator("nav.main-nav").inner_text().split())
    for english, vietnamese in MENU.items():
        assert vietnamese in nav, f"{label}: the menu does not show {vietnamese!r}: {nav!r}"
        assert english not in nav, f"{label}: the menu still shows {english!r}"


def submit(page: Any, form: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").first.click()


# --------------------------------------------------------------------------- officials' pages


def test_every_grassroots_page_is_accessible(watch: PageWatch, base: str, tree: dict[str, Any],
                                              make_user: Any, no_mfa: None) -> None:
    data = grassroots_data(tree, make_user)
    page = watch.page
    axe = Axe(page, base)
    a1 = tree["A1"].pk
    login(page, base, "xa_canbo")

    axe.visit("overview", "/grassroots/")
    assert_vietnamese_menu(page, "overview")
    assert page.locator("main a[href='/grassroots/decisions/']").count() >= 1
    assert page.locator("main a[href='/grassroots/supervision/']").count() >= 1
    axe.visit("overview of a unit", f"/grassroots/?unit={a1}")

    pub, draft = data["published"], data["draft"]
    axe.visit("disclosure list", "/grassroots/disclosures/")
    assert pub.title in main_text(page) and draft.title in main_text(page)
    axe.visit("disclosure list filtered", f"/grassroots/disclosures/?unit={a1}&status=draft")
    axe.visit("disclosure create", "/grassroots/disclosures/new/")
    watch.expect_status("/grassroots/disclosures/new/", 400)
    submit(page, "main form[method=post]")
    assert page.locator(".has-error").count() >= 1, "an empty disclosure is refused field by field"
    axe.check("disclosure create with errors")
    axe.visit("disclosure detail (published)", f"/grassroots/disclosures/{pub.pk}/")
    assert pub.title in main_text(page)
    axe.visit("disclosure detail (draft, late checks)", f"/grassroots/disclosures/{draft.pk}/")
    axe.visit("disclosure edit", f"/grassroots/disclosures/{draft.pk}/edit/")
    axe.visit("calendar", f"/grassroots/calendar/?unit={a1}")
    assert pub.title in main_text(page)
    axe.visit("calendar, previous month", f"/grassroots/calendar/?unit={a1}&month={days(-35).strftime('%m/%Y')}")
    q = data["quarterly"]
    axe.visit("quarterly list", f"/grassroots/quarterly/?unit={a1}&year={q.year}&quarter={q.quarter}")
    axe.visit("quarterly list, current quarter", f"/grassroots/quarterly/?unit={a1}")
    page.emulate_media(media="print")
    axe.check("quarterly list, print")
    hidden = page.evaluate("""() => [...document.querySelectorAll('.no-print, .main-nav, main form')]
                                   .every(e => getComputedStyle(e).display === 'none')""")
    assert hidden, "printing the quarterly list hides the navigation and the forms"
    page.emulate_media(media="screen")

    dec = data["decision"]
    axe.visit("decision list", "/grassroots/decisions/")
    assert dec.title in main_text(page)
    axe.visit("decision create", "/grassroots/decisions/new/")
    axe.visit("decision detail", f"/grassroots/decisions/{dec.pk}/")
    assert page.locator("[data-testid=decision-rule] li").count() >= 2
    axe.visit("decision edit", f"/grassroots/decisions/{dec.pk}/edit/")
    con = data["consultation"]
    axe.visit("consultation list", "/grassroots/consultations/")
    assert con.title in main_text(page)
    axe.visit("consultation create", "/grassroots/consultations/new/")
    axe.visit("consultation detail", f"/grassroots/consultations/{con.pk}/")

    b, finding = data["board"], data["finding"]
    axe.visit("board list", "/grassroots/boards/")
    assert b.name in main_text(page)
    axe.visit("board create", "/grassroots/boards/new/")
    axe.visit("board detail with warnings", f"/grassroots/boards/{b.pk}/")
    assert "Vàng A Sùng" in main_text(page)
    from danvan.disclosures import boards

    with translation.override("vi"):
        warnings = boards.warnings(b)
    assert warnings, "a board of two members is warned about"
    assert all(w in main_text(page) for w in warnings), (warnings, main_text(page)[:500])
    axe.visit("finding detail", f"/grassroots/findings/{finding.pk}/")
    assert finding.subject in main_text(page)
    sup = data["supervision"]
    axe.visit("supervision list (commune officer)", "/grassroots/supervision/")
    assert sup.subject in main_text(page)
    axe.visit("supervision detail (commune officer, may respond)", f"/grassroots/supervision/{sup.pk}/")
    assert page.locator("textarea[name=response]").count() == 1

    dlg = data["dialogues"]
    axe.visit("dialogue list", "/dialogues/")
    assert_vietnamese_menu(page, "dialogue list")
    axe.visit("dialogue create", "/dialogues/new/")
    axe.visit("dialogue detail (Front dialogue, commitments)", f"/dialogues/{dlg['front'].pk}/")
    states = {page.locator("[data-testid=commitments] [data-state]").nth(i).get_attribute("data-state")
              for i in range(page.locator("[data-testid=commitments] [data-state]").count())}
    assert states == {"done_on_time", "overdue", "on_track"}, states
    assert vi("Done on time") in page.locator("[data-testid=commitments]").inner_text()
    page.locator("[data-testid=commitments] details summary").first.click()
    axe.check("dialogue detail, progress form open")
    axe.visit("dialogue detail (report-back block)", f"/dialogues/{dlg['later'].pk}/")
    assert page.locator("[data-testid=report-back] tbody tr").count() == 3
    axe.visit("commitment list", "/dialogues/commitments/")
    assert dlg["overdue"].text in main_text(page)
    axe.visit("commitment list, overdue", "/dialogues/commitments/?state=overdue")
    axe.visit("commitment detail", f"/dialogues/commitments/{dlg['done'].pk}/")
    axe.visit("commitment edit", f"/dialogues/commitments/{dlg['on_track'].pk}/edit/")
    axe.visit("printable commitment list", f"/dialogues/{dlg['front'].pk}/print/")
    assert page.locator(".toolbar").is_visible()
    page.emulate_media(media="print")
    axe.check("printable commitment list, print")
    assert not page.locator(".toolbar").is_visible(), "the toolbar is not printed"
    assert dlg["done"].text in page.inner_text("main")
    page.emulate_media(media="screen")

    # The Front supervisor: their supervision list and page (may edit, may not respond).
    page.context.clear_cookies()
    login(page, base, "mttq_giamsat")
    axe.visit("supervision list (Front supervisor)", "/grassroots/supervision/")
    assert sup.subject in main_text(page)
    axe.visit("supervision create (Front supervisor)", "/grassroots/supervision/new/")
    axe.visit("supervision detail (Front supervisor)", f"/grassroots/supervision/{sup.pk}/")
    assert page.locator("textarea[name=response]").count() == 0
    axe.visit("supervision edit (Front supervisor)", f"/grassroots/supervision/{sup.pk}/edit/")

    # A province viewer: the banner names the commune without this year's Front dialogue.
    page.context.clear_cookies()
    login(page, base, "tinh_xem")
    axe.visit("dialogue list with the Front-dialogue banner", "/dialogues/")
    banner = page.locator("[data-testid=front-banner]")
    assert banner.count() == 1 and tree["A2"].name in banner.inner_text()
    axe.visit("overview (province viewer)", "/grassroots/")
    axe.assert_clean()


# --------------------------------------------------------------------------- public pages


def test_public_grassroots_pages_are_accessible(watch: PageWatch, base: str, tree: dict[str, Any],
                                                make_user: Any, no_mfa: None) -> None:
    data = grassroots_data(tree, make_user)
    page = watch.page
    a1 = tree["A1"].pk
    dlg = data["dialogues"]
    pages = [
        ("commune page", f"/public/units/{a1}/"),
        ("disclosure calendar", f"/public/grassroots/units/{a1}/calendar/"),
        ("quarters", f"/public/grassroots/units/{a1}/quarters/"),
        ("a disclosure", f"/public/grassroots/{data['published'].pk}/"),
        ("a consultation result", f"/public/grassroots/consultations/{data['consultation'].pk}/"),
        ("a dialogue", f"/public/dialogues/{dlg['front'].pk}/"),
        ("a unit's dialogues", f"/public/dialogues/units/{a1}/"),
        ("a unit's commitments", f"/public/dialogues/units/{a1}/commitments/"),
    ]
    for size in ({"width": 1280, "height": 900}, {"width": 360, "height": 640}):
        page.set_viewport_size(size)
        axe = Axe(page, base)
        phone = size["width"] == 360
        for label, path in pages:
            axe.visit(f"{label} at {size['width']} px", path, phone=phone)
            assert "Traceback" not in page.content()
        axe.assert_clean()

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url(base, f"/public/units/{a1}/"))
    posted = page.locator("[data-testid=posted-now]")
    assert posted.count() == 1 and data["published"].title in posted.inner_text()
    assert data["draft"].title not in page.inner_text("main"), "a draft is not public"
    assert page.locator("[data-testid=calendar-link]").count() == 1
    assert page.locator("[data-testid=dialogue-commitments]").count() >= 1
    assert dlg["done"].text in page.inner_text("main")
    assert page.locator("[data-testid=unit-commitments-link]").count() == 1

    page.goto(url(base, f"/public/dialogues/{dlg['front'].pk}/"))
    text = page.inner_text("main")
    assert all(c.text in text for c in (dlg["done"], dlg["overdue"], dlg["on_track"]))
    assert vi("Done on time") in text and vi("Overdue") in text
    page.goto(url(base, f"/public/dialogues/units/{a1}/commitments/"))
    assert dlg["overdue"].text in page.inner_text("main")
    page.goto(url(base, f"/public/grassroots/consultations/{data['consultation'].pk}/"))
    assert "Bổ sung đường liên bản vào kế hoạch." in page.inner_text("main")
    # Not public: a draft disclosure is a 404 for a citizen.
    draft_path = f"/public/grassroots/{data['draft'].pk}/"
    watch.expect_status(draft_path, 404)
    page.goto(url(base, draft_path))
    assert data["draft"].title not in page.content()


# --------------------------------------------------------------------------- flows


def test_a_residents_decision_with_too_many_votes_then_corrected(watch: PageWatch, base: str,
                                                                 tree: dict[str, Any], make_user: Any,
                                                                 no_mfa: None) -> None:
    from danvan.disclosures.models import ResidentDecision

    grassroots_data(tree, make_user)
    page = watch.page
    login(page, base, "xa_canbo")
    page.goto(url(base, "/grassroots/decisions/"))
    with page.expect_navigation():
        page.locator("main a[href='/grassroots/decisions/new/']").first.click()
    assert path_of(page) == "/grassroots/decisions/new/"
    before = ResidentDecision.objects.count()
    title = "Đóng góp làm nhà văn hóa bản Thẳm"
    page.select_option("#id_org_unit", str(tree["A1v"].pk))
    page.select_option("#id_matter", "contribution")
    page.fill("#id_title", title)
    page.select_option("#id_form", "meeting")
    page.fill("#id_held_on", d(days(-3)))
    page.fill("#id_decided_on", d(days(-3)))
    page.fill("#id_households_total", "80")
    page.fill("#id_households_participating", "70")
    page.fill("#id_votes_for", "60")
    page.fill("#id_votes_against", "15")  # 60 + 15 > 70 households taking part
    watch.expect_status("/grassroots/decisions/new/", 400)
    submit(page, "main form[method=post]")

    assert path_of(page) == "/grassroots/decisions/new/"
    assert ResidentDecision.objects.count() == before, "nothing saved"
    errors = page.locator(".field.has-error")
    assert errors.count() >= 1
    named = {errors.nth(i).locator("input, select, textarea").first.get_attribute("name")
             for i in range(errors.count())}
    assert named & {"votes_for", "votes_against"}, f"the error is beside the votes: {named}"
    field = "votes_against" if "votes_against" in named else "votes_for"
    message = " ".join(page.locator(f"#id_{field}_error").inner_text().split())
    assert message and message == " ".join(message.split()), message
    assert page.locator(f"#id_{field}").get_attribute("aria-invalid") == "true"
    assert f"id_{field}_error" in (page.locator(f"#id_{field}").get_attribute("aria-describedby") or "")
    # Vietnamese: the error is not its English msgid.
    from danvan.disclosures import decisions as dmod

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        dmod.record_decision(actor=None, org_unit=tree["A1v"], matter="contribution", title=title, form="meeting",
                             held_on=days(-3), decided_on=days(-3), households_total=80,
                             households_participating=70, votes_for=60, votes_against=15)
    english = " ".join(refused.value.message_dict.get(field, []))
    assert english, refused.value.message_dict
    assert message != english, f"the error is still in English: {message!r}"
    assert re.search(VIETNAMESE_LETTER, message), message
    assert ResidentDecision.objects.count() == before
    # Every value typed is kept.
    kept = {n: page.locator(f"#id_{n}").input_value() for n in (
        "title", "held_on", "decided_on", "households_total", "households_participating", "votes_for",
        "votes_against")}
    assert kept == {"title": title, "held_on": d(days(-3)), "decided_on": d(days(-3)), "households_total": "80",
                    "households_participating": "70", "votes_for": "60", "votes_against": "15"}, kept
    assert page.locator("#id_org_unit").input_value() == str(tree["A1v"].pk)
    assert page.locator("#id_matter").input_value() == "contribution"
    Axe(page, base).check("decision form with errors")

    page.fill("#id_votes_against", "8")
    submit(page, "main form[method=post]")
    decision = ResidentDecision.objects.get(title=title)
    assert path_of(page) == f"/grassroots/decisions/{decision.pk}/"
    assert decision.passed and decision.votes_against == 8
    rule = " ".join(page.locator("[data-testid=decision-rule]").inner_text().split())
    for number in ("54", "80", "60", "41", "70"):  # two thirds of 80 = 54; quorum 41; 70 took part; 60 for
        assert number in rule, (number, rule)
    assert vi("Passed") in page.locator("[data-testid=decision-result]").inner_text()
    Axe(page, base).check("decision detail after correction")


def test_a_dialogue_and_its_commitment_kept_on_time(watch: PageWatch, base: str, tree: dict[str, Any],
                                                    make_user: Any, no_mfa: None) -> None:
    from danvan.dialogues.models import Commitment, Dialogue

    grassroots_data(tree, make_user)
    page = watch.page
    axe = Axe(page, base)
    login(page, base, "xa_canbo")
    page.goto(url(base, "/dialogues/"))
    with page.expect_navigation():
        page.locator("main a[href^='/dialogues/new/']").first.click()
    title = "Đối thoại với thanh niên về việc làm"
    held = days(-2)
    page.select_option("#id_org_unit", str(tree["A1"].pk))
    page.select_option("#id_kind", "citizens")
    page.fill("#id_title", title)
    page.fill("#id_held_on", d(held))
    page.fill("#id_place", "Nhà văn hóa xã")
    page.fill("#id_participants", "35")
    submit(page, "main form[method=post]")
    dialogue = Dialogue.objects.get(title=title)
    assert path_of(page) == f"/dialogues/{dialogue.pk}/"
    assert dialogue.status == "held"

    # A commitment without an owner is refused beside the owner field; nothing saved, the text kept.
    promise = "Mở lớp dạy nghề may cho thanh niên"
    assert page.locator("#id_owner_unit").input_value() == str(tree["A1"].pk), "the host unit is offered first"
    page.fill("#id_text", promise)
    page.select_option("#id_owner_unit", "")
    page.fill("#id_due_on", d(days(20)))
    watch.expect_status(f"/dialogues/{dialogue.pk}/commitments/new/", 400)
    submit(page, f"main form[action='/dialogues/{dialogue.pk}/commitments/new/']")
    assert Commitment.objects.filter(dialogue=dialogue).count() == 0
    error = page.locator("#id_owner_unit_error")
    assert error.count() == 1 and error.is_visible()
    assert " ".join(error.inner_text().split()) == vi("A commitment needs an owner unit.")
    assert vi("A commitment needs an owner unit.") != "A commitment needs an owner unit."
    assert page.locator("#id_text").input_value() == promise
    assert page.locator("#id_due_on").input_value() == d(days(20))
    axe.check("commitment without an owner")

    page.select_option("#id_owner_unit", str(tree["A1v"].pk))
    submit(page, f"main form[action='/dialogues/{dialogue.pk}/commitments/new/']")
    commitment = Commitment.objects.get(dialogue=dialogue)
    assert path_of(page) == f"/dialogues/{dialogue.pk}/"
    row = page.locator("[data-testid=commitments] tbody tr", has_text=promise)
    assert row.count() == 1
    assert row.locator("[data-state]").get_attribute("data-state") == "on_track"
    assert vi("On track") in row.locator("[data-state]").inner_text()
    assert tree["A1v"].name in row.inner_text()

    # Done, with the day and the evidence: the badge says "done on time".
    row.locator("details summary").click()
    form = row.locator("form")
    form.locator("select[name$=status]").select_option("done")
    form.locator("input[name$=done_on]").fill(d(days(-1)))
    form.locator("textarea[name$=evidence]").fill("Lớp học khai giảng ngày hôm qua với 20 học viên.")
    axe.check("progress form filled")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    commitment.refresh_from_db()
    assert commitment.status == "done" and commitment.done_on == days(-1)
    row = page.locator("[data-testid=commitments] tbody tr", has_text=promise)
    badge = row.locator("[data-state]")
    assert badge.get_attribute("data-state") == "done_on_time"
    assert " ".join(badge.inner_text().split()) == vi("Done on time")
    axe.check("dialogue with a commitment done on time")
    page.goto(url(base, f"/dialogues/commitments/{commitment.pk}/"))
    assert "Lớp học khai giảng" in main_text(page)
    axe.check("commitment detail, done")
    axe.assert_clean()


def test_a_front_supervision_answered_late(watch: PageWatch, base: str, tree: dict[str, Any], make_user: Any,
                                           no_mfa: None) -> None:
    from danvan.disclosures.models import FrontSupervision

    data = grassroots_data(tree, make_user)
    page = watch.page
    axe = Axe(page, base)
    login(page, base, "mttq_giamsat")
    page.goto(url(base, "/grassroots/supervision/"))
    with page.expect_navigation():
        page.locator("main a[href='/grassroots/supervision/new/']").first.click()
    subject = "Giám sát việc thu, chi quỹ phòng chống thiên tai"
    page.select_option("#id_org_unit", str(tree["A1"].pk))
    if page.locator("#id_front_unit").count():
        page.select_option("#id_front_unit", str(data["front_body"].pk))
    page.select_option("#id_kind", "supervision")
    page.fill("#id_by_name", "Ủy ban MTTQ Việt Nam xã Bình Lư")
    page.fill("#id_subject", subject)
    page.fill("#id_starts_on", d(days(-30)))
    page.fill("#id_ends_on", d(days(-25)))
    page.fill("#id_findings", "Chưa công khai kết quả thu quỹ năm trước.")
    page.fill("#id_recommendations", "Công khai tại trụ sở và nhà văn hóa các bản.")
    page.fill("#id_response_due_on", d(days(-5)))
    submit(page, "main form[method=post]")
    sup = FrontSupervision.objects.get(subject=subject)
    assert path_of(page) == f"/grassroots/supervision/{sup.pk}/"
    assert sup.front_unit_id == data["front_body"].pk and sup.response_due_on == days(-5)
    axe.check("supervision recorded (Front supervisor)")

    page.context.clear_cookies()
    login(page, base, "xa_canbo")
    page.goto(url(base, f"/grassroots/supervision/{sup.pk}/"))
    respond = f"main form[action='/grassroots/supervision/{sup.pk}/respond/']"
    answer = "UBND xã đã niêm yết kết quả thu, chi quỹ tại trụ sở."
    page.fill(f"{respond} textarea[name=response]", answer)
    page.fill(f"{respond} input[name=responded_on]", d(days(0)))
    watch.expect_status(f"/grassroots/supervision/{sup.pk}/respond/", 400)
    submit(page, respond)
    sup.refresh_from_db()
    assert sup.responded_on is None and sup.response == "", "nothing saved"
    error = page.locator("[id$=late_reason_error]")
    assert error.count() == 1 and error.is_visible(), page.inner_text("main")[:800]
    reason = page.locator("textarea[name=late_reason], input[name=late_reason]")
    assert reason.get_attribute("aria-invalid") == "true"
    assert page.locator("textarea[name=response]").input_value() == answer
    assert page.locator("input[name=responded_on]").input_value() == d(days(0))
    axe.check("supervision response without a late reason")

    reason.fill("Chờ quyết toán quỹ của huyện.")
    submit(page, "main form:has([name=late_reason])")
    sup.refresh_from_db()
    assert sup.responded_on == days(0) and sup.late_reason == "Chờ quyết toán quỹ của huyện."
    assert path_of(page) == f"/grassroots/supervision/{sup.pk}/"
    assert answer in main_text(page)
    from danvan.disclosures import boards

    code, _label = boards.response_state(sup)
    assert code == "responded_late"
    state = " ".join(page.locator("[data-testid=supervision-state]").inner_text().split())
    assert state == vi("Responded late") != "Responded late", state
    axe.check("supervision responded late")
    axe.assert_clean()


def test_grassroots_pages_fit_a_phone(watch: PageWatch, base: str, tree: dict[str, Any], make_user: Any,
                                      no_mfa: None) -> None:
    """The officials' main pages at 360 px: tables scroll inside their box, the page itself does not."""
    data = grassroots_data(tree, make_user)
    page = watch.page
    page.set_viewport_size({"width": 360, "height": 640})
    login(page, base, "xa_canbo")
    too_wide = []
    for path in ("/grassroots/", "/grassroots/disclosures/", f"/grassroots/calendar/?unit={tree['A1'].pk}",
                 "/grassroots/decisions/", f"/grassroots/decisions/{data['decision'].pk}/",
                 f"/grassroots/boards/{data['board'].pk}/", "/dialogues/",
                 f"/dialogues/{data['dialogues']['front'].pk}/", "/dialogues/commitments/"):
        page.goto(url(base, path))
        if horizontal_overflow(page):
            too_wide.append(f"{path}: {horizontal_overflow(page)} px")
    assert not too_wide, "pages wider than a 360 px phone:\n  " + "\n  ".join(too_wide)
