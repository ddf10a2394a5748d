"""Attachments: type and size checks, disguised files, storage outside the web root, who may download, identity scans."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from docx import Document

from danvan.core.models import AuditEvent
from danvan.petitions import attachments, services
from danvan.petitions.attachments import delete_attachment, open_for, store_attachment
from danvan.petitions.models import Attachment, ReceptionVisit

from .fixtures_cases import *  # noqa: F403
from .fixtures_cases import receive

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 40 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100


def docx_bytes() -> bytes:
    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


def odt_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def zip_bytes(**members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in (members or {"readme.txt": "x"}).items():
            z.writestr(name, text)
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def english() -> Any:
    """Service messages are asserted in their English msgids (pages are checked by structure)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def name_of(a: Attachment) -> str:
    return str(a.file.name)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def complaint(tree: Any) -> Any:
    return receive(tree["A1"])


@pytest.fixture
def denunciation(tree: Any, people: Any) -> Any:
    p = receive(tree["A1"], kind="denunciation", summary="Tố cáo cán bộ địa chính")
    services.assign_handler(actor=people["head"], petition=p, user=people["handler"])
    return p


# --------------------------------------------------------------------------- what is accepted


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("don.pdf", PDF, "application/pdf"),
    ("ANH.JPG", JPEG, "image/jpeg"),
    ("anh.jpeg", JPEG, "image/jpeg"),
    ("so-do.png", PNG, "image/png"),
    ("bien-ban.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("bang.xlsx", None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("van-ban.odt", None, "application/vnd.oasis.opendocument.text"),
])
def test_allowed_types_are_stored_outside_the_web_root(complaint: Any, people: Any, media: Path, name: str,
                                                       data: bytes | None, content_type: str) -> None:
    data = data or {"docx": docx_bytes, "xlsx": xlsx_bytes, "odt": odt_bytes}[name.rsplit(".", 1)[1]]()
    a = store_attachment(actor=people["reception"], file=upload(name, data), petition=complaint)
    assert (a.original_name, a.content_type, a.size) == (name, content_type, len(data))
    assert a.sha256 == hashlib.sha256(data).hexdigest()
    assert not a.encrypted and a.uploaded_by == people["reception"]
    path = Path(a.file.path)
    assert path.is_relative_to(media) and path.read_bytes() == data
    assert name_of(a).startswith("petitions/") and Path(name_of(a)).stem not in name  # a random stored name
    assert len(Path(name_of(a)).stem) == 32
    event = AuditEvent.objects.get(action="petitions.attachment.add")
    assert event.summary["name"] == name and event.summary["attachment"] == a.pk
    assert open_for(people["officer"], a) == (data, name, content_type)


@pytest.mark.parametrize(("name", "data"), [
    ("don.pdf", EXE),  # an executable renamed
    ("bien-ban.docx", zip_bytes()),  # a zip that is not a Word document
    ("bien-ban.docx", zip_bytes(**{"[Content_Types].xml": "<x/>", "word/x.xml": "<x/>"})),  # looks like one, is not
    ("anh.png", PDF),  # a real type under the wrong name
    ("bang.xlsx", docx_bytes()),
    ("don.pdf", b"just some text, no magic bytes"),
])
def test_disguised_files_are_refused(complaint: Any, people: Any, media: Path, name: str, data: bytes) -> None:
    with pytest.raises(ValidationError) as exc:
        store_attachment(actor=people["reception"], file=upload(name, data), petition=complaint)
    assert "disguised" in exc.value.message_dict["file"][0]
    assert not Attachment.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize("name", ["virus.exe", "ghi-chu.txt", "don", "don.PDF.exe", "archive.zip"])
def test_types_not_on_the_list_are_refused(complaint: Any, people: Any, name: str) -> None:
    with pytest.raises(ValidationError) as exc:
        store_attachment(actor=people["reception"], file=upload(name, PDF), petition=complaint)
    assert "file" in exc.value.message_dict
    assert not Attachment.objects.exists()


def test_empty_and_oversized_files_are_refused(complaint: Any, people: Any, settings: Any, media: Path) -> None:
    with pytest.raises(ValidationError) as exc:
        store_attachment(actor=people["reception"], file=upload("don.pdf", b""), petition=complaint)
    assert "empty" in exc.value.message_dict["file"][0]
    settings.DANVAN_ATTACHMENT_MAX_BYTES = len(PDF) - 1
    with pytest.raises(ValidationError) as exc:
        store_attachment(actor=people["reception"], file=upload("don.pdf", PDF), petition=complaint)
    assert "larger" in exc.value.message_dict["file"][0]
    # A file object that does not know its size is measured after reading.
    nameless_size = ContentFile(PDF, name="don.pdf")
    with pytest.raises(ValidationError):
        store_attachment(actor=people["reception"], file=nameless_size, petition=complaint)
    settings.DANVAN_ATTACHMENT_MAX_BYTES = len(PDF)
    assert store_attachment(actor=people["reception"], file=upload("don.pdf", PDF), petition=complaint).pk
    assert len(stored_files(media)) == 1


def test_default_limit_is_20_mb() -> None:
    assert attachments.max_bytes() == 20 * 1024 * 1024


def test_at_most_n_files_per_petition(complaint: Any, people: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(attachments, "MAX_PER_OWNER", 2)
    first = store_attachment(actor=people["reception"], file=upload("1.pdf", PDF), petition=complaint)
    store_attachment(actor=people["reception"], file=upload("2.pdf", PDF), petition=complaint)
    with pytest.raises(ValidationError) as exc:
        store_attachment(actor=people["reception"], file=upload("3.pdf", PDF), petition=complaint)
    assert "At most 2" in exc.value.message_dict["file"][0]
    delete_attachment(actor=people["officer"], attachment=first, reason="Tải nhầm tệp")
    assert store_attachment(actor=people["reception"], file=upload("3.pdf", PDF), petition=complaint).pk


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\system32\\don.pdf", "don.pdf"),
    ("/var/www/html/shell.pdf", "shell.pdf"),
    ("Đơn khiếu nại\x00\x1f.pdf", "Đơn khiếu nại.pdf"),
    ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
])
def test_names_lose_their_path_and_the_file_stays_under_media(complaint: Any, people: Any, media: Path, raw: str,
                                                               clean: str) -> None:
    f = ContentFile(PDF)
    f.name = raw
    a = store_attachment(actor=people["reception"], file=f, petition=complaint)
    assert a.original_name == clean
    assert Path(a.file.path).resolve().is_relative_to(media.resolve())
    assert ".." not in name_of(a) and "passwd" not in name_of(a)


def test_a_name_of_only_a_path_is_refused(complaint: Any, people: Any) -> None:
    f = ContentFile(PDF)
    f.name = "../../"
    with pytest.raises(ValidationError):
        store_attachment(actor=people["reception"], file=f, petition=complaint)


def test_visit_attachments(tree: Any, people: Any) -> None:
    visit = ReceptionVisit.objects.create(
        org_unit=tree["A1"], book_year=2026, number=1, visited_on=dt.date(2026, 7, 10), visitor_name="Lò Văn Bình",
        summary="Đề nghị sửa đường", kind="recommendation", handling="recorded",
    )
    a = store_attachment(actor=people["reception"], file=upload("bien-ban.pdf", PDF), visit=visit)
    assert a.visit_id == visit.pk and a.petition_id is None
    assert open_for(people["viewer"], a)[0] == PDF
    for name in ("other_commune", "other_province", "nobody"):
        with pytest.raises(PermissionDenied):
            open_for(people[name], a)
    other = receive(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        store_attachment(actor=people["reception"], file=upload("x.pdf", PDF), petition=other, visit=visit)
    assert "visit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        store_attachment(actor=people["reception"], file=upload("x.pdf", PDF))
    assert "petition" in exc.value.message_dict


# --------------------------------------------------------------------------- files that identify a whistleblower


def test_identifying_file_is_encrypted_and_only_the_handler_opens_it(denunciation: Any, people: Any) -> None:
    a = store_attachment(actor=people["reception"], file=upload("don_to_cao_Tran_Thi.pdf", PDF),
                         petition=denunciation, identifies_filer=True)
    assert a.encrypted and a.identifies_filer
    on_disk = Path(a.file.path).read_bytes()
    assert on_disk != PDF and b"%PDF" not in on_disk
    assert name_of(a).endswith(".bin") and "Tran" not in name_of(a)
    added = AuditEvent.objects.get(action="petitions.attachment.add")
    assert "name" not in added.summary and "Tran" not in json.dumps(added.summary)

    for name in ("officer", "head", "admin", "viewer", "province_head", "other_commune", "nobody", "anon"):
        with pytest.raises(PermissionDenied):
            open_for(people[name], a)
    assert not AuditEvent.objects.filter(action="petitions.identity.revealed").exists()
    data, name, content_type = open_for(people["handler"], a)
    assert (data, name, content_type) == (PDF, "don_to_cao_Tran_Thi.pdf", "application/pdf")
    assert hashlib.sha256(data).hexdigest() == a.sha256
    reveal = AuditEvent.objects.get(action="petitions.identity.revealed")
    assert reveal.actor == people["handler"] and reveal.summary["attachment"] == a.pk


def test_a_denunciations_ordinary_file_is_readable_by_the_unit_but_audited_without_its_name(
        denunciation: Any, people: Any) -> None:
    a = store_attachment(actor=people["reception"], file=upload("bien_ban_Tran_Thi.pdf", PDF), petition=denunciation)
    assert not a.encrypted
    assert open_for(people["officer"], a)[0] == PDF
    assert "name" not in AuditEvent.objects.get(action="petitions.attachment.add").summary


def test_identifies_filer_only_for_a_denunciation(complaint: Any, tree: Any, people: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        store_attachment(actor=people["reception"], file=upload("don.pdf", PDF), petition=complaint,
                         identifies_filer=True)
    assert "identifies_filer" in exc.value.message_dict
    rec = receive(tree["A1"], kind="recommendation", filer_name="Lò Văn Bình")
    with pytest.raises(ValidationError):
        store_attachment(actor=people["reception"], file=upload("don.pdf", PDF), petition=rec, identifies_filer=True)
    with pytest.raises(ValidationError):
        store_attachment(actor=people["reception"], file=upload("don.pdf", PDF), petition=complaint,
                         identifies_filer="yes")  # type: ignore[arg-type]
    assert not Attachment.objects.exists()


# --------------------------------------------------------------------------- who may add and delete


@pytest.mark.parametrize("who", ["reception", "officer", "handler", "head", "admin", "province_officer"])
def test_intake_and_handling_roles_may_add(complaint: Any, people: Any, who: str) -> None:
    assert store_attachment(actor=people[who], file=upload("don.pdf", PDF), petition=complaint).pk


@pytest.mark.parametrize("who", ["viewer", "other_commune", "other_commune_officer", "other_province",
                                 "other_province_officer", "nobody", "anon"])
def test_others_may_not_add(complaint: Any, people: Any, media: Path, who: str) -> None:
    with pytest.raises(PermissionDenied):
        store_attachment(actor=people[who], file=upload("don.pdf", PDF), petition=complaint)
    assert stored_files(media) == []


def test_soft_delete(complaint: Any, people: Any, client: Any) -> None:
    a = store_attachment(actor=people["reception"], file=upload("don.pdf", PDF), petition=complaint)
    with pytest.raises(PermissionDenied):
        delete_attachment(actor=people["viewer"], attachment=a, reason="Không cần nữa")
    with pytest.raises(ValidationError) as exc:
        delete_attachment(actor=people["officer"], attachment=a, reason="  ")
    assert "reason" in exc.value.message_dict
    delete_attachment(actor=people["officer"], attachment=a, reason="Tải nhầm tệp")
    a.refresh_from_db()
    assert a.deleted_at is not None and Path(a.file.path).exists()  # kept on disk, hidden everywhere
    event = AuditEvent.objects.get(action="petitions.attachment.delete")
    assert event.summary == {"attachment": a.pk, "reason": "Tải nhầm tệp"}
    with pytest.raises(PermissionDenied):
        open_for(people["officer"], a)
    client.force_login(people["officer"])
    assert client.get(reverse("petitions:attachment", args=[a.pk])).status_code == 404
    with pytest.raises(ValidationError):
        delete_attachment(actor=people["officer"], attachment=a, reason="Lần nữa")


def test_only_a_handler_deletes_an_identifying_file_and_the_reason_stays_out_of_the_audit(
        denunciation: Any, people: Any) -> None:
    a = store_attachment(actor=people["reception"], file=upload("scan.png", PNG), petition=denunciation,
                         identifies_filer=True)
    with pytest.raises(PermissionDenied):
        delete_attachment(actor=people["officer"], attachment=a, reason="Không cần nữa")
    delete_attachment(actor=people["handler"], attachment=a, reason="Bản trùng")
    assert AuditEvent.objects.get(action="petitions.attachment.delete").summary == {"attachment": a.pk}


# --------------------------------------------------------------------------- the pages


def test_download_permissions_and_headers(client: Any, complaint: Any, denunciation: Any, people: Any) -> None:
    plain = store_attachment(actor=people["reception"], file=upload("Đơn khiếu nại.pdf", PDF), petition=complaint)
    secret = store_attachment(actor=people["reception"], file=upload("scan.jpg", JPEG), petition=denunciation,
                              identifies_filer=True)
    plain_url = reverse("petitions:attachment", args=[plain.pk])
    secret_url = reverse("petitions:attachment", args=[secret.pk])
    assert client.get(plain_url).status_code == 302  # anonymous → log in
    assert client.get(secret_url).status_code == 302

    client.force_login(people["officer"])  # same unit: the ordinary file yes, the identifying one no
    response = client.get(plain_url)
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%C4%90%C6%A1n%20khi%E1%BA%BFu%20n%E1%BA%A1i.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert client.get(secret_url).status_code == 403

    for name in ("viewer", "province_officer"):
        client.force_login(people[name])
        assert client.get(plain_url).status_code == 200, name
        assert client.get(secret_url).status_code == 403, name
    for name in ("other_commune", "other_province", "other_province_officer", "nobody"):
        client.force_login(people[name])
        assert client.get(plain_url).status_code == 403, name
        assert client.get(secret_url).status_code == 403, name

    client.force_login(people["handler"])
    response = client.get(secret_url)
    assert response.status_code == 200 and response.content == JPEG
    assert client.post(plain_url).status_code == 405
    assert client.get(reverse("petitions:attachment", args=[secret.pk + 999])).status_code == 404


def test_media_path_is_not_served(client: Any, complaint: Any, people: Any, sysadmin: Any) -> None:
    a = store_attachment(actor=people["reception"], file=upload("don.pdf", PDF), petition=complaint)
    assert Path(a.file.path).exists()
    for user in (None, people["officer"], sysadmin):
        if user is not None:
            client.force_login(user)
        for url in (settings.MEDIA_URL + name_of(a), "/media/" + name_of(a), "/" + name_of(a)):
            response = client.get(url)
            assert response.status_code == 404, url
            assert PDF not in response.content


def test_upload_page(client: Any, complaint: Any, people: Any, media: Path) -> None:
    url = reverse("petitions:attachment_add", args=[complaint.pk])
    response = client.post(url, {"file": upload("don.pdf", PDF)})
    assert response.status_code == 302 and "/account" in response["Location"]  # anonymous → log in
    client.force_login(people["reception"])
    assert client.get(url).status_code == 405
    response = client.post(url, {"file": upload("don.pdf", PDF)})
    assert response.status_code == 302
    client.get(response["Location"])  # shows (and so consumes) the success message
    a = Attachment.objects.get()
    assert (a.petition_id, a.original_name, a.uploaded_by) == (complaint.pk, "don.pdf", people["reception"])

    response = client.post(url, {"file": upload("virus.pdf", EXE)}, follow=True)
    assert Attachment.objects.count() == 1 and len(stored_files(media)) == 1
    assert [m.level for m in response.context["messages"]] == [message_levels.ERROR]
    response = client.post(url, {}, follow=True)  # no file
    assert Attachment.objects.count() == 1

    client.force_login(people["viewer"])  # sees the case, may not add
    assert client.post(url, {"file": upload("don.pdf", PDF)}).status_code == 403
    for name in ("other_commune", "other_province", "nobody"):  # does not see the case at all
        client.force_login(people[name])
        assert client.post(url, {"file": upload("don.pdf", PDF)}).status_code == 404, name
    assert Attachment.objects.count() == 1


def test_upload_page_identifying_file(client: Any, denunciation: Any, people: Any) -> None:
    client.force_login(people["reception"])
    url = reverse("petitions:attachment_add", args=[denunciation.pk])
    assert client.post(url, {"file": upload("scan.png", PNG), "identifies_filer": "on"}).status_code == 302
    assert Attachment.objects.get().encrypted


def test_download_costs_a_bounded_number_of_queries(client: Any, complaint: Any, people: Any,
                                                    django_assert_max_num_queries: Any) -> None:
    a = store_attachment(actor=people["reception"], file=upload("don.pdf", PDF), petition=complaint)
    client.force_login(people["officer"])
    with django_assert_max_num_queries(7):  # session, user, row, scope, session update
        assert client.get(reverse("petitions:attachment", args=[a.pk])).status_code == 200


def test_upload_page_shows_the_form_error_for_an_empty_file(client: Any, complaint: Any, people: Any) -> None:
    client.force_login(people["reception"])
    url = reverse("petitions:attachment_add", args=[complaint.pk])
    response = client.post(url, {"file": upload("don.pdf", b"")}, follow=True)
    assert [m.level for m in response.context["messages"]] == [message_levels.ERROR]
    assert not Attachment.objects.exists()
