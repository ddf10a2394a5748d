"""Saving responses: validation, one per code / scan session / idempotency key, masks, voiding, versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from danvan.core.models import AuditEvent
from danvan.surveys import responses, scoring, services, tokens
from danvan.surveys.models import Response, Survey, SurveyToken

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):  # messages are compared by their msgid
        yield


def build_small(unit: Any, *, access: str = "link", publish: bool = True) -> Survey:
    """Two sections: an index element (two satisfaction questions), then choice, multi and a short text."""
    survey = services.create_survey(actor=None, org_unit=unit, title="Khảo sát nhỏ", access=access)
    version = services.draft_version(actor=None, survey=survey)
    s1 = services.add_section(actor=None, version=version, title="Công chức", element_key="officials")
    services.add_question(actor=None, section=s1, key="s1", text="Thái độ", kind="likert", aspect="satisfaction")
    services.add_question(actor=None, section=s1, key="s2", text="Hướng dẫn", kind="likert", aspect="satisfaction",
                          required=False)
    s2 = services.add_section(actor=None, version=version, title="Khác")
    services.add_question(actor=None, section=s2, key="ch", text="Kênh", kind="choice", required=False,
                          choices=[{"value": "a", "label": "A"}, {"value": "b", "label": "B"}])
    services.add_question(actor=None, section=s2, key="mu", text="Nhiều", kind="multi", required=False,
                          choices=[{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}])
    services.add_question(actor=None, section=s2, key="tx", text="Ý kiến", kind="text", required=False,
                          max_length=20)
    survey.refresh_from_db()
    if publish:
        survey = services.publish(actor=None, survey=survey, expected_version=survey.lock_version)
    return survey


@pytest.fixture
def small(survey_tree: dict) -> Survey:
    return build_small(survey_tree["A1"])


def test_submit_sets_masks_hashes_and_context(small: Survey, survey_tree: dict, desk: Any) -> None:
    r = responses.submit_response(survey=small, answers={"s1": "5", "s2": 4, "ch": "b", "mu": ["y", "x"], "tx": " hi "},
                                  desk=desk, client_address="203.0.113.7", scan_session="a" * 32)
    r.refresh_from_db()
    assert r.answers == {"s1": 5, "s2": 4, "ch": "b", "mu": ["x", "y"], "tx": "hi"}
    assert r.org_unit == survey_tree["A1"] and r.desk == desk and r.channel == "web"
    assert (r.element_answered, r.element_satisfied) == scoring.masks(scoring.plan_for(r.version), r.answers) == (1, 1)
    assert len(r.client_hash) == 16 and "203.0.113.7" not in r.client_hash
    assert r.client_hash == responses.client_hash("203.0.113.7") != responses.client_hash("203.0.113.8")
    assert len(r.answers_hash) == 16 and r.submitted_on == timezone.localdate()
    assert not AuditEvent.objects.filter(action="surveys.response.record").exists()  # public: not audited


def test_dissatisfied_mask(small: Survey) -> None:
    r = responses.submit_response(survey=small, answers={"s1": 2, "s2": 3})
    assert (r.element_answered, r.element_satisfied) == (1, 0)


@pytest.mark.parametrize(("answers", "key", "words"), [
    ({}, "s1", "answer this question"),
    ({"s1": 6}, "s1", "between 1 and 5"),
    ({"s1": 0}, "s1", "between 1 and 5"),
    ({"s1": "năm"}, "s1", "from 1 to 5"),
    ({"s1": True}, "s1", "from 1 to 5"),
    ({"s1": 3.5}, "s1", "from 1 to 5"),
    ({"s1": 3, "ch": "zzz"}, "ch", "not one of the answers"),
    ({"s1": 3, "ch": ["a"]}, "ch", "Choose one"),
    ({"s1": 3, "mu": ["x", "q"]}, "mu", "not one of the answers"),
    ({"s1": 3, "mu": [1]}, "mu", "Choose answers"),
    ({"s1": 3, "tx": "x" * 21}, "tx", "too long"),
    ({"s1": 3, "tx": 12}, "tx", "Enter text"),
])
def test_bad_answers(small: Survey, answers: dict, key: str, words: str) -> None:
    with pytest.raises(ValidationError) as exc:
        responses.submit_response(survey=small, answers=answers)
    assert key in exc.value.message_dict and words in " ".join(exc.value.message_dict[key])
    assert not Response.objects.exists()


def test_answers_not_a_mapping(small: Survey) -> None:
    with pytest.raises(ValidationError):
        responses.submit_response(survey=small, answers=["s1", 3])  # type: ignore[arg-type]


def test_script_is_stored_as_given(small: Survey) -> None:
    text = "<script>alert(1)</script>"[:20]
    r = responses.submit_response(survey=small, answers={"s1": 4, "tx": text})
    assert Response.objects.get(pk=r.pk).answers["tx"] == text


def test_unknown_keys_ignored(small: Survey) -> None:
    r = responses.submit_response(survey=small, answers={"s1": 4, "nope": "x"})
    assert r.answers == {"s1": 4}


def test_one_response_per_scan_session(small: Survey) -> None:
    responses.submit_response(survey=small, answers={"s1": 4}, scan_session="b" * 32)
    with pytest.raises(ValidationError) as exc:
        responses.submit_response(survey=small, answers={"s1": 5}, scan_session="b" * 32)
    assert "scan_session" in exc.value.message_dict and Response.objects.count() == 1
    responses.submit_response(survey=small, answers={"s1": 5}, scan_session="c" * 32)
    assert Response.objects.count() == 2


def test_idempotency_replay_returns_the_first(small: Survey, officer_user: Any) -> None:
    first = responses.submit_response(survey=small, answers={"s1": 4}, channel="paper", recorded_by=officer_user,
                                      idempotency_key="k-1")
    again = responses.submit_response(survey=small, answers={"s1": 1}, channel="paper", recorded_by=officer_user,
                                      idempotency_key="k-1")
    assert again.pk == first.pk and Response.objects.count() == 1
    assert getattr(again, "replayed", False) and not getattr(first, "replayed", False)
    assert AuditEvent.objects.filter(action="surveys.response.record").count() == 1
    with pytest.raises(ValidationError):
        responses.submit_response(survey=small, answers={"s1": 1}, idempotency_key="k" * 81)


def test_paper_entry_needs_permission(small: Survey, viewer_user: Any, other_commune_user: Any,
                                      reception_user: Any) -> None:
    for user in (viewer_user, other_commune_user):
        with pytest.raises(PermissionDenied):
            responses.submit_response(survey=small, answers={"s1": 4}, channel="paper", recorded_by=user)
    r = responses.submit_response(survey=small, answers={"s1": 4}, channel="paper", recorded_by=reception_user)
    assert r.recorded_by == reception_user and r.channel == "paper"


def test_not_accepting(survey_tree: dict, small: Survey) -> None:
    draft = build_small(survey_tree["A1"], publish=False)
    with pytest.raises(ValidationError) as exc:
        responses.submit_response(survey=draft, answers={"s1": 4})
    assert "survey" in exc.value.message_dict
    closed = services.close(actor=None, survey=small, expected_version=small.lock_version)
    with pytest.raises(ValidationError):
        responses.submit_response(survey=closed, answers={"s1": 4})
    Survey.objects.filter(pk=small.pk).update(status="open", closes_on=timezone.localdate() - dt.timedelta(days=1),
                                              opens_on=timezone.localdate() - dt.timedelta(days=9))
    with pytest.raises(ValidationError):
        responses.submit_response(survey=Survey.objects.get(pk=small.pk), answers={"s1": 4})
    assert not Response.objects.exists()


def test_desk_and_unit_must_be_in_the_survey_unit(small: Survey, survey_tree: dict) -> None:
    other_desk = services.create_desk(actor=None, org_unit=survey_tree["A2"], code="quay-x", name="Quầy A2")
    with pytest.raises(ValidationError) as exc:
        responses.submit_response(survey=small, answers={"s1": 4}, desk=other_desk)
    assert "desk" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        responses.submit_response(survey=small, answers={"s1": 4}, org_unit=survey_tree["B1"])
    assert "org_unit" in exc.value.message_dict


def test_service_from_answer_or_fixed(sipas_survey: Survey, survey_tree: dict) -> None:
    code = next(iter(survey_tree["services"]))
    version = sipas_survey.versions.get()
    answers = {q.key: 4 for q in responses.questions_of(version) if q.kind == "likert"}
    r = responses.submit_response(survey=sipas_survey, answers={**answers, "service": code})
    assert r.service == survey_tree["services"][code]
    assert r.element_answered == r.element_satisfied == 0b11111


def test_token_once_and_expired(survey_tree: dict, officer_user: Any, desk: Any) -> None:
    survey = build_small(survey_tree["A1"], access="token")
    with pytest.raises(ValidationError) as exc:
        responses.submit_response(survey=survey, answers={"s1": 4})
    assert "token" in exc.value.message_dict
    code, old = tokens.issue_tokens(actor=officer_user, survey=survey, count=2, org_unit=survey_tree["A1"], desk=desk)
    r = responses.submit_response(survey=survey, answers={"s1": 4}, token_code=tokens.display(code).lower())
    assert r.token is not None and r.token.used_at is not None and r.desk == desk
    with pytest.raises(ValidationError) as exc:
        responses.submit_response(survey=survey, answers={"s1": 4}, token_code=code)
    assert "already been used" in exc.value.message_dict["token"][0]
    SurveyToken.objects.filter(code_hash=tokens.code_hash(old)).update(
        issued_at=timezone.now() - dt.timedelta(days=40), expires_at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        responses.submit_response(survey=survey, answers={"s1": 4}, token_code=old)
    assert "expired" in exc.value.message_dict["token"][0]
    with pytest.raises(ValidationError) as exc:
        responses.submit_response(survey=survey, answers={"s1": 4}, token_code="AAAAA-AAAAA")
    assert "not valid" in exc.value.message_dict["token"][0]
    assert Response.objects.count() == 1


def test_token_of_another_survey_is_refused(survey_tree: dict, officer_user: Any, small: Survey) -> None:
    other = build_small(survey_tree["A1"], access="token")
    [code] = tokens.issue_tokens(actor=officer_user, survey=small, count=1, org_unit=survey_tree["A1"])
    with pytest.raises(ValidationError):
        responses.submit_response(survey=other, answers={"s1": 4}, token_code=code)


def test_old_version_is_kept_for_a_respondent_midway(small: Survey) -> None:
    v1 = small.versions.get()
    responses.submit_response(survey=small, answers={"s1": 4})
    v2 = services.draft_version(actor=None, survey=small)
    assert v2.number == 2
    # v2 is not published yet: new respondents still answer v1; one who started v1 may finish it.
    r = responses.submit_response(survey=small, answers={"s1": 5}, version=v1)
    assert r.version == v1
    with pytest.raises(ValidationError) as exc:
        responses.submit_response(survey=small, answers={"s1": 5}, version=v2)  # not published
    assert "version" in exc.value.message_dict


def test_void(small: Survey, head_user: Any, officer_user: Any, other_province_user: Any) -> None:
    r = responses.submit_response(survey=small, answers={"s1": 4})
    for user in (officer_user, other_province_user):
        with pytest.raises(PermissionDenied):
            responses.void_response(actor=user, response=r, reason="Trùng lặp")
    with pytest.raises(ValidationError) as exc:
        responses.void_response(actor=head_user, response=r, reason="  ")
    assert "reason" in exc.value.message_dict
    done = responses.void_response(actor=head_user, response=r, reason="Phiếu trùng lặp")
    assert done.voided_at and done.voided_by == head_user and done.void_reason == "Phiếu trùng lặp"
    assert AuditEvent.objects.filter(action="surveys.response.void", object_id=str(r.pk)).exists()
    with pytest.raises(ValidationError):
        responses.void_response(actor=head_user, response=r, reason="Lần nữa")
