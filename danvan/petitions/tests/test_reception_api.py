"""/api/v1/petitions/reception: scope, status codes, idempotency, the denunciation mask, query counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from danvan.petitions import reception
from danvan.petitions.models import Petition, ReceptionSession, ReceptionVisit
from danvan.reports.tests.test_api import Caller, make_callers

from .test_reception_services import DAY, session, visit

pytestmark = pytest.mark.django_db
BASE = "/petitions/reception"


@pytest.fixture
def callers(tree: dict[str, Any], make_user: Callable[..., Any], no_mfa: Any) -> dict[str, Caller]:
    return make_callers(tree, make_user)


def session_body(unit: Any, **kw: Any) -> dict[str, Any]:
    body = {"unit": unit.pk, "date": "2026-07-15", "starts_at": "07:30", "ends_at": "11:00", "by_head": True,
            "host_name": "Lò Văn Pâng", "host_title": "Chủ tịch UBND xã", "mode": "in_person",
            "location": "Trụ sở tiếp công dân xã"}
    body.update(kw)
    return body


def visit_body(unit: Any, **kw: Any) -> dict[str, Any]:
    body = {"unit": unit.pk, "visited_on": "2026-07-15", "visitor_name": "Nguyễn Văn An",
            "visitor_address": "Bản Thẳm", "id_number": "012345678901",
            "summary": "Đề nghị cấp giấy chứng nhận quyền sử dụng đất", "kind": "recommendation", "handling": "guided"}
    body.update(kw)
    return body


def test_schedule_and_list(tree, callers):
    r = callers["commune"].api.post(f"{BASE}/sessions", json=session_body(tree["A1"]))
    assert r.status_code == 201, r.content
    assert r.json()["by_head"] is True and r.json()["lock_version"] == 1
    r = callers["commune"].api.get(f"{BASE}/sessions?date_from=2026-07-01&date_to=2026-07-31")
    assert [s["date"] for s in r.json()["items"]] == ["2026-07-15"]
    r = callers["sibling"].api.get(f"{BASE}/sessions?date_from=2026-07-01&date_to=2026-07-31")
    assert r.json()["items"] == []
    assert callers["sibling"].api.get(f"{BASE}/sessions?unit={tree['A1'].pk}").status_code == 404


@pytest.mark.parametrize("who, status", [
    ("commune", 201), ("province_officer", 201), ("viewer", 403), ("sibling", 404), ("other", 404), ("nobody", 404),
])
def test_schedule_boundaries(tree, callers, who, status):
    assert callers[who].api.post(f"{BASE}/sessions", json=session_body(tree["A1"])).status_code == status
    assert ReceptionSession.objects.count() == (1 if status == 201 else 0)


def test_anonymous_is_401(tree):
    from danvan.api.tests.conftest import ApiClient

    assert ApiClient().get(f"{BASE}/sessions").status_code == 401
    assert ApiClient().post(f"{BASE}/visits", json=visit_body(tree["A1"])).status_code == 401


@pytest.mark.parametrize("kw, field", [
    ({"ends_at": "07:00"}, "ends_at"),
    ({"host_name": ""}, "host_name"),
    ({"host_name": "x" * 201}, "host_name"),
    ({"date": "15/07/2026"}, "date"),
    ({"mode": "online", "location": ""}, "online_link"),
])
def test_schedule_bad_input(tree, callers, kw, field):
    r = callers["commune"].api.post(f"{BASE}/sessions", json=session_body(tree["A1"], **kw))
    assert r.status_code == 422
    assert field in [e["field"] for e in r.json()["errors"]]


def test_shortfalls(tree, callers):
    r = callers["province"].api.get(f"{BASE}/sessions/shortfalls?unit={tree['A'].pk}&month=2026-07-01")
    assert r.status_code == 200
    assert r.json() == [{"period_start": "2026-07-01", "period_end": "2026-07-31", "per": "month", "required": 1,
                         "scheduled": 0, "legal_basis": r.json()[0]["legal_basis"]}]
    assert callers["commune"].api.get(
        f"{BASE}/sessions/shortfalls?unit={tree['A'].pk}&month=2026-07-01").status_code == 404
    assert callers["province"].api.get(
        f"{BASE}/sessions/shortfalls?unit={tree['A'].pk}&month=2026-13-01").status_code == 422


def test_record_visit_idempotent(tree, callers):
    api = callers["commune"].api
    r = api.post(f"{BASE}/visits", json=visit_body(tree["A1"]), headers={"Idempotency-Key": "abc"})
    assert r.status_code == 201 and r.json()["number"] == 1
    r2 = api.post(f"{BASE}/visits", json=visit_body(tree["A1"]), headers={"Idempotency-Key": "abc"})
    assert r2.status_code == 200 and r2.json()["id"] == r.json()["id"]
    assert ReceptionVisit.objects.count() == 1
    got = api.get(f"{BASE}/visits/{r.json()['id']}")
    assert got.status_code == 200 and got.json()["visitor_name"] == "Nguyễn Văn An"
    for who in ("sibling", "other", "nobody"):
        assert callers[who].api.get(f"{BASE}/visits/{r.json()['id']}").status_code == 404
    assert api.get(f"{BASE}/visits/99999999").status_code == 404


@pytest.mark.parametrize("who, status", [
    ("commune", 201), ("province_officer", 201), ("viewer", 403), ("sibling", 404), ("other", 404),
])
def test_visit_boundaries(tree, callers, who, status):
    assert callers[who].api.post(f"{BASE}/visits", json=visit_body(tree["A1"])).status_code == status


@pytest.mark.parametrize("kw, field", [
    ({"visited_on": "2999-01-01"}, "visited_on"),
    ({"summary": ""}, "summary"),
    ({"people_count": "many"}, "people_count"),
    ({"people_count": 0}, "people_count"),
    ({"handling": "refused"}, "refusal_ground"),
    ({"kind": "gossip"}, "kind"),
])
def test_visit_bad_input(tree, callers, kw, field):
    r = callers["commune"].api.post(f"{BASE}/visits", json=visit_body(tree["A1"], **kw))
    assert r.status_code == 422
    assert field in [e["field"] for e in r.json()["errors"]]
    assert not ReceptionVisit.objects.exists()


def test_visit_with_petition(tree, callers):
    r = callers["commune"].api.post(f"{BASE}/visits", json=visit_body(
        tree["A1"], kind="complaint", handling="", create_petition=True, petition={"content": "Chi tiết"}))
    assert r.status_code == 201 and r.json()["handling"] == "accepted"
    assert Petition.objects.get(visit_id=r.json()["id"]).channel == "reception"


def test_denunciation_masked_everywhere(tree, callers):
    r = callers["commune"].api.post(f"{BASE}/visits", json=visit_body(
        tree["A1"], kind="denunciation", visitor_name="Trần Thị Tố Giác", id_number="098765432109",
        handling="recorded"))
    assert r.status_code == 201
    for resp in (r, callers["commune"].api.get(f"{BASE}/visits/{r.json()['id']}"),
                 callers["province"].api.get(f"{BASE}/visits?unit={tree['A1'].pk}&year=2026")):
        text = resp.content.decode()
        assert "Tố Giác" not in text and "098765432109" not in text and "Bản Thẳm" not in text
    assert r.json()["identity_protected"] is True


def test_book_pages_and_query_count(tree, callers, django_assert_max_num_queries):
    for i in range(7):
        visit(tree["A1"], None, summary=f"Việc {i}")
    api = callers["province"].api
    api.get(f"{BASE}/visits?unit={tree['A1'].pk}&year=2026&limit=1")
    with django_assert_max_num_queries(4):  # token, scope, unit, one page
        r = api.get(f"{BASE}/visits?unit={tree['A1'].pk}&year=2026&limit=3")
    assert [v["number"] for v in r.json()["items"]] == [1, 2, 3]
    r = api.get(f"{BASE}/visits?unit={tree['A1'].pk}&year=2026&limit=5&cursor={r.json()['next_cursor']}")
    assert [v["number"] for v in r.json()["items"]] == [4, 5, 6, 7] and r.json()["next_cursor"] is None
    assert api.get(f"{BASE}/visits?unit={tree['A1'].pk}&year=2026&cursor=%%%").status_code == 422
    for i in range(5):
        session(tree["A1"], None, date=DAY + dt.timedelta(days=i))
    with django_assert_max_num_queries(4):  # token, scope, unit, sessions with units
        r = api.get(f"{BASE}/sessions?unit={tree['A1'].pk}&date_from=2026-07-01&date_to=2026-07-31")
    assert len(r.json()["items"]) == 5


def test_sessions_range_limit(callers):
    r = callers["commune"].api.get(f"{BASE}/sessions?date_from=2026-01-01&date_to=2027-06-01")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "date_to"
    r = callers["commune"].api.get(f"{BASE}/sessions?date_from=2026-02-01&date_to=2026-01-01")
    assert r.status_code == 422


def test_no_clear_identity_column_for_reads(tree):
    assert reception.shown_identity(visit(tree["A1"], None, kind="denunciation", handling="recorded"))["id_number"]
