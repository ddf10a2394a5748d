"""Thematic programme services: steering board, ordered steps with dates or ranges and the late flag, criteria
with evidence, the linked survey and plan, the final evaluation; permissions, bad input, double submits,
concurrent edits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.plans.models import Plan
from danvan.practices import programmes as svc
from danvan.practices.models import Programme, ProgrammeStatus, ProgrammeStep
from danvan.surveys.models import Survey

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = dt.date(TODAY.year, 1, 1)
END = dt.date(TODAY.year, 12, 31)
NAME = "Chính quyền thân thiện, vì Nhân dân phục vụ"


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return make_people(tree, make_user)


def make_people(tree: dict[str, Any], make_user: Any) -> dict[str, Any]:
    return {
        "officer": make_user("pg_officer", (tree["A1"], "officer")),
        "head": make_user("pg_head", (tree["A1"], "head")),
        "viewer": make_user("pg_viewer", (tree["A1"], "viewer")),
        "sibling": make_user("pg_sibling", (tree["A2"], "officer")),
        "province": make_user("pg_province", (tree["A"], "officer")),
        "province_viewer": make_user("pg_pviewer", (tree["A"], "viewer")),
        "other": make_user("pg_other", (tree["B1"], "officer")),
        "nobody": make_user("pg_nobody"),
    }


def make(unit: Any, actor: Any = None, **kw: Any) -> Programme:
    kw.setdefault("name", NAME)
    kw.setdefault("starts_on", START)
    kw.setdefault("ends_on", END)
    return svc.create_programme(actor=actor, org_unit=unit, **kw)


def plan_of(unit: Any, **kw: Any) -> Plan:
    kw.setdefault("status", "issued")  # a plan of a unit above counts only once issued
    return Plan.objects.create(issuer=unit, title=kw.pop("title", "Kế hoạch dân vận"), year=TODAY.year, **kw)


def survey_of(unit: Any, code: str = "abc123") -> Survey:
    return Survey.objects.create(org_unit=unit, title="Khảo sát sự hài lòng", public_code=code)


def test_create_with_plan_and_survey(tree: dict, people: dict) -> None:
    plan = plan_of(tree["A"])
    survey = survey_of(tree["A1"])
    p = make(tree["A1"], people["officer"], description="  Mục đích  ", plan=plan, survey=survey)
    assert (p.status, p.plan, p.survey, p.description, p.created_by) == (
        ProgrammeStatus.DRAFT, plan, survey, "Mục đích", people["officer"])
    assert AuditEvent.objects.filter(action="practices.programme.create", object_id=str(p.pk)).exists()


@pytest.mark.parametrize("who, allowed", [
    ("officer", True), ("head", True), ("province", True), ("viewer", False), ("sibling", False),
    ("province_viewer", False), ("other", False), ("nobody", False),
])
def test_create_permission_boundaries(tree: dict, people: dict, who: str, allowed: bool) -> None:
    if allowed:
        assert make(tree["A1"], people[who]).pk
    else:
        with pytest.raises(PermissionDenied):
            make(tree["A1"], people[who])
        assert not Programme.objects.exists()


@pytest.mark.parametrize("kw, field", [
    ({"name": ""}, "name"),
    ({"name": "x" * 256}, "name"),
    ({"name": 5}, "name"),
    ({"description": "x" * 20001}, "description"),
    ({"starts_on": None}, "starts_on"),
    ({"starts_on": "2026-01-01"}, "starts_on"),
    ({"ends_on": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}, "ends_on"),
    ({"ends_on": START - dt.timedelta(days=1)}, "ends_on"),
    ({"plan": "1"}, "plan"),
    ({"survey": 3}, "survey"),
])
def test_create_bad_input(tree: dict, kw: dict, field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        make(tree["A1"], **kw)
    assert field in exc.value.message_dict
    assert not Programme.objects.exists()


def test_plan_below_and_survey_above_or_elsewhere_refused(tree: dict) -> None:
    with pytest.raises(ValidationError) as exc:
        make(tree["A"], plan=plan_of(tree["A1"]))  # a commune's plan for a province's programme
    assert "plan" in exc.value.message_dict
    deleted = plan_of(tree["A"], title="Đã xoá")
    deleted.deleted_at = timezone.now()
    deleted.save()
    with pytest.raises(ValidationError):
        make(tree["A1"], plan=deleted)
    with pytest.raises(ValidationError) as exc:
        make(tree["A1"], survey=survey_of(tree["A2"]))
    assert "survey" in exc.value.message_dict
    assert not Programme.objects.exists()


def test_double_submit_refused_ignoring_marks(tree: dict) -> None:
    make(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        make(tree["A1"], name="CHINH QUYEN THAN THIEN, VI NHAN DAN PHUC VU")
    assert "name" in exc.value.message_dict
    assert Programme.objects.count() == 1
    make(tree["A2"])  # another unit may run the same programme
    make(tree["A1"], starts_on=START + dt.timedelta(days=1))  # a later edition
    assert Programme.objects.count() == 3


def test_update_and_concurrent_edit(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    svc.update_programme(actor=people["officer"], programme=p, expected_version=1, name="Tên mới",
                         status=ProgrammeStatus.RUNNING)
    assert (p.name, p.status, p.lock_version) == ("Tên mới", ProgrammeStatus.RUNNING, 2)
    stale = Programme.objects.get(pk=p.pk)
    with pytest.raises(ConcurrentEditError):
        svc.update_programme(actor=people["officer"], programme=stale, expected_version=1, name="Cũ")
    p.refresh_from_db()
    assert p.name == "Tên mới"
    with pytest.raises(ValidationError) as exc:
        svc.update_programme(actor=None, programme=p, expected_version=2, status=ProgrammeStatus.EVALUATED)
    assert "status" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.update_programme(actor=None, programme=p, expected_version=2, org_unit=tree["A2"])
    assert "org_unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.update_programme(actor=None, programme=p, expected_version=2, ends_on=START - dt.timedelta(days=1))
    assert "ends_on" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        svc.update_programme(actor=people["sibling"], programme=p, expected_version=2, name="X")
    with pytest.raises(ValidationError) as exc:
        svc.update_programme(actor=None, programme=p, expected_version="2", name="X")
    assert "expected_version" in exc.value.message_dict
    p.refresh_from_db()
    assert (p.name, p.lock_version) == ("Tên mới", 2)


def test_steps_order_dates_and_late_flags(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    past, future = TODAY - dt.timedelta(days=10), TODAY + dt.timedelta(days=10)
    docs = svc.add_step(actor=people["officer"], programme=p, title="Ban hành văn bản", ends_on=past)
    train = svc.add_step(actor=people["officer"], programme=p, title="Phát động, tập huấn", ends_on=past)
    run = svc.add_step(actor=None, programme=p, title="Triển khai tiêu chí", starts_on=past, ends_on=future,
                       owner="Văn phòng")
    first = svc.add_step(actor=None, programme=p, title="Chuẩn bị", ends_on=past, order=0)
    assert [s.pk for s in p.steps.all()] == [first.pk, docs.pk, train.pk, run.pk]
    assert (docs.order, train.order, run.order) == (1, 2, 3)
    assert {s.pk for s in svc.late_steps(p, TODAY)} == {first.pk, docs.pk, train.pk}
    svc.complete_step(actor=people["officer"], step=docs, done_on=past - dt.timedelta(days=1), note="Đã ban hành")
    svc.complete_step(actor=people["officer"], step=train, done_on=TODAY)  # done after its end: late
    svc.complete_step(actor=None, step=first, done_on=past)  # on its last day: in time
    assert [s.pk for s in svc.late_steps(p, TODAY)] == [train.pk]
    assert not svc.is_late(run, TODAY) and svc.is_late(run, future + dt.timedelta(days=1))
    p.refresh_from_db()
    assert p.status == ProgrammeStatus.RUNNING  # the first step done started it
    assert AuditEvent.objects.filter(action="practices.programme.step_complete").count() == 3


def test_step_bad_input_and_double_submit(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        svc.add_step(actor=None, programme=p, title="Khảo sát", starts_on=dt.date(2026, 12, 10),
                     ends_on=dt.date(2026, 12, 1))
    assert "ends_on" in exc.value.message_dict
    cases: list[tuple[dict[str, Any], str]] = [
        ({"title": ""}, "title"), ({"ends_on": None}, "ends_on"), ({"order": -1}, "order"),
        ({"order": "1"}, "order"), ({"owner": "x" * 256}, "owner")]
    for kw, field in cases:
        args = {"title": "Bước", "ends_on": END, **kw}
        with pytest.raises(ValidationError) as exc:
            svc.add_step(actor=None, programme=p, **args)
        assert field in exc.value.message_dict
    svc.add_step(actor=None, programme=p, title="Khảo sát sự hài lòng", ends_on=END)
    with pytest.raises(ValidationError) as exc:
        svc.add_step(actor=None, programme=p, title="khảo sát sự hài lòng", ends_on=END)
    assert "title" in exc.value.message_dict
    assert ProgrammeStep.objects.count() == 1
    with pytest.raises(PermissionDenied):
        svc.add_step(actor=people["viewer"], programme=p, title="Khác", ends_on=END)


def test_complete_step_rules(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    step = svc.add_step(actor=None, programme=p, title="Tập huấn", ends_on=END)
    with pytest.raises(ValidationError) as exc:
        svc.complete_step(actor=None, step=step, done_on=TODAY + dt.timedelta(days=1))
    assert "done_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        svc.complete_step(actor=None, step=step, done_on=None)
    with pytest.raises(PermissionDenied):
        svc.complete_step(actor=people["sibling"], step=step, done_on=TODAY)
    svc.complete_step(actor=people["officer"], step=step, done_on=TODAY)
    again = ProgrammeStep.objects.get(pk=step.pk)
    with pytest.raises(ValidationError) as exc:  # a double submit
        svc.complete_step(actor=people["officer"], step=again, done_on=TODAY - dt.timedelta(days=1))
    assert "done_on" in exc.value.message_dict
    step.refresh_from_db()
    assert step.done_on == TODAY
    svc.remove_step(actor=people["officer"], step=step, reason="Nhập nhầm")
    assert not ProgrammeStep.objects.exists()
    with pytest.raises(ValidationError):
        svc.remove_step(actor=people["officer"], step=step, reason="Lần nữa")


def test_steering_board(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    head = svc.add_member(actor=people["officer"], programme=p, full_name="Nguyễn Văn A", position="Chủ tịch UBND",
                          role="Trưởng ban", duties="Chỉ đạo chung")
    svc.add_member(actor=None, programme=p, full_name="Trần Thị B", role="Phó trưởng ban")
    assert [m.full_name for m in p.steering.all()] == ["Nguyễn Văn A", "Trần Thị B"]
    with pytest.raises(ValidationError) as exc:
        svc.add_member(actor=None, programme=p, full_name="nguyen van a")
    assert "full_name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.add_member(actor=None, programme=p, full_name="")
    assert "full_name" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        svc.add_member(actor=people["other"], programme=p, full_name="Lê C")
    svc.remove_member(actor=people["officer"], member=head)
    assert [m.full_name for m in p.steering.all()] == ["Trần Thị B"]


def test_criteria_with_evidence(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    c = svc.add_criterion(actor=people["officer"], programme=p, name="Không có phản ánh về thái độ cán bộ")
    with pytest.raises(ValidationError) as exc:
        svc.add_criterion(actor=None, programme=p, name="không có phản ánh về thái độ cán bộ")
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.assess_criterion(actor=None, criterion=c, met=True, evidence="  ")
    assert "evidence" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.assess_criterion(actor=None, criterion=c, met="yes", evidence="")
    assert "met" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        svc.assess_criterion(actor=people["viewer"], criterion=c, met=False, evidence="")
    svc.assess_criterion(actor=people["officer"], criterion=c, met=True, evidence="Sổ góp ý quý 3: 0 phản ánh")
    c.refresh_from_db()
    assert (c.met, c.evidence) == (True, "Sổ góp ý quý 3: 0 phản ánh")
    svc.assess_criterion(actor=None, criterion=c, met=None, evidence="")
    c.refresh_from_db()
    assert c.met is None


def test_final_evaluation_closes_the_programme(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    step = svc.add_step(actor=None, programme=p, title="Đánh giá, rút kinh nghiệm", ends_on=END)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"final_evaluation": ""}, "final_evaluation"),
        ({"evaluated_on": TODAY + dt.timedelta(days=1)}, "evaluated_on"),
        ({"evaluated_on": START - dt.timedelta(days=1)}, "evaluated_on"),
        ({"evaluated_on": None}, "evaluated_on")]
    for kw, field in cases:
        args = {"final_evaluation": "Tốt", "evaluated_on": TODAY, **kw}
        with pytest.raises(ValidationError) as exc:
            svc.evaluate_programme(actor=None, programme=p, expected_version=1, **args)
        assert field in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        svc.evaluate_programme(actor=people["province_viewer"], programme=p, expected_version=1,
                               final_evaluation="Tốt", evaluated_on=TODAY)
    svc.evaluate_programme(actor=people["head"], programme=p, expected_version=1, final_evaluation="Đạt yêu cầu",
                           evaluated_on=TODAY)
    assert (p.status, p.evaluated_on, p.lock_version) == (ProgrammeStatus.EVALUATED, TODAY, 2)
    with pytest.raises(ConcurrentEditError):
        svc.evaluate_programme(actor=None, programme=Programme.objects.get(pk=p.pk), expected_version=1,
                               final_evaluation="Khác", evaluated_on=TODAY)
    svc.evaluate_programme(actor=None, programme=p, expected_version=2, final_evaluation="Đạt, sửa lại",
                           evaluated_on=TODAY)
    assert p.final_evaluation == "Đạt, sửa lại"
    with pytest.raises(ValidationError) as exc:
        svc.add_step(actor=None, programme=p, title="Thêm", ends_on=END)
    assert "programme" in exc.value.message_dict
    with pytest.raises(ValidationError):
        svc.complete_step(actor=None, step=step, done_on=TODAY)
    with pytest.raises(ValidationError):
        svc.update_programme(actor=None, programme=p, expected_version=3, name="Đổi")


def test_delete_is_soft_and_needs_a_head(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    with pytest.raises(PermissionDenied):
        svc.delete_programme(actor=people["officer"], programme=p, reason="Nhầm")
    with pytest.raises(ValidationError) as exc:
        svc.delete_programme(actor=people["head"], programme=p, reason="")
    assert "reason" in exc.value.message_dict
    svc.delete_programme(actor=people["head"], programme=p, reason="Nhầm")
    assert Programme.objects.get(pk=p.pk).deleted_at is not None
    with pytest.raises(ValidationError):
        svc.add_step(actor=None, programme=p, title="Bước", ends_on=END)
    make(tree["A1"])  # the name is free again
