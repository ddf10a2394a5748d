"""The default mass-mobilization form: what it contains, that it is coherent, that installing it is idempotent."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from danvan.core.models import AuditEvent
from danvan.reports import default_form, validation
from danvan.reports.default_form import install_default_form
from danvan.reports.models import Aggregation, FormStatus, ReportForm, ValueType
from danvan.reports.validation import check_for_submission, spec_for

pytestmark = pytest.mark.django_db

VIETNAMESE_MARKS = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    validation.clear_cache()
    with translation.override("en"):
        yield
    validation.clear_cache()


@pytest.fixture
def form() -> ReportForm:
    return install_default_form()


def test_installs_published_national_v1(form: ReportForm) -> None:
    assert (form.code, form.version, form.status, form.owner_id) == ("dan-van-chinh-quyen", 1, FormStatus.PUBLISHED, None)
    assert form.name == "Báo cáo kết quả thực hiện công tác dân vận chính quyền"
    assert form.published_at is not None
    event = AuditEvent.objects.get(action="reports.form.installed")
    assert event.object_id == str(form.pk) and event.summary["indicators"] == form.indicators.count()


def test_second_install_changes_nothing(form: ReportForm) -> None:
    counts = (form.sections.count(), form.indicators.count(), form.questions.count(), form.rules.count())
    again = install_default_form()
    assert again.pk == form.pk
    assert ReportForm.objects.filter(code="dan-van-chinh-quyen").count() == 1
    assert (again.sections.count(), again.indicators.count(), again.questions.count(), again.rules.count()) == counts
    assert AuditEvent.objects.filter(action="reports.form.installed").count() == 1


def test_every_row_passes_model_validation(form: ReportForm) -> None:
    form.full_clean()
    for obj in [*form.sections.all(), *form.indicators.all(), *form.questions.all(), *form.rules.all()]:
        obj.full_clean()


def test_size_and_unique_codes(form: ReportForm) -> None:
    spec = spec_for(form)
    codes = [i.code for i in spec.indicators]
    assert 40 <= len(codes) <= 60
    assert len(set(codes)) == len(codes)
    q_codes = [q.code for q in spec.questions]
    assert len(set(q_codes)) == len(q_codes)
    assert not set(codes) & set(q_codes)


def test_sections_numbered_in_roman_order(form: ReportForm) -> None:
    numbers = [s.number for s in form.sections.order_by("order")]
    assert numbers == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]
    assert str(form.sections.order_by("order").first()).startswith("I. ")


def test_every_ratio_points_at_numeric_indicators(form: ReportForm) -> None:
    spec = spec_for(form)
    ratios = [i for i in spec.indicators if i.aggregation == Aggregation.RATIO]
    assert len(ratios) >= 5
    for r in ratios:
        assert r.value_type == ValueType.PERCENTAGE
        for code in (r.numerator_code, r.denominator_code):
            other = spec.indicator(code)
            assert other is not None, (r.code, code)
            assert other.is_numeric and not other.is_computed and other.value_type != ValueType.BOOLEAN
    non_ratios = [i for i in spec.indicators if i.aggregation != Aggregation.RATIO]
    assert all(not i.numerator_code and not i.denominator_code for i in non_ratios)


def test_every_rule_names_existing_numeric_indicators(form: ReportForm) -> None:
    spec = spec_for(form)
    assert len(spec.rules) >= 8
    for rule in spec.rules:
        assert rule.left and rule.right and rule.message
        for code in (*rule.left, *rule.right):
            ind = spec.indicator(code)
            assert ind is not None and ind.is_numeric and not ind.is_computed, code


def test_types_and_bounds_are_coherent(form: ReportForm) -> None:
    spec = spec_for(form)
    for ind in spec.indicators:
        if ind.value_type == ValueType.PERCENTAGE:
            assert (ind.min_value, ind.max_value) == (0, 100)
        if ind.value_type == ValueType.BOOLEAN:
            assert ind.aggregation == Aggregation.SHARE_YES
        if ind.value_type == ValueType.TEXT:
            assert ind.aggregation == Aggregation.NONE
        if ind.value_type in (ValueType.COUNT, ValueType.MONEY):
            assert ind.min_value == 0 and ind.aggregation == Aggregation.SUM
    assert {i.value_type for i in spec.indicators} == set(ValueType.values)
    satisfaction = spec.indicator("satisfaction_index")
    assert satisfaction is not None and satisfaction.aggregation == Aggregation.AVERAGE


def test_what_the_seeds_ask_for_is_there(form: ReportForm) -> None:
    spec = spec_for(form)
    expected = {
        "dissemination_sessions": ("count", ""), "dissemination_participants": ("count", ""),
        "leader_assigned": ("boolean", ""), "specialist_assigned": ("boolean", ""),
        "own_plan_issued": ("boolean", "plans.issued_own_plan"),
        "reception_days_scheduled": ("count", "petitions.reception_days_scheduled"),
        "reception_days_ad_hoc": ("count", "petitions.reception_days_ad_hoc"),
        "citizens_received": ("count", "petitions.citizens_received"),
        "petitions_complaints": ("count", "petitions.received_complaints"),
        "petitions_denunciations": ("count", "petitions.received_denunciations"),
        "petitions_recommendations": ("count", "petitions.received_recommendations"),
        "petitions_resolved": ("count", "petitions.resolved"),
        "petitions_resolved_on_time": ("count", "petitions.resolved_on_time"),
        "dialogues_held": ("count", "dialogues.held"), "commitments_made": ("count", "dialogues.commitments_made"),
        "commitments_kept": ("count", "dialogues.commitments_kept"),
        "practices_registered": ("count", "practices.registered"),
        "practices_recognised": ("count", "practices.recognised"),
        "disclosures_made": ("count", "disclosures.made"),
        "consultations_held": ("count", "disclosures.consultations_held"),
        "community_supervisions": ("count", "disclosures.board_supervisions"),
        "front_supervisions": ("count", "disclosures.front_supervisions"),
        "satisfaction_index": ("percentage", "surveys.satisfaction_index"),
        "inspections_held": ("count", ""), "self_inspections_held": ("count", ""),
        "commendations_collective": ("count", "practices.commendations_collective"),
        "online_services_share": ("percentage", ""),
    }
    for code, (vtype, source) in expected.items():
        ind = spec.indicator(code)
        assert ind is not None, code
        assert (ind.value_type, ind.prefill_source) == (vtype, source), code
    ratios = {i.code: (i.numerator_code, i.denominator_code) for i in spec.indicators if i.is_computed}
    assert ratios["petitions_resolution_rate"] == ("petitions_resolved", "petitions_received")
    assert ratios["commitments_kept_rate"] == ("commitments_kept", "commitments_made")
    rules = {(r.left, r.operator, r.right) for r in spec.rules}
    assert (("petitions_resolved",), "lte", ("petitions_received",)) in rules
    assert (("petitions_resolved_on_time",), "lte", ("petitions_resolved",)) in rules
    assert (("commitments_kept",), "lte", ("commitments_made",)) in rules
    assert (("practices_recognised",), "lte", ("practices_registered",)) in rules


def test_narrative_questions(form: ReportForm) -> None:
    spec = spec_for(form)
    codes = {q.code: q for q in spec.questions}
    for code in ("limitations_causes", "next_period_tasks", "proposals"):
        assert code in codes
    assert codes["limitations_causes"].required and codes["next_period_tasks"].required
    sections_with_numbers = {i.section_id for i in spec.indicators} - {None}
    sections_with_questions = {q.section_id for q in spec.questions}
    content_sections = [s for s in spec.sections if s.number != "VIII"]
    assert sections_with_numbers
    assert all(s.id in sections_with_questions for s in content_sections)


def test_vietnamese_text_has_its_diacritics(form: ReportForm) -> None:
    texts = [form.name, form.description]
    texts += [s.title for s in form.sections.all()]
    texts += [i.name for i in form.indicators.all()]
    texts += [q.text for q in form.questions.all()]
    texts += [r.message for r in form.rules.all()]
    for text in texts:
        assert VIETNAMESE_MARKS.search(text), text
    assert "dân vận chính quyền" in form.name
    for i in form.indicators.all():
        assert i.unit in ("", "%") or VIETNAMESE_MARKS.search(i.unit), i.unit


def test_the_default_form_accepts_a_plausible_report_and_refuses_an_inconsistent_one(form: ReportForm) -> None:
    spec = spec_for(form)
    values = {
        "dissemination_sessions": "12", "leader_assigned": "có", "specialist_assigned": "có",
        "own_plan_issued": True, "reception_days_scheduled": 12, "citizens_received": "1.234",
        "petitions_complaints": 5, "petitions_denunciations": 1, "petitions_recommendations": 14,
        "petitions_received": 20, "petitions_resolved": 18, "petitions_resolved_on_time": 17, "dialogues_held": 2,
        "satisfaction_index": "92,5", "budget_allocated": "50.000.000", "budget_spent": "48.500.000",
    }
    answers = {"limitations_causes": "Còn chậm", "next_period_tasks": "Tiếp tục"}
    cleaned, errors = validation.clean_values(spec, values)
    assert errors == {}
    assert check_for_submission(spec, cleaned, answers) == {}
    broken = {**cleaned, "petitions_received": 21, "petitions_resolved_on_time": 19}
    errors = check_for_submission(spec, broken, answers)
    assert set(errors) == {"petitions_received", "petitions_resolved_on_time"}
    assert errors["petitions_resolved_on_time"] == default_form.RULE_MESSAGES["petitions_resolved_on_time"]


def test_command_installs_then_says_nothing_changed(db: Any) -> None:
    out = io.StringIO()
    call_command("reports_load_default_form", stdout=out)
    first = out.getvalue()
    form = ReportForm.objects.get(code="dan-van-chinh-quyen", version=1)
    assert str(form.indicators.count()) in first and form.name in first
    out = io.StringIO()
    call_command("reports_load_default_form", stdout=out)
    second = out.getvalue()
    with translation.override(settings.LANGUAGE_CODE):  # the command speaks the platform's language
        expected = gettext("The report form “%(name)s” (version %(version)d) is already installed; nothing changed.")
    assert second.strip() == expected % {"name": form.name, "version": 1}
    assert ReportForm.objects.filter(code="dan-van-chinh-quyen").count() == 1
    assert AuditEvent.objects.filter(action="reports.form.installed").count() == 1
