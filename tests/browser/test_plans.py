"""Plans in the browser: an officer imports a plan document, checks it and saves it; axe-core on every plan page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from .support import assert_accessible, login, path_of, screenshot, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_001 = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "001_5ee33b615eb78c38.txt"


def test_officer_imports_a_plan_document_and_sees_the_plan(watch: Any, base: str, people: dict[str, Any]) -> None:
    from danvan.plans.models import Plan

    page = watch.page
    login(page, base, "canbo", totp_secret=people["officer_secret"])
    page.goto(url(base, "/plans/"))
    assert page.locator("h1").count() == 1
    assert_accessible(page, base, "plan list (empty)")
    with page.expect_navigation():
        page.locator("main a[href='/plans/import/']").click()
    assert path_of(page) == "/plans/import/"
    assert_accessible(page, base, "import upload")
    page.set_input_files("#id_file", str(SEED_001))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert path_of(page).startswith("/plans/import/") and path_of(page) != "/plans/import/"
    # The review shows each value beside its source text; the reviewer corrects the title.
    assert page.locator("fieldset.review-item").count() > 20
    assert page.locator("fieldset.review-item blockquote").count() >= 10
    assert "Tam Đường" in page.locator("#id_title").input_value()
    screenshot(page, "plans-import-review")
    assert_accessible(page, base, "import review")
    page.fill("#id_title", "Triển khai công tác dân vận chính quyền năm 2023 (bản nhập)")
    with page.expect_navigation():
        page.locator("form.import-review button[type=submit]").click()
    plan = Plan.objects.get()
    assert path_of(page) == f"/plans/{plan.pk}/"
    assert page.locator("h1").inner_text().strip() == "Triển khai công tác dân vận chính quyền năm 2023 (bản nhập)"
    assert page.locator("#targets tbody tr").count() == 5
    assert page.locator("#bases-h + ul li a").count() == 8
    screenshot(page, "plans-detail-imported")
    assert_accessible(page, base, "plan detail (draft)")
    page.goto(url(base, f"/plans/{plan.pk}/legal-bases/?q=ct-ttg"))
    assert page.locator("main form").count() >= 1
    assert_accessible(page, base, "legal bases editor")
    page.goto(url(base, "/plans/"))
    assert page.locator(f"main a[href='/plans/{plan.pk}/']").count() == 1
    assert_accessible(page, base, "plan list")
    # Keyboard: the skip link leads to the content and the first plan link is reachable.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    watch.assert_clean()


def test_cascade_and_coverage_pages_are_accessible(watch: Any, base: str, people: dict[str, Any], tree: Any) -> None:
    from danvan.plans import services

    plan = services.create_plan(
        actor=None, issuer=tree["A"], title="Kế hoạch công tác dân vận chính quyền năm 2026", year=2026,
        place="Lai Châu", signer_name="Nguyễn Văn A", signer_position="Chủ tịch", signer_authority="TM.",
        requires_subordinate_plans=True, subordinate_due_on=dt.date(2026, 4, 30), subordinate_kinds=[tree["A1"].kind],
    )
    for i in range(3):
        services.add_task(actor=None, plan=plan, text=f"Nhiệm vụ {i + 1} của tỉnh")
    services.add_target(actor=None, plan=plan, text="100% xã xây dựng kế hoạch", value=100, unit="%")
    plan = services.issue_plan(actor=None, plan=plan, expected_version=plan.lock_version, issued_on=dt.date(2026, 3, 2))
    child = services.derive_plan(actor=None, parent_plan=plan, issuer=tree["A1"])
    child = services.update_plan(actor=None, plan=child, expected_version=child.lock_version, place="Bình Lư",
                                 signer_name="Lò Văn B", signer_position="Chủ tịch")
    services.issue_plan(actor=None, plan=child, expected_version=child.lock_version, issued_on=dt.date(2026, 3, 20))

    page = watch.page
    login(page, base, "quantri", totp_secret=people["admin_secret"])
    page.goto(url(base, f"/plans/{plan.pk}/"))
    assert_accessible(page, base, "plan detail (issued)")
    with page.expect_navigation():
        page.locator(f"main a[href='/plans/{plan.pk}/cascade/']").click()
    assert page.locator("main table").count() >= 1
    screenshot(page, "plans-cascade")
    assert_accessible(page, base, "cascade")
    page.goto(url(base, f"/plans/{plan.pk}/coverage/"))
    assert page.locator("main table.coverage tbody tr").count() == 3
    screenshot(page, "plans-coverage")
    assert_accessible(page, base, "coverage")
    page.goto(url(base, f"/plans/{plan.pk}/edit/"))  # issued: refused with a message, back on the plan
    assert path_of(page) == f"/plans/{plan.pk}/"
    assert page.locator(".messages .message.error").count() == 1
    watch.assert_clean()
