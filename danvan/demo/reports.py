"""Demonstration reports: Lai Châu's reporting regime on its 2026 plan, a 6-month round under way.

What ``make run`` should show is the round as it is lived a few days after the deadline of
05/06/2026: Xã Bình Lư reported early and the province accepted it; Xã Khun Há, Phường Đoàn Kết
and Sở Nội vụ reported on time; Xã Bản Bo and Thanh tra tỉnh reported late; Xã Tả Lèng reported
late and got its report back with a comment; Phường Tân Phong — where the demo's commune officer
``canbo.kiemnhiem`` works — has a draft waiting to be finished; every other commune and department
has not started, so the completeness page shows the gaps. The annual round of 2026 is open too,
due on 15/11/2026 as the plan says, its data cut-off ending the day before.

The figures are made up for the demonstration and kept coherent (received = complaints +
denunciations + recommendations, resolved ≤ received ...), so the aggregates look plausible.
Where another module pre-fills a figure, the report keeps the demo figure with the reason an
officer would give, as the form requires.

Everything goes through ``danvan.reports.services``, like an officer's work. Only the dates are
then set back to the demonstration's calendar (the services stamp "now"), never into the future.
``load_demo_reports`` is idempotent: when the regime exists it does nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from danvan.orgs.models import OrgKind, OrgUnit

from . import data
from . import plans as demo_plans

YEAR = 2026
REGIME_NAME = "Báo cáo kết quả thực hiện công tác dân vận chính quyền năm 2026"
HALF_YEAR_START = dt.date(YEAR - 1, 12, 15)
HALF_YEAR_END = dt.date(YEAR, 5, 31)
HALF_YEAR_DUE = dt.date(YEAR, 6, 5)  # the plan's deadline; used only if the plan is missing
ANNUAL_DUE = dt.date(YEAR, 11, 15)
CORRECTION_REASON = "Số liệu theo sổ theo dõi của đơn vị, đã đối chiếu đến ngày chốt số liệu."
_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class ReportSpec:
    unit: str  # a key of data.COMMUNES or data.PROVINCE_UNITS
    status: str  # draft, submitted, returned, accepted
    saved: dt.datetime
    submitted: dt.datetime | None = None
    reviewed: dt.datetime | None = None
    comment: str = ""
    scale: int = 1  # a ward or a big commune reports more than a small one


def _at(day: tuple[int, int], hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(YEAR, day[0], day[1], hour, minute, tzinfo=_TZ)


REPORTS = [
    ReportSpec("binhlu", "accepted", _at((5, 29), 16), _at((6, 1), 9, 30), _at((6, 8), 10), scale=2),
    ReportSpec("khunha", "submitted", _at((6, 3), 17), _at((6, 4), 15)),
    ReportSpec("doanket", "submitted", _at((6, 5), 10), _at((6, 5), 16, 45), scale=3),
    ReportSpec("banbo", "submitted", _at((6, 8), 11), _at((6, 9), 10)),
    ReportSpec(
        "taleng", "returned", _at((6, 9), 15), _at((6, 10), 8, 30), _at((6, 12), 14),
        comment="Đề nghị rà soát lại: số đơn đã giải quyết đúng hạn chưa khớp với sổ theo dõi; bổ sung kết quả "
                "đối thoại của Chủ tịch UBND xã với Nhân dân bản Lùng Thàng.",
    ),
    ReportSpec("snv", "submitted", _at((6, 2), 16), _at((6, 3), 9), scale=2),
    ReportSpec("tt", "submitted", _at((6, 8), 8), _at((6, 8), 14)),
    ReportSpec("tanphong", "draft", _at((6, 4), 11), scale=3),
]

ANSWERS = {
    "leadership_results": "Tổ chức hội nghị quán triệt Kết luận số 114-KL/TW, Chỉ thị số 33/CT-TTg đến toàn thể cán bộ, "
    "công chức; tuyên truyền trên hệ thống loa truyền thanh bằng tiếng Việt và tiếng Mông.",
    "petitions_results": "Duy trì tiếp công dân định kỳ vào ngày 15 hằng tháng; các đơn thư được phân loại, chuyển xử lý "
    "đúng thẩm quyền, không để tồn đọng, kéo dài.",
    "practices_results": "Đăng ký mô hình “Dân vận khéo” vận động Nhân dân hiến đất mở rộng đường liên bản.",
    "limitations_causes": "Địa bàn rộng, giao thông đi lại khó khăn vào mùa mưa; một số công chức mới được điều động sau "
    "sắp xếp đơn vị hành chính chưa có kinh nghiệm trong công tác dân vận.",
    "next_period_tasks": "Tiếp tục tổ chức đối thoại với Nhân dân; hoàn thành kiểm tra việc thực hiện quy chế dân chủ ở "
    "các thôn, bản; sơ kết mô hình “Dân vận khéo”.",
}
DRAFT_ANSWERS = {"leadership_results": ANSWERS["leadership_results"]}


def figures(index: int, scale: int) -> dict[str, Any]:
    """Plausible, coherent figures for the ``index``-th report; a ``scale`` of 3 is a busy ward."""
    k = scale
    complaints, denunciations, recommendations = 2 * k + index % 3, k + index % 2, 8 * k + index
    received = complaints + denunciations + recommendations
    resolved = received - 1 - index % 2
    procedures = 420 * k + 37 * index
    return {
        "dissemination_sessions": 6 * k + index, "dissemination_participants": 380 * k + 25 * index,
        "directives_issued": 2 + index % 3, "leader_assigned": True, "specialist_assigned": index % 4 != 3,
        "own_plan_issued": True, "plan_tasks_led": 4 + index % 3, "plan_tasks_done": 2 + index % 3,
        "reception_days_scheduled": 6, "reception_days_ad_hoc": index % 3, "citizens_received": 25 * k + 3 * index,
        "petitions_complaints": complaints, "petitions_denunciations": denunciations,
        "petitions_recommendations": recommendations, "petitions_received": received,
        "petitions_resolved": resolved, "petitions_resolved_on_time": resolved - index % 3,
        "mass_petition_cases": 0, "mediation_cases": 5 + index, "mediation_successful": 4 + index,
        "dialogues_held": 1 + (index + k) % 2, "dialogue_participants": 120 * k + 10 * index,
        "commitments_made": 6 + index, "commitments_kept": 4 + index,
        "disclosures_made": 14 + 2 * index, "consultations_held": 2 + index % 2,
        "community_supervisions": 1 + index % 2, "front_supervisions": 2,
        "practices_registered": 1 + index % 2, "practices_recognised": index % 2,
        "practice_highlight": "Dân vận khéo trong vận động Nhân dân hiến đất làm đường liên bản",
        "commendations_collective": index % 2, "commendations_individual": 1 + index % 3,
        "procedures_received": procedures, "procedures_on_time": procedures - 3 - index,
        "online_applications": procedures // 2 + 11 * index, "online_services_share": 78 + index,
        "satisfaction_surveys": 1, "satisfaction_index": 86 + index % 7,
        "inspections_held": 1 + index % 2, "self_inspections_held": 2, "service_inspections_held": index % 3,
        "officials_disciplined": 0, "budget_allocated": 30_000_000 * k, "budget_spent": 18_500_000 * k + 1_000_000 * index,
    }


def _units() -> dict[str, OrgUnit]:
    province = OrgUnit.objects.get(code=data.PROVINCE_CODE, kind__code="province", valid_to__isnull=True)
    units = {"province": province}
    for key, code in data.COMMUNES.items():
        units[key] = OrgUnit.objects.get(code=code, kind__code="commune", valid_to__isnull=True)
    for spec in data.PROVINCE_UNITS:
        found = OrgUnit.objects.filter(parent=province, name=spec.name, valid_to__isnull=True).order_by("pk").first()
        if found is not None:
            units[spec.key] = found
    return units


def _plan(province: OrgUnit) -> Any:
    from danvan.plans.models import Plan

    return (
        Plan.objects.alive().filter(issuer=province, year=YEAR, title=demo_plans.PROVINCE_TITLE)
        .order_by("-version", "-pk").first()
    )


def regime_exists() -> bool:
    from danvan.reports.models import ReportingRegime

    return ReportingRegime.objects.alive().filter(
        owner__code=data.PROVINCE_CODE, owner__kind__code="province", name=REGIME_NAME
    ).exists()


def _past(moment: dt.datetime) -> dt.datetime:
    """A machine whose clock is behind the demo's dates still loads it: nothing is dated in the future."""
    return min(moment, timezone.now())


def _fill(actor: Any, submission: Any, spec: ReportSpec, index: int) -> Any:
    from danvan.reports import services

    sub = services.prefill_submission(actor=actor, submission=submission, expected_version=submission.lock_version)
    values = figures(index, spec.scale)
    answers = ANSWERS
    if spec.status == "draft":  # half done: the first two sections and one answer
        keep = list(values)[:18]
        values = {code: values[code] for code in keep}
        answers = DRAFT_ANSWERS
    prefilled = sub.prefilled or {}
    reasons = {code: CORRECTION_REASON for code, v in prefilled.items() if code in values and values[code] != v}
    return services.save_draft(
        actor=actor, submission=sub, values=values, answers=answers, reasons=reasons,
        expected_version=sub.lock_version,
    )


def _backdate(submission: Any, spec: ReportSpec, due_on: dt.date) -> None:
    """Put the services' timestamps on the demonstration's calendar (see the module docstring)."""
    from danvan.reports.models import RevisionAction, Submission, SubmissionRevision

    fields: dict[str, Any] = {}
    times = {RevisionAction.PREFILLED: _past(spec.saved), RevisionAction.SAVED: _past(spec.saved)}
    if spec.submitted is not None:
        submitted = _past(spec.submitted)
        fields.update(first_submitted_at=submitted, submitted_at=submitted,
                      is_late=timezone.localdate(submitted) > due_on)
        times[RevisionAction.SUBMITTED] = submitted
    if spec.reviewed is not None:
        reviewed = _past(spec.reviewed)
        fields["reviewed_at"] = reviewed
        times[RevisionAction.RETURNED] = times[RevisionAction.ACCEPTED] = reviewed
    if fields:
        Submission.objects.filter(pk=submission.pk).update(**fields)
    for action, at in times.items():
        SubmissionRevision.objects.filter(submission=submission, action=action).update(at=at)


def load_demo_reports(*, actor: Any = None) -> int:
    """Create the demo regime and its two periods unless the regime is there; returns how many periods.

    Runs inside ``load_demo``'s transaction, after the plans (the regime hangs on the province's plan).
    """
    from danvan.reports import services
    from danvan.reports.default_form import install_default_form
    from danvan.reports.models import PeriodKind, Submission

    if regime_exists():
        return 0
    units = _units()
    province = units["province"]
    plan = _plan(province)
    form = install_default_form(actor=actor)
    regime = services.create_regime(
        actor=actor, owner=province, name=REGIME_NAME, form=form, plan=plan,
        reporter_kinds=list(OrgKind.objects.filter(code__in=["commune", "department"])),
        period_kinds=[PeriodKind.HALF_YEAR, PeriodKind.ANNUAL],
    )
    half = services.open_period(
        actor=actor, regime=regime, kind=PeriodKind.HALF_YEAR, year=YEAR, starts_on=HALF_YEAR_START,
        ends_on=HALF_YEAR_END, due_on=None if plan is not None else HALF_YEAR_DUE,
    )
    reports = {s.org_unit_id: s for s in Submission.objects.filter(period=half)}
    for index, spec in enumerate(REPORTS):
        unit = units.get(spec.unit)
        sub = reports.get(unit.pk) if unit is not None else None
        if sub is None:
            continue
        sub = _fill(actor, sub, spec, index)
        if spec.status != "draft":
            sub = services.submit_report(actor=actor, submission=sub, expected_version=sub.lock_version)
        if spec.status == "accepted":
            sub = services.accept_report(actor=actor, submission=sub, expected_version=sub.lock_version)
        elif spec.status == "returned":
            sub = services.return_report(actor=actor, submission=sub, comment=spec.comment,
                                         expected_version=sub.lock_version)
        _backdate(sub, spec, half.due_on)
    # With the plan, its deadline (15/11) ends the data the day before; without it, the same by hand.
    no_plan = plan is None
    services.open_period(
        actor=actor, regime=regime, kind=PeriodKind.ANNUAL, year=YEAR,
        ends_on=ANNUAL_DUE - dt.timedelta(days=1) if no_plan else None, due_on=ANNUAL_DUE if no_plan else None,
    )
    return 2
