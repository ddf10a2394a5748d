"""Import of a plan document in the UI: upload → review beside the source → one draft, whatever the clicks."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from danvan.plans.models import Plan

from .test_views import read_form

pytestmark = pytest.mark.django_db

SEEDS = Path(django_settings.BASE_DIR).parent / "shared" / "seeds"
SEED_001 = SEEDS / "001_5ee33b615eb78c38.txt"


@pytest.fixture
def officer(tree: dict[str, Any], make_user: Any, no_mfa: None) -> Any:
    return make_user("canbo", (tree["A1"], "officer"))


def upload(client: Any, tree: Any, name: str, data: bytes) -> Any:
    return client.post(reverse("plans:import"), {"issuer": tree["A1"].pk, "file": SimpleUploadedFile(name, data)})


def blank_pdf() -> bytes:
    """A one-page PDF with no text layer, as a scanner without OCR produces."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_seed_001_is_reviewed_beside_its_source_and_saved_once(client: Any, tree: Any, officer: Any) -> None:
    client.force_login(officer)
    response = upload(client, tree, "ke-hoach.txt", SEED_001.read_bytes())
    assert response.status_code == 302, response.content.decode()[:2000]
    review_url = response["Location"]
    assert review_url.startswith("/plans/import/")
    page = client.get(review_url)
    assert page.status_code == 200
    html = page.content.decode()
    # every group carries the text it came from
    assert html.count("<blockquote>") >= 10
    assert len(page.context["targets"]) == 5 and all(g["source"] for g in page.context["targets"])
    assert Plan.objects.count() == 0  # nothing saved before the reviewer says so

    data = read_form(html, "import-review")
    data["title"] = data["title"] + " (đã soát)"
    response = client.post(review_url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    plan = Plan.objects.get()
    assert response["Location"] == reverse("plans:detail", args=[plan.pk])
    assert plan.issuer == tree["A1"] and plan.title.endswith("(đã soát)")
    assert plan.targets.count() == 5
    assert [int(v or 0) for v in plan.targets.order_by("order").values_list("value", flat=True)] == [100, 100, 100, 95, 100]
    refs = [(d.number, d.symbol) for d in plan.legal_bases.order_by("plan_links__order")]
    assert refs[:2] == [("114", "KL/TW"), ("33", "CT-TTg")] and ("05", "CT/TW") in refs and len(refs) == 8
    assert plan.sections.count() == 7 and plan.deadlines.count() == 2
    assert (plan.signer_name, plan.signer_authority) == ("Sùng Lử Páo", "TM.")
    assert plan.import_source and plan.import_source["detailed"]["targets"]

    # the same page submitted again (double click, back button) makes nothing new
    again = client.post(review_url, data)
    assert again.status_code == 302 and again["Location"] == reverse("plans:detail", args=[plan.pk])
    assert Plan.objects.count() == 1


def test_review_keeps_the_users_corrections_and_unticked_items(client: Any, tree: Any, officer: Any) -> None:
    client.force_login(officer)
    review_url = upload(client, tree, "ke-hoach.txt", SEED_001.read_bytes())["Location"]
    data = read_form(client.get(review_url).content.decode(), "import-review")
    data.pop("target_0_keep")
    data["target_1_value"] = "77"
    data["issued_on"] = "31/02/2026"
    response = client.post(review_url, data)
    assert response.status_code == 200
    assert "issued_on" in response.context["form"].errors and Plan.objects.count() == 0
    assert response.context["form"]["target_1_value"].value() == "77"  # nothing typed is lost
    data["issued_on"] = ""
    assert client.post(review_url, data).status_code == 302
    plan = Plan.objects.get()
    assert plan.targets.count() == 4 and 77 in [int(v or 0) for v in plan.targets.values_list("value", flat=True)]


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("ke-hoach.exe", b"MZ\x90\x00", ".txt"),
        ("ke-hoach.docx", b"PK\x03\x04 this is not a word file", ".docx"),
        ("ke-hoach.pdf", b"%PDF-1.4 garbage", "PDF"),
        ("scan.pdf", None, "OCR"),
        ("empty.txt", b"", ""),
        ("binary.txt", b"\x00\x01\x02" * 100, ""),
    ],
)
def test_bad_files_get_a_clear_message(client: Any, tree: Any, officer: Any, name: str, data: bytes | None, words: str) -> None:
    client.force_login(officer)
    response = upload(client, tree, name, blank_pdf() if data is None else data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "file" in errors and words in " ".join(errors["file"])
    assert Plan.objects.count() == 0


def test_oversize_file_is_refused(client: Any, tree: Any, officer: Any, settings: Any) -> None:
    settings.DANVAN_PLAN_IMPORT_MAX_BYTES = 1000
    client.force_login(officer)
    response = upload(client, tree, "ke-hoach.txt", SEED_001.read_bytes())
    assert response.status_code == 200 and "MB" in " ".join(response.context["form"].errors["file"])


def test_import_needs_an_editing_role_and_the_review_is_personal(
    client: Any, tree: Any, officer: Any, make_user: Any
) -> None:
    viewer = make_user("xem", (tree["A1"], "viewer"))
    client.force_login(viewer)
    response = upload(client, tree, "ke-hoach.txt", SEED_001.read_bytes())
    assert response.status_code == 200 and "issuer" in response.context["form"].errors
    client.force_login(officer)
    review_url = upload(client, tree, "ke-hoach.txt", SEED_001.read_bytes())["Location"]
    client.force_login(make_user("canbo2", (tree["A1"], "officer")))
    response = client.get(review_url)
    assert response.status_code == 302 and response["Location"] == reverse("plans:import")
    assert Plan.objects.count() == 0


def test_garbled_pdf_text_shows_what_was_repaired(client: Any, tree: Any, officer: Any) -> None:
    client.force_login(officer)
    review_url = upload(client, tree, "ke-hoach.txt", (SEEDS / "000_9ffbc0ac7630f9e9.txt").read_bytes())["Location"]
    page = client.get(review_url)
    assert page.context["garbled"] is True and page.context["any_repaired"] is True
    repaired = [g for g in page.context["references"] if g["repaired"]]
    assert repaired and 'class="review-item repaired"' in page.content.decode()
    # a reference whose number could not be read stays empty for the reviewer, never invented
    first = page.context["form"]["ref_0_number"]
    assert not first.value()


def test_a_word_file_exported_by_the_platform_imports_back(client: Any, tree: Any, officer: Any) -> None:
    import datetime as dt

    from danvan.plans import services

    plan = services.create_plan(
        actor=None, issuer=tree["A1"], title="Kế hoạch tuyên truyền năm 2026", year=2026, place="Bình Lư",
        signer_name="Lò Văn B", signer_position="Chủ tịch", signer_authority="TM.",
        purposes=["Nâng cao nhận thức của cán bộ"], recipients=["UBND huyện", "Lưu: VT"],
    )
    section = services.add_section(actor=None, plan=plan, number="II", title="NHIỆM VỤ")
    services.add_task(actor=None, plan=plan, section=section, text="Tổ chức hội nghị quán triệt")
    plan = services.issue_plan(actor=None, plan=plan, expected_version=plan.lock_version, issued_on=dt.date(2026, 3, 2))
    client.force_login(officer)
    exported = client.get(reverse("plans:export", args=[plan.pk])).content
    response = upload(client, tree, "ke-hoach.docx", exported)
    assert response.status_code == 302, response.context["form"].errors
    form = client.get(response["Location"]).context["form"]
    assert "Kế hoạch tuyên truyền năm 2026" in (form["title"].value() or "")
    assert form["number"].value() == "01" and form["symbol"].value() == "KH-UBND"
    assert form["signer_authority"].value() == "TM."
