"""The tree's scoping: a role on a unit reaches its whole subtree and nothing else."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import next_prefix

pytestmark = pytest.mark.django_db


def names(qs) -> set[str]:
    return set(qs.values_list("name", flat=True))


def test_commune_officer_sees_own_subtree_only(tree, make_user):
    u = make_user("canbo", (tree["A1"], "officer"))
    assert names(OrgUnit.objects.visible_to(u)) == {"Xã Bình Lư", "Bản Thẳm"}


def test_province_admin_sees_province_not_other_province(tree, make_user):
    u = make_user("qtv", (tree["A"], "admin"))
    visible = names(OrgUnit.objects.visible_to(u))
    assert "Xã Bình Lư" in visible and "Sở Nội vụ" in visible
    assert "Phường Bắc Kạn" not in visible and "Tỉnh Thái Nguyên" not in visible


def test_no_membership_and_anonymous_see_nothing(tree, make_user):
    from django.contrib.auth.models import AnonymousUser

    assert not OrgUnit.objects.visible_to(make_user("nobody")).exists()
    assert not OrgUnit.objects.visible_to(AnonymousUser()).exists()


def test_commune_user_does_not_see_parent(tree, make_user):
    u = make_user("canbo", (tree["A1"], "officer"))
    assert not OrgUnit.objects.visible_to(u).filter(pk=tree["A"].pk).exists()


def test_revoked_membership_gives_nothing(tree, make_user):
    from django.utils import timezone

    u = make_user("cu", (tree["A1"], "officer"))
    u.memberships.update(revoked_at=timezone.now())
    assert not OrgUnit.objects.visible_to(u).exists()


def test_visible_to_adds_at_most_one_query(tree, make_user):
    u = make_user("qtv", (tree["A"], "admin"), (tree["B1"], "viewer"))
    with CaptureQueriesContext(connection) as ctx:
        list(OrgUnit.objects.visible_to(u))
    assert len(ctx.captured_queries) == 2  # the memberships, then the units
    with CaptureQueriesContext(connection) as ctx:
        list(OrgUnit.objects.visible_to(u))
    assert len(ctx.captured_queries) == 1  # scope cached for the request


def test_subtree_is_a_range_on_the_path(tree):
    sub = OrgUnit.objects.subtree_of(tree["A"])
    assert names(sub) == {"Tỉnh Lai Châu", "Xã Bình Lư", "Bản Thẳm", "Phường Tân Phong", "Sở Nội vụ"}
    assert next_prefix("000000019") == "000000020"
    assert next_prefix("000000009000000099") == "000000009000000100"


def test_a_token_brings_its_users_scope_in_the_same_query_on_postgresql(tree, make_user):
    """The API's hot path: the token's query carries the grants; the scope is the one scope_of would read."""
    from django.utils import timezone

    from danvan.accounts.services import authenticate_token, create_api_token
    from danvan.orgs.models import Membership
    from danvan.orgs.scope import scope_of

    u = make_user("qtv", (tree["A"], "admin"), (tree["B1"], "viewer"), (tree["A2"], "officer"))
    Membership.objects.filter(user=u, org_unit=tree["A2"]).update(revoked_at=timezone.now())  # revoked: not a grant
    _, raw = create_api_token(user=u, name="he thong")
    fresh = type(u).objects.get(pk=u.pk)
    expected = sorted((g.unit_id, g.path, g.role) for g in scope_of(fresh).grants)
    assert expected == sorted([(tree["A"].pk, tree["A"].path, "admin"), (tree["B1"].pk, tree["B1"].path, "viewer")])
    with CaptureQueriesContext(connection) as ctx:
        user = authenticate_token(raw)
        scope = scope_of(user)
    assert user is not None and user.pk == u.pk
    assert sorted((g.unit_id, g.path, g.role) for g in scope.grants) == expected
    assert len([q for q in ctx.captured_queries if "orgs_membership" in q["sql"]]) == 1
    assert sum(q["sql"].lstrip().upper().startswith("SELECT") for q in ctx.captured_queries) == (
        1 if connection.vendor == "postgresql" else 2
    )


def test_a_token_of_a_user_without_grants_has_an_empty_scope(tree, make_user):
    from danvan.accounts.services import authenticate_token, create_api_token
    from danvan.orgs.scope import scope_of

    u = make_user("khong")
    _, raw = create_api_token(user=u, name="he thong")
    user = authenticate_token(raw)
    assert scope_of(user).grants == [] and not OrgUnit.objects.visible_to(user).exists()
