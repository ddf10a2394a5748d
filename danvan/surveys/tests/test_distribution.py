"""Officers' distribution pages: link and posters, one-time codes, paper entry, responses, voiding, duplicates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from danvan.core.models import AuditEvent
from danvan.surveys import responses, tokens
from danvan.surveys.models import Response, Survey, SurveyToken

from .test_responses import build_small

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(survey_tree: dict) -> Survey:
    return build_small(survey_tree["A1"])


def client_for(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


PAGES = ["surveys:distribute", "surveys:poster", "surveys:responses", "surveys:duplicates"]
RECORD_PAGES = ["surveys:issue_codes", "surveys:paper_entry"]


@pytest.mark.parametrize("name", PAGES + RECORD_PAGES)
def test_permission_boundaries(name: str, small: Survey, officer_user: Any, province_user: Any,
                               other_commune_user: Any, other_province_user: Any, nobody_user: Any,
                               viewer_user: Any) -> None:
    url = reverse(name, args=[small.pk])
    assert client_for(officer_user).get(url).status_code == 200
    assert client_for(province_user).get(url).status_code == 200  # the province covers its communes
    for outsider in (other_commune_user, other_province_user, nobody_user):
        assert client_for(outsider).get(url).status_code == 404
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert client_for(viewer_user).get(url).status_code == (403 if name in RECORD_PAGES else 200)


def test_deleted_survey_is_404(small: Survey, officer_user: Any) -> None:
    Survey.objects.filter(pk=small.pk).update(deleted_at=timezone.now())
    assert client_for(officer_user).get(reverse("surveys:distribute", args=[small.pk])).status_code == 404


def test_distribute_page_shows_link_qr_and_desks(small: Survey, officer_user: Any, desks: list) -> None:
    page = client_for(officer_user).get(reverse("surveys:distribute", args=[small.pk])).content.decode()
    public = reverse("surveys_public:start", args=[small.public_code])
    assert f"http://testserver{public}" in page and '<svg role="img"' in page
    for d in desks:
        assert d.name in page and f"?desk={d.pk}" in page


def test_poster_for_a_desk(small: Survey, officer_user: Any, desk: Any, settings: Any) -> None:
    settings.DANVAN_SITE_URL = "https://danvan.laichau.gov.vn/"
    r = client_for(officer_user).get(reverse("surveys:poster", args=[small.pk]) + f"?desk={desk.pk}")
    page = r.content.decode()
    assert r.status_code == 200
    assert small.org_unit.name in page and small.title in page and desk.name in page
    url = f"https://danvan.laichau.gov.vn/public/surveys/{small.public_code}/?desk={desk.code}"
    # page rules: a stylesheet file (the CSP allows no <style>)
    from django.contrib.staticfiles import finders
    css = Path(str(finders.find("css/survey-poster.css"))).read_text(encoding="utf-8")
    assert url in page and "css/survey-poster.css" in page and page.count("<svg") == 1
    assert "size:A4" in css and "@media print" in css
    assert "http://" not in page.replace("http://www.w3.org", "")  # nothing loaded from elsewhere
    assert client_for(officer_user).get(reverse("surveys:poster", args=[small.pk]) + "?desk=999999").status_code == 404
    assert client_for(officer_user).get(reverse("surveys:poster", args=[small.pk]) + "?desk=abc").status_code == 404


def test_poster_refuses_a_desk_of_another_unit(small: Survey, officer_user: Any, survey_tree: dict) -> None:
    from danvan.surveys import services

    other = services.create_desk(actor=None, org_unit=survey_tree["A2"], code="quay-a2", name="Quầy A2")
    url = reverse("surveys:poster", args=[small.pk]) + f"?desk={other.pk}"
    assert client_for(officer_user).get(url).status_code == 404


def test_issue_codes_shows_them_once(small: Survey, reception_user: Any, survey_tree: dict, desk: Any) -> None:
    c = client_for(reception_user)
    r = c.post(reverse("surveys:issue_codes", args=[small.pk]),
               {"org_unit": survey_tree["A1"].pk, "desk": desk.pk, "count": 3, "valid_days": 10})
    assert r.status_code == 302 and r["Location"] == reverse("surveys:code_sheet", args=[small.pk])
    sheet = c.get(r["Location"])
    page = sheet.content.decode()
    assert sheet["Cache-Control"].startswith("no-store") or "no-store" in sheet["Cache-Control"]
    shown = [line.split(">")[1].split("<")[0] for line in page.split('data-testid="code"')[1:]]
    # page rules: a stylesheet file (the CSP allows no <style>)
    from django.contrib.staticfiles import finders
    assert len(shown) == 3 and page.count("<svg") == 3 and "css/survey-codes.css" in page
    assert "size:A4" in Path(str(finders.find("css/survey-codes.css"))).read_text(encoding="utf-8")
    for code in shown:
        assert tokens.check(small, code) == ""
    assert SurveyToken.objects.filter(survey=small, desk=desk, issued_by=reception_user).count() == 3
    assert not any(SurveyToken.objects.filter(code_hash=tokens.normalise(c)).exists() for c in shown)
    assert AuditEvent.objects.filter(action="surveys.tokens.issue").count() == 1
    again = c.get(reverse("surveys:code_sheet", args=[small.pk]))
    assert again.status_code == 302  # shown once


@pytest.mark.parametrize(("data", "field"), [({"count": 0}, "count"), ({"count": 201}, "count"),
                                             ({"count": "nhiều"}, "count"), ({"valid_days": 0}, "valid_days")])
def test_issue_codes_bad_input(small: Survey, officer_user: Any, survey_tree: dict, data: dict, field: str) -> None:
    form = {"org_unit": survey_tree["A1"].pk, "count": 5, "valid_days": 30, **data}
    r = client_for(officer_user).post(reverse("surveys:issue_codes", args=[small.pk]), form)
    assert r.status_code == 400 and f'id="id_{field}_error"' in r.content.decode()
    assert not SurveyToken.objects.exists()


def test_issue_codes_for_another_unit_is_refused(small: Survey, officer_user: Any, survey_tree: dict) -> None:
    r = client_for(officer_user).post(reverse("surveys:issue_codes", args=[small.pk]),
                                      {"org_unit": survey_tree["B1"].pk, "count": 5, "valid_days": 30})
    assert r.status_code == 400 and not SurveyToken.objects.exists()


def test_paper_entry_once_per_form_and_audited(small: Survey, reception_user: Any, survey_tree: dict,
                                               desk: Any) -> None:
    c = client_for(reception_user)
    url = reverse("surveys:paper_entry", args=[small.pk])
    page = c.get(url).content.decode()
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    assert key.startswith("paper:")
    data = {"idempotency_key": key, "org_unit": survey_tree["A1"].pk, "desk": desk.pk, "q-s2": "2",
            "q-tx": "Ghi trên phiếu giấy"}
    r1 = c.post(url, data)
    r2 = c.post(url, data)  # a double click
    assert r1.status_code == r2.status_code == 302
    resp = Response.objects.get()
    assert resp.channel == "paper" and resp.recorded_by == reception_user and resp.desk == desk
    assert resp.answers == {"s2": 2, "tx": "Ghi trên phiếu giấy"}  # s1 left blank on paper: allowed
    assert resp.element_answered == 1 and resp.element_satisfied == 0
    assert AuditEvent.objects.filter(action="surveys.response.record", object_id=str(resp.pk)).count() == 1


def test_paper_entry_bad_input_keeps_what_was_typed(small: Survey, officer_user: Any, survey_tree: dict) -> None:
    c = client_for(officer_user)
    url = reverse("surveys:paper_entry", args=[small.pk])
    r = c.post(url, {"idempotency_key": "paper:x", "org_unit": survey_tree["A1"].pk, "q-s1": "9",
                     "q-tx": "x" * 25})
    page = r.content.decode()
    assert r.status_code == 400 and 'id="id_q-s1_error"' in page and "x" * 25 in page
    r = c.post(url, {"idempotency_key": "paper:y", "org_unit": survey_tree["A1"].pk})
    assert r.status_code == 400  # nothing answered at all
    assert not Response.objects.exists()


def test_paper_entry_on_a_closed_survey(small: Survey, officer_user: Any) -> None:
    Survey.objects.filter(pk=small.pk).update(status="closed")
    r = client_for(officer_user).get(reverse("surveys:paper_entry", args=[small.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("surveys:distribute", args=[small.pk])


def _many(survey: Survey, n: int) -> None:
    for i in range(n):
        responses.submit_response(survey=survey, answers={"s1": 1 + i % 5}, client_address=f"10.0.0.{i % 3}")


def test_response_list_keyset_and_query_count(small: Survey, officer_user: Any,
                                              django_assert_max_num_queries: Any) -> None:
    _many(small, 55)
    c = client_for(officer_user)
    url = reverse("surveys:responses", args=[small.pk])
    with django_assert_max_num_queries(12):
        r = c.get(url)
    page = r.content.decode()
    assert page.count('data-testid="response-row"') == 50 and 'rel="next"' in page
    next_url = page.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    with django_assert_max_num_queries(12):
        r2 = c.get(next_url.replace("&amp;", "&"))
    page2 = r2.content.decode()
    assert page2.count('data-testid="response-row"') == 5 and 'rel="next"' not in page2
    ids1 = {int(x.split("<td>")[1].split("<")[0]) for x in page.split('data-testid="response-row">')[1:]}
    ids2 = {int(x.split("<td>")[1].split("<")[0]) for x in page2.split('data-testid="response-row">')[1:]}
    assert not ids1 & ids2 and len(ids1 | ids2) == 55
    assert c.get(url + "?after=garbage").status_code == 200


def test_void_from_the_list(small: Survey, head_user: Any, officer_user: Any) -> None:
    _many(small, 1)
    resp = Response.objects.get()
    url = reverse("surveys:void_response", args=[small.pk, resp.pk])
    assert client_for(officer_user).get(url).status_code == 403
    assert "void/" not in client_for(officer_user).get(reverse("surveys:responses", args=[small.pk])).content.decode()
    c = client_for(head_user)
    assert c.post(url, {"reason": ""}).status_code == 400
    r = c.post(url, {"reason": "Nhập trùng phiếu giấy"})
    assert r.status_code == 302
    resp.refresh_from_db()
    assert resp.voided_by == head_user and resp.void_reason == "Nhập trùng phiếu giấy"
    assert c.post(url, {"reason": "Lần hai"}).status_code == 400
    assert client_for(head_user).get(reverse("surveys:void_response", args=[small.pk, 999999])).status_code == 404


def test_duplicates_page(small: Survey, officer_user: Any, django_assert_max_num_queries: Any) -> None:
    for _i in range(3):
        responses.submit_response(survey=small, answers={"s1": 5}, client_address="198.51.100.1")
    responses.submit_response(survey=small, answers={"s1": 5}, client_address="198.51.100.2")
    c = client_for(officer_user)
    with django_assert_max_num_queries(12):  # session, user, scope, survey, 2 for groups, nav, session save
        page = c.get(reverse("surveys:duplicates", args=[small.pk])).content.decode()
    assert page.count('data-testid="duplicate-group"') == 1
    assert "198.51.100" not in page  # the address is never shown, nor kept


def test_void_link_for_the_head_on_duplicates(small: Survey, head_user: Any) -> None:
    for _i in range(2):
        responses.submit_response(survey=small, answers={"s1": 5}, client_address="198.51.100.1")
    page = client_for(head_user).get(reverse("surveys:duplicates", args=[small.pk])).content.decode()
    assert page.count("/void/") == 2


def test_old_responses_stay_out_of_the_first_page(small: Survey, officer_user: Any) -> None:
    _many(small, 2)
    Response.objects.filter(pk=Response.objects.order_by("pk").first().pk).update(  # type: ignore[union-attr]
        submitted_at=timezone.now() - dt.timedelta(days=400))
    page = client_for(officer_user).get(reverse("surveys:responses", args=[small.pk])).content.decode()
    assert page.count('data-testid="response-row"') == 2
