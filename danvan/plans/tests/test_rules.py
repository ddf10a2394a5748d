"""The permission matrix of plans, for each kind of user and each state of a plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from danvan.plans import services
from danvan.plans.tests.test_services import issue, make_draft

pytestmark = pytest.mark.django_db

PERMS = ("view_plan", "view_cascade", "change_plan", "delete_plan", "issue_plan", "close_plan", "amend_plan",
         "derive_plan")


@pytest.fixture
def users(tree: Any, make_user: Any) -> dict[str, Any]:
    return {
        "admin": make_user("admin", (tree["A"], "admin")),
        "head": make_user("head", (tree["A"], "head")),
        "officer": make_user("officer", (tree["A"], "officer")),
        "viewer": make_user("viewer", (tree["A"], "viewer")),
        "reception": make_user("reception", (tree["A"], "reception_officer")),
        "commune": make_user("commune", (tree["A1"], "officer")),
        "village": make_user("village", (tree["A1v"], "head")),
        "other": make_user("other", (tree["B"], "admin")),
        "nobody": make_user("nobody"),
        "revoked": make_user("revoked", (tree["A"], "head")),
        "root": make_user("root", is_superuser=True),
        "anonymous": AnonymousUser(),
    }


def allowed(user: Any, obj: Any) -> set[str]:
    return {p for p in PERMS if user.has_perm(f"plans.{p}", obj)}


EXPECTED_DRAFT = {
    "admin": {"view_plan", "view_cascade", "change_plan", "delete_plan", "issue_plan"},
    "head": {"view_plan", "view_cascade", "change_plan", "delete_plan", "issue_plan"},
    "officer": {"view_plan", "view_cascade", "change_plan", "delete_plan"},
    "viewer": {"view_plan", "view_cascade"},
    "reception": {"view_plan", "view_cascade"},  # an editing role elsewhere, not for plans
    "commune": set(), "village": set(), "other": set(), "nobody": set(), "revoked": set(), "anonymous": set(),
    "root": set(PERMS),  # Django answers yes to a superuser; services check the plan's state themselves
}
EXPECTED_ISSUED = {
    "admin": {"view_plan", "view_cascade", "close_plan", "amend_plan", "derive_plan"},
    "head": {"view_plan", "view_cascade", "close_plan", "amend_plan", "derive_plan"},
    "officer": {"view_plan", "view_cascade", "amend_plan", "derive_plan"},
    "viewer": {"view_plan", "view_cascade", "derive_plan"},
    "reception": {"view_plan", "view_cascade", "derive_plan"},
    "commune": {"view_plan", "derive_plan"},  # reads the plan above and builds its own from it
    "village": {"view_plan", "derive_plan"},
    "other": set(), "nobody": set(), "revoked": set(), "anonymous": set(),
    "root": set(PERMS),
}


def test_matrix_draft_and_issued(tree: Any, users: Any) -> None:
    from django.utils import timezone

    users["revoked"].memberships.update(revoked_at=timezone.now())
    plan = make_draft(tree["A"])
    assert {k: allowed(u, plan) for k, u in users.items()} == EXPECTED_DRAFT
    plan = issue(plan)
    fresh = {k: type(u).objects.get(pk=u.pk) if u.is_authenticated else u for k, u in users.items()}
    assert {k: allowed(u, plan) for k, u in fresh.items()} == EXPECTED_ISSUED


def test_closed_and_deleted(tree: Any, users: Any) -> None:
    plan = issue(make_draft(tree["A"]))
    closed = services.close_plan(actor=None, plan=plan)
    assert allowed(users["head"], closed) == {"view_plan", "view_cascade"}
    assert allowed(users["commune"], closed) == {"view_plan"}
    draft = make_draft(tree["A"], title="Xoá")
    services.delete_plan(actor=None, plan=draft)
    draft.refresh_from_db()
    assert allowed(users["admin"], draft) == set()


def test_commune_plan_seen_by_province_not_by_sibling(tree: Any, users: Any, make_user: Any) -> None:
    plan = make_draft(tree["A1"], issued_on=dt.date(2025, 3, 1))
    assert allowed(users["commune"], plan) == {"view_plan", "view_cascade", "change_plan", "delete_plan"}
    assert "change_plan" in allowed(users["officer"], plan)  # the province's officers help communes
    sibling = make_user("sibling", (tree["A2"], "head"))
    assert allowed(sibling, plan) == set()
    assert allowed(users["village"], plan) == set()  # a village sees its commune's issued plans only


def test_superuser_still_bound_by_plan_state(tree: Any, users: Any) -> None:
    from django.core.exceptions import ValidationError

    root = users["root"]
    draft = make_draft(tree["A"], root)
    with pytest.raises(ValidationError):
        services.amend_plan(actor=root, plan=draft)
    with pytest.raises(ValidationError):
        services.close_plan(actor=root, plan=draft)
    issued = issue(draft, root)
    with pytest.raises(services.PlanLockedError):
        services.add_task(actor=root, plan=issued, text="x")


def test_create_for_unit(tree: Any, users: Any) -> None:
    def can(user: Any, unit: Any) -> bool:
        return bool(user.has_perm("plans.create_plan_for_unit", unit))

    assert can(users["officer"], tree["A"]) and can(users["officer"], tree["A1"])
    assert can(users["commune"], tree["A1"]) and not can(users["commune"], tree["A"])
    assert not can(users["commune"], tree["A2"]) and not can(users["viewer"], tree["A1"])
    assert not can(users["other"], tree["A1"]) and not can(users["anonymous"], tree["A"])


def test_progress_by_lead_unit(tree: Any, users: Any, make_user: Any) -> None:
    plan = make_draft(tree["A"])
    task = services.add_task(actor=None, plan=plan, text="Việc", lead_unit=tree["A1"])
    other_task = services.add_task(actor=None, plan=plan, text="Việc khác")
    issue(plan)
    task.refresh_from_db()
    assert users["commune"].has_perm("plans.report_progress", task)
    assert not users["commune"].has_perm("plans.report_progress", other_task)
    assert not users["viewer"].has_perm("plans.report_progress", task)
    assert not make_user("a2", (tree["A2"], "officer")).has_perm("plans.report_progress", task)
