"""/api/v1/petitions: work list, register, intake, workflow, handlers, reveal — every answer checked against OpenAPI."""
# ruff: noqa: F811 - pytest fixtures imported from fixtures_cases are redefined as arguments

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from danvan.accounts.services import create_api_token
from danvan.api.tests.conftest import ApiClient
from danvan.petitions import duplicates, services
from danvan.petitions.models import FilerIdentity, Petition, PetitionEvent

from .fixtures_cases import bring_to, fields, people, receive  # noqa: F401

pytestmark = pytest.mark.django_db

SECRET_NAME = "Trần Thị Tố Giác"
SECRET_BITS = ("Tố Giác", "To Giac", "Bản Thẳm", "0912345678", "079123456789")


def api(user: Any) -> ApiClient:
    """A client with the user's personal token (one token per user object)."""
    if not hasattr(user, "_test_api_client"):
        _, secret = create_api_token(user=user, name="test")
        user._test_api_client = ApiClient(secret)
    return user._test_api_client


def _body(**kw: Any) -> dict[str, Any]:
    body = {"org_unit": kw.pop("unit").pk, "received_on": "2026-07-10", "channel": "direct", "kind": "complaint",
            "summary": "Khiếu nại quyết định thu hồi đất", "filer_name": "Nguyễn Văn An"}
    body.update(kw)
    return body


@pytest.fixture
def cases(tree: dict[str, Any], fields: Any) -> dict[str, Petition]:
    a1 = receive(tree["A1"], summary="Khiếu nại về bồi thường đất ở")
    a1b = receive(tree["A1"], summary="Kiến nghị sửa đường", kind="recommendation", filer_name="Lò Văn Bình",
                  received_on=dt.date(2026, 8, 3))
    den = receive(tree["A1"], kind="denunciation", summary="Tố cáo cán bộ địa chính",
                  identity={"name": SECRET_NAME, "address": "Bản Thẳm", "phone": "0912345678",
                            "id_number": "079123456789"})
    a2 = receive(tree["A2"], summary="Khiếu nại ở phường")
    b1 = receive(tree["B1"], summary="Khiếu nại ở tỉnh khác")
    return {"a1": a1, "a1b": a1b, "den": den, "a2": a2, "b1": b1}


# --------------------------------------------------------------------------- the work list


def _ids(r: Any) -> set[int]:
    return {i["id"] for i in r.json()["items"]}


@pytest.mark.parametrize(("who", "sees"), [
    ("officer", {"a1", "a1b", "den"}),
    ("viewer", {"a1", "a1b", "den"}),
    ("province_officer", {"a1", "a1b", "den", "a2"}),
    ("other_commune", {"a2"}),
    ("other_province", {"b1"}),
    ("nobody", set()),
])
def test_worklist_scope(people: Any, cases: Any, who: str, sees: set[str]) -> None:
    r = api(people[who]).get("/petitions/worklist")
    assert r.status_code == 200
    assert _ids(r) == {cases[k].pk for k in sees}


def test_worklist_anonymous_is_401(cases: Any) -> None:
    assert ApiClient().get("/petitions/worklist").status_code == 401


def test_worklist_order_paging_and_fields(people: Any, cases: Any, tree: Any) -> None:
    client = api(people["province_officer"])
    seen: list[dict[str, Any]] = []
    after = None
    for _ in range(10):
        r = client.get("/petitions/worklist", data={"limit": 1, **({"after": after} if after else {})})
        assert r.status_code == 200
        seen.extend(r.json()["items"])
        after = r.json()["next"]
        if after is None:
            break
    assert [i["id"] for i in seen] == [p.pk for p in sorted(
        Petition.objects.filter(pk__in=[cases[k].pk for k in ("a1", "a1b", "den", "a2")]),
        key=lambda p: (p.next_due, p.pk))]
    item = next(i for i in seen if i["id"] == cases["a1"].pk)
    assert item["unit"] == {"id": tree["A1"].pk, "name": tree["A1"].name, "code": "03440"}
    assert item["deadline_state"] == "red"  # acceptance was due in July; today is later
    assert item["flags"] == {"prolonged": False, "over_level": False, "mass": False}
    assert item["lock_version"] == cases["a1"].lock_version


def test_worklist_unit_filter_and_its_boundary(people: Any, cases: Any, tree: Any) -> None:
    client = api(people["province_officer"])
    assert _ids(client.get("/petitions/worklist", data={"unit": tree["A2"].pk})) == {cases["a2"].pk}
    assert client.get("/petitions/worklist", data={"unit": tree["B1"].pk}).status_code == 404
    assert api(people["officer"]).get("/petitions/worklist", data={"unit": tree["A"].pk}).status_code == 404


def test_worklist_mass_flag(people: Any, tree: Any, fields: Any) -> None:
    p = receive(tree["A1"], kind="recommendation", filer_name="Bà con bản Thẳm", signers=7)
    item = api(people["officer"]).get("/petitions/worklist").json()["items"][0]
    assert item["id"] == p.pk and item["flags"]["mass"] is True


@pytest.mark.parametrize("after", ["nonsense", "WyJ4IiwgMV0", "WzEsIDJd"])
def test_worklist_bad_cursor_is_422(people: Any, cases: Any, after: str) -> None:
    r = api(people["officer"]).get("/petitions/worklist", data={"after": after})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "after"


def test_worklist_query_count_is_fixed(people: Any, tree: Any, fields: Any,
                                       django_assert_max_num_queries: Any) -> None:
    client = api(people["province_officer"])
    for i in range(30):
        receive(tree["A1" if i % 2 else "A2"], summary=f"Khiếu nại số {i}")
    with django_assert_max_num_queries(8):
        r = client.get("/petitions/worklist", data={"limit": 25, "unit": tree["A"].pk})
    assert len(r.json()["items"]) == 25


# --------------------------------------------------------------------------- the list


def test_list_filters_and_search_without_marks(people: Any, cases: Any) -> None:
    client = api(people["officer"])
    assert _ids(client.get("/petitions", data={"kind": "recommendation"})) == {cases["a1b"].pk}
    assert _ids(client.get("/petitions", data={"q": "boi THUONG"})) == {cases["a1"].pk}
    assert _ids(client.get("/petitions", data={"received_from": "2026-08-01"})) == {cases["a1b"].pk}
    assert _ids(client.get("/petitions", data={"status": "closed"})) == set()
    r = client.get("/petitions", data={"received_from": "2026-08-01", "received_to": "2026-07-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "received_to"
    assert client.get("/petitions", data={"kind": "petition"}).status_code == 422
    assert client.get("/petitions", data={"q": "x" * 201}).status_code == 422


def test_list_pages_through_everything(people: Any, cases: Any) -> None:
    client = api(people["province_officer"])
    ids: list[int] = []
    cursor = None
    while True:
        r = client.get("/petitions", data={"limit": 2, **({"cursor": cursor} if cursor else {})})
        ids += [i["id"] for i in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert sorted(ids) == sorted(cases[k].pk for k in ("a1", "a1b", "den", "a2")) and len(ids) == len(set(ids))


def test_list_query_count(people: Any, tree: Any, fields: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(20):
        receive(tree["A1"], summary=f"Khiếu nại {i}")
    client = api(people["officer"])
    with django_assert_max_num_queries(8):
        r = client.get("/petitions", data={"q": "khieu nai", "limit": 15})
    assert len(r.json()["items"]) == 15


# --------------------------------------------------------------------------- detail


@pytest.mark.parametrize(("who", "status"), [
    ("officer", 200), ("viewer", 200), ("province_officer", 200), ("other_commune", 404),
    ("other_province", 404), ("nobody", 404),
])
def test_detail_scope(people: Any, cases: Any, who: str, status: int) -> None:
    assert api(people[who]).get(f"/petitions/{cases['a1'].pk}").status_code == status


def test_detail_unknown_and_huge_ids_are_404(people: Any) -> None:
    client = api(people["officer"])
    assert client.get("/petitions/999999").status_code == 404
    assert client.get(f"/petitions/{2**70}").status_code == 404


def test_detail_query_count_does_not_grow_with_history(people: Any, cases: Any, fields: Any,
                                                       django_assert_max_num_queries: Any) -> None:
    p = bring_to(cases["a1"], "resolved", fields["land"])
    client = api(people["officer"])
    with django_assert_max_num_queries(12):
        r = client.get(f"/petitions/{p.pk}")
    body = r.json()
    assert [e["action"] for e in body["events"]] == ["receive", "classify", "accept", "resolve"]
    assert body["status"] == "resolved" and body["field"] == "land"
    assert "close" not in body["allowed_actions"]  # an officer does not sign
    assert "close" in api(people["head"]).get(f"/petitions/{p.pk}").json()["allowed_actions"]


# --------------------------------------------------------------------------- intake


def test_intake_creates_then_replays_with_the_same_key(people: Any, tree: Any, fields: Any) -> None:
    client = api(people["reception"])
    body = _body(unit=tree["A1"], field="land", signers=6)
    r1 = client.post("/petitions", json=body, headers={"Idempotency-Key": "k-1"})
    assert r1.status_code == 201
    assert r1.json()["field"] == "land" and r1.json()["flags"]["mass"] is True
    r2 = client.post("/petitions", json=body, headers={"Idempotency-Key": "k-1"})
    assert r2.status_code == 200 and r2.json()["id"] == r1.json()["id"]
    r3 = client.post("/petitions", json={**body, "idempotency_key": "k-1"})
    assert r3.status_code == 200 and r3.json()["id"] == r1.json()["id"]
    assert Petition.objects.filter(org_unit=tree["A1"]).count() == 1
    assert client.post("/petitions", json=body).status_code == 201  # no key: a new petition


def test_intake_denunciation_keeps_identity_out(people: Any, tree: Any, fields: Any) -> None:
    r = api(people["reception"]).post("/petitions", json=_body(
        unit=tree["A1"], kind="denunciation", filer_name="", summary="Tố cáo cán bộ",
        identity={"name": SECRET_NAME, "phone": "0912345678"}))
    assert r.status_code == 201
    assert not any(bit in r.content.decode() for bit in SECRET_BITS)
    assert FilerIdentity.objects.filter(petition_id=r.json()["id"]).exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"filer_name": ""}, "filer_name"),
    ({"received_on": "2099-01-01"}, "received_on"),
    ({"received_on": "10/07/2026"}, "received_on"),
    ({"field": "khong-co"}, "field"),
    ({"summary": "x" * 501}, "summary"),
    ({"summary": ""}, "summary"),
    ({"signers": "nhiều"}, "signers"),
    ({"signers": 0}, "signers"),
    ({"kind": "petition"}, "kind"),
    ({"anonymous": True, "filer_name": ""}, "anonymous"),
    ({"kind": "denunciation", "filer_name": "Ai đó"}, "filer_name"),
    ({"kind": "denunciation", "filer_name": ""}, "identity"),
    ({"channel": "forwarded"}, "forwarded_by"),
    ({"round": 2}, "first_round"),
    ({"unknown": 1}, "unknown"),
    ({"identity": {"name": "x", "shoe_size": 42}}, "identity.shoe_size"),
])
def test_intake_bad_input_is_422_with_the_field(people: Any, tree: Any, fields: Any,
                                                change: dict[str, Any], field: str) -> None:
    r = api(people["reception"]).post("/petitions", json=_body(unit=tree["A1"], **change))
    assert r.status_code == 422, r.content
    assert field in {e["field"] for e in r.json()["errors"]}
    assert not Petition.objects.exists()


@pytest.mark.parametrize(("who", "status"), [
    ("reception", 201), ("province_officer", 201), ("viewer", 403), ("head", 403),
    ("other_commune", 422), ("other_province", 422), ("nobody", 422),
])
def test_intake_permission(people: Any, tree: Any, fields: Any, who: str, status: int) -> None:
    r = api(people[who]).post("/petitions", json=_body(unit=tree["A1"]))
    assert r.status_code == status
    assert Petition.objects.count() == (1 if status == 201 else 0)


def test_intake_anonymous_and_session_without_csrf(tree: Any, people: Any, fields: Any) -> None:
    assert ApiClient().post("/petitions", json=_body(unit=tree["A1"])).status_code == 401
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["reception"])
    assert ApiClient(client=client).post("/petitions", json=_body(unit=tree["A1"])).status_code == 403


def test_intake_second_round_links_a_visible_first_round(people: Any, cases: Any, tree: Any) -> None:
    client = api(people["reception"])
    r = client.post("/petitions", json=_body(unit=tree["A1"], first_round=cases["a1"].pk))
    assert r.status_code == 201 and r.json()["round"] == 2 and r.json()["first_round_id"] == cases["a1"].pk
    r = client.post("/petitions", json=_body(unit=tree["A1"], first_round=cases["b1"].pk))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "first_round"


# --------------------------------------------------------------------------- transitions


def _move(client: ApiClient, p: Petition, **body: Any) -> Any:
    return client.post(f"/petitions/{p.pk}/transitions", json=body)


def test_transitions_happy_path_and_errors(people: Any, cases: Any) -> None:
    p = cases["a1"]
    officer = api(people["officer"])
    r = _move(officer, p, action="accept", expected_version=p.lock_version, accepted_on="2026-07-21")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "action"  # not classified yet
    r = _move(officer, p, action="classify", expected_version=p.lock_version, kind="complaint", field="land",
              eligible=True, competence="own")
    assert r.status_code == 200 and r.json()["status"] == "classified"
    version = r.json()["lock_version"]
    assert version == p.lock_version + 1
    r = _move(officer, p, action="accept", expected_version=p.lock_version, accepted_on="2026-07-21")
    assert r.status_code == 409  # stale
    r = _move(officer, p, action="accept", expected_version=version, accepted_on="2026-07-01")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "accepted_on"
    r = _move(officer, p, action="accept", expected_version=version)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "accepted_on"
    r = _move(officer, p, action="accept", expected_version=version, accepted_on="2026-07-21")
    assert r.status_code == 200 and r.json()["accepted_on"] == "2026-07-21"
    assert PetitionEvent.objects.filter(petition=p).count() == 3


@pytest.mark.parametrize(("body", "field"), [
    ({"action": "fly"}, "action"),
    ({"action": "classify", "kind": "complaint", "field": "khong-co", "eligible": True, "competence": "own"}, "field"),
    ({"action": "classify", "kind": "complaint", "field": "land", "eligible": "maybe", "competence": "own"},
     "eligible"),
    ({"action": "guide", "reason": "x" * 2001}, "reason"),
    ({"action": "forward", "to_unit": 99999}, "to_unit"),
])
def test_transition_bad_input(people: Any, cases: Any, body: dict[str, Any], field: str) -> None:
    p = cases["a1"]
    r = _move(api(people["officer"]), p, expected_version=p.lock_version, **body)
    assert r.status_code == 422 and field in {e["field"] for e in r.json()["errors"]}


@pytest.mark.parametrize(("who", "status"), [
    ("viewer", 403), ("other_commune", 404), ("other_province", 404), ("nobody", 404), ("reception", 200),
])
def test_transition_permission(people: Any, cases: Any, who: str, status: int) -> None:
    p = cases["a1"]
    r = _move(api(people[who]), p, action="classify", expected_version=p.lock_version, kind="complaint",
              field="land", eligible=True, competence="own")
    assert r.status_code == status
    p.refresh_from_db()
    assert p.status == ("classified" if status == 200 else "received")


# --------------------------------------------------------------------------- handlers and the identity


def test_handlers_and_reveal(people: Any, cases: Any) -> None:
    den = cases["den"]
    head = api(people["head"])
    assert api(people["officer"]).post(f"/petitions/{den.pk}/handlers",
                                       json={"user_id": people["handler"].pk}).status_code == 403
    r = head.post(f"/petitions/{den.pk}/handlers", json={"user_id": people["handler"].pk})
    assert r.status_code == 201 and r.json()["user_id"] == people["handler"].pk
    assert head.post(f"/petitions/{den.pk}/handlers", json={"user_id": people["viewer"].pk}).json()["errors"][0][
        "field"] == "user_id"
    handler = api(people["handler"])
    reason = {"reason": "Cần liên hệ để xác minh nội dung tố cáo"}
    r = handler.post(f"/petitions/{den.pk}/identity/reveal", json=reason)
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    assert r.json()["name"] == SECRET_NAME and r.json()["phone"] == "0912345678"
    assert handler.post(f"/petitions/{den.pk}/identity/reveal", json={"reason": "ngắn"}).status_code == 422
    for who in ("head", "officer", "admin", "province_head"):
        r = api(people[who]).post(f"/petitions/{den.pk}/identity/reveal", json=reason)
        assert r.status_code == 403 and SECRET_NAME not in r.content.decode()
    for who in ("other_commune", "other_province", "nobody"):
        assert api(people[who]).post(f"/petitions/{den.pk}/identity/reveal", json=reason).status_code == 404
    assert head.delete(f"/petitions/{den.pk}/handlers/{people['handler'].pk}").status_code == 204
    assert handler.post(f"/petitions/{den.pk}/identity/reveal", json=reason).status_code == 403
    assert head.delete(f"/petitions/{den.pk}/handlers/{people['handler'].pk}").status_code == 422


@pytest.mark.parametrize("who", ["officer", "head", "admin", "province_head", "province_officer", "handler"])
def test_identity_never_in_reads(people: Any, cases: Any, who: str) -> None:
    """Another officer of the unit, its head, an unassigned administrator, the level above: never the filer."""
    den = cases["den"]
    services.transition(actor=None, petition=den, action="withdraw", expected_version=den.lock_version,
                        reason=f"Người tố cáo {SECRET_NAME} rút đơn")
    client = api(people[who])
    answers = [
        client.get("/petitions/worklist"), client.get("/petitions"), client.get("/petitions", data={"q": "to cao"}),
        client.get(f"/petitions/{den.pk}"),
    ]
    if hasattr(duplicates, "candidates"):
        answers.append(client.get(f"/petitions/{den.pk}/duplicates"))
    for r in answers:
        assert r.status_code == 200
        text = r.content.decode()
        text += json.dumps(r.json(), ensure_ascii=True)
        assert not any(bit in text for bit in SECRET_BITS), r.request["PATH_INFO"]
    detail = answers[3].json()
    assert {e["reason"] for e in detail["events"]} == {""}
    assert detail["filer_name"] == "" and detail["can_reveal_identity"] is False


# --------------------------------------------------------------------------- duplicates (H5's functions)

needs_duplicates = pytest.mark.skipif(
    not (hasattr(duplicates, "candidates") and hasattr(duplicates, "link_duplicate")),
    reason="duplicates.candidates / link_duplicate are not written yet (H5)",
)


@needs_duplicates
def test_duplicates_and_link(people: Any, tree: Any, fields: Any) -> None:
    original = receive(tree["A1"], summary="Khiếu nại thu hồi đất nhà ông An ở bản Thẳm")
    copy = receive(tree["A1"], summary="Khiếu nại thu hồi đất nhà ông An ở bản Thẳm")
    receive(tree["B1"], summary="Khiếu nại thu hồi đất nhà ông An ở bản Thẳm")
    client = api(people["officer"])
    r = client.get(f"/petitions/{copy.pk}/duplicates")
    assert r.status_code == 200
    found = [i["petition"]["id"] for i in r.json()["items"]]
    assert original.pk in found and copy.pk not in found
    assert all(0 <= i["score"] <= 1 for i in r.json()["items"])
    r = client.get("/petitions/duplicates", data={"summary": "khieu nai thu hoi dat nha ong An"})
    assert original.pk in [i["petition"]["id"] for i in r.json()["items"]]
    assert client.get("/petitions/duplicates", data={"summary": "x", "unit": tree["B1"].pk}).status_code == 404
    r = client.post(f"/petitions/{copy.pk}/duplicate-of", json={"original": original.pk})
    assert r.status_code == 200 and r.json()["duplicate_of_id"] == original.pk


def test_duplicate_of_needs_a_visible_original(people: Any, cases: Any) -> None:
    r = api(people["officer"]).post(f"/petitions/{cases['a1'].pk}/duplicate-of", json={"original": cases["b1"].pk})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "original"
    r = api(people["other_province"]).post(f"/petitions/{cases['a1'].pk}/duplicate-of",
                                           json={"original": cases["b1"].pk})
    assert r.status_code == 404



def test_action_codes_match_the_workflow_table() -> None:
    from typing import get_args

    from danvan.petitions.api_schemas import ActionCode
    from danvan.petitions.workflow import ACTIONS

    assert set(get_args(ActionCode)) == set(ACTIONS)
