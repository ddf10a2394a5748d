"""/api/v1/plans/{id}/sections|tasks|targets|assignments|deadlines: drafting a plan's parts through the API."""

from __future__ import annotations

import datetime as dt

import pytest

from danvan.plans import services
from danvan.plans.models import Assignment, PlanDeadline, PlanSection, Target, Task

from .conftest import ApiClient
from .test_plans_api import fields_of, make_plan, make_plans, patch

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(tree):
    return make_plans(tree)


@pytest.fixture
def draft(plans):
    return plans["A1"]


def lock(plan) -> int:
    plan.refresh_from_db()
    return plan.lock_version


def test_sections_crud(draft, callers):
    api = callers["commune"].api
    r = api.post(f"/plans/{draft.pk}/sections", json={"title": "NHIỆM VỤ", "number": "II", "lock_version": lock(draft)})
    assert r.status_code == 201, r.content
    top = r.json()
    assert top["depth"] == 0 and top["plan_lock_version"] == lock(draft)
    r = api.post(f"/plans/{draft.pk}/sections", json={"title": "Tuyên truyền", "number": "1", "parent_id": top["id"]})
    assert r.status_code == 201 and r.json()["depth"] == 1 and r.json()["parent_id"] == top["id"]
    child = r.json()

    r = patch(api, f"/plans/{draft.pk}/sections/{child['id']}", {"title": "Công tác tuyên truyền", "order": 3})
    assert r.status_code == 200 and r.json()["title"] == "Công tác tuyên truyền" and r.json()["order"] == 3
    # A section cannot go inside its own child.
    r = patch(api, f"/plans/{draft.pk}/sections/{top['id']}", {"parent_id": child["id"]})
    assert r.status_code == 422 and fields_of(r) == ["parent_id"]
    r = patch(api, f"/plans/{draft.pk}/sections/{child['id']}", {"parent_id": None})
    assert r.status_code == 200 and r.json()["parent_id"] is None and r.json()["depth"] == 0

    assert api.delete(f"/plans/{draft.pk}/sections/{top['id']}").status_code == 204
    assert not PlanSection.objects.filter(pk=top["id"]).exists()
    assert api.delete(f"/plans/{draft.pk}/sections/{top['id']}").status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({}, "title"), ({"title": ""}, "title"), ({"title": "x" * 501}, "title"), ({"title": "A", "number": "x" * 11}, "number"),
    ({"title": "A", "parent_id": 987654321}, "parent_id"), ({"title": "A", "lock_version": "x"}, "lock_version"),
    ({"title": "A", "extra": 1}, "extra"),
])
def test_section_bad_input(draft, callers, body, field):
    r = callers["commune"].api.post(f"/plans/{draft.pk}/sections", json=body)
    assert r.status_code == 422, r.content
    assert fields_of(r) == [field]
    assert not PlanSection.objects.filter(plan=draft).exists()


def test_a_section_of_another_plan_is_not_found(plans, callers):
    other = services.add_section(actor=None, plan=plans["A2"], title="Mục của phường")
    api = callers["province"].api
    assert patch(api, f"/plans/{plans['A1'].pk}/sections/{other.pk}", {"title": "x"}).status_code == 404
    assert api.delete(f"/plans/{plans['A1'].pk}/sections/{other.pk}").status_code == 404
    r = api.post(f"/plans/{plans['A1'].pk}/sections", json={"title": "Con", "parent_id": other.pk})
    assert r.status_code == 422 and fields_of(r) == ["parent_id"]


def test_tasks_crud(tree, draft, callers):
    api = callers["commune"].api
    section = services.add_section(actor=None, plan=draft, title="Nhiệm vụ")
    r = api.post(f"/plans/{draft.pk}/tasks", json={
        "text": "Tổ chức đối thoại", "section_id": section.pk, "lead_unit_id": tree["A1v"].pk, "due_on": "2025-09-30",
    })
    assert r.status_code == 201, r.content
    task = r.json()
    assert task["section_id"] == section.pk and task["lead_unit_name"] == "Bản Thẳm" and task["due_on"] == "2025-09-30"
    r = patch(api, f"/plans/{draft.pk}/tasks/{task['id']}", {"text": "Đối thoại với Nhân dân", "lead_unit_id": None,
                                                             "lock_version": lock(draft)})
    assert r.status_code == 200 and r.json()["lead_unit_id"] is None and r.json()["text"] == "Đối thoại với Nhân dân"
    assert api.delete(f"/plans/{draft.pk}/tasks/{task['id']}?lock_version={lock(draft)}").status_code == 204
    assert not Task.objects.filter(pk=task["id"]).exists()


@pytest.mark.parametrize(("unit", "ok"), [("A1", True), ("A1v", True), ("A2", False), ("A", False), ("B1", False)])
def test_task_lead_unit_must_be_inside_the_issuers_subtree(tree, draft, callers, unit, ok):
    r = callers["province"].api.post(f"/plans/{draft.pk}/tasks", json={"text": "Việc", "lead_unit_id": tree[unit].pk})
    if ok:
        assert r.status_code == 201
    else:
        assert r.status_code == 422 and fields_of(r) == ["lead_unit_id"]
        assert r.json()["errors"][0]["message"]
        assert not Task.objects.filter(plan=draft).exists()


@pytest.mark.parametrize(("body", "field"), [
    ({}, "text"), ({"text": "  "}, "text"), ({"text": "x" * 10_001}, "text"), ({"text": "A", "due_on": "2025-02-30"}, "due_on"),
    ({"text": "A", "section_id": 987654321}, "section_id"), ({"text": "A", "parent_task_id": 987654321}, "parent_task_id"),
    ({"text": "A", "lead_unit_id": "một"}, "lead_unit_id"), ({"text": 5}, "text"),
])
def test_task_bad_input(draft, callers, body, field):
    r = callers["commune"].api.post(f"/plans/{draft.pk}/tasks", json=body)
    assert r.status_code == 422, r.content
    assert fields_of(r) == [field]
    assert not Task.objects.filter(plan=draft).exists()


def test_task_deadline_before_the_plans_date_is_refused(tree, plans, callers):
    issued = plans["A_issued"]
    amendment = services.amend_plan(actor=None, plan=issued)
    amendment = services.update_plan(actor=None, plan=amendment, expected_version=amendment.lock_version,
                                     issued_on=dt.date(2025, 1, 10))
    r = callers["province"].api.post(f"/plans/{amendment.pk}/tasks", json={"text": "Việc", "due_on": "2025-01-01"})
    assert r.status_code == 422 and fields_of(r) == ["due_on"]


def test_stale_lock_version_on_a_part_is_409(draft, callers):
    version = lock(draft)
    api = callers["commune"].api
    assert api.post(f"/plans/{draft.pk}/tasks", json={"text": "Một", "lock_version": version}).status_code == 201
    r = api.post(f"/plans/{draft.pk}/tasks", json={"text": "Hai", "lock_version": version})
    assert r.status_code == 409
    assert list(Task.objects.filter(plan=draft).values_list("text", flat=True)) == ["Một"]


def test_parts_boundaries(tree, plans, callers, caller):
    draft = plans["A1"]
    viewer = caller("viewer", (tree["A1"], "viewer"))
    for api, status in [
        (callers["sibling"].api, 404), (callers["other"].api, 404), (callers["nobody"].api, 404), (viewer.api, 403),
    ]:
        assert api.post(f"/plans/{draft.pk}/tasks", json={"text": "Việc"}).status_code == status
        assert api.post(f"/plans/{draft.pk}/sections", json={"title": "Mục"}).status_code == status
    assert not Task.objects.filter(plan=draft).exists()
    # The commune sees the province's issued plan but cannot draft it.
    assert callers["commune"].api.post(f"/plans/{plans['A_issued'].pk}/tasks", json={"text": "x"}).status_code == 403


def test_progress_on_an_issued_plan(tree, plans, callers):
    plan = plans["A_issued"]
    amendment = services.amend_plan(actor=None, plan=plan)
    task = services.add_task(actor=None, plan=amendment, text="Việc", lead_unit=tree["A1"])
    amendment.refresh_from_db()
    amendment = services.issue_plan(actor=None, plan=amendment, expected_version=amendment.lock_version,
                                    issued_on=dt.date(2025, 2, 1))
    # The lead unit reports progress on the province's plan; a sibling commune may see the plan but not report.
    r = callers["commune"].api.post(f"/plans/{amendment.pk}/tasks/{task.pk}/progress",
                                    json={"status": "in_progress", "progress": 40, "note": "Đã họp"})
    assert r.status_code == 200, r.content
    assert r.json()["progress"] == 40 and r.json()["status"] == "in_progress"
    r = callers["sibling"].api.post(f"/plans/{amendment.pk}/tasks/{task.pk}/progress",
                                    json={"status": "done", "progress": 100})
    assert r.status_code == 403
    r = callers["commune"].api.post(f"/plans/{amendment.pk}/tasks/{task.pk}/progress",
                                    json={"status": "done", "progress": 101})
    assert r.status_code == 422 and fields_of(r) == ["progress"]
    r = callers["commune"].api.post(f"/plans/{amendment.pk}/tasks/{task.pk}/progress",
                                    json={"status": "finished", "progress": 10})
    assert r.status_code == 422 and fields_of(r) == ["status"]
    services.close_plan(actor=None, plan=amendment)
    r = callers["province"].api.post(f"/plans/{amendment.pk}/tasks/{task.pk}/progress",
                                     json={"status": "done", "progress": 100})
    assert r.status_code in (403, 409)
    assert Task.objects.get(pk=task.pk).progress == 40


def test_targets_crud_and_value(plans, callers):
    draft = plans["A1"]
    api = callers["commune"].api
    r = api.post(f"/plans/{draft.pk}/targets", json={"text": "95% thôn có mô hình", "value": 95, "unit": "%",
                                                      "scope_kinds": ["village"]})
    assert r.status_code == 201, r.content
    target = r.json()
    assert target["value"] == 95 and target["scope_kinds"] == ["village"] and target["measurement"] == "entered"
    r = patch(api, f"/plans/{draft.pk}/targets/{target['id']}", {"value": 100, "scope_kinds": []})
    assert r.status_code == 200 and r.json()["value"] == 100 and r.json()["scope_kinds"] == []
    r = patch(api, f"/plans/{draft.pk}/targets/{target['id']}", {"measurement": "indicator"})
    assert r.status_code == 422 and fields_of(r) == ["indicator_code"]
    r = api.post(f"/plans/{draft.pk}/targets/{target['id']}/value", json={"current_value": 100})
    assert r.status_code == 200 and r.json()["current_value"] == 100 and r.json()["status"] == "met"
    r = api.post(f"/plans/{draft.pk}/targets/{target['id']}/value", json={"current_value": "nhiều"})
    assert r.status_code == 422 and fields_of(r) == ["current_value"]
    assert api.delete(f"/plans/{draft.pk}/targets/{target['id']}").status_code == 204
    assert not Target.objects.filter(pk=target["id"]).exists()


@pytest.mark.parametrize(("body", "field"), [
    ({}, "text"), ({"text": "A", "value": "x"}, "value"), ({"text": "A", "unit": "x" * 31}, "unit"),
    ({"text": "A", "measurement": "guess"}, "measurement"), ({"text": "A", "scope_kinds": ["planet"]}, "scope_kinds"),
    ({"text": "A", "parent_target_id": 987654321}, "parent_target_id"),
])
def test_target_bad_input(draft, callers, body, field):
    r = callers["commune"].api.post(f"/plans/{draft.pk}/targets", json=body)
    assert r.status_code == 422, r.content
    assert fields_of(r) == [field]
    assert not Target.objects.filter(plan=draft).exists()


def test_assignments_crud(tree, draft, callers):
    api = callers["commune"].api
    task = services.add_task(actor=None, plan=draft, text="Việc")
    r = api.post(f"/plans/{draft.pk}/assignments", json={
        "unit_id": tree["A1v"].pk, "role": "co-operating", "duties": "Phối hợp", "due_on": "2025-11-15",
        "task_id": task.pk, "co_unit_ids": [tree["A1"].pk],
    })
    assert r.status_code == 201, r.content
    a = r.json()
    assert a["unit_name"] == "Bản Thẳm" and a["co_unit_ids"] == [tree["A1"].pk] and a["task_id"] == task.pk
    r = patch(api, f"/plans/{draft.pk}/assignments/{a['id']}", {"unit_name": "Phòng Nội vụ", "unit_id": None,
                                                                "co_unit_ids": []})
    assert r.status_code == 200 and r.json()["unit_id"] is None and r.json()["co_unit_ids"] == []
    assert r.json()["unit_name"] == "Phòng Nội vụ"
    assert api.delete(f"/plans/{draft.pk}/assignments/{a['id']}").status_code == 204
    assert not Assignment.objects.filter(pk=a["id"]).exists()


@pytest.mark.parametrize(("body", "field"), [
    ({}, "unit_name"), ({"unit_name": "P", "role": "boss"}, "role"), ({"unit_name": "x" * 256}, "unit_name"),
    ({"unit_name": "P", "task_id": 987654321}, "task_id"), ({"unit_name": "P", "co_unit_ids": [987654321]}, "co_unit_ids"),
    ({"unit_name": "P", "due_on": "31/02/2025"}, "due_on"),
])
def test_assignment_bad_input(draft, callers, body, field):
    r = callers["commune"].api.post(f"/plans/{draft.pk}/assignments", json=body)
    assert r.status_code == 422, r.content
    assert fields_of(r) == [field]
    assert not Assignment.objects.filter(plan=draft).exists()


@pytest.mark.parametrize("field", ["unit_id", "co_unit_ids"])
def test_assignment_units_outside_the_subtree_are_refused(tree, draft, callers, field):
    value = tree["A2"].pk if field == "unit_id" else [tree["A2"].pk]
    r = callers["province"].api.post(f"/plans/{draft.pk}/assignments", json={"unit_name": "P", field: value})
    assert r.status_code == 422 and fields_of(r) == [field]


def test_deadlines(draft, callers):
    api = callers["commune"].api
    r = api.post(f"/plans/{draft.pk}/deadlines", json={"text": "Báo cáo năm", "due_on": "2025-11-15",
                                                        "kind": "annual_report"})
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "annual_report" and r.json()["due_on"] == "2025-11-15"
    for body, field in [({"text": "B"}, "due_on"), ({"due_on": "2025-11-15"}, "text"),
                        ({"text": "B", "due_on": "2025-02-29"}, "due_on"), ({"text": "B", "due_on": "2025-11-15",
                                                                            "kind": "weekly"}, "kind")]:
        bad = api.post(f"/plans/{draft.pk}/deadlines", json=body)
        assert bad.status_code == 422 and fields_of(bad) == [field], body
    assert PlanDeadline.objects.filter(plan=draft).count() == 1
    assert api.delete(f"/plans/{draft.pk}/deadlines/{r.json()['id']}").status_code == 204
    assert not PlanDeadline.objects.filter(plan=draft).exists()


def test_linking_a_task_to_the_level_above(tree, plans, callers):
    parent = plans["A_issued"]
    src = services.amend_plan(actor=None, plan=parent)
    above = services.add_task(actor=None, plan=src, text="Việc của tỉnh")
    src.refresh_from_db()
    src = services.issue_plan(actor=None, plan=src, expected_version=src.lock_version, issued_on=dt.date(2025, 2, 1))
    derived = services.derive_plan(actor=None, parent_plan=src, issuer=tree["A1"])
    api = callers["commune"].api
    r = api.post(f"/plans/{derived.pk}/tasks", json={"text": "Việc của xã", "parent_task_id": above.pk})
    assert r.status_code == 201 and r.json()["parent_task_id"] == above.pk
    unrelated = make_plan(tree["A1"], "Khác")
    r = api.post(f"/plans/{unrelated.pk}/tasks", json={"text": "Việc", "parent_task_id": above.pk})
    assert r.status_code == 422 and fields_of(r) == ["parent_task_id"]


def test_an_edit_without_the_version_it_was_based_on_is_refused(draft, callers):
    """Issue #9: no silent overwrite — every edit of a part names the plan version it read (422 if missing)."""
    section = services.add_section(actor=None, plan=draft, title="Nhiệm vụ")
    task = services.add_task(actor=None, plan=draft, text="Tổ chức đối thoại", section=section)
    before = lock(draft)
    plain = ApiClient(callers["commune"].token)  # sends only what the test gives it
    r = plain.post(f"/plans/{draft.pk}/sections", json={"title": "Mục mới"})
    assert r.status_code == 422 and fields_of(r) == ["lock_version"]
    r = patch(plain, f"/plans/{draft.pk}/sections/{section.pk}", {"title": "Đổi tên"})
    assert r.status_code == 422 and fields_of(r) == ["lock_version"]
    r = plain.delete(f"/plans/{draft.pk}/tasks/{task.pk}")
    assert r.status_code == 422 and fields_of(r) == ["lock_version"]
    assert lock(draft) == before
    assert PlanSection.objects.filter(plan=draft).count() == 1 and Task.objects.filter(pk=task.pk).exists()
    section.refresh_from_db()
    assert section.title == "Nhiệm vụ"
    # With the version read, the same edits go through.
    r = plain.request("PATCH", f"/plans/{draft.pk}/sections/{section.pk}", json={"title": "Đổi tên", "lock_version": before})
    assert r.status_code == 200 and r.json()["plan_lock_version"] == before + 1
