"""Regimes, periods and the period page: set-up from a plan, opening and closing, the drill-down, downloads."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.reports import services
from danvan.reports.models import Period, PeriodStatus, ReportingRegime, Submission, SubmissionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return {
        "officer": make_user("xa", (tree["A1"], "officer")),
        "sibling": make_user("xakhac", (tree["A2"], "officer")),
        "viewer": make_user("xem", (tree["A1"], "viewer")),
        "province": make_user("tinh", (tree["A"], "officer")),
        "province_viewer": make_user("xemtinh", (tree["A"], "viewer")),
        "other": make_user("tinhkhac", (tree["B"], "admin")),
        "nobody": make_user("khongco"),
    }


@pytest.fixture
def plan(tree: dict[str, Any]) -> Any:
    from danvan.plans import services as plans

    p = plans.create_plan(actor=None, issuer=tree["A"], title="Kế hoạch công tác dân vận chính quyền năm 2027",
                          year=2027, place="Lai Châu", signer_name="Nguyễn Văn A", signer_position="Chủ tịch",
                          signer_authority="TM.")
    plans.add_deadline(actor=None, plan=p, text="Báo cáo 6 tháng", due_on=dt.date(2027, 6, 5), kind="half_year_report")
    plans.add_deadline(actor=None, plan=p, text="Báo cáo năm", due_on=dt.date(2027, 11, 15), kind="annual_report")
    p.refresh_from_db()
    return plans.issue_plan(actor=None, plan=p, expected_version=p.lock_version, issued_on=dt.date(2026, 11, 2))


def regime_data(small_form: Any, tree: Any, kinds: Any, **extra: Any) -> dict[str, Any]:
    data = {
        "owner": tree["A"].pk, "name": "Báo cáo dân vận 2027", "form": small_form.pk, "scope_root": tree["A"].pk,
        "reporter_kinds": [kinds["commune"].pk, kinds["department"].pk], "period_kinds": ["half_year", "annual"],
        "deadline_half_year": "05/06", "deadline_annual": "15/11",
    }
    data.update(extra)
    return data


# ---------------------------------------------------------------------------------------------
# A new regime


def test_new_regime_from_a_plan_is_prefilled_and_created(
    client: Any, people: Any, plan: Any, small_form: Any, tree: Any, kinds: Any
) -> None:
    client.force_login(people["province"])
    new = reverse("reports:regime_new") + f"?plan={plan.pk}"
    html = client.get(new).content.decode()
    assert "Kế hoạch công tác dân vận chính quyền năm 2027" in html
    assert re.search(r'name="deadline_half_year"[^>]*value="05/06"', html)
    assert re.search(r'name="deadline_annual"[^>]*value="15/11"', html)
    response = client.post(new, regime_data(small_form, tree, kinds))
    assert response.status_code == 302, re.findall(r'class="errors?"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    regime = ReportingRegime.objects.get()
    assert response["Location"] == reverse("reports:regime", args=[regime.pk])
    assert regime.plan == plan and regime.owner == tree["A"]
    assert regime.deadlines == {"half_year": "06-05", "annual": "11-15"}
    assert set(regime.reporter_kinds.values_list("code", flat=True)) == {"commune", "department"}
    # the plan page lists it
    assert reverse("reports:regime", args=[regime.pk]) in client.get(reverse("plans:detail", args=[plan.pk])).content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"deadline_half_year": "31/02"}, "deadline_half_year"), ({"name": ""}, "name"), ({"period_kinds": []}, "period_kinds"),
     ({"cutoff_half_year_start": "15/12"}, "cutoff_half_year_end")],
)
def test_new_regime_bad_input_is_named(
    client: Any, people: Any, small_form: Any, tree: Any, kinds: Any, changes: dict, field: str
) -> None:
    client.force_login(people["province"])
    response = client.post(reverse("reports:regime_new"), regime_data(small_form, tree, kinds, **changes))
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not ReportingRegime.objects.exists()


def test_commune_officer_cannot_set_up_the_provinces_reporting(
    client: Any, people: Any, small_form: Any, tree: Any, kinds: Any
) -> None:
    client.force_login(people["officer"])
    response = client.post(reverse("reports:regime_new"), regime_data(small_form, tree, kinds))
    assert response.status_code == 400  # the province is not among the units offered
    assert not ReportingRegime.objects.exists()
    client.force_login(people["viewer"])
    assert client.get(reverse("reports:regime_new")).status_code == 200
    assert client.post(reverse("reports:regime_new"), regime_data(small_form, tree, kinds)).status_code == 400
    assert not ReportingRegime.objects.exists()


def test_plan_of_another_province_does_not_exist(client: Any, people: Any, plan: Any) -> None:
    client.force_login(people["other"])
    assert client.get(reverse("reports:regime_new") + f"?plan={plan.pk}").status_code == 404


def test_plan_page_offers_setting_up_reporting_to_editors_only(client: Any, people: Any, plan: Any) -> None:
    page = reverse("plans:detail", args=[plan.pk])
    client.force_login(people["province"])
    assert 'data-testid="set-up-reporting"' in client.get(page).content.decode()
    client.force_login(people["province_viewer"])
    assert 'data-testid="set-up-reporting"' not in client.get(page).content.decode()


# ---------------------------------------------------------------------------------------------
# The regime, its periods


@pytest.mark.parametrize(("who", "status"), [
    ("province", 200), ("officer", 200), ("province_viewer", 200), ("other", 404), ("nobody", 404),
])
def test_regime_page_is_read_inside_its_scope(client: Any, people: Any, period: Period, who: str, status: int) -> None:
    client.force_login(people[who])
    response = client.get(reverse("reports:regime", args=[period.regime_id]))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert reverse("reports:period", args=[period.pk]) in html
        assert ('data-testid="open-period"' in html) == (who == "province")


def test_open_period_with_default_dates(client: Any, people: Any, period: Period) -> None:
    regime = period.regime
    client.force_login(people["province"])
    page = reverse("reports:period_open", args=[regime.pk])
    html = client.get(page).content.decode()
    assert 'data-testid="defaults"' in html and "14/06/" in html  # the Decree 09 cut-off, shown
    response = client.post(page, {"kind": "half_year", "year": "2027", "number": "1", "due_on": "20/06/2027"})
    assert response.status_code == 302, re.findall(r'class="errors?"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    new = Period.objects.get(regime=regime, year=2027)
    assert new.starts_on == dt.date(2026, 12, 15) and new.due_on == dt.date(2027, 6, 20)
    assert Submission.objects.filter(period=new).count() == 3  # A1, A2, Adep


@pytest.mark.parametrize(("data", "field"), [
    ({"starts_on": "01/06/2027", "ends_on": "01/01/2027", "due_on": "05/06/2027"}, "ends_on"),
    ({"ends_on": "14/06/2027", "due_on": "01/06/2027", "starts_on": "15/12/2026"}, "due_on"),
    ({"due_on": "31/02/2027"}, "due_on"),
    ({"year": "năm nay", "due_on": "05/06/2027"}, "year"),
    ({"number": "1", "year": "2026"}, "number"),  # the fixture's period already exists
])
def test_open_period_bad_input(client: Any, people: Any, period: Period, data: dict, field: str) -> None:
    client.force_login(people["province"])
    response = client.post(reverse("reports:period_open", args=[period.regime_id]),
                           {"kind": "half_year", "year": "2027", "number": "1", **data})
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode() or field == "number"
    assert Period.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("officer", 403), ("province_viewer", 403), ("other", 404)])
def test_only_the_consolidating_unit_opens_periods(client: Any, people: Any, period: Period, who: str, status: int) -> None:
    client.force_login(people[who])
    response = client.post(reverse("reports:period_open", args=[period.regime_id]),
                           {"kind": "half_year", "year": "2027", "number": "1"})
    assert response.status_code == status
    assert Period.objects.count() == 1


def test_edit_period_dates_and_stale_version(client: Any, people: Any, period: Period) -> None:
    client.force_login(people["province"])
    page = reverse("reports:period_edit", args=[period.pk])
    data = {"label": period.label, "starts_on": "15/12/2025", "ends_on": "14/06/2026", "due_on": "20/06/2026",
            "expected_version": period.lock_version}
    assert client.post(page, {**data, "due_on": "01/06/2026"}).status_code == 400  # before the cut-off's end
    assert client.post(page, data).status_code == 302
    period.refresh_from_db()
    assert period.due_on == dt.date(2026, 6, 20) and period.ends_on == dt.date(2026, 6, 14)
    response = client.post(page, {**data, "due_on": "30/06/2026"})  # the version the page had is now stale
    assert response.status_code == 400
    assert 'value="30/06/2026"' in response.content.decode()
    period.refresh_from_db()
    assert period.due_on == dt.date(2026, 6, 20)
    client.force_login(people["officer"])
    assert client.get(page).status_code == 403


def test_close_period(client: Any, people: Any, period: Period) -> None:
    close = reverse("reports:period_close", args=[period.pk])
    client.force_login(people["officer"])
    assert client.post(close).status_code == 403
    client.force_login(people["province"])
    assert client.post(close).status_code == 302
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED
    sub = Submission.objects.get(period=period, org_unit__code="03440")
    client.force_login(people["officer"])
    html = client.get(reverse("reports:submission", args=[sub.pk])).content.decode()
    assert 'data-testid="fill-form"' not in html


# ---------------------------------------------------------------------------------------------
# The period page


def submit(period: Period, unit: Any, actor: Any, **values: Any) -> Submission:
    sub = Submission.objects.get(period=period, org_unit=unit)
    base = {"sessions": 2, "received": 4, "resolved": 3}
    sub = services.save_draft(actor=actor, submission=sub, values={**base, **values},
                              answers={"highlights": "Tốt"}, expected_version=sub.lock_version)
    return services.submit_report(actor=actor, submission=sub, expected_version=sub.lock_version)


def rates(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="child" data-unit="(\d+)" data-rate="([^"]*)"', html))


def test_province_sees_its_communes_rates_and_drills_down(client: Any, people: Any, period: Period, tree: Any) -> None:
    submit(period, tree["A1"], people["officer"], sessions=5)
    client.force_login(people["province"])
    page = reverse("reports:period", args=[period.pk])
    response = client.get(page + "?ind=sessions")
    assert response.status_code == 200
    html = response.content.decode()
    assert rates(html) == {str(tree["A1"].pk): "100", str(tree["A2"].pk): "0"}
    assert re.search(r'data-testid="total" data-expected="3" data-received="1"', html)
    assert f'?unit={tree["A1"].pk}&amp;ind=sessions' in html  # drill link keeps the chosen figures
    assert re.search(r'<td class="num">5</td>', html)  # sessions of A1 beside its rate
    # the department reports straight to the province: listed under it
    assert 'data-testid="report"' in html and "Sở Nội vụ" in html
    # down to the commune: its own report, with a link for the province's officer
    html = client.get(page + f"?unit={tree['A1'].pk}").content.decode()
    sub = Submission.objects.get(period=period, org_unit=tree["A1"])
    assert reverse("reports:submission", args=[sub.pk]) in html
    assert 'data-status="submitted"' in html


def test_commune_officer_sees_only_their_commune(client: Any, people: Any, period: Period, tree: Any) -> None:
    client.force_login(people["officer"])
    page = reverse("reports:period", args=[period.pk])
    response = client.get(page)
    assert response.status_code == 200
    assert response.context["unit"] == tree["A1"]
    assert client.get(page + f"?unit={tree['A'].pk}").status_code == 404
    assert client.get(page + f"?unit={tree['A2'].pk}").status_code == 404
    assert client.get(page + "?unit=abc").status_code == 404


@pytest.mark.parametrize("who", ["other", "nobody"])
def test_period_of_another_province_does_not_exist(client: Any, people: Any, period: Period, who: str) -> None:
    client.force_login(people[who])
    for name in ("reports:period", "reports:period_synthesis", "reports:period_values"):
        assert client.get(reverse(name, args=[period.pk])).status_code == 404


def test_province_cannot_look_at_another_provinces_unit(client: Any, people: Any, period: Period, tree: Any) -> None:
    client.force_login(people["province"])
    assert client.get(reverse("reports:period", args=[period.pk]) + f"?unit={tree['B1'].pk}").status_code == 404


def test_anonymous_period_page_redirects(client: Any, period: Period) -> None:
    response = client.get(reverse("reports:period", args=[period.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_period_page_queries_do_not_grow_with_units(
    client: Any, people: Any, period: Period, tree: Any, kinds: Any
) -> None:
    from danvan.orgs import services as orgs

    client.force_login(people["province"])
    page = reverse("reports:period", args=[period.pk]) + "?ind=sessions&ind=received"
    submit(period, tree["A1"], people["officer"])
    client.get(page)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert client.get(page).status_code == 200
    for i in range(12):
        commune = orgs.create_unit(actor=None, kind=kinds["commune"], name=f"Xã {i}", parent=tree["A"], audit_event=False)
        orgs.create_unit(actor=None, kind=kinds["village"], name=f"Bản {i}", parent=commune, audit_event=False)
    services.sync_expected(period=Period.objects.get(pk=period.pk))
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        response = client.get(page)
    assert response.content.decode().count('data-testid="child"') == 14
    assert len(many) <= len(few), f"{len(many)} queries for 14 communes, {len(few)} for 2"
    assert len(few) <= 25


def test_rate_goes_up_when_a_report_is_accepted_or_submitted(client: Any, people: Any, period: Period, tree: Any) -> None:
    client.force_login(people["province"])
    page = reverse("reports:period", args=[period.pk])
    assert rates(client.get(page).content.decode())[str(tree["A2"].pk)] == "0"
    sub = submit(period, tree["A2"], people["sibling"])
    services.accept_report(actor=people["province"], submission=sub, expected_version=sub.lock_version)
    assert rates(client.get(page).content.decode())[str(tree["A2"].pk)] == "100"


def test_downloads(client: Any, people: Any, period: Period, tree: Any) -> None:
    from docx import Document
    from openpyxl import load_workbook

    submit(period, tree["A1"], people["officer"], sessions=5)
    client.force_login(people["province"])
    docx = client.get(reverse("reports:period_synthesis", args=[period.pk]))
    assert docx.status_code == 200 and "attachment" in docx["Content-Disposition"]
    assert "Tỉnh Lai Châu" in "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs) or docx.content
    xlsx = client.get(reverse("reports:period_values", args=[period.pk]) + f"?unit={tree['A1'].pk}")
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].startswith("attachment")
    data = b"".join(xlsx.streaming_content)
    wb = load_workbook(io.BytesIO(data))
    assert wb.worksheets and wb.worksheets[0].max_row >= 2
    client.force_login(people["officer"])
    assert client.get(reverse("reports:period_values", args=[period.pk]) + f"?unit={tree['A'].pk}").status_code == 404


def test_status_shown_in_words_on_the_commune_page(client: Any, people: Any, period: Period, tree: Any) -> None:
    client.force_login(people["officer"])
    html = client.get(reverse("reports:period", args=[period.pk])).content.decode()
    assert re.search(r'data-testid="report" data-status="not_started"', html)
    assert str(SubmissionStatus.NOT_STARTED.label) in html
