"""The workflow table: which action moves a case from which state, and which role may take it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from danvan.petitions import rules as petition_rules
from danvan.petitions import workflow
from danvan.petitions.models import OPEN_STATUSES, PetitionStatus

from . import fixtures_cases
from .fixtures_cases import ACCEPTED, D, bring_to, receive, step

fields, people = fixtures_cases.fields, fixtures_cases.people  # fixtures used by name

pytestmark = pytest.mark.django_db
S = PetitionStatus

INTAKE = {"classify", "forward", "guide", "file_away"}
HANDLING = {"accept", "start_verification", "extend", "resolve", "suspend", "resume", "reply"}
SIGNING = {"close", "reopen"}

# Written out from the brief, not derived from the table, so that a wrong table fails.
MAY = {
    "reception": INTAKE | {"withdraw"},
    "officer": INTAKE | HANDLING | {"withdraw"},
    "handler": HANDLING | {"withdraw"},
    "head": HANDLING | SIGNING | {"withdraw"},
    "admin": INTAKE | HANDLING | SIGNING | {"withdraw"},
    "province_officer": INTAKE | HANDLING | {"withdraw"},  # a role above holds on the subtree
    "province_head": HANDLING | SIGNING | {"withdraw"},
    "viewer": set(),
    "other_commune": set(),
    "other_commune_officer": set(),
    "other_province": set(),
    "other_province_officer": set(),
    "nobody": set(),
    "anon": set(),
}

EXPECTED_MOVES = {
    "classify": ({S.RECEIVED}, S.CLASSIFIED),
    "accept": ({S.CLASSIFIED}, S.ACCEPTED),
    "forward": ({S.CLASSIFIED}, S.FORWARDED),
    "guide": ({S.CLASSIFIED}, S.GUIDED),
    "file_away": ({S.CLASSIFIED}, S.FILED_AWAY),
    "reply": ({S.CLASSIFIED}, S.RESOLVED),
    "start_verification": ({S.ACCEPTED}, S.VERIFYING),
    "extend": ({S.ACCEPTED, S.VERIFYING}, None),
    "resolve": ({S.ACCEPTED, S.VERIFYING}, S.RESOLVED),
    "close": ({S.RESOLVED, S.FORWARDED, S.GUIDED, S.FILED_AWAY}, S.CLOSED),
    "suspend": ({S.ACCEPTED, S.VERIFYING}, S.SUSPENDED),
    "resume": ({S.SUSPENDED}, None),
    "withdraw": ({S.RECEIVED, S.CLASSIFIED, S.ACCEPTED, S.VERIFYING, S.SUSPENDED}, S.WITHDRAWN),
    "reopen": ({S.CLOSED, S.RESOLVED, S.FILED_AWAY}, None),
}


def test_table_has_exactly_the_actions_of_the_brief() -> None:
    assert set(workflow.ACTIONS) == set(EXPECTED_MOVES)
    for name, (sources, target) in EXPECTED_MOVES.items():
        act = workflow.ACTIONS[name]
        assert set(act.sources) == sources, name
        assert act.target == target, name


def test_every_state_is_reachable_and_every_non_final_state_has_a_way_out() -> None:
    reached: set[str] = {S.RECEIVED}
    changed = True
    while changed:
        changed = False
        for act in workflow.ACTIONS.values():
            if reached & act.sources:
                targets = {act.target} if act.target else ({*workflow.REOPEN_TARGETS, *act.sources}
                                                           if act.name != "resume" else {S.ACCEPTED, S.VERIFYING})
                if not targets <= reached:
                    reached |= targets
                    changed = True
    assert reached == set(S.values)
    final = {S.WITHDRAWN}
    for status in set(S.values) - final:
        assert workflow.actions_from(status, "complaint"), status


def test_kind_limits() -> None:
    assert workflow.ACTIONS["accept"].kinds == {"complaint", "denunciation"}
    assert workflow.ACTIONS["extend"].kinds == {"denunciation"}
    names = {a.name for a in workflow.actions_from(S.CLASSIFIED, "recommendation")}
    assert "accept" not in names and {"forward", "guide", "file_away", "withdraw"} <= names
    assert set(OPEN_STATUSES) < workflow.WITHDRAWABLE


@pytest.mark.parametrize("who", sorted(MAY))
def test_permission_matrix_per_role(who: str, tree: Any, people: Any, fields: Any) -> None:
    petition = receive(tree["A1"])
    user = people[who]
    allowed = {name for name in workflow.ACTIONS if petition_rules.may(user, name, petition)}
    assert allowed == MAY[who]
    assert user.has_perm("petitions.view_petition", petition) is (who in {
        "reception", "officer", "handler", "head", "viewer", "admin", "province_officer", "province_head"})
    assert user.has_perm("petitions.receive_petition", tree["A1"]) is (who in {
        "reception", "officer", "admin", "province_officer"})


def test_a_village_case_is_covered_by_the_commune_but_not_by_the_sibling(tree: Any, people: Any) -> None:
    petition = receive(tree["A1v"])
    assert petition_rules.may(people["officer"], "classify", petition)
    assert not petition_rules.may(people["other_commune_officer"], "classify", petition)


def test_deleted_petition_allows_nothing(tree: Any, people: Any) -> None:
    from django.utils import timezone

    petition = receive(tree["A1"])
    petition.deleted_at = timezone.now()
    assert not petition_rules.may(people["admin"], "classify", petition)
    assert not people["admin"].has_perm("petitions.view_petition", petition)


# Valid data per action, for a complaint (extend: a denunciation).
VALID: dict[str, dict[str, Any]] = {
    "classify": {"kind": "complaint", "eligible": True, "competence": "own"},
    "accept": {"accepted_on": ACCEPTED},
    "forward": {"to_name": "Thanh tra tỉnh"},
    "guide": {"reason": "Hướng dẫn gửi Tòa án"},
    "file_away": {"ground": "ineligible"},
    "start_verification": {},
    "extend": {"reason": "Vụ việc phức tạp", "decision_number": "5/QĐ-UBND"},
    "resolve": {"decision_number": "12/QĐ-UBND", "decision_on": D(2026, 8, 20), "outcome": "upheld"},
    "close": {},
    "suspend": {"reason": "Chờ giám định", "suspended_on": D(2026, 8, 1)},
    "resume": {"resumed_on": D(2026, 8, 5)},
    "withdraw": {"reason": "Rút đơn"},
    "reopen": {"to": "classified", "reason": "Có tình tiết mới"},
    "reply": {"reason": "Đã trả lời công dân bằng văn bản"},
}


@pytest.mark.parametrize("status", [s for s in S.values])
def test_every_action_allowed_and_refused_in_each_state(status: str, tree: Any, fields: Any) -> None:
    """In each state, each allowed action goes to its target; every other action is refused and changes nothing."""
    for name, act in workflow.ACTIONS.items():
        kind = "denunciation" if name == "extend" else "complaint"
        if name == "reply" and status == S.CLASSIFIED:
            kind = "recommendation"  # a reply is for recommendations and feedback; a complaint's is refused below
        petition = bring_to(receive(tree["A1"], kind=kind), status, fields["land"])
        data = dict(VALID[name])
        if name == "classify":
            data.update(kind=kind, field=fields["land"])
        before = (petition.status, petition.lock_version)
        if status in act.sources:
            step(petition, name, **data)
            petition.refresh_from_db()
            expected = act.target or {"extend": status, "resume": S.ACCEPTED, "reopen": S.CLASSIFIED}[name]
            assert petition.status == expected, (status, name)
            assert petition.events.values_list("action", flat=True).last() == name
        else:
            with pytest.raises(ValidationError) as exc:
                step(petition, name, **data)
            assert "action" in exc.value.message_dict, (status, name)
            petition.refresh_from_db()
            assert (petition.status, petition.lock_version) == before


@pytest.mark.parametrize("who", ["viewer", "other_commune", "other_province", "nobody", "anon", "reception"])
def test_refused_roles_get_permission_denied_from_the_service(who: str, tree: Any, people: Any, fields: Any) -> None:
    petition = bring_to(receive(tree["A1"]), S.CLASSIFIED, fields["land"])
    with pytest.raises(PermissionDenied):
        step(petition, "accept", people[who], accepted_on=ACCEPTED)
    petition.refresh_from_db()
    assert petition.status == S.CLASSIFIED and petition.accepted_on is None


def test_a_recommendation_is_answered_and_a_complaint_is_not(tree: Any, fields: Any) -> None:
    """Recommendations and feedback are replied to (classified → resolved); complaints must be accepted first."""
    rec = bring_to(receive(tree["A1"], kind="recommendation"), S.CLASSIFIED, fields["land"])
    step(rec, "reply", reason="Đã trả lời bằng Văn bản số 45/UBND-VP")
    rec.refresh_from_db()
    assert rec.status == S.RESOLVED and rec.next_due is None
    complaint = bring_to(receive(tree["A1"]), S.CLASSIFIED, fields["land"])
    with pytest.raises(ValidationError) as exc:
        step(complaint, "reply", reason="Đã trả lời bằng văn bản")
    assert "action" in exc.value.message_dict
    complaint.refresh_from_db()
    assert complaint.status == S.CLASSIFIED
