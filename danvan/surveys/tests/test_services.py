"""The builder's services: surveys, versions, sections, questions, publishing, desks; bad input and races."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.surveys import queries, services
from danvan.surveys.models import Desk, Question, Section, Survey, SurveyStatus, SurveyVersion

from .builder_helpers import answer, latest

pytestmark = pytest.mark.django_db
D = dt.date


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, Any]:
    return exc.value.message_dict


def empty(user: Any, unit: Any, **kw: Any) -> Survey:
    return services.create_survey(actor=user, org_unit=unit, title=kw.pop("title", "Khảo sát"), **kw)


def lock(survey: Survey) -> int:
    return Survey.objects.get(pk=survey.pk).lock_version


# --------------------------------------------------------------------------- create


def test_create_empty_and_from_sipas(officer_user: Any, survey_tree: dict[str, Any]) -> None:
    s = empty(officer_user, survey_tree["A1"], description="  Giới thiệu  ")
    assert s.status == SurveyStatus.DRAFT and s.created_by == officer_user and s.description == "Giới thiệu"
    assert len(s.public_code) == 10 and set(s.public_code) <= set(services.PUBLIC_CODE_ALPHABET)
    assert list(s.versions.values_list("number", flat=True)) == [1]
    assert not Section.objects.filter(version__survey=s).exists()
    ev = AuditEvent.objects.get(action="surveys.create_survey", object_id=str(s.pk))
    assert ev.actor == officer_user and ev.org_unit == survey_tree["A1"]
    t = services.create_survey(actor=officer_user, org_unit=survey_tree["A1"], title="SIPAS", template="sipas")
    assert t.template == "sipas" and Question.objects.filter(section__version__survey=t).count() == 51
    assert t.public_code != s.public_code


@pytest.mark.parametrize(("kw", "field"), [
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 256}, "title"),
    ({"description": "x" * 4001}, "description"),
    ({"subject": "nobody"}, "subject"),
    ({"access": "open"}, "access"),
    ({"template": "other"}, "template"),
    ({"opens_on": "2026-07-01"}, "opens_on"),
    ({"opens_on": D(2026, 7, 10), "closes_on": D(2026, 7, 9)}, "closes_on"),
])
def test_create_bad_input_names_the_field_and_saves_nothing(officer_user: Any, survey_tree: dict[str, Any],
                                                           kw: dict[str, Any], field: str) -> None:
    args = {"title": "Khảo sát", **kw}
    with pytest.raises(ValidationError) as exc:
        services.create_survey(actor=officer_user, org_unit=survey_tree["A1"], **args)
    assert field in errors_of(exc)
    assert not Survey.objects.exists() and not AuditEvent.objects.filter(action__startswith="surveys.").exists()


def test_create_with_an_inactive_service_or_no_unit(officer_user: Any, survey_tree: dict[str, Any]) -> None:
    service = survey_tree["services"]["chung-thuc"]
    service.is_active = False
    service.save()
    with pytest.raises(ValidationError) as exc:
        empty(officer_user, survey_tree["A1"], service=service)
    assert "service" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        empty(officer_user, None)
    assert "org_unit" in errors_of(exc)


@pytest.mark.parametrize(("who", "unit", "allowed"), [
    ("officer_user", "A1", True), ("head_user", "A1", True), ("province_user", "A1", True),
    ("reception_user", "A1", False), ("viewer_user", "A1", False), ("other_commune_user", "A1", False),
    ("other_province_user", "A1", False), ("nobody_user", "A1", False), ("officer_user", "A", False),
])
def test_who_may_create_in_which_unit(request: Any, survey_tree: dict[str, Any], who: str, unit: str,
                                      allowed: bool) -> None:
    user = request.getfixturevalue(who)
    if allowed:
        assert empty(user, survey_tree[unit]).pk
    else:
        with pytest.raises(PermissionDenied):
            empty(user, survey_tree[unit])
        assert not Survey.objects.exists()


# --------------------------------------------------------------------------- sections and questions


def test_sections_questions_moves_and_bits(officer_user: Any, survey_tree: dict[str, Any]) -> None:
    s = empty(officer_user, survey_tree["A1"])
    v = latest(s)
    a = services.add_section(actor=officer_user, version=v, title="Chung")
    b = services.add_section(actor=officer_user, version=v, title="Tiếp cận", element_key="access", weight="2.5")
    c = services.add_section(actor=officer_user, version=v, title="Thủ tục", element_key="procedure")
    assert (a.element_bit, b.element_bit, c.element_bit) == (None, 0, 1)
    services.move_section(actor=officer_user, section=c, direction="up")
    assert Section.objects.get(pk=c.pk).element_bit == 0 and Section.objects.get(pk=b.pk).element_bit == 1
    services.delete_section(actor=officer_user, section=Section.objects.get(pk=c.pk))
    assert Section.objects.get(pk=b.pk).element_bit == 0
    q1 = services.add_question(actor=officer_user, section=b, text="Hài lòng về chỗ ngồi?", kind="likert",
                               aspect="satisfaction", key="ngoi")
    q2 = services.add_question(actor=officer_user, section=b, text="Đánh giá chung?", kind="likert")
    q3 = services.add_question(actor=officer_user, section=a, text="Dịch vụ?", kind="choice",
                               choices=["Chứng thực", "Đất đai", {"value": "khac", "label": "Khác"}])
    assert q2.key == "q2" and q2.aspect == ""  # a Likert question without aspect in an element section is fine
    assert q3.choices == [{"value": "chung-thuc", "label": "Chứng thực"}, {"value": "dat-dai", "label": "Đất đai"},
                          {"value": "khac", "label": "Khác"}]
    services.move_question(actor=officer_user, question=q2, direction="up")
    assert list(b.questions.order_by("order").values_list("key", flat=True)) == ["q2", "ngoi"]
    services.update_question(actor=officer_user, question=Question.objects.get(pk=q1.pk), text="Chỗ ngồi?",
                             kind="likert", aspect="satisfaction", key="ngoi")
    services.delete_question(actor=officer_user, question=Question.objects.get(pk=q2.pk))
    assert list(b.questions.values_list("key", flat=True)) == ["ngoi"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"surveys.add_section", "surveys.move_section", "surveys.delete_section", "surveys.add_question",
            "surveys.move_question", "surveys.update_question", "surveys.delete_question"} <= actions


@pytest.mark.parametrize(("kw", "field"), [
    ({"text": ""}, "text"),
    ({"text": "x" * 501}, "text"),
    ({"kind": "slider"}, "kind"),
    ({"kind": "choice", "choices": ["Một"]}, "choices"),
    ({"kind": "multi", "choices": []}, "choices"),
    ({"kind": "choice", "choices": ["Có", "có"]}, "choices"),
    ({"kind": "choice", "choices": ["Có", ""]}, "choices"),
    ({"kind": "choice", "choices": "Có, Không"}, "choices"),
    ({"kind": "text", "aspect": "satisfaction"}, "aspect"),
    ({"aspect": "mood"}, "aspect"),
    ({"key": "Có dấu"}, "key"),
    ({"key": "dup"}, "key"),
    ({"kind": "text", "max_length": 0}, "max_length"),
    ({"kind": "text", "max_length": 2001}, "max_length"),
    ({"required": "yes"}, "required"),
])
def test_bad_questions(officer_user: Any, survey_tree: dict[str, Any], kw: dict[str, Any], field: str) -> None:
    s = empty(officer_user, survey_tree["A1"])
    section = services.add_section(actor=officer_user, version=latest(s), title="A",
                                   element_key="access")
    services.add_question(actor=officer_user, section=section, text="Câu 1", kind="likert", key="dup")
    args = {"text": "Câu hỏi", "kind": "likert", **kw}
    with pytest.raises(ValidationError) as exc:
        services.add_question(actor=officer_user, section=section, **args)
    assert field in errors_of(exc)
    assert section.questions.count() == 1


def test_duplicate_key_across_sections_of_a_version(officer_user: Any, survey_tree: dict[str, Any]) -> None:
    s = empty(officer_user, survey_tree["A1"])
    v = latest(s)
    a = services.add_section(actor=officer_user, version=v, title="A")
    b = services.add_section(actor=officer_user, version=v, title="B")
    services.add_question(actor=officer_user, section=a, text="Câu", kind="text", key="y-kien")
    with pytest.raises(ValidationError) as exc:
        services.add_question(actor=officer_user, section=b, text="Câu", kind="text", key="y-kien")
    assert "key" in errors_of(exc)


def test_at_most_16_elements_and_unique_element_keys(officer_user: Any, survey_tree: dict[str, Any]) -> None:
    s = empty(officer_user, survey_tree["A1"])
    v = latest(s)
    for n in range(16):
        services.add_section(actor=officer_user, version=v, title=f"Yếu tố {n}", element_key=f"e{n}")
    with pytest.raises(ValidationError) as exc:
        services.add_section(actor=officer_user, version=v, title="Thừa", element_key="e16")
    assert "16" in errors_of(exc)["element_key"][0]
    with pytest.raises(ValidationError) as exc:
        services.add_section(actor=officer_user, version=v, title="Trùng", element_key="e3")
    assert "element_key" in errors_of(exc)
    services.add_section(actor=officer_user, version=v, title="Không phải yếu tố")  # fine
    bits = v.sections.exclude(element_bit=None).order_by("element_bit").values_list("element_bit", flat=True)
    assert list(bits) == list(range(16))


@pytest.mark.parametrize(("kw", "field"), [
    ({"title": ""}, "title"), ({"element_key": "Tiếp cận"}, "element_key"), ({"weight": "-1"}, "weight"),
    ({"weight": "abc"}, "weight"), ({"weight": "1000"}, "weight"), ({"weight": "0.001"}, "weight"),
])
def test_bad_sections(officer_user: Any, survey_tree: dict[str, Any], kw: dict[str, Any], field: str) -> None:
    s = empty(officer_user, survey_tree["A1"])
    with pytest.raises(ValidationError) as exc:
        services.add_section(actor=officer_user, version=latest(s), **{"title": "A", **kw})
    assert field in errors_of(exc)


@pytest.mark.parametrize("threshold", [0, 6, "4", True, None, 4.5])
def test_threshold_outside_1_to_5(officer_user: Any, survey_tree: dict[str, Any], threshold: Any) -> None:
    s = empty(officer_user, survey_tree["A1"])
    v = latest(s)
    with pytest.raises(ValidationError) as exc:
        services.set_index_rule(actor=officer_user, version=v, satisfied_threshold=threshold, element_rule="mean")
    assert "satisfied_threshold" in errors_of(exc)
    v.refresh_from_db()
    assert v.satisfied_threshold == 4


def test_index_rule_saved(officer_user: Any, survey_tree: dict[str, Any]) -> None:
    s = empty(officer_user, survey_tree["A1"])
    v = services.set_index_rule(actor=officer_user, version=latest(s), satisfied_threshold=5,
                                element_rule="all")
    v.refresh_from_db()
    assert (v.satisfied_threshold, v.element_rule) == (5, "all")
    with pytest.raises(ValidationError) as exc:
        services.set_index_rule(actor=officer_user, version=v, satisfied_threshold=4, element_rule="median")
    assert "element_rule" in errors_of(exc)


# --------------------------------------------------------------------------- versions


def test_edits_after_responses_go_to_a_new_version(sipas_survey: Any, officer_user: Any) -> None:
    v1 = queries.current_version(sipas_survey)
    assert services.draft_version(actor=officer_user, survey=sipas_survey) == v1  # no answer yet
    answer(sipas_survey)
    section = v1.sections.get(element_key="access")
    with pytest.raises(ValidationError) as exc:
        services.add_question(actor=officer_user, section=section, text="Mới?", kind="likert")
    assert "version" in errors_of(exc)
    with pytest.raises(ValidationError):
        services.set_index_rule(actor=officer_user, version=v1, satisfied_threshold=5, element_rule="mean")
    v2 = services.draft_version(actor=officer_user, survey=sipas_survey)
    assert v2.number == 2 and v2.published_at is None
    assert services.draft_version(actor=officer_user, survey=sipas_survey) == v2  # not answered: reused
    new_section = v2.sections.get(element_key="access")
    services.add_question(actor=officer_user, section=new_section, text="Mới?", kind="likert", aspect="satisfaction")
    assert v1.sections.get(element_key="access").questions.count() == 9
    assert new_section.questions.count() == 10
    assert queries.current_version(sipas_survey) == v1  # citizens still answer version 1
    # An edit of version 1 (not the latest any more) is refused even if it had no answers.
    with pytest.raises(ValidationError):
        services.add_section(actor=officer_user, version=v1, title="X")
    services.publish(actor=officer_user, survey=sipas_survey, expected_version=lock(sipas_survey))
    assert queries.current_version(sipas_survey) == v2
    assert AuditEvent.objects.filter(action="surveys.new_version").count() == 1


def test_publish_checks(officer_user: Any, survey_tree: dict[str, Any]) -> None:
    s = empty(officer_user, survey_tree["A1"])
    with pytest.raises(ValidationError) as exc:
        services.publish(actor=officer_user, survey=s, expected_version=lock(s))
    assert "version" in errors_of(exc)
    v = latest(s)
    sec = services.add_section(actor=officer_user, version=v, title="Tiếp cận", element_key="access")
    services.add_question(actor=officer_user, section=sec, text="Đánh giá?", kind="likert", aspect="assessment")
    with pytest.raises(ValidationError) as exc:
        services.publish(actor=officer_user, survey=s, expected_version=lock(s))
    assert "Tiếp cận" in errors_of(exc)["version"][0]
    services.add_question(actor=officer_user, section=sec, text="Hài lòng?", kind="likert", aspect="satisfaction")
    with pytest.raises(ValidationError):
        services.publish(actor=officer_user, survey=s, expected_version=None)  # the form's version is required
    services.publish(actor=officer_user, survey=s, expected_version=lock(s))
    s.refresh_from_db()
    v.refresh_from_db()
    assert s.status == SurveyStatus.OPEN and v.published_at is not None
    with pytest.raises(ValidationError) as exc:
        services.publish(actor=officer_user, survey=s, expected_version=lock(s))
    assert "status" in errors_of(exc)


def test_publish_refused_after_the_closing_date(officer_user: Any, survey_tree: dict[str, Any]) -> None:
    today = timezone.localdate()
    s = services.create_survey(actor=officer_user, org_unit=survey_tree["A1"], title="Cũ", template="sipas",
                               opens_on=today - dt.timedelta(days=30), closes_on=today - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        services.publish(actor=officer_user, survey=s, expected_version=lock(s))
    assert "closes_on" in errors_of(exc)


def test_close_reopen_delete(sipas_survey: Any, head_user: Any, reception_user: Any) -> None:
    s = sipas_survey
    with pytest.raises(ValidationError):
        services.reopen(actor=head_user, survey=s, expected_version=lock(s))
    with pytest.raises(PermissionDenied):
        services.close(actor=reception_user, survey=s, expected_version=lock(s))
    services.close(actor=head_user, survey=s, expected_version=lock(s))
    assert not queries.accepting_responses(Survey.objects.get(pk=s.pk))
    with pytest.raises(ValidationError):
        services.close(actor=head_user, survey=s, expected_version=lock(s))
    services.reopen(actor=head_user, survey=s, expected_version=lock(s))
    assert queries.accepting_responses(Survey.objects.get(pk=s.pk))
    services.delete_survey(actor=head_user, survey=s, expected_version=lock(s))
    fresh = Survey.objects.get(pk=s.pk)
    assert fresh.deleted_at is not None and not queries.accepting_responses(fresh)
    assert not queries.surveys_for(head_user).exists()
    with pytest.raises(ValidationError):
        services.draft_version(actor=head_user, survey=s)
    assert list(AuditEvent.objects.filter(action__in=["surveys.close", "surveys.reopen", "surveys.delete_survey"])
                .order_by("seq").values_list("action", flat=True)) == [
        "surveys.close", "surveys.reopen", "surveys.delete_survey"]


def test_accepting_responses_within_dates(sipas_survey: Any) -> None:
    s = Survey.objects.get(pk=sipas_survey.pk)
    s.opens_on, s.closes_on = D(2026, 7, 1), D(2026, 7, 31)
    assert queries.accepting_responses(s, on=D(2026, 7, 1))
    assert queries.accepting_responses(s, on=D(2026, 7, 31))
    assert not queries.accepting_responses(s, on=D(2026, 6, 30))
    assert not queries.accepting_responses(s, on=D(2026, 8, 1))


def test_sibling_commune_cannot_edit(sipas_survey: Any, other_commune_user: Any, province_user: Any) -> None:
    v = latest(sipas_survey)
    with pytest.raises(PermissionDenied):
        services.add_section(actor=other_commune_user, version=v, title="X")
    with pytest.raises(PermissionDenied):
        services.draft_version(actor=other_commune_user, survey=sipas_survey)
    with pytest.raises(PermissionDenied):
        services.delete_survey(actor=other_commune_user, survey=sipas_survey, expected_version=lock(sipas_survey))
    services.add_section(actor=province_user, version=v, title="Tỉnh thêm")  # the province covers the commune


def test_stale_form_is_a_conflict_and_overwrites_nothing(officer_user: Any, head_user: Any,
                                                        survey_tree: dict[str, Any]) -> None:
    s = empty(officer_user, survey_tree["A1"])
    opened = lock(s)  # both officials open the page
    v = latest(s)
    services.add_section(actor=officer_user, version=v, title="Của cán bộ", expected_version=opened)
    with pytest.raises(ConcurrentEditError):
        services.add_section(actor=head_user, version=v, title="Của chủ tịch", expected_version=opened)
    with pytest.raises(ConcurrentEditError):
        services.update_survey(actor=head_user, survey=s, expected_version=opened, title="Đổi tên")
    assert list(v.sections.values_list("title", flat=True)) == ["Của cán bộ"]
    assert Survey.objects.get(pk=s.pk).title == "Khảo sát"
    services.update_survey(actor=head_user, survey=s, expected_version=lock(s), title="Đổi tên",
                           opens_on=D(2026, 7, 1), closes_on=D(2026, 7, 1))
    assert Survey.objects.get(pk=s.pk).title == "Đổi tên"


# --------------------------------------------------------------------------- desks


def test_desks(officer_user: Any, other_commune_user: Any, viewer_user: Any, survey_tree: dict[str, Any]) -> None:
    d = services.create_desk(actor=officer_user, org_unit=survey_tree["A1"], code="Quay-1", name="Quầy 1")
    assert d.code == "quay-1"
    with pytest.raises(ValidationError) as exc:
        services.create_desk(actor=officer_user, org_unit=survey_tree["A1"], code="quay-1", name="Trùng")
    assert "quay-1" in errors_of(exc)["code"][0]
    for bad in ({"code": "", "name": "X"}, {"code": "quầy", "name": "X"}, {"code": "q2", "name": ""},
                {"code": "q" * 41, "name": "X"}):
        with pytest.raises(ValidationError):
            services.create_desk(actor=officer_user, org_unit=survey_tree["A1"], **bad)
    services.create_desk(actor=other_commune_user, org_unit=survey_tree["A2"], code="quay-1", name="Quầy 1 A2")
    for user, unit in ((other_commune_user, "A1"), (viewer_user, "A1"), (officer_user, "A2")):
        with pytest.raises(PermissionDenied):
            services.create_desk(actor=user, org_unit=survey_tree[unit], code="x", name="X")
    d2 = services.create_desk(actor=officer_user, org_unit=survey_tree["A1"], code="quay-2", name="Quầy 2")
    with pytest.raises(ValidationError):
        services.update_desk(actor=officer_user, desk=d2, code="quay-1", name="Quầy 2")
    services.update_desk(actor=officer_user, desk=Desk.objects.get(pk=d2.pk), code="quay-3", name="Quầy ba",
                         is_active=False)
    d2.refresh_from_db()
    assert (d2.code, d2.name, d2.is_active) == ("quay-3", "Quầy ba", False)
    with pytest.raises(PermissionDenied):
        services.update_desk(actor=other_commune_user, desk=d2, code="x", name="X")
    assert AuditEvent.objects.filter(action="surveys.create_desk").count() == 3
    assert AuditEvent.objects.filter(action="surveys.update_desk").count() == 1


def test_versions_unique_numbers(sipas_survey: Any, officer_user: Any) -> None:
    answer(sipas_survey)
    services.draft_version(actor=officer_user, survey=sipas_survey)
    assert list(SurveyVersion.objects.filter(survey=sipas_survey).values_list("number", flat=True)) == [1, 2]
