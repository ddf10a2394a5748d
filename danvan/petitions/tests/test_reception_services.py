"""Reception services: the schedule, the heads' rule, the book 03/TCD, refusals, denunciations, permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from danvan.core.audit import AuditEvent
from danvan.core.exceptions import ConcurrentEditError
from danvan.petitions import crypto, notices, reception
from danvan.petitions.models import (
    Channel,
    Petition,
    ReceptionSession,
    ReceptionVisit,
    VisitHandling,
)

from .fixtures_cases import *  # noqa: F403 - the fixtures `people` and `fields`
from .fixtures_cases import D

pytestmark = pytest.mark.django_db

T = dt.time
DAY = D(2026, 7, 15)  # a Wednesday


def session(unit: Any, actor: Any = None, **kw: Any) -> ReceptionSession:
    kw.setdefault("date", DAY)
    kw.setdefault("starts_at", T(7, 30))
    kw.setdefault("ends_at", T(11, 0))
    kw.setdefault("by_head", True)
    kw.setdefault("host_name", "Lò Văn Pâng")
    kw.setdefault("host_title", "Chủ tịch UBND xã")
    kw.setdefault("mode", "in_person")
    kw.setdefault("location", "Trụ sở tiếp công dân xã")
    return reception.schedule_session(actor=actor, org_unit=unit, **kw)


def visit(unit: Any, actor: Any = None, **kw: Any) -> ReceptionVisit:
    kw.setdefault("visited_on", DAY)
    kw.setdefault("visitor_name", "Nguyễn Văn An")
    kw.setdefault("visitor_address", "Bản Thẳm")
    kw.setdefault("id_number", "012345678901")
    kw.setdefault("summary", "Đề nghị xem xét việc cấp giấy chứng nhận quyền sử dụng đất")
    kw.setdefault("kind", "recommendation")
    kw.setdefault("handling", "guided")
    return reception.record_visit(actor=actor, org_unit=unit, **kw)


# --------------------------------------------------------------------------- schedule


def test_schedule_happy_path_is_audited(tree, people):
    s = session(tree["A1"], people["reception"])
    assert s.pk and s.lock_version == 1 and s.created_by == people["reception"]
    ev = AuditEvent.objects.get(action="petitions.reception.schedule")
    assert ev.object_id == str(s.pk) and ev.org_unit_id == tree["A1"].pk


@pytest.mark.parametrize("who, allowed", [
    ("reception", True), ("officer", True), ("head", True), ("admin", True), ("province_officer", True),
    ("viewer", False), ("handler", False), ("other_commune", False), ("other_province", False), ("nobody", False),
    ("anon", False),
])
def test_schedule_permissions(tree, people, who, allowed):
    if allowed:
        assert session(tree["A1"], people[who]).pk
    else:
        with pytest.raises(PermissionDenied):
            session(tree["A1"], people[who])
        assert not ReceptionSession.objects.exists()


def test_commune_officer_cannot_schedule_for_the_province(tree, people):
    with pytest.raises(PermissionDenied):
        session(tree["A"], people["officer"])


@pytest.mark.parametrize("kw, field", [
    ({"host_name": ""}, "host_name"),
    ({"host_name": "x" * 201}, "host_name"),
    ({"ends_at": T(7, 0)}, "ends_at"),
    ({"ends_at": T(7, 30)}, "ends_at"),
    ({"mode": "online", "location": ""}, "online_link"),
    ({"mode": "online", "online_link": "javascript:alert(1)"}, "online_link"),
    ({"location": ""}, "location"),
    ({"date": "2026-07-15"}, "date"),
    ({"date": None}, "date"),
    ({"starts_at": "7:30"}, "starts_at"),
    ({"mode": "video"}, "mode"),
    ({"by_head": "yes"}, "by_head"),
    ({"date": D(1999, 12, 31)}, "date"),
])
def test_schedule_bad_input(tree, people, kw, field):
    with pytest.raises(ValidationError) as exc:
        session(tree["A1"], people["officer"], **kw)
    assert field in exc.value.message_dict
    assert not ReceptionSession.objects.exists()


def test_online_session(tree, people):
    s = session(tree["A1"], people["officer"], mode="online", location="", online_link="https://hop.laichau.gov.vn/x")
    assert s.mode == "online"


def test_duplicate_session_refused_unless_times_apart_or_cancelled(tree, people):
    first = session(tree["A1"], people["officer"])
    with pytest.raises(ValidationError) as exc:
        session(tree["A1"], people["officer"], host_name="lò văn pâng", starts_at=T(10, 0), ends_at=T(12, 0))
    assert "date" in exc.value.message_dict
    assert session(tree["A1"], people["officer"], starts_at=T(13, 30), ends_at=T(17, 0)).pk
    reception.cancel_session(actor=people["officer"], session=first, reason="Chủ tịch đi công tác",
                             expected_version=first.lock_version)
    assert session(tree["A1"], people["officer"]).pk


def test_update_and_concurrent_edit(tree, people):
    s = session(tree["A1"], people["officer"])
    stale = ReceptionSession.objects.get(pk=s.pk)
    reception.update_session(actor=people["officer"], session=s, expected_version=1, location="Hội trường UBND xã")
    s.refresh_from_db()
    assert s.location == "Hội trường UBND xã" and s.lock_version == 2
    with pytest.raises(ConcurrentEditError):
        reception.update_session(actor=people["head"], session=stale, expected_version=1, location="Nơi khác")
    s.refresh_from_db()
    assert s.location == "Hội trường UBND xã"
    with pytest.raises(ValidationError) as exc:
        reception.update_session(actor=people["officer"], session=s, expected_version=2, ends_at=T(6, 0))
    assert "ends_at" in exc.value.message_dict
    with pytest.raises(ValidationError):
        reception.update_session(actor=people["officer"], session=s, expected_version=2, org_unit=tree["A2"])
    with pytest.raises(PermissionDenied):
        reception.update_session(actor=people["other_commune"], session=s, expected_version=2, note="x")


def test_cancel_needs_reason_and_version(tree, people):
    s = session(tree["A1"], people["officer"])
    with pytest.raises(ValidationError) as exc:
        reception.cancel_session(actor=people["officer"], session=s, reason=" ", expected_version=1)
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        reception.cancel_session(actor=people["officer"], session=s, reason="Lý do",
                                 expected_version="1")  # type: ignore[arg-type]
    assert "expected_version" in exc.value.message_dict
    reception.cancel_session(actor=people["officer"], session=s, reason="Chủ tịch đi công tác", expected_version=1)
    s.refresh_from_db()
    assert s.cancelled_at is not None and s.cancel_reason == "Chủ tịch đi công tác"
    assert AuditEvent.objects.filter(action="petitions.reception.session_cancel").count() == 1


# --------------------------------------------------------------------------- the heads' rule


def test_commune_shortfalls_per_week(tree, people):
    # July 2026: weeks starting Monday 6, 13, 20, 27 (27/07–02/08 counts: it starts in July).
    session(tree["A1"], people["officer"], date=D(2026, 7, 8))
    session(tree["A1"], people["officer"], date=D(2026, 7, 21))
    session(tree["A1"], people["officer"], date=D(2026, 8, 1))  # Saturday of the week of 27/07
    session(tree["A1"], people["officer"], date=D(2026, 7, 15), by_head=False, host_name="Cán bộ tiếp dân")
    cancelled = session(tree["A1"], people["officer"], date=D(2026, 7, 16))
    reception.cancel_session(actor=None, session=cancelled, reason="Hoãn", expected_version=1)
    out = reception.schedule_shortfalls(tree["A1"], D(2026, 7, 1))
    assert [(s.period_start, s.period_end, s.required, s.scheduled) for s in out] == [
        (D(2026, 7, 13), D(2026, 7, 19), 1, 0)]


def test_province_shortfall_per_month(tree, people, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        out = reception.schedule_shortfalls(tree["A"], D(2026, 7, 20))
    assert [(s.period_start, s.period_end, s.required, s.scheduled) for s in out] == [
        (D(2026, 7, 1), D(2026, 7, 31), 1, 0)]
    session(tree["A"], people["province_officer"], date=D(2026, 7, 30))
    assert reception.schedule_shortfalls(tree["A"], D(2026, 7, 1)) == []


def test_no_rule_for_villages(tree):
    assert reception.schedule_shortfalls(tree["A1v"], D(2026, 7, 1)) == []


# --------------------------------------------------------------------------- the book


def test_visit_numbered_per_unit_and_year(tree, people):
    a = visit(tree["A1"], people["reception"])
    b = visit(tree["A1"], people["reception"], visited_on=D(2026, 7, 16))
    c = visit(tree["A2"], people["other_commune_officer"])
    d = visit(tree["A1"], people["reception"], visited_on=D(2025, 12, 30))
    assert (a.number, b.number, c.number, d.number) == (1, 2, 1, 1)
    assert (a.book_year, d.book_year) == (2026, 2025)
    ev = AuditEvent.objects.filter(action="petitions.reception.visit").first()
    assert ev is not None and "Nguyễn" not in str(ev.summary)


def test_double_submit_is_one_visit(tree, people):
    a = visit(tree["A1"], people["reception"], idempotency_key="k-1")
    b = visit(tree["A1"], people["reception"], idempotency_key="k-1")
    assert a.pk == b.pk and ReceptionVisit.objects.count() == 1


@pytest.mark.parametrize("who, allowed", [
    ("reception", True), ("officer", True), ("admin", True), ("province_officer", True),
    ("viewer", False), ("head", False), ("other_commune", False), ("other_province_officer", False),
    ("nobody", False), ("anon", False),
])
def test_visit_permissions(tree, people, who, allowed):
    if allowed:
        assert visit(tree["A1"], people[who]).pk
    else:
        with pytest.raises(PermissionDenied):
            visit(tree["A1"], people[who])
        assert not ReceptionVisit.objects.exists()


def test_future_date_refused(tree, people):
    with pytest.raises(ValidationError) as exc:
        visit(tree["A1"], people["reception"], visited_on=timezone.localdate() + dt.timedelta(days=1))
    assert "visited_on" in exc.value.message_dict


@pytest.mark.parametrize("kw, field", [
    ({"summary": ""}, "summary"),
    ({"summary": "x" * 5001}, "summary"),
    ({"visitor_name": ""}, "visitor_name"),
    ({"visitor_name": "x" * 201}, "visitor_name"),
    ({"kind": ""}, "kind"),
    ({"handling": "ignored"}, "handling"),
    ({"people_count": 0}, "people_count"),
    ({"people_count": "3"}, "people_count"),
    ({"people_count": True}, "people_count"),
    ({"visited_on": D(1999, 1, 1)}, "visited_on"),
    ({"visited_on": "2026-07-15"}, "visited_on"),
    ({"id_number": "12-34"}, "id_number"),
    ({"handling": "forwarded"}, "forwarded_to_name"),
    ({"handling": "forwarded", "forwarded_to_name": "Thanh tra tỉnh"}, "forward_document_number"),
    ({"forwarded_to_name": "Thanh tra tỉnh"}, "forwarded_to_name"),
    ({"handling": "refused", "refusal_reason": "Say rượu, không tự chủ được hành vi"}, "refusal_ground"),
    ({"handling": "refused", "refusal_ground": "disruptive", "refusal_reason": "gây rối"}, "refusal_reason"),
    ({"refusal_ground": "disruptive"}, "refusal_ground"),
    ({"has_written_petition": False}, "content_signed"),
])
def test_visit_bad_input(tree, people, kw, field):
    with pytest.raises(ValidationError) as exc:
        visit(tree["A1"], people["reception"], **kw)
    assert field in exc.value.message_dict
    assert not ReceptionVisit.objects.exists()


def test_mass_delegation_forwarded_and_oral(tree, people):
    v = visit(tree["A1"], people["reception"], people_count=12, has_written_petition=False, content_signed=True,
              handling="forwarded", forwarded_to_name="Thanh tra tỉnh Lai Châu", forward_document_number="15/PC-TCD")
    assert v.is_mass and v.forward_document_number == "15/PC-TCD"
    assert not visit(tree["A1"], people["reception"], people_count=4).is_mass


def test_refusal_disruptive_has_no_notice(tree, people):
    v = visit(tree["A1"], people["reception"], handling="refused", refusal_ground="disruptive",
              refusal_reason="Có hành vi lăng mạ cán bộ tiếp công dân, gây mất trật tự")
    assert v.refusal_ground == "disruptive" and not v.notices.exists()


@pytest.mark.skipif(not hasattr(notices, "issue_notice"), reason="notices.issue_notice (H3) not there yet")
def test_refusal_already_resolved_issues_a_numbered_notice(tree, people):
    v = visit(tree["A1"], people["reception"], kind="complaint", handling="refused", refusal_ground="already_resolved",
              refusal_reason="Vụ việc đã được giải quyết đúng chính sách, đã rà soát, không có tình tiết mới")
    notice = v.notices.get()
    assert notice.kind == "refusal" and notice.number == 1


def test_session_must_match_unit_and_day(tree, people):
    s = session(tree["A2"], people["other_commune"])
    with pytest.raises(ValidationError) as exc:
        visit(tree["A1"], people["reception"], session=s)
    assert "session" in exc.value.message_dict
    own = session(tree["A1"], people["officer"], date=D(2026, 7, 14))
    with pytest.raises(ValidationError) as exc:
        visit(tree["A1"], people["reception"], session=own)
    assert "session" in exc.value.message_dict
    assert visit(tree["A1"], people["reception"], session=own, visited_on=D(2026, 7, 14)).session_id == own.pk


def test_denunciation_identity_is_encrypted(tree, people):
    v = visit(tree["A1"], people["reception"], kind="denunciation", visitor_name="Trần Thị Tố Giác",
              visitor_address="Bản Thẳm", id_number="098765432109", handling="recorded")
    v.refresh_from_db()
    assert (v.visitor_name, v.visitor_address, v.id_number) == ("", "", "")
    assert crypto.decrypt(v.identity_ciphertext) == {
        "name": "Trần Thị Tố Giác", "address": "Bản Thẳm", "id_number": "098765432109"}
    assert "Tố Giác" not in v.identity_ciphertext
    assert reception.shown_identity(v)["name"] == str(reception.CONFIDENTIAL)
    assert not any("Tố Giác" in str(e.summary) for e in AuditEvent.objects.all())


def test_visit_creates_petition_in_one_step(tree, people, fields):
    v = visit(tree["A1"], people["reception"], kind="complaint", handling="", create_petition=True,
              petition_data={"content": "Nội dung chi tiết", "field": fields["land"]} if "land" in fields
              else {"content": "Nội dung chi tiết"}, people_count=2)
    p = Petition.objects.get(visit=v)
    assert v.handling == VisitHandling.ACCEPTED
    assert p.channel == Channel.RECEPTION and p.filer_name == "Nguyễn Văn An" and p.signers == 2
    assert p.received_on == v.visited_on and p.number == 1


def test_denunciation_visit_creates_protected_petition(tree, people):
    v = visit(tree["A1"], people["reception"], kind="denunciation", visitor_name="Trần Thị Tố Giác",
              create_petition=True, handling="accepted")
    p = Petition.objects.get(visit=v)
    assert p.filer_name == "" and p.identity.ciphertext
    assert crypto.decrypt(p.identity.ciphertext)["name"] == "Trần Thị Tố Giác"


def test_failed_petition_rolls_back_the_visit(tree, people):
    with pytest.raises(ValidationError) as exc:
        visit(tree["A1"], people["reception"], create_petition=True, handling="accepted",
              petition_data={"summary": ""})
    assert "summary" in exc.value.message_dict
    assert not ReceptionVisit.objects.exists() and not Petition.objects.exists()
    with pytest.raises(ValidationError):
        visit(tree["A1"], people["reception"], create_petition=True, handling="refused")
    with pytest.raises(ValidationError) as exc:
        visit(tree["A1"], people["reception"], create_petition=True, petition_data={"channel": "post"},
              handling="accepted")
    assert "petition_data.channel" in exc.value.message_dict


def test_follow_up_and_delete(tree, people):
    v = visit(tree["A1"], people["reception"])
    stale = ReceptionVisit.objects.get(pk=v.pk)
    reception.update_follow_up(actor=people["officer"], visit=v, follow_up="Đã trả lời công dân", expected_version=1)
    assert v.follow_up == "Đã trả lời công dân" and v.lock_version == 2
    with pytest.raises(ConcurrentEditError):
        reception.update_follow_up(actor=people["reception"], visit=stale, follow_up="Khác", expected_version=1)
    with pytest.raises(ValidationError) as exc:
        reception.update_follow_up(actor=people["reception"], visit=v, follow_up="x" * 5001, expected_version=2)
    assert "follow_up" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        reception.update_follow_up(actor=people["viewer"], visit=v, follow_up="x", expected_version=2)
    with pytest.raises(ValidationError):
        reception.delete_visit(actor=people["officer"], visit=v, reason="", expected_version=2)
    reception.delete_visit(actor=people["officer"], visit=v, reason="Nhập trùng", expected_version=2)
    assert ReceptionVisit.objects.get(pk=v.pk).deleted_at is not None
    assert reception.book(people["officer"], tree["A1"], 2026)[0] == []
    assert AuditEvent.objects.filter(action="petitions.reception.visit_delete").count() == 1


# --------------------------------------------------------------------------- reads


def test_book_keyset_and_scope(tree, people, django_assert_max_num_queries):
    for i in range(5):
        visit(tree["A1"], people["reception"], summary=f"Việc {i}")
    user = people["officer"]
    reception.book(user, tree["A1"], 2026)  # loads the scope
    with django_assert_max_num_queries(1):
        page, nxt = reception.book(user, tree["A1"], 2026, limit=2)
    assert [v.number for v in page] == [1, 2] and nxt == 2
    page, nxt = reception.book(user, tree["A1"], 2026, after=4, limit=2)
    assert [v.number for v in page] == [5] and nxt is None
    assert len(reception.book(people["province_officer"], tree["A1"], 2026)[0]) == 5
    for outsider in ("other_commune", "other_province", "nobody", "anon"):
        assert reception.book(people[outsider], tree["A1"], 2026)[0] == []


def test_sessions_for_and_published(tree, people):
    session(tree["A1"], people["officer"], date=timezone.localdate() + dt.timedelta(days=3))
    session(tree["A1"], people["officer"], date=timezone.localdate() + dt.timedelta(days=4), published=False)
    session(tree["B1"], people["other_province_officer"], date=timezone.localdate() + dt.timedelta(days=3))
    assert reception.sessions_for(people["officer"]).count() == 2
    assert reception.sessions_for(people["other_commune"]).count() == 0
    assert reception.published_sessions().count() == 2
    assert reception.published_sessions(tree["A1"]).count() == 1
