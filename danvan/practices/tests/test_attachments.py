"""Evidence files of practices and their updates: who may add, read and remove them, bad files, and the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from danvan.core.models import AuditEvent
from danvan.practices import attachments, services
from danvan.practices.models import Attachment, Practice, Programme

from .test_practices import PDF, START, TODAY, make, make_people, upload

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are checked in English (the msgids), whatever the Vietnamese catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return make_people(tree, make_user)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_add_open_remove(tree: dict, people: dict, media: Any) -> None:
    p = make(tree["A1"])
    row = attachments.add(actor=people["officer"], owner=p, file=upload("../../Kế hoạch.pdf"))
    assert row.practice == p and row.original_name == "Kế hoạch.pdf" and row.size == len(PDF)
    assert AuditEvent.objects.filter(action="practices.attachment.add").count() == 1
    for who in ("officer", "viewer", "pviewer", "province"):
        data, name, content_type = attachments.open_for(people[who], row)
        assert data == PDF and name == "Kế hoạch.pdf" and content_type == "application/pdf"
    for who in ("sibling", "other", "nobody"):
        with pytest.raises(PermissionDenied):
            attachments.open_for(people[who], row)
    with pytest.raises(ValidationError) as exc:
        attachments.remove(actor=people["officer"], attachment=row, reason=" ")
    assert "reason" in exc.value.message_dict
    attachments.remove(actor=people["officer"], attachment=row, reason="Nhầm tệp")
    assert Attachment.objects.get(pk=row.pk).deleted_at is not None and attachments.listed(p) == []
    with pytest.raises(PermissionDenied):
        attachments.open_for(people["officer"], row)
    with pytest.raises(ValidationError):
        attachments.remove(actor=people["officer"], attachment=row, reason="Lại")


def test_update_files_follow_the_practice(tree: dict, people: dict, media: Any) -> None:
    p = make(tree["A1"])
    u = services.add_update(actor=None, practice=p, kind="progress", on=TODAY, text="Ra quân")
    row = attachments.add(actor=people["head"], owner=u, file=upload("anh.pdf"))
    assert attachments.by_update(p) == {u.pk: [row]}
    ev = AuditEvent.objects.filter(action="practices.attachment.add").last()
    assert ev is not None and ev.object_id == str(p.pk) and ev.summary["owner_type"] == "update"
    with pytest.raises(PermissionDenied):
        attachments.open_for(people["sibling"], row)
    assert attachments.open_for(people["pviewer"], row)[0] == PDF


@pytest.mark.parametrize("who", ["viewer", "pviewer", "sibling", "other", "nobody"])
def test_add_refused(tree: dict, people: dict, media: Any, who: str) -> None:
    p = make(tree["A1"])
    with pytest.raises(PermissionDenied):
        attachments.add(actor=people[who], owner=p, file=upload())
    assert not Attachment.objects.exists() and not list(media.rglob("*.*"))


def test_bad_files(tree: dict, media: Any) -> None:
    p = make(tree["A1"])
    for name, data in (("virus.pdf", b"MZ\x90\x00" * 20), ("a.exe", PDF), ("empty.pdf", b""), ("zip.docx", PDF)):
        with pytest.raises(ValidationError) as exc:
            attachments.add(actor=None, owner=p, file=upload(name, data))
        assert "file" in exc.value.message_dict, name
    with pytest.raises(ValidationError):
        attachments.add(actor=None, owner=p, file=None)
    assert not Attachment.objects.exists() and not list(media.rglob("*.*"))


def test_limits_and_deleted_owner(tree: dict, media: Any, settings: Any) -> None:
    p = make(tree["A1"])
    settings.DANVAN_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        attachments.add(actor=None, owner=p, file=upload())
    assert "larger" in exc.value.message_dict["file"][0]
    settings.DANVAN_ATTACHMENT_MAX_BYTES = 1024
    services.delete_practice(actor=None, practice=p, reason="Nhầm")
    with pytest.raises(ValidationError) as exc:
        attachments.add(actor=None, owner=Practice.objects.get(pk=p.pk), file=upload())
    assert "owner_id" in exc.value.message_dict
    with pytest.raises(ValidationError):
        attachments.owner_type_of(tree["A1"])


def test_programme_files(tree: dict, people: dict, media: Any) -> None:
    prog = Programme.objects.create(org_unit=tree["A1"], name="Chính quyền thân thiện", starts_on=START, ends_on=TODAY)
    row = attachments.add(actor=people["officer"], owner=prog, file=upload("tieu-chi.pdf"))
    assert row.programme == prog and attachments.listed(prog) == [row]
    with pytest.raises(PermissionDenied):
        attachments.add(actor=people["sibling"], owner=prog, file=upload())


# --------------------------------------------------------------------------- pages


def test_pages(tree: dict, people: dict, media: Any) -> None:
    p = make(tree["A1"])
    c = _client(people["officer"])
    back = f"/practices/{p.pk}/"
    r = c.post("/practices/files/add/", {"owner_type": "practice", "owner_id": p.pk, "file": upload("bao-cao.pdf"),
                                         "next": back})
    assert r.status_code == 302 and r["Location"] == back
    row = Attachment.objects.get()
    r = c.get(f"/practices/files/{row.pk}/")
    assert r.status_code == 200 and r.content == PDF and r["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in r["Content-Disposition"]
    assert _client(people["sibling"]).get(f"/practices/files/{row.pk}/").status_code == 404
    assert _client(people["viewer"]).post(f"/practices/files/{row.pk}/remove/", {"reason": "x"}).status_code == 403
    # A disguised file: a message, nothing saved.
    r = c.post("/practices/files/add/", {"owner_type": "practice", "owner_id": p.pk,
                                         "file": upload("x.pdf", b"MZ" * 30), "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/practices/" and Attachment.objects.count() == 1
    # Unknown owner or an owner out of reach: 404.
    assert c.post("/practices/files/add/", {"owner_type": "plan", "owner_id": p.pk, "file": upload()}).status_code == 404
    b1 = make(tree["B1"])
    assert c.post("/practices/files/add/", {"owner_type": "practice", "owner_id": b1.pk,
                                            "file": upload()}).status_code == 404
    r = c.post(f"/practices/files/{row.pk}/remove/", {"reason": "Nhầm", "next": back})
    assert r.status_code == 302 and Attachment.objects.get(pk=row.pk).deleted_at is not None
    assert c.get(f"/practices/files/{row.pk}/").status_code == 404
    assert Client().get(f"/practices/files/{row.pk}/").status_code == 302
