"""People's boards: terms, members (officials refused), work plans, findings and the government's responses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.disclosures import boards
from danvan.disclosures.models import BoardFinding, BoardKind, BoardMember, BoardWorkPlan, PeopleBoard
from danvan.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages in English: the assertions do not depend on the Vietnamese catalogue."""
    with translation.override("en"):
        yield

TODAY = timezone.localdate()
START = dt.date(TODAY.year - 1, 1, 1)
END = dt.date(TODAY.year + 3, 12, 31)

PEOPLE = {
    "officer": ("A1", "officer"),
    "head": ("A1", "head"),
    "viewer": ("A1", "viewer"),
    "village_officer": ("A1v", "officer"),
    "sibling": ("A2", "officer"),
    "province": ("A", "officer"),
    "other_province": ("B1", "officer"),
}


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: Any) -> dict[str, Any]:
    out = {name: make_user(name, (tree[unit], role)) for name, (unit, role) in PEOPLE.items()}
    out["nobody"] = make_user("nobody")
    out["anon"] = AnonymousUser()
    return out


def make_board(tree: dict[str, Any], actor: Any = None, **kw: Any) -> PeopleBoard:
    data: dict[str, Any] = {"org_unit": tree["A1"], "kind": BoardKind.INSPECTION, "name": "Ban Thanh tra nhân dân xã",
                            "term_starts_on": START, "term_ends_on": END}
    data.update(kw)
    return boards.create_board(actor=actor, **data)


@pytest.fixture
def board(tree: dict[str, Any], people: dict[str, Any]) -> PeopleBoard:
    return make_board(tree, people["officer"])


def add(board: PeopleBoard, name: str, position: str = "member", **kw: Any) -> BoardMember:
    return boards.add_member(actor=None, board=board, full_name=name, position=position, joined_on=START, **kw)


def finding(board: PeopleBoard, tree: dict[str, Any], **kw: Any) -> BoardFinding:
    data: dict[str, Any] = {"found_on": TODAY - dt.timedelta(days=10), "subject": "Thu quỹ sai quy định",
                            "findings": "Thôn thu quỹ 50.000 đồng/hộ không qua họp dân.",
                            "recommendations": "Trả lại tiền.", "addressed_to": tree["A1"],
                            "response_due_on": TODAY + dt.timedelta(days=5)}
    data.update(kw)
    return boards.record_finding(actor=None, board=board, **data)


def field_error(exc: pytest.ExceptionInfo, name: str) -> str:
    return " ".join(exc.value.message_dict[name])


# --------------------------------------------------------------------------- boards


def test_create_board_is_audited(tree, people):
    b = make_board(tree, people["officer"])
    assert b.created_by == people["officer"] and b.lock_version == 1
    ev = AuditEvent.objects.get(action="disclosures.board.create")
    assert ev.object_id == str(b.pk) and ev.org_unit_id == tree["A1"].pk


@pytest.mark.parametrize("who", ["viewer", "sibling", "other_province", "nobody", "anon", "village_officer"])
def test_create_board_refused_outside_the_editors(tree, people, who):
    with pytest.raises(PermissionDenied):
        make_board(tree, people[who])
    assert not PeopleBoard.objects.exists()


def test_parent_unit_officer_may_create(tree, people):
    assert make_board(tree, people["province"]).org_unit == tree["A1"]


@pytest.mark.parametrize("kw, field", [
    ({"name": ""}, "name"),
    ({"name": "x" * 256}, "name"),
    ({"kind": "club"}, "kind"),
    ({"term_ends_on": START - dt.timedelta(days=1)}, "term_ends_on"),
    ({"term_ends_on": START.replace(year=START.year + 12)}, "term_ends_on"),
    ({"term_starts_on": "2026-01-01"}, "term_starts_on"),
    ({"term_starts_on": None}, "term_starts_on"),
    ({"kind": BoardKind.INVESTMENT}, "project"),
])
def test_create_board_bad_input(tree, people, kw, field):
    with pytest.raises(ValidationError) as exc:
        make_board(tree, people["officer"], **kw)
    assert field in exc.value.message_dict
    assert not PeopleBoard.objects.exists()


def test_one_inspection_board_per_term_and_one_investment_board_per_project(tree, people, board):
    with pytest.raises(ValidationError) as exc:
        make_board(tree, people["officer"], name="Ban khác")  # double submit, or a second board
    assert "already has a people's inspection board" in field_error(exc, "term_starts_on")
    nxt = make_board(tree, people["officer"], term_starts_on=END + dt.timedelta(days=1),
                     term_ends_on=END.replace(year=END.year + 5))
    assert nxt.pk != board.pk
    road = make_board(tree, people["officer"], kind=BoardKind.INVESTMENT, name="Ban GSĐTCĐ đường bản",
                      project="Đường bê tông bản Thẳm")
    with pytest.raises(ValidationError) as exc:
        make_board(tree, people["officer"], kind=BoardKind.INVESTMENT, name="Ban 2", project="đường BÊ TÔNG bản thẳm")
    assert "project" in exc.value.message_dict
    assert make_board(tree, people["officer"], kind=BoardKind.INVESTMENT, name="Ban 3", project="Nhà văn hoá")
    assert road.project_investor == ""


def test_update_board_checks_version_and_fields(tree, people, board):
    boards.update_board(actor=people["officer"], board=board, expected_version=1, name="Ban TTND xã Bình Lư")
    board.refresh_from_db()
    assert board.name == "Ban TTND xã Bình Lư" and board.lock_version == 2
    with pytest.raises(ConcurrentEditError):
        boards.update_board(actor=people["officer"], board=board, expected_version=1, name="Khác")
    with pytest.raises(ValidationError) as exc:
        boards.update_board(actor=people["officer"], board=board, expected_version=2, org_unit=tree["A2"])
    assert "org_unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        boards.update_board(actor=people["officer"], board=board, expected_version="2", name="X")  # type: ignore[arg-type]
    assert "expected_version" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        boards.update_board(actor=people["sibling"], board=board, expected_version=2, name="X")
    board.refresh_from_db()
    assert board.name == "Ban TTND xã Bình Lư"


def test_term_cannot_end_before_a_member_joined(tree, people, board):
    boards.add_member(actor=None, board=board, full_name="Lò Thị Mai", position="member", joined_on=TODAY)
    with pytest.raises(ValidationError) as exc:
        boards.update_board(actor=people["officer"], board=board, expected_version=1,
                            term_ends_on=TODAY - dt.timedelta(days=1))
    assert "term_ends_on" in exc.value.message_dict


def test_delete_board_needs_a_reason_and_a_head(tree, people, board):
    with pytest.raises(PermissionDenied):
        boards.delete_board(actor=people["officer"], board=board, reason="Nhập nhầm")
    with pytest.raises(ValidationError) as exc:
        boards.delete_board(actor=people["head"], board=board, reason="  ")
    assert "reason" in exc.value.message_dict
    boards.delete_board(actor=people["head"], board=board, reason="Nhập nhầm")
    assert board.deleted_at is not None
    assert not boards.boards_for(people["officer"]).exists()
    assert AuditEvent.objects.get(action="disclosures.board.delete").summary == {"reason": "Nhập nhầm"}
    with pytest.raises(ValidationError):
        boards.add_member(actor=None, board=board, full_name="A", position="member", joined_on=START)


def test_boards_for_each_boundary(tree, people, board):
    for who in ("officer", "viewer", "province", "head"):
        assert list(boards.boards_for(people[who])) == [board]
    for who in ("sibling", "other_province", "nobody", "anon", "village_officer"):
        assert not boards.boards_for(people[who]).exists()


# --------------------------------------------------------------------------- members


def test_add_member_and_the_eligibility_rule(tree, people, board, make_user):
    m = boards.add_member(actor=people["officer"], board=board, full_name="  Lò   Văn Pâng ", position="head",
                          joined_on=START, village=tree["A1v"])
    assert m.full_name == "Lò Văn Pâng" and m.village == tree["A1v"]
    for official in ("officer", "head", "village_officer"):
        with pytest.raises(ValidationError) as exc:
            add(board, f"Cán bộ {official}", user=people[official])
        assert "Art. 36.2" in field_error(exc, "user")
    # A viewer of the commune, or an official of another commune, is not an official of this one.
    assert add(board, "Người xem", user=people["viewer"]).user == people["viewer"]
    assert add(board, "Cán bộ xã khác", user=people["sibling"]).user == people["sibling"]
    with pytest.raises(ValidationError) as exc:
        add(board, "Người xem lần hai", user=people["viewer"])
    assert "user" in exc.value.message_dict
    assert BoardMember.objects.filter(board=board).count() == 3


def test_a_revoked_role_no_longer_makes_an_official(tree, people, board):
    from danvan.orgs.models import Membership

    Membership.objects.filter(user=people["officer"]).update(revoked_at=timezone.now())
    assert add(board, "Nguyên cán bộ", user=people["officer"]).pk


def test_second_head_and_same_name_refused(tree, people, board):
    first = add(board, "Lò Văn Pâng", "head")
    with pytest.raises(ValidationError) as exc:
        add(board, "Tòng Thị Hoa", "head")
    assert "already has a head" in field_error(exc, "position")
    with pytest.raises(ValidationError) as exc:
        add(board, "lò văn pâng")
    assert "full_name" in exc.value.message_dict
    boards.end_membership(actor=people["officer"], member=first, left_on=TODAY)
    assert add(board, "Tòng Thị Hoa", "head").position == "head"
    assert add(board, "Lò Văn Pâng").pk  # may be elected again once the first membership ended


@pytest.mark.parametrize("kw, field", [
    ({"full_name": ""}, "full_name"),
    ({"full_name": "x" * 201}, "full_name"),
    ({"position": "chair"}, "position"),
    ({"joined_on": START - dt.timedelta(days=1)}, "joined_on"),
    ({"joined_on": END + dt.timedelta(days=1)}, "joined_on"),
    ({"joined_on": "01/01/2026"}, "joined_on"),
])
def test_add_member_bad_input(tree, people, board, kw, field):
    data = {"full_name": "Lò Văn Pâng", "position": "member", "joined_on": START, **kw}
    with pytest.raises(ValidationError) as exc:
        boards.add_member(actor=people["officer"], board=board, **data)
    assert field in exc.value.message_dict
    assert not board.members.exists()


def test_add_member_village_must_be_of_the_unit(tree, people, board):
    with pytest.raises(ValidationError) as exc:
        add(board, "Lò Văn Pâng", village=tree["A2"])
    assert "village" in exc.value.message_dict


@pytest.mark.parametrize("who", ["viewer", "sibling", "other_province", "nobody", "anon"])
def test_add_member_permission(tree, people, board, who):
    with pytest.raises(PermissionDenied):
        boards.add_member(actor=people[who], board=board, full_name="A", position="member", joined_on=START)


def test_end_membership_rules(tree, people, board):
    m = add(board, "Lò Văn Pâng")
    with pytest.raises(ValidationError) as exc:
        boards.end_membership(actor=people["officer"], member=m, left_on=TODAY + dt.timedelta(days=1))
    assert "left_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        boards.end_membership(actor=people["officer"], member=m, left_on=START - dt.timedelta(days=1))
    assert "left_on" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        boards.end_membership(actor=people["sibling"], member=m, left_on=TODAY)
    boards.end_membership(actor=people["officer"], member=m, left_on=TODAY)
    m.refresh_from_db()
    assert m.left_on == TODAY
    with pytest.raises(ValidationError) as exc:
        boards.end_membership(actor=people["officer"], member=m, left_on=TODAY)
    assert "already ended" in field_error(exc, "left_on")


# --------------------------------------------------------------------------- work plans and warnings


def test_warnings_members_and_work_plan(tree, people, board):
    w = boards.warnings(board)
    assert len(w) == 2 and "0 active members" in w[0] and "work plan" in w[1]
    for i in range(5):
        add(board, f"Thành viên {i}")
    w = boards.warnings(board)
    assert len(w) == 1 and "work plan" in w[0]
    quarter = (TODAY.month - 1) // 3 + 1
    boards.add_work_plan(actor=people["officer"], board=board, period="quarter", year=TODAY.year,
                         number=quarter % 4 + 1, content="Kế hoạch quý khác")
    assert len(boards.warnings(board)) == 1  # another quarter does not cover this one
    boards.add_work_plan(actor=people["officer"], board=board, period="half_year", year=TODAY.year,
                         number=(quarter + 1) // 2, content="Kế hoạch 6 tháng")
    assert boards.warnings(board) == []
    boards.end_membership(actor=None, member=board.members.first(), left_on=TODAY)
    assert "4 active members" in boards.warnings(board)[0]


def test_warnings_of_an_ended_term(tree, people):
    b = make_board(tree, None, term_starts_on=dt.date(2015, 1, 1), term_ends_on=dt.date(2019, 12, 31))
    assert boards.warnings(b) == ["The board's term ended on 31/12/2019."]


@pytest.mark.parametrize("kw, field", [
    ({"period": "quarter", "number": 5}, "number"),
    ({"period": "quarter", "number": 0}, "number"),
    ({"period": "half_year", "number": 3}, "number"),
    ({"period": "year", "number": 2}, "number"),
    ({"period": "month", "number": 1}, "period"),
    ({"year": START.year - 1}, "year"),
    ({"year": "2026"}, "year"),
    ({"content": ""}, "content"),
    ({"approved_on": TODAY + dt.timedelta(days=1)}, "approved_on"),
])
def test_work_plan_bad_input(tree, people, board, kw, field):
    data = {"period": "year", "year": TODAY.year, "number": 1, "content": "Kế hoạch năm", **kw}
    with pytest.raises(ValidationError) as exc:
        boards.add_work_plan(actor=people["officer"], board=board, **data)
    assert field in exc.value.message_dict
    assert not BoardWorkPlan.objects.exists()


def test_work_plan_duplicate_refused(tree, people, board):
    boards.add_work_plan(actor=people["officer"], board=board, period="year", year=TODAY.year, number=1,
                         content="Kế hoạch năm", approved_on=TODAY)
    with pytest.raises(ValidationError) as exc:
        boards.add_work_plan(actor=people["officer"], board=board, period="year", year=TODAY.year, number=1,
                             content="Lần hai")
    assert "already has a work plan" in field_error(exc, "number")
    assert BoardWorkPlan.objects.count() == 1
    with pytest.raises(PermissionDenied):
        boards.add_work_plan(actor=people["viewer"], board=board, period="year", year=TODAY.year + 1, number=1,
                             content="X")


# --------------------------------------------------------------------------- findings and responses


def test_record_finding_notifies_the_unit_that_must_answer(tree, people, board):
    f = boards.record_finding(actor=people["officer"], board=board, found_on=TODAY, subject="Chậm công khai quỹ",
                              findings="Quỹ chưa được công khai.", addressed_to=tree["A1"],
                              response_due_on=TODAY + dt.timedelta(days=15))
    notes = Notification.objects.filter(key=f"disclosures.finding:{f.pk}")
    assert {n.user for n in notes} == {people["officer"], people["head"]}  # not the viewer, not the village
    assert f"/grassroots/findings/{f.pk}/" in notes[0].url
    assert AuditEvent.objects.filter(action="disclosures.finding.record", object_id=str(f.pk)).exists()


@pytest.mark.parametrize("kw, field", [
    ({"subject": ""}, "subject"),
    ({"subject": "x" * 256}, "subject"),
    ({"findings": " "}, "findings"),
    ({"found_on": TODAY + dt.timedelta(days=1)}, "found_on"),
    ({"found_on": START - dt.timedelta(days=1)}, "found_on"),
    ({"response_due_on": TODAY - dt.timedelta(days=11)}, "response_due_on"),
    ({"addressed_to": None}, "addressed_to"),
    ({"recommends_suspension": True}, "recommends_suspension"),
    ({"recommends_suspension": "yes"}, "recommends_suspension"),
])
def test_record_finding_bad_input(tree, people, board, kw, field):
    with pytest.raises(ValidationError) as exc:
        finding(board, tree, **kw)
    assert field in exc.value.message_dict
    assert not BoardFinding.objects.exists() and not Notification.objects.exists()


def test_investment_board_may_recommend_suspension_and_double_submit(tree, people):
    b = make_board(tree, people["officer"], kind=BoardKind.INVESTMENT, name="Ban GSĐTCĐ", project="Kè suối")
    f = finding(b, tree, recommends_suspension=True)
    assert f.recommends_suspension
    with pytest.raises(ValidationError) as exc:
        finding(b, tree, subject="THU QUỸ SAI QUY ĐỊNH")
    assert "already recorded" in field_error(exc, "subject")
    assert BoardFinding.objects.count() == 1


def test_respond_to_finding_on_time_and_late(tree, people, board):
    f = finding(board, tree, response_due_on=TODAY - dt.timedelta(days=2))
    with pytest.raises(ValidationError) as exc:
        boards.respond_to_finding(actor=people["officer"], finding=f, expected_version=1,
                                  response="Đã trả lại tiền.", responded_on=TODAY)
    assert "say why" in field_error(exc, "late_reason")
    f.refresh_from_db()
    assert f.responded_on is None and f.response == ""  # nothing saved
    assert list(boards.overdue_findings()) == [f]
    boards.respond_to_finding(actor=people["officer"], finding=f, expected_version=1, response="Đã trả lại tiền.",
                              responded_on=TODAY, late_reason="Chờ họp thôn.")
    f.refresh_from_db()
    assert f.responded_on == TODAY and f.responded_by == people["officer"] and f.lock_version == 2
    assert boards.response_state(f)[0] == "responded_late"
    assert not boards.overdue_findings().exists()
    with pytest.raises(ConcurrentEditError):
        boards.respond_to_finding(actor=people["officer"], finding=f, expected_version=1, response="Sửa",
                                  responded_on=TODAY, late_reason="x")
    ev = AuditEvent.objects.get(action="disclosures.finding.respond")
    assert ev.summary["late"] is True


def test_respond_on_time_needs_no_reason(tree, people, board):
    f = finding(board, tree)
    boards.respond_to_finding(actor=people["head"], finding=f, expected_version=1, response="Đã khắc phục.",
                              responded_on=TODAY)
    assert boards.response_state(f) == ("responded", "Responded")


@pytest.mark.parametrize("kw, field", [
    ({"response": ""}, "response"),
    ({"response": "x" * 10_001}, "response"),
    ({"responded_on": TODAY + dt.timedelta(days=1)}, "responded_on"),
    ({"responded_on": TODAY - dt.timedelta(days=11)}, "responded_on"),
    ({"responded_on": None}, "responded_on"),
    ({"late_reason": "x" * 2001}, "late_reason"),
])
def test_respond_bad_input(tree, people, board, kw, field):
    f = finding(board, tree)
    data = {"response": "Đã khắc phục.", "responded_on": TODAY, **kw}
    with pytest.raises(ValidationError) as exc:
        boards.respond_to_finding(actor=people["officer"], finding=f, expected_version=1, **data)
    assert field in exc.value.message_dict
    f.refresh_from_db()
    assert f.responded_on is None and f.lock_version == 1


@pytest.mark.parametrize("who", ["viewer", "sibling", "other_province", "nobody", "anon"])
def test_respond_permission(tree, people, board, who):
    f = finding(board, tree)
    with pytest.raises(PermissionDenied):
        boards.respond_to_finding(actor=people[who], finding=f, expected_version=1, response="x", responded_on=TODAY)


def test_finding_addressed_to_another_unit_is_answered_and_seen_there(tree, people, board):
    f = finding(board, tree, addressed_to=tree["A2"])
    assert Notification.objects.filter(user=people["sibling"]).count() == 1
    assert list(boards.findings_for(people["sibling"])) == [f]
    assert not boards.findings_for(people["other_province"]).exists()
    with pytest.raises(PermissionDenied):
        boards.respond_to_finding(actor=people["officer"], finding=f, expected_version=1, response="x",
                                  responded_on=TODAY)
    boards.respond_to_finding(actor=people["sibling"], finding=f, expected_version=1, response="Đã xử lý.",
                              responded_on=TODAY)


def test_overdue_findings(tree, people, board):
    late = finding(board, tree, subject="Quá hạn", response_due_on=TODAY - dt.timedelta(days=1))
    finding(board, tree, subject="Còn hạn", response_due_on=TODAY)
    finding(board, tree, subject="Không hạn", response_due_on=None)
    assert list(boards.overdue_findings()) == [late]
    assert not boards.overdue_findings(today=TODAY - dt.timedelta(days=1)).exists()
    assert boards.overdue_findings(today=TODAY + dt.timedelta(days=1)).count() == 2
    boards.delete_board(actor=None, board=board, reason="Nhập nhầm")
    assert not boards.overdue_findings().exists()
    assert not boards.findings_for(people["officer"]).exists()
