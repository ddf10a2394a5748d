"""Consultations (Art. 25): the one-way life of a consultation, what each step needs, permissions,
bad input (nothing saved), duplicates and concurrent edits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.disclosures import consultations
from danvan.disclosures.models import Attachment, Consultation, ConsultationMatter, ConsultationStatus

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PAST_OPEN = TODAY - dt.timedelta(days=40)
PAST_CLOSE = TODAY - dt.timedelta(days=10)


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def people(tree: dict, make_user: Any) -> dict[str, Any]:
    return {
        "officer": make_user("officer", (tree["A1"], "officer")),
        "head": make_user("head", (tree["A1"], "head")),
        "viewer": make_user("viewer", (tree["A1"], "viewer")),
        "front": make_user("front", (tree["A1"], "front_supervisor")),
        "province_officer": make_user("province_officer", (tree["A"], "officer")),
        "sibling": make_user("sibling", (tree["A2"], "admin")),
        "other_province": make_user("other_province", (tree["B"], "admin")),
        "nobody": make_user("nobody"),
        "anon": AnonymousUser(),
    }


def create(unit: Any, actor: Any = None, **kw: Any) -> Consultation:
    kw.setdefault("matter", ConsultationMatter.LAND_USE)
    kw.setdefault("title", "Lấy ý kiến quy hoạch sử dụng đất 2026–2030")
    kw.setdefault("opens_on", PAST_OPEN)
    kw.setdefault("closes_on", PAST_CLOSE)
    kw.setdefault("draft", "Dự thảo quy hoạch: mở rộng khu dân cư bản Thẳm")
    kw.setdefault("forms", ["meeting", "website"])
    return consultations.create_consultation(actor=actor, org_unit=unit, **kw)


def run_to_closed(c: Consultation, actor: Any = None) -> Consultation:
    # Open while the period is still running (the commune opens it on time), then close after it.
    Consultation.objects.filter(pk=c.pk).update(closes_on=TODAY)
    c.refresh_from_db()
    consultations.open_consultation(actor=actor, consultation=c, expected_version=c.lock_version)
    consultations.close_consultation(actor=actor, consultation=c, expected_version=c.lock_version,
                                     opinions_received=12, opinions_summary="Đa số đồng ý, 3 ý kiến xin giữ đất vườn")
    return c


def test_lifecycle(tree: dict, people: dict) -> None:
    officer = people["officer"]
    c = create(tree["A1"], officer, closes_on=TODAY + dt.timedelta(days=5), forms=["website", "meeting", "website"])
    assert c.status == ConsultationStatus.DRAFT and c.forms == ["meeting", "website"]
    consultations.open_consultation(actor=officer, consultation=c, expected_version=1)
    assert c.status == ConsultationStatus.OPEN
    with pytest.raises(ValidationError) as exc:  # residents may still answer
        consultations.close_consultation(actor=officer, consultation=c, expected_version=2, opinions_received=3,
                                         opinions_summary="x")
    assert "status" in exc.value.message_dict
    Consultation.objects.filter(pk=c.pk).update(closes_on=TODAY)
    consultations.close_consultation(actor=officer, consultation=c, expected_version=2, opinions_received=12,
                                     opinions_summary="Đa số đồng ý")
    assert (c.status, c.opinions_received) == (ConsultationStatus.CLOSED, 12)
    consultations.publish_result(actor=officer, consultation=c, expected_version=3,
                                 taken_into_account="Điều chỉnh ranh giới khu A theo 3 ý kiến")
    c.refresh_from_db()
    assert (c.status, c.result_published_on, c.lock_version) == (ConsultationStatus.PUBLISHED, TODAY, 4)
    assert list(consultations.published_results(tree["A"])) == [c]
    actions = list(AuditEvent.objects.filter(action__startswith="disclosures.consultation")
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["disclosures.consultation.create", "disclosures.consultation.open",
                       "disclosures.consultation.close", "disclosures.consultation.publish"]


@pytest.mark.parametrize(("kw", "field", "message"), [
    ({"title": " "}, "title", "This field is required."),
    ({"title": "x" * 256}, "title", "at most 255"),
    ({"matter": "x"}, "matter", "Choose the matter"),
    ({"closes_on": PAST_OPEN - dt.timedelta(days=1)}, "closes_on", "cannot end before it starts"),
    ({"opens_on": None}, "opens_on", "required"),
    ({"opens_on": "01/01/2026"}, "opens_on", "valid date"),
    ({"closes_on": dt.date(TODAY.year + 6, 1, 1)}, "closes_on", "cannot be after"),
    ({"forms": ["pigeon"]}, "forms", "Choose the forms"),
    ({"forms": "meeting"}, "forms", "Choose the forms"),
    ({"is_public": "yes"}, "is_public", "yes or no"),
    ({"draft": "x" * 20_001}, "draft", "at most 20000"),
])
def test_bad_input(tree: dict, people: dict, kw: dict, field: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        create(tree["A1"], people["officer"], **kw)
    assert message in " ".join(exc.value.message_dict[field])
    assert Consultation.objects.count() == 0


def test_duplicate_is_refused(tree: dict) -> None:
    create(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        create(tree["A1"])
    assert "already recorded" in exc.value.message_dict["title"][0]
    create(tree["A1"], opens_on=PAST_OPEN + dt.timedelta(days=1))
    assert Consultation.objects.count() == 2


def test_opening_needs_a_draft_a_way_to_ask_and_time_left(tree: dict) -> None:
    c = create(tree["A1"], draft="", forms=[])
    with pytest.raises(ValidationError) as exc:
        consultations.open_consultation(actor=None, consultation=c, expected_version=1)
    assert {"draft", "forms", "closes_on"} <= set(exc.value.message_dict)
    assert Consultation.objects.get(pk=c.pk).status == ConsultationStatus.DRAFT
    # A file of the draft is enough instead of its text.
    Attachment.objects.create(consultation=c, file="x/draft.pdf", original_name="du-thao.pdf",
                              content_type="application/pdf", size=10, sha256="0" * 64, uploaded_at=timezone.now())
    consultations.update_consultation(actor=None, consultation=c, expected_version=1, forms=["meeting"],
                                      closes_on=TODAY + dt.timedelta(days=3))
    consultations.open_consultation(actor=None, consultation=c, expected_version=2)
    assert c.status == ConsultationStatus.OPEN
    with pytest.raises(ValidationError) as exc:
        consultations.open_consultation(actor=None, consultation=c, expected_version=3)
    assert "status" in exc.value.message_dict


def test_closing_and_publishing_rules(tree: dict) -> None:
    c = create(tree["A1"], closes_on=TODAY)
    with pytest.raises(ValidationError):  # not open yet
        consultations.close_consultation(actor=None, consultation=c, expected_version=1, opinions_received=0)
    consultations.open_consultation(actor=None, consultation=c, expected_version=1)
    for bad, field in [(-1, "opinions_received"), ("12", "opinions_received"), (None, "opinions_received")]:
        with pytest.raises(ValidationError) as exc:
            consultations.close_consultation(actor=None, consultation=c, expected_version=2, opinions_received=bad)
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        consultations.close_consultation(actor=None, consultation=c, expected_version=2, opinions_received=5)
    assert exc.value.message_dict["opinions_summary"] == ["Summarise the opinions received."]
    with pytest.raises(ValidationError):  # not closed yet
        consultations.publish_result(actor=None, consultation=c, expected_version=2, taken_into_account="x")
    consultations.close_consultation(actor=None, consultation=c, expected_version=2, opinions_received=0)
    assert Consultation.objects.get(pk=c.pk).status == ConsultationStatus.CLOSED
    for bad, message in [(TODAY + dt.timedelta(days=1), "future"), (TODAY - dt.timedelta(days=1), "before the period"),
                         ("hôm nay", "valid date")]:
        with pytest.raises(ValidationError) as exc:
            consultations.publish_result(actor=None, consultation=c, expected_version=3, taken_into_account="x",
                                         result_published_on=bad)
        assert message in exc.value.message_dict["result_published_on"][0]
    with pytest.raises(ValidationError) as exc:
        consultations.publish_result(actor=None, consultation=c, expected_version=3, taken_into_account="")
    assert "taken_into_account" in exc.value.message_dict
    assert Consultation.objects.get(pk=c.pk).status == ConsultationStatus.CLOSED


def test_update_rules(tree: dict, people: dict) -> None:
    officer = people["officer"]
    c = create(tree["A1"], officer)
    with pytest.raises(ValidationError) as exc:
        consultations.update_consultation(actor=officer, consultation=c, expected_version=1, opinions_received=4)
    assert "once the consultation has closed" in exc.value.message_dict["opinions_received"][0]
    with pytest.raises(ValidationError) as exc:
        consultations.update_consultation(actor=officer, consultation=c, expected_version=1, status="published")
    assert "status" in exc.value.message_dict
    consultations.update_consultation(actor=officer, consultation=c, expected_version=1, title="Quy hoạch mới",
                                      is_public=False)
    run_to_closed(c, officer)
    consultations.update_consultation(actor=officer, consultation=c, expected_version=c.lock_version,
                                      opinions_received=15, opinions_summary="Bổ sung 3 phiếu đến muộn")
    with pytest.raises(ValidationError) as exc:
        consultations.update_consultation(actor=officer, consultation=c, expected_version=c.lock_version,
                                          closes_on=TODAY + dt.timedelta(days=2))
    assert "closes_on" in exc.value.message_dict
    c.refresh_from_db()
    assert (c.title, c.is_public, c.opinions_received) == ("Quy hoạch mới", False, 15)


def test_concurrent_edit(tree: dict, people: dict) -> None:
    c = create(tree["A1"], people["officer"])
    a, b = Consultation.objects.get(pk=c.pk), Consultation.objects.get(pk=c.pk)
    consultations.update_consultation(actor=people["officer"], consultation=a, expected_version=1, title="Bản A")
    with pytest.raises(ConcurrentEditError):
        consultations.update_consultation(actor=people["head"], consultation=b, expected_version=1, title="Bản B")
    with pytest.raises(ConcurrentEditError):
        consultations.open_consultation(actor=people["head"], consultation=b, expected_version=1)
    c.refresh_from_db()
    assert (c.title, c.status, c.lock_version) == ("Bản A", ConsultationStatus.DRAFT, 2)


@pytest.mark.parametrize(("who", "can_change", "can_read"), [
    ("officer", True, True), ("head", True, True), ("viewer", False, True), ("front", False, True),
    ("province_officer", True, True), ("sibling", False, False), ("other_province", False, False),
    ("nobody", False, False), ("anon", False, False),
])
def test_permission_boundaries(tree: dict, people: dict, who: str, can_change: bool, can_read: bool) -> None:
    user = people[who]
    c = create(tree["A1"], closes_on=TODAY + dt.timedelta(days=3))
    assert (consultations.consultation_for(user, c.pk) is not None) is can_read
    assert (c in consultations.consultations_page(user).items) is can_read
    if can_change:
        consultations.open_consultation(actor=user, consultation=c, expected_version=1)
        assert c.status == ConsultationStatus.OPEN
    else:
        with pytest.raises(PermissionDenied):
            consultations.open_consultation(actor=user, consultation=c, expected_version=1)
        with pytest.raises(PermissionDenied):
            create(tree["A1"], user, title="Khác")
        with pytest.raises(PermissionDenied):
            consultations.delete_consultation(actor=user, consultation=c, reason="x")
        assert Consultation.objects.get(pk=c.pk).status == ConsultationStatus.DRAFT


def test_delete(tree: dict, people: dict) -> None:
    c = create(tree["A1"])
    with pytest.raises(PermissionDenied):  # an officer edits but does not delete
        consultations.delete_consultation(actor=people["officer"], consultation=c, reason="Nhập nhầm")
    with pytest.raises(ValidationError):
        consultations.delete_consultation(actor=people["head"], consultation=c, reason="")
    consultations.delete_consultation(actor=people["head"], consultation=c, reason="Nhập nhầm")
    assert consultations.consultation_for(people["head"], c.pk) is None
    assert AuditEvent.objects.get(action="disclosures.consultation.delete").summary["reason"] == "Nhập nhầm"
    # Once deleted, the same title may be recorded again.
    create(tree["A1"])


def test_page_filters(tree: dict, people: dict) -> None:
    officer = people["officer"]
    create(tree["A1"], title="Đất")
    create(tree["A1v"], title="Quy chế dân chủ bản", matter=ConsultationMatter.DEMOCRACY_REGULATION)
    assert len(consultations.consultations_page(officer).items) == 2
    assert [c.title for c in consultations.consultations_page(
        officer, matter=ConsultationMatter.DEMOCRACY_REGULATION).items] == ["Quy chế dân chủ bản"]
    assert len(consultations.consultations_page(officer, unit=tree["A1v"]).items) == 1
    assert len(consultations.consultations_page(officer, status=ConsultationStatus.OPEN).items) == 0
    assert len(consultations.consultations_page(officer, year=PAST_OPEN.year).items) == 2
    page = consultations.consultations_page(officer, limit=1)
    assert page.next and len(consultations.consultations_page(officer, limit=1, after=page.next).items) == 1
