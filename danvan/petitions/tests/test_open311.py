"""Open311 GeoReport v2 at /open311/v2/: recommendations and feedback only, and never anyone's personal data."""
# ruff: noqa: F811 - pytest fixtures imported from fixtures_cases are redefined as arguments

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from danvan.petitions import public
from danvan.petitions.models import Petition

from .fixtures_cases import fields, receive  # noqa: F401

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
PERSONAL = ("Lò Thị Mai", "Bản Thẳm", "mai@example.vn", "0987654321", "Nhà tôi ở gần suối")


@pytest.fixture(autouse=True)
def clean_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _post(client: Client, **kw: Any) -> Any:
    data = {"jurisdiction_id": "03440", "service_code": "recommendation.land",
            "description": "Nhà tôi ở gần suối, đề nghị làm kè chống sạt lở", "first_name": "Lò Thị",
            "last_name": "Mai", "email": "mai@example.vn", "phone": "0987654321", "address_string": "Bản Thẳm"}
    data.update(kw)
    return client.post(BASE + "requests.json", data={k: v for k, v in data.items() if v is not None})


def test_services_are_recommendation_and_feedback_per_field(fields: Any) -> None:
    r = Client().get(BASE + "services.json")
    assert r.status_code == 200
    codes = {s["service_code"] for s in r.json()}
    assert codes == {f"{k}.{c}" for k in ("recommendation", "feedback") for c in fields}
    land = next(s for s in r.json() if s["service_code"] == "recommendation.land")
    assert land["metadata"] is False and land["type"] == "realtime" and land["group"] and land["keywords"]
    assert not any(s["service_code"].startswith(("complaint", "denunciation")) for s in r.json())


@pytest.mark.parametrize(("code", "status"), [
    ("feedback.environment", 200), ("complaint.land", 404), ("denunciation.land", 404), ("feedback.nope", 404),
])
def test_service_definition(fields: Any, code: str, status: int) -> None:
    r = Client().get(f"{BASE}services/{code}.json")
    assert r.status_code == status
    if status == 404:
        assert r.json() == [{"code": 404, "description": r.json()[0]["description"]}]
    else:
        assert r.json() == {"service_code": code, "attributes": []}


def test_submit_then_follow_without_personal_data(tree: Any, fields: Any) -> None:
    client = Client()
    r = _post(client)
    assert r.status_code == 201, r.content
    answer = r.json()[0]
    code = answer["service_request_id"]
    assert code and answer["token"] and answer["service_notice"]
    p = Petition.objects.get(tracking_code=code)
    assert (p.org_unit, p.kind, p.channel) == (tree["A1"], "recommendation", "online")

    for url in (BASE + "requests.json", f"{BASE}requests/{code}.json",
                BASE + "requests.json?service_request_id=" + code):
        r = client.get(url)
        assert r.status_code == 200
        text = r.content.decode()
        assert not any(bit in text for bit in PERSONAL), url
        item = r.json()[0]
        assert item["service_request_id"] == code and item["status"] == "open"
        assert item["agency_responsible"] == tree["A1"].name
        assert item["description"].startswith("Recommendation") or item["description"]  # kind, not the text

    Petition.objects.filter(pk=p.pk).update(status="closed", published_at=timezone.now(),
                                            public_summary="Đã làm kè đoạn suối qua bản.")
    item = client.get(f"{BASE}requests/{code}.json").json()[0]
    assert item["status"] == "closed" and item["description"] == "Đã làm kè đoạn suối qua bản."


def test_get_filters(tree: Any, fields: Any) -> None:
    client = Client()
    rec = _post(client).json()[0]["service_request_id"]
    fb = _post(client, service_code="feedback.environment").json()[0]["service_request_id"]
    receive(tree["A1"])  # a complaint received at the office: never on Open311

    def ids(**params: Any) -> set[str]:
        r = client.get(BASE + "requests.json", data=params)
        assert r.status_code == 200
        return {i["service_request_id"] for i in r.json()}

    assert ids() == {rec, fb}
    # The field travels only once public.submit_online takes ``field`` (asked of its owner); until then the
    # request has the kind alone and no field's service matches it.
    takes_field = "field" in inspect.signature(public.submit_online).parameters
    assert ids(service_code="feedback.environment") == ({fb} if takes_field else set())
    assert ids(service_code="recommendation.environment") == set()
    assert ids(status="closed") == set()
    assert ids(status="open") == {rec, fb}
    assert ids(start_date=(timezone.now() + dt.timedelta(days=1)).isoformat()) == set()
    assert ids(jurisdiction_id="03388") == set()
    for bad in ({"status": "pending"}, {"start_date": "hôm qua"}, {"service_code": "complaint.land"},
                {"start_date": "2026-02-01", "end_date": "2026-01-01"}, {"jurisdiction_id": "nowhere"}):
        r = client.get(BASE + "requests.json", data=bad)
        assert r.status_code == 400 and r.json()[0]["code"] == 400


def test_unknown_request_is_404(fields: Any) -> None:
    r = Client().get(BASE + "requests/KHONGCO.json")
    assert r.status_code == 404 and r.json()[0]["code"] == 404


@pytest.mark.parametrize(("change", "word"), [
    ({"jurisdiction_id": None}, "jurisdiction_id"),
    ({"jurisdiction_id": "99999"}, "jurisdiction_id"),
    ({"service_code": "complaint.land"}, "service_code"),
    ({"service_code": "denunciation.officials-conduct"}, "service_code"),
    ({"service_code": "recommendation.khong-co"}, "service_code"),
    ({"description": ""}, "description"),
    ({"description": "x" * 10_001}, "description"),
    ({"first_name": "", "last_name": ""}, "first_name"),
    ({"first_name": "x" * 300}, "first_name"),
    ({"lat": "north"}, "lat"),
])
def test_bad_submissions_are_400_and_save_nothing(tree: Any, fields: Any, change: dict[str, Any],
                                                  word: str) -> None:
    r = _post(Client(), **change)
    assert r.status_code == 400
    assert all(e["code"] == 400 for e in r.json())
    assert any(word in e["description"] for e in r.json()), r.json()
    assert not Petition.objects.exists()


def test_default_jurisdiction_from_settings(tree: Any, fields: Any, settings: Any) -> None:
    settings.DANVAN_OPEN311_JURISDICTION = "03388"
    r = _post(Client(), jurisdiction_id=None)
    assert r.status_code == 201
    assert Petition.objects.get().org_unit == tree["A2"]


def test_same_idempotency_key_is_one_request(tree: Any, fields: Any) -> None:
    client = Client(headers={"Idempotency-Key": "civic-app-42"})
    first, again = _post(client), _post(client)
    assert first.status_code == again.status_code == 201
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert "token" not in again.json()[0]  # the secret is shown only once
    assert Petition.objects.count() == 1


def test_posts_are_rate_limited_per_address(tree: Any, fields: Any, settings: Any) -> None:
    settings.DANVAN_OPEN311_POSTS_PER_MINUTE = 2
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert [_post(client).status_code for _ in range(3)] == [201, 201, 429]
    assert _post(client).json()[0]["code"] == 429
    assert _post(Client(REMOTE_ADDR="203.0.113.8")).status_code == 201
    assert Petition.objects.count() == 3


def test_wrong_method_and_denunciation_identity_never_out(tree: Any, fields: Any) -> None:
    assert Client().put(BASE + "requests.json").status_code == 405
    den = receive(tree["A1"], kind="denunciation", summary="Tố cáo")
    Petition.objects.filter(pk=den.pk).update(tracking_code="TOCAO123")
    r = Client().get(BASE + "requests/TOCAO123.json")
    assert r.status_code == 404  # not a recommendation or feedback: not on Open311 at all


def test_list_query_count(tree: Any, fields: Any, django_assert_max_num_queries: Any) -> None:
    client = Client()
    for i in range(5):
        _post(client, description=f"Đề nghị số {i}")
    with django_assert_max_num_queries(3):
        r = client.get(BASE + "requests.json")
    assert len(r.json()) == 5
