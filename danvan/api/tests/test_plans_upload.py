"""/api/v1/plans/parse and /plans/import: exactly the parser's JSON, clear refusals, one plan per idempotency key."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import docx
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from danvan.legal.models import LegalDocument
from danvan.plans.models import Plan
from danvan.plans.parsing import parse_file, parse_plan

from .test_plans_api import fields_of

pytestmark = pytest.mark.django_db

SEEDS = Path(os.environ.get("DANVAN_SEEDS_DIR", Path(django_settings.BASE_DIR).parent / "shared" / "seeds"))


def seed(prefix: str) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"seed plans not found in {SEEDS}")
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


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


def as_docx(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(api: Any, path: str, name: str, data: bytes, **form: Any) -> Any:
    return api.post(path, data={"file": SimpleUploadedFile(name, data), **form})


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


# --------------------------------------------------------------------------- parse


@pytest.mark.parametrize("prefix", ["000", "001", "002", "004"])
def test_parse_returns_exactly_the_parsers_json(tree, callers, prefix):
    path = seed(prefix)
    r = upload(callers["commune"].api, "/plans/parse", "ke-hoach.txt", path.read_bytes())
    assert r.status_code == 200, r.content
    assert r.json() == parse_file(path)
    assert list(r.json()) == list(parse_file(path))  # the keys, in the CLI's order
    assert not Plan.objects.exists()  # nothing saved


def test_parse_seed_001_values(tree, callers):
    body = upload(callers["commune"].api, "/plans/parse", "001.txt", seed("001").read_bytes()).json()
    assert [(t["value"], t["unit"]) for t in body["targets"]] == [(100, "%"), (100, "%"), (100, "%"), (95, "%"), (100, "%")]
    refs = {(r["number"], r["symbol"]) for r in body["references"]}
    assert {("114", "KL/TW"), ("33", "CT-TTg")} <= refs


def test_parse_docx(tree, callers, tmp_path):
    text = seed("001").read_text(encoding="utf-8")
    data = as_docx(text)
    (tmp_path / "k.docx").write_bytes(data)
    r = upload(callers["commune"].api, "/plans/parse", "Kế hoạch.DOCX", data)
    assert r.status_code == 200, r.content
    assert r.json() == parse_file(tmp_path / "k.docx")
    assert len(r.json()["targets"]) == 5


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("ke-hoach.xlsx", b"PK\x03\x04 whatever", 415, ".xlsx"),
        ("ke-hoach", b"text", 415, "?"),
        ("ke-hoach.exe", b"MZ", 415, ".exe"),
        ("ke-hoach.docx", b"not a zip at all", 422, ""),
        ("ke-hoach.pdf", b"%PDF-1.4 garbage", 422, ""),
        ("scan.pdf", None, 422, "OCR"),
        ("empty.txt", b"", 422, ""),
        ("binary.txt", b"\x00\x01\x02" * 100, 422, ""),
    ],
)
def test_parse_refuses_what_it_cannot_read(tree, callers, name, data, status, words):
    r = upload(callers["commune"].api, "/plans/parse", name, blank_pdf() if data is None else data)
    assert r.status_code == status, r.content
    body = r.json()
    assert body["detail"]
    if status == 422:
        assert fields_of(r) == ["file"]
        assert words in body["errors"][0]["message"]
    else:
        assert words in body["detail"]


def test_parse_over_the_size_limit_is_413(tree, callers, settings):
    settings.DANVAN_PLAN_IMPORT_MAX_BYTES = 1000
    r = upload(callers["commune"].api, "/plans/parse", "big.txt", "Kế hoạch ".encode() * 200)
    assert r.status_code == 413
    assert r.json()["detail"]
    r = upload(callers["commune"].api, "/plans/parse", "small.txt", "Kế hoạch số 1".encode())
    assert r.status_code == 200


def test_parse_without_a_file_is_422(tree, callers):
    r = callers["commune"].api.post("/plans/parse", data={})
    assert r.status_code == 422 and fields_of(r) == ["file"]


def test_parse_needs_a_caller(anon):
    r = anon.post("/plans/parse", data={"file": SimpleUploadedFile("a.txt", b"x")})
    assert r.status_code == 401


def test_parse_with_a_session_needs_csrf(tree, make_user, no_mfa):
    from django.test import Client

    from .conftest import ApiClient

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("browser", (tree["A1"], "officer")))
    r = ApiClient(client=client).post("/plans/parse", data={"file": SimpleUploadedFile("a.txt", "Kế hoạch".encode())})
    assert r.status_code == 403


# --------------------------------------------------------------------------- import


def test_import_creates_a_draft_with_everything_read(tree, callers):
    path = seed("001")
    r = upload(callers["commune"].api, "/plans/import", "001.txt", path.read_bytes(), issuer_id=tree["A1"].pk)
    assert r.status_code == 201, r.content
    body = r.json()
    parsed = parse_file(path)
    assert body["status"] == "draft" and body["issuer_id"] == tree["A1"].pk
    assert body["title"] == parsed["title"] and body["year"] == parsed["year"]
    assert [(t["value"], t["unit"]) for t in body["targets"]] == [(t["value"], t["unit"]) for t in parsed["targets"]]
    assert len(body["sections"]) == len(parsed["sections"])
    assert len(body["legal_bases"]) == len({(x["number"], x["symbol"]) for x in parsed["references"]
                                            if x["number"] or x["symbol"]})
    plan = Plan.objects.get(pk=body["id"])
    assert plan.import_source is not None and plan.import_source["parsed"] == parsed
    assert LegalDocument.objects.filter(number="33", symbol="CT-TTg").count() == 1


@pytest.mark.parametrize("how", ["header", "field"])
def test_import_twice_with_the_same_key_creates_one_plan(tree, callers, how):
    api = callers["commune"].api
    data = seed("002").read_bytes()

    def send():
        if how == "header":
            return api.post("/plans/import", data={"file": SimpleUploadedFile("k.txt", data), "issuer_id": tree["A1"].pk},
                            headers={"Idempotency-Key": "lan-1"})
        return upload(api, "/plans/import", "k.txt", data, issuer_id=tree["A1"].pk, idempotency_key="lan-1")

    first, second = send(), send()
    assert first.status_code == 201 and second.status_code == 200, second.content
    assert first.json()["id"] == second.json()["id"]
    assert Plan.objects.count() == 1
    # Another key, or no key, is another import.
    third = api.post("/plans/import", data={"file": SimpleUploadedFile("k.txt", data), "issuer_id": tree["A1"].pk},
                     headers={"Idempotency-Key": "lan-2"})
    assert third.status_code == 201 and Plan.objects.count() == 2


def test_idempotency_keys_belong_to_their_user(tree, callers, caller):
    data = seed("002").read_bytes()
    colleague = caller("colleague", (tree["A1"], "officer"))
    a = upload(callers["commune"].api, "/plans/import", "k.txt", data, issuer_id=tree["A1"].pk, idempotency_key="k")
    b = upload(colleague.api, "/plans/import", "k.txt", data, issuer_id=tree["A1"].pk, idempotency_key="k")
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_a_failed_import_does_not_use_up_the_key(tree, callers):
    api = callers["commune"].api
    bad = upload(api, "/plans/import", "k.pdf", blank_pdf(), issuer_id=tree["A1"].pk, idempotency_key="k")
    assert bad.status_code == 422 and fields_of(bad) == ["file"]
    good = upload(api, "/plans/import", "k.txt", seed("002").read_bytes(), issuer_id=tree["A1"].pk, idempotency_key="k")
    assert good.status_code == 201


def test_a_key_still_running_is_409_and_a_key_of_a_deleted_plan_too(tree, callers):
    from danvan.plans import services
    from danvan.plans.api import _idempotency_cache_key

    c = callers["commune"]
    cache.set(_idempotency_cache_key(c.user, "busy"), "pending", 60)
    r = upload(c.api, "/plans/import", "k.txt", seed("002").read_bytes(), issuer_id=tree["A1"].pk, idempotency_key="busy")
    assert r.status_code == 409 and not Plan.objects.exists()

    r = upload(c.api, "/plans/import", "k.txt", seed("002").read_bytes(), issuer_id=tree["A1"].pk, idempotency_key="gone")
    services.delete_plan(actor=None, plan=Plan.objects.get(pk=r.json()["id"]))
    again = upload(c.api, "/plans/import", "k.txt", seed("002").read_bytes(), issuer_id=tree["A1"].pk,
                   idempotency_key="gone")
    assert again.status_code == 409 and Plan.objects.count() == 1


@pytest.mark.parametrize(("who", "unit", "status"), [
    ("commune", "A1", 201), ("province", "A1", 201), ("sibling", "A1", 422), ("other", "A1", 422), ("nobody", "A1", 422),
])
def test_import_boundaries(tree, callers, who, unit, status):
    r = upload(callers[who].api, "/plans/import", "k.txt", seed("002").read_bytes(), issuer_id=tree[unit].pk)
    assert r.status_code == status, r.content
    if status == 422:
        assert fields_of(r) == ["issuer_id"]
        assert not Plan.objects.exists()


def test_import_by_a_viewer_is_403(tree, caller):
    viewer = caller("viewer", (tree["A1"], "viewer"))
    r = upload(viewer.api, "/plans/import", "k.txt", seed("002").read_bytes(), issuer_id=tree["A1"].pk)
    assert r.status_code == 403 and not Plan.objects.exists()


@pytest.mark.parametrize(("form", "field"), [
    ({}, "issuer_id"), ({"issuer_id": "xã"}, "issuer_id"), ({"issuer_id": 1, "idempotency_key": "k" * 201}, "idempotency_key"),
])
def test_import_bad_form_fields(tree, callers, form, field):
    r = upload(callers["commune"].api, "/plans/import", "k.txt", b"Ke hoach", **form)
    assert r.status_code == 422, r.content
    assert fields_of(r) == [field]


def test_import_of_an_unreadable_file(tree, callers, settings):
    api = callers["commune"].api
    assert upload(api, "/plans/import", "k.odt", b"x", issuer_id=tree["A1"].pk).status_code == 415
    settings.DANVAN_PLAN_IMPORT_MAX_BYTES = 10
    assert upload(api, "/plans/import", "k.txt", b"x" * 11, issuer_id=tree["A1"].pk).status_code == 413
    assert not Plan.objects.exists()


def test_parse_matches_a_plain_text_call(tree, callers):
    text = "KẾ HOẠCH\nThực hiện công tác dân vận năm 2025\n"
    r = upload(callers["commune"].api, "/plans/parse", "k.txt", text.encode())
    assert r.json() == parse_plan(text)
