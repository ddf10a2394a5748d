"""Plan services: drafting, permissions, optimistic concurrency, numbering, locking, soft delete."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.plans import services
from danvan.plans.models import Plan, PlanStatus
from danvan.plans.queries import plans_visible_to

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 10)


def ready_fields(**extra: Any) -> dict[str, Any]:
    """What a plan needs before it can be issued."""
    return {"place": "Lai Châu", "signer_name": "Nguyễn Văn A", "signer_position": "Chủ tịch",
            "signer_authority": "TM.", **extra}


def make_draft(issuer: Any, actor: Any = None, title: str = "Kế hoạch công tác dân vận năm 2025", **extra: Any) -> Plan:
    return services.create_plan(actor=actor, issuer=issuer, title=title, year=2025, **ready_fields(**extra))


def issue(plan: Plan, actor: Any = None, on: dt.date = TODAY, number: int | None = None) -> Plan:
    plan.refresh_from_db()
    return services.issue_plan(actor=actor, plan=plan, expected_version=plan.lock_version, issued_on=on, number=number)


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any) -> dict[str, Any]:
    return {
        "head": make_user("head", (tree["A"], "head")),
        "officer": make_user("officer", (tree["A"], "officer")),
        "viewer": make_user("viewer", (tree["A"], "viewer")),
        "commune": make_user("commune", (tree["A1"], "officer")),
        "commune_head": make_user("commune_head", (tree["A1"], "head")),
        "sibling": make_user("sibling", (tree["A2"], "officer")),
        "other": make_user("other", (tree["B"], "admin")),
        "nobody": make_user("nobody"),
    }


# --------------------------------------------------------------------------- create and edit


def test_officer_creates_draft_with_audit(tree: Any, people: Any) -> None:
    plan = make_draft(tree["A"], people["officer"], purposes=["  Nâng cao  nhận thức ", ""])
    assert plan.status == PlanStatus.DRAFT and plan.number is None and plan.lock_version == 1
    assert plan.purposes == ["Nâng cao nhận thức"]
    assert plan.reference == "…/KH-UBND"
    ev = AuditEvent.objects.get(action="plans.plan.create")
    assert ev.object_id == str(plan.pk) and ev.actor == people["officer"]


@pytest.mark.parametrize("who", ["viewer", "commune", "sibling", "other", "nobody"])
def test_who_may_not_create_province_plan(tree: Any, people: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        make_draft(tree["A"], people[who])
    assert not Plan.objects.exists()


def test_commune_officer_creates_own_plan(tree: Any, people: Any) -> None:
    plan = make_draft(tree["A1"], people["commune"])
    assert plan.issuer == tree["A1"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"title": 5}, "title"),
        ({"year": 1999}, "year"),
        ({"year": "2025"}, "year"),
        ({"end_year": 2024}, "end_year"),
        ({"kind": "weekly"}, "kind"),
        ({"signer_authority": "XX."}, "signer_authority"),
        ({"issued_on": "2025-01-01"}, "issued_on"),
        ({"purposes": "một câu"}, "purposes"),
        ({"place": "p" * 101}, "place"),
    ],
)
def test_bad_input_names_the_field(tree: Any, people: Any, fields: dict[str, Any], field: str) -> None:
    args = {"title": "Kế hoạch", "year": 2025, **fields}
    with pytest.raises(ValidationError) as exc:
        services.create_plan(actor=people["officer"], issuer=tree["A"], **args)
    assert field in exc.value.message_dict
    assert not Plan.objects.exists()


def test_update_bumps_version_and_audits(tree: Any, people: Any) -> None:
    plan = make_draft(tree["A"], people["officer"])
    updated = services.update_plan(actor=people["officer"], plan=plan, expected_version=1, title="Kế hoạch mới")
    assert updated.title == "Kế hoạch mới" and updated.lock_version == 2
    assert plan.lock_version == 2  # the caller's object follows
    ev = AuditEvent.objects.filter(action="plans.plan.update").get()
    assert ev.summary["title"] == ["Kế hoạch công tác dân vận năm 2025", "Kế hoạch mới"]


def test_second_stale_update_conflicts_and_first_kept(tree: Any, people: Any) -> None:
    plan = make_draft(tree["A"], people["officer"])
    form_version = plan.lock_version
    other = Plan.objects.get(pk=plan.pk)
    services.update_plan(actor=people["officer"], plan=plan, expected_version=form_version, title="Bản của người 1")
    with pytest.raises(ConcurrentEditError):
        services.update_plan(actor=people["head"], plan=other, expected_version=form_version, title="Bản của người 2")
    plan.refresh_from_db()
    assert plan.title == "Bản của người 1" and plan.lock_version == form_version + 1


def test_structural_edit_bumps_version_and_checks_expected(tree: Any, people: Any) -> None:
    plan = make_draft(tree["A"], people["officer"])
    section = services.add_section(actor=people["officer"], plan=plan, title="Nhiệm vụ", number="II")
    assert Plan.objects.get(pk=plan.pk).lock_version == 2
    with pytest.raises(ConcurrentEditError):
        services.add_task(actor=people["officer"], plan=plan, text="Tuyên truyền", section=section, expected_version=1)
    assert not plan.tasks.exists()
    services.add_task(actor=people["officer"], plan=plan, text="Tuyên truyền", section=section, expected_version=2)
    assert plan.tasks.count() == 1


def test_invalid_update_saves_nothing(tree: Any, people: Any) -> None:
    plan = make_draft(tree["A"], people["officer"])
    with pytest.raises(ValidationError):
        services.update_plan(actor=people["officer"], plan=plan, expected_version=1, title="", year=2026)
    plan.refresh_from_db()
    assert plan.title.startswith("Kế hoạch") and plan.year == 2025 and plan.lock_version == 1


@pytest.mark.parametrize("who", ["viewer", "commune", "sibling", "other", "nobody"])
def test_who_may_not_edit_province_draft(tree: Any, people: Any, who: str) -> None:
    plan = make_draft(tree["A"], people["officer"])
    with pytest.raises(PermissionDenied):
        services.update_plan(actor=people[who], plan=plan, expected_version=1, title="Sửa")
    with pytest.raises(PermissionDenied):
        services.add_section(actor=people[who], plan=plan, title="Mục")
    plan.refresh_from_db()
    assert plan.lock_version == 1 and not plan.sections.exists()


def test_province_officer_may_edit_commune_draft(tree: Any, people: Any) -> None:
    plan = make_draft(tree["A1"], people["commune"])
    services.update_plan(actor=people["officer"], plan=plan, expected_version=1, title="Sửa từ tỉnh")
    assert Plan.objects.get(pk=plan.pk).title == "Sửa từ tỉnh"


def test_sections_tasks_targets_assignments_deadlines(tree: Any, people: Any) -> None:
    officer = people["officer"]
    plan = make_draft(tree["A"], officer)
    top = services.add_section(actor=officer, plan=plan, title="NHIỆM VỤ", number="II")
    sub = services.add_section(actor=officer, plan=plan, title="Tuyên truyền", number="1", parent=top)
    task = services.add_task(actor=officer, plan=plan, text="Tổ chức hội nghị", section=sub,
                             lead_unit=tree["Adep"], due_on=dt.date(2025, 6, 30))
    target = services.add_target(actor=officer, plan=plan, text="95% xã có mô hình", value=95, unit="%")
    a = services.add_assignment(actor=officer, plan=plan, unit_name="", unit=tree["Adep"], duties="Chủ trì",
                                task=task, co_units=[tree["A1"]])
    d = services.add_deadline(actor=officer, plan=plan, text="Báo cáo 6 tháng", due_on=dt.date(2025, 6, 5),
                              kind="half_year_report")
    assert sub.parent == top and sub.order == 0 and top.order == 0
    assert task.section == sub and target.value == 95 and a.unit_name == "Sở Nội vụ"
    assert list(a.co_units.all()) == [tree["A1"]] and d.kind == "half_year_report"
    services.update_task(actor=officer, task=task, text="Tổ chức 2 hội nghị")
    services.update_target(actor=officer, target=target, value="97.5")
    services.update_section(actor=officer, section=sub, title="Công tác tuyên truyền")
    services.update_assignment(actor=officer, assignment=a, role="co-operating")
    target.refresh_from_db()
    assert str(target.value) == "97.50"
    services.delete_deadline(actor=officer, deadline=d)
    services.delete_assignment(actor=officer, assignment=a)
    services.delete_target(actor=officer, target=target)
    services.delete_task(actor=officer, task=task)
    services.delete_section(actor=officer, section=top)
    assert not plan.sections.exists() and not plan.tasks.exists() and not plan.targets.exists()
    assert Plan.objects.get(pk=plan.pk).lock_version == 1 + 15  # fifteen structural edits


def test_section_cannot_go_inside_itself_or_other_plan(tree: Any, people: Any) -> None:
    officer = people["officer"]
    plan, other = make_draft(tree["A"], officer), make_draft(tree["A"], officer, title="Khác")
    top = services.add_section(actor=officer, plan=plan, title="I")
    child = services.add_section(actor=officer, plan=plan, title="1", parent=top)
    with pytest.raises(ValidationError) as exc:
        services.update_section(actor=officer, section=top, parent=child)
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.add_section(actor=officer, plan=other, title="x", parent=top)


def test_unit_outside_issuer_subtree_refused(tree: Any, people: Any) -> None:
    officer = people["officer"]
    plan = make_draft(tree["A"], officer)
    with pytest.raises(ValidationError) as exc:
        services.add_task(actor=officer, plan=plan, text="Việc", lead_unit=tree["B1"])
    assert "lead_unit" in exc.value.message_dict and "Phường Bắc Kạn" in exc.value.message_dict["lead_unit"][0]
    with pytest.raises(ValidationError) as exc:
        services.add_assignment(actor=officer, plan=plan, unit_name="Phường Bắc Kạn", unit=tree["B1"])
    assert "unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.add_assignment(actor=officer, plan=plan, unit_name="Sở", co_units=[tree["B"]])
    assert "co_units" in exc.value.message_dict
    commune_plan = make_draft(tree["A1"], officer)
    with pytest.raises(ValidationError):  # the province is above the commune, not inside it
        services.add_task(actor=officer, plan=commune_plan, text="Việc", lead_unit=tree["A"])
    assert not Plan.objects.get(pk=plan.pk).tasks.exists()


def test_deadline_before_plan_date_refused(tree: Any, people: Any) -> None:
    officer = people["officer"]
    plan = make_draft(tree["A"], officer, issued_on=dt.date(2025, 2, 1))
    with pytest.raises(ValidationError) as exc:
        services.add_deadline(actor=officer, plan=plan, text="Báo cáo", due_on=dt.date(2025, 1, 15))
    assert "due_on" in exc.value.message_dict and "15/01/2025" in exc.value.message_dict["due_on"][0]
    with pytest.raises(ValidationError):
        services.add_task(actor=officer, plan=plan, text="Việc", due_on=dt.date(2025, 1, 31))
    with pytest.raises(ValidationError) as exc:
        services.add_deadline(actor=officer, plan=plan, text="", due_on=None)  # type: ignore[arg-type]
    assert set(exc.value.message_dict) == {"text", "due_on"}
    assert not plan.deadlines.exists()


def test_target_value_must_be_a_number(tree: Any, people: Any) -> None:
    plan = make_draft(tree["A"], people["officer"])
    for bad in ("nhiều", "nan", "1e20", True):
        with pytest.raises(ValidationError) as exc:
            services.add_target(actor=people["officer"], plan=plan, text="Chỉ tiêu", value=bad)
        assert "value" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.add_target(actor=people["officer"], plan=plan, text="Chỉ tiêu", measurement="indicator")
    assert "indicator_code" in exc.value.message_dict


# --------------------------------------------------------------------------- issuing and numbering


def test_head_issues_with_next_number(tree: Any, people: Any) -> None:
    plan = issue(make_draft(tree["A"], people["officer"]), people["head"])
    assert plan.status == PlanStatus.ISSUED and plan.number == 1 and plan.number_year == 2025
    assert plan.reference == "01/KH-UBND"
    second = issue(make_draft(tree["A"], people["officer"], title="Khác"), people["head"])
    assert second.number == 2
    assert AuditEvent.objects.filter(action="plans.plan.issue").count() == 2


def test_officer_cannot_issue(tree: Any, people: Any) -> None:
    plan = make_draft(tree["A"], people["officer"])
    with pytest.raises(PermissionDenied) as exc:
        issue(plan, people["officer"])
    assert str(exc.value) == gettext("Only the head of the unit can issue a plan.")
    for who in ("viewer", "commune_head", "other", "nobody"):
        with pytest.raises(PermissionDenied):
            issue(plan, people[who])
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_numbering_restarts_each_year_and_per_issuer(tree: Any, people: Any) -> None:
    dec = issue(make_draft(tree["A"]), on=dt.date(2024, 12, 31))
    dec2 = issue(make_draft(tree["A"], title="Hai"), on=dt.date(2024, 12, 31))
    jan = issue(make_draft(tree["A"], title="Ba"), on=dt.date(2025, 1, 1))
    commune = issue(make_draft(tree["A1"]), on=dt.date(2025, 1, 2))
    assert (dec.number, dec.number_year) == (1, 2024)
    assert (dec2.number, dec2.number_year) == (2, 2024)
    assert (jan.number, jan.number_year) == (1, 2025)
    assert commune.number == 1


def test_duplicate_number_refused_free_number_accepted(tree: Any) -> None:
    issue(make_draft(tree["A"]), number=5)
    dup = make_draft(tree["A"], title="Trùng số")
    with pytest.raises(ValidationError) as exc:
        issue(dup, number=5)
    assert "number" in exc.value.message_dict and "05/KH-UBND" in exc.value.message_dict["number"][0]
    dup.refresh_from_db()
    assert dup.status == PlanStatus.DRAFT and dup.number is None
    assert issue(dup, number=7).number == 7
    assert issue(make_draft(tree["A"], title="Tiếp")).number == 8  # max + 1
    other_year = issue(make_draft(tree["A"], title="Năm trước"), on=dt.date(2024, 5, 1), number=5)
    assert other_year.number == 5


def test_deleted_draft_never_holds_a_number(tree: Any) -> None:
    plan = make_draft(tree["A"])
    services.delete_plan(actor=None, plan=plan)
    assert issue(make_draft(tree["A"], title="Mới")).number == 1


@pytest.mark.parametrize("bad", [0, -3, "5", 2.0])
def test_bad_number(tree: Any, bad: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        issue(make_draft(tree["A"]), number=bad)
    assert "number" in exc.value.message_dict


def test_issue_requires_fields_and_sane_date(tree: Any) -> None:
    plan = services.create_plan(actor=None, issuer=tree["A"], title="Kế hoạch", year=2025)
    with pytest.raises(ValidationError) as exc:
        issue(plan, on=timezone.localdate() + dt.timedelta(days=1))
    assert {"issued_on", "place", "signer_name", "signer_position"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        issue(plan, on=None)  # type: ignore[arg-type]
    assert "issued_on" in exc.value.message_dict
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_issue_refuses_dates_before_issue(tree: Any) -> None:
    plan = make_draft(tree["A"])
    services.add_deadline(actor=None, plan=plan, text="Báo cáo quý I", due_on=dt.date(2025, 3, 1))
    services.add_task(actor=None, plan=plan, text="Rà soát", due_on=dt.date(2025, 2, 1))
    with pytest.raises(ValidationError) as exc:
        issue(plan, on=TODAY)
    messages = " ".join(exc.value.message_dict["issued_on"])
    assert "Báo cáo quý I" in messages and "01/03/2025" in messages and "Rà soát" in messages
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_issue_with_stale_version_conflicts(tree: Any, people: Any) -> None:
    plan = make_draft(tree["A"])
    stale = plan.lock_version
    services.update_plan(actor=people["officer"], plan=Plan.objects.get(pk=plan.pk), expected_version=stale, title="Mới")
    with pytest.raises(ConcurrentEditError):
        services.issue_plan(actor=people["head"], plan=plan, expected_version=stale, issued_on=TODAY)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_issued_plan_is_locked_for_every_edit(tree: Any, people: Any) -> None:
    officer = people["officer"]
    plan = make_draft(tree["A"], officer)
    section = services.add_section(actor=officer, plan=plan, title="Mục")
    task = services.add_task(actor=officer, plan=plan, text="Việc", section=section)
    target = services.add_target(actor=officer, plan=plan, text="Chỉ tiêu")
    plan = issue(plan, people["head"])
    edits = [
        lambda: services.update_plan(actor=officer, plan=plan, expected_version=plan.lock_version, title="x"),
        lambda: services.add_section(actor=officer, plan=plan, title="x"),
        lambda: services.update_section(actor=officer, section=section, title="x"),
        lambda: services.delete_section(actor=officer, section=section),
        lambda: services.add_task(actor=officer, plan=plan, text="x"),
        lambda: services.update_task(actor=officer, task=task, text="x"),
        lambda: services.delete_task(actor=officer, task=task),
        lambda: services.add_target(actor=officer, plan=plan, text="x"),
        lambda: services.delete_target(actor=officer, target=target),
        lambda: services.add_assignment(actor=officer, plan=plan, unit_name="x"),
        lambda: services.add_deadline(actor=officer, plan=plan, text="x", due_on=TODAY),
        lambda: services.set_legal_bases(actor=officer, plan=plan, documents=[]),
        lambda: services.delete_plan(actor=officer, plan=plan),
        lambda: issue(plan, people["head"]),
    ]
    for edit in edits:
        with pytest.raises(services.PlanLockedError) as exc:
            edit()
        assert exc.value.messages[0] in {
            gettext("This plan has been issued and is locked. Make an amendment to change it."),
            gettext("This plan has already been issued."),
        }
    # someone with no role on the issuer is told "not allowed", not what state the plan is in
    with pytest.raises(PermissionDenied):
        services.add_task(actor=people["other"], plan=plan, text="x")
    assert plan.tasks.count() == 1 and plan.sections.count() == 1


def test_progress_and_target_value_on_issued_plan(tree: Any, people: Any, make_user: Any) -> None:
    officer = people["officer"]
    plan = make_draft(tree["A"], officer)
    task = services.add_task(actor=officer, plan=plan, text="Việc", lead_unit=tree["Adep"])
    target = services.add_target(actor=officer, plan=plan, text="95%", value=95, unit="%")
    issue(plan, people["head"])
    dept = make_user("dept", (tree["Adep"], "officer"))
    task = services.record_task_progress(actor=dept, task=task, status="in_progress", progress=40, note="Đã họp")
    assert (task.status, task.progress) == ("in_progress", 40)
    assert services.record_task_progress(actor=officer, task=task, status="done", progress=80).progress == 100
    with pytest.raises(ValidationError) as exc:
        services.record_task_progress(actor=officer, task=task, status="??", progress=101)
    assert set(exc.value.message_dict) == {"status", "progress"}
    for who in ("viewer", "commune", "other"):
        with pytest.raises(PermissionDenied):
            services.record_task_progress(actor=people[who], task=task, status="done", progress=100)
    ev = services.add_task_evidence(actor=dept, task=task, note="Biên bản", link="https://example.vn/bb")
    assert ev.task == task
    with pytest.raises(ValidationError) as exc:
        services.add_task_evidence(actor=dept, task=task, note="", link="javascript:alert(1)")
    assert set(exc.value.message_dict) == {"note", "link"}
    target = services.record_target_value(actor=officer, target=target, current_value=96)
    assert target.status == "met" and target.measured_at is not None
    assert services.record_target_value(actor=officer, target=target, current_value="50").status == "on_track"
    with pytest.raises(PermissionDenied):
        services.record_target_value(actor=dept, target=target, current_value=1)
    services.close_plan(actor=people["head"], plan=plan)
    with pytest.raises((services.PlanLockedError, PermissionDenied)):
        services.record_task_progress(actor=officer, task=task, status="done", progress=100)


def test_close_only_issued_by_head(tree: Any, people: Any) -> None:
    plan = make_draft(tree["A"])
    with pytest.raises(PermissionDenied):
        services.close_plan(actor=people["head"], plan=plan)
    issue(plan)
    with pytest.raises(PermissionDenied):
        services.close_plan(actor=people["officer"], plan=plan)
    closed = services.close_plan(actor=people["head"], plan=plan)
    assert closed.status == PlanStatus.CLOSED


# --------------------------------------------------------------------------- delete and visibility


def test_soft_delete_draft_only(tree: Any, people: Any) -> None:
    plan = make_draft(tree["A"], people["officer"])
    with pytest.raises(PermissionDenied):
        services.delete_plan(actor=people["viewer"], plan=plan)
    services.delete_plan(actor=people["officer"], plan=plan)
    plan.refresh_from_db()
    assert plan.deleted_at is not None
    assert not Plan.objects.alive().filter(pk=plan.pk).exists()
    assert not plans_visible_to(people["officer"]).filter(pk=plan.pk).exists()
    assert AuditEvent.objects.filter(action="plans.plan.delete", object_id=str(plan.pk)).exists()
    with pytest.raises(ValidationError):
        services.update_plan(actor=people["officer"], plan=plan, expected_version=plan.lock_version, title="x")


def test_visibility(tree: Any, people: Any) -> None:
    draft = make_draft(tree["A"], title="Nháp tỉnh")
    issued = issue(make_draft(tree["A"], title="Tỉnh đã ban hành"))
    commune_draft = make_draft(tree["A1"], title="Nháp xã")

    def seen(who: str) -> set[int]:
        return set(plans_visible_to(people[who]).values_list("pk", flat=True))

    assert seen("officer") == seen("viewer") == {draft.pk, issued.pk, commune_draft.pk}
    assert seen("commune") == {issued.pk, commune_draft.pk}  # the province's issued plan, not its draft
    assert seen("sibling") == {issued.pk}  # not the sibling commune's draft
    assert seen("other") == set() and seen("nobody") == set()
    from django.contrib.auth.models import AnonymousUser

    assert not plans_visible_to(AnonymousUser()).exists()
    for who, expected in (("commune", True), ("sibling", True), ("other", False), ("nobody", False)):
        assert people[who].has_perm("plans.view_plan", issued) is expected
    assert not people["commune"].has_perm("plans.view_plan", draft)
    assert people["commune"].has_perm("plans.view_plan", commune_draft)
    assert not people["sibling"].has_perm("plans.view_plan", commune_draft)
