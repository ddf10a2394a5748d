"""Grassroots mediation: services, permissions at every boundary, bad input, pages and API with query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from danvan.api.tests.conftest import ApiClient, caller  # noqa: F401
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.petitions import mediation
from danvan.petitions.models import MediationCase, MediationStatus

from .fixtures_cases import fields, people, receive  # noqa: F401

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
OPENED = TODAY - dt.timedelta(days=10)
TEAM = [{"name": "Lò Văn Thanh", "role": "Tổ trưởng"}, {"name": "Tao Thị Mai", "role": "Tổ viên"}]


def _open(unit: Any, actor: Any = None, **kw: Any) -> MediationCase:
    kw.setdefault("subject", "Tranh chấp ranh giới đất vườn")
    kw.setdefault("parties", "Ông Lò Văn A và ông Tao Văn B, bản Thẳm")
    kw.setdefault("opened_on", OPENED)
    kw.setdefault("mediators", TEAM)
    return mediation.open_mediation(actor=actor, org_unit=unit, **kw)


def test_happy_path(tree: dict, people: dict) -> None:  # noqa: F811
    officer = people["officer"]
    case = _open(tree["A1v"], officer)
    assert case.mediators.count() == 2 and case.status == MediationStatus.OPEN
    s = mediation.record_session(actor=officer, case=case, held_on=OPENED + dt.timedelta(days=2), place="Nhà văn hóa",
                                 summary="Hai bên trình bày", result="Hẹn buổi sau", expected_version=case.lock_version)
    assert s.recorded_by == officer and case.lock_version == 2
    mediation.add_mediator(actor=officer, case=case, name="Già làng Lò Văn C", expected_version=case.lock_version)
    mediation.close_mediation(actor=officer, case=case, status="successful", closed_on=OPENED + dt.timedelta(days=3),
                              outcome="Hai bên thống nhất cắm mốc", expected_version=case.lock_version)
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.mediators.count()) == ("successful", OPENED + dt.timedelta(days=3), 3)
    actions = list(AuditEvent.objects.filter(action__startswith="petitions.mediation").values_list("action", flat=True))
    assert actions == ["petitions.mediation.open", "petitions.mediation.session", "petitions.mediation.add_mediator",
                       "petitions.mediation.close"]
    # The parties' names never go to the audit log.
    assert not AuditEvent.objects.filter(summary__icontains="Lò Văn A").exists()


@pytest.mark.parametrize(("who", "can_write", "can_read"), [
    ("officer", True, True), ("head", True, True), ("reception", True, True), ("handler", True, True),
    ("admin", True, True), ("viewer", False, True), ("province_officer", True, True),
    ("other_commune", False, False), ("other_province", False, False), ("nobody", False, False),
    ("anon", False, False),
])
def test_permission_boundaries(tree: dict, people: dict, who: str, can_write: bool, can_read: bool) -> None:  # noqa: F811
    user = people[who]
    case = _open(tree["A1"])
    assert user.has_perm("petitions.mediate", case) is can_write
    assert (mediation.mediation_for(user, case.pk) is not None) is can_read
    assert (case in mediation.mediations_for(user).items) is can_read
    if can_write:
        mediation.record_session(actor=user, case=case, held_on=OPENED, summary="x", expected_version=1)
    else:
        with pytest.raises(PermissionDenied):
            mediation.record_session(actor=user, case=case, held_on=OPENED, summary="x", expected_version=1)
        with pytest.raises(PermissionDenied):
            _open(tree["A1"], user)
        assert MediationCase.objects.count() == 1


def test_front_supervisor_reads_only(tree: dict, make_user: Any) -> None:
    sup = make_user("mttq", (tree["A1"], "front_supervisor"))
    case = _open(tree["A1"])
    assert mediation.mediation_for(sup, case.pk) is not None
    assert not sup.has_perm("petitions.mediate", case)


@pytest.mark.parametrize(("kw", "field"), [
    ({"subject": ""}, "subject"), ({"subject": "x" * 301}, "subject"), ({"parties": "  "}, "parties"),
    ({"opened_on": TODAY + dt.timedelta(days=1)}, "opened_on"), ({"opened_on": "2026-01-01"}, "opened_on"),
    ({"mediators": []}, "mediators"), ({"mediators": [{"name": ""}]}, "mediators.0.name"),
    ({"mediators": [{"name": "A"}, {"name": "a"}]}, "mediators.1.name"),
    ({"mediators": [{"name": "A", "user_id": 999999}]}, "mediators.0.user_id"),
])
def test_open_bad_input(tree: dict, people: dict, kw: dict, field: str) -> None:  # noqa: F811
    with pytest.raises(ValidationError) as exc:
        _open(tree["A1"], people["officer"], **kw)
    assert field in exc.value.message_dict
    assert not MediationCase.objects.exists()


def test_from_petition(tree: dict, people: dict, fields: dict) -> None:  # noqa: F811
    p = receive(tree["A1"], kind="feedback", summary="Tranh chấp lối đi", received_on=OPENED)
    case = _open(tree["A1v"], people["officer"], petition=p)  # the village team takes up the commune's petition
    assert case.petition == p
    with pytest.raises(ValidationError) as exc:
        _open(tree["A1"], people["officer"], petition=p, opened_on=OPENED - dt.timedelta(days=1))
    assert "opened_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # a sibling commune's petition
        _open(tree["A2"], people["province_officer"], petition=p)
    assert "petition" in exc.value.message_dict
    d = receive(tree["A1"], kind="denunciation", received_on=OPENED)
    with pytest.raises(ValidationError) as exc:
        _open(tree["A1"], people["officer"], petition=d)
    assert "petition" in exc.value.message_dict


def test_session_and_close_rules(tree: dict, people: dict) -> None:  # noqa: F811
    officer = people["officer"]
    case = _open(tree["A1"], officer)
    with pytest.raises(ValidationError) as exc:
        mediation.record_session(actor=officer, case=case, held_on=OPENED - dt.timedelta(days=1), summary="x",
                                 expected_version=1)
    assert "held_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        mediation.record_session(actor=officer, case=case, held_on=OPENED, summary="", expected_version=1)
    assert "summary" in exc.value.message_dict
    mediation.record_session(actor=officer, case=case, held_on=OPENED + dt.timedelta(days=5), summary="x",
                             expected_version=1)
    with pytest.raises(ConcurrentEditError):  # stale version
        mediation.record_session(actor=officer, case=case, held_on=OPENED, summary="y", expected_version=1)
    with pytest.raises(ValidationError) as exc:  # before the last session
        mediation.close_mediation(actor=officer, case=case, status="unsuccessful",
                                  closed_on=OPENED + dt.timedelta(days=4), outcome="x", expected_version=2)
    assert "closed_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        mediation.close_mediation(actor=officer, case=case, status="open", closed_on=TODAY, outcome="x",
                                  expected_version=2)
    assert "status" in exc.value.message_dict
    mediation.close_mediation(actor=officer, case=case, status="unsuccessful", closed_on=TODAY, outcome="Không thành",
                              expected_version=2)
    with pytest.raises(ValidationError) as exc:  # no session after close
        mediation.record_session(actor=officer, case=case, held_on=TODAY, summary="x", expected_version=3)
    assert "held_on" in exc.value.message_dict
    assert case.sessions.count() == 1


def test_soft_delete(tree: dict, people: dict) -> None:  # noqa: F811
    case = _open(tree["A1"], people["officer"])
    with pytest.raises(ValidationError):
        mediation.delete_mediation(actor=people["officer"], case=case, reason="", expected_version=1)
    mediation.delete_mediation(actor=people["officer"], case=case, reason="Nhập nhầm", expected_version=1)
    assert mediation.mediation_for(people["officer"], case.pk) is None
    assert MediationCase.objects.filter(pk=case.pk, deleted_at__isnull=False).exists()


def test_keyset_pages(tree: dict, people: dict) -> None:  # noqa: F811
    for i in range(5):
        _open(tree["A1"], subject=f"Vụ {i}", opened_on=OPENED + dt.timedelta(days=i % 2))
    seen = []
    after = None
    while True:
        page = mediation.mediations_for(people["officer"], after=after, limit=2)
        seen += [c.pk for c in page.items]
        if page.next is None:
            break
        after = page.next
    assert len(seen) == len(set(seen)) == 5
    with pytest.raises(ValidationError):
        mediation.mediations_for(people["officer"], after="not-a-cursor")


# --------------------------------------------------------------------------- pages


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages(tree: dict, people: dict, django_assert_max_num_queries: Any) -> None:  # noqa: F811
    c = _client(people["officer"])
    r = c.post("/petitions/mediation/new/", {
        "org_unit": tree["A1v"].pk, "subject": "Tranh chấp nước", "parties": "Hai hộ",
        "opened_on": OPENED.strftime("%d/%m/%Y"), "mediators": "Lò Văn Thanh, Tổ trưởng\nTao Thị Mai",
    })
    assert r.status_code == 302
    case = MediationCase.objects.get()
    assert [m.name for m in case.mediators.all()] == ["Lò Văn Thanh", "Tao Thị Mai"]
    for i in range(15):
        _open(tree["A1"], subject=f"Vụ {i}")
    c.get("/petitions/mediation/")
    with django_assert_max_num_queries(12):
        r = c.get("/petitions/mediation/?status=open")
    assert r.status_code == 200 and "Tranh chấp nước" in r.content.decode()
    r = c.post(f"/petitions/mediation/{case.pk}/sessions/", {
        "held_on": OPENED.strftime("%d/%m/%Y"), "summary": "Hòa giải lần 1", "expected_version": 1})
    assert r.status_code == 302
    r = c.post(f"/petitions/mediation/{case.pk}/sessions/", {
        "held_on": OPENED.strftime("%d/%m/%Y"), "summary": "Lần 2 cũ", "expected_version": 1})
    assert r.status_code == 409 and case.sessions.count() == 1
    r = c.post(f"/petitions/mediation/{case.pk}/close/", {
        "status": "successful", "closed_on": (OPENED - dt.timedelta(days=1)).strftime("%d/%m/%Y"),
        "outcome": "x", "expected_version": 2})
    assert r.status_code == 400
    r = c.get(f"/petitions/mediation/{case.pk}/")
    assert r.status_code == 200 and "Hòa giải lần 1" in r.content.decode()
    assert _client(people["other_commune"]).get(f"/petitions/mediation/{case.pk}/").status_code == 404
    r = _client(people["viewer"]).post(f"/petitions/mediation/{case.pk}/sessions/", {
        "held_on": OPENED.strftime("%d/%m/%Y"), "summary": "x", "expected_version": 2})
    assert r.status_code == 403
    assert Client().get("/petitions/mediation/").status_code == 302  # to the login page


# --------------------------------------------------------------------------- API


@pytest.fixture
def api(caller: Any, tree: dict) -> dict[str, Any]:  # noqa: F811
    return {
        "commune": caller("xa", (tree["A1"], "officer")),
        "sibling": caller("xakhac", (tree["A2"], "officer")),
        "province": caller("tinh", (tree["A"], "viewer")),
        "other": caller("tinhkhac", (tree["B1"], "officer")),
    }


def _raw(c: Any, method: str, path: str, **kw: Any) -> Any:
    """The collection path, unchecked: the shared OpenAPI checker matches it to ``/petitions/{id}`` first."""
    if "json" in kw:
        kw["data"], kw["content_type"] = kw.pop("json"), "application/json"
    return getattr(c.api.client, method)("/api/v1" + path, headers=c.api.headers, **kw)


def test_api(tree: dict, api: dict, django_assert_max_num_queries: Any) -> None:
    me = api["commune"].api
    commune = api["commune"]
    body = {"org_unit": tree["A1"].pk, "subject": "Tranh chấp", "parties": "A và B",
            "opened_on": OPENED.isoformat(), "mediators": TEAM}
    r = _raw(commune, "post", "/petitions/mediations", json=body)
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert len(r.json()["mediators"]) == 2
    assert _raw(api["sibling"], "post", "/petitions/mediations", json=body).status_code == 422  # unit not theirs
    assert _raw(api["province"], "post", "/petitions/mediations", json=body).status_code == 403  # viewer
    r = _raw(commune, "post", "/petitions/mediations", json={**body, "subject": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "subject"
    for i in range(10):
        _open(tree["A1"], subject=f"Vụ {i}")
    with django_assert_max_num_queries(6):
        r = _raw(commune, "get", "/petitions/mediations?limit=5")
    assert r.status_code == 200 and len(r.json()["items"]) == 5 and r.json()["next_cursor"]
    r2 = _raw(commune, "get", f"/petitions/mediations?limit=5&cursor={r.json()['next_cursor']}")
    assert not {i["id"] for i in r.json()["items"]} & {i["id"] for i in r2.json()["items"]}
    assert api["province"].api.get(f"/petitions/mediations/{cid}").status_code == 200
    assert api["other"].api.get(f"/petitions/mediations/{cid}").status_code == 404
    assert ApiClient().get(f"/petitions/mediations/{cid}").status_code == 401
    s = {"held_on": OPENED.isoformat(), "summary": "Lần 1", "expected_version": 1}
    assert me.post(f"/petitions/mediations/{cid}/sessions", json=s).status_code == 201
    r = me.post(f"/petitions/mediations/{cid}/sessions", json=s)
    assert r.status_code == 409
    close = {"status": "withdrawn", "closed_on": TODAY.isoformat(), "outcome": "Rút yêu cầu", "expected_version": 2}
    r = me.post(f"/petitions/mediations/{cid}/close", json=close)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = me.post(f"/petitions/mediations/{cid}/sessions", json={**s, "expected_version": 3})
    assert r.status_code == 422
