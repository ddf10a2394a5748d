"""The cascade: obligations on issue, derived plans fulfilling them, lateness; copies and amendments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from danvan.core.models import AuditEvent
from danvan.orgs import services as org_services
from danvan.orgs.models import OrgKind
from danvan.plans import services
from danvan.plans.diff import plan_diff
from danvan.plans.models import Plan, PlanObligation, PlanStatus, Task
from danvan.plans.queries import obligation_summary, obligations_page
from danvan.plans.tests.test_services import issue, make_draft
from danvan.plans.tests.test_services import people as people  # noqa: F401 — a fixture

pytestmark = pytest.mark.django_db


def cascading_plan(tree: Any, kinds: tuple[str, ...] = ("commune",), due: dt.date = dt.date(2025, 3, 31)) -> Plan:
    plan = make_draft(tree["A"], requires_subordinate_plans=True, subordinate_due_on=due,
                      subordinate_kinds=list(OrgKind.objects.filter(code__in=kinds)))
    section = services.add_section(actor=None, plan=plan, title="NHIỆM VỤ", number="II")
    services.add_task(actor=None, plan=plan, text="Tuyên truyền Chỉ thị 33", section=section)
    services.add_task(actor=None, plan=plan, text="Xây dựng mô hình dân vận khéo", section=section)
    services.add_target(actor=None, plan=plan, text="95% xã có mô hình", value=95, unit="%")
    return plan


def derive_and_issue(province: Plan, unit: Any, on: dt.date = dt.date(2025, 3, 10)) -> Plan:
    """What a commune does: derive, fill in its own place and signer, issue."""
    derived = services.derive_plan(actor=None, parent_plan=province, issuer=unit)
    services.update_plan(actor=None, plan=derived, expected_version=derived.lock_version, place="Xã",
                         signer_name="Lò Văn B", signer_position="Chủ tịch")
    return issue(derived, on=on)


def test_issue_creates_obligation_per_current_unit_of_kind(tree: Any, kinds: Any) -> None:
    gone = org_services.create_unit(actor=None, kind=kinds["commune"], name="Xã cũ", parent=tree["A"],
                                    valid_from=dt.date(2000, 1, 1), valid_to=dt.date(2024, 12, 31))
    third = org_services.create_unit(actor=None, kind=kinds["commune"], name="Xã Mới", parent=tree["A"])
    plan = issue(cascading_plan(tree, ("commune", "department")))
    units = set(PlanObligation.objects.filter(plan=plan).values_list("org_unit_id", flat=True))
    assert units == {tree["A1"].pk, tree["A2"].pk, third.pk, tree["Adep"].pk}  # not villages, B, nor gone
    assert gone.pk not in units
    assert set(PlanObligation.objects.filter(plan=plan).values_list("due_on", flat=True)) == {dt.date(2025, 3, 31)}
    assert AuditEvent.objects.get(action="plans.plan.issue").summary["obligations"] == 4


def test_no_obligations_unless_required(tree: Any) -> None:
    plan = issue(make_draft(tree["A"]))
    assert not PlanObligation.objects.filter(plan=plan).exists()


def test_cascade_needs_due_date_and_kinds(tree: Any) -> None:
    plan = make_draft(tree["A"], requires_subordinate_plans=True)
    with pytest.raises(ValidationError) as exc:
        issue(plan)
    assert {"subordinate_due_on", "subordinate_kinds"} <= set(exc.value.message_dict)
    plan = make_draft(tree["A"], requires_subordinate_plans=True, subordinate_due_on=dt.date(2025, 1, 1),
                      subordinate_kinds=list(OrgKind.objects.filter(code="commune")))
    with pytest.raises(ValidationError) as exc:
        issue(plan, on=dt.date(2025, 3, 10))
    assert "01/01/2025" in " ".join(exc.value.message_dict["issued_on"])


def test_derive_links_tasks_and_targets_and_fulfils_obligation(tree: Any, people: Any) -> None:
    province = issue(cascading_plan(tree))
    derived = services.derive_plan(actor=people["commune"], parent_plan=province, issuer=tree["A1"])
    assert derived.status == PlanStatus.DRAFT and derived.parent_plan == province and derived.number is None
    parent_tasks = list(province.tasks.order_by("order"))
    tasks = list(derived.tasks.order_by("order"))
    assert [t.parent_task_id for t in tasks] == [t.pk for t in parent_tasks]
    assert [t.text for t in tasks] == [t.text for t in parent_tasks]
    assert tasks[0].section is not None and tasks[0].section.plan == derived
    assert derived.targets.get().parent_target == province.targets.get()
    # the commune adapts it, then its head issues it: the province's obligation is fulfilled
    services.add_task(actor=people["commune"], plan=derived, text="Việc riêng của xã")
    services.update_plan(actor=people["commune"], plan=derived, expected_version=Plan.objects.get(pk=derived.pk).lock_version,
                         place="Bình Lư", signer_name="Lò Văn B", signer_position="Chủ tịch")
    issue(derived, people["commune_head"], on=dt.date(2025, 3, 20))
    ob = PlanObligation.objects.get(plan=province, org_unit=tree["A1"])
    assert ob.fulfilled_by == derived and ob.fulfilled_on == dt.date(2025, 3, 20)
    assert PlanObligation.objects.get(plan=province, org_unit=tree["A2"]).fulfilled_by is None


def test_derive_boundaries(tree: Any, people: Any) -> None:
    draft = cascading_plan(tree)
    with pytest.raises((ValidationError, PermissionDenied)):  # a commune cannot even see the province draft
        services.derive_plan(actor=people["commune"], parent_plan=draft, issuer=tree["A1"])
    with pytest.raises(ValidationError) as exc:
        services.derive_plan(actor=None, parent_plan=draft, issuer=tree["A1"])
    assert "parent_plan" in exc.value.message_dict
    province = issue(draft)
    with pytest.raises(PermissionDenied):  # not the commune's own unit
        services.derive_plan(actor=people["commune"], parent_plan=province, issuer=tree["A2"])
    with pytest.raises(PermissionDenied):  # other province cannot see it
        services.derive_plan(actor=people["other"], parent_plan=province, issuer=tree["B1"])
    with pytest.raises(ValidationError) as exc:  # only below the issuer
        services.derive_plan(actor=None, parent_plan=province, issuer=tree["B1"])
    assert "issuer" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.derive_plan(actor=None, parent_plan=province, issuer=tree["A"])
    assert Plan.objects.count() == 1


def test_task_link_must_come_from_parent_plan(tree: Any) -> None:
    province = issue(cascading_plan(tree))
    stray = issue(make_draft(tree["A"], title="Khác"))
    derived = services.derive_plan(actor=None, parent_plan=province, issuer=tree["A1"])
    stray_task = Task.objects.create(plan=stray, text="Lạc")
    with pytest.raises(ValidationError) as exc:
        services.add_task(actor=None, plan=derived, text="x", parent_task=stray_task)
    assert "parent_task" in exc.value.message_dict
    linked = services.add_task(actor=None, plan=derived, text="x", parent_task=province.tasks.order_by("order")[0])
    assert linked.parent_task is not None and linked.parent_task.plan == province


def test_late_and_overdue_detection(tree: Any, kinds: Any) -> None:
    extra = [org_services.create_unit(actor=None, kind=kinds["commune"], name=f"Xã {i}", parent=tree["A"])
             for i in range(2)]
    province = issue(cascading_plan(tree, due=dt.date(2025, 3, 31)), on=dt.date(2025, 3, 1))
    derive_and_issue(province, tree["A1"], on=dt.date(2025, 3, 30))
    derive_and_issue(province, tree["A2"], on=dt.date(2025, 4, 15))
    summary = obligation_summary(province, today=dt.date(2025, 4, 20))
    assert summary["counts"] == {"expected": 4, "fulfilled": 2, "issued": 1, "issued_late": 1, "pending": 0,
                                 "overdue": 2}
    assert [r.unit_id for r in summary["issued"].items] == [tree["A1"].pk]
    assert [r.unit_id for r in summary["issued_late"].items] == [tree["A2"].pk]
    assert summary["issued_late"].items[0].days_late == 15
    assert {r.unit_id for r in summary["overdue"].items} == {u.pk for u in extra}
    before_due = obligation_summary(province, today=dt.date(2025, 3, 31))
    assert before_due["counts"]["pending"] == 2 and before_due["counts"]["overdue"] == 0
    # keyset pages in tree order
    first = obligations_page(province, "overdue", limit=1, today=dt.date(2025, 4, 20))
    second = obligations_page(province, "overdue", after=first.next_after, limit=1, today=dt.date(2025, 4, 20))
    assert first.next_after and second.next_after is None
    assert [first.items[0].unit_id, second.items[0].unit_id] == sorted(u.pk for u in extra)


def test_bulk_obligations_for_many_communes(tree: Any, kinds: Any, django_assert_max_num_queries: Any) -> None:
    from danvan.plans.tests.test_queries import add_communes

    add_communes(tree["A"], kinds["commune"], 400)
    plan = cascading_plan(tree)
    plan.refresh_from_db()
    with django_assert_max_num_queries(30):
        services.issue_plan(actor=None, plan=plan, expected_version=plan.lock_version, issued_on=dt.date(2025, 3, 1))
    assert PlanObligation.objects.filter(plan=plan).count() == 402


# --------------------------------------------------------------------------- copies and amendments


def test_copy_for_next_year_rolls_years_and_dates(tree: Any, people: Any) -> None:
    src = make_draft(tree["A"], title="Kế hoạch công tác dân vận năm 2024", purposes=["Thực hiện Luật 10/2022/QH15 năm 2024"],
                     subordinate_due_on=dt.date(2024, 2, 29))
    src.year = 2024
    src.save()
    section = services.add_section(actor=None, plan=src, title="Nhiệm vụ năm 2024")
    services.add_task(actor=None, plan=src, text="Tổng kết giai đoạn 2021-2025 trước 15/11/2024", section=section,
                      due_on=dt.date(2024, 2, 29))
    services.add_deadline(actor=None, plan=src, text="Báo cáo năm trước 15/11/2024", due_on=dt.date(2024, 11, 15),
                          kind="annual_report")
    services.add_assignment(actor=None, plan=src, unit_name="Sở Nội vụ", unit=tree["Adep"], due_on=dt.date(2024, 6, 1))
    issue(src, on=dt.date(2024, 1, 10))
    copy = services.copy_plan_for_year(actor=people["officer"], source=src, year=2025)
    assert copy.status == PlanStatus.DRAFT and copy.number is None and copy.issued_on is None
    assert copy.title == "Kế hoạch công tác dân vận năm 2025" and copy.year == 2025 and copy.copied_from == src
    assert copy.purposes == ["Thực hiện Luật 10/2022/QH15 năm 2025"]  # the law's number untouched
    assert copy.subordinate_due_on == dt.date(2025, 2, 28)
    task = copy.tasks.get()
    assert task.text == "Tổng kết giai đoạn 2021-2025 trước 15/11/2025" and task.due_on == dt.date(2025, 2, 28)
    assert task.section is not None and task.section.title == "Nhiệm vụ năm 2025"
    d = copy.deadlines.get()
    assert (d.text, d.due_on) == ("Báo cáo năm trước 15/11/2025", dt.date(2025, 11, 15))
    assert copy.assignments.get().due_on == dt.date(2025, 6, 1)
    with pytest.raises(PermissionDenied):
        services.copy_plan_for_year(actor=people["viewer"], source=src, year=2025)
    with pytest.raises(ValidationError):
        services.copy_plan_for_year(actor=people["officer"], source=src, year=3000)


def test_amend_copies_everything_and_diff(tree: Any, people: Any) -> None:
    officer = people["officer"]
    plan = make_draft(tree["A"], officer)
    sec = services.add_section(actor=officer, plan=plan, title="NHIỆM VỤ", number="II")
    t1 = services.add_task(actor=officer, plan=plan, text="Tuyên truyền Chỉ thị 33 đến cán bộ", section=sec)
    services.add_task(actor=officer, plan=plan, text="Xây dựng mô hình dân vận khéo", section=sec)
    services.add_target(actor=officer, plan=plan, text="95% xã", value=95, unit="%")
    services.add_assignment(actor=officer, plan=plan, unit_name="Sở Nội vụ", task=t1, duties="Chủ trì")
    plan = issue(plan, people["head"])
    with pytest.raises(PermissionDenied):
        services.amend_plan(actor=people["viewer"], plan=plan)
    new = services.amend_plan(actor=officer, plan=plan)
    assert (new.version, new.amends, new.status, new.number) == (2, plan, PlanStatus.DRAFT, None)
    assert new.tasks.count() == 2 and new.targets.count() == 1 and new.sections.count() == 1
    copied = new.assignments.get()
    assert copied.task is not None and copied.task.plan == new
    assert plan_diff(plan, new) == []
    with pytest.raises(ValidationError):  # one open amendment at a time
        services.amend_plan(actor=officer, plan=plan)
    v = Plan.objects.get(pk=new.pk).lock_version
    services.update_plan(actor=officer, plan=new, expected_version=v, title="Kế hoạch (sửa đổi)")
    first = new.tasks.get(text="Tuyên truyền Chỉ thị 33 đến cán bộ")
    services.update_task(actor=officer, task=first, text="Tuyên truyền Chỉ thị 33 đến cán bộ, hội viên")
    services.delete_task(actor=officer, task=new.tasks.get(text="Xây dựng mô hình dân vận khéo"))
    services.add_task(actor=officer, plan=new, text="Kiểm tra việc thực hiện Quy chế dân chủ", section=new.sections.get())
    services.update_target(actor=officer, target=new.targets.get(), value=98)
    changes = plan_diff(plan, new)
    summary = {(c.area, c.kind, c.field) for c in changes}
    assert ("plan", "changed", "title") in summary
    assert ("task", "changed", "text") in summary
    assert ("task", "added", "") in summary and ("task", "removed", "") in summary
    assert ("target", "changed", "value") in summary
    edited = next(c for c in changes if c.area == "task" and c.kind == "changed")
    assert (edited.old, edited.new) == ("Tuyên truyền Chỉ thị 33 đến cán bộ", "Tuyên truyền Chỉ thị 33 đến cán bộ, hội viên")
    # the amendment is a new document with its own number; the original stays issued
    amended = issue(new, people["head"])
    assert amended.number == 2 and Plan.objects.get(pk=plan.pk).status == PlanStatus.ISSUED


def test_amendment_keeps_fulfilled_obligations(tree: Any) -> None:
    province = issue(cascading_plan(tree))
    derived = derive_and_issue(province, tree["A1"])
    v2 = issue(services.amend_plan(actor=None, plan=province))
    ob = PlanObligation.objects.get(plan=v2, org_unit=tree["A1"])
    assert ob.fulfilled_by == derived
    assert PlanObligation.objects.get(plan=v2, org_unit=tree["A2"]).fulfilled_by is None


def test_share_of_units_target_follows_the_cascade(tree: Any, kinds: Any) -> None:
    """"100% of communes issue their plan": the value moves as communes issue, counting only communes."""
    from decimal import Decimal

    from danvan.plans.models import Target, TargetStatus

    plan = cascading_plan(tree, ("commune", "department"), due=dt.date(2999, 12, 31))
    share = services.add_target(actor=None, plan=plan, text="100% xã ban hành kế hoạch", value=100, unit="%",
                                measurement="share_of_units")
    share.scope_kinds.set([kinds["commune"]])
    entered = Target.objects.get(plan=plan, measurement="entered")
    province = issue(plan)
    share.refresh_from_db()
    assert (share.current_value, share.status) == (Decimal("0.00"), TargetStatus.ON_TRACK)

    derive_and_issue(province, tree["A1"])  # one of the two communes
    share.refresh_from_db()
    assert share.current_value == Decimal("50.00") and share.status == TargetStatus.ON_TRACK
    derive_and_issue(province, tree["Adep"])  # a department: not in this target's scope
    share.refresh_from_db()
    assert share.current_value == Decimal("50.00")
    derive_and_issue(province, tree["A2"])
    share.refresh_from_db()
    assert (share.current_value, share.status) == (Decimal("100.00"), TargetStatus.MET)
    entered.refresh_from_db()
    assert entered.current_value is None  # an entered target is the officers' to fill in


def test_share_target_missed_after_the_due_date(tree: Any, kinds: Any) -> None:
    from danvan.plans.models import TargetStatus

    plan = cascading_plan(tree, due=dt.date(2025, 3, 31))
    share = services.add_target(actor=None, plan=plan, text="100% xã", value=100, unit="%", measurement="share_of_units")
    province = issue(plan, on=dt.date(2025, 3, 1))
    derive_and_issue(province, tree["A1"], on=dt.date(2025, 4, 15))  # late, and A2 never does
    share.refresh_from_db()
    assert share.status == TargetStatus.MISSED and share.current_value == 50
