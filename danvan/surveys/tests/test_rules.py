"""Survey permissions per role and place in the tree."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from danvan.surveys.models import Survey

pytestmark = pytest.mark.django_db

PERMS = ["view_survey", "change_survey", "record_response", "view_results", "void_response", "manage_desks"]
# user fixture → the permissions it has on the A1 survey (manage_desks: on unit A1)
EXPECTED = {
    "officer_user": {"view_survey", "change_survey", "record_response", "view_results", "manage_desks"},
    "head_user": set(PERMS),
    "reception_user": {"view_survey", "record_response", "view_results"},
    "viewer_user": {"view_survey", "view_results"},
    "province_user": {"view_survey", "change_survey", "record_response", "view_results", "manage_desks"},
    "other_commune_user": set(),
    "other_province_user": set(),
    "nobody_user": set(),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_permissions(request: Any, sipas_survey: Any, survey_tree: dict[str, Any], who: str) -> None:
    user = request.getfixturevalue(who)
    got = {p for p in PERMS if user.has_perm(f"surveys.{p}", survey_tree["A1"] if p == "manage_desks" else sipas_survey)}
    assert got == EXPECTED[who]


def test_anonymous_and_deleted(sipas_survey: Any, head_user: Any) -> None:
    anon = AnonymousUser()
    assert not any(anon.has_perm(f"surveys.{p}", sipas_survey) for p in PERMS)
    deleted = Survey.objects.get(pk=sipas_survey.pk)
    deleted.deleted_at = deleted.created_at
    assert not head_user.has_perm("surveys.view_survey", deleted)
    assert not head_user.has_perm("surveys.change_survey", None)


def test_visible_to(sipas_survey: Any, make_survey: Any, survey_tree: dict[str, Any], officer_user: Any,
                    other_commune_user: Any, province_user: Any) -> None:
    b1 = make_survey(survey_tree["B1"], title="B1")
    assert list(Survey.objects.visible_to(officer_user)) == [sipas_survey]
    assert not Survey.objects.visible_to(other_commune_user).exists()
    assert set(Survey.objects.visible_to(province_user)) == {sipas_survey}
    assert b1 not in Survey.objects.visible_to(province_user)
