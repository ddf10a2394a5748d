"""The admin shows plans read-only and closes them only through the service."""

from __future__ import annotations

from typing import Any

import pytest

from danvan.core.models import AuditEvent
from danvan.plans.models import PlanStatus
from danvan.plans.tests.test_services import issue, make_draft

pytestmark = pytest.mark.django_db


def test_admin_read_only_and_close_action(tree: Any, make_user: Any, client: Any, no_mfa: None) -> None:
    root = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(root)
    plan = issue(make_draft(tree["A"]))
    draft = make_draft(tree["A"], title="Nháp")
    assert client.get("/django-admin/plans/plan/").status_code == 200
    page = client.get(f"/django-admin/plans/plan/{plan.pk}/change/")
    assert page.status_code == 200 and b'name="title"' not in page.content  # nothing editable
    assert client.get("/django-admin/plans/plan/add/").status_code == 403
    client.post("/django-admin/plans/plan/", {"action": "close_selected", "_selected_action": [plan.pk, draft.pk]})
    plan.refresh_from_db()
    draft.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED and draft.status == PlanStatus.DRAFT
    assert AuditEvent.objects.filter(action="plans.plan.close", actor=root).count() == 1
