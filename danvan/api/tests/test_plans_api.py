"""/api/v1/plans: scope at every boundary, the draft's header, workflow and the 409s, paging and bad input."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from danvan.core.audit import AuditEvent
from danvan.legal.models import LegalDocument
from danvan.plans import services
from danvan.plans.models import Plan, PlanObligation, PlanStatus

from .conftest import checker

pytestmark = pytest.mark.django_db

ISSUED_ON = dt.date(2025, 1, 10)


def make_plan(unit: Any, title: str, *, year: int = 2025, issue: bool = False, **fields: Any) -> Any:
    fields = {"place": "Lai Châu", "signer_name": "Nguyễn Văn A", "signer_position": "CHỦ TỊCH", **fields}
    plan = services.create_plan(actor=None, issuer=unit, title=title, year=year, **fields)
    if issue:
        plan = services.issue_plan(actor=None, plan=plan, expected_version=plan.lock_version, issued_on=ISSUED_ON)
    return plan


def make_plans(tree: dict[str, Any]) -> dict[str, Any]:
    """A draft and an issued plan of the province, a draft in each commune, one in the other province."""
    return {
        "A_draft": make_plan(tree["A"], "Kế hoạch dự thảo của tỉnh"),
        "A_issued": make_plan(tree["A"], "Kế hoạch công tác dân vận chính quyền tỉnh năm 2025", issue=True),
        "A1": make_plan(tree["A1"], "Kế hoạch của xã Bình Lư"),
        "A2": make_plan(tree["A2"], "Kế hoạch của phường Tân Phong"),
        "B1": make_plan(tree["B1"], "Kế hoạch của phường Bắc Kạn", year=2024),
    }


@pytest.fixture
def plans(tree: dict[str, Any]) -> dict[str, Any]:
    return make_plans(tree)


# Which plans each caller sees: their own subtree (drafts included) and the issued plans above them.
SEES = {
    "commune": {"A1", "A_issued"},
    "sibling": {"A2", "A_issued"},
    "province": {"A_draft", "A_issued", "A1", "A2"},
    "other": {"B1"},
    "nobody": set(),
}


def patch(api: Any, path: str, body: dict[str, Any]) -> Any:
    return api.request("PATCH", path, json=body)


def ids(plans: dict[str, Any], keys: set[str]) -> set[int]:
    return {plans[k].pk for k in keys}


def item_ids(response: Any) -> list[int]:
    return [p["id"] for p in response.json()["items"]]


def fields_of(response: Any) -> list[str | None]:
    return [e["field"] for e in response.json()["errors"]]


# --------------------------------------------------------------------------- scope


@pytest.mark.parametrize("who", list(SEES))
def test_list_shows_exactly_what_the_caller_may_see(plans, callers, who):
    r = callers[who].api.get("/plans")
    assert r.status_code == 200
    assert set(item_ids(r)) == ids(plans, SEES[who])
    assert r.json()["next_cursor"] is None


@pytest.mark.parametrize("who", list(SEES))
@pytest.mark.parametrize("target", ["A_draft", "A_issued", "A1", "A2", "B1"])
def test_detail_is_404_outside_scope_exactly_like_a_missing_plan(plans, callers, who, target):
    api = callers[who].api
    r = api.get(f"/plans/{plans[target].pk}")
    if target in SEES[who]:
        assert r.status_code == 200
        assert r.json()["id"] == plans[target].pk
    else:
        missing = api.get("/plans/987654321")
        assert r.status_code == missing.status_code == 404
        assert r.json() == missing.json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/plans"), ("POST", "/plans"), ("GET", "/plans/1"), ("PATCH", "/plans/1"), ("DELETE", "/plans/1"),
        ("POST", "/plans/1/issue"), ("POST", "/plans/1/close"), ("POST", "/plans/1/amend"),
        ("GET", "/plans/1/export.docx"), ("GET", "/plans/1/obligations"), ("GET", "/plans/1/coverage"),
        ("POST", "/plans/1/tasks"), ("POST", "/plans/parse"), ("POST", "/plans/import"),
    ],
)
def test_anonymous_gets_401_everywhere(plans, anon, method, path):
    r = anon.request(method, path)
    assert r.status_code == 401
    assert r["WWW-Authenticate"].startswith("Bearer")


def test_deleted_plan_is_gone_for_everyone(plans, callers):
    services.delete_plan(actor=None, plan=plans["A1"])
    assert callers["commune"].api.get(f"/plans/{plans['A1'].pk}").status_code == 404
    assert plans["A1"].pk not in item_ids(callers["province"].api.get("/plans"))


def test_revoked_membership_sees_nothing(plans, callers):
    from danvan.orgs import services as org_services

    c = callers["commune"]
    org_services.revoke_membership(actor=None, membership=c.user.memberships.get())
    assert item_ids(c.api.get("/plans")) == []
    assert c.api.get(f"/plans/{plans['A1'].pk}").status_code == 404


# --------------------------------------------------------------------------- list: filters and paging


def test_filters(tree, plans, callers):
    api = callers["province"].api
    assert set(item_ids(api.get("/plans?status=issued"))) == {plans["A_issued"].pk}
    assert set(item_ids(api.get(f"/plans?issuer={tree['A1'].pk}"))) == {plans["A1"].pk}
    assert set(item_ids(api.get(f"/plans?under={tree['A1'].pk}"))) == {plans["A1"].pk}
    assert set(item_ids(api.get(f"/plans?under={tree['A'].pk}"))) == ids(plans, SEES["province"])
    assert set(item_ids(api.get("/plans?q=Tân Phong"))) == {plans["A2"].pk}
    assert set(item_ids(api.get("/plans?kind=thematic"))) == set()
    assert set(item_ids(api.get("/plans?year=2025&kind=annual&status=draft"))) == ids(plans, {"A_draft", "A1", "A2"})
    assert item_ids(callers["other"].api.get("/plans?year=2024")) == [plans["B1"].pk]
    assert item_ids(callers["other"].api.get("/plans?year=2025")) == []


def test_under_a_unit_above_shows_its_issued_plans_and_a_unit_elsewhere_is_404(tree, plans, callers):
    api = callers["commune"].api
    assert set(item_ids(api.get(f"/plans?under={tree['A'].pk}"))) == ids(plans, {"A1", "A_issued"})
    assert api.get(f"/plans?under={tree['A2'].pk}").status_code == 404
    assert api.get(f"/plans?under={tree['B'].pk}").status_code == 404
    assert api.get("/plans?under=987654321").status_code == 404
    # The issuer filter never reveals plans outside the caller's scope.
    assert item_ids(api.get(f"/plans?issuer={tree['B1'].pk}")) == []


@pytest.mark.parametrize("limit", [1, 2, 3, 50])
def test_walking_every_page_gives_each_plan_once(tree, plans, callers, limit):
    for year in (2023, 2024, 2026):
        make_plan(tree["A1"], f"Kế hoạch năm {year}", year=year)
    expected = list(
        Plan.objects.filter(pk__in=[p["id"] for p in callers["province"].api.get("/plans?limit=200").json()["items"]])
        .order_by("-year", "-pk").values_list("pk", flat=True)
    )
    assert len(expected) == 7
    seen, cursor, pages = [], None, 0
    while True:
        body = callers["province"].api.get(f"/plans?limit={limit}" + (f"&cursor={cursor}" if cursor else "")).json()
        pages += 1
        seen += [p["id"] for p in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert pages < 20
    assert seen == expected
    assert pages == max(1, -(-len(expected) // limit))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"), ("limit=201", "limit"), ("limit=x", "limit"), ("year=abc", "year"), ("year=1999", "year"),
        ("status=lost", "status"), ("kind=weekly", "kind"), ("issuer=x", "issuer"), ("under=0", "under"),
        ("q=" + "a" * 201, "q"), ("cursor=%%%", "cursor"), ("cursor=IjEyMyI", "cursor"), ("cursor=WzFd", "cursor"),
    ],
)
def test_bad_list_parameters_are_422_naming_the_field(plans, callers, query, field):
    r = callers["province"].api.get(f"/plans?{query}")
    assert r.status_code == 422, r.content
    assert fields_of(r) == [field]
    assert "Input should" not in r.json()["errors"][0]["message"]


@pytest.mark.parametrize("path", ["/plans/abc", "/plans/0", "/plans/-3", "/plans/99999999999999999999999"])
def test_malformed_plan_ids_are_404(plans, callers, path):
    assert callers["province"].api.get(path).status_code == 404


# --------------------------------------------------------------------------- detail


@pytest.fixture
def full_plan(tree, plans):
    """The commune's draft with every part filled in."""
    plan = plans["A1"]
    doc = LegalDocument.objects.create(doc_type="directive", number="33", symbol="CT-TTg", key="33/ct-ttg",
                                       issuer="Thủ tướng Chính phủ", issued_on=dt.date(2021, 11, 26))
    services.set_legal_bases(actor=None, plan=plan, documents=[doc])
    plan.refresh_from_db()
    services.update_plan(actor=None, plan=plan, expected_version=plan.lock_version, purposes=["Mục đích 1"],
                         requirements=["Yêu cầu 1"], recipients=["UBND tỉnh", "Lưu: VT"], signer_authority="TM.")
    top = services.add_section(actor=None, plan=plan, title="NHIỆM VỤ", number="II")
    sub = services.add_section(actor=None, plan=plan, title="Tuyên truyền", number="1", parent=top)
    services.add_section(actor=None, plan=plan, title="TỔ CHỨC THỰC HIỆN", number="III")
    t1 = services.add_task(actor=None, plan=plan, text="Quán triệt Chỉ thị 33", section=sub, lead_unit=tree["A1v"],
                           due_on=dt.date(2025, 6, 30))
    services.add_task(actor=None, plan=plan, text="Việc không thuộc mục nào")
    services.add_target(actor=None, plan=plan, text="95% thôn đăng ký mô hình", value=95, unit="%")
    services.add_assignment(actor=None, plan=plan, unit_name="Bản Thẳm", unit=tree["A1v"], task=t1,
                            duties="Chủ trì", due_on=dt.date(2025, 5, 1))
    services.add_deadline(actor=None, plan=plan, text="Báo cáo 6 tháng", due_on=dt.date(2025, 6, 5),
                          kind="half_year_report")
    plan.refresh_from_db()
    return plan


def test_detail_holds_the_whole_structure(tree, full_plan, callers):
    body = callers["commune"].api.get(f"/plans/{full_plan.pk}").json()
    assert body["issuer_id"] == tree["A1"].pk and body["issuer_name"] == "Xã Bình Lư"
    assert body["status"] == "draft" and body["number"] is None and body["reference"] == "…/KH-UBND"
    assert body["lock_version"] == full_plan.lock_version
    assert [d["citation"] for d in body["legal_bases"]] == ["Chỉ thị 33/CT-TTg"]
    assert body["purposes"] == ["Mục đích 1"] and body["requirements"] == ["Yêu cầu 1"]
    assert body["recipients"] == ["UBND tỉnh", "Lưu: VT"] and body["signer_authority"] == "TM."
    assert [(s["number"], s["depth"]) for s in body["sections"]] == [("II", 0), ("1", 1), ("III", 0)]
    assert [t["text"] for t in body["sections"][1]["tasks"]] == ["Quán triệt Chỉ thị 33"]
    task = body["sections"][1]["tasks"][0]
    assert task["lead_unit_id"] == tree["A1v"].pk and task["lead_unit_name"] == "Bản Thẳm"
    assert task["due_on"] == "2025-06-30" and task["status"] == "not_started"
    assert [t["text"] for t in body["unsectioned_tasks"]] == ["Việc không thuộc mục nào"]
    assert body["targets"][0]["value"] == 95 and body["targets"][0]["unit"] == "%"
    assert body["assignments"][0]["task_id"] == task["id"] and body["assignments"][0]["role"] == "lead"
    assert body["deadlines"] == [{"id": body["deadlines"][0]["id"], "kind": "half_year_report",
                                  "text": "Báo cáo 6 tháng", "due_on": "2025-06-05"}]
    assert body["permissions"] == {"change": True, "delete": True, "issue": False, "close": False, "amend": False,
                                   "derive": False, "view_cascade": True}


def test_permissions_follow_the_rules(plans, callers, caller, tree):
    head = caller("head", (tree["A"], "head"))
    body = head.api.get(f"/plans/{plans['A_draft'].pk}").json()
    assert body["permissions"]["issue"] and body["permissions"]["change"]
    issued = callers["commune"].api.get(f"/plans/{plans['A_issued'].pk}").json()
    assert issued["permissions"] == {"change": False, "delete": False, "issue": False, "close": False,
                                     "amend": False, "derive": True, "view_cascade": False}


# --------------------------------------------------------------------------- create


def test_create_from_scratch(tree, callers):
    api = callers["commune"].api
    doc = LegalDocument.objects.create(doc_type="law", number="10/2022", symbol="QH15", key="10/2022/qh15")
    r = api.post("/plans", json={
        "issuer_id": tree["A1"].pk, "title": "Kế hoạch dân vận năm 2026", "year": 2026, "kind": "thematic",
        "purposes": ["Nâng cao nhận thức"], "subordinate_kinds": ["village"], "legal_basis_ids": [doc.pk],
    })
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "draft" and body["kind"] == "thematic" and body["year"] == 2026
    assert body["purposes"] == ["Nâng cao nhận thức"] and body["subordinate_kinds"] == ["village"]
    assert [d["id"] for d in body["legal_bases"]] == [doc.pk]
    plan = Plan.objects.get(pk=body["id"])
    assert plan.created_by == callers["commune"].user
    assert AuditEvent.objects.filter(action="plans.plan.create", object_id=str(plan.pk)).exists()


@pytest.mark.parametrize(("who", "unit", "status"), [
    ("commune", "A1", 201), ("province", "A1", 201), ("sibling", "A1", 422), ("other", "A1", 422),
    ("nobody", "A1", 422), ("commune", "A", 422), ("commune", "B1", 422),
])
def test_create_needs_an_editing_role_on_a_visible_issuer(tree, callers, who, unit, status):
    r = callers[who].api.post("/plans", json={"issuer_id": tree[unit].pk, "title": "KH", "year": 2026})
    assert r.status_code == status, r.content
    if status == 422:
        assert fields_of(r) == ["issuer_id"]
        assert not Plan.objects.filter(title="KH").exists()


def test_viewer_cannot_create(tree, caller):
    viewer = caller("viewer", (tree["A1"], "viewer"))
    r = viewer.api.post("/plans", json={"issuer_id": tree["A1"].pk, "title": "KH", "year": 2026})
    assert r.status_code == 403
    assert not Plan.objects.filter(title="KH").exists()


@pytest.mark.parametrize(("body", "fields"), [
    ({}, ["issuer_id", "title", "year"]),
    ({"title": "", "year": 2026}, ["issuer_id", "title"]),
    ({"title": "x" * 501, "year": 2026}, ["title"]),
    ({"title": "KH", "year": "năm nay"}, ["year"]),
    ({"title": "KH", "year": 1999}, ["year"]),
    ({"title": "KH", "year": 2026, "end_year": 2025}, ["end_year"]),
    ({"title": ["KH"], "year": 2026}, ["title"]),
    ({"title": "KH", "year": 2026, "kind": "weekly"}, ["kind"]),
    ({"title": "KH", "year": 2026, "signer_authority": "XX."}, ["signer_authority"]),
    ({"title": "KH", "year": 2026, "purposes": "một chuỗi"}, ["purposes"]),
    ({"title": "KH", "year": 2026, "subordinate_kinds": ["galaxy"]}, ["subordinate_kinds"]),
    ({"title": "KH", "year": 2026, "legal_basis_ids": [987654321]}, ["legal_basis_ids"]),
    ({"title": "KH", "year": 2026, "colour": "red"}, ["colour"]),
    ({"title": "KH", "year": 2026, "subordinate_due_on": "2026-02-31"}, ["subordinate_due_on"]),
])
def test_create_bad_input_is_422_and_saves_nothing(tree, callers, body, fields):
    if "issuer_id" not in fields:
        body = {"issuer_id": tree["A1"].pk, **body}
    before = Plan.objects.count()
    r = callers["commune"].api.post("/plans", json=body)
    assert r.status_code == 422, r.content
    assert sorted(f for f in fields_of(r) if f) == sorted(fields)
    assert Plan.objects.count() == before


def test_create_body_that_is_not_json_is_400(callers):
    r = callers["commune"].api.post("/plans", data="{nope", content_type="application/json")
    assert r.status_code == 400
    assert r.json()["detail"] and r.json()["errors"] == []


def test_copy_from_last_year(tree, plans, callers):
    src = plans["A1"]
    services.add_task(actor=None, plan=src, text="Họp dân trước ngày 15/11/2025", due_on=dt.date(2025, 11, 15))
    r = callers["commune"].api.post("/plans", json={"copy_from": src.pk, "year": 2026, "place": "Bình Lư"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["year"] == 2026 and body["copied_from_id"] == src.pk and body["place"] == "Bình Lư"
    assert body["issuer_id"] == tree["A1"].pk
    task = body["unsectioned_tasks"][0]
    assert task["due_on"] == "2026-11-15" and "15/11/2026" in task["text"]


def test_copy_needs_the_year_and_a_visible_source(plans, callers):
    api = callers["commune"].api
    r = api.post("/plans", json={"copy_from": plans["A1"].pk})
    assert r.status_code == 422 and fields_of(r) == ["year"]
    r = api.post("/plans", json={"copy_from": plans["A2"].pk, "year": 2026})
    assert r.status_code == 422 and fields_of(r) == ["copy_from"]
    r = api.post("/plans", json={"copy_from": plans["A1"].pk, "derive_from": plans["A_issued"].pk, "year": 2026})
    assert r.status_code == 422 and fields_of(r) == ["derive_from"]


def test_derive_from_the_level_above(tree, plans, callers):
    parent = plans["A_issued"]
    api = callers["commune"].api
    r = api.post("/plans", json={"derive_from": parent.pk, "issuer_id": tree["A1"].pk})
    assert r.status_code == 201, r.content
    assert r.json()["parent_plan_id"] == parent.pk and r.json()["issuer_id"] == tree["A1"].pk
    # From a draft, or for a unit not below the issuer: refused, naming the field.
    r = callers["province"].api.post("/plans", json={"derive_from": plans["A_draft"].pk, "issuer_id": tree["A1"].pk})
    assert r.status_code == 422 and fields_of(r) == ["derive_from"]
    r = api.post("/plans", json={"derive_from": parent.pk})
    assert r.status_code == 422 and fields_of(r) == ["issuer_id"]
    r = callers["other"].api.post("/plans", json={"derive_from": parent.pk, "issuer_id": tree["B1"].pk})
    assert r.status_code == 422 and fields_of(r) == ["derive_from"]  # not visible to them


# --------------------------------------------------------------------------- update and the conflict


def test_patch_changes_only_the_fields_sent(plans, callers):
    plan = plans["A1"]
    r = patch(callers["commune"].api, f"/plans/{plan.pk}", {"lock_version": plan.lock_version, "place": "Bình Lư",
                                                            "recipients": ["Như trên"]})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["place"] == "Bình Lư" and body["recipients"] == ["Như trên"] and body["title"] == plan.title
    assert body["lock_version"] == plan.lock_version + 1


def test_stale_lock_version_is_409_and_nothing_is_saved(plans, callers):
    plan = plans["A1"]
    first = patch(callers["commune"].api, f"/plans/{plan.pk}", {"lock_version": plan.lock_version, "title": "Bản 1"})
    assert first.status_code == 200
    second = patch(callers["province"].api, f"/plans/{plan.pk}", {"lock_version": plan.lock_version, "title": "Bản 2"})
    assert second.status_code == 409
    assert second.json()["detail"]
    plan.refresh_from_db()
    assert plan.title == "Bản 1" and plan.lock_version == first.json()["lock_version"]


def test_patch_with_bad_legal_basis_saves_nothing(plans, callers):
    plan = plans["A1"]
    r = patch(callers["commune"].api, f"/plans/{plan.pk}",
              {"lock_version": plan.lock_version, "title": "Mới", "legal_basis_ids": [987654321]})
    assert r.status_code == 422 and fields_of(r) == ["legal_basis_ids"]
    plan.refresh_from_db()
    assert plan.title != "Mới"


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "Mới"}, "lock_version"),
    ({"lock_version": "x"}, "lock_version"),
    ({"lock_version": 1, "title": ""}, "title"),
    ({"lock_version": 1, "place": "x" * 101}, "place"),
    ({"lock_version": 1, "year": 2101}, "year"),
    ({"lock_version": 1, "requires_subordinate_plans": "perhaps"}, "requires_subordinate_plans"),
])
def test_patch_bad_input(plans, callers, body, field):
    r = patch(callers["commune"].api, f"/plans/{plans['A1'].pk}", body)
    assert r.status_code == 422, r.content
    assert fields_of(r) == [field]


def test_patch_boundaries(plans, callers, caller, tree):
    def attempt(api, key):
        plan = plans[key]
        return patch(api, f"/plans/{plan.pk}", {"lock_version": plan.lock_version, "title": "Đổi"}).status_code

    assert attempt(callers["commune"].api, "A1") == 200
    assert attempt(callers["province"].api, "A2") == 200  # a role reaches the whole subtree
    assert attempt(callers["sibling"].api, "A1") == 404
    assert attempt(callers["other"].api, "A1") == 404
    assert attempt(callers["nobody"].api, "A1") == 404
    assert attempt(callers["commune"].api, "A_issued") == 403  # sees it, does not edit for the province
    viewer = caller("viewer", (tree["A1"], "viewer"))
    assert attempt(viewer.api, "A1") == 403


def test_editing_an_issued_plan_is_409_locked(plans, callers):
    plan = plans["A_issued"]
    r = patch(callers["province"].api, f"/plans/{plan.pk}", {"lock_version": plan.lock_version, "title": "Đổi"})
    assert r.status_code == 409
    assert r.json()["detail"]
    plan.refresh_from_db()
    assert plan.title != "Đổi"
    r = callers["province"].api.post(f"/plans/{plan.pk}/tasks", json={"text": "Thêm việc"})
    assert r.status_code == 409
    assert callers["province"].api.delete(f"/plans/{plan.pk}").status_code == 409


# --------------------------------------------------------------------------- workflow


@pytest.fixture
def head(caller, tree):
    return caller("head", (tree["A1"], "head"))


def test_issue_numbers_and_locks(plans, head):
    plan = plans["A1"]
    r = head.api.post(f"/plans/{plan.pk}/issue", json={"lock_version": plan.lock_version, "issued_on": "2025-02-01"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "issued" and body["number"] == 1 and body["reference"] == "01/KH-UBND"
    assert body["issued_on"] == "2025-02-01" and body["number_year"] == 2025
    assert body["permissions"]["change"] is False and body["permissions"]["close"] is True


def test_issue_refuses_a_duplicate_number(tree, plans, head):
    first = plans["A1"]
    head.api.post(f"/plans/{first.pk}/issue", json={"lock_version": first.lock_version, "issued_on": "2025-02-01",
                                                    "number": 7})
    second = make_plan(tree["A1"], "Kế hoạch thứ hai")
    r = head.api.post(f"/plans/{second.pk}/issue", json={"lock_version": second.lock_version,
                                                         "issued_on": "2025-03-01", "number": 7})
    assert r.status_code == 422 and fields_of(r) == ["number"]
    second.refresh_from_db()
    assert second.status == PlanStatus.DRAFT and second.number is None


@pytest.mark.parametrize(("body", "fields"), [
    ({"issued_on": "2025-02-01"}, ["lock_version"]),
    ({"lock_version": 1}, ["issued_on"]),
    ({"lock_version": 1, "issued_on": "2025-02-31"}, ["issued_on"]),
    ({"lock_version": 1, "issued_on": "01/02/2025"}, ["issued_on"]),
    ({"lock_version": 1, "issued_on": "2025-02-01", "number": 0}, ["number"]),
    ({"lock_version": 1, "issued_on": "2025-02-01", "number": "bảy"}, ["number"]),
])
def test_issue_bad_input(plans, head, body, fields):
    r = head.api.post(f"/plans/{plans['A1'].pk}/issue", json=body)
    assert r.status_code == 422, r.content
    assert fields_of(r) == fields


def test_issue_in_the_future_or_after_a_deadline_is_refused(plans, head):
    plan = plans["A1"]
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    r = head.api.post(f"/plans/{plan.pk}/issue", json={"lock_version": plan.lock_version, "issued_on": future})
    assert r.status_code == 422 and fields_of(r) == ["issued_on"]
    services.add_deadline(actor=None, plan=plan, text="Báo cáo", due_on=dt.date(2025, 1, 5))
    plan.refresh_from_db()
    r = head.api.post(f"/plans/{plan.pk}/issue", json={"lock_version": plan.lock_version, "issued_on": "2025-02-01"})
    assert r.status_code == 422 and fields_of(r) == ["issued_on"]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_issue_boundaries(plans, head, callers):
    plan = plans["A1"]
    body = {"lock_version": plan.lock_version, "issued_on": "2025-02-01"}
    assert callers["commune"].api.post(f"/plans/{plan.pk}/issue", json=body).status_code == 403  # officer
    assert callers["sibling"].api.post(f"/plans/{plan.pk}/issue", json=body).status_code == 404
    assert callers["other"].api.post(f"/plans/{plan.pk}/issue", json=body).status_code == 404
    stale = head.api.post(f"/plans/{plan.pk}/issue", json={**body, "lock_version": plan.lock_version + 5})
    assert stale.status_code == 409
    assert head.api.post(f"/plans/{plan.pk}/issue", json=body).status_code == 200
    again = head.api.post(f"/plans/{plan.pk}/issue", json={**body, "lock_version": plan.lock_version + 1})
    assert again.status_code == 409


def test_issue_creates_obligations_then_obligations_and_coverage(tree, callers, kinds):
    plan = make_plan(tree["A"], "Kế hoạch tỉnh", requires_subordinate_plans=True,
                     subordinate_due_on=dt.date(2025, 3, 1), subordinate_kinds=[kinds["commune"]])
    task = services.add_task(actor=None, plan=plan, text="Xây dựng mô hình Dân vận khéo")
    api = callers["province"].api
    plan.refresh_from_db()
    r = api.post(f"/plans/{plan.pk}/issue", json={"lock_version": plan.lock_version, "issued_on": "2025-01-15"})
    assert r.status_code == 200, r.content
    assert PlanObligation.objects.filter(plan=plan).count() == 2

    derived = services.derive_plan(actor=None, parent_plan=plan, issuer=tree["A1"])
    derived = services.update_plan(actor=None, plan=derived, expected_version=derived.lock_version, place="Bình Lư",
                                   signer_name="Lò Văn B", signer_position="CHỦ TỊCH")
    services.issue_plan(actor=None, plan=derived, expected_version=derived.lock_version, issued_on=dt.date(2025, 2, 1))

    body = api.get(f"/plans/{plan.pk}/obligations?state=issued").json()
    assert body["counts"]["expected"] == 2 and body["counts"]["fulfilled"] == 1
    assert [o["unit_id"] for o in body["items"]] == [tree["A1"].pk]
    assert body["items"][0]["fulfilled_by_id"] == derived.pk and body["items"][0]["days_late"] == 0
    overdue = api.get(f"/plans/{plan.pk}/obligations?state=overdue").json()
    assert [o["unit_id"] for o in overdue["items"]] == [tree["A2"].pk]
    assert overdue["items"][0]["days_late"] > 0

    cov = api.get(f"/plans/{plan.pk}/coverage").json()
    assert cov["units_in_scope"] == 2 and cov["units_with_plan"] == 1 and cov["units_without_plan"] == 1
    assert cov["items"] == [{"task_id": task.pk, "text": task.text, "section_id": None, "linked_plans": 1,
                             "linked_units": 1, "gaps": 0}]
    assert api.get(f"/plans/{plan.pk}/coverage/{task.pk}/gaps").json() == {"items": [], "next_cursor": None}

    # The sibling commune derives its plan too but drops the task: a gap.
    other = services.derive_plan(actor=None, parent_plan=plan, issuer=tree["A2"])
    services.delete_task(actor=None, task=other.tasks.get())
    other.refresh_from_db()
    other = services.update_plan(actor=None, plan=other, expected_version=other.lock_version, place="Tân Phong",
                                 signer_name="Lò Văn C", signer_position="CHỦ TỊCH")
    services.issue_plan(actor=None, plan=other, expected_version=other.lock_version, issued_on=dt.date(2025, 2, 2))
    cov = api.get(f"/plans/{plan.pk}/coverage").json()
    assert cov["units_with_plan"] == 2 and cov["items"][0]["gaps"] == 1
    gaps = api.get(f"/plans/{plan.pk}/coverage/{task.pk}/gaps").json()
    assert gaps == {"items": [{"id": tree["A2"].pk, "name": "Phường Tân Phong"}], "next_cursor": None}
    assert api.get(f"/plans/{plan.pk}/coverage/{other.pk + 1000}/gaps").status_code == 404
    assert callers["commune"].api.get(f"/plans/{plan.pk}/coverage/{task.pk}/gaps").status_code == 403

    # The commune implements the plan but does not follow the others' progress.
    assert callers["commune"].api.get(f"/plans/{plan.pk}/obligations").status_code == 403
    assert callers["commune"].api.get(f"/plans/{plan.pk}/coverage").status_code == 403
    assert callers["other"].api.get(f"/plans/{plan.pk}/coverage").status_code == 404
    bad = api.get(f"/plans/{plan.pk}/obligations?state=lost")
    assert bad.status_code == 422 and fields_of(bad) == ["state"]
    bad = api.get(f"/plans/{plan.pk}/coverage?cursor=WzFd")
    assert bad.status_code == 422 and fields_of(bad) == ["cursor"]


def test_obligations_and_coverage_pages(tree, callers, kinds):
    from danvan.orgs import services as org_services

    for i in range(5):
        org_services.create_unit(actor=None, kind=kinds["commune"], name=f"Xã {i}", parent=tree["A"], audit_event=False)
    plan = make_plan(tree["A"], "Kế hoạch tỉnh", requires_subordinate_plans=True,
                     subordinate_due_on=dt.date(2025, 3, 1), subordinate_kinds=[kinds["commune"]])
    for i in range(5):
        services.add_task(actor=None, plan=plan, text=f"Việc {i}")
    plan.refresh_from_db()
    services.issue_plan(actor=None, plan=plan, expected_version=plan.lock_version, issued_on=dt.date(2025, 1, 15))
    api = callers["province"].api
    units, cursor = [], None
    while True:
        body = api.get(f"/plans/{plan.pk}/obligations?state=overdue&limit=3" + (f"&cursor={cursor}" if cursor else "")).json()
        units += [o["unit_id"] for o in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(units) == len(set(units)) == 7
    tasks, cursor = [], None
    while True:
        body = api.get(f"/plans/{plan.pk}/coverage?limit=2" + (f"&cursor={cursor}" if cursor else "")).json()
        tasks += [t["text"] for t in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert tasks == [f"Việc {i}" for i in range(5)]


def test_close_and_amend(plans, callers):
    api = callers["province"].api
    issued = plans["A_issued"]
    draft = plans["A_draft"]
    assert api.post(f"/plans/{draft.pk}/close").status_code == 409
    assert api.post(f"/plans/{draft.pk}/amend").status_code == 409
    assert callers["commune"].api.post(f"/plans/{issued.pk}/amend").status_code == 403
    assert callers["commune"].api.post(f"/plans/{issued.pk}/close").status_code == 403
    r = api.post(f"/plans/{issued.pk}/amend")
    assert r.status_code == 201, r.content
    assert r.json()["amends_id"] == issued.pk and r.json()["version"] == 2 and r.json()["status"] == "draft"
    assert api.post(f"/plans/{issued.pk}/amend").status_code == 409  # a draft amendment exists already
    r = api.post(f"/plans/{issued.pk}/close")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert api.post(f"/plans/{issued.pk}/close").status_code == 409
    assert callers["other"].api.post(f"/plans/{issued.pk}/close").status_code == 404


def test_delete_drafts_only(plans, callers, caller, tree):
    viewer = caller("viewer", (tree["A1"], "viewer"))
    assert viewer.api.delete(f"/plans/{plans['A1'].pk}").status_code == 403
    assert callers["sibling"].api.delete(f"/plans/{plans['A1'].pk}").status_code == 404
    r = callers["commune"].api.delete(f"/plans/{plans['A1'].pk}")
    assert r.status_code == 204
    assert Plan.objects.get(pk=plans["A1"].pk).deleted_at is not None
    assert callers["commune"].api.delete(f"/plans/{plans['A1'].pk}").status_code == 404


# --------------------------------------------------------------------------- export


def test_export_docx(full_plan, callers):
    import docx

    token = callers["commune"].token
    url = f"/api/v1/plans/{full_plan.pk}/export.docx"
    r = Client().get(url, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    op = checker().doc["paths"]["/api/v1/plans/{plan_id}/export.docx"]["get"]
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert set(op["responses"]["200"]["content"]) == {r["Content-Type"]}
    assert r["Content-Disposition"].startswith('attachment; filename="KH-2025-Xa-Binh-Lu.docx"')
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
    assert "Quán triệt Chỉ thị 33" in text
    # Errors of the same operation stay JSON and documented.
    assert callers["other"].api.get(f"/plans/{full_plan.pk}/export.docx").status_code == 404
