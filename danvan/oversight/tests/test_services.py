"""Dissemination and inspection services and reads: coverage of a document, who inspects whom, follow-up
actions and their deadlines; every permission boundary, bad input, double submits, concurrent edits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.legal.services import register_document
from danvan.orgs.models import OrgUnit
from danvan.oversight import queries, services
from danvan.oversight.models import Dissemination, FollowUpAction, Inspection, InspectionPlan

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PAST = TODAY - dt.timedelta(days=30)


def make_people(tree: dict[str, Any], make_user: Any) -> dict[str, Any]:
    return {
        "officer": make_user("ov_officer", (tree["A1"], "officer")),
        "head": make_user("ov_head", (tree["A1"], "head")),
        "viewer": make_user("ov_viewer", (tree["A1"], "viewer")),
        "sibling": make_user("ov_sibling", (tree["A2"], "officer")),
        "province": make_user("ov_province", (tree["A"], "officer")),
        "province_head": make_user("ov_phead", (tree["A"], "head")),
        "dept": make_user("ov_dept", (tree["Adep"], "officer")),
        "other": make_user("ov_other", (tree["B1"], "officer")),
        "nobody": make_user("ov_nobody"),
    }


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return make_people(tree, make_user)


def make_docs() -> dict[str, Any]:
    return {
        "ct33": register_document(actor=None, doc_type="directive", number="33", symbol="CT-TTg",
                                  issued_on=dt.date(2021, 11, 26), issuer="Thủ tướng Chính phủ"),
        "l10": register_document(actor=None, doc_type="law", number="10/2022", symbol="QH15",
                                 issued_on=dt.date(2022, 11, 10), issuer="Quốc hội"),
    }


def session(unit: Any, documents: list[Any], actor: Any = None, **kw: Any) -> Dissemination:
    kw.setdefault("title", "Hội nghị quán triệt Chỉ thị 33")
    kw.setdefault("held_on", PAST)
    kw.setdefault("participants", 45)
    return services.record_dissemination(actor=actor, org_unit=unit, documents=documents, **kw)


@pytest.fixture
def docs(db: Any) -> dict[str, Any]:
    return make_docs()


# --------------------------------------------------------------------------- dissemination


def test_record_dissemination(tree: dict, people: dict, docs: dict) -> None:
    d = session(tree["A1"], [docs["ct33"], docs["l10"], docs["ct33"]], people["officer"], form="Hội nghị trực tiếp")
    assert sorted(x.pk for x in d.documents.all()) == sorted([docs["ct33"].pk, docs["l10"].pk])
    assert (d.participants, d.created_by, d.form) == (45, people["officer"], "Hội nghị trực tiếp")
    ev = AuditEvent.objects.get(action="oversight.dissemination.create", object_id=str(d.pk))
    assert sorted(ev.summary["documents"]) == sorted([docs["ct33"].pk, docs["l10"].pk])


@pytest.mark.parametrize("who, allowed", [
    ("officer", True), ("head", True), ("province", True), ("viewer", False), ("sibling", False),
    ("dept", False), ("other", False), ("nobody", False),
])
def test_dissemination_permissions(tree: dict, people: dict, docs: dict, who: str, allowed: bool) -> None:
    if allowed:
        assert session(tree["A1"], [docs["ct33"]], people[who]).pk
    else:
        with pytest.raises(PermissionDenied):
            session(tree["A1"], [docs["ct33"]], people[who])
        assert not Dissemination.objects.exists()


@pytest.mark.parametrize("kw, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 256}, "title"),
    ({"held_on": None}, "held_on"),
    ({"held_on": "2025-01-01"}, "held_on"),
    ({"held_on": TODAY + dt.timedelta(days=1)}, "held_on"),
    ({"participants": 0}, "participants"),
    ({"participants": "45"}, "participants"),
    ({"participants": True}, "participants"),
    ({"participants": 1_000_001}, "participants"),
    ({"documents": []}, "documents"),
    ({"documents": "33/CT-TTg"}, "documents"),
    ({"documents": [1]}, "documents"),
    ({"notes": "x" * 10001}, "notes"),
])
def test_dissemination_bad_input(tree: dict, docs: dict, kw: dict, field: str) -> None:
    args = {"title": "Quán triệt", "held_on": PAST, "participants": 10, "documents": [docs["ct33"]], **kw}
    with pytest.raises(ValidationError) as exc:
        services.record_dissemination(actor=None, org_unit=tree["A1"], **args)
    assert field in exc.value.message_dict
    assert not Dissemination.objects.exists()


def test_dissemination_double_submit_update_and_delete(tree: dict, people: dict, docs: dict) -> None:
    d = session(tree["A1"], [docs["ct33"]])
    with pytest.raises(ValidationError) as exc:
        session(tree["A1"], [docs["ct33"]], title="HỘI NGHỊ QUÁN TRIỆT CHỈ THỊ 33")
    assert "title" in exc.value.message_dict
    assert Dissemination.objects.count() == 1
    services.update_dissemination(actor=people["officer"], dissemination=d, expected_version=1, participants=50,
                                  documents=[docs["ct33"], docs["l10"]])
    assert d.participants == 50 and d.lock_version == 2 and d.documents.count() == 2
    with pytest.raises(ConcurrentEditError):
        services.update_dissemination(actor=people["officer"], dissemination=Dissemination.objects.get(pk=d.pk),
                                      expected_version=1, participants=7)
    with pytest.raises(ValidationError) as exc:
        services.update_dissemination(actor=None, dissemination=d, expected_version=2, org_unit=tree["A2"])
    assert "org_unit" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.update_dissemination(actor=people["sibling"], dissemination=d, expected_version=2, participants=1)
    d.refresh_from_db()
    assert d.participants == 50
    with pytest.raises(PermissionDenied):
        services.delete_dissemination(actor=people["officer"], dissemination=d, reason="Nhầm")
    with pytest.raises(ValidationError):
        services.delete_dissemination(actor=people["head"], dissemination=d, reason="")
    services.delete_dissemination(actor=people["head"], dissemination=d, reason="Nhầm")
    assert Dissemination.objects.get(pk=d.pk).deleted_at is not None
    assert not queries.disseminations_for(people["head"]).exists()


def test_disseminated_share(tree: dict, docs: dict) -> None:
    """Each unit holds its own session: the province's conference does not count for its communes."""
    session(tree["A"], [docs["ct33"]], title="Tỉnh quán triệt")
    session(tree["A1"], [docs["ct33"]])
    session(tree["A1"], [docs["ct33"]], title="Lần 2", held_on=PAST - dt.timedelta(days=1))
    session(tree["A1v"], [docs["ct33"]])  # a village: not among the units counted
    session(tree["A2"], [docs["l10"]])
    gone = session(tree["Adep"], [docs["ct33"]])
    services.delete_dissemination(actor=None, dissemination=gone, reason="Nhầm")
    units = queries.coverage_units(tree["A"])
    assert sorted(units.values_list("pk", flat=True)) == sorted([tree["A"].pk, tree["A1"].pk, tree["A2"].pk,
                                                                  tree["Adep"].pk])
    assert queries.disseminated_share(units, docs["ct33"]) == (2, 4)
    assert queries.disseminated_share(units, docs["l10"]) == (1, 4)
    assert queries.disseminated_share(units, docs["ct33"], date_from=TODAY) == (0, 4)
    communes = OrgUnit.objects.filter(kind__code="commune", path__startswith=tree["A"].path)
    assert queries.disseminated_share(communes, docs["ct33"]) == (1, 2)
    assert queries.disseminated_share(OrgUnit.objects.none(), docs["ct33"]) == (0, 0)


# --------------------------------------------------------------------------- inspection plans and inspections


def test_inspection_plan(tree: dict, people: dict) -> None:
    year = TODAY.year
    plan = services.create_inspection_plan(
        actor=people["province"], org_unit=tree["A"], kind="inspection", year=year, title="Kiểm tra dân vận",
        starts_on=dt.date(year, 3, 1), ends_on=dt.date(year, 11, 30), units=[tree["A1"], tree["A2"], tree["A1"]])
    assert sorted(u.pk for u in plan.units.all()) == sorted([tree["A1"].pk, tree["A2"].pk])
    own = services.create_inspection_plan(actor=people["officer"], org_unit=tree["A1"], kind="self", year=year,
                                          title="Tự kiểm tra", starts_on=dt.date(year, 6, 1),
                                          ends_on=dt.date(year, 6, 30))
    assert [u.pk for u in own.units.all()] == [tree["A1"].pk]  # a self-inspection inspects the unit itself
    # The department inspects the units of its province.
    dept = services.create_inspection_plan(actor=people["dept"], org_unit=tree["Adep"], kind="inspection", year=year,
                                           title="Sở kiểm tra", starts_on=dt.date(year, 3, 1),
                                           ends_on=dt.date(year, 3, 2), units=[tree["A1"]])
    assert dept.pk
    with pytest.raises(ValidationError) as exc:
        services.create_inspection_plan(actor=None, org_unit=tree["A"], kind="inspection", year=year,
                                        title="Kiểm tra dân vận", starts_on=dt.date(year, 3, 1),
                                        ends_on=dt.date(year, 3, 2))
    assert "title" in exc.value.message_dict  # twice


@pytest.mark.parametrize("kw, field", [
    ({"kind": "audit"}, "kind"),
    ({"year": 1999}, "year"),
    ({"year": "2026"}, "year"),
    ({"title": ""}, "title"),
    ({"ends_on": "x"}, "ends_on"),
    ({"starts_on": None}, "starts_on"),
    ({"ends_on": dt.date(2026, 2, 1)}, "ends_on"),
    ({"units": [None]}, "units"),
    ({"units": "A1"}, "units"),
    ({"kind": "self", "units": ["A2"]}, "units"),
    ({"units": ["B1"]}, "units"),
    ({"units": ["A"]}, "units"),
])
def test_inspection_plan_bad_input(tree: dict, kw: dict, field: str) -> None:
    if isinstance(kw.get("units"), list):
        kw["units"] = [tree[u] if isinstance(u, str) else u for u in kw["units"]]
    args = {"kind": "inspection", "year": 2026, "title": "Kế hoạch", "starts_on": dt.date(2026, 3, 1),
            "ends_on": dt.date(2026, 3, 31), "units": [tree["A1"]], **kw}
    with pytest.raises(ValidationError) as exc:
        services.create_inspection_plan(actor=None, org_unit=tree["A"], **args)
    assert field in exc.value.message_dict
    assert not InspectionPlan.objects.exists()


def test_inspection_plan_permissions(tree: dict, people: dict) -> None:
    for who in ("officer", "viewer", "sibling", "other", "nobody", "dept"):
        with pytest.raises(PermissionDenied):
            services.create_inspection_plan(actor=people[who], org_unit=tree["A"], kind="self", year=2026,
                                            title="X", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 1, 2))
    assert not InspectionPlan.objects.exists()


def make_inspection(tree: dict, actor: Any = None, **kw: Any) -> Inspection:
    kw.setdefault("inspector", tree["A"])
    kw.setdefault("org_unit", tree["A1"])
    kw.setdefault("starts_on", PAST)
    kw.setdefault("ends_on", PAST + dt.timedelta(days=2))
    return services.record_inspection(actor=actor, **kw)


def test_record_inspection_rules(tree: dict, people: dict) -> None:
    year = TODAY.year
    plan = services.create_inspection_plan(actor=None, org_unit=tree["A"], kind="inspection", year=year,
                                           title="Kế hoạch", starts_on=dt.date(year, 1, 1),
                                           ends_on=dt.date(year, 12, 31), units=[tree["A1"]])
    i = make_inspection(tree, people["province"], plan=plan, findings="Chưa niêm yết đủ")
    assert (i.inspector, i.org_unit, i.plan, i.created_by) == (tree["A"], tree["A1"], plan, people["province"])
    with pytest.raises(ValidationError) as exc:  # twice
        make_inspection(tree, plan=plan)
    assert "starts_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_inspection(tree, org_unit=tree["A2"], plan=plan)
    assert "org_unit" in exc.value.message_dict  # not in the plan
    with pytest.raises(ValidationError) as exc:
        make_inspection(tree, org_unit=tree["B1"])
    assert "org_unit" in exc.value.message_dict  # another province
    with pytest.raises(ValidationError) as exc:
        make_inspection(tree, inspector=tree["A1"], org_unit=tree["A2"])
    assert "org_unit" in exc.value.message_dict  # a commune does not inspect its sibling
    with pytest.raises(ValidationError) as exc:
        make_inspection(tree, ends_on=PAST - dt.timedelta(days=1))
    assert "ends_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_inspection(tree, starts_on=TODAY + dt.timedelta(days=1), ends_on=TODAY + dt.timedelta(days=2))
    assert "starts_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_inspection(tree, inspector=tree["A1"], plan=plan)
    assert "plan" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        make_inspection(tree, people["officer"])  # the commune may not write the province's inspections
    self_check = make_inspection(tree, people["officer"], inspector=tree["A1"], org_unit=tree["A1"])
    assert self_check.pk
    assert Inspection.objects.count() == 2


def test_inspection_visibility(tree: dict, people: dict) -> None:
    i = make_inspection(tree)
    assert list(queries.inspections_for(people["viewer"])) == [i]  # the unit inspected reads it
    assert list(queries.inspections_for(people["province"])) == [i]
    assert not queries.inspections_for(people["sibling"]).exists()
    assert not queries.inspections_for(people["other"]).exists()
    assert not queries.inspections_for(people["nobody"]).exists()
    assert people["viewer"].has_perm("oversight.view", i)
    assert not people["officer"].has_perm("oversight.change", i)


def test_update_and_delete_inspection(tree: dict, people: dict) -> None:
    i = make_inspection(tree)
    services.update_inspection(actor=people["province"], inspection=i, expected_version=1, findings="Phát hiện",
                               conclusion="Kết luận")
    assert (i.findings, i.lock_version) == ("Phát hiện", 2)
    with pytest.raises(ConcurrentEditError):
        services.update_inspection(actor=None, inspection=Inspection.objects.get(pk=i.pk), expected_version=1,
                                   findings="Cũ")
    with pytest.raises(ValidationError) as exc:
        services.update_inspection(actor=None, inspection=i, expected_version=2, ends_on=PAST - dt.timedelta(days=1))
    assert "ends_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.update_inspection(actor=None, inspection=i, expected_version=2, org_unit=tree["A2"])
    assert "org_unit" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.update_inspection(actor=people["head"], inspection=i, expected_version=2, findings="Sửa")
    with pytest.raises(PermissionDenied):
        services.delete_inspection(actor=people["province"], inspection=i, reason="Nhầm")
    services.delete_inspection(actor=people["province_head"], inspection=i, reason="Nhầm")
    assert not queries.inspections_for(people["province"]).exists()


# --------------------------------------------------------------------------- follow-up actions


def test_actions_deadlines_and_reports(tree: dict, people: dict) -> None:
    i = make_inspection(tree)
    late = services.add_action(actor=people["province"], inspection=i, text="Niêm yết đủ thủ tục",
                               owner_unit=tree["A1"], due_on=PAST + dt.timedelta(days=5))
    ok = services.add_action(actor=None, inspection=i, text="Bổ sung sổ tiếp dân", owner_unit=tree["A1v"],
                             due_on=TODAY + dt.timedelta(days=10))
    services.add_action(actor=None, inspection=i, text="Tổng hợp báo cáo", owner_unit=tree["A"],
                        due_on=TODAY + dt.timedelta(days=10))
    with pytest.raises(ValidationError) as exc:  # twice
        services.add_action(actor=None, inspection=i, text="niêm yết đủ thủ tục", owner_unit=tree["A1"],
                            due_on=PAST + dt.timedelta(days=5))
    assert "text" in exc.value.message_dict
    for kw, field in [({"text": ""}, "text"), ({"owner_unit": tree["A2"]}, "owner_unit"),
                      ({"owner_unit": None}, "owner_unit"), ({"due_on": PAST - dt.timedelta(days=1)}, "due_on"),
                      ({"due_on": "mai"}, "due_on")]:
        args = {"text": "Khác", "owner_unit": tree["A1"], "due_on": TODAY, **kw}
        with pytest.raises(ValidationError) as exc:
            services.add_action(actor=None, inspection=i, **args)
        assert field in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.add_action(actor=people["officer"], inspection=i, text="X", owner_unit=tree["A1"], due_on=TODAY)
    assert FollowUpAction.objects.count() == 3
    assert [a.pk for a in queries.late_actions(people["officer"], TODAY)] == [late.pk]
    assert not queries.late_actions(people["sibling"], TODAY).exists()
    # The commune reports on its own action; a stale form or a second report is refused.
    for who in ("viewer", "sibling", "other", "nobody"):
        with pytest.raises(PermissionDenied):
            services.complete_action(actor=people[who], action=late, expected_version=1, done_on=TODAY, result="Xong")
    with pytest.raises(ValidationError) as exc:
        services.complete_action(actor=people["officer"], action=late, expected_version=1, done_on=TODAY, result="")
    assert "result" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.complete_action(actor=people["officer"], action=late, expected_version=1,
                                 done_on=TODAY + dt.timedelta(days=1), result="Xong")
    assert "done_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.complete_action(actor=people["officer"], action=late, expected_version=1,
                                 done_on=PAST - dt.timedelta(days=1), result="Xong")
    assert "done_on" in exc.value.message_dict
    services.complete_action(actor=people["officer"], action=late, expected_version=1, done_on=TODAY, result="Đã làm")
    assert (late.done_on, late.result, late.lock_version) == (TODAY, "Đã làm", 2)
    assert queries.is_late(late, TODAY)  # done after its deadline
    with pytest.raises(ConcurrentEditError):
        services.complete_action(actor=people["officer"], action=FollowUpAction.objects.get(pk=late.pk),
                                 expected_version=1, done_on=TODAY, result="Lại")
    with pytest.raises(ValidationError) as exc:
        services.complete_action(actor=people["officer"], action=late, expected_version=2, done_on=TODAY,
                                 result="Lại")
    assert "done_on" in exc.value.message_dict
    assert not queries.late_actions(people["officer"], TODAY).exists()
    assert [a.pk for a in queries.late_actions(people["officer"], TODAY, open_only=False)] == [late.pk]
    # A village's officer reports on the village's action only.
    village = OrgUnit.objects.get(pk=tree["A1v"].pk)
    assert village.pk == ok.owner_unit_id
    assert AuditEvent.objects.filter(action="oversight.action.complete", object_id=str(late.pk)).count() == 1
