"""A citizen's own data (Law 91/2025): only their own filings, never another person's identity or a denunciation."""
# ruff: noqa: F811 - pytest fixtures imported from fixtures_cases are redefined as arguments

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from danvan.accounts.services import create_api_token
from danvan.api.tests.conftest import ApiClient
from danvan.core import audit
from danvan.core.models import AuditEvent
from danvan.petitions import reception, services, subject_export
from danvan.petitions.models import PetitionEvent

from .fixtures_cases import RECEIVED, classify, fields, people, receive  # noqa: F401

CCCD = "001099012345"
NAME = "Nguyễn Văn Công Dân"
ADDRESS = "Bản Thẳm, xã Bình Lư"
OTHER_NAME = "Đặng Thị Người Khác"
OTHER_CCCD = "002088099999"
DENOUNCER = "Vũ Văn Người Tố Cáo"
DENOUNCER_CCCD = "003077011111"
CANARY = "CANARY-TO-CAO-91b2"
REASON = "Công dân đề nghị cung cấp dữ liệu cá nhân của mình"


@pytest.fixture
def world(tree: Any, people: Any, fields: Any) -> dict[str, Any]:
    """The citizen's own complaint (by name and address), a reception visit with a petition, another citizen's
    complaint, and a denunciation against the citizen by a whistleblower, with canary strings everywhere."""
    A1 = tree["A1"]
    own = receive(A1, filer_name=NAME, filer_address=ADDRESS, summary="Khiếu nại của tôi", content="Nội dung của tôi")
    PetitionEvent.objects.filter(petition=own).update(reason=f"Ghi chú nội bộ {CANARY}")
    visit = reception.record_visit(
        actor=people["reception"], org_unit=A1, visited_on=RECEIVED, visitor_name=NAME, visitor_address=ADDRESS,
        id_number=CCCD, summary="Kiến nghị sửa đường", kind="recommendation", handling="accepted",
        create_petition=True)
    other = receive(A1, filer_name=OTHER_NAME, filer_address=ADDRESS, summary=f"Đơn người khác {CANARY}")
    reception.record_visit(
        actor=people["reception"], org_unit=A1, visited_on=RECEIVED, visitor_name=OTHER_NAME,
        visitor_address=ADDRESS, id_number=OTHER_CCCD, summary=f"Người khác {CANARY}", kind="feedback",
        handling="recorded")
    against = receive(A1, kind="denunciation", identity={"name": DENOUNCER, "id_number": DENOUNCER_CCCD},
                      summary=f"Tố cáo ông {NAME} CCCD {CCCD}", content=f"{CANARY} sai phạm của {NAME} ({CCCD})")
    # A petition in another province by the same person: out of the official's scope.
    far = receive(tree["B1"], filer_name=NAME, filer_address=ADDRESS, summary="Ở tỉnh khác")
    return {"own": own, "visit": visit, "other": other, "against": against, "far": far}


def export(actor: Any, unit: Any, **kw: Any) -> dict[str, Any]:
    kw.setdefault("id_number", CCCD)
    kw.setdefault("name", NAME)
    kw.setdefault("address", ADDRESS)
    kw.setdefault("reason", REASON)
    return subject_export.export_subject_data(actor=actor, unit=unit, **kw)


def test_export_holds_the_citizens_own_filings_and_nothing_else(tree: Any, people: Any, world: Any) -> None:
    data = export(people["reception"], tree["A1"])
    text = json.dumps(data, ensure_ascii=False)
    numbers = {(p["number"], p["year"]) for p in data["petitions"]}
    own, via_visit = world["own"], world["visit"].petitions.get()
    assert numbers == {(own.number, own.number_year), (via_visit.number, via_visit.number_year)}
    assert [v["number"] for v in data["reception_visits"]] == [world["visit"].number]
    mine = next(p for p in data["petitions"] if p["number"] == own.number)
    assert mine["summary"] == "Khiếu nại của tôi" and mine["filer_name"] == NAME
    assert [s["action"] for s in mine["steps"]] == ["receive"]
    # Canaries: no other filer, no denunciation (neither its filer nor its content), no internal note.
    for secret in (CANARY, OTHER_NAME, OTHER_CCCD, DENOUNCER, DENOUNCER_CCCD, "Ở tỉnh khác"):
        assert secret not in text, secret
    assert data["format"] == "danvan.subject-export/1" and data["excluded"]


def test_a_denounced_person_gets_nothing_about_the_denouncer(tree: Any, people: Any, world: Any) -> None:
    # Even the head, even without an address: the citizen is only named in the denunciation.
    data = export(people["head"], tree["A1"], address="")
    text = json.dumps(data, ensure_ascii=False)
    assert DENOUNCER not in text and DENOUNCER_CCCD not in text and CANARY not in text
    assert all(p["kind"] != "denunciation" for p in data["petitions"])


def test_the_denouncer_gets_their_denunciation_only_from_an_assigned_handler(tree: Any, people: Any,
                                                                             world: Any) -> None:
    against = world["against"]
    kw = {"id_number": DENOUNCER_CCCD, "name": DENOUNCER, "address": ""}
    # The head is not a handler: the denunciation does not appear, and nothing says it exists.
    data = export(people["head"], tree["A1"], **kw)
    assert data["petitions"] == [] and '"kind": "denunciation"' not in json.dumps(data)
    services.assign_handler(actor=people["head"], petition=against, user=people["head"])
    data = export(people["head"], tree["A1"], **kw)
    [p] = data["petitions"]
    assert p["kind"] == "denunciation" and p["identity"]["name"] == DENOUNCER
    # Their own identity, the handling — but not the allegations (about the person denounced).
    assert "content" not in p and "summary" not in p and CANARY not in json.dumps(data, ensure_ascii=False)
    assert AuditEvent.objects.filter(action="petitions.identity.revealed", object_id=str(against.pk)).count() == 1


def test_a_mistyped_id_or_name_finds_nothing(tree: Any, people: Any, world: Any) -> None:
    assert export(people["reception"], tree["A1"], name=OTHER_NAME, address="")["reception_visits"] == []
    data = export(people["reception"], tree["A1"], id_number=OTHER_CCCD, name=NAME, address="")
    assert data["petitions"] == [] and data["reception_visits"] == []


def test_every_export_is_audited_without_the_raw_id(tree: Any, people: Any, world: Any) -> None:
    export(people["reception"], tree["A1"])
    ev = AuditEvent.objects.get(action="petitions.subject.export")
    assert ev.summary["subject"] == subject_export.subject_hash(CCCD)
    assert CCCD not in json.dumps(ev.summary) and NAME not in json.dumps(ev.summary, ensure_ascii=False)
    assert ev.actor == people["reception"] and ev.org_unit_id == tree["A1"].pk
    assert audit.verify_chain().ok


@pytest.mark.parametrize(("who", "unit", "allowed"), [
    ("reception", "A1", True), ("head", "A1", True), ("admin", "A1", True), ("province_head", "A1", True),
    ("officer", "A1", False), ("handler", "A1", False), ("viewer", "A1", False),
    ("other_commune", "A1", False), ("other_province", "A1", False), ("nobody", "A1", False), ("anon", "A1", False),
])
def test_who_may_export(tree: Any, people: Any, world: Any, who: str, unit: str, allowed: bool) -> None:
    if allowed:
        assert export(people[who], tree[unit])["petitions"]
    else:
        with pytest.raises(PermissionDenied):
            export(people[who], tree[unit])
        assert not AuditEvent.objects.filter(action="petitions.subject.export").exists()


def test_sibling_commune_sees_none_of_it(tree: Any, people: Any, world: Any) -> None:
    data = export(people["other_commune"], tree["A2"])
    assert data["petitions"] == [] and data["reception_visits"] == []


@pytest.mark.parametrize(("kw", "field"), [
    ({"id_number": ""}, "id_number"),
    ({"id_number": "12"}, "id_number"),
    ({"id_number": "0010990123<b>"}, "id_number"),
    ({"id_number": "1" * 21}, "id_number"),
    ({"id_number": 12345678}, "id_number"),
    ({"name": ""}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"address": "x" * 301}, "address"),
    ({"reason": "ngắn"}, "reason"),
    ({"reason": "x" * 501}, "reason"),
    ({"reason": f"Theo yêu cầu của ông {NAME}"}, "reason"),
    ({"reason": f"Yêu cầu của CCCD {CCCD} hôm nay"}, "reason"),
])
def test_bad_input(tree: Any, people: Any, world: Any, kw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        export(people["reception"], tree["A1"], **kw)
    assert field in exc.value.message_dict
    assert not AuditEvent.objects.filter(action="petitions.subject.export").exists()


def test_daily_limit(tree: Any, people: Any, world: Any, settings: Any) -> None:
    settings.DANVAN_SUBJECT_EXPORT_DAILY_LIMIT = 2
    export(people["reception"], tree["A1"])
    export(people["reception"], tree["A1"])
    with pytest.raises(ValidationError):
        export(people["reception"], tree["A1"])
    # Another official is counted separately.
    export(people["head"], tree["A1"])


def test_destroyed_petitions_are_not_exported(tree: Any, people: Any, world: Any) -> None:
    from danvan.petitions.models import Petition

    Petition.objects.filter(pk=world["own"].pk).update(destroyed_at=timezone.now())
    numbers = {p["number"] for p in export(people["reception"], tree["A1"])["petitions"]}
    assert world["own"].number not in numbers


def test_page_downloads_json_and_is_not_cached(tree: Any, people: Any, world: Any) -> None:
    client = Client()
    client.force_login(people["reception"])
    assert client.get("/petitions/personal-data/").status_code == 200
    r = client.post("/petitions/personal-data/", {"unit": tree["A1"].pk, "id_number": CCCD, "name": NAME,
                                                  "address": ADDRESS, "reason": REASON, "verified": "on"})
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment;")
    assert "no-store" in r["Cache-Control"] or "no-cache" in r["Cache-Control"]
    body = json.loads(r.content)
    assert len(body["petitions"]) == 2 and CANARY not in r.content.decode()
    # Without the in-person check: the form comes back, nothing exported.
    r = client.post("/petitions/personal-data/", {"unit": tree["A1"].pk, "id_number": CCCD, "name": NAME,
                                                  "reason": REASON})
    assert r.status_code == 400 and AuditEvent.objects.filter(action="petitions.subject.export").count() == 1


@pytest.mark.parametrize("who", ["officer", "nobody"])
def test_page_refuses_others(tree: Any, people: Any, who: str) -> None:
    client = Client()
    client.force_login(people[who])
    assert client.get("/petitions/personal-data/").status_code == 403


def test_api_export(tree: Any, people: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    _, secret = create_api_token(user=people["reception"], name="test")
    api = ApiClient(secret)
    body = {"unit": tree["A1"].pk, "id_number": CCCD, "name": NAME, "address": ADDRESS, "reason": REASON}
    with django_assert_max_num_queries(20):
        r = api.post("/petitions/subject-export", json=body)
    assert r.status_code == 200, r.content
    assert len(r.json()["petitions"]) == 2 and CANARY not in r.content.decode()
    r = api.post("/petitions/subject-export", json={**body, "id_number": "1"})
    assert r.status_code == 422
    _, secret = create_api_token(user=people["officer"], name="test")
    assert ApiClient(secret).post("/petitions/subject-export", json=body).status_code == 403
    assert ApiClient().post("/petitions/subject-export", json=body).status_code == 401
