"""PUT /api/v1/plans/{id}/legal-bases and PATCH /api/v1/plans/{id}/deadlines/{id}: editing a draft by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from danvan.core.audit import AuditEvent
from danvan.legal.services import register_document
from danvan.plans import services
from danvan.plans.models import PlanDeadline

from .test_plans_api import fields_of, make_plan, make_plans, patch

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(tree):
    return make_plans(tree)


@pytest.fixture
def docs(db):
    return [
        register_document(actor=None, doc_type="Chỉ thị", number="33", symbol="CT-TTg", issued_on="2021-11-26",
                          issuer="Thủ tướng Chính phủ"),
        register_document(actor=None, doc_type="Nghị quyết", number="25", symbol="NQ/TW", issued_on=None, issuer=""),
        register_document(actor=None, doc_type="Nghị định", number="59/2023", symbol="NĐ-CP", issued_on=None, issuer=""),
    ]


def put(api, plan, body):
    return api.request("PUT", f"/plans/{plan.pk}/legal-bases", json=body)


def bases_of(plan) -> list[int]:
    return list(plan.basis_links.order_by("order").values_list("document_id", flat=True))


def lock(plan) -> int:
    plan.refresh_from_db()
    return plan.lock_version


# --------------------------------------------------------------------------- legal bases


def test_put_sets_the_list_in_order_and_bumps_the_version(plans, docs, callers, django_assert_max_num_queries):
    plan = plans["A1"]
    version = lock(plan)
    with django_assert_max_num_queries(30):
        r = put(callers["commune"].api, plan, {"lock_version": version, "document_ids": [docs[2].pk, docs[0].pk]})
    assert r.status_code == 200, r.content
    body = r.json()
    assert [d["id"] for d in body["legal_bases"]] == [docs[2].pk, docs[0].pk]
    assert body["lock_version"] == version + 1 == lock(plan)
    assert bases_of(plan) == [docs[2].pk, docs[0].pk]
    assert AuditEvent.objects.filter(action="plans.plan.legal_bases").count() == 1

    # Reorder, drop one, repeat one (counted once); then clear.
    r = put(callers["commune"].api, plan, {"lock_version": lock(plan),
                                           "document_ids": [docs[0].pk, docs[1].pk, docs[0].pk]})
    assert r.status_code == 200 and [d["id"] for d in r.json()["legal_bases"]] == [docs[0].pk, docs[1].pk]
    r = put(callers["commune"].api, plan, {"lock_version": lock(plan), "document_ids": []})
    assert r.status_code == 200 and r.json()["legal_bases"] == [] and bases_of(plan) == []


def test_unknown_document_is_422_on_document_ids_and_saves_nothing(plans, docs, callers):
    plan = plans["A1"]
    services.set_legal_bases(actor=None, plan=plan, documents=[docs[0]])
    version = lock(plan)
    r = put(callers["commune"].api, plan, {"lock_version": version, "document_ids": [docs[1].pk, 987654321]})
    assert r.status_code == 422 and fields_of(r) == ["document_ids"]
    assert bases_of(plan) == [docs[0].pk] and lock(plan) == version


@pytest.mark.parametrize(("body", "field"), [
    ({"document_ids": []}, "lock_version"),
    ({"lock_version": 1}, "document_ids"),
    ({"lock_version": "x", "document_ids": []}, "lock_version"),
    ({"lock_version": 1, "document_ids": ["a"]}, "document_ids"),
    ({"lock_version": 1, "document_ids": [0]}, "document_ids"),
    ({"lock_version": 1, "document_ids": list(range(1, 202))}, "document_ids"),
    ({"lock_version": 1, "document_ids": [], "extra": 1}, "extra"),
])
def test_bad_bodies_are_422_naming_the_field(plans, callers, body, field):
    r = put(callers["commune"].api, plans["A1"], body)
    assert r.status_code == 422, r.content
    assert str(fields_of(r)[0]).startswith(field)


def test_stale_version_is_409_and_nothing_is_saved(plans, docs, callers):
    plan = plans["A1"]
    stale = lock(plan)
    assert put(callers["commune"].api, plan, {"lock_version": stale, "document_ids": [docs[0].pk]}).status_code == 200
    r = put(callers["province"].api, plan, {"lock_version": stale, "document_ids": [docs[1].pk]})
    assert r.status_code == 409 and r.json()["detail"]
    assert bases_of(plan) == [docs[0].pk]


def test_boundaries(plans, docs, callers, caller, tree, anon):
    def attempt(api, key):
        plan = plans[key]
        return put(api, plan, {"lock_version": lock(plan), "document_ids": [docs[0].pk]}).status_code

    assert attempt(callers["province"].api, "A2") == 200
    assert attempt(callers["sibling"].api, "A1") == 404
    assert attempt(callers["other"].api, "A1") == 404
    assert attempt(callers["nobody"].api, "A1") == 404
    assert attempt(callers["commune"].api, "A_issued") == 403
    assert attempt(caller("viewer", (tree["A1"], "viewer")).api, "A1") == 403
    assert attempt(anon, "A1") == 401
    assert attempt(callers["province"].api, "A_issued") == 409  # issued: locked
    assert bases_of(plans["A1"]) == [] and bases_of(plans["A_issued"]) == []


# --------------------------------------------------------------------------- deadlines


@pytest.fixture
def deadline(plans):
    return services.add_deadline(actor=None, plan=plans["A1"], text="Báo cáo 6 tháng", due_on=dt.date(2025, 6, 5),
                                 kind="half_year_report")


def test_patch_deadline_changes_the_fields_sent(plans, deadline, callers):
    plan = plans["A1"]
    version = lock(plan)
    r = patch(callers["commune"].api, f"/plans/{plan.pk}/deadlines/{deadline.pk}",
              {"lock_version": version, "due_on": "2025-06-10"})
    assert r.status_code == 200, r.content
    assert r.json()["due_on"] == "2025-06-10" and r.json()["text"] == "Báo cáo 6 tháng"
    assert r.json()["kind"] == "half_year_report" and r.json()["plan_lock_version"] == version + 1
    r = patch(callers["commune"].api, f"/plans/{plan.pk}/deadlines/{deadline.pk}",
              {"text": "Báo cáo năm", "kind": "annual_report"})
    assert r.status_code == 200
    deadline.refresh_from_db()
    assert (deadline.text, deadline.kind, deadline.due_on) == ("Báo cáo năm", "annual_report", dt.date(2025, 6, 10))
    assert AuditEvent.objects.filter(action="plans.deadline.update").count() == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"text": ""}, "text"), ({"text": None}, "text"), ({"text": "x" * 501}, "text"), ({"due_on": None}, "due_on"),
    ({"due_on": "2025-02-31"}, "due_on"), ({"kind": "weekly"}, "kind"), ({"lock_version": "x"}, "lock_version"),
    ({"extra": 1}, "extra"),
])
def test_patch_deadline_bad_input_saves_nothing(plans, deadline, callers, body, field):
    plan = plans["A1"]
    version = lock(plan)
    r = patch(callers["commune"].api, f"/plans/{plan.pk}/deadlines/{deadline.pk}", body)
    assert r.status_code == 422, r.content
    assert fields_of(r) == [field]
    deadline.refresh_from_db()
    assert deadline.text == "Báo cáo 6 tháng" and deadline.due_on == dt.date(2025, 6, 5) and lock(plan) == version


def test_patch_deadline_before_the_plans_date_is_422(tree, callers):
    plan = make_plan(tree["A1"], "Kế hoạch có ngày", issued_on=dt.date(2025, 3, 1))
    d = services.add_deadline(actor=None, plan=plan, text="Báo cáo", due_on=dt.date(2025, 6, 5))
    r = patch(callers["commune"].api, f"/plans/{plan.pk}/deadlines/{d.pk}", {"due_on": "2025-02-01"})
    assert r.status_code == 422 and fields_of(r) == ["due_on"]


def test_patch_deadline_stale_version_is_409(plans, deadline, callers):
    plan = plans["A1"]
    stale = lock(plan)
    path = f"/plans/{plan.pk}/deadlines/{deadline.pk}"
    assert patch(callers["commune"].api, path, {"lock_version": stale, "text": "Một"}).status_code == 200
    assert patch(callers["province"].api, path, {"lock_version": stale, "text": "Hai"}).status_code == 409
    deadline.refresh_from_db()
    assert deadline.text == "Một"


def test_patch_deadline_boundaries(plans, deadline, callers, caller, tree, anon):
    path = f"/plans/{plans['A1'].pk}/deadlines/{deadline.pk}"
    assert patch(callers["sibling"].api, path, {"text": "x"}).status_code == 404
    assert patch(callers["other"].api, path, {"text": "x"}).status_code == 404
    assert patch(callers["nobody"].api, path, {"text": "x"}).status_code == 404
    assert patch(anon, path, {"text": "x"}).status_code == 401
    assert patch(caller("viewer", (tree["A1"], "viewer")).api, path, {"text": "x"}).status_code == 403
    # A deadline of another plan is not found under this one.
    other = services.add_deadline(actor=None, plan=plans["A2"], text="Khác", due_on=dt.date(2025, 6, 5))
    assert patch(callers["province"].api, f"/plans/{plans['A1'].pk}/deadlines/{other.pk}", {"text": "x"}).status_code == 404
    assert patch(callers["province"].api, path, {"text": "Tỉnh sửa"}).status_code == 200
    deadline.refresh_from_db()
    assert deadline.text == "Tỉnh sửa"


def test_patch_deadline_of_an_issued_plan_is_409(plans, callers):
    plan = plans["A_issued"]
    d = PlanDeadline.objects.create(plan=plan, text="Báo cáo", due_on=dt.date(2025, 6, 5))
    r = patch(callers["province"].api, f"/plans/{plan.pk}/deadlines/{d.pk}", {"text": "Đổi"})
    assert r.status_code == 409
    d.refresh_from_db()
    assert d.text == "Báo cáo"
