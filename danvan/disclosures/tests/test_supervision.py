"""The Front's supervision and social critique: who writes, who answers, who sees, and the late-response rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.disclosures import supervision as sv
from danvan.disclosures.models import FrontSupervision
from danvan.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages in English: the assertions do not depend on the Vietnamese catalogue."""
    with translation.override("en"):
        yield

TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=20)

PEOPLE = {
    "front": ("F1", "front_supervisor"),       # the commune Front's supervisor, on the Front body
    "front_a1": ("A1", "front_supervisor"),    # a Front supervisor named on the commune itself
    "front_b": ("FB", "front_supervisor"),     # the Front of a commune of another province
    "officer": ("A1", "officer"),
    "head": ("A1", "head"),
    "viewer": ("A1", "viewer"),
    "sibling": ("A2", "officer"),
    "province": ("A", "officer"),
    "other_province": ("B1", "officer"),
}


@pytest.fixture
def fronts(tree: dict[str, Any], kinds: dict[str, Any]) -> dict[str, Any]:
    from danvan.orgs import services

    tree["F1"] = services.create_unit(actor=None, kind=kinds["front"], name="Ủy ban MTTQ xã Bình Lư",
                                      parent=tree["A1"], audit_event=False)
    tree["FB"] = services.create_unit(actor=None, kind=kinds["front"], name="Ủy ban MTTQ phường Bắc Kạn",
                                      parent=tree["B1"], audit_event=False)
    return tree


@pytest.fixture
def people(fronts: dict[str, Any], make_user: Any, no_mfa: Any) -> dict[str, Any]:
    out = {name: make_user(name, (fronts[unit], role)) for name, (unit, role) in PEOPLE.items()}
    out["nobody"] = make_user("nobody")
    out["anon"] = AnonymousUser()
    return out


def record(tree: dict[str, Any], actor: Any = None, **kw: Any) -> FrontSupervision:
    data: dict[str, Any] = {
        "org_unit": tree["A1"], "front_unit": tree["F1"], "by_name": "Ban Thường trực UBMTTQ xã",
        "kind": "supervision", "subject": "Giám sát việc thu, chi quỹ phòng chống thiên tai", "starts_on": START,
        "ends_on": START + dt.timedelta(days=5), "findings": "Thu đúng, chi chậm.",
        "recommendations": "Chi hỗ trợ trước 30/6.", "response_due_on": TODAY + dt.timedelta(days=10)}
    data.update(kw)
    return sv.record_supervision(actor=actor, **data)


@pytest.fixture
def sup(fronts: dict[str, Any], people: dict[str, Any]) -> FrontSupervision:
    return record(fronts, people["front"])


def test_record_notifies_the_unit_supervised(fronts, people, sup):
    assert sup.created_by == people["front"] and not sup.is_public
    notes = Notification.objects.filter(key=f"disclosures.supervision:{sup.pk}")
    assert {n.user for n in notes} == {people["officer"], people["head"]}
    assert "Respond by" in notes[0].body and notes[0].url.endswith(f"/grassroots/supervision/{sup.pk}/")
    assert AuditEvent.objects.filter(action="disclosures.supervision.record", object_id=str(sup.pk)).exists()


def test_who_may_record(fronts, people):
    # Without a Front body the unit's own Front supervisor records; the Front body's supervisor must name it.
    assert record(fronts, people["front_a1"], front_unit=None).front_unit is None
    for who in ("front", "officer", "head", "viewer", "sibling", "province", "nobody", "anon", "front_b"):
        with pytest.raises(PermissionDenied):
            record(fronts, people[who], front_unit=None, subject=f"Lần {who}")
    for who in ("officer", "head", "front_b", "anon"):
        with pytest.raises(PermissionDenied):
            record(fronts, people[who], subject=f"Qua mặt trận {who}")
    assert FrontSupervision.objects.count() == 1


def test_a_front_body_supervises_its_own_level_only(fronts, people):
    with pytest.raises(ValidationError) as exc:
        record(fronts, people["front"], org_unit=fronts["A2"])
    assert "does not supervise" in " ".join(exc.value.message_dict["org_unit"])
    assert record(fronts, people["front"], org_unit=fronts["A1v"]).org_unit == fronts["A1v"]


@pytest.mark.parametrize("kw, field", [
    ({"subject": ""}, "subject"),
    ({"subject": "x" * 256}, "subject"),
    ({"by_name": ""}, "by_name"),
    ({"kind": "inspection"}, "kind"),
    ({"starts_on": None}, "starts_on"),
    ({"starts_on": "2026-01-01"}, "starts_on"),
    ({"ends_on": START - dt.timedelta(days=1)}, "ends_on"),
    ({"response_due_on": START - dt.timedelta(days=1)}, "response_due_on"),
    ({"findings": "x" * 20_001}, "findings"),
    ({"is_public": "yes"}, "is_public"),
    ({"org_unit": None}, "org_unit"),
])
def test_record_bad_input(fronts, people, kw, field):
    with pytest.raises(ValidationError) as exc:
        record(fronts, people["front"], **kw)
    assert field in exc.value.message_dict
    assert not FrontSupervision.objects.exists() and not Notification.objects.exists()


def test_double_submit_refused(fronts, people, sup):
    with pytest.raises(ValidationError) as exc:
        record(fronts, people["front"], subject=sup.subject.upper())
    assert "already recorded" in " ".join(exc.value.message_dict["subject"])
    assert FrontSupervision.objects.count() == 1
    assert record(fronts, people["front"], starts_on=START + dt.timedelta(days=1)).pk


def test_visible_to_the_front_and_the_unit_concerned_only(fronts, people, sup):
    for who in ("front", "front_a1", "officer", "head", "viewer", "province"):
        assert list(sv.supervisions_for(people[who])) == [sup], who
    for who in ("sibling", "other_province", "front_b", "nobody", "anon"):
        assert not sv.supervisions_for(people[who]).exists(), who
    assert people["front"].has_perm("disclosures.view_supervision", sup)
    assert not people["sibling"].has_perm("disclosures.view_supervision", sup)


def test_update_by_the_front_only(fronts, people, sup):
    sv.update_supervision(actor=people["front"], supervision=sup, expected_version=1, findings="Bổ sung kết quả.",
                          is_public=True)
    sup.refresh_from_db()
    assert sup.findings == "Bổ sung kết quả." and sup.is_public and sup.lock_version == 2
    with pytest.raises(ConcurrentEditError):
        sv.update_supervision(actor=people["front"], supervision=sup, expected_version=1, findings="Cũ")
    for who in ("officer", "head", "province", "sibling"):
        with pytest.raises(PermissionDenied):
            sv.update_supervision(actor=people[who], supervision=sup, expected_version=2, findings="Sửa")
    with pytest.raises(ValidationError) as exc:
        sv.update_supervision(actor=people["front"], supervision=sup, expected_version=2, org_unit=fronts["A2"])
    assert "org_unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        sv.update_supervision(actor=people["front"], supervision=sup, expected_version=2,
                              ends_on=START - dt.timedelta(days=1))
    assert "ends_on" in exc.value.message_dict
    sup.refresh_from_db()
    assert sup.findings == "Bổ sung kết quả."


def test_respond_on_time(fronts, people, sup):
    sv.respond_to_supervision(actor=people["officer"], supervision=sup, expected_version=1,
                              response="UBND xã đã chi hỗ trợ ngày 20/6.", responded_on=TODAY)
    sup.refresh_from_db()
    assert sup.responded_by == people["officer"] and sup.responded_on == TODAY and sup.late_reason == ""


def test_respond_late_needs_a_reason(fronts, people):
    sup = record(fronts, people["front"], response_due_on=START + dt.timedelta(days=7))
    assert list(sv.overdue_supervisions()) == [sup]
    with pytest.raises(ValidationError) as exc:
        sv.respond_to_supervision(actor=people["head"], supervision=sup, expected_version=1, response="Đã chi.",
                                  responded_on=TODAY, late_reason="   ")
    assert "late_reason" in exc.value.message_dict
    sup.refresh_from_db()
    assert sup.responded_on is None and sup.lock_version == 1
    # Answered before its deadline (recorded late in the system): no reason needed.
    sv.respond_to_supervision(actor=people["head"], supervision=sup, expected_version=1, response="Đã chi.",
                              responded_on=START + dt.timedelta(days=7))
    assert not sv.overdue_supervisions().exists()


@pytest.mark.parametrize("kw, field", [
    ({"response": ""}, "response"),
    ({"responded_on": START - dt.timedelta(days=1)}, "responded_on"),
    ({"responded_on": TODAY + dt.timedelta(days=1)}, "responded_on"),
    ({"responded_on": "hôm nay"}, "responded_on"),
])
def test_respond_bad_input(fronts, people, sup, kw, field):
    data = {"response": "Đã chi.", "responded_on": TODAY, **kw}
    with pytest.raises(ValidationError) as exc:
        sv.respond_to_supervision(actor=people["officer"], supervision=sup, expected_version=1, **data)
    assert field in exc.value.message_dict


@pytest.mark.parametrize("who", ["front", "viewer", "sibling", "other_province", "nobody", "anon", "front_b"])
def test_respond_permission(fronts, people, sup, who):
    with pytest.raises(PermissionDenied):
        sv.respond_to_supervision(actor=people[who], supervision=sup, expected_version=1, response="x",
                                  responded_on=TODAY)


def test_respond_concurrently(fronts, people, sup):
    other = FrontSupervision.objects.get(pk=sup.pk)
    sv.respond_to_supervision(actor=people["officer"], supervision=sup, expected_version=1, response="Một",
                              responded_on=TODAY)
    with pytest.raises(ConcurrentEditError):
        sv.respond_to_supervision(actor=people["head"], supervision=other, expected_version=1, response="Hai",
                                  responded_on=TODAY)
    sup.refresh_from_db()
    assert sup.response == "Một"


def test_delete(fronts, people, sup):
    with pytest.raises(PermissionDenied):
        sv.delete_supervision(actor=people["head"], supervision=sup, reason="Nhầm")
    with pytest.raises(ValidationError) as exc:
        sv.delete_supervision(actor=people["front"], supervision=sup, reason="")
    assert "reason" in exc.value.message_dict
    sv.delete_supervision(actor=people["front"], supervision=sup, reason="Nhập trùng")
    assert not sv.supervisions_for(people["officer"]).exists()
    assert not people["front"].has_perm("disclosures.view_supervision", sup)
    with pytest.raises(ValidationError):
        sv.respond_to_supervision(actor=people["officer"], supervision=sup, expected_version=2, response="x",
                                  responded_on=TODAY)


def test_overdue_supervisions(fronts, people):
    late = record(fronts, None, subject="Quá hạn", response_due_on=TODAY - dt.timedelta(days=1))
    record(fronts, None, subject="Còn hạn", response_due_on=TODAY)
    record(fronts, None, subject="Không hạn", response_due_on=None)
    assert list(sv.overdue_supervisions()) == [late]
    assert sv.overdue_supervisions(today=TODAY + dt.timedelta(days=1)).count() == 2
