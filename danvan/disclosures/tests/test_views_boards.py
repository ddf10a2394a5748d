"""People's boards pages: list (bounded, scoped), create/edit/delete, members, work plans, findings, responses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.disclosures import boards
from danvan.disclosures.models import BoardFinding, BoardMember, BoardWorkPlan, PeopleBoard

from . import test_boards as base
from .test_boards import START, TODAY, add, finding, make_board

people = base.people  # the fixture, shared with the service tests

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.cookies["django_language"] = "en"  # English: the assertions do not depend on the Vietnamese catalogue
    c.force_login(user)
    return c


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def board(tree: dict[str, Any], people: dict[str, Any]) -> PeopleBoard:
    return make_board(tree, people["officer"])


def test_pages_need_login(tree, board):
    f = finding(board, tree)
    for url in (reverse("disclosures:board_list"), reverse("disclosures:board_create"),
                reverse("disclosures:board_detail", args=[board.pk]), reverse("disclosures:finding_detail", args=[f.pk])):
        r = Client().get(url)
        assert r.status_code == 302 and "login" in r["Location"]


def test_list_is_scoped_and_bounded(tree, people, django_assert_max_num_queries):
    for i in range(3):
        make_board(tree, None, kind="investment", name=f"Ban GSĐTCĐ {i}", project=f"Dự án {i}")
    make_board(tree, None, org_unit=tree["B1"], name="Ban TTND phường Bắc Kạn")
    b = PeopleBoard.objects.filter(org_unit=tree["A1"]).earliest("pk")
    for i in range(5):
        add(b, f"Thành viên {i}")
    c = client_for(people["officer"])
    url = reverse("disclosures:board_list")
    c.get(url)
    with CaptureQueriesContext(connection) as few:
        c.get(url)
    for i in range(3, 8):
        make_board(tree, None, kind="investment", name=f"Ban GSĐTCĐ {i}", project=f"Dự án {i}")
    with django_assert_max_num_queries(len(few)):  # constant in the number of boards
        c.get(url)
    with django_assert_max_num_queries(12):
        r = c.get(url)
    PeopleBoard.objects.filter(name__regex=r"[3-7]$").delete()
    r = c.get(url)
    body = r.content.decode()
    assert r.status_code == 200 and body.count("Ban GSĐTCĐ") == 3 and "Bắc Kạn" not in body
    assert reverse("disclosures:board_create") in body
    r = client_for(people["other_province"]).get(url)
    assert "Ban TTND phường Bắc Kạn" in r.content.decode() and "Ban GSĐTCĐ" not in r.content.decode()
    r = client_for(people["viewer"]).get(url + "?kind=inspection")
    assert "Ban GSĐTCĐ" not in r.content.decode() and reverse("disclosures:board_create") not in r.content.decode()
    assert client_for(people["nobody"]).get(url).status_code == 200


def test_list_keyset_pages(tree, people, monkeypatch):
    from danvan.disclosures import views_boards

    monkeypatch.setattr(views_boards, "PAGE_SIZE", 2)
    for i in range(3):
        make_board(tree, None, kind="investment", name=f"Ban {i}", project=f"Dự án {i}",
                   term_starts_on=START + dt.timedelta(days=i))
    c = client_for(people["officer"])
    r = c.get(reverse("disclosures:board_list"))
    body = r.content.decode()
    assert "Ban 2" in body and "Ban 1" in body and "Ban 0" not in body and 'rel="next"' in body
    after = body.split("after=")[1].split('"')[0]
    body2 = c.get(reverse("disclosures:board_list") + f"?after={after}").content.decode()
    assert "Ban 0" in body2 and "Ban 2" not in body2
    assert c.get(reverse("disclosures:board_list") + "?after=!!bad").status_code == 200


def test_create_board_through_the_form(tree, people):
    c = client_for(people["officer"])
    assert c.get(reverse("disclosures:board_create")).status_code == 200
    data = {"org_unit": tree["A1"].pk, "kind": "investment", "name": "Ban GSĐTCĐ kè suối", "term_starts_on": d(START),
            "term_ends_on": d(START.replace(year=START.year + 2)), "project": "", "project_investor": ""}
    r = c.post(reverse("disclosures:board_create"), data)
    assert r.status_code == 400 and "supervises a project" in r.content.decode()
    r = c.post(reverse("disclosures:board_create"), {**data, "project": "Kè suối Nậm So"})
    b = PeopleBoard.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("disclosures:board_detail", args=[b.pk])
    r = c.post(reverse("disclosures:board_create"), {**data, "project": "Kè suối Nậm So", "name": "Lần hai"})
    assert r.status_code == 400 and PeopleBoard.objects.count() == 1
    # A unit the user does not edit is not even offered.
    r = c.post(reverse("disclosures:board_create"), {**data, "org_unit": tree["A2"].pk, "project": "X"})
    assert r.status_code == 400 and "org_unit" in r.context["form"].errors


def test_viewer_has_no_unit_to_create_in(tree, people):
    r = client_for(people["viewer"]).get(reverse("disclosures:board_create"))
    assert r.status_code == 200 and "no editing role" in r.content.decode()


def test_detail_shows_members_plans_findings_and_warnings(tree, people, board, django_assert_max_num_queries):
    add(board, "Lò Văn Pâng", "head", village=tree["A1v"])
    boards.add_work_plan(actor=None, board=board, period="year", year=TODAY.year, number=1, content="Kế hoạch năm")
    f = finding(board, tree, response_due_on=TODAY - dt.timedelta(days=1))
    c = client_for(people["viewer"])
    url = reverse("disclosures:board_detail", args=[board.pk])
    c.get(url)
    with django_assert_max_num_queries(15):
        r = c.get(url)
    with CaptureQueriesContext(connection) as few:
        c.get(url)
    for i in range(4):
        add(board, f"Thành viên {i}")
        finding(board, tree, subject=f"Phát hiện {i}")
    with django_assert_max_num_queries(len(few)):  # constant in the number of members and findings
        c.get(url)
    body = r.content.decode()
    assert r.status_code == 200 and "Lò Văn Pâng" in body and "Bản Thẳm" in body and "Kế hoạch năm" in body
    assert "1 active members" in body  # the warning: fewer than 5
    assert 'data-state="overdue"' in body and reverse("disclosures:finding_detail", args=[f.pk]) in body
    assert reverse("disclosures:board_member_add", args=[board.pk]) not in body  # a viewer changes nothing
    body = client_for(people["officer"]).get(url).content.decode()
    assert reverse("disclosures:board_member_add", args=[board.pk]) in body
    assert reverse("disclosures:board_delete", args=[board.pk]) not in body  # an officer may not delete
    assert reverse("disclosures:board_delete", args=[board.pk]) in client_for(people["head"]).get(url).content.decode()


@pytest.mark.parametrize("who", ["sibling", "other_province", "nobody", "village_officer"])
def test_invisible_board_is_404(tree, people, board, who):
    c = client_for(people[who])
    f = finding(board, tree)
    for url in (reverse("disclosures:board_detail", args=[board.pk]), reverse("disclosures:board_edit", args=[board.pk]),
                reverse("disclosures:board_finding_add", args=[board.pk]),
                reverse("disclosures:finding_detail", args=[f.pk])):
        assert c.get(url).status_code == 404
    assert c.post(reverse("disclosures:board_member_add", args=[board.pk]), {}).status_code == 404
    assert c.get(reverse("disclosures:board_detail", args=[999999])).status_code == 404


def test_viewer_gets_403_on_actions(tree, people, board):
    c = client_for(people["viewer"])
    m = add(board, "Lò Văn Pâng")
    assert c.get(reverse("disclosures:board_edit", args=[board.pk])).status_code == 403
    assert c.get(reverse("disclosures:board_finding_add", args=[board.pk])).status_code == 403
    for name, pk in (("board_member_add", board.pk), ("board_workplan_add", board.pk), ("board_delete", board.pk),
                     ("board_member_end", m.pk)):
        assert c.post(reverse(f"disclosures:{name}", args=[pk]), {"reason": "x"}).status_code == 403, name
    assert client_for(people["officer"]).post(reverse("disclosures:board_delete", args=[board.pk]),
                                              {"reason": "x"}).status_code == 403


def test_edit_board_and_conflict(tree, people, board):
    c = client_for(people["officer"])
    url = reverse("disclosures:board_edit", args=[board.pk])
    assert c.get(url).status_code == 200
    data = {"kind": "inspection", "name": "Ban TTND xã Bình Lư", "term_starts_on": d(START), "term_ends_on": d(board.term_ends_on),
            "project": "", "project_investor": "", "expected_version": 1}
    assert c.post(url, data).status_code == 302
    r = c.post(url, {**data, "name": "Cũ"})
    assert r.status_code == 409 and "Someone else changed" in r.content.decode()
    r = c.post(url, {**data, "expected_version": 2, "term_ends_on": d(START - dt.timedelta(days=1))})
    assert r.status_code == 400 and "cannot end before" in r.content.decode()
    board.refresh_from_db()
    assert board.name == "Ban TTND xã Bình Lư"


def test_member_add_refuses_an_official(tree, people, board):
    c = client_for(people["officer"])
    url = reverse("disclosures:board_member_add", args=[board.pk])
    data = {"full_name": "Cán bộ xã", "position": "member", "joined_on": d(START), "username": "head"}
    r = c.post(url, data)
    assert r.status_code == 400 and "Art. 36.2" in r.content.decode()
    r = c.post(url, {**data, "username": "khong-co"})
    assert r.status_code == 400 and "No user has this login name" in r.content.decode()
    r = c.post(url, {**data, "username": "", "village": tree["A1v"].pk})
    assert r.status_code == 302
    assert BoardMember.objects.get().village == tree["A1v"]
    r = c.post(url, {**data, "username": ""})
    assert r.status_code == 400 and "already a member" in r.content.decode()


def test_member_end(tree, people, board):
    m = add(board, "Lò Văn Pâng")
    c = client_for(people["officer"])
    url = reverse("disclosures:board_member_end", args=[m.pk])
    r = c.post(url, {"left_on": d(TODAY + dt.timedelta(days=3))})
    assert r.status_code == 400 and "future" in r.content.decode()
    assert c.post(url, {"left_on": d(TODAY)}).status_code == 302
    m.refresh_from_db()
    assert m.left_on == TODAY
    assert client_for(people["sibling"]).post(url, {"left_on": d(TODAY)}).status_code == 404


def test_work_plan_form(tree, people, board):
    c = client_for(people["officer"])
    url = reverse("disclosures:board_workplan_add", args=[board.pk])
    data = {"period": "half_year", "year": TODAY.year, "number": 3, "content": "Giám sát chi quỹ"}
    r = c.post(url, data)
    assert r.status_code == 400 and "between 1 and 2" in r.content.decode()
    assert c.post(url, {**data, "number": 1}).status_code == 302
    r = c.post(url, {**data, "number": 1})
    assert r.status_code == 400 and BoardWorkPlan.objects.count() == 1


def test_finding_form_and_response(tree, people, board):
    c = client_for(people["officer"])
    url = reverse("disclosures:board_finding_add", args=[board.pk])
    r = c.get(url)
    assert r.status_code == 200 and "recommends_suspension" not in r.content.decode()  # inspection board
    data = {"found_on": d(TODAY), "subject": "Chậm chi hỗ trợ", "findings": "Chưa chi.", "recommendations": "Chi ngay.",
            "addressed_to": tree["A1"].pk, "response_due_on": d(TODAY - dt.timedelta(days=1))}
    r = c.post(url, data)
    assert r.status_code == 400 and "deadline cannot be before" in r.content.decode()
    r = c.post(url, {**data, "addressed_to": tree["B1"].pk})
    assert r.status_code == 400 and "addressed_to" in r.context["form"].errors
    r = c.post(url, {**data, "response_due_on": d(TODAY)})
    f = BoardFinding.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("disclosures:finding_detail", args=[f.pk])

    page = c.get(r["Location"])
    body = page.content.decode()
    assert page.status_code == 200 and "Chậm chi hỗ trợ" in body and 'data-state="awaiting"' in body
    respond = reverse("disclosures:finding_respond", args=[f.pk])
    assert respond in body
    r = c.post(respond, {"response": "", "responded_on": d(TODAY), "expected_version": 1})
    assert r.status_code == 400
    assert c.post(respond, {"response": "Đã chi.", "responded_on": d(TODAY), "expected_version": 1}).status_code == 302
    r = c.post(respond, {"response": "Sửa.", "responded_on": d(TODAY), "expected_version": 1})
    assert r.status_code == 409
    f.refresh_from_db()
    assert f.response == "Đã chi." and f.responded_by == people["officer"]
    body = c.get(reverse("disclosures:finding_detail", args=[f.pk])).content.decode()
    assert 'data-state="responded"' in body and "Đã chi." in body


def test_finding_late_response_reason_and_403(tree, people, board):
    f = finding(board, tree, found_on=TODAY - dt.timedelta(days=10), response_due_on=TODAY - dt.timedelta(days=3))
    respond = reverse("disclosures:finding_respond", args=[f.pk])
    assert client_for(people["viewer"]).post(respond, {"response": "x", "responded_on": d(TODAY),
                                                       "expected_version": 1}).status_code == 403
    c = client_for(people["head"])
    r = c.post(respond, {"response": "Đã xử lý.", "responded_on": d(TODAY), "expected_version": 1})
    assert r.status_code == 400 and "say why it is late" in r.content.decode()
    r = c.post(respond, {"response": "Đã xử lý.", "responded_on": d(TODAY), "expected_version": 1,
                         "late_reason": "Chờ kinh phí."})
    assert r.status_code == 302
    assert 'data-state="responded_late"' in c.get(reverse("disclosures:finding_detail", args=[f.pk])).content.decode()


def test_finding_addressed_elsewhere_is_seen_and_answered_there(tree, people, board):
    f = finding(board, tree, addressed_to=tree["A2"])
    c = client_for(people["sibling"])
    r = c.get(reverse("disclosures:finding_detail", args=[f.pk]))
    assert r.status_code == 200 and reverse("disclosures:finding_respond", args=[f.pk]) in r.content.decode()
    # The addressed unit reads and adds the finding's files (it answers with evidence).
    assert reverse("disclosures:attachment_add") in r.content.decode()
    assert c.get(reverse("disclosures:board_detail", args=[board.pk])).status_code == 404


def test_delete_board(tree, people, board):
    c = client_for(people["head"])
    url = reverse("disclosures:board_delete", args=[board.pk])
    r = c.post(url, {"reason": ""})
    assert r.status_code == 400
    r = c.post(url, {"reason": "Nhập nhầm"})
    assert r.status_code == 302 and r["Location"] == reverse("disclosures:board_list")
    assert c.get(reverse("disclosures:board_detail", args=[board.pk])).status_code == 404
    assert c.get(url).status_code == 405


def test_investment_board_finding_may_recommend_suspension(tree, people):
    b = make_board(tree, None, kind="investment", name="Ban GSĐTCĐ kè suối", project="Kè suối Nậm So")
    c = client_for(people["officer"])
    url = reverse("disclosures:board_finding_add", args=[b.pk])
    assert 'name="recommends_suspension"' in c.get(url).content.decode()
    r = c.post(url, {"found_on": d(TODAY), "subject": "Đá kè không đúng thiết kế", "findings": "Đá nhỏ hơn thiết kế.",
                     "addressed_to": tree["A1"].pk, "recommends_suspension": "on"})
    assert r.status_code == 302
    f = BoardFinding.objects.get()
    assert f.recommends_suspension and f.response_due_on is None
    assert "Suspension recommended" in c.get(reverse("disclosures:board_detail", args=[b.pk])).content.decode()
