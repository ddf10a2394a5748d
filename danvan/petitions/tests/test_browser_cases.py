"""In the browser: an officer files a complaint, classifies and accepts it, and finds it on the work list."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import login, path_of, url

from . import fixtures_cases

fields, people = fixtures_cases.fields, fixtures_cases.people  # fixtures used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_file_accept_and_see_on_the_work_list(page: Any, live_server: Any, people: Any, fields: Any,
                                              tree: Any) -> None:
    from danvan.petitions.models import Petition, PetitionStatus

    base = str(live_server.url)
    login(page, base, "officer")
    page.goto(url(base, "/petitions/"))
    with page.expect_navigation():
        page.locator("[data-testid=new-petition]").click()
    assert path_of(page) == "/petitions/new/"
    page.select_option("#id_org_unit", str(tree["A1"].pk))
    page.select_option("#id_kind", "complaint")
    page.select_option("#id_channel", "direct")
    page.fill("#id_received_on", "10/07/2026")
    page.fill("#id_summary", "Khiếu nại việc thu hồi đất trồng lúa")
    page.fill("#id_filer_name", "Nguyễn Văn Trình Duyệt")
    page.fill("#id_signers", "1")
    with page.expect_navigation():
        page.locator("[data-testid=save]").click()
    petition = Petition.objects.get(org_unit=tree["A1"])
    assert path_of(page) == f"/petitions/{petition.pk}/"
    assert page.locator("[data-testid=status]").get_attribute("data-status") == "received"

    with page.expect_navigation():
        page.locator("[data-action=classify]").click()
    page.select_option("#id_field", str(fields["land"].pk))
    page.check("input[name=eligible][value=yes]")
    page.check("input[name=competence][value=own]")
    with page.expect_navigation():
        page.locator("[data-testid=submit]").click()
    assert page.locator("[data-testid=status]").get_attribute("data-status") == "classified"

    with page.expect_navigation():
        page.locator("[data-action=accept]").click()
    page.fill("#id_accepted_on", "21/07/2026")
    with page.expect_navigation():
        page.locator("[data-testid=submit]").click()
    assert page.locator("[data-testid=status]").get_attribute("data-status") == "accepted"
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.ACCEPTED

    page.goto(url(base, "/petitions/"))
    row = page.locator(f"[data-testid=case-row][data-pk='{petition.pk}']")
    assert row.count() == 1
    assert "Khiếu nại việc thu hồi đất trồng lúa" in row.inner_text()
    assert row.locator("[data-testid=due]").get_attribute("data-state") in ("green", "amber", "red")
