"""Fixtures of the reports tests: a small published form and an open 6-month period on ``tree``.

Built with plain model writes (not the services under test), so that every test module can rely
on them whichever service it exercises.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest


@pytest.fixture
def small_form(db: Any) -> Any:
    """Eight indicators covering every type and aggregation rule, one cross rule, two questions."""
    from django.utils import timezone

    from danvan.reports.models import (
        Aggregation,
        CrossRule,
        FormSection,
        FormStatus,
        Indicator,
        Question,
        ReportForm,
        ValueType,
    )

    form = ReportForm.objects.create(
        code="test-form", version=1, name="Báo cáo công tác dân vận (thử)", status=FormStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    s1 = FormSection.objects.create(form=form, number="I", title="Công tác tuyên truyền", order=1)
    s2 = FormSection.objects.create(form=form, number="II", title="Tiếp công dân, giải quyết đơn thư", order=2)
    rows = [
        (s1, "sessions", "Số buổi tuyên truyền", "buổi", ValueType.COUNT, Aggregation.SUM, True, 0, None, ""),
        (s1, "participants", "Số lượt người tham dự", "lượt người", ValueType.COUNT, Aggregation.SUM, False, 0, None, ""),
        (s1, "own_plan", "Đã ban hành kế hoạch của đơn vị", "", ValueType.BOOLEAN, Aggregation.SHARE_YES, False,
         None, None, "plans.issued_own_plan"),
        (s2, "received", "Số đơn thư tiếp nhận", "đơn", ValueType.COUNT, Aggregation.SUM, True, 0, None, ""),
        (s2, "resolved", "Số đơn thư đã giải quyết", "đơn", ValueType.COUNT, Aggregation.SUM, True, 0, None, ""),
        (s2, "satisfaction", "Chỉ số hài lòng", "%", ValueType.PERCENTAGE, Aggregation.AVERAGE, False, 0, 100, ""),
        (s2, "budget", "Kinh phí", "đồng", ValueType.MONEY, Aggregation.MAX, False, 0, None, ""),
        (s2, "resolved_rate", "Tỷ lệ giải quyết", "%", ValueType.PERCENTAGE, Aggregation.RATIO, False, 0, 100, ""),
    ]
    for order, (section, code, name, unit, vtype, agg, required, lo, hi, source) in enumerate(rows, start=1):
        Indicator.objects.create(
            form=form, section=section, code=code, name=name, unit=unit, value_type=vtype, aggregation=agg,
            required=required, min_value=lo, max_value=hi, prefill_source=source, order=order,
            numerator_code="resolved" if code == "resolved_rate" else "",
            denominator_code="received" if code == "resolved_rate" else "",
        )
    CrossRule.objects.create(
        form=form, left=["resolved"], operator="lte", right=["received"],
        message="Số đơn đã giải quyết không được lớn hơn số đơn tiếp nhận", order=1,
    )
    Question.objects.create(form=form, section=s1, code="highlights", text="Kết quả nổi bật", required=True, order=1)
    Question.objects.create(form=form, section=s2, code="difficulties", text="Khó khăn, vướng mắc", order=2)
    return form


@pytest.fixture
def period(tree: dict[str, Any], kinds: dict[str, Any], small_form: Any) -> Any:
    """Province A's 6-month 2026 period: communes and departments of A report (A1, A2, Adep).

    Each expected unit has its not-started submission, as opening a period creates them.
    """
    from danvan.reports.models import Period, PeriodKind, ReportingRegime, Submission

    regime = ReportingRegime.objects.create(
        name="Báo cáo công tác dân vận chính quyền năm 2026", owner=tree["A"], scope_root=tree["A"],
        form=small_form, period_kinds=[PeriodKind.HALF_YEAR, PeriodKind.ANNUAL],
    )
    regime.reporter_kinds.set([kinds["commune"], kinds["department"]])
    p = Period.objects.create(
        regime=regime, kind=PeriodKind.HALF_YEAR, year=2026, number=1, label="6 tháng đầu năm 2026",
        starts_on=dt.date(2025, 12, 15), ends_on=dt.date(2026, 5, 31), due_on=dt.date(2026, 6, 5),
    )
    for unit, anchor in ((tree["A1"], tree["A1"]), (tree["A2"], tree["A2"]), (tree["Adep"], tree["A"])):
        Submission.objects.create(period=p, org_unit=unit, anchor=anchor)
    return p


@pytest.fixture(autouse=True)
def _fresh_form_cache() -> Any:
    """Published form specs are cached per process; a test must not see another test's form."""
    from danvan.reports import validation

    validation.clear_cache()
    yield
    validation.clear_cache()
