"""Commitment pages: add, progress (both forms), report back, edit, delete, the list across units by
state, files, and the printable list (HTML and a Word file opened again and read)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from docx import Document

from danvan.dialogues import commitments, services
from danvan.dialogues.models import Attachment, Commitment, CommitmentStatus, CommitmentUpdate, DialogueKind

from .test_views import HELD, TODAY, client, d, make_commitment, make_dialogue, people  # noqa: F401

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _add(c: Client, dialogue: Any, **kw: Any) -> Any:
    data = {"text": "Làm lại cầu treo bản Thẳm", "owner_unit": dialogue.org_unit_id, "owner_person": "Phó Chủ tịch",
            "due_on": d(TODAY + dt.timedelta(days=40)), "is_public": "on"}
    data.update(kw)
    return c.post(f"/dialogues/{dialogue.pk}/commitments/new/", data)


# --------------------------------------------------------------------------- add


def test_add_commitment(tree: dict, people: dict) -> None:  # noqa: F811
    dialogue = make_dialogue(tree["A1"])
    c = client(people["officer"])
    r = _add(c, dialogue)
    assert r.status_code == 302 and r["Location"] == f"/dialogues/{dialogue.pk}/#commitments"
    first = Commitment.objects.get()
    assert (first.number, first.owner_person, first.created_by) == (1, "Phó Chủ tịch", people["officer"])
    r = _add(c, dialogue, text="Kéo điện về bản", owner_unit=tree["A1v"].pk)
    assert r.status_code == 302 and Commitment.objects.get(text="Kéo điện về bản").number == 2
    # Double submit: the same words are refused.
    r = _add(c, dialogue, text="  làm lại cầu treo bản thẳm ")
    assert r.status_code == 400 and "text" in r.context["commitment_form"].errors
    assert Commitment.objects.count() == 2


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"owner_unit": ""}, "owner_unit", "Cam kết phải có đơn vị chịu trách nhiệm."),
    ({"text": ""}, "text", None), ({"text": "x" * 2001}, "text", None),
    ({"due_on": ""}, "due_on", None), ({"due_on": "12/13/2026"}, "due_on", None),
    ({"due_on": d(HELD - dt.timedelta(days=1))}, "due_on", None),
])
def test_add_commitment_bad_input(tree: dict, people: dict, change: dict, field: str,  # noqa: F811
                                  message: str | None) -> None:
    dialogue = make_dialogue(tree["A1"])
    r = _add(client(people["officer"]), dialogue, **change)
    assert r.status_code == 400
    errors = r.context["commitment_form"].errors
    assert field in errors
    if message:
        assert message in errors[field]
    assert not Commitment.objects.exists()


def test_add_commitment_owner_of_another_commune_refused(tree: dict, people: dict) -> None:  # noqa: F811
    dialogue = make_dialogue(tree["A1"])
    r = _add(client(people["officer"]), dialogue, owner_unit=tree["A2"].pk)
    assert r.status_code == 400 and "owner_unit" in r.context["commitment_form"].errors
    assert not Commitment.objects.exists()


def test_add_commitment_boundaries(tree: dict, people: dict) -> None:  # noqa: F811
    dialogue = make_dialogue(tree["A1"])
    assert _add(client(people["viewer"]), dialogue).status_code == 403
    assert _add(client(people["front"]), dialogue).status_code == 403
    assert _add(client(people["sibling"]), dialogue).status_code == 404
    assert _add(client(people["other_province"]), dialogue).status_code == 404
    assert _add(Client(), dialogue).status_code == 302  # to the login page
    planned = make_dialogue(tree["A1"], title="Dự kiến", held_on=TODAY + dt.timedelta(days=3))
    r = _add(client(people["officer"]), planned, due_on=d(TODAY + dt.timedelta(days=30)))
    assert r.status_code == 400 and r.context["commitment_form"].non_field_errors()
    assert not Commitment.objects.exists()


# --------------------------------------------------------------------------- progress


def test_progress_from_commitment_page(tree: dict, people: dict) -> None:  # noqa: F811
    dialogue = make_dialogue(tree["A1"])
    commitment = make_commitment(dialogue, owner_unit=tree["A1v"], due_on=TODAY + dt.timedelta(days=3))
    url = f"/dialogues/commitments/{commitment.pk}/"
    # The village (owner unit) sees the commitment and reports on it, but cannot change what was promised.
    village = client(people["village"])
    r = village.get(url)
    assert r.status_code == 200 and r.context["can_update"] and not r.context["can_change"]
    assert r.context["state"] == "due_soon"
    r = village.post(url + "progress/", {"expected_version": 1, "status": "done", "done_on": d(TODAY), "evidence": ""})
    assert r.status_code == 400 and "evidence" in r.context["progress_form"].errors
    r = village.post(url + "progress/", {"expected_version": 1, "status": "done", "done_on": "", "evidence": "Xong"})
    assert r.status_code == 400 and "done_on" in r.context["progress_form"].errors
    r = village.post(url + "progress/", {"expected_version": 1, "status": "dropped", "note": ""})
    assert r.status_code == 400 and "note" in r.context["progress_form"].errors
    r = village.post(url + "progress/", {"expected_version": 1, "status": "done", "done_on": d(TODAY),
                                         "evidence": "Đã đổ bê tông 300 m", "note": "Hoàn thành"})
    assert r.status_code == 302 and r["Location"] == url
    commitment.refresh_from_db()
    assert (commitment.status, commitment.done_on, commitment.lock_version) == ("done", TODAY, 2)
    # The same form again: someone saved in between.
    r = village.post(url + "progress/", {"expected_version": 1, "status": "in_progress", "note": "x"})
    assert r.status_code == 409
    assert CommitmentUpdate.objects.filter(commitment=commitment).count() == 1
    r = village.get(url)
    assert r.context["state"] == "done_on_time" and "Hoàn thành" in r.content.decode()
    assert village.get(f"/dialogues/commitments/{commitment.pk}/edit/").status_code == 403
    assert village.get(f"/dialogues/{dialogue.pk}/").status_code == 404  # the dialogue is the commune's
    # Readers without an editing role, and strangers.
    assert client(people["viewer"]).post(url + "progress/", {"expected_version": 2, "status": "open"}).status_code == 403
    assert client(people["sibling"]).get(url).status_code == 404
    assert client(people["sibling"]).post(url + "progress/", {"expected_version": 2, "status": "open"}).status_code == 404
    assert client(people["nobody"]).get(url).status_code == 404


def test_progress_from_dialogue_page(tree: dict, people: dict) -> None:  # noqa: F811
    dialogue = make_dialogue(tree["A1"])
    commitment = make_commitment(dialogue)
    c = client(people["officer"])
    p = f"c{commitment.pk}-"
    page = f"/dialogues/{dialogue.pk}/"
    r = c.post(f"/dialogues/commitments/{commitment.pk}/progress/", {
        p + "expected_version": 1, p + "status": "done", p + "done_on": d(TODAY + dt.timedelta(days=1)),
        p + "evidence": "x", "next": page})
    assert r.status_code == 400 and r.templates[0].name == "dialogues/detail.html"
    row = next(row for row in r.context["rows"] if row["c"].pk == commitment.pk)
    assert "done_on" in row["form"].errors
    r = c.post(f"/dialogues/commitments/{commitment.pk}/progress/", {
        p + "expected_version": 1, p + "status": "in_progress", p + "note": "Đã khảo sát", "next": page})
    assert r.status_code == 302 and r["Location"] == page
    # An outside "next" is ignored.
    r = c.post(f"/dialogues/commitments/{commitment.pk}/progress/", {
        p + "expected_version": 2, p + "status": "in_progress", p + "note": "Tiếp tục", "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == f"/dialogues/commitments/{commitment.pk}/"
    assert "Đã khảo sát" in c.get(page).content.decode()


# --------------------------------------------------------------------------- report back, edit, delete


def test_report_back(tree: dict, people: dict) -> None:  # noqa: F811
    first = make_dialogue(tree["A1"], title="Lần trước", held_on=HELD - dt.timedelta(days=90))
    kept = make_commitment(first, text="Cam kết đã làm", due_on=HELD - dt.timedelta(days=60))
    commitments.report_progress(actor=None, commitment=kept, expected_version=1, status="done",
                                done_on=HELD - dt.timedelta(days=70), evidence="Biên bản nghiệm thu")
    late = make_commitment(first, text="Cam kết còn nợ", due_on=HELD - dt.timedelta(days=60))
    dialogue = make_dialogue(tree["A1"], previous=first)
    c = client(people["officer"])
    r = c.get(f"/dialogues/{dialogue.pk}/")
    states = {row["c"].pk: row["state"] for row in r.context["to_report"]}
    assert states == {kept.pk: "done_on_time", late.pk: "overdue"}
    url = f"/dialogues/{dialogue.pk}/report-back/"
    r = c.post(url, {})
    assert r.status_code == 400 and "commitment_ids" in r.context["report_form"].errors
    other = make_commitment(make_dialogue(tree["A1"], title="Khác", held_on=HELD - dt.timedelta(days=5)))
    r = c.post(url, {"report-commitment_ids": [other.pk]})  # not on the list of this dialogue
    assert r.status_code == 400
    assert client(people["viewer"]).post(url, {"report-commitment_ids": [kept.pk]}).status_code == 403
    assert client(people["sibling"]).post(url, {"report-commitment_ids": [kept.pk]}).status_code == 404
    r = c.post(url, {"report-commitment_ids": [kept.pk, late.pk]})
    assert r.status_code == 302
    assert set(Commitment.objects.filter(reported_at=dialogue).values_list("pk", flat=True)) == {kept.pk, late.pk}
    r = c.get(f"/dialogues/{dialogue.pk}/")
    assert {row["c"].reported_at_id for row in r.context["to_report"]} == {dialogue.pk}
    assert set(r.context["report_form"].initial["commitment_ids"]) == {kept.pk, late.pk}


def test_edit_and_delete_commitment(tree: dict, people: dict) -> None:  # noqa: F811
    dialogue = make_dialogue(tree["A1"])
    commitment = make_commitment(dialogue)
    c = client(people["officer"])
    url = f"/dialogues/commitments/{commitment.pk}/"
    assert c.get(url + "edit/").status_code == 200
    data = {"text": "Sửa đường nội đồng bản Thẳm (1 km)", "owner_unit": tree["A1v"].pk, "owner_person": "",
            "due_on": d(TODAY + dt.timedelta(days=60)), "is_public": "", "expected_version": 1}
    r = c.post(url + "edit/", data)
    assert r.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.owner_unit, commitment.is_public, commitment.lock_version) == (tree["A1v"], False, 2)
    r = c.post(url + "edit/", {**data, "text": "cũ"})
    assert r.status_code == 409
    r = c.post(url + "edit/", {**data, "expected_version": 2, "due_on": d(HELD - dt.timedelta(days=2))})
    assert r.status_code == 400 and "due_on" in r.context["form"].errors
    assert client(people["viewer"]).post(url + "edit/", data).status_code == 403
    assert client(people["sibling"]).post(url + "edit/", data).status_code == 404
    r = c.post(url + "delete/", {"reason": ""})
    assert r.status_code == 400 and "reason" in r.context["delete_form"].errors
    assert client(people["village"]).post(url + "delete/", {"reason": "x"}).status_code == 403
    r = c.post(url + "delete/", {"reason": "Nhập trùng"})
    assert r.status_code == 302 and r["Location"] == f"/dialogues/{dialogue.pk}/"
    assert c.get(url).status_code == 404
    assert c.get(f"/dialogues/{dialogue.pk}/").context["rows"] == []


# --------------------------------------------------------------------------- list across units


def test_commitment_list(tree: dict, people: dict, django_assert_max_num_queries: Any) -> None:  # noqa: F811
    commune = make_dialogue(tree["A1"])
    overdue = make_commitment(commune, text="Quá hạn", due_on=HELD + dt.timedelta(days=1))
    soon = make_commitment(commune, text="Sắp đến hạn", due_on=TODAY + dt.timedelta(days=2))
    later = make_commitment(commune, text="Còn lâu", due_on=TODAY + dt.timedelta(days=90), owner_unit=tree["A1v"])
    done = make_commitment(commune, text="Đã xong", due_on=TODAY + dt.timedelta(days=5))
    commitments.report_progress(actor=None, commitment=done, expected_version=1, status="done", done_on=TODAY,
                                evidence="Xong")
    for i in range(55):
        make_commitment(commune, text=f"Cam kết thêm {i}", due_on=TODAY + dt.timedelta(days=100 + i))
    # A provincial dialogue whose promise is owned by the commune: the commune sees it too.
    province = make_dialogue(tree["A"], title="Đối thoại của tỉnh")
    owned = make_commitment(province, text="Tỉnh giao xã làm", owner_unit=tree["A1"])
    make_commitment(make_dialogue(tree["A2"]), text="Của phường")
    c = client(people["officer"])
    with django_assert_max_num_queries(12):
        r = c.get("/dialogues/commitments/")
    assert r.status_code == 200 and len(r.context["rows"]) == 50 and r.context["page"].next
    shown = {row["c"].pk for row in r.context["rows"]}
    assert {overdue.pk, soon.pk, owned.pk} <= shown and "Của phường" not in r.content.decode()
    r2 = c.get("/dialogues/commitments/", {"after": r.context["page"].next})
    assert not shown & {row["c"].pk for row in r2.context["rows"]}
    assert len(shown) + len(r2.context["rows"]) == 60

    def pks(**params: Any) -> set[int]:
        return {row["c"].pk for row in c.get("/dialogues/commitments/", params).context["rows"]}

    assert pks(state="overdue") == {overdue.pk}
    assert pks(state="due_soon") == {soon.pk}
    assert pks(state="done_on_time") == {done.pk}
    assert later.pk in pks(state="on_track") and done.pk not in pks(state="open")
    assert pks(unit=tree["A1"].pk, side="owner", state="on_track") >= {later.pk}
    assert owned.pk not in pks(unit=tree["A1"].pk, side="host")
    assert c.get("/dialogues/commitments/", {"state": "bogus"}).status_code == 400
    r = client(people["sibling"]).get("/dialogues/commitments/")
    assert {row["c"].text for row in r.context["rows"]} == {"Của phường"}
    assert client(people["nobody"]).get("/dialogues/commitments/").context["rows"] == []
    row_states = {row["c"].pk: row["state"] for row in r.context["rows"]}
    assert set(row_states.values()) == {"on_track"}


# --------------------------------------------------------------------------- files


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_attachments(tree: dict, people: dict, media: Path) -> None:  # noqa: F811
    dialogue = make_dialogue(tree["A1"])
    commitment = make_commitment(dialogue, owner_unit=tree["A1v"])
    c = client(people["officer"])
    r = c.post("/dialogues/files/add/", {"owner_type": "dialogue", "owner_id": dialogue.pk,
                                         "file": SimpleUploadedFile("bien-ban.pdf", PDF)})
    assert r.status_code == 302 and r["Location"] == f"/dialogues/{dialogue.pk}/"
    row = Attachment.objects.get()
    assert row.dialogue == dialogue and row.original_name == "bien-ban.pdf"
    r = c.get(f"/dialogues/files/{row.pk}/")
    assert r.status_code == 200 and r.content == PDF and r["Cache-Control"] == "private, no-store"
    assert client(people["viewer"]).get(f"/dialogues/files/{row.pk}/").status_code == 200
    assert client(people["sibling"]).get(f"/dialogues/files/{row.pk}/").status_code == 404
    assert client(people["village"]).get(f"/dialogues/files/{row.pk}/").status_code == 404
    # A disguised file is refused with a message; nothing kept.
    r = c.post("/dialogues/files/add/", {"owner_type": "dialogue", "owner_id": dialogue.pk,
                                         "file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" * 10)}, follow=True)
    assert Attachment.objects.count() == 1
    assert any(m.level_tag == "error" and ".pdf" in str(m) for m in r.context["messages"])
    # The owner unit's officer adds evidence to the commitment, but not files to the dialogue.
    village = client(people["village"])
    r = village.post("/dialogues/files/add/", {"owner_type": "commitment", "owner_id": commitment.pk,
                                               "file": SimpleUploadedFile("anh.pdf", PDF),
                                               "next": f"/dialogues/commitments/{commitment.pk}/"})
    assert r.status_code == 302 and Attachment.objects.filter(commitment=commitment).count() == 1
    assert village.post("/dialogues/files/add/", {"owner_type": "dialogue", "owner_id": dialogue.pk,
                                                  "file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 404
    viewer = client(people["viewer"])
    assert viewer.post("/dialogues/files/add/", {"owner_type": "dialogue", "owner_id": dialogue.pk,
                                                 "file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 403
    assert c.post("/dialogues/files/add/", {"owner_type": "petition", "owner_id": 1}).status_code == 404
    # Remove: a reason is needed; a reader may not.
    c.post(f"/dialogues/files/{row.pk}/remove/", {"reason": ""})
    row.refresh_from_db()
    assert row.deleted_at is None
    assert viewer.post(f"/dialogues/files/{row.pk}/remove/", {"reason": "x"}).status_code == 403
    r = c.post(f"/dialogues/files/{row.pk}/remove/", {"reason": "Nhầm tệp"})
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.deleted_at is not None
    assert c.get(f"/dialogues/files/{row.pk}/").status_code == 404


# --------------------------------------------------------------------------- printable list


def test_print_html_and_docx(tree: dict, people: dict, django_assert_max_num_queries: Any) -> None:  # noqa: F811
    first = make_dialogue(tree["A1"], title="Đối thoại quý I", held_on=HELD - dt.timedelta(days=90),
                          kind=DialogueKind.FRONT)
    old = make_commitment(first, text="Cứng hóa kênh mương", due_on=HELD - dt.timedelta(days=60))
    dialogue = make_dialogue(tree["A1"], title="Đối thoại quý II", previous=first, place="Hội trường xã")
    made = make_commitment(dialogue, text="Lắp đèn đường trục chính", owner_unit=tree["A1v"],
                           owner_person="Trưởng bản")
    commitments.report_progress(actor=None, commitment=made, expected_version=1, status=CommitmentStatus.DONE,
                                done_on=TODAY, evidence="Đã lắp 20 bóng")
    c = client(people["viewer"])
    with django_assert_max_num_queries(10):
        r = c.get(f"/dialogues/{dialogue.pk}/print/")
    assert r.status_code == 200
    body = r.content.decode()
    # print rules: a stylesheet file (the CSP allows no <style>)
    from django.contrib.staticfiles import finders
    assert "css/dialogues-print.css" in body and body.count("<h1>") == 1
    assert "@media print" in Path(str(finders.find("css/dialogues-print.css"))).read_text(encoding="utf-8")
    assert "Lắp đèn đường trục chính" in body and "Cứng hóa kênh mương" in body and "Đã lắp 20 bóng" in body
    with django_assert_max_num_queries(10):
        r = c.get(f"/dialogues/{dialogue.pk}/print.docx")
    assert r.status_code == 200 and r["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml")
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    assert "DANH SÁCH" in text and "Đối thoại quý II" in text
    assert "ỦY BAN NHÂN DÂN\nXÃ BÌNH LƯ" in "\n".join(cells)
    assert "Bình Lư, ngày" in "\n".join(cells)
    assert "Lắp đèn đường trục chính" in cells and "Bản Thẳm (Trưởng bản)" in cells
    assert any(cell.startswith("Đã thực hiện đúng hạn") and "Đã lắp 20 bóng" in cell for cell in cells)
    assert "Cứng hóa kênh mương" in cells and any(cell.startswith("Quá hạn") for cell in cells)
    assert "Kết quả thực hiện các nội dung đã cam kết".upper() in text
    assert client(people["sibling"]).get(f"/dialogues/{dialogue.pk}/print.docx").status_code == 404
    assert client(people["nobody"]).get(f"/dialogues/{dialogue.pk}/print/").status_code == 404
    assert old.pk


def test_print_docx_without_commitments_and_for_a_department(tree: dict, people: dict) -> None:  # noqa: F811
    dialogue = make_dialogue(tree["Adep"], title="Đối thoại với doanh nghiệp", kind=DialogueKind.BUSINESSES)
    r = client(people["province"]).get(f"/dialogues/{dialogue.pk}/print.docx")
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(cell.text for table in doc.tables for row in table.rows for cell in row.cells)
    assert "Không có nội dung cam kết." in text
    assert "SỞ NỘI VỤ" in cells and "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU" in cells and "Số:" in cells
    services.delete_dialogue(actor=None, dialogue=dialogue, reason="x")
    assert client(people["province"]).get(f"/dialogues/{dialogue.pk}/print.docx").status_code == 404
