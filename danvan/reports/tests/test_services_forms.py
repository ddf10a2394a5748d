"""Building report forms: only drafts change, publishing checks references, a change is a new version."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from danvan.core.models import AuditEvent
from danvan.reports import services
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


@pytest.fixture
def users(tree: dict[str, Any], make_user: Any) -> dict[str, Any]:
    return {
        "officer_a": make_user("officer_a", (tree["A"], "officer")),
        "viewer_a": make_user("viewer_a", (tree["A"], "viewer")),
        "officer_a1": make_user("officer_a1", (tree["A1"], "officer")),
        "officer_b": make_user("officer_b", (tree["B"], "officer")),
        "nobody": make_user("nobody"),
        "super": make_user("root", is_superuser=True, is_staff=True),
    }


@pytest.fixture
def draft(tree: dict[str, Any], users: dict[str, Any]) -> ReportForm:
    return services.create_form(actor=users["officer_a"], owner=tree["A"], code="tinh-a", name="Báo cáo dân vận tỉnh")


def add(form: ReportForm, actor: Any = None, **data: Any) -> Indicator:
    data.setdefault("name", data["code"])
    return services.save_indicator(actor=actor, form=form, data=data)


def test_create_form_happy_path(draft: ReportForm, tree: dict[str, Any], users: dict[str, Any]) -> None:
    assert (draft.status, draft.version, draft.owner, draft.created_by) == (
        FormStatus.DRAFT, 1, tree["A"], users["officer_a"])
    assert AuditEvent.objects.filter(action="reports.form.create", object_id=str(draft.pk)).exists()


@pytest.mark.parametrize("who", ["officer_a1", "viewer_a", "officer_b", "nobody", "anonymous"])
def test_create_form_needs_an_editor_of_the_owner(who: str, tree: dict[str, Any], users: dict[str, Any]) -> None:
    actor = AnonymousUser() if who == "anonymous" else users[who]
    with pytest.raises(PermissionDenied):
        services.create_form(actor=actor, owner=tree["A"], code="x", name="X")
    assert not ReportForm.objects.exists()


def test_national_form_is_for_superusers(users: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.create_form(actor=users["officer_a"], owner=None, code="quoc-gia", name="Quốc gia")
    form = services.create_form(actor=users["super"], owner=None, code="quoc-gia", name="Quốc gia")
    assert form.owner is None


@pytest.mark.parametrize(("code", "name", "field"), [
    ("Có dấu", "X", "code"), ("", "X", "code"), ("x" * 41, "X", "code"), ("ok", "", "name"), ("ok", "x" * 256, "name"),
    ("tinh-a", "X", "code"),
])
def test_create_form_bad_input(draft: ReportForm, tree: dict[str, Any], code: str, name: str, field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_form(actor=None, owner=tree["A"], code=code, name=name)
    assert field in exc.value.message_dict
    assert ReportForm.objects.count() == 1


def test_indicator_defaults_by_type(draft: ReportForm, users: dict[str, Any]) -> None:
    pct = add(draft, users["officer_a"], code="pct", value_type=ValueType.PERCENTAGE, aggregation=Aggregation.AVERAGE)
    count = add(draft, code="count")
    money = add(draft, code="money", value_type=ValueType.MONEY, aggregation=Aggregation.MAX)
    yes = add(draft, code="yes", value_type=ValueType.BOOLEAN, aggregation=Aggregation.SHARE_YES)
    own = add(draft, code="growth", value_type=ValueType.PERCENTAGE, min_value=-50, max_value="250,5")
    assert (pct.min_value, pct.max_value) == (0, 100)
    assert (count.min_value, count.max_value) == (0, None)
    assert (money.min_value, money.max_value) == (0, None)
    assert (yes.min_value, yes.max_value) == (None, None)
    assert (own.min_value, own.max_value) == (-50, 250.5)
    assert [i.order for i in Indicator.objects.filter(form=draft)] == [1, 2, 3, 4, 5]


def test_indicator_update_changes_only_given_fields(draft: ReportForm) -> None:
    ind = add(draft, code="count", unit="buổi", required=True)
    services.save_indicator(actor=None, form=draft, indicator=ind, data={"name": "Số buổi"})
    ind.refresh_from_db()
    assert (ind.name, ind.unit, ind.required, ind.min_value) == ("Số buổi", "buổi", True, 0)


def test_ratio_needs_two_other_numeric_indicators(draft: ReportForm) -> None:
    add(draft, code="received")
    add(draft, code="resolved")
    add(draft, code="note", value_type=ValueType.TEXT, aggregation=Aggregation.NONE)
    for num, den, field in (("", "received", "numerator_code"), ("resolved", "missing", "denominator_code"),
                            ("note", "received", "numerator_code"), ("rate", "received", "numerator_code")):
        with pytest.raises(ValidationError) as exc:
            add(draft, code="rate", value_type=ValueType.PERCENTAGE, aggregation=Aggregation.RATIO,
                numerator_code=num, denominator_code=den)
        assert field in exc.value.message_dict, (num, den)
    rate = add(draft, code="rate", value_type=ValueType.PERCENTAGE, aggregation=Aggregation.RATIO,
               numerator_code="resolved", denominator_code="received")
    assert (rate.numerator_code, rate.denominator_code) == ("resolved", "received")
    # Not a ratio any more: the codes are cleared rather than left dangling.
    services.save_indicator(actor=None, form=draft, indicator=rate, data={"aggregation": Aggregation.AVERAGE})
    rate.refresh_from_db()
    assert (rate.numerator_code, rate.denominator_code) == ("", "")


@pytest.mark.parametrize(("data", "field"), [
    ({"value_type": ValueType.COUNT, "aggregation": Aggregation.SHARE_YES}, "aggregation"),
    ({"value_type": ValueType.TEXT, "aggregation": Aggregation.SUM}, "aggregation"),
    ({"value_type": ValueType.BOOLEAN, "aggregation": Aggregation.SHARE_YES, "max_value": 1}, "min_value"),
    ({"min_value": 10, "max_value": 5}, "max_value"),
    ({"min_value": "abc"}, "min_value"),
    ({"min_value": float("nan")}, "min_value"),
    ({"value_type": "decimal"}, "value_type"),
    ({"aggregation": "median"}, "aggregation"),
    ({"code": "Sai Mã"}, "code"),
    ({"code": "dup"}, "code"),
    ({"name": ""}, "name"),
    ({"order": -1}, "order"),
])
def test_indicator_bad_input(draft: ReportForm, data: dict[str, Any], field: str) -> None:
    add(draft, code="dup")
    with pytest.raises(ValidationError) as exc:
        add(draft, **{"code": "new", **data})
    assert field in exc.value.message_dict
    assert list(Indicator.objects.filter(form=draft).values_list("code", flat=True)) == ["dup"]


def test_section_of_another_form_is_refused(draft: ReportForm, small_form: ReportForm) -> None:
    other = FormSection.objects.filter(form=small_form).first()
    with pytest.raises(ValidationError) as exc:
        add(draft, code="x", section=other)
    assert "section" in exc.value.message_dict
    own = services.save_section(actor=None, form=draft, number="I", title="Tuyên truyền")
    assert add(draft, code="x", section=own.pk).section == own


def test_questions_and_rules(draft: ReportForm) -> None:
    add(draft, code="received")
    add(draft, code="resolved")
    q = services.save_question(actor=None, form=draft, data={"code": "highlights", "text": "Kết quả", "required": True})
    assert (q.required, q.max_length) == (True, 5000)
    with pytest.raises(ValidationError) as exc:
        services.save_question(actor=None, form=draft, data={"code": "highlights", "text": "Lại"})
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.save_question(actor=None, form=draft, data={"code": "q2", "text": "X", "max_length": 0})
    assert "max_length" in exc.value.message_dict
    rule = services.save_rule(actor=None, form=draft, left=["resolved"], operator="lte", right=["received"])
    assert (rule.left, rule.right) == (["resolved"], ["received"])
    bad: tuple[tuple[Any, str, Any, str], ...] = (
        (["nope"], "lte", ["received"], "left"), (["resolved"], "le", ["received"], "operator"),
        (["resolved"], "lte", [], "right"), ("resolved", "lte", ["received"], "left"),
    )
    for left, op, right, field in bad:
        with pytest.raises(ValidationError) as exc:
            services.save_rule(actor=None, form=draft, left=left, operator=op, right=right)
        assert field in exc.value.message_dict
    assert CrossRule.objects.filter(form=draft).count() == 1


def test_delete_part_refused_while_referred_to(draft: ReportForm) -> None:
    received = add(draft, code="received")
    resolved = add(draft, code="resolved")
    services.save_rule(actor=None, form=draft, left=["resolved"], operator="lte", right=["received"])
    with pytest.raises(ValidationError):
        services.delete_form_part(actor=None, form=draft, part=received)
    rule = CrossRule.objects.get(form=draft)
    services.delete_form_part(actor=None, form=draft, part=rule)
    services.delete_form_part(actor=None, form=draft, part=received)
    assert list(Indicator.objects.filter(form=draft)) == [resolved]


def test_publish_checks_and_freezes(draft: ReportForm, users: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="ít nhất một chỉ số"):
        services.publish_form(actor=users["officer_a"], form=draft)
    add(draft, code="received")
    add(draft, code="resolved")
    services.save_rule(actor=None, form=draft, left=["resolved"], operator="lte", right=["received"])
    # A rule left dangling by a rename is caught at publication.
    Indicator.objects.filter(form=draft, code="received").update(code="received_total")
    with pytest.raises(ValidationError):
        services.publish_form(actor=users["officer_a"], form=draft)
    Indicator.objects.filter(form=draft, code="received_total").update(code="received")
    published = services.publish_form(actor=users["officer_a"], form=draft)
    assert published.status == FormStatus.PUBLISHED and published.published_at is not None
    assert AuditEvent.objects.filter(action="reports.form.publish").count() == 1


def test_published_form_cannot_change(small_form: ReportForm) -> None:
    ind = Indicator.objects.get(form=small_form, code="sessions")
    section = FormSection.objects.filter(form=small_form).first()
    attempts = [
        lambda: add(small_form, code="new"),
        lambda: services.save_indicator(actor=None, form=small_form, indicator=ind, data={"name": "Đổi"}),
        lambda: services.save_section(actor=None, form=small_form, number="III", title="Thêm"),
        lambda: services.save_question(actor=None, form=small_form, data={"code": "q", "text": "Q"}),
        lambda: services.save_rule(actor=None, form=small_form, left=["sessions"], operator="lte", right=["participants"]),
        lambda: services.delete_form_part(actor=None, form=small_form, part=section),
        lambda: services.publish_form(actor=None, form=small_form),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="tạo phiên bản mới"):
            attempt()
    ind.refresh_from_db()
    assert ind.name == "Số buổi tuyên truyền"
    assert Indicator.objects.filter(form=small_form).count() == 8


@pytest.mark.parametrize("who", ["officer_a1", "viewer_a", "officer_b", "nobody", "anonymous"])
def test_form_edits_need_an_editor_of_the_owner(who: str, draft: ReportForm, users: dict[str, Any]) -> None:
    actor = AnonymousUser() if who == "anonymous" else users[who]
    with pytest.raises(PermissionDenied):
        add(draft, actor, code="x")
    with pytest.raises(PermissionDenied):
        services.publish_form(actor=actor, form=draft)
    with pytest.raises(PermissionDenied):
        services.new_form_version(actor=actor, form=draft)
    assert not Indicator.objects.filter(form=draft).exists()


def test_new_version_is_a_deep_draft_copy(small_form: ReportForm, users: dict[str, Any]) -> None:
    # The national-looking fixture form has no owner: only a superuser may version it.
    with pytest.raises(PermissionDenied):
        services.new_form_version(actor=users["officer_a"], form=small_form)
    new = services.new_form_version(actor=users["super"], form=small_form)
    assert (new.code, new.version, new.status) == (small_form.code, 2, FormStatus.DRAFT)
    old_ind = list(Indicator.objects.filter(form=small_form).values_list(
        "code", "value_type", "aggregation", "numerator_code", "min_value", "max_value", "prefill_source",
        "section__number"))
    new_ind = list(Indicator.objects.filter(form=new).values_list(
        "code", "value_type", "aggregation", "numerator_code", "min_value", "max_value", "prefill_source",
        "section__number"))
    assert old_ind == new_ind and len(new_ind) == 8
    assert set(FormSection.objects.filter(form=new).values_list("number", flat=True)) == {"I", "II"}
    assert not Indicator.objects.filter(form=new, section__form=small_form).exists()
    assert list(Question.objects.filter(form=new).values_list("code", "required")) == [
        ("highlights", True), ("difficulties", False)]
    assert list(CrossRule.objects.filter(form=new).values_list("left", "right")) == [(["resolved"], ["received"])]
    with pytest.raises(ValidationError, match="phiên bản dự thảo"):
        services.new_form_version(actor=users["super"], form=small_form)
    # The new draft can be changed; the old version is untouched and stays published.
    add(new, code="extra")
    small_form.refresh_from_db()
    assert small_form.status == FormStatus.PUBLISHED
    assert Indicator.objects.filter(form=small_form).count() == 8
