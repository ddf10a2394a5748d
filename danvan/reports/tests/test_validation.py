"""Reading figures from every channel: JSON numbers, typed strings, Excel cells; and the checks before submitting."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from danvan.reports import validation
from danvan.reports.models import CrossRule, FormSection, FormStatus, Indicator, ReportForm
from danvan.reports.validation import (
    IndicatorSpec,
    check_for_submission,
    clean_answers,
    clean_values,
    counted_numbers,
    parse_value,
    spec_for,
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    validation.clear_cache()
    with translation.override("en"):
        yield
    validation.clear_cache()


def ind(value_type: str, **kw: Any) -> IndicatorSpec:
    base = IndicatorSpec(
        id=1, code="x", name="X", unit="", value_type=value_type, aggregation="sum", numerator_code="",
        denominator_code="", required=False, min_value=None, max_value=None, prefill_source="", section_id=None,
        order=1,
    )
    return replace(base, **kw)


def error_of(spec: IndicatorSpec, raw: Any) -> str:
    with pytest.raises(ValueError) as exc:
        parse_value(spec, raw)
    return str(exc.value)


# --------------------------------------------------------------------------- one value


@pytest.mark.parametrize("raw, expected", [
    (0, 0), (1234, 1234), (12.0, 12), ("1234", 1234), ("1.234", 1234), ("1 234", 1234), ("1\u00a0234", 1234),
    ("1.234.567", 1234567), ("  42 ", 42), (10**12, 10**12),
])
def test_count_accepts_numbers_and_vietnamese_thousands(raw: Any, expected: int) -> None:
    value = parse_value(ind("count"), raw)
    assert value == expected and type(value) is int


@pytest.mark.parametrize("raw", ["1,5", "abc", "1.5", "12.0", "1.23", "1.234 567", "1,234", 12.5, True, False, [1],
                                 {"v": 1}, float("nan"), float("inf"), "12a", "+5"])
def test_count_refuses_what_is_not_a_whole_number(raw: Any) -> None:
    assert error_of(ind("count"), raw) == "Enter a whole number."


@pytest.mark.parametrize("raw", [-1, -1.0, "-3", "-1.234"])
def test_count_refuses_negatives(raw: Any) -> None:
    assert error_of(ind("count"), raw) == "Must not be negative."


@pytest.mark.parametrize("raw", [10**12 + 1, "1.000.000.000.001", 1e13])
def test_count_refuses_absurdly_large(raw: Any) -> None:
    assert error_of(ind("count"), raw) == "This number is too large."


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_blank_is_missing_not_zero(raw: Any) -> None:
    for vt in ("count", "percentage", "money", "boolean", "text"):
        assert parse_value(ind(vt), raw) is None


@pytest.mark.parametrize("raw, expected", [
    (12.5, 12.5), (0, 0.0), (100, 100.0), ("12,5", 12.5), ("12.5", 12.5), ("80", 80.0), ("99,9 %", 99.9),
    ("100%", 100.0),
])
def test_percentage_accepts_comma_or_dot(raw: Any, expected: float) -> None:
    assert parse_value(ind("percentage"), raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", [100.01, "101", "150,5", -0.5, "-1"])
def test_percentage_out_of_range(raw: Any) -> None:
    assert error_of(ind("percentage"), raw) == "Must be between 0 and 100."


@pytest.mark.parametrize("raw", ["abc", "12,5,5", "1.234,5", [50], True, "%"])
def test_percentage_refuses_non_numbers(raw: Any) -> None:
    assert error_of(ind("percentage"), raw) == "Enter a number between 0 and 100."


@pytest.mark.parametrize("raw, expected", [
    (1500000, 1500000), (1500.5, 1500.5), ("1.500.000", 1500000), ("1 500 000", 1500000), ("1500000", 1500000),
    ("1500,5", 1500.5), ("1.500.000,75", 1500000.75), ("2.000.000 đồng", 2000000), ("300.000đ", 300000),
    ("5000 VND", 5000), (0, 0),
])
def test_money_in_dong(raw: Any, expected: float) -> None:
    assert parse_value(ind("money"), raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw, message", [
    ("1500.5", "Enter an amount, e.g. 1.500.000."), ("một triệu", "Enter an amount, e.g. 1.500.000."),
    ([1], "Enter an amount, e.g. 1.500.000."), (True, "Enter an amount, e.g. 1.500.000."),
    (-5, "Must not be negative."), ("-1.000", "Must not be negative."), (10**16, "This number is too large."),
])
def test_money_refusals(raw: Any, message: str) -> None:
    assert error_of(ind("money"), raw) == message


@pytest.mark.parametrize("raw, expected", [
    (True, True), (False, False), (1, True), (0, False), ("true", True), ("FALSE", False), ("có", True),
    ("Có", True), ("CÓ", True), ("co\u0301", True), ("không", False), ("Không", False), ("yes", True),
    ("No", False), ("1", True), ("0", False), ("x", True), ("X", True), ("co", True), ("khong", False),
])
def test_boolean_spellings(raw: Any, expected: bool) -> None:
    assert parse_value(ind("boolean"), raw) is expected


@pytest.mark.parametrize("raw", ["maybe", 2, -1, 0.5, [True], {"a": 1}, "đúng vậy"])
def test_boolean_refusals(raw: Any) -> None:
    assert error_of(ind("boolean"), raw) == "Enter yes or no."


def test_text_is_stripped_and_limited() -> None:
    assert parse_value(ind("text"), "  Mô hình “Dân vận khéo” bản Thẳm  ") == "Mô hình “Dân vận khéo” bản Thẳm"
    assert parse_value(ind("text"), "a" * 2000) == "a" * 2000
    assert error_of(ind("text"), "a" * 2001) == "Too long (at most 2000 characters)."
    assert error_of(ind("text"), ["a"]) == "Enter text."
    assert error_of(ind("text"), "a\x00b") == "Contains characters that are not allowed."
    assert parse_value(ind("text"), 12) == "12"


def test_indicator_bounds_apply_after_the_type() -> None:
    both = ind("count", min_value=1, max_value=10)
    assert parse_value(both, "10") == 10
    assert error_of(both, 0) == "Must be between 1 and 10."
    assert error_of(both, "11") == "Must be between 1 and 10."
    assert error_of(ind("money", min_value=1000.0), 999) == "Must be at least 1000."
    assert error_of(ind("count", max_value=5.0), 6) == "Must be at most 5."
    assert error_of(ind("percentage", min_value=0.0, max_value=50.0), "50,5") == "Must be between 0 and 50."
    assert error_of(ind("percentage", min_value=10.5, max_value=50.0), 10) == "Must be between 10,5 and 50."  # Vietnamese decimal mark


# --------------------------------------------------------------------------- spec


def test_spec_of_small_form(small_form: Any) -> None:
    spec = spec_for(small_form)
    assert [s.number for s in spec.sections] == ["I", "II"]
    assert [i.code for i in spec.indicators] == [
        "sessions", "participants", "own_plan", "received", "resolved", "satisfaction", "budget", "resolved_rate",
    ]
    assert spec.indicator("resolved_rate").is_computed  # type: ignore[union-attr]
    assert spec.indicator("nope") is None
    assert [i.code for i in spec.numeric_indicators] == [i.code for i in spec.indicators]
    assert "resolved_rate" not in [i.code for i in spec.input_indicators]
    assert [q.code for q in spec.questions] == ["highlights", "difficulties"]
    assert spec.rules[0].left == ("resolved",) and spec.rules[0].right == ("received",)
    assert spec.question("highlights").required  # type: ignore[union-attr]


def test_published_spec_is_cached_draft_is_reread(small_form: Any) -> None:
    with CaptureQueriesContext(connection) as first:
        spec = spec_for(small_form)
    assert len(first) <= 3
    with CaptureQueriesContext(connection) as again:
        assert spec_for(small_form) is spec
    assert len(again) == 0

    draft = ReportForm.objects.create(code="draft-form", version=1, name="Nháp", status=FormStatus.DRAFT)
    section = FormSection.objects.create(form=draft, number="I", title="Phần một")
    Indicator.objects.create(form=draft, section=section, code="a", name="A")
    assert [i.code for i in spec_for(draft).indicators] == ["a"]
    Indicator.objects.create(form=draft, section=section, code="b", name="B", order=2)
    assert [i.code for i in spec_for(draft).indicators] == ["a", "b"]

    validation.clear_cache()
    with CaptureQueriesContext(connection) as after_clear:
        assert spec_for(small_form) is not spec
    assert len(after_clear) == 3


def test_cache_never_serves_another_form_under_a_reused_id(small_form: Any) -> None:
    spec_for(small_form)
    # Same primary key, different form (what SQLite does after a rolled-back test).
    impostor = ReportForm(pk=small_form.pk, code="other", version=3, status=FormStatus.PUBLISHED,
                          created_at=small_form.created_at, published_at=small_form.published_at)
    assert spec_for(impostor).code == "other"


# --------------------------------------------------------------------------- a whole report


def test_clean_values_collects_every_error_and_keeps_good_values(small_form: Any) -> None:
    spec = spec_for(small_form)
    cleaned, errors = clean_values(spec, {
        "sessions": "1.234", "participants": "nhiều", "own_plan": "có", "received": -1, "resolved": "",
        "satisfaction": "120", "budget": "2.000.000", "bogus": 1, "also_bogus": 2,
    })
    assert cleaned == {"sessions": 1234, "own_plan": True, "budget": 2000000}
    assert errors == {
        "participants": "Enter a whole number.", "received": "Must not be negative.",
        "satisfaction": "Must be between 0 and 100.", "__all__": "Unknown indicator codes: also_bogus, bogus.",
    }


def test_clean_values_refuses_a_typed_ratio_but_ignores_an_empty_one(small_form: Any) -> None:
    spec = spec_for(small_form)
    assert clean_values(spec, {"resolved_rate": ""}) == ({}, {})
    cleaned, errors = clean_values(spec, {"resolved_rate": 50})
    assert cleaned == {} and errors["resolved_rate"] == "This figure is computed from other figures; leave it empty."


@pytest.mark.parametrize("raw", [[1, 2], "sessions=1", None, 5])
def test_clean_values_refuses_a_non_mapping(small_form: Any, raw: Any) -> None:
    assert clean_values(spec_for(small_form), raw) == (
        {}, {"__all__": "Expected a mapping of indicator codes to values."}
    )


def test_clean_answers(small_form: Any) -> None:
    spec = spec_for(small_form)
    cleaned, errors = clean_answers(spec, {"highlights": "  Tổ chức 12 buổi  ", "difficulties": "   ", "x": "?"})
    assert cleaned == {"highlights": "Tổ chức 12 buổi"}
    assert errors == {"__all__": "Unknown question codes: x."}
    _c, errors = clean_answers(spec, {"highlights": "a" * 5001, "difficulties": ["a"]})
    assert errors == {"highlights": "Too long (at most 5000 characters).", "difficulties": "Enter text."}
    assert clean_answers(spec, "text")[1] == {"__all__": "Expected a mapping of question codes to answers."}


GOOD = {"sessions": 3, "received": 10, "resolved": 8}


def test_submission_ok(small_form: Any) -> None:
    assert check_for_submission(spec_for(small_form), GOOD, {"highlights": "Tốt"}) == {}


def test_submission_required_missing(small_form: Any) -> None:
    errors = check_for_submission(spec_for(small_form), {"received": 10}, {"difficulties": "Ít"})
    assert errors == {
        "sessions": "This figure is required.", "resolved": "This figure is required.",
        "highlights": "This answer is required.",
    }


def test_zero_and_no_count_as_present(small_form: Any) -> None:
    values = {"sessions": 0, "received": 0, "resolved": 0, "own_plan": False}
    assert check_for_submission(spec_for(small_form), values, {"highlights": "Chưa có"}) == {}


def test_cross_rule_broken_uses_its_message(small_form: Any) -> None:
    errors = check_for_submission(spec_for(small_form), {**GOOD, "resolved": 11}, {"highlights": "Tốt"})
    assert errors == {"resolved": "Số đơn đã giải quyết không được lớn hơn số đơn tiếp nhận"}


def test_cross_rule_equal_sides_pass(small_form: Any) -> None:
    assert check_for_submission(spec_for(small_form), {**GOOD, "resolved": 10}, {"highlights": "Tốt"}) == {}


def test_cross_rule_skipped_when_a_side_is_missing(small_form: Any) -> None:
    small_form.status = FormStatus.DRAFT  # make the requirement optional without touching the cache
    Indicator.objects.filter(form=small_form, code="received").update(required=False)
    errors = check_for_submission(spec_for(small_form), {"sessions": 1, "resolved": 5}, {"highlights": "Tốt"})
    assert errors == {}


def test_cross_rule_generated_message_and_multi_code_sides(small_form: Any) -> None:
    small_form.status = FormStatus.DRAFT
    CrossRule.objects.create(form=small_form, left=["participants"], operator="gte", right=["sessions", "received"],
                             order=2)
    spec = spec_for(small_form)
    errors = check_for_submission(spec, {**GOOD, "participants": 12}, {"highlights": "Tốt"})
    assert errors == {"participants": "Số lượt người tham dự must be greater than or equal to "
                                      "Số buổi tuyên truyền + Số đơn thư tiếp nhận"}
    assert check_for_submission(spec, {**GOOD, "participants": 13}, {"highlights": "Tốt"}) == {}


@pytest.mark.parametrize("operator, left, right, ok", [
    ("lt", 5, 5, False), ("lt", 4, 5, True), ("gt", 5, 5, False), ("gt", 6, 5, True), ("eq", 5, 5, True),
    ("eq", 5, 6, False), ("lte", 6, 5, False), ("gte", 4, 5, False),
])
def test_every_comparison(small_form: Any, operator: str, left: int, right: int, ok: bool) -> None:
    small_form.status = FormStatus.DRAFT
    CrossRule.objects.filter(form=small_form).delete()
    CrossRule.objects.create(form=small_form, left=["participants"], operator=operator, right=["sessions"])
    errors = check_for_submission(
        spec_for(small_form), {**GOOD, "participants": left, "sessions": right}, {"highlights": "Tốt"}
    )
    assert ("participants" not in errors) is ok


def test_submission_check_reparses_and_reports_unknown_codes(small_form: Any) -> None:
    errors = check_for_submission(spec_for(small_form), {**GOOD, "sessions": "abc", "ghost": 1}, {"highlights": "T"})
    assert errors == {"sessions": "Enter a whole number.", "__all__": "Unknown indicator codes: ghost."}


def test_counted_numbers(small_form: Any) -> None:
    spec = spec_for(small_form)
    ids = {i.code: i.id for i in spec.indicators}
    values = {"sessions": 3, "own_plan": True, "satisfaction": 87.5, "budget": 1500000, "resolved": 0}
    assert counted_numbers(spec, values) == [
        (ids["sessions"], 3.0), (ids["own_plan"], 1.0), (ids["resolved"], 0.0), (ids["satisfaction"], 87.5),
        (ids["budget"], 1500000.0),
    ]
    assert counted_numbers(spec, {"own_plan": False, "resolved_rate": 50}) == [(ids["own_plan"], 0.0)]
    assert counted_numbers(spec, {}) == []


def test_text_indicator_is_never_counted(db: Any) -> None:
    form = ReportForm.objects.create(code="t", version=1, name="T", status=FormStatus.DRAFT)
    Indicator.objects.create(form=form, code="note", name="Ghi chú", value_type="text", aggregation="none")
    spec = spec_for(form)
    cleaned, errors = clean_values(spec, {"note": "  Mô hình tiêu biểu "})
    assert cleaned == {"note": "Mô hình tiêu biểu"} and errors == {}
    assert counted_numbers(spec, cleaned) == []
    assert spec.numeric_indicators == ()
