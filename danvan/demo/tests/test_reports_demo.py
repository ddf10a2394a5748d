"""The demo's reports: the regime on the province's plan, a 6-month round under way, the annual round open."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from danvan.demo import data
from danvan.demo import reports as demo_reports
from danvan.demo.services import load_demo
from danvan.demo.tests.test_plans import commune, official  # noqa: F401 - the fixture
from danvan.orgs.models import OrgUnit
from danvan.reports.models import (
    DataValue,
    Period,
    PeriodKind,
    ReportingRegime,
    Submission,
    SubmissionRevision,
    SubmissionStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(official: Any, settings: Any) -> Any:  # noqa: F811 - uses the imported fixture
    settings.DEBUG = True
    return load_demo()


def regime() -> ReportingRegime:
    return ReportingRegime.objects.get(name=demo_reports.REGIME_NAME)


def period(kind: str) -> Period:
    return Period.objects.get(regime=regime(), kind=kind, year=2026)


def report(key: str, kind: str = PeriodKind.HALF_YEAR) -> Submission:
    unit = commune(key) if key in data.COMMUNES else OrgUnit.objects.get(
        name=next(u.name for u in data.PROVINCE_UNITS if u.key == key), valid_to__isnull=True)
    return Submission.objects.get(period=period(kind), org_unit=unit)


def test_the_regime_hangs_on_the_province_plan(demo: Any, official: Any) -> None:  # noqa: F811
    r = regime()
    assert demo.report_periods == 2
    assert r.owner == official and r.scope_root == official
    assert r.plan is not None and r.plan.title.startswith("Kế hoạch thực hiện công tác dân vận chính quyền năm 2026")
    assert r.form.code == "dan-van-chinh-quyen" and r.form.status == "published"
    assert sorted(r.reporter_kinds.values_list("code", flat=True)) == ["commune", "department"]


def test_the_two_periods_and_their_dates(demo: Any) -> None:
    half = period(PeriodKind.HALF_YEAR)
    assert (half.starts_on, half.ends_on, half.due_on) == (dt.date(2025, 12, 15), dt.date(2026, 5, 31),
                                                          dt.date(2026, 6, 5))
    annual = period(PeriodKind.ANNUAL)
    # The plan wants the annual report by 15/11: the data ends the day before, not on 14/12.
    assert (annual.starts_on, annual.ends_on, annual.due_on) == (dt.date(2025, 12, 15), dt.date(2026, 11, 14),
                                                                dt.date(2026, 11, 15))
    assert half.status == annual.status == "open"
    departments = sum(1 for u in data.PROVINCE_UNITS if u.kind == "department")
    for p in (half, annual):
        assert Submission.objects.filter(period=p, expected=True).count() == len(data.COMMUNES) + departments
    assert not Submission.objects.filter(period=annual).exclude(status=SubmissionStatus.NOT_STARTED).exists()


def test_the_six_month_round_as_it_is_lived(demo: Any) -> None:
    on_time, late = dt.date(2026, 6, 5), dt.date(2026, 6, 6)
    accepted = report("binhlu")
    assert accepted.status == SubmissionStatus.ACCEPTED and not accepted.is_late
    assert accepted.submitted_at is not None and accepted.submitted_at.date() <= on_time
    assert accepted.reviewed_at is not None
    assert {report(k).status for k in ("khunha", "doanket", "banbo", "snv", "tt")} == {SubmissionStatus.SUBMITTED}
    assert not report("khunha").is_late and not report("doanket").is_late and not report("snv").is_late
    assert report("banbo").is_late and report("tt").is_late
    returned = report("taleng")
    assert returned.status == SubmissionStatus.RETURNED and returned.is_late
    assert "đối thoại" in returned.review_comment
    draft = report("tanphong")
    assert draft.status == SubmissionStatus.DRAFT and draft.values and draft.answers
    assert "petitions_received" in draft.values and "limitations_causes" not in draft.answers
    assert report("stp").status == SubmissionStatus.NOT_STARTED
    # Late is judged in local time on the first submission date.
    for sub in Submission.objects.filter(period=period(PeriodKind.HALF_YEAR), first_submitted_at__isnull=False):
        from django.utils import timezone

        assert sub.is_late == (timezone.localdate(sub.first_submitted_at) >= late)


def test_figures_are_counted_and_coherent(demo: Any) -> None:
    counted = Submission.objects.filter(period=period(PeriodKind.HALF_YEAR),
                                        status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED])
    assert counted.count() == 6
    assert set(DataValue.objects.values_list("submission_id", flat=True).distinct()) == set(
        counted.values_list("pk", flat=True))
    for sub in counted:
        v = sub.values
        assert v["petitions_received"] == (
            v["petitions_complaints"] + v["petitions_denunciations"] + v["petitions_recommendations"])
        assert v["petitions_resolved_on_time"] <= v["petitions_resolved"] <= v["petitions_received"]
        assert v["budget_spent"] <= v["budget_allocated"]
        assert SubmissionRevision.objects.filter(submission=sub, action="submitted").exists()


def test_the_demo_officer_can_fill_the_draft(demo: Any) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="canbo.kiemnhiem")
    assert user.has_perm("reports.fill_submission", report("tanphong"))
    assert not user.has_perm("reports.fill_submission", report("binhlu"))  # accepted: locked


def test_loading_again_changes_nothing(demo: Any, settings: Any) -> None:
    before = (Period.objects.count(), Submission.objects.count(), SubmissionRevision.objects.count())
    assert load_demo().report_periods == 0
    assert (Period.objects.count(), Submission.objects.count(), SubmissionRevision.objects.count()) == before


def delete_demo_reports() -> None:
    """What a database loaded before reports existed looks like (also lets a test delete the plans)."""
    Submission.objects.all().delete()  # with their revisions, reminders and counted figures
    Period.objects.all().delete()
    ReportingRegime.objects.all().delete()


def test_reports_are_added_to_a_demo_loaded_before_reports_existed(official: Any, settings: Any) -> None:  # noqa: F811
    from danvan.core.models import AuditEvent

    settings.DEBUG = True
    load_demo()
    delete_demo_reports()
    result = load_demo()
    assert (result.report_periods, result.plans, result.units) == (2, 0, 0)
    assert result.changed
    assert AuditEvent.objects.filter(action="demo.load").latest("pk").summary["report_periods"] == 2
    assert report("binhlu").status == SubmissionStatus.ACCEPTED
