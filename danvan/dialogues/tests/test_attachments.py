"""Files of dialogues and commitments: checked in, served by permission, removed with a reason."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from danvan.core.models import AuditEvent
from danvan.dialogues import attachments, services
from danvan.dialogues.models import Attachment, Commitment, Dialogue

from .test_services import World, make_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def w(tree: dict[str, Any], make_user: Any, settings: Any, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return make_world(tree, make_user)


@pytest.fixture
def d(w: World) -> Dialogue:
    return w.dialogue()


@pytest.fixture
def c(w: World, d: Dialogue) -> Commitment:
    return w.commitment(d, owner="A1v")


def _pdf(name: str = "Biên bản đối thoại.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_dialogue_file_added_and_read(w: World, d: Dialogue, tmp_path: Path) -> None:
    a = attachments.add(actor=w.officer, owner=d, file=_pdf())
    assert a.dialogue == d and a.commitment is None and a.uploaded_by == w.officer
    assert a.original_name == "Biên bản đối thoại.pdf" and a.content_type == "application/pdf"
    stored = str(a.file.name)
    assert (tmp_path / stored).read_bytes() == PDF
    assert "Biên" not in stored  # stored under a random name
    event = AuditEvent.objects.get(action="dialogues.attachment.add")
    assert event.org_unit == w.tree["A1"] and event.summary["attachment"] == a.pk
    for reader in (w.officer, w.viewer, w.province):
        assert attachments.open_for(reader, a) == (PDF, "Biên bản đối thoại.pdf", "application/pdf")
    for outsider in (w.sibling, w.other, w.nobody, AnonymousUser(), w.village):
        with pytest.raises(PermissionDenied):
            attachments.open_for(outsider, a)


def test_commitment_evidence_by_owner_unit(w: World, c: Commitment) -> None:
    a = attachments.add(actor=w.village, owner=c, file=_pdf("anh.pdf"))
    assert a.commitment == c
    for reader in (w.village_viewer, w.viewer, w.officer):
        assert attachments.open_for(reader, a)[0] == PDF
    with pytest.raises(PermissionDenied):
        attachments.open_for(w.sibling, a)
    assert attachments.may_change(w.village, c) and not attachments.may_change(w.village_viewer, c)


@pytest.mark.parametrize("who", ["viewer", "village", "sibling", "other", "nobody"])
def test_who_may_not_add_to_a_dialogue(w: World, d: Dialogue, who: str) -> None:
    with pytest.raises(PermissionDenied):
        attachments.add(actor=getattr(w, who), owner=d, file=_pdf())
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "village_viewer", "sibling"])
def test_who_may_not_add_to_a_commitment(w: World, c: Commitment, who: str) -> None:
    with pytest.raises(PermissionDenied):
        attachments.add(actor=getattr(w, who), owner=c, file=_pdf())
    with pytest.raises(PermissionDenied):
        attachments.add(actor=AnonymousUser(), owner=c, file=_pdf())


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    return buf.getvalue()


@pytest.mark.parametrize(("name", "data"), [
    ("empty.pdf", b""),
    ("virus.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100),
    ("fake.docx", None),
    ("note.txt", b"hello"),
])
def test_bad_files_are_refused_and_nothing_saved(w: World, d: Dialogue, name: str, data: bytes | None) -> None:
    upload = SimpleUploadedFile(name, _zip() if data is None else data)
    with pytest.raises(ValidationError) as exc:
        attachments.add(actor=w.officer, owner=d, file=upload)
    assert "file" in exc.value.message_dict
    assert not Attachment.objects.exists()


def test_file_too_large(w: World, d: Dialogue, settings: Any) -> None:
    settings.DANVAN_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        attachments.add(actor=w.officer, owner=d, file=_pdf())
    assert "file" in exc.value.message_dict


def test_no_file_or_bad_owner(w: World, d: Dialogue) -> None:
    with pytest.raises(ValidationError) as exc:
        attachments.add(actor=w.officer, owner=d, file=None)
    assert "file" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        attachments.add(actor=w.officer, owner=w.tree["A1"], file=_pdf())
    assert "owner" in exc.value.message_dict
    services.delete_dialogue(actor=None, dialogue=d, reason="x")
    with pytest.raises(ValidationError):
        attachments.add(actor=w.officer, owner=d, file=_pdf())


def test_remove_needs_a_reason_and_is_audited(w: World, d: Dialogue, c: Commitment) -> None:
    a = attachments.add(actor=w.officer, owner=d, file=_pdf())
    with pytest.raises(ValidationError) as exc:
        attachments.remove(actor=w.officer, attachment=a, reason=" ")
    assert "reason" in exc.value.message_dict
    for who in (w.viewer, w.village, w.sibling):
        with pytest.raises(PermissionDenied):
            attachments.remove(actor=who, attachment=a, reason="x")
    attachments.remove(actor=w.officer, attachment=a, reason="Nhầm tệp")
    a.refresh_from_db()
    assert a.deleted_at is not None
    assert AuditEvent.objects.get(action="dialogues.attachment.remove").summary["reason"] == "Nhầm tệp"
    with pytest.raises(PermissionDenied):
        attachments.open_for(w.officer, a)
    with pytest.raises(ValidationError):
        attachments.remove(actor=w.officer, attachment=a, reason="again")
    evidence = attachments.add(actor=w.village, owner=c, file=_pdf())
    attachments.remove(actor=w.village, attachment=evidence, reason="Ảnh mờ")


def test_files_of_a_deleted_dialogue_cannot_be_read(w: World, d: Dialogue) -> None:
    a = attachments.add(actor=w.officer, owner=d, file=_pdf())
    services.delete_dialogue(actor=w.head, dialogue=d, reason="x")
    a.refresh_from_db()
    with pytest.raises(PermissionDenied):
        attachments.open_for(w.head, a)
