"""Attachments of every grassroots record: who may add, read and remove them, bad files, and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from danvan.core.models import AuditEvent
from danvan.disclosures import attachments
from danvan.disclosures.models import (
    Attachment,
    BoardFinding,
    BoardKind,
    FrontSupervision,
    PeopleBoard,
    SupervisionKind,
)

from .conftest import PDF
from .test_disclosures import DECIDED, make

pytestmark = pytest.mark.django_db


def upload(name: str = "quyet-dinh.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def finding(tree: dict) -> BoardFinding:
    board = PeopleBoard.objects.create(org_unit=tree["A1v"], kind=BoardKind.INSPECTION, name="Ban TTND bản Thẳm",
                                       term_starts_on=DECIDED, term_ends_on=DECIDED + dt.timedelta(days=900))
    return BoardFinding.objects.create(board=board, found_on=DECIDED, subject="Quỹ bản", findings="Thiếu chứng từ",
                                       addressed_to=tree["A1"])


@pytest.fixture
def supervision(tree: dict) -> FrontSupervision:
    return FrontSupervision.objects.create(org_unit=tree["A1"], by_name="MTTQ xã", kind=SupervisionKind.SUPERVISION,
                                           subject="Trợ cấp", starts_on=DECIDED)


def test_add_open_remove_disclosure_file(tree: dict, people: dict, cats: dict, media: Any) -> None:
    d = make(tree["A1"], cats["budget"])
    row = attachments.add(actor=people["officer"], owner=d, file=upload("../../Quyết định.pdf"))
    assert row.disclosure == d and row.original_name == "Quyết định.pdf" and row.size == len(PDF)
    assert AuditEvent.objects.filter(action="disclosures.attachment.add").count() == 1
    for who in ("officer", "front", "province"):
        data, name, content_type = attachments.open_for(people[who], row)
        assert (data, name, content_type) == (PDF, "Quyết định.pdf", "application/pdf")
    for who in ("sibling", "other", "nobody", "village"):
        with pytest.raises(PermissionDenied):
            attachments.open_for(people[who], row)
    for who in ("front", "province", "sibling", "other", "nobody"):
        with pytest.raises(PermissionDenied):
            attachments.add(actor=people[who], owner=d, file=upload())
        with pytest.raises(PermissionDenied):
            attachments.remove(actor=people[who], attachment=row, reason="Nhầm")
    with pytest.raises(ValidationError) as exc:
        attachments.remove(actor=people["officer"], attachment=row, reason=" ")
    assert "reason" in exc.value.message_dict
    attachments.remove(actor=people["officer"], attachment=row, reason="Nhầm tệp")
    assert row.deleted_at is not None and attachments.listed(d) == []
    with pytest.raises(PermissionDenied):
        attachments.open_for(people["officer"], row)
    with pytest.raises(ValidationError):
        attachments.remove(actor=people["officer"], attachment=row, reason="Lần nữa")


@pytest.mark.parametrize("name, data", [
    ("rong.pdf", b""), ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100), ("ghi-chu.txt", b"hello"), ("noext", PDF),
])
def test_bad_files_are_refused(tree: dict, people: dict, cats: dict, media: Any, name: str, data: bytes) -> None:
    d = make(tree["A1"], cats["budget"])
    with pytest.raises(ValidationError) as exc:
        attachments.add(actor=people["officer"], owner=d, file=upload(name, data))
    assert "file" in exc.value.message_dict
    assert not Attachment.objects.exists()


def test_deleted_owner_and_unknown_owner(tree: dict, people: dict, cats: dict, media: Any) -> None:
    from danvan.disclosures import services

    d = make(tree["A1"], cats["budget"])
    services.delete_disclosure(actor=None, disclosure=d, reason="Nhầm")
    with pytest.raises(ValidationError):
        attachments.add(actor=people["head"], owner=d, file=upload())
    with pytest.raises(ValidationError) as exc:
        attachments.add(actor=people["head"], owner=tree["A1"], file=upload())
    assert "owner_type" in exc.value.message_dict


def test_finding_file_by_the_unit_that_answers(tree: dict, people: dict, finding: BoardFinding, media: Any) -> None:
    # The finding belongs to a village's board and is addressed to the commune: the commune's officer answers.
    row = attachments.add(actor=people["officer"], owner=finding, file=upload())
    assert row.finding == finding
    assert attachments.open_for(people["village"], row)[0] == PDF
    with pytest.raises(PermissionDenied):
        attachments.add(actor=people["sibling"], owner=finding, file=upload())
    with pytest.raises(PermissionDenied):
        attachments.open_for(people["sibling"], row)


def test_supervision_file(tree: dict, people: dict, supervision: FrontSupervision, media: Any) -> None:
    by_front = attachments.add(actor=people["front"], owner=supervision, file=upload("bao-cao.pdf"))
    by_unit = attachments.add(actor=people["officer"], owner=supervision, file=upload("tra-loi.pdf"))
    assert {a.pk for a in attachments.listed(supervision)} == {by_front.pk, by_unit.pk}
    for who in ("province", "front", "head"):
        assert attachments.open_for(people[who], by_front)[0] == PDF
    for who in ("sibling", "other", "nobody"):
        with pytest.raises(PermissionDenied):
            attachments.open_for(people[who], by_front)
    with pytest.raises(PermissionDenied):
        attachments.add(actor=people["province"], owner=supervision, file=upload())


def test_pages(tree: dict, people: dict, cats: dict, supervision: FrontSupervision, media: Any) -> None:
    d = make(tree["A1"], cats["budget"])
    c = _client(people["officer"])
    back = f"/grassroots/disclosures/{d.pk}/"
    r = c.post("/grassroots/files/add/", {"owner_type": "disclosure", "owner_id": d.pk, "file": upload(),
                                         "next": back})
    assert r.status_code == 302 and r["Location"] == back
    row = Attachment.objects.get()
    r = c.get(f"/grassroots/files/{row.pk}/")
    assert r.status_code == 200 and r.content == PDF and r["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in r["Content-Disposition"]
    assert _client(people["sibling"]).get(f"/grassroots/files/{row.pk}/").status_code == 404
    assert Client().get(f"/grassroots/files/{row.pk}/").status_code == 302  # to the login
    # A bad file: back to the page with the reason, nothing stored.
    r = c.post("/grassroots/files/add/", {"owner_type": "disclosure", "owner_id": d.pk,
                                         "file": upload("x.pdf", b"MZ" + b"\x00" * 50), "next": back}, follow=True)
    assert r.status_code == 200 and Attachment.objects.count() == 1
    assert 'class="message error"' in r.content.decode()
    # Invisible owner, unknown owner type, off-site next.
    r = _client(people["sibling"]).post("/grassroots/files/add/", {"owner_type": "disclosure", "owner_id": d.pk,
                                                                   "file": upload()})
    assert r.status_code == 404
    assert c.post("/grassroots/files/add/", {"owner_type": "petition", "owner_id": 1, "file": upload()}).status_code == 404
    r = c.post("/grassroots/files/add/", {"owner_type": "supervision", "owner_id": supervision.pk, "file": upload(),
                                         "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/grassroots/"
    # The province viewer sees the disclosure but may not add to it: 403.
    r = _client(people["province"]).post("/grassroots/files/add/", {"owner_type": "disclosure", "owner_id": d.pk,
                                                                    "file": upload()})
    assert r.status_code == 403
    r = c.post(f"/grassroots/files/{row.pk}/remove/", {"reason": "", "next": back})
    assert r.status_code == 302 and Attachment.objects.get(pk=row.pk).deleted_at is None
    assert _client(people["sibling"]).post(f"/grassroots/files/{row.pk}/remove/", {"reason": "x"}).status_code == 404
    r = c.post(f"/grassroots/files/{row.pk}/remove/", {"reason": "Nhầm", "next": back})
    assert r.status_code == 302 and Attachment.objects.get(pk=row.pk).deleted_at is not None
    assert c.get(f"/grassroots/files/{row.pk}/").status_code == 404
