"""One-time codes: shape, only a hash kept, permissions and bounds, audited issue."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from danvan.core.models import AuditEvent
from danvan.surveys import tokens
from danvan.surveys.models import Survey, SurveyToken

from .test_responses import build_small

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(survey_tree: dict) -> Survey:
    return build_small(survey_tree["A1"], access="token")


def test_codes_are_hashed_and_checkable(small: Survey, officer_user: Any, survey_tree: dict) -> None:
    codes = tokens.issue_tokens(actor=officer_user, survey=small, count=5, org_unit=survey_tree["A1"], valid_days=7)
    assert len(set(codes)) == 5 and all(len(c) == 10 and tokens.normalise(c) == c for c in codes)
    rows = list(SurveyToken.objects.filter(survey=small))
    assert len(rows) == 5 and {r.code_hash for r in rows} == {tokens.code_hash(c) for c in codes}
    assert all(c not in r.code_hash for c in codes for r in rows)
    assert 6 <= (rows[0].expires_at - timezone.now()).days <= 7
    assert tokens.check(small, tokens.display(codes[0]).lower()) == ""
    assert AuditEvent.objects.filter(action="surveys.tokens.issue").count() == 1


@pytest.mark.parametrize(("typed", "expected"), [
    ("abcde-fghjk", "ABCDEFGHJK"), (" ABCDE FGHJK ", "ABCDEFGHJK"), ("O1LI0-00000", "01110" + "00000"),
    ("ABCDEFGHJ", ""), ("ABCDEFGHJKM", ""), ("ABCDE-FGHJU", ""), (None, ""), (123, ""), ("x" * 100, ""),
])
def test_normalise(typed: Any, expected: str) -> None:
    assert tokens.normalise(typed) == expected


@pytest.mark.parametrize(("kw", "field"), [({"count": 0}, "count"), ({"count": 201}, "count"),
                                           ({"count": "5"}, "count"), ({"count": True}, "count"),
                                           ({"valid_days": 0}, "valid_days"), ({"valid_days": 400}, "valid_days")])
def test_bounds(small: Survey, officer_user: Any, survey_tree: dict, kw: dict, field: str) -> None:
    args = {"count": 3, "valid_days": 30, **kw}
    with pytest.raises(ValidationError) as exc:
        tokens.issue_tokens(actor=officer_user, survey=small, org_unit=survey_tree["A1"], **args)
    assert field in exc.value.message_dict and not SurveyToken.objects.exists()


def test_unit_and_desk_of_the_survey(small: Survey, officer_user: Any, survey_tree: dict) -> None:
    from danvan.surveys import services

    with pytest.raises(ValidationError):
        tokens.issue_tokens(actor=officer_user, survey=small, count=1, org_unit=survey_tree["A2"])
    desk_a2 = services.create_desk(actor=None, org_unit=survey_tree["A2"], code="q", name="Quầy")
    with pytest.raises(ValidationError):
        tokens.issue_tokens(actor=officer_user, survey=small, count=1, org_unit=survey_tree["A1"], desk=desk_a2)


def test_permissions(small: Survey, survey_tree: dict, viewer_user: Any, other_commune_user: Any,
                     province_user: Any, nobody_user: Any, reception_user: Any) -> None:
    for user in (viewer_user, other_commune_user, nobody_user):
        with pytest.raises(PermissionDenied):
            tokens.issue_tokens(actor=user, survey=small, count=1, org_unit=survey_tree["A1"])
    assert len(tokens.issue_tokens(actor=province_user, survey=small, count=1, org_unit=survey_tree["A1"])) == 1
    assert len(tokens.issue_tokens(actor=reception_user, survey=small, count=1, org_unit=survey_tree["A1"])) == 1
    Survey.objects.filter(pk=small.pk).update(deleted_at=timezone.now())
    small.refresh_from_db()
    with pytest.raises(PermissionDenied):
        tokens.issue_tokens(actor=province_user, survey=small, count=1, org_unit=survey_tree["A1"])
