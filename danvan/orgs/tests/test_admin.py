"""The Django admin shows units and memberships read-only; revoking goes through the service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from danvan.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_mfa")]


@pytest.fixture
def root_client(client, make_user):
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    return client


def test_admin_pages_open(root_client, tree, make_user):
    m = make_user("cb", (tree["A1"], "officer")).memberships.get()
    for url in [
        reverse("admin:orgs_orgkind_changelist"),
        reverse("admin:orgs_orgunit_changelist") + "?q=binh",
        reverse("admin:orgs_orgunit_change", args=[tree["A1"].pk]),
        reverse("admin:orgs_membership_changelist"),
        reverse("admin:orgs_membership_change", args=[m.pk]),
    ]:
        assert root_client.get(url).status_code == 200, url
    page = root_client.get(reverse("admin:orgs_orgunit_change", args=[tree["A1"].pk])).content.decode()
    assert tree["A1"].path in page and 'name="path"' not in page  # the path is shown, never editable


def test_units_cannot_be_added_or_deleted_in_admin(root_client, tree):
    assert root_client.get(reverse("admin:orgs_orgunit_add")).status_code == 403
    assert root_client.get(reverse("admin:orgs_orgunit_delete", args=[tree["A1"].pk])).status_code == 403


def test_revoke_action_uses_the_service(root_client, tree, make_user):
    m = make_user("cb", (tree["A1"], "officer")).memberships.get()
    r = root_client.post(
        reverse("admin:orgs_membership_changelist"), {"action": "revoke", "_selected_action": [m.pk]}
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.revoked_at is not None
    assert AuditEvent.objects.filter(action="orgs.membership.revoke").exists()


def test_staff_without_superuser_cannot_use_admin(client, tree, make_user):
    client.force_login(make_user("staff", (tree["A"], "admin"), is_staff=True))
    assert client.get(reverse("admin:orgs_orgunit_changelist")).status_code == 403
