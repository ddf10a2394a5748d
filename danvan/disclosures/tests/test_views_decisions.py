"""Pages of residents' decisions and consultations: every view checks permission (404 for what the user
cannot see, 403 for what they may not do), forms show errors and save nothing, lists have a query budget."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from danvan.disclosures import consultations, decisions
from danvan.disclosures.models import Consultation, ConsultationStatus, Matter, ResidentDecision

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
HELD = TODAY - dt.timedelta(days=20)
LIST_QUERIES = 12


@pytest.fixture
def people(tree: dict, make_user: Any, no_mfa: None) -> dict[str, Any]:
    return {
        "officer": make_user("officer", (tree["A1"], "officer")),
        "head": make_user("head", (tree["A1"], "head")),
        "viewer": make_user("viewer", (tree["A1"], "viewer")),
        "front": make_user("front", (tree["A1"], "front_supervisor")),
        "sibling": make_user("sibling", (tree["A2"], "admin")),
        "other_province": make_user("other_province", (tree["B"], "admin")),
        "nobody": make_user("nobody"),
    }


def client(user: Any = None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def decision(unit: Any, **kw: Any) -> ResidentDecision:
    values: dict[str, Any] = {
        "matter": Matter.CONTRIBUTION, "title": "Đóng góp làm đường nội bản", "form": "meeting", "held_on": HELD,
        "decided_on": HELD, "households_total": 80, "households_participating": 70, "votes_for": 60,
        "votes_against": 10,
    }
    values.update(kw)
    return decisions.record_decision(actor=None, org_unit=unit, **values)


def consultation(unit: Any, **kw: Any) -> Consultation:
    values: dict[str, Any] = {
        "matter": "land_use", "title": "Quy hoạch sử dụng đất", "opens_on": TODAY - dt.timedelta(days=5),
        "closes_on": TODAY, "draft": "Dự thảo", "forms": ["meeting"],
    }
    values.update(kw)
    return consultations.create_consultation(actor=None, org_unit=unit, **values)


def form_data(unit: Any, **kw: Any) -> dict[str, Any]:
    data = {
        "org_unit": unit.pk, "matter": "contribution", "title": "Làm nhà văn hóa bản", "form": "meeting",
        "held_on": HELD.strftime("%d/%m/%Y"), "decided_on": HELD.strftime("%d/%m/%Y"), "households_total": "80",
        "households_participating": "70", "votes_for": "60", "votes_against": "10", "content": "",
        "sent_to_commune_on": "",
    }
    data.update(kw)
    return data


# --------------------------------------------------------------------------- decisions


def test_anonymous_is_sent_to_login(tree: dict) -> None:
    d = decision(tree["A1v"])
    for url in ["/grassroots/decisions/", f"/grassroots/decisions/{d.pk}/", "/grassroots/decisions/new/",
                "/grassroots/consultations/"]:
        r = client().get(url)
        assert r.status_code == 302 and "login" in r["Location"]
    r = client().post(f"/grassroots/decisions/{d.pk}/delete/", {"reason": "x"})
    assert r.status_code == 302 and ResidentDecision.objects.get(pk=d.pk).deleted_at is None


def test_list_is_scoped_filtered_and_bounded(tree: dict, people: dict) -> None:
    mine = decision(tree["A1v"])
    failed = decision(tree["A1v"], title="Quỹ khuyến học", votes_for=40, votes_against=30)
    theirs = decision(tree["A2"], title="Của phường bên")
    c = client(people["officer"])
    filters = {"unit": tree["A1"].pk, "sending": "overdue"}
    c.get("/grassroots/decisions/")  # the session settles on the first request
    with CaptureQueriesContext(connection) as few:
        assert c.get("/grassroots/decisions/", filters).content.decode().count('data-testid="decision-result"') == 2
    assert len(few) <= LIST_QUERIES
    r = c.get("/grassroots/decisions/")
    assert r.status_code == 200
    body = r.content.decode()
    assert mine.title in body and failed.title in body and theirs.title not in body
    assert body.count("<h1") == 1 and 'href="/grassroots/decisions/new/"' in body
    r = c.get("/grassroots/decisions/", {"result": "failed"})
    assert failed.title in r.content.decode() and mine.title not in r.content.decode()
    # More rows cost no more queries.
    for i in range(30):
        decision(tree["A1v"], title=f"Quyết định {i}", held_on=HELD - dt.timedelta(days=i + 1),
                 decided_on=HELD - dt.timedelta(days=i + 1))
    with CaptureQueriesContext(connection) as many:
        r = c.get("/grassroots/decisions/", filters)
    assert r.status_code == 200 and r.content.decode().count('data-testid="decision-result"') == 32
    assert len(many) == len(few)
    # A bad cursor shows the first page rather than an error.
    assert c.get("/grassroots/decisions/", {"after": "garbage"}).status_code == 200
    # A viewer reads but is not offered to record.
    r = client(people["viewer"]).get("/grassroots/decisions/")
    assert mine.title in r.content.decode() and 'href="/grassroots/decisions/new/"' not in r.content.decode()


def test_list_paginates(tree: dict, people: dict) -> None:
    for i in range(decisions.PAGE_SIZE + 1):
        decision(tree["A1v"], title=f"Quyết định {i}", held_on=HELD - dt.timedelta(days=i),
                 decided_on=HELD - dt.timedelta(days=i))
    c = client(people["officer"])
    r = c.get("/grassroots/decisions/")
    assert r.context["page"].next and len(r.context["page"].items) == decisions.PAGE_SIZE
    r2 = c.get("/grassroots/decisions/", {"after": r.context["page"].next})
    assert [d.title for d in r2.context["page"].items] == [f"Quyết định {decisions.PAGE_SIZE}"]


def test_create(tree: dict, people: dict) -> None:
    c = client(people["officer"])
    r = c.get("/grassroots/decisions/new/")
    assert r.status_code == 200
    units = list(r.context["form"].fields["org_unit"].queryset)
    assert units == [tree["A1"], tree["A1v"]]
    r = c.post("/grassroots/decisions/new/", form_data(tree["A1v"]))
    d = ResidentDecision.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/grassroots/decisions/{d.pk}/"
    assert d.passed and d.created_by == people["officer"]
    # The same submit again: refused, not duplicated.
    r = c.post("/grassroots/decisions/new/", form_data(tree["A1v"]))
    assert r.status_code == 400 and "title" in r.context["form"].errors
    assert ResidentDecision.objects.count() == 1


@pytest.mark.parametrize(("kw", "field"), [
    ({"votes_for": "65", "votes_against": "10"}, "votes_for"),
    ({"households_participating": "81"}, "households_participating"),
    ({"decided_on": (HELD - dt.timedelta(days=1)).strftime("%d/%m/%Y")}, "decided_on"),
    ({"held_on": (TODAY + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
      "decided_on": (TODAY + dt.timedelta(days=1)).strftime("%d/%m/%Y")}, "held_on"),
    ({"title": ""}, "title"),
    ({"households_total": "tám mươi"}, "households_total"),
    ({"held_on": "31/02/2026"}, "held_on"),
])
def test_create_bad_input(tree: dict, people: dict, kw: dict, field: str) -> None:
    r = client(people["officer"]).post("/grassroots/decisions/new/", form_data(tree["A1v"], **kw))
    assert r.status_code == 400
    assert field in r.context["form"].errors
    assert f'id="id_{field}_error"' in r.content.decode()
    assert ResidentDecision.objects.count() == 0


def test_create_elsewhere_is_refused(tree: dict, people: dict) -> None:
    r = client(people["officer"]).post("/grassroots/decisions/new/", form_data(tree["A2"]))
    assert r.status_code == 400 and "org_unit" in r.context["form"].errors
    r = client(people["viewer"]).get("/grassroots/decisions/new/")
    assert r.status_code == 200 and not r.context["has_units"]
    r = client(people["viewer"]).post("/grassroots/decisions/new/", form_data(tree["A1v"]))
    assert r.status_code == 400
    assert ResidentDecision.objects.count() == 0


def test_detail_shows_the_rule_and_the_actions(tree: dict, people: dict,
                                              django_assert_max_num_queries: Any) -> None:
    d = decision(tree["A1v"])
    c = client(people["officer"])
    with django_assert_max_num_queries(LIST_QUERIES):
        r = c.get(f"/grassroots/decisions/{d.pk}/")
    body = r.content.decode()
    assert r.status_code == 200 and body.count("<h1") == 1
    rule = body.split('data-testid="decision-rule"')[1].split("</ul>")[0]
    assert "54" in rule and "80" in rule and "60" in rule
    assert f"/grassroots/decisions/{d.pk}/edit/" in body and f"/grassroots/decisions/{d.pk}/sent/" in body
    assert 'data-testid="attachments"' in body
    assert f"/grassroots/decisions/{d.pk}/delete/" not in body  # an officer does not delete
    r = client(people["front"]).get(f"/grassroots/decisions/{d.pk}/")
    assert r.status_code == 200 and f"/grassroots/decisions/{d.pk}/edit/" not in r.content.decode()
    assert f"/grassroots/decisions/{d.pk}/delete/" in client(people["head"]).get(
        f"/grassroots/decisions/{d.pk}/").content.decode()


@pytest.mark.parametrize("who", ["sibling", "other_province", "nobody"])
def test_invisible_decision_is_404_everywhere(tree: dict, people: dict, who: str) -> None:
    d = decision(tree["A1v"])
    c = client(people[who])
    assert c.get(f"/grassroots/decisions/{d.pk}/").status_code == 404
    assert c.get(f"/grassroots/decisions/{d.pk}/edit/").status_code == 404
    assert c.post(f"/grassroots/decisions/{d.pk}/sent/", {"expected_version": 1,
                                                          "sent_on": TODAY.strftime("%d/%m/%Y")}).status_code == 404
    assert c.post(f"/grassroots/decisions/{d.pk}/delete/", {"reason": "x"}).status_code == 404
    assert c.get("/grassroots/decisions/999999/").status_code == 404
    assert ResidentDecision.objects.get(pk=d.pk).sent_to_commune_on is None


def test_reader_may_not_act(tree: dict, people: dict) -> None:
    d = decision(tree["A1v"])
    c = client(people["viewer"])
    assert c.get(f"/grassroots/decisions/{d.pk}/edit/").status_code == 403
    assert c.post(f"/grassroots/decisions/{d.pk}/edit/", form_data(tree["A1v"], expected_version=1)).status_code == 403
    assert c.post(f"/grassroots/decisions/{d.pk}/sent/", {"expected_version": 1,
                                                          "sent_on": TODAY.strftime("%d/%m/%Y")}).status_code == 403
    assert client(people["officer"]).post(f"/grassroots/decisions/{d.pk}/delete/",
                                          {"reason": "x"}).status_code == 403
    d.refresh_from_db()
    assert (d.lock_version, d.sent_to_commune_on, d.deleted_at) == (1, None, None)


def test_edit_and_concurrent_edit(tree: dict, people: dict) -> None:
    d = decision(tree["A1v"])
    c = client(people["officer"])
    r = c.get(f"/grassroots/decisions/{d.pk}/edit/")
    assert r.status_code == 200 and "org_unit" not in r.context["form"].fields
    assert r.context["form"].initial["expected_version"] == 1
    data = form_data(tree["A1v"], title=d.title, votes_for="50", votes_against="20", expected_version="1")
    r = c.post(f"/grassroots/decisions/{d.pk}/edit/", data)
    assert r.status_code == 302
    d.refresh_from_db()
    assert (d.votes_for, d.passed, d.lock_version) == (50, False, 2)
    r = c.post(f"/grassroots/decisions/{d.pk}/edit/", {**data, "votes_for": "59"})  # stale version 1 (and bad votes)
    assert r.status_code == 409 and r.context["form"].non_field_errors()
    d.refresh_from_db()
    assert d.votes_for == 50
    r = c.post(f"/grassroots/decisions/{d.pk}/edit/", {**data, "expected_version": "2", "households_total": "60"})
    assert r.status_code == 400 and "households_participating" in r.context["form"].errors


def test_mark_sent_and_delete(tree: dict, people: dict) -> None:
    d = decision(tree["A1v"])
    c = client(people["officer"])
    r = c.post(f"/grassroots/decisions/{d.pk}/sent/", {"expected_version": 1,
                                                      "sent_on": (HELD - dt.timedelta(days=1)).strftime("%d/%m/%Y")})
    assert r.status_code == 400 and "sent_on" in r.context["sent_form"].errors
    assert c.get(f"/grassroots/decisions/{d.pk}/sent/").status_code == 405
    r = c.post(f"/grassroots/decisions/{d.pk}/sent/", {"expected_version": 1,
                                                      "sent_on": TODAY.strftime("%d/%m/%Y")})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.sent_to_commune_on == TODAY
    r = client(people["head"]).post(f"/grassroots/decisions/{d.pk}/delete/", {"reason": ""})
    assert r.status_code == 400 and "reason" in r.context["delete_form"].errors
    r = client(people["head"]).post(f"/grassroots/decisions/{d.pk}/delete/", {"reason": "Nhập trùng"})
    assert r.status_code == 302 and r["Location"] == "/grassroots/decisions/"
    assert c.get(f"/grassroots/decisions/{d.pk}/").status_code == 404


# --------------------------------------------------------------------------- consultations


def test_consultation_pages_through_the_whole_life(tree: dict, people: dict,
                                                   django_assert_max_num_queries: Any) -> None:
    c = client(people["officer"])
    r = c.get("/grassroots/consultations/new/")
    assert r.status_code == 200 and r.context["form"].initial["is_public"] is True
    r = c.post("/grassroots/consultations/new/", {
        "org_unit": tree["A1"].pk, "matter": "land_use", "title": "Quy hoạch đất ở bản Thẳm", "draft": "",
        "forms": ["meeting", "website"], "opens_on": TODAY.strftime("%d/%m/%Y"),
        "closes_on": TODAY.strftime("%d/%m/%Y"), "is_public": "on",
    })
    cons = Consultation.objects.get()
    assert r.status_code == 302 and cons.forms == ["meeting", "website"] and cons.is_public
    url = f"/grassroots/consultations/{cons.pk}/"
    with django_assert_max_num_queries(LIST_QUERIES):
        assert c.get(url).status_code == 200
    # Opening needs the draft: the error shows on the page, nothing changes.
    r = c.post(url + "open/", {"expected_version": 1})
    assert r.status_code == 400 and r.context["open_form"].non_field_errors()
    r = c.post(url + "edit/", {"matter": "land_use", "title": cons.title, "draft": "Dự thảo quy hoạch",
                               "forms": ["meeting"], "opens_on": TODAY.strftime("%d/%m/%Y"),
                               "closes_on": TODAY.strftime("%d/%m/%Y"), "is_public": "on", "expected_version": "1"})
    assert r.status_code == 302
    assert c.post(url + "open/", {"expected_version": 2}).status_code == 302
    assert c.post(url + "open/", {"expected_version": 2}).status_code == 409  # double submit
    r = c.post(url + "close/", {"expected_version": 3, "opinions_received": "4", "opinions_summary": ""})
    assert r.status_code == 400 and "opinions_summary" in r.context["close_form"].errors
    assert c.post(url + "close/", {"expected_version": 3, "opinions_received": "4",
                                   "opinions_summary": "Đồng ý"}).status_code == 302
    r = c.get(url + "edit/")
    assert "opinions_received" in r.context["form"].fields
    r = c.post(url + "publish/", {"expected_version": 4, "taken_into_account": "",
                                  "result_published_on": ""})
    assert r.status_code == 400 and "taken_into_account" in r.context["publish_form"].errors
    assert c.post(url + "publish/", {"expected_version": 4, "taken_into_account": "Tiếp thu cả 4 ý kiến",
                                     "result_published_on": ""}).status_code == 302
    cons.refresh_from_db()
    assert (cons.status, cons.result_published_on, cons.opinions_received) == (ConsultationStatus.PUBLISHED, TODAY, 4)
    assert client(people["officer"]).post(url + "delete/", {"reason": "x"}).status_code == 403
    assert client(people["head"]).post(url + "delete/", {"reason": "Nhập nhầm"}).status_code == 302
    assert c.get(url).status_code == 404


def test_consultation_list_and_boundaries(tree: dict, people: dict, django_assert_max_num_queries: Any) -> None:
    mine = consultation(tree["A1"])
    theirs = consultation(tree["B1"], title="Ở tỉnh khác")
    for i in range(20):
        consultation(tree["A1v"], title=f"Lấy ý kiến {i}", opens_on=TODAY - dt.timedelta(days=30 + i))
    officer = client(people["officer"])
    with django_assert_max_num_queries(LIST_QUERIES):
        r = officer.get("/grassroots/consultations/", {"status": "draft"})
    body = r.content.decode()
    assert r.status_code == 200 and mine.title in body and theirs.title not in body
    assert body.count('data-testid="consultation-status"') == 21
    url = f"/grassroots/consultations/{mine.pk}/"
    for who in ("sibling", "other_province", "nobody"):
        c = client(people[who])
        assert c.get(url).status_code == 404
        assert c.post(url + "open/", {"expected_version": 1}).status_code == 404
    viewer = client(people["viewer"])
    assert viewer.get(url).status_code == 200
    assert viewer.get(url + "edit/").status_code == 403
    assert viewer.post(url + "open/", {"expected_version": 1}).status_code == 403
    assert viewer.post(url + "delete/", {"reason": "x"}).status_code == 403
    mine.refresh_from_db()
    assert (mine.status, mine.deleted_at) == (ConsultationStatus.DRAFT, None)
