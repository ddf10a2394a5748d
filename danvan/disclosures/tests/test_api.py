"""/api/v1/grassroots: disclosures, quarterly lists, decisions, consultations, boards, Front supervision.

Every answer goes through the API conftest's OpenAPI checker (status listed, body valid, no
undocumented field), so these tests also pin the schema to what the code returns.
"""
# ruff: noqa: F811 - pytest fixtures imported from the API conftest are redefined as arguments

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from danvan.api.tests.conftest import ApiClient, anon, caller, callers  # noqa: F401
from danvan.disclosures import boards, decisions, services
from danvan.disclosures.models import (
    BoardFinding,
    BoardMember,
    Consultation,
    Disclosure,
    DisclosureCategory,
    FrontSupervision,
    PeopleBoard,
    QuarterlyList,
    ResidentDecision,
)
from danvan.orgs import services as org_services

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def _ago(days: int) -> dt.date:
    return TODAY - days * DAY


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _ids(r: Any) -> set[int]:
    return {i["id"] for i in r.json()["items"]}


def _fields(r: Any) -> set[str | None]:
    return {e["field"] for e in r.json()["errors"]}


def patch(api: ApiClient, path: str, body: dict[str, Any]) -> Any:
    return api.request("PATCH", path, json=body)


def disclosure(unit: Any, title: str, *, category: str = "budget", decided_on: dt.date | None = None,
               **extra: Any) -> Disclosure:
    return services.create_disclosure(actor=None, org_unit=unit, category=DisclosureCategory.objects.get(code=category),
                                      title=title, decided_on=decided_on, **extra)


@pytest.fixture
def more(caller: Any, tree: dict[str, Any]) -> dict[str, Any]:
    return {"viewer": caller("xem", (tree["A1"], "viewer")),
            "head": caller("chutich", (tree["A1"], "head")),
            "village": caller("thon", (tree["A1v"], "officer"))}


@pytest.fixture
def disclosures(tree: dict[str, Any]) -> dict[str, Disclosure]:
    return {"a1": disclosure(tree["A1"], "Dự toán ngân sách xã 2026", decided_on=_ago(2)),
            "a1v": disclosure(tree["A1v"], "Đóng góp làm đường bản", category="contributions"),
            "a2": disclosure(tree["A2"], "Dự toán ngân sách phường"),
            "b1": disclosure(tree["B1"], "Quyết toán ngân sách")}


# =========================================================================== disclosures


def test_categories_are_the_laws_fourteen(callers, anon):
    r = callers["nobody"].api.get("/grassroots/categories")
    items = r.json()["items"]
    assert len(items) == 14 and items[0]["article_point"] == "Đ11.1"
    assert {i["code"]: i["loudspeaker_days"] for i in items}["projects_land"] == 3
    assert anon.get("/grassroots/categories").status_code == 401


def test_disclosure_list_is_scoped(callers, anon, disclosures, more):
    d = disclosures
    api = lambda who: callers[who].api  # noqa: E731
    assert _ids(api("commune").get("/grassroots/disclosures")) == {d["a1"].pk, d["a1v"].pk}
    assert _ids(api("sibling").get("/grassroots/disclosures")) == {d["a2"].pk}
    assert _ids(api("province").get("/grassroots/disclosures")) == {d["a1"].pk, d["a1v"].pk, d["a2"].pk}
    assert _ids(api("other").get("/grassroots/disclosures")) == {d["b1"].pk}
    assert _ids(more["village"].api.get("/grassroots/disclosures")) == {d["a1v"].pk}
    assert api("nobody").get("/grassroots/disclosures").json() == {"items": [], "next_cursor": None}
    assert anon.get("/grassroots/disclosures").status_code == 401
    assert ApiClient("dvk_not-a-token").get("/grassroots/disclosures").status_code == 401


def test_disclosure_list_filters_pages_and_counts_queries(callers, disclosures, tree, django_assert_max_num_queries):
    api = callers["province"].api
    d = disclosures
    assert _ids(api.get(f"/grassroots/disclosures?unit={tree['A2'].pk}")) == {d["a2"].pk}
    assert _ids(api.get("/grassroots/disclosures?category=contributions")) == {d["a1v"].pk}
    assert api.get(f"/grassroots/disclosures?unit={tree['B1'].pk}").status_code == 404
    assert api.get("/grassroots/disclosures?status=nonsense").status_code == 422
    bad = api.get("/grassroots/disclosures?cursor=bm90LWpzb24")
    assert bad.status_code == 422 and _fields(bad) == {"cursor"}
    seen, cursor = [], None
    while True:
        page = api.get("/grassroots/disclosures?limit=2" + (f"&cursor={cursor}" if cursor else "")).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 3
    for i in range(20):
        disclosure(tree["A2"], f"Thêm {i}", decided_on=_ago(40))
    with django_assert_max_num_queries(3):  # token, scope, the page with units and categories
        r = api.get("/grassroots/disclosures?limit=50")
    assert len(r.json()["items"]) == 23
    late = api.get("/grassroots/disclosures?problem=late&limit=50")
    assert len(late.json()["items"]) == 20 and all(i["problems"] == ["late"] for i in late.json()["items"])


def test_create_publish_withdraw_and_delete(callers, more, tree):
    api = callers["commune"].api
    r = api.post("/grassroots/disclosures", json={
        "org_unit": tree["A1"].pk, "category": "projects_land", "title": "Thu hồi đất làm trường",
        "decided_on": _iso(_ago(3)), "forms": ["posting", "loudspeaker"], "loudspeaker_days": 1,
        "place": "Nhà văn hoá xã"})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "draft" and body["due_on"] is not None and body["unit"]["id"] == tree["A1"].pk
    assert body["forms"] == ["posting", "loudspeaker"] and body["category_name"]
    pk, version = body["id"], body["lock_version"]
    stale = api.post(f"/grassroots/disclosures/{pk}/publish", json={"expected_version": version + 3})
    assert stale.status_code == 409 and Disclosure.objects.get(pk=pk).status == "draft"
    pub = api.post(f"/grassroots/disclosures/{pk}/publish", json={"expected_version": version,
                                                                    "disclosed_on": _iso(_ago(1))})
    assert pub.status_code == 200, pub.json()
    out = pub.json()
    assert out["status"] == "published" and out["posting_ends_on"] == _iso(_ago(1) + 29 * DAY)
    assert out["problems"] == ["loudspeaker"] and out["problem_details"][0]["code"] == "loudspeaker"
    again = api.post(f"/grassroots/disclosures/{pk}/publish", json={"expected_version": out["lock_version"]})
    assert again.status_code == 422 and _fields(again) == {"status"}
    no_reason = api.post(f"/grassroots/disclosures/{pk}/withdraw", json={"expected_version": out["lock_version"],
                                                                           "reason": "  "})
    assert no_reason.status_code == 422 and _fields(no_reason) == {"reason"}
    wd = api.post(f"/grassroots/disclosures/{pk}/withdraw", json={"expected_version": out["lock_version"],
                                                                    "reason": "Thay bằng quyết định mới"})
    assert wd.status_code == 200 and wd.json()["status"] == "withdrawn"
    assert api.delete(f"/grassroots/disclosures/{pk}?reason=nhầm").status_code == 403  # officer: no delete
    assert more["head"].api.delete(f"/grassroots/disclosures/{pk}").status_code == 422  # reason required
    assert more["head"].api.delete(f"/grassroots/disclosures/{pk}?reason=Nhập nhầm").status_code == 204
    assert api.get(f"/grassroots/disclosures/{pk}").status_code == 404
    assert Disclosure.objects.get(pk=pk).deleted_at is not None


def test_create_refuses_bad_input_and_saves_nothing(callers, tree):
    api = callers["commune"].api
    unit = tree["A1"].pk
    base = {"org_unit": unit, "category": "budget", "title": "Dự toán"}
    cases = [
        ({"org_unit": unit, "category": "budget"}, "title"),
        ({**base, "title": "x" * 256}, "title"),
        ({**base, "title": "   "}, "title"),
        ({**base, "category": "khong-co"}, "category"),
        ({**base, "disclosed_on": _iso(_ago(5)), "posting_ends_on": _iso(_ago(6))}, "posting_ends_on"),
        ({**base, "decided_on": _iso(TODAY + DAY)}, "decided_on"),
        ({**base, "decided_on": "31/12/2025"}, "decided_on"),
        ({**base, "forms": ["fax"]}, "forms.0"),
        ({**base, "loudspeaker_days": 3}, "loudspeaker_days"),
        ({**base, "hacker": 1}, "hacker"),
        ({**base, "org_unit": tree["B1"].pk}, "org_unit"),
        ({**base, "org_unit": "abc"}, "org_unit"),
    ]
    for body, field in cases:
        r = api.post("/grassroots/disclosures", json=body)
        assert r.status_code == 422, (body, r.json())
        assert field in _fields(r), (body, r.json())
    assert not Disclosure.objects.exists()
    assert api.post("/grassroots/disclosures", json=base).status_code == 201
    twice = api.post("/grassroots/disclosures", json=base)
    assert twice.status_code == 422 and _fields(twice) == {"title"}
    assert Disclosure.objects.count() == 1


def test_permissions_and_visibility(callers, more, disclosures, tree):
    d = disclosures["a1"]
    body = {"org_unit": tree["A1"].pk, "category": "budget", "title": "T"}
    assert more["viewer"].api.post("/grassroots/disclosures", json=body).status_code == 403
    assert more["viewer"].api.get(f"/grassroots/disclosures/{d.pk}").status_code == 200
    assert patch(more["viewer"].api, f"/grassroots/disclosures/{d.pk}",
                 {"expected_version": d.lock_version, "title": "Sửa"}).status_code == 403
    for who in ("sibling", "other", "nobody"):
        assert callers[who].api.get(f"/grassroots/disclosures/{d.pk}").status_code == 404
        assert patch(callers[who].api, f"/grassroots/disclosures/{d.pk}",
                     {"expected_version": d.lock_version, "title": "Sửa"}).status_code == 404
    assert callers["province"].api.get("/grassroots/disclosures/999999").status_code == 404
    assert callers["province"].api.get(f"/grassroots/disclosures/{2**63}").status_code == 404
    assert Disclosure.objects.get(pk=d.pk).title == "Dự toán ngân sách xã 2026"


def test_patch_changes_only_what_is_sent(callers, disclosures):
    d = disclosures["a1"]
    api = callers["commune"].api
    r = patch(api, f"/grassroots/disclosures/{d.pk}", {"expected_version": d.lock_version, "place": "Bảng tin xã",
                                                        "category": "fees"})
    assert r.status_code == 200, r.json()
    assert r.json()["place"] == "Bảng tin xã" and r.json()["category"] == "fees" and r.json()["permanent"] is True
    assert r.json()["title"] == d.title
    stale = patch(api, f"/grassroots/disclosures/{d.pk}", {"expected_version": d.lock_version, "place": "X"})
    assert stale.status_code == 409
    null = patch(api, f"/grassroots/disclosures/{d.pk}", {"expected_version": r.json()["lock_version"], "title": None})
    assert null.status_code == 422 and _fields(null) == {"title"}
    assert patch(api, f"/grassroots/disclosures/{d.pk}", {"title": "X"}).status_code == 422  # no version
    assert Disclosure.objects.get(pk=d.pk).place == "Bảng tin xã"


def test_detail_names_the_problems_and_counts_queries(callers, tree, django_assert_max_num_queries):
    d = disclosure(tree["A1"], "Chậm công khai", decided_on=_ago(40))
    api = callers["commune"].api
    api.get("/grassroots/categories")
    with django_assert_max_num_queries(4):  # token, scope, the disclosure, its attachments
        r = api.get(f"/grassroots/disclosures/{d.pk}")
    body = r.json()
    assert body["problems"] == ["late"] and "5" in body["problem_details"][0]["message"]
    assert body["attachments"] == []


# =========================================================================== quarterly lists


def test_quarterly_lists(callers, tree):
    api = callers["commune"].api
    year = TODAY.year - 1
    before = api.get(f"/grassroots/quarterly-missing?unit={tree['A1'].pk}").json()
    assert {"year": year, "quarter": 4} in before["missing"]
    r = api.post("/grassroots/quarterly-lists", json={"org_unit": tree["A1"].pk, "year": year, "quarter": 4,
                                                      "posted_on": _iso(TODAY)})
    assert r.status_code == 201, r.json()
    assert r.json()["quarter"] == 4 and r.json()["unit"]["id"] == tree["A1"].pk
    twice = api.post("/grassroots/quarterly-lists", json={"org_unit": tree["A1"].pk, "year": year, "quarter": 4})
    assert twice.status_code == 422
    future = api.post("/grassroots/quarterly-lists", json={"org_unit": tree["A1"].pk, "year": TODAY.year + 1,
                                                           "quarter": 1})
    assert future.status_code == 422
    assert api.post("/grassroots/quarterly-lists", json={"org_unit": tree["A1"].pk, "year": year,
                                                         "quarter": 5}).status_code == 422
    assert QuarterlyList.objects.count() == 1
    after = api.get(f"/grassroots/quarterly-missing?unit={tree['A1'].pk}").json()
    assert {"year": year, "quarter": 4} not in after["missing"]
    assert len(api.get("/grassroots/quarterly-lists").json()["items"]) == 1
    assert callers["sibling"].api.get("/grassroots/quarterly-lists").json()["items"] == []
    assert callers["sibling"].api.get(f"/grassroots/quarterly-missing?unit={tree['A1'].pk}").status_code == 404
    assert callers["sibling"].api.post("/grassroots/quarterly-lists", json={
        "org_unit": tree["A1"].pk, "year": year, "quarter": 3}).status_code == 422  # not its unit


# =========================================================================== residents' decisions


def decision_body(unit: Any, **extra: Any) -> dict[str, Any]:
    return {"org_unit": unit.pk, "matter": "contribution", "title": "Đóng góp bê tông hoá đường bản",
            "form": "meeting", "held_on": _iso(_ago(10)), "decided_on": _iso(_ago(10)), "households_total": 80,
            "households_participating": 70, "votes_for": 54, "votes_against": 16, **extra}


def test_decision_result_is_computed(callers, tree):
    api = callers["commune"].api
    r = api.post("/grassroots/decisions", json=decision_body(tree["A1v"]))
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["threshold"] == "two_thirds" and body["needed"] == 54 and body["passed"] is True
    assert body["quorum_met"] is True and body["share_for"] == 67.5 and body["sending"] == "overdue"
    failed = api.post("/grassroots/decisions", json=decision_body(
        tree["A1v"], title="Quỹ bản", votes_for=53, votes_against=17))
    assert failed.status_code == 201 and failed.json()["passed"] is False
    sent = api.post(f"/grassroots/decisions/{body['id']}/sent", json={"expected_version": body["lock_version"],
                                                                       "sent_on": _iso(_ago(1))})
    assert sent.status_code == 200 and sent.json()["sending"] == "sent_late"
    twice = api.post(f"/grassroots/decisions/{body['id']}/sent", json={"expected_version": sent.json()["lock_version"],
                                                                        "sent_on": _iso(_ago(1))})
    assert twice.status_code == 422 and _fields(twice) == {"sent_on"}
    assert _ids(api.get("/grassroots/decisions?passed=false")) == {failed.json()["id"]}
    assert _ids(api.get("/grassroots/decisions?sending=sent_late")) == {body["id"]}


def test_decision_bad_input_and_conflicts(callers, tree, more):
    api = callers["commune"].api
    cases: list[tuple[dict[str, Any], str]] = [
        ({"votes_for": 60, "votes_against": 20}, "votes_for"),
        ({"households_participating": 90}, "households_participating"),
        ({"decided_on": _iso(_ago(11))}, "decided_on"),
        ({"held_on": _iso(TODAY + DAY), "decided_on": _iso(TODAY + DAY)}, "held_on"),
        ({"households_total": -1}, "households_total"),
        ({"matter": "bribe"}, "matter"),
    ]
    for extra, field in cases:
        r = api.post("/grassroots/decisions", json=decision_body(tree["A1v"], **extra))
        assert r.status_code == 422, (extra, r.json())
        assert field in _fields(r), (extra, r.json())
    assert not ResidentDecision.objects.exists()
    assert more["viewer"].api.post("/grassroots/decisions", json=decision_body(tree["A1v"])).status_code == 403
    d = api.post("/grassroots/decisions", json=decision_body(tree["A1v"])).json()
    assert api.post("/grassroots/decisions", json=decision_body(tree["A1v"])).status_code == 422  # double submit
    fix = patch(api, f"/grassroots/decisions/{d['id']}", {"expected_version": d["lock_version"], "votes_for": 40,
                                                          "votes_against": 30})
    assert fix.status_code == 200 and fix.json()["passed"] is False
    stale = patch(api, f"/grassroots/decisions/{d['id']}", {"expected_version": d["lock_version"], "votes_for": 60,
                                                            "votes_against": 10})
    assert stale.status_code == 409 and ResidentDecision.objects.get(pk=d["id"]).votes_for == 40
    assert callers["sibling"].api.get(f"/grassroots/decisions/{d['id']}").status_code == 404
    assert api.delete(f"/grassroots/decisions/{d['id']}?reason=x").status_code == 403
    assert more["head"].api.delete(f"/grassroots/decisions/{d['id']}?reason=Nhập nhầm").status_code == 204
    assert api.get(f"/grassroots/decisions/{d['id']}").status_code == 404


def test_decision_list_query_count(callers, tree, django_assert_max_num_queries):
    for i in range(15):
        decisions.record_decision(actor=None, org_unit=tree["A1v"], matter="convention", title=f"Hương ước {i}",
                                  form="ballot", held_on=_ago(i + 1), decided_on=_ago(i + 1), households_total=50,
                                  households_participating=40, votes_for=30, votes_against=10)
    api = callers["province"].api
    api.get("/grassroots/categories")
    with django_assert_max_num_queries(3):  # token, scope, the page
        r = api.get("/grassroots/decisions?limit=10")
    assert len(r.json()["items"]) == 10 and r.json()["next_cursor"]
    rest = api.get(f"/grassroots/decisions?limit=10&cursor={r.json()['next_cursor']}").json()
    assert len(rest["items"]) == 5 and rest["next_cursor"] is None
    assert not _ids(r) & {i["id"] for i in rest["items"]}


# =========================================================================== consultations


def test_consultation_flow(callers, tree, more):
    api = callers["commune"].api
    r = api.post("/grassroots/consultations", json={
        "org_unit": tree["A1"].pk, "matter": "land_use", "title": "Lấy ý kiến quy hoạch sử dụng đất",
        "opens_on": _iso(_ago(20)), "closes_on": _iso(_ago(2)), "draft": "Dự thảo", "forms": ["meeting"]})
    assert r.status_code == 201, r.json()
    c = r.json()
    assert c["status"] == "draft" and c["forms"] == ["meeting"]
    bad = api.post("/grassroots/consultations", json={
        "org_unit": tree["A1"].pk, "matter": "land_use", "title": "Khác", "opens_on": _iso(_ago(2)),
        "closes_on": _iso(_ago(3))})
    assert bad.status_code == 422 and "closes_on" in _fields(bad)
    assert more["viewer"].api.post(f"/grassroots/consultations/{c['id']}/open",
                                   json={"expected_version": c["lock_version"]}).status_code == 403
    stale = api.post(f"/grassroots/consultations/{c['id']}/open", json={"expected_version": c["lock_version"] + 1})
    assert stale.status_code == 409
    opened = api.post(f"/grassroots/consultations/{c['id']}/open", json={"expected_version": c["lock_version"]})
    if opened.status_code == 422:  # a period already over cannot be opened: move it, then open
        moved = patch(api, f"/grassroots/consultations/{c['id']}", {
            "expected_version": c["lock_version"], "opens_on": _iso(_ago(1)), "closes_on": _iso(TODAY + 10 * DAY)})
        assert moved.status_code == 200, moved.json()
        opened = api.post(f"/grassroots/consultations/{c['id']}/open",
                          json={"expected_version": moved.json()["lock_version"]})
    assert opened.status_code == 200 and opened.json()["status"] == "open", opened.json()
    publish_early = api.post(f"/grassroots/consultations/{c['id']}/publish", json={
        "expected_version": opened.json()["lock_version"], "taken_into_account": "Đã tiếp thu"})
    assert publish_early.status_code == 422
    Consultation.objects.filter(pk=c["id"]).update(opens_on=_ago(20), closes_on=_ago(2))
    closed = api.post(f"/grassroots/consultations/{c['id']}/close", json={
        "expected_version": opened.json()["lock_version"], "opinions_received": 12, "opinions_summary": "Đồng tình"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.json()
    assert closed.json()["opinions_received"] == 12
    published = api.post(f"/grassroots/consultations/{c['id']}/publish", json={
        "expected_version": closed.json()["lock_version"], "taken_into_account": "Điều chỉnh ranh giới"})
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert published.json()["taken_into_account"] == "Điều chỉnh ranh giới"
    assert _ids(api.get("/grassroots/consultations?status=published")) == {c["id"]}
    assert callers["other"].api.get(f"/grassroots/consultations/{c['id']}").status_code == 404


# =========================================================================== boards and findings


@pytest.fixture
def board(tree: dict[str, Any]) -> PeopleBoard:
    return boards.create_board(actor=None, org_unit=tree["A1"], kind="inspection", name="Ban TTND xã Bình Lư",
                               term_starts_on=_ago(400), term_ends_on=TODAY + 700 * DAY)


def test_board_members_work_plans_and_warnings(callers, tree, board, make_user, more):
    api = callers["commune"].api
    detail = api.get(f"/grassroots/boards/{board.pk}").json()
    assert detail["active_members"] == 0 and len(detail["warnings"]) == 2
    r = api.post(f"/grassroots/boards/{board.pk}/members", json={
        "full_name": "Lò Văn Thào", "position": "head", "joined_on": _iso(_ago(300)), "village": tree["A1v"].pk})
    assert r.status_code == 201, r.json()
    assert r.json()["members"][0]["full_name"] == "Lò Văn Thào" and r.json()["active_members"] == 1
    official = callers["commune"].user
    cases = [
        ({"full_name": "Tòng Văn A", "position": "head", "joined_on": _iso(_ago(300))}, "position"),
        ({"full_name": "Lò Văn Thào", "joined_on": _iso(_ago(300))}, "full_name"),
        ({"full_name": "Cán bộ", "joined_on": _iso(_ago(300)), "user": official.pk}, "user"),
        ({"full_name": "Tòng Văn B", "joined_on": _iso(_ago(900))}, "joined_on"),
        ({"full_name": "Tòng Văn C", "joined_on": _iso(_ago(9)), "village": tree["A2"].pk}, "village"),
    ]
    for body, field in cases:
        bad = api.post(f"/grassroots/boards/{board.pk}/members", json=body)
        assert bad.status_code == 422 and field in _fields(bad), (body, bad.json())
    resident = make_user("dan")
    ok = api.post(f"/grassroots/boards/{board.pk}/members", json={
        "full_name": "Lò Thị Dung", "joined_on": _iso(_ago(30)), "user": resident.pk})
    assert ok.status_code == 201 and any(m["has_account"] for m in ok.json()["members"])
    assert "user_id" not in ok.json()["members"][0]
    member = BoardMember.objects.get(full_name="Lò Thị Dung")
    ended = api.post(f"/grassroots/boards/{board.pk}/members/{member.pk}/end", json={"left_on": _iso(TODAY)})
    assert ended.status_code == 200 and ended.json()["active_members"] == 1
    assert api.post(f"/grassroots/boards/{board.pk}/members/999999/end",
                    json={"left_on": _iso(TODAY)}).status_code == 404
    quarter = (TODAY.month - 1) // 3 + 1
    plan = {"period": "quarter", "year": TODAY.year, "number": quarter, "content": "Giám sát thu chi"}
    wp = api.post(f"/grassroots/boards/{board.pk}/work-plans", json=plan)
    assert wp.status_code == 201 and len(wp.json()["warnings"]) == 1  # still too few members
    assert api.post(f"/grassroots/boards/{board.pk}/work-plans", json=plan).status_code == 422
    assert more["viewer"].api.post(f"/grassroots/boards/{board.pk}/work-plans", json=plan).status_code == 403
    assert callers["sibling"].api.get(f"/grassroots/boards/{board.pk}").status_code == 404


def test_board_create_update_and_list(callers, tree, board, django_assert_max_num_queries):
    api = callers["commune"].api
    no_project = api.post("/grassroots/boards", json={
        "org_unit": tree["A1"].pk, "kind": "investment", "name": "Ban GSĐTCĐ đường bản",
        "term_starts_on": _iso(_ago(10)), "term_ends_on": _iso(TODAY + 300 * DAY)})
    assert no_project.status_code == 422 and "project" in _fields(no_project)
    inv = api.post("/grassroots/boards", json={
        "org_unit": tree["A1"].pk, "kind": "investment", "name": "Ban GSĐTCĐ đường bản",
        "term_starts_on": _iso(_ago(10)), "term_ends_on": _iso(TODAY + 300 * DAY), "project": "Đường bản Thẳm"})
    assert inv.status_code == 201, inv.json()
    up = patch(api, f"/grassroots/boards/{inv.json()['id']}", {"expected_version": inv.json()["lock_version"],
                                                               "project_investor": "UBND xã"})
    assert up.status_code == 200 and up.json()["project_investor"] == "UBND xã"
    assert patch(api, f"/grassroots/boards/{inv.json()['id']}", {"expected_version": inv.json()["lock_version"],
                                                                 "name": "X"}).status_code == 409
    for i in range(10):
        b = boards.create_board(actor=None, org_unit=tree["A2"], kind="investment", name=f"Ban {i}",
                                term_starts_on=_ago(i + 1), term_ends_on=TODAY + 300 * DAY, project=f"Dự án {i}")
        boards.add_member(actor=None, board=b, full_name="Thành viên", position="member", joined_on=_ago(i + 1))
    prov = callers["province"].api
    prov.get("/grassroots/categories")
    with django_assert_max_num_queries(3):  # token, scope, the page with its member counts
        r = prov.get("/grassroots/boards?kind=investment&limit=50")
    assert len(r.json()["items"]) == 11 and {i["active_members"] for i in r.json()["items"]} == {0, 1}
    assert _ids(callers["sibling"].api.get("/grassroots/boards")) == {i["id"] for i in r.json()["items"]} - {
        inv.json()["id"]}
    with django_assert_max_num_queries(9):
        assert prov.get(f"/grassroots/boards/{board.pk}").status_code == 200


def test_finding_and_response(callers, tree, board, more, caller):
    api = callers["commune"].api
    body = {"found_on": _iso(_ago(20)), "subject": "Thu quỹ không có biên lai", "findings": "Thiếu biên lai",
            "recommendations": "Bổ sung chứng từ", "addressed_to": tree["A1"].pk, "response_due_on": _iso(_ago(5))}
    suspend = api.post(f"/grassroots/boards/{board.pk}/findings", json={**body, "recommends_suspension": True})
    assert suspend.status_code == 422 and "recommends_suspension" in _fields(suspend)
    r = api.post(f"/grassroots/boards/{board.pk}/findings", json=body)
    assert r.status_code == 201, r.json()
    f = r.json()
    assert f["overdue"] is True and f["addressed_to"]["id"] == tree["A1"].pk
    assert api.get(f"/grassroots/boards/{board.pk}").json()["findings"][0]["id"] == f["id"]
    assert more["viewer"].api.post(f"/grassroots/findings/{f['id']}/respond", json={
        "expected_version": f["lock_version"], "response": "Đã bổ sung", "responded_on": _iso(TODAY)}
    ).status_code == 403
    assert callers["sibling"].api.get(f"/grassroots/findings/{f['id']}").status_code == 404
    late = api.post(f"/grassroots/findings/{f['id']}/respond", json={
        "expected_version": f["lock_version"], "response": "Đã bổ sung", "responded_on": _iso(TODAY)})
    assert late.status_code == 422 and _fields(late) == {"late_reason"}
    future = api.post(f"/grassroots/findings/{f['id']}/respond", json={
        "expected_version": f["lock_version"], "response": "Đã bổ sung", "responded_on": _iso(TODAY + DAY),
        "late_reason": "Chờ chứng từ"})
    assert future.status_code == 422 and "responded_on" in _fields(future)
    ok = api.post(f"/grassroots/findings/{f['id']}/respond", json={
        "expected_version": f["lock_version"], "response": "Đã bổ sung", "responded_on": _iso(TODAY),
        "late_reason": "Chờ chứng từ của kho bạc"})
    assert ok.status_code == 200, ok.json()
    assert ok.json()["overdue"] is False and ok.json()["response"] == "Đã bổ sung"
    stale = api.post(f"/grassroots/findings/{f['id']}/respond", json={
        "expected_version": f["lock_version"], "response": "Khác", "responded_on": _iso(TODAY), "late_reason": "x"})
    assert stale.status_code == 409 and BoardFinding.objects.get(pk=f["id"]).response == "Đã bổ sung"


# =========================================================================== Front supervision


@pytest.fixture
def front(tree: dict[str, Any], kinds: dict[str, Any], caller: Any) -> dict[str, Any]:
    body = org_services.create_unit(actor=None, kind=kinds["front"], name="Ủy ban MTTQ xã Bình Lư",
                                    parent=tree["A1"], audit_event=False)
    return {"body": body, "supervisor": caller("mattran", (body, "front_supervisor"))}


def test_front_supervision_and_response(callers, tree, front, more):
    fapi = front["supervisor"].api
    body = {"org_unit": tree["A1"].pk, "front_unit": front["body"].pk, "by_name": "Ban Thường trực UBMTTQ xã",
            "kind": "supervision", "subject": "Thực hiện dân chủ ở cơ sở", "starts_on": _iso(_ago(30)),
            "ends_on": _iso(_ago(25)), "recommendations": "Công khai đúng hạn", "response_due_on": _iso(_ago(1))}
    assert callers["commune"].api.post("/grassroots/supervisions", json=body).status_code == 403
    assert fapi.post("/grassroots/supervisions", json={**body, "org_unit": tree["A2"].pk}).status_code == 422
    r = fapi.post("/grassroots/supervisions", json=body)
    assert r.status_code == 201, r.json()
    s = r.json()
    assert s["front_unit"]["id"] == front["body"].pk and s["overdue"] is True
    assert fapi.post("/grassroots/supervisions", json=body).status_code == 422  # double submit
    assert FrontSupervision.objects.count() == 1
    for who, seen in (("commune", True), ("province", True), ("sibling", False), ("other", False)):
        assert (s["id"] in _ids(callers[who].api.get("/grassroots/supervisions"))) is seen, who
    assert _ids(callers["commune"].api.get("/grassroots/supervisions?overdue=true")) == {s["id"]}
    assert _ids(callers["commune"].api.get("/grassroots/supervisions?overdue=false")) == set()
    assert fapi.get(f"/grassroots/supervisions/{s['id']}").status_code == 200
    assert fapi.post(f"/grassroots/supervisions/{s['id']}/respond", json={
        "expected_version": s["lock_version"], "response": "x", "responded_on": _iso(TODAY),
        "late_reason": "y"}).status_code == 403  # the Front does not answer itself
    assert patch(callers["commune"].api, f"/grassroots/supervisions/{s['id']}", {
        "expected_version": s["lock_version"], "findings": "Sửa"}).status_code == 403
    up = patch(fapi, f"/grassroots/supervisions/{s['id']}", {"expected_version": s["lock_version"],
                                                              "findings": "Chậm công khai dự toán"})
    assert up.status_code == 200 and up.json()["findings"] == "Chậm công khai dự toán"
    late = callers["commune"].api.post(f"/grassroots/supervisions/{s['id']}/respond", json={
        "expected_version": up.json()["lock_version"], "response": "Đã chấn chỉnh", "responded_on": _iso(TODAY)})
    assert late.status_code == 422 and _fields(late) == {"late_reason"}
    ok = more["head"].api.post(f"/grassroots/supervisions/{s['id']}/respond", json={
        "expected_version": up.json()["lock_version"], "response": "Đã chấn chỉnh", "responded_on": _iso(TODAY),
        "late_reason": "Chờ họp UBND"})
    assert ok.status_code == 200 and ok.json()["overdue"] is False, ok.json()
    assert callers["commune"].api.delete(f"/grassroots/supervisions/{s['id']}?reason=x").status_code == 403
    assert fapi.delete(f"/grassroots/supervisions/{s['id']}?reason=Nhập nhầm").status_code == 204
    assert callers["commune"].api.get(f"/grassroots/supervisions/{s['id']}").status_code == 404


def test_supervision_list_query_count(callers, tree, front, django_assert_max_num_queries):
    from danvan.disclosures import supervision

    for i in range(12):
        supervision.record_supervision(actor=None, org_unit=tree["A1"], front_unit=front["body"], by_name="MTTQ",
                                       kind="critique", subject=f"Phản biện {i}", starts_on=_ago(i + 1))
    api = callers["province"].api
    api.get("/grassroots/categories")
    with django_assert_max_num_queries(3):
        r = api.get("/grassroots/supervisions?kind=critique&limit=50")
    assert len(r.json()["items"]) == 12
