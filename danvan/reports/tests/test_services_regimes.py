"""Reporting regimes and periods: who sets them up, dates from Decree 09/2019 and the plan, bad dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.plans.models import DeadlineKind, Plan, PlanDeadline, PlanStatus
from danvan.reports import services
from danvan.reports.models import (
    FormStatus,
    Period,
    PeriodKind,
    PeriodStatus,
    ReportForm,
    ReportingRegime,
    Submission,
    SubmissionStatus,
)

D = dt.date


@pytest.fixture
def users(tree: dict[str, Any], make_user: Any) -> dict[str, Any]:
    return {
        "officer_a": make_user("officer_a", (tree["A"], "officer")),
        "viewer_a": make_user("viewer_a", (tree["A"], "viewer")),
        "officer_a1": make_user("officer_a1", (tree["A1"], "officer")),
        "officer_a2": make_user("officer_a2", (tree["A2"], "officer")),
        "officer_b": make_user("officer_b", (tree["B"], "officer")),
        "nobody": make_user("nobody"),
    }


@pytest.fixture
def plan(tree: dict[str, Any]) -> Plan:
    plan = Plan.objects.create(issuer=tree["A"], title="Kế hoạch dân vận 2026", year=2026, status=PlanStatus.ISSUED)
    PlanDeadline.objects.create(plan=plan, kind=DeadlineKind.HALF_YEAR_REPORT, text="Báo cáo 6 tháng", due_on=D(2026, 6, 5))
    PlanDeadline.objects.create(plan=plan, kind=DeadlineKind.ANNUAL_REPORT, text="Báo cáo năm", due_on=D(2026, 11, 15))
    return plan


def make_regime(tree: dict[str, Any], kinds: dict[str, Any], the_form: ReportForm, actor: Any = None, **extra: Any) -> Any:
    args: dict[str, Any] = {
        "owner": tree["A"], "name": "Báo cáo dân vận 2026", "form": the_form,
        "reporter_kinds": [kinds["commune"], kinds["department"]],
        "period_kinds": [PeriodKind.HALF_YEAR, PeriodKind.ANNUAL],
    }
    args.update(extra)
    return services.create_regime(actor=actor, **args)


@pytest.fixture
def regime(tree: dict[str, Any], kinds: dict[str, Any], small_form: ReportForm, users: dict[str, Any], plan: Plan) -> Any:
    return make_regime(tree, kinds, small_form, users["officer_a"], plan=plan)


def test_create_regime_happy_path(regime: ReportingRegime, tree: dict[str, Any], plan: Plan) -> None:
    assert regime.scope_root == tree["A"] and regime.plan == plan
    assert set(regime.reporter_kinds.values_list("code", flat=True)) == {"commune", "department"}
    assert AuditEvent.objects.filter(action="reports.regime.create", object_id=str(regime.pk)).exists()


@pytest.mark.parametrize("who", ["officer_a1", "viewer_a", "officer_b", "nobody", "anonymous"])
def test_create_regime_needs_an_editor_of_the_owner(
    who: str, tree: dict[str, Any], kinds: dict[str, Any], small_form: ReportForm, users: dict[str, Any],
) -> None:
    actor = AnonymousUser() if who == "anonymous" else users[who]
    with pytest.raises(PermissionDenied):
        make_regime(tree, kinds, small_form, actor)
    assert not ReportingRegime.objects.exists()


def test_create_regime_bad_input(tree: dict[str, Any], kinds: dict[str, Any], small_form: ReportForm, users: dict[str, Any],
                                 plan: Plan) -> None:
    draft = ReportForm.objects.create(code="draft", name="Nháp")
    draft_plan = Plan.objects.create(issuer=tree["A"], title="Nháp", year=2026, status=PlanStatus.DRAFT)
    other_plan = Plan.objects.create(issuer=tree["B"], title="Tỉnh B", year=2026, status=PlanStatus.DRAFT)
    b_form = ReportForm.objects.create(code="b", name="B", owner=tree["B"], status=FormStatus.PUBLISHED)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"form": draft}, "form"),
        ({"form": b_form}, "form"),
        ({"scope_root": tree["B1"]}, "scope_root"),
        ({"period_kinds": []}, "period_kinds"),
        ({"period_kinds": ["weekly"]}, "period_kinds"),
        ({"period_kinds": "annual"}, "period_kinds"),
        ({"reporter_kinds": []}, "reporter_kinds"),
        ({"cutoffs": {PeriodKind.ANNUAL: {"start": "12-15", "end": "02-30"}}}, "cutoffs"),
        ({"cutoffs": {PeriodKind.ANNUAL: {"start": "12-15"}}}, "cutoffs"),
        ({"cutoffs": {"weekly": {"start": "01-01", "end": "01-07"}}}, "cutoffs"),
        ({"deadlines": {PeriodKind.ANNUAL: "15/11"}}, "deadlines"),
        ({"plan": draft_plan}, "plan"),
        ({"plan": other_plan}, "plan"),
        ({"name": ""}, "name"),
    ]
    for extra, field in cases:
        with pytest.raises(ValidationError) as exc:
            make_regime(tree, kinds, small_form, users["officer_a"], **extra)
        assert field in exc.value.message_dict, extra
    assert not ReportingRegime.objects.exists()
    ok = make_regime(tree, kinds, small_form, users["officer_a"], scope_root=tree["A1"],
                     cutoffs={PeriodKind.ANNUAL: {"start": "01-01", "end": "12-31"}},
                     deadlines={PeriodKind.ANNUAL: "12-20"}, period_kinds=["annual", "annual"])
    assert ok.period_kinds == ["annual"] and ok.scope_root == tree["A1"]


def test_update_regime_and_conflict(regime: ReportingRegime, users: dict[str, Any]) -> None:
    version = regime.lock_version
    services.update_regime(actor=users["officer_a"], regime=regime, expected_version=version, name="Tên mới")
    regime.refresh_from_db()
    assert regime.name == "Tên mới" and regime.lock_version == version + 1
    with pytest.raises(ConcurrentEditError):
        services.update_regime(actor=users["officer_a"], regime=regime, expected_version=version, name="Cũ")
    regime.refresh_from_db()
    assert regime.name == "Tên mới"
    with pytest.raises(PermissionDenied):
        services.update_regime(actor=users["officer_a1"], regime=regime, expected_version=regime.lock_version, name="X")


def test_form_is_fixed_once_a_period_exists(regime: ReportingRegime, users: dict[str, Any], small_form: ReportForm) -> None:
    other = ReportForm.objects.create(code="other", name="Khác", status=FormStatus.PUBLISHED)
    services.open_period(actor=users["officer_a"], regime=regime, kind=PeriodKind.HALF_YEAR, year=2026)
    regime.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.update_regime(actor=users["officer_a"], regime=regime, expected_version=regime.lock_version, form=other)
    assert "form" in exc.value.message_dict
    regime.refresh_from_db()
    assert regime.form == small_form


def test_changing_reporter_kinds_resyncs_open_periods(regime: ReportingRegime, users: dict[str, Any],
                                                      kinds: dict[str, Any], tree: dict[str, Any]) -> None:
    period = services.open_period(actor=users["officer_a"], regime=regime, kind=PeriodKind.HALF_YEAR, year=2026)
    assert set(period.submissions.values_list("org_unit", flat=True)) == {tree["A1"].pk, tree["A2"].pk, tree["Adep"].pk}
    regime.refresh_from_db()
    services.update_regime(actor=users["officer_a"], regime=regime, expected_version=regime.lock_version,
                           reporter_kinds=[kinds["commune"]])
    assert set(period.submissions.values_list("org_unit", flat=True)) == {tree["A1"].pk, tree["A2"].pk}


# --------------------------------------------------------------------------- periods


def test_open_period_from_decree_and_plan(regime: ReportingRegime, users: dict[str, Any], tree: dict[str, Any]) -> None:
    period = services.open_period(actor=users["officer_a"], regime=regime, kind=PeriodKind.HALF_YEAR, year=2026)
    assert (period.starts_on, period.ends_on, period.due_on) == (D(2025, 12, 15), D(2026, 6, 4), D(2026, 6, 5))
    assert period.label  # translated "6-month 2026"
    subs = {s.org_unit_id: s for s in Submission.objects.filter(period=period)}
    assert set(subs) == {tree["A1"].pk, tree["A2"].pk, tree["Adep"].pk}
    assert subs[tree["A1"].pk].anchor_id == tree["A1"].pk
    assert subs[tree["Adep"].pk].anchor_id == tree["A"].pk  # a department counts under its province
    assert all(s.status == SubmissionStatus.NOT_STARTED and s.expected for s in subs.values())
    event = AuditEvent.objects.get(action="reports.period.open")
    # The plan's 05/6 deadline comes before the decree's 14/6 cut-off end: the data ends on 04/6, said in the audit.
    assert event.summary["cutoff_moved"]["from"] == "2026-06-14"
    assert event.summary["expected"]["created"] == 3


def test_annual_plan_deadline_before_decree_cutoff(regime: ReportingRegime, users: dict[str, Any]) -> None:
    period = services.open_period(actor=users["officer_a"], regime=regime, kind=PeriodKind.ANNUAL, year=2026)
    assert (period.starts_on, period.ends_on, period.due_on) == (D(2025, 12, 15), D(2026, 11, 14), D(2026, 11, 15))


def test_explicit_deadline_before_cutoff_is_an_error(regime: ReportingRegime, users: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as exc:
        services.open_period(actor=users["officer_a"], regime=regime, kind=PeriodKind.ANNUAL, year=2026,
                             due_on=D(2026, 11, 15))
    assert "14/12/2026" in exc.value.message_dict["due_on"][0] and "15/11/2026" in exc.value.message_dict["due_on"][0]
    with pytest.raises(ValidationError) as exc:
        services.open_period(actor=users["officer_a"], regime=regime, kind=PeriodKind.ANNUAL, year=2026,
                             ends_on=D(2026, 12, 14))
    assert "due_on" in exc.value.message_dict
    assert not Period.objects.exists() and not Submission.objects.exists()


@pytest.mark.parametrize(("extra", "field"), [
    ({"starts_on": D(2026, 7, 1), "ends_on": D(2026, 6, 1), "due_on": D(2026, 7, 5)}, "ends_on"),
    ({"kind": "weekly"}, "kind"),
    ({"kind": PeriodKind.QUARTERLY}, "kind"),
    ({"year": 1999}, "year"),
    ({"number": 3}, "number"),
    ({"label": "x" * 151}, "label"),
    ({"due_on": "2026-06-05"}, "due_on"),
])
def test_open_period_bad_input(regime: ReportingRegime, users: dict[str, Any], extra: dict[str, Any], field: str) -> None:
    args: dict[str, Any] = {"kind": PeriodKind.HALF_YEAR, "year": 2026, **extra}
    with pytest.raises(ValidationError) as exc:
        services.open_period(actor=users["officer_a"], regime=regime, **args)
    assert field in exc.value.message_dict
    assert not Period.objects.exists()


def test_no_deadline_anywhere_is_an_error(tree: dict[str, Any], kinds: dict[str, Any], small_form: ReportForm) -> None:
    regime = make_regime(tree, kinds, small_form)
    with pytest.raises(ValidationError) as exc:
        services.open_period(actor=None, regime=regime, kind=PeriodKind.HALF_YEAR, year=2026)
    assert "due_on" in exc.value.message_dict
    period = services.open_period(actor=None, regime=regime, kind=PeriodKind.HALF_YEAR, year=2026, due_on=D(2026, 6, 20))
    assert (period.ends_on, period.due_on) == (D(2026, 6, 14), D(2026, 6, 20))


def test_duplicate_period_is_a_validation_error(regime: ReportingRegime, users: dict[str, Any]) -> None:
    services.open_period(actor=users["officer_a"], regime=regime, kind=PeriodKind.HALF_YEAR, year=2026)
    with pytest.raises(ValidationError) as exc:
        services.open_period(actor=users["officer_a"], regime=regime, kind=PeriodKind.HALF_YEAR, year=2026)
    assert "number" in exc.value.message_dict
    assert Period.objects.count() == 1


@pytest.mark.parametrize("who", ["officer_a1", "officer_a2", "viewer_a", "officer_b", "nobody", "anonymous"])
def test_open_period_needs_an_editor_of_the_owner(who: str, regime: ReportingRegime, users: dict[str, Any]) -> None:
    actor = AnonymousUser() if who == "anonymous" else users[who]
    with pytest.raises(PermissionDenied):
        services.open_period(actor=actor, regime=regime, kind=PeriodKind.HALF_YEAR, year=2026)
    assert not Period.objects.exists()


def test_update_period_recomputes_lateness(regime: ReportingRegime, users: dict[str, Any], tree: dict[str, Any]) -> None:
    period = services.open_period(actor=users["officer_a"], regime=regime, kind=PeriodKind.HALF_YEAR, year=2026)
    sub = Submission.objects.get(period=period, org_unit=tree["A1"])
    Submission.objects.filter(pk=sub.pk).update(
        status=SubmissionStatus.SUBMITTED, first_submitted_at=timezone.make_aware(dt.datetime(2026, 6, 10, 9)),
        is_late=True,
    )
    version = period.lock_version
    services.update_period(actor=users["officer_a"], period=period, expected_version=version,
                           starts_on=period.starts_on, ends_on=period.ends_on, due_on=D(2026, 6, 15), label="6 tháng")
    sub.refresh_from_db()
    assert sub.is_late is False
    with pytest.raises(ConcurrentEditError):
        services.update_period(actor=users["officer_a"], period=Period.objects.get(pk=period.pk),
                               expected_version=version, starts_on=period.starts_on, ends_on=period.ends_on,
                               due_on=D(2026, 6, 9), label="6 tháng")
    with pytest.raises(ValidationError) as exc:
        services.update_period(actor=users["officer_a"], period=period, expected_version=version + 1,
                               starts_on=period.starts_on, ends_on=D(2026, 6, 30), due_on=D(2026, 6, 15), label="x")
    assert "due_on" in exc.value.message_dict
    period.refresh_from_db()
    assert (period.due_on, period.label) == (D(2026, 6, 15), "6 tháng")


def test_close_period(regime: ReportingRegime, users: dict[str, Any]) -> None:
    period = services.open_period(actor=users["officer_a"], regime=regime, kind=PeriodKind.HALF_YEAR, year=2026)
    with pytest.raises(PermissionDenied):
        services.close_period(actor=users["officer_a1"], period=period)
    services.close_period(actor=users["officer_a"], period=period)
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED
    with pytest.raises(ValidationError, match="đã đóng"):
        services.close_period(actor=users["officer_a"], period=period)


def test_delete_regime(regime: ReportingRegime, users: dict[str, Any], tree: dict[str, Any]) -> None:
    period = services.open_period(actor=users["officer_a"], regime=regime, kind=PeriodKind.HALF_YEAR, year=2026)
    with pytest.raises(ValidationError) as exc:
        services.delete_regime(actor=users["officer_a"], regime=regime, reason="  ")
    assert "reason" in exc.value.message_dict
    Submission.objects.filter(period=period, org_unit=tree["A1"]).update(status=SubmissionStatus.SUBMITTED)
    with pytest.raises(ValidationError, match="thay vì xóa"):
        services.delete_regime(actor=users["officer_a"], regime=regime, reason="Nhầm")
    Submission.objects.filter(period=period).update(status=SubmissionStatus.DRAFT)
    with pytest.raises(PermissionDenied):
        services.delete_regime(actor=users["officer_a1"], regime=regime, reason="Nhầm")
    services.delete_regime(actor=users["officer_a"], regime=regime, reason="Lập nhầm")
    regime.refresh_from_db()
    assert regime.deleted_at is not None
    assert not ReportingRegime.objects.alive().exists()
    with pytest.raises(ValidationError, match="đã bị xóa"):
        services.open_period(actor=users["officer_a"], regime=regime, kind=PeriodKind.ANNUAL, year=2026)
