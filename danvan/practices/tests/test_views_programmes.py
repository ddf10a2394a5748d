"""The programme pages: list with late flags and filters, create/edit, the detail and its actions; permissions,
bad input, double submits, concurrent edits and query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from danvan.practices import programmes as svc
from danvan.practices.models import Programme, ProgrammeStatus, ProgrammeStep, SteeringMember

from .test_programmes import END, NAME, START, TODAY, make, make_people, plan_of, survey_of

pytestmark = pytest.mark.django_db
BASE = "/practices/programmes/"
PAST = TODAY - dt.timedelta(days=5)


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return make_people(tree, make_user)


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def test_anonymous_goes_to_login(tree: dict) -> None:
    p = make(tree["A1"])
    for url in (BASE, f"{BASE}new/", f"{BASE}{p.pk}/", f"{BASE}{p.pk}/edit/"):
        r = Client().get(url)
        assert r.status_code == 302 and "login" in r["Location"], url


def test_list_late_flags_filters_pages_and_queries(tree: dict, people: dict,
                                                   django_assert_max_num_queries: Any) -> None:
    late = make(tree["A1"], name="Có bước trễ")
    svc.add_step(actor=None, programme=late, title="Ban hành", ends_on=PAST)
    svc.add_step(actor=None, programme=late, title="Tập huấn", ends_on=END)
    for i in range(52):
        make(tree["A1"], name=f"Chương trình {i}")
    make(tree["A2"], name="Phường bên")
    make(tree["B1"], name="Tỉnh khác")
    c = _client(people["officer"])
    c.get(BASE)
    with django_assert_max_num_queries(12):
        r = c.get(BASE)
    html = r.content.decode()
    assert r.status_code == 200 and html.count("<h1") == 1
    assert html.count('data-testid="programme-row"') == 50 and 'data-testid="next-page"' in html
    assert "Phường bên" not in html and "Tỉnh khác" not in html
    nxt = html.split('data-testid="next-page"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    r = c.get(BASE + nxt)
    assert r.content.decode().count('data-testid="programme-row"') == 3
    with django_assert_max_num_queries(12):
        r = c.get(BASE + "?late=on")
    html = r.content.decode()
    assert html.count('data-testid="programme-row"') == 1 and f'data-pk="{late.pk}"' in html
    assert 'data-count="1" data-done="0" data-steps="2"' in html
    assert c.get(BASE + "?year=abc").status_code == 400
    assert c.get(BASE + f"?unit={tree['B1'].pk}").status_code == 400
    r = _client(people["province_viewer"]).get(BASE + f"?unit={tree['A2'].pk}")
    assert r.content.decode().count('data-testid="programme-row"') == 1
    r = c.get(BASE + f"?status=running&year={TODAY.year}")
    assert 'data-testid="empty"' in r.content.decode()


def test_create_and_edit(tree: dict, people: dict) -> None:
    plan = plan_of(tree["A"])
    survey = survey_of(tree["A1"])
    c = _client(people["officer"])
    r = c.get(BASE + "new/")
    assert r.status_code == 200 and r.content.decode().count("<h1") == 1
    data = {"org_unit": tree["A1"].pk, "name": NAME, "starts_on": _fmt(START), "ends_on": _fmt(END),
            "plan": plan.pk, "survey": survey.pk, "description": "Mục đích"}
    r = c.post(BASE + "new/", data)
    assert r.status_code == 302
    p = Programme.objects.get()
    assert (p.plan, p.survey, p.created_by) == (plan, survey, people["officer"])
    r = c.post(BASE + "new/", data)
    assert r.status_code == 400 and Programme.objects.count() == 1  # double submit
    assert 'id="id_name_error"' in r.content.decode()
    r = c.post(BASE + "new/", {**data, "name": "Khác", "ends_on": _fmt(START - dt.timedelta(days=1))})
    assert r.status_code == 400 and 'id="id_ends_on_error"' in r.content.decode()
    r = c.post(BASE + "new/", {**data, "name": "Khác", "org_unit": tree["A2"].pk})
    assert r.status_code == 400 and Programme.objects.count() == 1
    r = c.post(BASE + "new/", {**data, "name": "Khác", "starts_on": "31/02/2026"})
    assert r.status_code == 400 and 'id="id_starts_on_error"' in r.content.decode()
    assert _client(people["viewer"]).get(BASE + "new/").status_code == 403
    assert _client(people["nobody"]).get(BASE + "new/").status_code == 403
    url = f"{BASE}{p.pk}/edit/"
    assert c.get(url).status_code == 200
    edit = {"name": "Đã sửa", "starts_on": _fmt(START), "ends_on": _fmt(END), "status": "running",
            "expected_version": "1"}
    assert c.post(url, edit).status_code == 302
    r = c.post(url, {**edit, "name": "Cũ"})
    assert r.status_code == 409
    p.refresh_from_db()
    assert (p.name, p.status, p.plan, p.lock_version) == ("Đã sửa", ProgrammeStatus.RUNNING, None, 2)
    assert _client(people["viewer"]).get(url).status_code == 403
    assert _client(people["sibling"]).get(url).status_code == 404
    assert _client(people["other"]).post(url, {**edit, "expected_version": "2"}).status_code == 404


def test_detail_shows_everything_with_bounded_queries(tree: dict, people: dict,
                                                      django_assert_max_num_queries: Any) -> None:
    p = make(tree["A1"], survey=survey_of(tree["A1"]), plan=plan_of(tree["A"]))
    svc.add_member(actor=None, programme=p, full_name="Nguyễn Văn A", role="Trưởng ban")
    late = svc.add_step(actor=None, programme=p, title="Ban hành văn bản", ends_on=PAST)
    done_late = svc.add_step(actor=None, programme=p, title="Phát động", ends_on=PAST - dt.timedelta(days=2))
    svc.complete_step(actor=None, step=done_late, done_on=PAST)
    svc.add_step(actor=None, programme=p, title="Khảo sát tháng 12", starts_on=dt.date(TODAY.year, 12, 1),
                 ends_on=END)
    crit = svc.add_criterion(actor=None, programme=p, name="Tiêu chí 1")
    svc.assess_criterion(actor=None, criterion=crit, met=True, evidence="Biên bản")
    url = f"{BASE}{p.pk}/"
    c = _client(people["officer"])
    c.get(url)
    with django_assert_max_num_queries(16):
        r = c.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and html.count("<h1") == 1
    assert 'data-testid="late-warning"' in html and 'data-testid="late-warning" data-count="2"' in html
    assert html.count('data-late="1"') == 2 and f'data-pk="{late.pk}" data-late="1"' in html
    assert "Nguyễn Văn A" in html and "Biên bản" in html and 'data-testid="survey-index"' in html
    assert f"01/12/{TODAY.year} – 31/12/{TODAY.year}" in html
    assert f"/practices/programmes/{p.pk}/edit/" in html
    # Its documents and evidence files, with the upload form for an editor of the unit.
    assert 'data-testid="attachments"' in html and 'name="owner_type" value="programme"' in html
    for who in ("sibling", "other", "nobody"):
        assert _client(people[who]).get(url).status_code == 404, who
    r = _client(people["viewer"]).get(url)
    assert r.status_code == 200 and "/steps/" not in r.content.decode() and "/delete/" not in r.content.decode()
    assert _client(people["province_viewer"]).get(url).status_code == 200


def test_actions(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    url = f"{BASE}{p.pk}/"
    c = _client(people["officer"])
    # Steering board
    assert c.post(url + "members/", {"m-full_name": "Nguyễn Văn A", "m-role": "Trưởng ban"}).status_code == 302
    r = c.post(url + "members/", {"m-full_name": "nguyễn văn a"})
    assert r.status_code == 400 and SteeringMember.objects.count() == 1
    member = SteeringMember.objects.get()
    assert _client(people["viewer"]).post(url + f"members/{member.pk}/remove/").status_code == 403
    # Steps: end before start, then a good one, done twice
    r = c.post(url + "steps/", {"st-title": "Triển khai", "st-starts_on": "10/06/2026", "st-ends_on": "01/06/2026"})
    assert r.status_code == 400 and 'id="id_st-ends_on_error"' in r.content.decode()
    assert not ProgrammeStep.objects.exists()
    assert c.post(url + "steps/", {"st-title": "Tập huấn", "st-ends_on": _fmt(PAST)}).status_code == 302
    step = ProgrammeStep.objects.get()
    assert c.post(url + "steps/", {"st-title": "Tập huấn", "st-ends_on": _fmt(PAST)}).status_code == 400
    done_url = url + f"steps/{step.pk}/done/"
    future = _fmt(TODAY + dt.timedelta(days=1))
    r = c.post(done_url, {f"s{step.pk}-done_on": future})
    assert r.status_code == 400 and f'id="id_s{step.pk}-done_on_error"' in r.content.decode()
    assert _client(people["sibling"]).post(done_url, {f"s{step.pk}-done_on": _fmt(TODAY)}).status_code == 404
    assert _client(people["viewer"]).post(done_url, {f"s{step.pk}-done_on": _fmt(TODAY)}).status_code == 403
    assert c.post(done_url, {f"s{step.pk}-done_on": _fmt(TODAY), f"s{step.pk}-note": "Xong"}).status_code == 302
    assert c.post(done_url, {f"s{step.pk}-done_on": _fmt(TODAY)}).status_code == 400
    step.refresh_from_db()
    assert step.done_on == TODAY and step.note == "Xong"
    assert 'data-testid="late"' in c.get(url).content.decode()  # done after its end
    # Criteria
    assert c.post(url + "criteria/", {"cr-name": "Tiêu chí 1"}).status_code == 302
    crit = p.criteria.get()
    r = c.post(url + f"criteria/{crit.pk}/assess/", {f"c{crit.pk}-met": "yes", f"c{crit.pk}-evidence": ""})
    assert r.status_code == 400 and f'id="id_c{crit.pk}-evidence_error"' in r.content.decode()
    r = c.post(url + f"criteria/{crit.pk}/assess/", {f"c{crit.pk}-met": "no", f"c{crit.pk}-evidence": "Chưa đạt"})
    assert r.status_code == 302
    crit.refresh_from_db()
    assert crit.met is False
    # Steps of another programme are not reachable through this one
    other = make(tree["A1"], name="Khác")
    foreign = svc.add_step(actor=None, programme=other, title="Bước", ends_on=END)
    assert c.post(url + f"steps/{foreign.pk}/done/", {f"s{foreign.pk}-done_on": _fmt(TODAY)}).status_code == 404
    # Evaluation: a stale version is a 409, nothing overwritten
    ev = {"ev-expected_version": "1", "ev-evaluated_on": _fmt(TODAY), "ev-final_evaluation": "Đạt"}
    assert c.post(url + "evaluate/", {**ev, "ev-final_evaluation": ""}).status_code == 400
    assert c.post(url + "evaluate/", ev).status_code == 302
    assert c.post(url + "evaluate/", {**ev, "ev-final_evaluation": "Cũ"}).status_code == 409
    p.refresh_from_db()
    assert (p.status, p.final_evaluation) == (ProgrammeStatus.EVALUATED, "Đạt")
    assert c.post(url + "steps/", {"st-title": "Muộn", "st-ends_on": _fmt(END)}).status_code == 400
    assert c.get(url + "edit/").status_code == 403
    # Delete: an officer may not, a head may with a reason
    assert c.post(url + "delete/", {"del-reason": "Nhầm"}).status_code == 403
    h = _client(people["head"])
    assert h.post(url + "delete/", {"del-reason": ""}).status_code == 400
    r = h.post(url + "delete/", {"del-reason": "Nhầm"})
    assert r.status_code == 302 and r["Location"] == BASE
    assert h.get(url).status_code == 404


def test_remove_step_and_member(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    step = svc.add_step(actor=None, programme=p, title="Bước", ends_on=END)
    member = svc.add_member(actor=None, programme=p, full_name="Lê C")
    url = f"{BASE}{p.pk}/"
    c = _client(people["officer"])
    assert c.post(url + f"steps/{step.pk}/remove/", {"rm-reason": ""}).status_code == 400
    assert _client(people["viewer"]).post(url + f"steps/{step.pk}/remove/", {"rm-reason": "x"}).status_code == 403
    assert c.post(url + f"steps/{step.pk}/remove/", {"rm-reason": "Nhầm"}).status_code == 302
    assert not ProgrammeStep.objects.exists()
    assert c.post(url + f"members/{member.pk}/remove/").status_code == 302
    assert not SteeringMember.objects.exists()
    assert c.post(url + f"members/{member.pk}/remove/").status_code == 404
