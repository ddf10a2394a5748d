"""/api/v1/oversight: dissemination sessions and their coverage, inspection plans, inspections, actions.

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
from danvan.legal.services import register_document
from danvan.oversight import services
from danvan.oversight.models import Dissemination, FollowUpAction, Inspection

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
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


def document(number: str, symbol: str) -> Any:
    return register_document(actor=None, doc_type="directive", number=number, symbol=symbol, issued_on=None,
                             issuer="Thủ tướng Chính phủ")


def session(unit: Any, title: str, docs: list[Any], *, days_ago: int = 10, **extra: Any) -> Dissemination:
    return services.record_dissemination(actor=None, org_unit=unit, title=title, held_on=_ago(days_ago),
                                         documents=docs, participants=extra.pop("participants", 40), **extra)


@pytest.fixture
def docs() -> dict[str, Any]:
    return {"ct33": document("33", "CT-TTg"), "kl114": document("114", "KL/TW")}


@pytest.fixture
def more(caller: Any, tree: dict[str, Any]) -> dict[str, Any]:
    return {"viewer": caller("xem", (tree["A1"], "viewer")),
            "head": caller("chutich", (tree["A1"], "head")),
            "province_head": caller("tinh", (tree["A"], "head"))}


@pytest.fixture
def inspection(tree: dict[str, Any]) -> Inspection:
    return services.record_inspection(actor=None, inspector=tree["A"], org_unit=tree["A1"], starts_on=_ago(40),
                                      ends_on=_ago(38), findings="Chưa niêm yết đủ thủ tục")


# =========================================================================== dissemination


def test_disseminations_scoped_filtered_and_paged(callers, anon, docs, tree, django_assert_max_num_queries):
    a1 = session(tree["A1"], "Quán triệt Chỉ thị 33", [docs["ct33"]])
    a2 = session(tree["A2"], "Quán triệt Kết luận 114", [docs["kl114"]], days_ago=20)
    b1 = session(tree["B1"], "Quán triệt", [docs["ct33"], docs["kl114"]])
    assert _ids(callers["commune"].api.get("/oversight/disseminations")) == [a1.pk]
    assert _ids(callers["sibling"].api.get("/oversight/disseminations")) == [a2.pk]
    assert _ids(callers["province"].api.get("/oversight/disseminations")) == [a1.pk, a2.pk]
    assert _ids(callers["other"].api.get("/oversight/disseminations")) == [b1.pk]
    assert _ids(callers["nobody"].api.get("/oversight/disseminations")) == []
    assert anon.get("/oversight/disseminations").status_code == 401
    api = callers["province"].api
    assert _ids(api.get(f"/oversight/disseminations?document={docs['kl114'].pk}")) == [a2.pk]
    assert _ids(api.get(f"/oversight/disseminations?year={YEAR - 3}")) == []
    assert api.get(f"/oversight/disseminations?unit={tree['B1'].pk}").status_code == 404
    for i in range(12):
        session(tree["A2"], f"Hội nghị {i}", [docs["ct33"], docs["kl114"]], days_ago=30 + i)
    api.get("/oversight/disseminations?limit=1")
    with django_assert_max_num_queries(4):  # token, scope, the page with units, the documents
        r = api.get("/oversight/disseminations?limit=8")
    assert len(_ids(r)) == 8 and r.json()["items"][0]["documents"][0]["citation"]
    rest = api.get(f"/oversight/disseminations?limit=8&cursor={r.json()['next_cursor']}")
    assert len(_ids(rest)) == 6 and rest.json()["next_cursor"] is None
    detail = callers["commune"].api.get(f"/oversight/disseminations/{a1.pk}").json()
    assert detail["participants"] == 40 and [d["id"] for d in detail["documents"]] == [docs["ct33"].pk]
    for who in ("sibling", "other", "nobody"):
        assert callers[who].api.get(f"/oversight/disseminations/{a1.pk}").status_code == 404


def test_record_edit_and_delete_a_session(callers, docs, tree, more):
    api = callers["commune"].api
    body = {"org_unit": tree["A1"].pk, "title": "Quán triệt Chỉ thị 33", "held_on": _iso(_ago(2)),
            "documents": [docs["ct33"].pk, docs["kl114"].pk], "participants": 55, "form": "Hội nghị"}
    r = api.post("/oversight/disseminations", json=body)
    assert r.status_code == 201, r.json()
    d = r.json()
    assert {x["id"] for x in d["documents"]} == {docs["ct33"].pk, docs["kl114"].pk}
    cases = [
        ({**body, "documents": []}, "documents"),
        ({**body, "documents": [999999]}, "documents"),
        ({**body, "title": ""}, "title"),
        ({**body, "participants": -1}, "participants"),
        ({**body, "held_on": _iso(TODAY + 5 * DAY)}, "held_on"),
        ({**body, "org_unit": tree["B1"].pk}, "org_unit"),
        ({**body, "unknown": 1}, "unknown"),
    ]
    for bad, field in cases:
        got = api.post("/oversight/disseminations", json=bad)
        assert got.status_code == 422 and field in _fields(got), (bad, got.json())
    assert api.post("/oversight/disseminations", json=body).status_code == 422  # twice
    assert Dissemination.objects.count() == 1
    assert more["viewer"].api.post("/oversight/disseminations", json={**body, "title": "Khác"}).status_code == 403

    changed = patch(api, f"/oversight/disseminations/{d['id']}", {"expected_version": d["lock_version"],
                                                                  "documents": [docs["kl114"].pk],
                                                                  "participants": 60})
    assert changed.status_code == 200, changed.json()
    assert [x["id"] for x in changed.json()["documents"]] == [docs["kl114"].pk]
    stale = patch(api, f"/oversight/disseminations/{d['id']}", {"expected_version": d["lock_version"],
                                                                "participants": 1})
    assert stale.status_code == 409
    assert Dissemination.objects.get(pk=d["id"]).participants == 60
    assert api.delete(f"/oversight/disseminations/{d['id']}?reason=x").status_code == 403  # an officer
    assert more["head"].api.delete(f"/oversight/disseminations/{d['id']}?reason=").status_code == 422
    assert more["head"].api.delete(f"/oversight/disseminations/{d['id']}?reason=Nhập nhầm").status_code == 204
    assert api.get(f"/oversight/disseminations/{d['id']}").status_code == 404


def test_coverage_of_a_document(callers, docs, tree, django_assert_max_num_queries):
    session(tree["A1"], "Quán triệt", [docs["ct33"]])
    session(tree["A1v"], "Quán triệt ở bản", [docs["ct33"]])  # villages do not count
    session(tree["A2"], "Quán triệt 114", [docs["kl114"]])
    api = callers["province"].api
    api.get("/oversight/disseminations?limit=1")
    with django_assert_max_num_queries(6):
        r = api.get(f"/oversight/disseminations/coverage?document={docs['ct33'].pk}&unit={tree['A'].pk}")
    body = r.json()
    # A, A1, A2, Adep must each hold their own session; only A1 did.
    assert (body["units_with_session"], body["units"], body["share"]) == (1, 4, 25.0)
    assert [u["id"] for u in body["missing"]] == sorted([tree["A"].pk, tree["A2"].pk, tree["Adep"].pk],
                                                        key=lambda pk: [u for u in tree.values() if u.pk == pk][0].path)
    small = api.get(f"/oversight/disseminations/coverage?document={docs['ct33'].pk}&missing_limit=1").json()
    assert small["unit"]["id"] == tree["A"].pk and len(small["missing"]) == 1
    mine = callers["commune"].api.get(f"/oversight/disseminations/coverage?document={docs['ct33'].pk}").json()
    assert (mine["units_with_session"], mine["units"], mine["missing"]) == (1, 1, [])
    assert api.get(f"/oversight/disseminations/coverage?document={docs['ct33'].pk}&unit={tree['B'].pk}"
                   ).status_code == 404
    assert api.get("/oversight/disseminations/coverage?document=999999").status_code == 404
    assert api.get("/oversight/disseminations/coverage").status_code == 422
    assert callers["nobody"].api.get(f"/oversight/disseminations/coverage?document={docs['ct33'].pk}"
                                     ).status_code == 404


# =========================================================================== inspection plans and inspections


def test_inspection_plans(callers, tree, more):
    api = callers["province"].api
    body = {"org_unit": tree["A"].pk, "kind": "inspection", "year": YEAR, "title": "Kiểm tra công tác dân vận",
            "starts_on": _iso(dt.date(YEAR, 3, 1)), "ends_on": _iso(dt.date(YEAR, 10, 31)),
            "units": [tree["A1"].pk, tree["A2"].pk], "content": "Việc thực hiện Chỉ thị 33"}
    r = api.post("/oversight/inspection-plans", json=body)
    assert r.status_code == 201, r.json()
    plan = r.json()
    assert {u["id"] for u in plan["units"]} == {tree["A1"].pk, tree["A2"].pk} and plan["inspections"] == []
    bad = api.post("/oversight/inspection-plans", json={**body, "ends_on": _iso(dt.date(YEAR, 1, 1))})
    assert bad.status_code == 422 and "ends_on" in _fields(bad)
    outside = api.post("/oversight/inspection-plans", json={**body, "units": [tree["B1"].pk]})
    assert outside.status_code == 422 and _fields(outside) == {"units"}
    above = callers["commune"].api.post("/oversight/inspection-plans", json=body)  # the parent unit
    assert above.status_code == 422 and _fields(above) == {"org_unit"}
    assert more["viewer"].api.post("/oversight/inspection-plans", json={
        **body, "org_unit": tree["A1"].pk, "kind": "self", "units": [tree["A1"].pk]}).status_code == 403
    selfplan = callers["commune"].api.post("/oversight/inspection-plans", json={
        **body, "org_unit": tree["A1"].pk, "kind": "self", "units": [tree["A1"].pk], "title": "Tự kiểm tra"})
    assert selfplan.status_code == 201, selfplan.json()
    assert _ids(callers["commune"].api.get("/oversight/inspection-plans")) == [selfplan.json()["id"]]
    assert set(_ids(api.get("/oversight/inspection-plans"))) == {plan["id"], selfplan.json()["id"]}
    assert _ids(api.get("/oversight/inspection-plans?kind=self")) == [selfplan.json()["id"]]
    assert callers["other"].api.get(f"/oversight/inspection-plans/{plan['id']}").status_code == 404

    done = api.post("/oversight/inspections", json={"inspector": tree["A"].pk, "org_unit": tree["A1"].pk,
                                                    "plan": plan["id"], "starts_on": _iso(_ago(5)),
                                                    "ends_on": _iso(_ago(4))})
    assert done.status_code == 201, done.json()
    assert done.json()["plan_id"] == plan["id"]
    notin = api.post("/oversight/inspections", json={"inspector": tree["A"].pk, "org_unit": tree["Adep"].pk,
                                                     "plan": plan["id"], "starts_on": _iso(_ago(5)),
                                                     "ends_on": _iso(_ago(4))})
    assert notin.status_code == 422 and _fields(notin) == {"org_unit"}
    detail = api.get(f"/oversight/inspection-plans/{plan['id']}").json()
    assert [i["id"] for i in detail["inspections"]] == [done.json()["id"]]
    assert more["viewer"].api.delete(f"/oversight/inspection-plans/{selfplan.json()['id']}?reason=x"
                                     ).status_code == 403
    head = more["province_head"].api
    used = head.delete(f"/oversight/inspection-plans/{plan['id']}?reason=Sai")
    assert used.status_code == 422 and _fields(used) == {"reason"}  # inspections were recorded under it
    assert head.delete(f"/oversight/inspection-plans/{selfplan.json()['id']}?reason=Sai").status_code == 204
    assert head.get(f"/oversight/inspection-plans/{selfplan.json()['id']}").status_code == 404


def test_inspections_seen_from_both_sides(callers, tree, inspection, more, django_assert_max_num_queries):
    i = inspection
    services.add_action(actor=None, inspection=i, text="Niêm yết đủ thủ tục", owner_unit=tree["A1"], due_on=_ago(10))
    services.add_action(actor=None, inspection=i, text="Bổ sung sổ theo dõi", owner_unit=tree["A1v"],
                        due_on=TODAY + 10 * DAY)
    other = services.record_inspection(actor=None, inspector=tree["B"], org_unit=tree["B1"], starts_on=_ago(3),
                                       ends_on=_ago(3))
    assert _ids(callers["commune"].api.get("/oversight/inspections")) == [i.pk]  # the unit inspected
    assert _ids(callers["province"].api.get("/oversight/inspections")) == [i.pk]  # the inspector
    assert _ids(callers["sibling"].api.get("/oversight/inspections")) == []
    assert _ids(callers["other"].api.get("/oversight/inspections")) == [other.pk]
    api = callers["commune"].api
    api.get("/oversight/inspections?limit=1")
    with django_assert_max_num_queries(3):
        listed = api.get("/oversight/inspections").json()["items"][0]
    assert (listed["actions"], listed["late_actions"]) == (2, 1)
    with django_assert_max_num_queries(4):
        d = api.get(f"/oversight/inspections/{i.pk}").json()
    assert [(a["text"], a["late"]) for a in d["follow_up"]] == [("Niêm yết đủ thủ tục", True),
                                                                 ("Bổ sung sổ theo dõi", False)]
    assert d["findings"] == "Chưa niêm yết đủ thủ tục"
    # Only the inspector writes the inspection; the unit inspected reads it.
    assert patch(api, f"/oversight/inspections/{i.pk}", {"expected_version": i.lock_version,
                                                        "conclusion": "Tốt"}).status_code == 403
    assert api.post(f"/oversight/inspections/{i.pk}/actions", json={
        "text": "X", "owner_unit": tree["A1"].pk, "due_on": _iso(TODAY)}).status_code == 403
    prov = callers["province"].api
    ok = patch(prov, f"/oversight/inspections/{i.pk}", {"expected_version": i.lock_version, "conclusion": "Đạt"})
    assert ok.status_code == 200 and ok.json()["conclusion"] == "Đạt"
    assert patch(prov, f"/oversight/inspections/{i.pk}", {"expected_version": i.lock_version,
                                                         "conclusion": "Khác"}).status_code == 409
    assert callers["sibling"].api.get(f"/oversight/inspections/{i.pk}").status_code == 404


def test_record_inspection_refuses_bad_input(callers, tree):
    api = callers["province"].api
    base = {"inspector": tree["A"].pk, "org_unit": tree["A1"].pk, "starts_on": _iso(_ago(5)), "ends_on": _iso(_ago(3))}
    cases = [
        ({**base, "ends_on": _iso(_ago(9))}, "ends_on"),
        ({**base, "starts_on": _iso(TODAY + 3 * DAY), "ends_on": _iso(TODAY + 4 * DAY)}, "starts_on"),
        ({**base, "org_unit": tree["B1"].pk}, "org_unit"),
        ({**base, "org_unit": 999999}, "org_unit"),
        ({**base, "inspector": tree["B"].pk}, "inspector"),
        ({**base, "plan": 999999}, "plan"),
        ({k: v for k, v in base.items() if k != "starts_on"}, "starts_on"),
    ]
    for body, field in cases:
        r = api.post("/oversight/inspections", json=body)
        assert r.status_code == 422 and field in _fields(r), (body, r.json())
    assert not Inspection.objects.exists()
    assert api.post("/oversight/inspections", json=base).status_code == 201
    assert api.post("/oversight/inspections", json=base).status_code == 422  # twice


def test_actions_added_listed_and_reported(callers, tree, inspection, more, django_assert_max_num_queries):
    prov = callers["province"].api
    r = prov.post(f"/oversight/inspections/{inspection.pk}/actions", json={
        "text": "Niêm yết đủ thủ tục hành chính", "owner_unit": tree["A1"].pk, "due_on": _iso(_ago(5))})
    assert r.status_code == 201, r.json()
    early = prov.post(f"/oversight/inspections/{inspection.pk}/actions", json={
        "text": "Khác", "owner_unit": tree["A1"].pk, "due_on": _iso(_ago(60))})
    assert early.status_code == 422 and _fields(early) == {"due_on"}
    wrong = prov.post(f"/oversight/inspections/{inspection.pk}/actions", json={
        "text": "Khác", "owner_unit": tree["A2"].pk, "due_on": _iso(TODAY)})
    assert wrong.status_code == 422 and _fields(wrong) == {"owner_unit"}
    for i in range(4):
        services.add_action(actor=None, inspection=inspection, text=f"Việc {i}", owner_unit=tree["A1v"],
                            due_on=TODAY + (i + 1) * DAY)
    api = callers["commune"].api
    api.get("/oversight/actions?limit=1")
    with django_assert_max_num_queries(3):
        page = api.get("/oversight/actions?limit=3")
    assert len(_ids(page)) == 3 and page.json()["items"][0]["late"] is True
    rest = api.get(f"/oversight/actions?limit=3&cursor={page.json()['next_cursor']}")
    assert len(_ids(rest)) == 2 and rest.json()["next_cursor"] is None
    action = FollowUpAction.objects.get(text="Niêm yết đủ thủ tục hành chính")
    assert _ids(api.get("/oversight/actions?late=true")) == [action.pk]
    assert len(_ids(api.get(f"/oversight/actions?unit={tree['A1v'].pk}"))) == 4
    assert _ids(callers["sibling"].api.get("/oversight/actions")) == []

    # The unit inspected reports its action done; late, it stays flagged.
    assert more["viewer"].api.post(f"/oversight/actions/{action.pk}/done", json={
        "expected_version": action.lock_version, "done_on": _iso(_ago(1)), "result": "Đã niêm yết"}).status_code == 403
    no_result = api.post(f"/oversight/actions/{action.pk}/done", json={
        "expected_version": action.lock_version, "done_on": _iso(_ago(1)), "result": ""})
    assert no_result.status_code == 422 and _fields(no_result) == {"result"}
    done = api.post(f"/oversight/actions/{action.pk}/done", json={
        "expected_version": action.lock_version, "done_on": _iso(_ago(1)), "result": "Đã niêm yết"})
    assert done.status_code == 200, done.json()
    assert done.json()["done_on"] == _iso(_ago(1)) and done.json()["late"] is True
    again = api.post(f"/oversight/actions/{action.pk}/done", json={
        "expected_version": action.lock_version, "done_on": _iso(_ago(1)), "result": "Lại"})
    assert again.status_code == 409
    assert _ids(api.get("/oversight/actions?open=false")) == [action.pk]
    assert callers["other"].api.post(f"/oversight/actions/{action.pk}/done", json={
        "expected_version": 2, "done_on": _iso(_ago(1)), "result": "x"}).status_code == 404
    assert more["province_head"].api.delete(f"/oversight/inspections/{inspection.pk}?reason=Nhập nhầm"
                                            ).status_code == 204
    assert api.get(f"/oversight/actions/{action.pk}/done").status_code == 405
    assert _ids(api.get("/oversight/actions")) == []
