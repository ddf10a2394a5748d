"""The dissemination and inspection pages: overview, sessions, coverage of a document, plans, inspections and
follow-up actions; permissions, bad input, double submits, concurrent edits and query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from danvan.oversight import services
from danvan.oversight.models import Dissemination, FollowUpAction, Inspection, InspectionPlan

from .test_services import PAST, TODAY, make_docs, make_inspection, make_people, session

pytestmark = pytest.mark.django_db
BASE = "/oversight/"


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return make_people(tree, make_user)


@pytest.fixture
def docs(db: Any) -> dict[str, Any]:
    return make_docs()


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def test_anonymous_goes_to_login(tree: dict, docs: dict) -> None:
    d = session(tree["A1"], [docs["ct33"]])
    i = make_inspection(tree)
    for url in (BASE, f"{BASE}dissemination/", f"{BASE}dissemination/{d.pk}/", f"{BASE}dissemination/coverage/",
                f"{BASE}plans/", f"{BASE}inspections/", f"{BASE}inspections/{i.pk}/", f"{BASE}dissemination/new/"):
        r = Client().get(url)
        assert r.status_code == 302 and "login" in r["Location"], url


def test_home(tree: dict, people: dict, docs: dict, django_assert_max_num_queries: Any) -> None:
    session(tree["A1"], [docs["ct33"]], participants=40)
    i = make_inspection(tree)
    services.add_action(actor=None, inspection=i, text="Việc trễ hạn", owner_unit=tree["A1"],
                        due_on=PAST + dt.timedelta(days=1))
    c = _client(people["officer"])
    c.get(BASE)
    with django_assert_max_num_queries(16):
        r = c.get(BASE)
    html = r.content.decode()
    assert r.status_code == 200 and html.count("<h1") == 1
    assert 'data-testid="home-unit">Xã Bình Lư' in html and "Việc trễ hạn" in html
    assert 'data-testid="late-count">1<' in html and "Hội nghị quán triệt Chỉ thị 33" in html
    p = _client(people["province"])
    assert "Việc trễ hạn" in p.get(f"{BASE}?unit={tree['A1'].pk}").content.decode()
    assert p.get(f"{BASE}?unit={tree['B1'].pk}").status_code == 404
    r = _client(people["sibling"]).get(BASE)
    assert "Việc trễ hạn" not in r.content.decode()
    r = _client(people["nobody"]).get(BASE)
    assert r.status_code == 200 and 'data-testid="no-unit"' in r.content.decode()


def test_dissemination_list_and_queries(tree: dict, people: dict, docs: dict,
                                        django_assert_max_num_queries: Any) -> None:
    for n in range(53):
        session(tree["A1"], [docs["ct33"], docs["l10"]], title=f"Buổi {n}")
    session(tree["A1"], [docs["l10"]], title="Chỉ luật")
    session(tree["A2"], [docs["ct33"]], title="Phường bên")
    session(tree["B1"], [docs["ct33"]], title="Tỉnh khác")
    c = _client(people["officer"])
    c.get(BASE + "dissemination/")
    with django_assert_max_num_queries(12):
        r = c.get(BASE + "dissemination/")
    html = r.content.decode()
    assert r.status_code == 200 and html.count('data-testid="dissemination-row"') == 50
    assert "Phường bên" not in html and "Tỉnh khác" not in html and 'data-testid="next-page"' in html
    r = c.get(BASE + f"dissemination/?document={docs['ct33'].pk}&year={PAST.year}")
    html = r.content.decode()
    assert 'data-testid="document-filter"' in html and "Chỉ luật" not in html
    assert c.get(BASE + "dissemination/?year=x").status_code == 400
    assert c.get(BASE + f"dissemination/?unit={tree['B1'].pk}").status_code == 400


def test_dissemination_create_edit_delete(tree: dict, people: dict, docs: dict) -> None:
    c = _client(people["officer"])
    r = c.get(BASE + "dissemination/new/?q=33")
    html = r.content.decode()
    assert r.status_code == 200 and html.count("<h1") == 1 and f'value="{docs["ct33"].pk}"' in html
    data = {"org_unit": tree["A1"].pk, "title": "Quán triệt Chỉ thị 33", "held_on": _fmt(PAST),
            "documents": [docs["ct33"].pk], "participants": "60"}
    assert c.post(BASE + "dissemination/new/", data).status_code == 302
    d = Dissemination.objects.get()
    assert [x.pk for x in d.documents.all()] == [docs["ct33"].pk] and d.participants == 60
    assert c.post(BASE + "dissemination/new/", data).status_code == 400  # double submit
    r = c.post(BASE + "dissemination/new/", {**data, "title": "Khác", "documents": []})
    assert r.status_code == 400 and 'id="id_documents_error"' in r.content.decode()
    r = c.post(BASE + "dissemination/new/", {**data, "title": "Khác", "participants": "0"})
    assert r.status_code == 400 and 'id="id_participants_error"' in r.content.decode()
    r = c.post(BASE + "dissemination/new/", {**data, "title": "Khác", "held_on": _fmt(TODAY + dt.timedelta(days=3))})
    assert r.status_code == 400 and 'id="id_held_on_error"' in r.content.decode()
    assert c.post(BASE + "dissemination/new/", {**data, "org_unit": tree["A2"].pk}).status_code == 400
    assert Dissemination.objects.count() == 1
    assert _client(people["viewer"]).get(BASE + "dissemination/new/").status_code == 403
    assert _client(people["nobody"]).get(BASE + "dissemination/new/").status_code == 403
    url = f"{BASE}dissemination/{d.pk}/"
    r = c.get(url)
    assert r.status_code == 200 and r.content.decode().count("<h1") == 1 and "60" in r.content.decode()
    for who in ("sibling", "other", "nobody"):
        assert _client(people[who]).get(url).status_code == 404, who
    edit = {"title": "Quán triệt Chỉ thị 33", "held_on": _fmt(PAST), "participants": "70", "expected_version": "1",
            "documents": [docs["ct33"].pk, docs["l10"].pk]}
    assert c.get(url + "edit/").status_code == 200
    assert c.post(url + "edit/", edit).status_code == 302
    assert c.post(url + "edit/", {**edit, "participants": "5"}).status_code == 409
    d.refresh_from_db()
    assert d.participants == 70 and d.documents.count() == 2
    assert _client(people["viewer"]).get(url + "edit/").status_code == 403
    assert c.post(url + "delete/", {"reason": "Nhầm"}).status_code == 403
    h = _client(people["head"])
    assert h.post(url + "delete/", {"reason": ""}).status_code == 400
    assert h.post(url + "delete/", {"reason": "Nhầm"}).status_code == 302
    assert h.get(url).status_code == 404


def test_coverage(tree: dict, people: dict, docs: dict, django_assert_max_num_queries: Any) -> None:
    session(tree["A1"], [docs["ct33"]])
    session(tree["A"], [docs["ct33"]], title="Tỉnh")
    p = _client(people["province"])
    url = f"{BASE}dissemination/coverage/?unit={tree['A'].pk}&document={docs['ct33'].pk}"
    p.get(url)
    with django_assert_max_num_queries(16):
        r = p.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and html.count("<h1") == 1
    assert 'data-done="2" data-total="4" data-share="50.0"' in html
    assert html.count('data-testid="coverage-row"') == 4
    assert f'data-pk="{tree["A2"].pk}" data-done="0"' in html and f'data-pk="{tree["A1"].pk}" data-done="1"' in html
    r = p.get(url + "&state=missing")
    html = r.content.decode()
    assert html.count('data-testid="coverage-row"') == 2
    assert f'data-pk="{tree["A2"].pk}" data-done="0"' in html and f'data-pk="{tree["A1"].pk}"' not in html
    r = p.get(url + f"&year={PAST.year + 1}")
    assert 'data-done="0" data-total="4"' in r.content.decode()
    r = p.get(f"{BASE}dissemination/coverage/?unit={tree['A'].pk}")
    assert 'data-testid="choose-document"' in r.content.decode() and docs["ct33"].citation in r.content.decode()
    assert p.get(f"{BASE}dissemination/coverage/?unit={tree['B'].pk}&document={docs['ct33'].pk}").status_code == 404
    r = _client(people["officer"]).get(f"{BASE}dissemination/coverage/?document={docs['ct33'].pk}")
    assert 'data-done="1" data-total="1"' in r.content.decode()  # their own commune (villages not counted)


def test_plans_inspections_and_actions(tree: dict, people: dict, django_assert_max_num_queries: Any) -> None:
    p = _client(people["province"])
    year = TODAY.year
    data = {"org_unit": tree["A"].pk, "kind": "inspection", "year": year, "title": "Kiểm tra dân vận",
            "starts_on": _fmt(dt.date(year, 1, 1)), "ends_on": _fmt(dt.date(year, 12, 31)),
            "units": [tree["A1"].pk, tree["A2"].pk]}
    assert p.get(BASE + "plans/new/").status_code == 200
    r = p.post(BASE + "plans/new/", {**data, "ends_on": _fmt(dt.date(year - 1, 12, 31))})
    assert r.status_code == 400 and 'id="id_ends_on_error"' in r.content.decode()
    r = p.post(BASE + "plans/new/", {**data, "units": [tree["B1"].pk]})
    assert r.status_code == 400  # another province is not even offered
    assert p.post(BASE + "plans/new/", data).status_code == 302
    assert p.post(BASE + "plans/new/", data).status_code == 400  # double submit
    plan = InspectionPlan.objects.get()
    assert _client(people["viewer"]).get(BASE + "plans/new/").status_code == 403
    with django_assert_max_num_queries(12):
        r = p.get(BASE + "plans/")
    assert r.content.decode().count('data-testid="plan-row"') == 1
    # An inspection under the plan.
    url = BASE + f"inspections/new/?plan={plan.pk}"
    assert p.get(url).status_code == 200
    ins = {"inspector": tree["A"].pk, "org_unit": tree["A1"].pk, "starts_on": _fmt(PAST),
           "ends_on": _fmt(PAST + dt.timedelta(days=1)), "findings": "Chưa đủ"}
    r = p.post(url, {**ins, "ends_on": _fmt(PAST - dt.timedelta(days=1))})
    assert r.status_code == 400 and 'id="id_ends_on_error"' in r.content.decode()
    assert p.post(url, ins).status_code == 302
    assert p.post(url, ins).status_code == 400
    i = Inspection.objects.get()
    assert i.plan == plan
    assert _client(people["sibling"]).get(BASE + f"inspections/new/?plan={plan.pk}").status_code == 404
    r = p.get(BASE + f"plans/{plan.pk}/")
    assert r.status_code == 200 and 'data-testid="done-count">1/2' in r.content.decode()
    assert _client(people["sibling"]).get(BASE + f"plans/{plan.pk}/").status_code == 404
    # Actions
    iurl = BASE + f"inspections/{i.pk}/"
    act = {"act-text": "Niêm yết đủ", "act-owner_unit": tree["A1"].pk, "act-due_on": _fmt(PAST + dt.timedelta(days=3))}
    r = p.post(iurl + "actions/", {**act, "act-owner_unit": tree["A2"].pk})
    assert r.status_code == 400 and FollowUpAction.objects.count() == 0
    assert p.post(iurl + "actions/", act).status_code == 302
    assert p.post(iurl + "actions/", act).status_code == 400
    assert _client(people["officer"]).post(iurl + "actions/", {**act, "act-text": "Khác"}).status_code == 403
    a = FollowUpAction.objects.get()
    c = _client(people["officer"])
    with django_assert_max_num_queries(16):
        r = c.get(iurl)
    html = r.content.decode()
    assert r.status_code == 200 and html.count("<h1") == 1 and 'data-late="1"' in html and "Chưa đủ" in html
    assert f"/actions/{a.pk}/done/" in html and "/actions/\"" not in html
    for who in ("sibling", "other", "nobody"):
        assert _client(people[who]).get(iurl).status_code == 404, who
    done = iurl + f"actions/{a.pk}/done/"
    pre = f"a{a.pk}-"
    assert _client(people["viewer"]).post(done, {pre + "expected_version": 1, pre + "done_on": _fmt(TODAY),
                                                 pre + "result": "Xong"}).status_code == 403
    r = c.post(done, {pre + "expected_version": 1, pre + "done_on": _fmt(TODAY), pre + "result": ""})
    assert r.status_code == 400 and f'id="id_{pre}result_error"' in r.content.decode()
    assert c.post(done, {pre + "expected_version": 1, pre + "done_on": _fmt(TODAY),
                         pre + "result": "Đã niêm yết"}).status_code == 302
    assert c.post(done, {pre + "expected_version": 1, pre + "done_on": _fmt(TODAY),
                         pre + "result": "Lại"}).status_code == 409
    a.refresh_from_db()
    assert (a.done_on, a.result) == (TODAY, "Đã niêm yết")
    # Findings edited with the version; the commune may not edit them.
    ed = {"ed-expected_version": 1, "ed-starts_on": _fmt(PAST), "ed-ends_on": _fmt(PAST + dt.timedelta(days=1)),
          "ed-findings": "Đã bổ sung", "ed-conclusion": "Đạt"}
    assert c.post(iurl + "edit/", ed).status_code == 403
    assert p.post(iurl + "edit/", ed).status_code == 302
    assert p.post(iurl + "edit/", {**ed, "ed-findings": "Cũ"}).status_code == 409
    i.refresh_from_db()
    assert i.findings == "Đã bổ sung"
    r = p.get(BASE + "inspections/?late=1")
    assert 'data-testid="empty"' in r.content.decode()
    r = p.get(BASE + "inspections/")
    assert r.content.decode().count('data-testid="inspection-row"') == 1
    # Deleting needs a head; the plan cannot go while it has inspections.
    h = _client(people["province_head"])
    assert h.post(BASE + f"plans/{plan.pk}/delete/", {"reason": "Nhầm"}).status_code == 400
    assert p.post(iurl + "delete/", {"del-reason": "Nhầm"}).status_code == 403
    assert h.post(iurl + "delete/", {"del-reason": "Nhầm"}).status_code == 302
    assert h.post(BASE + f"plans/{plan.pk}/delete/", {"reason": "Nhầm"}).status_code == 302
    assert h.get(iurl).status_code == 404
