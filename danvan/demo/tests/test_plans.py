"""The demo's plans: the province's plan, the cascade to three communes, the gap, and idempotence."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from danvan.core.models import AuditEvent
from danvan.demo import data
from danvan.demo import plans as demo_plans
from danvan.demo.services import load_demo
from danvan.legal.models import LegalDocument
from danvan.orgs.loaders import ward_code
from danvan.orgs.models import OrgUnit
from danvan.plans import queries
from danvan.plans.models import Plan, PlanKind, PlanObligation, PlanStatus, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def official(kinds):
    """Province 12 and the demo's communes as the official loader stores them (the whole list takes seconds)."""
    import vietnam_provinces as vp

    from danvan.orgs import services

    province = services.create_unit(
        actor=None, kind=kinds["province"], name="Lai Châu", parent=None, code="12", audit_event=False
    )
    wards = {ward_code(w.code): w for w in vp.Ward.iter_all() if int(w.province_code) == 12}
    for code in data.COMMUNES.values():
        services.create_unit(
            actor=None, kind=kinds["commune"], name=wards[code].name, parent=province, code=code, audit_event=False
        )
    return province


@pytest.fixture
def demo(official, settings):
    settings.DEBUG = True
    return load_demo()


def commune(key: str) -> OrgUnit:
    return OrgUnit.objects.get(code=data.COMMUNES[key], valid_to__isnull=True)


def province_plan(year: int = demo_plans.YEAR) -> Plan:
    return Plan.objects.get(issuer__code=data.PROVINCE_CODE, issuer__kind__code="province", year=year)


def test_the_province_plan_is_issued_in_full(demo, official):
    plan = province_plan()
    assert demo.plans == 6
    assert (plan.status, plan.number, plan.reference, plan.issued_on) == (
        PlanStatus.ISSUED, 15, "15/KH-UBND", dt.date(2026, 1, 6)
    )
    assert plan.title == demo_plans.PROVINCE_TITLE
    assert (plan.issuing_body, plan.place) == ("ỦY BAN NHÂN DÂN TỈNH LAI CHÂU", "Lai Châu")
    assert (plan.signer_authority, plan.signer_position) == ("KT.", "PHÓ CHỦ TỊCH")
    assert [(b.document.number, b.document.symbol) for b in plan.basis_links.select_related("document")] == [
        ("114", "KL/TW"), ("33", "CT-TTg"), ("10/2022", "QH15"),
    ]
    assert plan.sections.count() == len(demo_plans.SECTIONS) and 5 <= plan.sections.count() <= 7
    for section in plan.sections.all():
        assert 2 <= section.tasks.count() <= 4, section.title
    assert [t.value for t in plan.targets.all()] == [100, 100, 95, 100, 85]
    assert sorted(plan.deadlines.values_list("kind", "due_on")) == [
        ("annual_report", dt.date(2026, 11, 15)), ("half_year_report", dt.date(2026, 6, 5)),
        ("subordinate_plans", dt.date(2026, 1, 31)),
    ]
    lead = plan.assignments.get(role="lead")
    assert lead.unit is not None and lead.unit.name == "Sở Nội vụ"
    assert plan.tasks.filter(lead_unit__name="Sở Nội vụ").exists()
    assert plan.tasks.exclude(status="not_started").count() == len(demo_plans.PROGRESS)
    assert plan.recipients[-1] == "Lưu: VT, NC."


def test_every_commune_and_department_of_the_province_owes_a_plan(demo, official):
    plan = province_plan()
    expected = set(
        OrgUnit.objects.current().subtree_of(official).filter(kind__code__in=["commune", "department"])
        .values_list("pk", flat=True)
    )
    assert len(expected) == len(data.COMMUNES) + sum(1 for u in data.PROVINCE_UNITS if u.kind == "department")
    assert set(PlanObligation.objects.filter(plan=plan).values_list("org_unit_id", flat=True)) == expected
    assert plan.subordinate_due_on == dt.date(2026, 1, 31)


def test_the_cascade_on_time_late_and_draft(demo):
    plan = province_plan()
    obligations = {o.org_unit_id: o for o in PlanObligation.objects.filter(plan=plan)}
    on_time = obligations[commune("binhlu").pk]
    late = obligations[commune("tanphong").pk]
    drafting = obligations[commune("taleng").pk]
    assert on_time.fulfilled_by is not None and on_time.fulfilled_on is not None
    assert on_time.fulfilled_on <= on_time.due_on
    assert on_time.fulfilled_by.reference == "04/KH-UBND"
    assert late.fulfilled_by is not None and late.fulfilled_on is not None
    assert late.fulfilled_on > late.due_on
    assert drafting.fulfilled_by is None
    draft = Plan.objects.get(issuer=commune("taleng"), parent_plan=plan)
    assert draft.status == PlanStatus.DRAFT
    counts = queries.obligation_summary(plan)["counts"]
    assert (counts["issued"], counts["issued_late"], counts["fulfilled"]) == (1, 1, 2)


def test_the_commune_plans_link_their_tasks_and_leave_a_gap(demo):
    plan = province_plan()
    binhlu = Plan.objects.get(issuer=commune("binhlu"), parent_plan=plan)
    assert binhlu.title == "Kế hoạch thực hiện công tác dân vận chính quyền trên địa bàn xã Bình Lư năm 2026"
    assert (binhlu.issuing_body, binhlu.parent_body) == ("ỦY BAN NHÂN DÂN XÃ BÌNH LƯ", "")
    linked = Task.objects.filter(plan=binhlu, parent_task__isnull=False).count()
    assert linked == plan.tasks.count() - 1
    assert Task.objects.filter(plan=binhlu, parent_task__isnull=True).count() == 1  # its own task
    assert binhlu.targets.filter(parent_target__plan=plan).count() == 5

    rows = {r.text: r for r in queries.coverage_matrix(plan, limit=100).rows}
    survey = next(r for text, r in rows.items() if text.startswith("Khảo sát mức độ hài lòng"))
    assert (survey.linked_plans, survey.gaps) == (0, 2)  # nobody carries it: the gap
    child_marriage = next(r for text, r in rows.items() if text.startswith("Vận động đồng bào xóa bỏ tảo hôn"))
    assert (child_marriage.linked_plans, child_marriage.gaps) == (1, 1)  # Tân Phong left it out
    others = [r for r in rows.values() if r not in (survey, child_marriage)]
    assert others and all((r.linked_plans, r.gaps) == (2, 0) for r in others)


def test_thematic_programme_and_last_years_plan(demo):
    programme = Plan.objects.get(issuer=commune("binhlu"), kind=PlanKind.THEMATIC)
    assert "Chính quyền thân thiện, vì Nhân dân phục vụ" in programme.title
    assert (programme.status, programme.reference) == (PlanStatus.ISSUED, "02/CTr-UBND")
    assert programme.tasks.count() >= 6

    last = province_plan(2025)
    assert last.status == PlanStatus.CLOSED and last.issued_on == dt.date(2025, 1, 8)
    assert "2026" not in last.title and not last.obligations.exists()
    assert all("2026" not in t.text for t in last.tasks.all())
    assert all(d.due_on.year == 2025 for d in last.deadlines.all())


def test_second_run_creates_nothing_and_says_so(demo, settings):
    counts = (Plan.objects.count(), Task.objects.count(), PlanObligation.objects.count(),
              LegalDocument.objects.count(), AuditEvent.objects.count())
    out = StringIO()
    call_command("demo_load", stdout=out)
    assert (Plan.objects.count(), Task.objects.count(), PlanObligation.objects.count(),
            LegalDocument.objects.count(), AuditEvent.objects.count()) == counts
    with translation.override("vi"):
        assert gettext("The demo data is already loaded; nothing changed.") in out.getvalue()
    again = load_demo()
    assert again.plans == 0 and again.changed is False


def test_plans_are_added_to_a_demo_loaded_before_plans_existed(official, settings):
    """An existing dev database gets the plans on its next ``make run``, and that run reports a change."""
    settings.DEBUG = True
    load_demo()
    from danvan.demo.tests.test_reports_demo import delete_demo_reports

    delete_demo_reports()  # the reporting regime hangs on the province's plan
    Plan.objects.filter(parent_plan__isnull=False).delete()
    Plan.objects.all().delete()
    result = load_demo()
    assert (result.plans, result.units, result.users) == (6, 0, 0)
    assert result.changed
    assert AuditEvent.objects.filter(action="demo.load").latest("pk").summary["plans"] == 6


def test_the_province_admin_sees_the_plan_and_its_coverage(demo, client, no_mfa):
    from django.contrib.auth import get_user_model

    plan = province_plan()
    client.force_login(get_user_model().objects.get(username="admin.laichau"))
    page = client.get(f"/plans/{plan.pk}/")
    assert page.status_code == 200 and demo_plans.PROVINCE_TITLE in page.content.decode()
    coverage = client.get(f"/plans/{plan.pk}/coverage/")
    assert coverage.status_code == 200 and "Khảo sát mức độ hài lòng" in coverage.content.decode()
