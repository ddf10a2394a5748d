"""/api/v1/dialogues: dialogues, commitments, progress, report-back, the yearly Front dialogue check.

Every answer goes through the API conftest's OpenAPI checker (status listed, body valid, no
undocumented field).
"""
# ruff: noqa: F811 - pytest fixtures imported from the API conftest are redefined as arguments

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from danvan.api.tests.conftest import ApiClient, anon, caller, callers  # noqa: F401
from danvan.dialogues import commitments, services
from danvan.dialogues.models import Commitment, CommitmentUpdate, Dialogue

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def _ago(days: int) -> dt.date:
    return TODAY - days * DAY


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _ids(r: Any) -> list[int]:
    return [i["id"] for i in r.json()["items"]]


def _fields(r: Any) -> set[str | None]:
    return {e["field"] for e in r.json()["errors"]}


def patch(api: ApiClient, path: str, body: dict[str, Any]) -> Any:
    return api.request("PATCH", path, json=body)


def dialogue(unit: Any, title: str, *, days_ago: int = 30, kind: str = "citizens", **extra: Any) -> Dialogue:
    return services.create_dialogue(actor=None, org_unit=unit, kind=kind, title=title, held_on=_ago(days_ago),
                                    **extra)


def promise(d: Dialogue, text: str, owner: Any, due: dt.date, **extra: Any) -> Commitment:
    return commitments.add_commitment(actor=None, dialogue=d, text=text, owner_unit=owner, due_on=due, **extra)


@pytest.fixture
def more(caller: Any, tree: dict[str, Any]) -> dict[str, Any]:
    return {"viewer": caller("xem", (tree["A1"], "viewer")),
            "head": caller("chutich", (tree["A1"], "head")),
            "village": caller("thon", (tree["A1v"], "officer")),
            "dept": caller("so", (tree["Adep"], "officer"))}


@pytest.fixture
def world(tree: dict[str, Any]) -> dict[str, Any]:
    a1 = dialogue(tree["A1"], "Đối thoại với Nhân dân quý I", days_ago=60)
    a2 = dialogue(tree["A2"], "Đối thoại với doanh nghiệp", kind="businesses")
    b1 = dialogue(tree["B1"], "Tiếp xúc cử tri", kind="voters")
    road = promise(a1, "Sửa đường vào bản Thẳm", tree["A1v"], _ago(10))
    light = promise(a1, "Lắp đèn đường trục chính", tree["A1"], TODAY + 3 * DAY)
    school = promise(a1, "Sửa trường mầm non", tree["Adep"], TODAY + 60 * DAY)
    done = promise(a1, "Nạo vét mương", tree["A1"], _ago(20))
    commitments.report_progress(actor=None, commitment=done, expected_version=done.lock_version, status="done",
                                done_on=_ago(25), evidence="Biên bản nghiệm thu")
    return {"a1": a1, "a2": a2, "b1": b1, "road": road, "light": light, "school": school, "done": done}


# =========================================================================== dialogues


def test_list_is_scoped(callers, anon, world, more):
    w = world
    assert _ids(callers["commune"].api.get("/dialogues")) == [w["a1"].pk]
    assert _ids(callers["sibling"].api.get("/dialogues")) == [w["a2"].pk]
    assert set(_ids(callers["province"].api.get("/dialogues"))) == {w["a1"].pk, w["a2"].pk}
    assert _ids(callers["other"].api.get("/dialogues")) == [w["b1"].pk]
    assert _ids(more["dept"].api.get("/dialogues")) == []  # owns a commitment, not the dialogue
    assert callers["nobody"].api.get("/dialogues").json() == {"items": [], "next_cursor": None}
    assert anon.get("/dialogues").status_code == 401


def test_list_filters_pages_and_counts_queries(callers, world, tree, django_assert_max_num_queries):
    api = callers["province"].api
    assert _ids(api.get("/dialogues?kind=businesses")) == [world["a2"].pk]
    assert _ids(api.get(f"/dialogues?unit={tree['A1'].pk}")) == [world["a1"].pk]
    assert api.get(f"/dialogues?unit={tree['B1'].pk}").status_code == 404
    assert api.get("/dialogues?kind=party").status_code == 422
    assert _ids(api.get(f"/dialogues?year={TODAY.year - 5}")) == []
    for i in range(15):
        dialogue(tree["A2"], f"Đối thoại {i}", days_ago=i + 1)
    api.get("/dialogues?limit=1")
    with django_assert_max_num_queries(3):  # token, scope, the page with units
        r = api.get("/dialogues?limit=10")
    first = _ids(r)
    assert len(first) == 10
    rest = api.get(f"/dialogues?limit=10&cursor={r.json()['next_cursor']}")
    assert len(_ids(rest)) == 7 and not set(first) & set(_ids(rest)) and rest.json()["next_cursor"] is None
    bad = api.get("/dialogues?cursor=bm90LWpzb24")
    assert bad.status_code == 422 and _fields(bad) == {"cursor"}


def test_detail_has_commitments_states_and_summary(callers, world, django_assert_max_num_queries):
    api = callers["commune"].api
    api.get("/dialogues?limit=1")
    with django_assert_max_num_queries(8):
        r = api.get(f"/dialogues/{world['a1'].pk}")
    body = r.json()
    states = {c["text"]: c["state"] for c in body["commitments"]}
    assert states == {"Sửa đường vào bản Thẳm": "overdue", "Lắp đèn đường trục chính": "due_soon",
                      "Sửa trường mầm non": "on_track", "Nạo vét mương": "done_on_time"}
    assert [c["number"] for c in body["commitments"]] == [1, 2, 3, 4]
    assert body["summary"] == {"made": 4, "done": 1, "kept_on_time": 1, "overdue": 1, "open": 3}
    assert body["to_report_back"] == [] and body["attachments"] == []
    for who in ("sibling", "other", "nobody"):
        assert callers[who].api.get(f"/dialogues/{world['a1'].pk}").status_code == 404
    assert api.get("/dialogues/999999").status_code == 404


def test_create_edit_hold_and_cancel(callers, tree, more):
    api = callers["commune"].api
    planned = api.post("/dialogues", json={
        "org_unit": tree["A1"].pk, "kind": "front", "title": "Đối thoại UBND xã với MTTQ",
        "held_on": _iso(TODAY + 5 * DAY), "starts_at": "08:00:00", "place": "Hội trường xã"})
    assert planned.status_code == 201, planned.json()
    p = planned.json()
    assert p["status"] == "planned" and p["starts_at"] == "08:00:00"
    early = api.post(f"/dialogues/{p['id']}/held", json={"expected_version": p["lock_version"], "participants": 40})
    assert early.status_code == 422 and _fields(early) == {"status"}
    moved = patch(api, f"/dialogues/{p['id']}", {"expected_version": p["lock_version"], "held_on": _iso(TODAY),
                                                 "starts_at": None})
    assert moved.status_code == 200, moved.json()
    assert moved.json()["starts_at"] is None and moved.json()["place"] == "Hội trường xã"
    stale = api.post(f"/dialogues/{p['id']}/held", json={"expected_version": p["lock_version"], "participants": 40})
    assert stale.status_code == 409
    held = api.post(f"/dialogues/{p['id']}/held", json={"expected_version": moved.json()["lock_version"],
                                                        "participants": 45, "minutes": "Biên bản"})
    assert held.status_code == 200 and held.json()["status"] == "held" and held.json()["participants"] == 45
    cancel = api.post(f"/dialogues/{p['id']}/cancel", json={"expected_version": held.json()["lock_version"],
                                                            "reason": "Trùng lịch"})
    assert cancel.status_code == 422  # only a planned one
    other = api.post("/dialogues", json={"org_unit": tree["A1"].pk, "kind": "citizens", "title": "Đối thoại quý III",
                                         "held_on": _iso(TODAY + 30 * DAY)}).json()
    no_reason = api.post(f"/dialogues/{other['id']}/cancel", json={"expected_version": other["lock_version"],
                                                                   "reason": ""})
    assert no_reason.status_code == 422 and _fields(no_reason) == {"reason"}
    gone = api.post(f"/dialogues/{other['id']}/cancel", json={"expected_version": other["lock_version"],
                                                              "reason": "Bão"})
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    assert more["viewer"].api.post("/dialogues", json={"org_unit": tree["A1"].pk, "kind": "citizens", "title": "T",
                                                       "held_on": _iso(TODAY)}).status_code == 403
    assert api.delete(f"/dialogues/{other['id']}?reason=x").status_code == 403  # officer
    assert more["head"].api.delete(f"/dialogues/{other['id']}?reason=Nhập nhầm").status_code == 204
    assert api.get(f"/dialogues/{other['id']}").status_code == 404


def test_create_refuses_bad_input(callers, tree, world):
    api = callers["commune"].api
    base = {"org_unit": tree["A1"].pk, "kind": "citizens", "title": "Đối thoại", "held_on": _iso(_ago(1))}
    cases = [
        ({k: v for k, v in base.items() if k != "title"}, "title"),
        ({**base, "title": "x" * 256}, "title"),
        ({**base, "kind": "party"}, "kind"),
        ({**base, "held_on": "hôm qua"}, "held_on"),
        ({**base, "participants": -3}, "participants"),
        ({**base, "previous": world["a2"].pk}, "previous"),  # not visible to the caller
        ({**base, "org_unit": tree["B1"].pk}, "org_unit"),
        ({**base, "extra": 1}, "extra"),
    ]
    count = Dialogue.objects.count()
    for body, field in cases:
        r = api.post("/dialogues", json=body)
        assert r.status_code == 422 and field in _fields(r), (body, r.json())
    later = api.post("/dialogues", json={**base, "previous": world["a1"].pk})
    assert later.status_code == 201
    assert [c["text"] for c in later.json()["to_report_back"]][0] == "Sửa đường vào bản Thẳm"
    assert api.post("/dialogues", json={**base, "previous": world["a1"].pk}).status_code == 422  # twice
    assert Dialogue.objects.count() == count + 1


# =========================================================================== commitments


def test_add_commitment(callers, world, tree, more):
    api = callers["commune"].api
    d = world["a1"]
    r = api.post(f"/dialogues/{d.pk}/commitments", json={
        "text": "Cấp nước sạch cho bản", "owner_unit": tree["A1v"].pk, "due_on": _iso(TODAY + 90 * DAY),
        "owner_person": "Trưởng bản"})
    assert r.status_code == 201, r.json()
    assert r.json()["number"] == 5 and r.json()["state"] == "on_track" and r.json()["updates"] == []
    assert r.json()["dialogue"]["id"] == d.pk and r.json()["owner_unit"]["id"] == tree["A1v"].pk
    cases = [
        ({"text": "Không chủ", "due_on": _iso(TODAY)}, "owner_unit"),
        ({"text": "Cấp nước sạch cho bản", "owner_unit": tree["A1"].pk, "due_on": _iso(TODAY)}, "text"),
        ({"text": "Quá sớm", "owner_unit": tree["A1"].pk, "due_on": _iso(_ago(90))}, "due_on"),
        ({"text": "Tỉnh khác", "owner_unit": tree["B1"].pk, "due_on": _iso(TODAY)}, "owner_unit"),
        ({"text": "Không có", "owner_unit": 999999, "due_on": _iso(TODAY)}, "owner_unit"),
        ({"text": "", "owner_unit": tree["A1"].pk, "due_on": _iso(TODAY)}, "text"),
    ]
    for body, field in cases:
        bad = api.post(f"/dialogues/{d.pk}/commitments", json=body)
        assert bad.status_code == 422 and field in _fields(bad), (body, bad.json())
    assert Commitment.objects.filter(dialogue=d).count() == 5
    body = {"text": "T", "owner_unit": tree["A1"].pk, "due_on": _iso(TODAY)}
    assert more["viewer"].api.post(f"/dialogues/{d.pk}/commitments", json=body).status_code == 403
    assert callers["sibling"].api.post(f"/dialogues/{d.pk}/commitments", json=body).status_code == 404
    planned = dialogue(tree["A1"], "Sắp tới", days_ago=-5)
    not_held = api.post(f"/dialogues/{planned.pk}/commitments", json=body)
    assert not_held.status_code == 422 and _fields(not_held) == {"dialogue"}


def test_commitment_list_scope_filters_and_queries(callers, world, tree, more, django_assert_max_num_queries):
    w = world
    dept = more["dept"].api.get("/dialogues/commitments")
    assert _ids(dept) == [w["school"].pk]  # the owner unit sees what it must keep
    assert more["dept"].api.get(f"/dialogues/commitments/{w['school'].pk}").status_code == 200
    assert more["dept"].api.get(f"/dialogues/commitments/{w['road'].pk}").status_code == 404
    api = callers["commune"].api
    assert _ids(api.get("/dialogues/commitments")) == [w["done"].pk, w["road"].pk, w["light"].pk, w["school"].pk]
    assert _ids(api.get("/dialogues/commitments?state=overdue")) == [w["road"].pk]
    assert _ids(api.get("/dialogues/commitments?state=done_on_time")) == [w["done"].pk]
    assert _ids(api.get("/dialogues/commitments?status=done")) == [w["done"].pk]
    assert _ids(api.get(f"/dialogues/commitments?unit={tree['A1v'].pk}")) == [w["road"].pk]
    assert _ids(callers["province"].api.get(f"/dialogues/commitments?unit={tree['Adep'].pk}")) == [w["school"].pk]
    assert api.get("/dialogues/commitments?state=late").status_code == 422
    assert _ids(callers["sibling"].api.get("/dialogues/commitments")) == []
    for i in range(12):
        promise(w["a2"], f"Hứa {i}", tree["A2"], TODAY + i * DAY)
    prov = callers["province"].api
    prov.get("/dialogues?limit=1")
    with django_assert_max_num_queries(3):  # token, scope, the page with dialogues and units
        r = prov.get("/dialogues/commitments?limit=10")
    assert len(_ids(r)) == 10
    rest = prov.get(f"/dialogues/commitments?limit=10&cursor={r.json()['next_cursor']}")
    assert len(_ids(rest)) == 6 and not set(_ids(r)) & set(_ids(rest))


def test_progress_by_owner_unit(callers, world, more):
    c = world["school"]
    dept = more["dept"].api
    done_no_evidence = dept.post(f"/dialogues/commitments/{c.pk}/progress", json={
        "expected_version": c.lock_version, "status": "done", "done_on": _iso(TODAY)})
    assert done_no_evidence.status_code == 422 and _fields(done_no_evidence) == {"evidence"}
    future = dept.post(f"/dialogues/commitments/{c.pk}/progress", json={
        "expected_version": c.lock_version, "status": "done", "done_on": _iso(TODAY + DAY), "evidence": "Ảnh"})
    assert future.status_code == 422 and _fields(future) == {"done_on"}
    dropped = dept.post(f"/dialogues/commitments/{c.pk}/progress", json={
        "expected_version": c.lock_version, "status": "dropped"})
    assert dropped.status_code == 422 and _fields(dropped) == {"note"}
    step = dept.post(f"/dialogues/commitments/{c.pk}/progress", json={
        "expected_version": c.lock_version, "status": "in_progress", "note": "Đã khảo sát"})
    assert step.status_code == 200, step.json()
    assert step.json()["status"] == "in_progress" and step.json()["updates"][0]["note"] == "Đã khảo sát"
    assert step.json()["updates"][0]["by"]
    stale = dept.post(f"/dialogues/commitments/{c.pk}/progress", json={
        "expected_version": c.lock_version, "status": "done", "done_on": _iso(TODAY), "evidence": "Ảnh"})
    assert stale.status_code == 409 and CommitmentUpdate.objects.filter(commitment=c).count() == 1
    done = dept.post(f"/dialogues/commitments/{c.pk}/progress", json={
        "expected_version": step.json()["lock_version"], "status": "done", "done_on": _iso(TODAY),
        "evidence": "Biên bản bàn giao"})
    assert done.status_code == 200 and done.json()["state"] == "done_on_time"
    # The owner unit reports progress but may not rewrite the promise.
    assert patch(dept, f"/dialogues/commitments/{c.pk}", {"expected_version": done.json()["lock_version"],
                                                          "text": "Khác"}).status_code == 403
    assert more["viewer"].api.post(f"/dialogues/commitments/{c.pk}/progress", json={
        "expected_version": done.json()["lock_version"], "status": "open", "note": "x"}).status_code == 403


def test_update_and_delete_commitment(callers, world, tree, more):
    c = world["light"]
    api = callers["commune"].api
    r = patch(api, f"/dialogues/commitments/{c.pk}", {"expected_version": c.lock_version, "due_on": _iso(TODAY + 40 * DAY),
                                                      "owner_unit": tree["A1v"].pk})
    assert r.status_code == 200, r.json()
    assert r.json()["state"] == "on_track" and r.json()["owner_unit"]["id"] == tree["A1v"].pk
    assert patch(api, f"/dialogues/commitments/{c.pk}", {"expected_version": c.lock_version,
                                                         "text": "X"}).status_code == 409
    null = patch(api, f"/dialogues/commitments/{c.pk}", {"expected_version": r.json()["lock_version"],
                                                         "owner_unit": None})
    assert null.status_code == 422 and _fields(null) == {"owner_unit"}
    finished = patch(api, f"/dialogues/commitments/{world['done'].pk}", {
        "expected_version": Commitment.objects.get(pk=world["done"].pk).lock_version, "due_on": _iso(TODAY)})
    assert finished.status_code == 422 and _fields(finished) == {"due_on"}
    assert api.delete(f"/dialogues/commitments/{c.pk}").status_code == 422  # the reason is required
    assert api.delete(f"/dialogues/commitments/{c.pk}?reason=Nhập trùng").status_code == 204
    assert api.get(f"/dialogues/commitments/{c.pk}").status_code == 404
    assert c.pk not in _ids(api.get("/dialogues/commitments"))


def test_report_back(callers, world, tree):
    api = callers["commune"].api
    later = services.create_dialogue(actor=None, org_unit=tree["A1"], kind="citizens", title="Đối thoại quý II",
                                     held_on=_ago(1), previous=world["a1"])
    detail = api.get(f"/dialogues/{later.pk}").json()
    assert [c["id"] for c in detail["to_report_back"]] == [world[k].pk for k in ("road", "light", "school", "done")]
    other = api.post(f"/dialogues/{later.pk}/report-back", json={"commitment_ids": [world["road"].pk, 999999]})
    assert other.status_code == 422 and _fields(other) == {"commitment_ids"}
    assert api.post(f"/dialogues/{later.pk}/report-back", json={"commitment_ids": []}).status_code == 422
    ok = api.post(f"/dialogues/{later.pk}/report-back", json={"commitment_ids": [world["road"].pk, world["done"].pk]})
    assert ok.status_code == 200 and ok.json() == {"reported": 2}
    after = api.get(f"/dialogues/commitments/{world['road'].pk}").json()
    assert after["reported_at_id"] == later.pk
    assert callers["sibling"].api.post(f"/dialogues/{later.pk}/report-back",
                                       json={"commitment_ids": [world["road"].pk]}).status_code == 404


# =========================================================================== the yearly Front dialogue


def test_front_dialogue_missing(callers, tree, world):
    year = TODAY.year
    prov = callers["province"].api
    r = prov.get(f"/dialogues/front-dialogue-missing?year={year}")
    assert r.status_code == 200 and r.json()["year"] == year
    assert {u["id"] for u in r.json()["items"]} == {tree["A1"].pk, tree["A2"].pk}
    dialogue(tree["A1"], "Đối thoại UBND xã với MTTQ", kind="front", days_ago=0)
    assert [u["id"] for u in prov.get("/dialogues/front-dialogue-missing").json()["items"]] == [tree["A2"].pk]
    assert callers["commune"].api.get("/dialogues/front-dialogue-missing").json()["items"] == []
    assert [u["id"] for u in callers["other"].api.get("/dialogues/front-dialogue-missing").json()["items"]] == [
        tree["B1"].pk]
    assert prov.get(f"/dialogues/front-dialogue-missing?unit={tree['B1'].pk}").status_code == 404
    last_year = prov.get(f"/dialogues/front-dialogue-missing?year={year - 1}&limit=1").json()
    assert len(last_year["items"]) == 1 and last_year["next_cursor"]
    second = prov.get(f"/dialogues/front-dialogue-missing?year={year - 1}&limit=1&cursor={last_year['next_cursor']}")
    assert second.json()["next_cursor"] is None
    assert {u["id"] for u in last_year["items"] + second.json()["items"]} == {tree["A1"].pk, tree["A2"].pk}
    assert prov.get("/dialogues/front-dialogue-missing?year=1990").status_code == 422
