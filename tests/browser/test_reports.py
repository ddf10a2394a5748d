"""Reports in the browser: a commune officer fills and submits the 6-month report, the province accepts it.

The province's period page is open in a second browser context before and after, so the test sees the
reporting rate of the commune go up; axe-core runs on the fill grid (with an error showing) and on the
period page.
"""

from __future__ import annotations

from typing import Any

import pytest

from danvan.reports.tests.conftest import period, small_form  # noqa: F401 - fixtures of the reports tests

from .support import PageWatch, assert_accessible, login, path_of, screenshot, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def child_rate(page: Any, unit_id: int) -> str:
    return str(page.locator(f"[data-testid=child][data-unit='{unit_id}']").get_attribute("data-rate"))


def test_commune_officer_fills_and_submits_the_province_accepts(
    watch: Any, base: str, browser: Any, people: dict[str, Any], tree: Any, period: Any  # noqa: F811
) -> None:
    from danvan.reports.models import Submission, SubmissionStatus

    sub = Submission.objects.get(period=period, org_unit=tree["A1"])
    period_path = f"/reports/periods/{period.pk}/"
    sub_path = f"/reports/submissions/{sub.pk}/"

    # The province opens the period page: nothing received from the commune yet.
    province_ctx = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    try:
        province = province_ctx.new_page()
        province.set_default_timeout(15000)
        province_watch = PageWatch(province, base)
        login(province, base, "quantri", totp_secret=people["admin_secret"])
        province.goto(url(base, period_path))
        assert child_rate(province, tree["A1"].pk) == "0"
        assert province.locator("[data-testid=total]").get_attribute("data-received") == "0"
        assert_accessible(province, base, "period page")
        screenshot(province, "reports-period-before")

        # The commune officer finds the report among "My reports".
        page = watch.page
        page.on("dialog", lambda dialog: dialog.accept())  # the "Submit?" and "Accept?" confirmations
        login(page, base, "canbo", totp_secret=people["officer_secret"])
        page.goto(url(base, "/reports/"))
        assert_accessible(page, base, "my reports")
        with page.expect_navigation():
            page.locator(f"[data-testid=fill-row] a[href='{sub_path}']").click()
        assert path_of(page) == sub_path
        assert_accessible(page, base, "fill grid")

        # Figures typed as officials type them; a satisfaction index over 100 is refused by its field.
        page.fill("#id_v_sessions", "3")
        page.fill("#id_v_participants", "1.250")
        page.select_option("#id_v_own_plan", "1")
        page.fill("#id_v_received", "10")
        page.fill("#id_v_resolved", "8")
        page.fill("#id_v_satisfaction", "120")
        page.fill("#id_a_highlights", "Tổ chức 3 hội nghị tuyên truyền")
        watch.expect_status(sub_path, 400)
        with page.expect_navigation():
            page.locator("[data-testid=save]").click()
        assert page.locator("[data-testid=error-satisfaction]").is_visible()
        assert page.locator("#id_v_satisfaction").input_value() == "120"  # kept as typed
        assert page.locator("#id_v_participants").input_value() == "1.250"
        assert page.locator("#id_a_highlights").input_value() == "Tổ chức 3 hội nghị tuyên truyền"
        screenshot(page, "reports-fill-error")
        assert_accessible(page, base, "fill grid with an error")
        sub.refresh_from_db()
        assert sub.status == SubmissionStatus.NOT_STARTED  # nothing was saved

        page.fill("#id_v_satisfaction", "87,5")
        with page.expect_navigation():
            page.locator("[data-testid=save]").click()
        assert page.locator("[data-testid=status]").get_attribute("data-status") == "draft"
        with page.expect_navigation():
            page.locator("[data-testid=submit]").click()
        assert page.locator("[data-testid=status]").get_attribute("data-status") == "submitted"
        assert page.locator("[data-testid=fill-form]").count() == 0
        sub.refresh_from_db()
        assert sub.status == SubmissionStatus.SUBMITTED and sub.values["satisfaction"] == 87.5

        # The province sees the rate go up, drills down to the commune and accepts its report.
        province.goto(url(base, period_path))
        assert child_rate(province, tree["A1"].pk) == "100"
        assert province.locator("[data-testid=total]").get_attribute("data-received") == "1"
        with province.expect_navigation():
            province.locator(f"[data-testid=child][data-unit='{tree['A1'].pk}'] a").click()
        with province.expect_navigation():
            province.locator(f"[data-testid=report] a[href='{sub_path}']").click()
        province.on("dialog", lambda dialog: dialog.accept())
        with province.expect_navigation():
            province.locator("[data-testid=accept]").click()
        assert province.locator("[data-testid=status]").get_attribute("data-status") == "accepted"
        assert province.locator("[data-testid=locked]").count() == 1
        province.goto(url(base, period_path))
        assert child_rate(province, tree["A1"].pk) == "100"
        screenshot(province, "reports-period-after")
        assert_accessible(province, base, "period page after acceptance")
        province_watch.assert_clean()
    finally:
        province_ctx.close()
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.ACCEPTED
    watch.assert_clean()
