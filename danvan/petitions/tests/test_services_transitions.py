"""Transitions: data each step needs, deadlines after each step, conflicts, events and audit, handlers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.core.testing import run_together
from danvan.petitions import services
from danvan.petitions.models import CaseHandler, Petition, PetitionStatus

from . import fixtures_cases
from .fixtures_cases import ACCEPTED, D, bring_to, classify, load_fields, receive, step

fields, people = fixtures_cases.fields, fixtures_cases.people  # fixtures used by name

pytestmark = pytest.mark.django_db
S = PetitionStatus
WHISTLEBLOWER = "Trần Thị Tố Giác"


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, Any]:
    return exc.value.message_dict


def unchanged(p: Petition, status: str, version: int) -> None:
    p.refresh_from_db()
    assert (p.status, p.lock_version) == (status, version)


# --- a whole case ------------------------------------------------------------------------------


def test_complaint_from_receipt_to_closure(tree: Any, people: Any, fields: Any) -> None:
    p = receive(tree["A1"], people["reception"])
    classify(p, fields["land"], people["reception"], is_complex=True, complex_criteria=["several_sites"])
    assert (p.status, p.field, p.is_complex, p.complex_criteria) == (S.CLASSIFIED, fields["land"], True,
                                                                     ["several_sites"])
    assert p.next_due == D(2026, 7, 21)  # the acceptance check still runs
    step(p, "accept", people["handler"], accepted_on=ACCEPTED)
    # Complex first round: 45 calendar days from 21/07/2026 → Friday 04/09/2026.
    assert (p.status, p.next_due, p.next_due_key) == (S.ACCEPTED, D(2026, 9, 4), "resolution")
    step(p, "start_verification", people["officer"])
    step(p, "resolve", people["head"], decision_number="12/QĐ-UBND", decision_on=D(2026, 8, 20), outcome="partly")
    assert (p.status, p.next_due, p.next_due_key, p.outcome) == (S.RESOLVED, None, "", "partly")
    step(p, "close", people["head"])
    assert p.status == S.CLOSED and p.lock_version == 6
    events = list(p.events.values_list("action", "from_status", "to_status", "actor__username"))
    assert events == [
        ("receive", "", "received", "reception"),
        ("classify", "received", "classified", "reception"),
        ("accept", "classified", "accepted", "handler"),
        ("start_verification", "accepted", "verifying", "officer"),
        ("resolve", "verifying", "resolved", "head"),
        ("close", "resolved", "closed", "head"),
    ]
    actions = list(AuditEvent.objects.filter(object_id=str(p.pk), action__startswith="petitions.petition")
                   .order_by("seq").values_list("action", flat=True))
    assert actions == [f"petitions.petition.{a}" for a, *_ in events]


def test_resolution_deadline_normal_and_second_round(tree: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.ACCEPTED, fields["land"])
    assert p.next_due == D(2026, 8, 20)  # 30 days from 21/07/2026, a Thursday
    first = receive(tree["A1"], received_on=D(2026, 3, 2))
    second = bring_to(receive(tree["A1"], first_round=first), S.ACCEPTED, fields["land"])
    assert second.next_due == D(2026, 9, 4)  # second round: 45 days


def test_suspension_is_not_counted(tree: Any, people: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.VERIFYING, fields["land"])
    step(p, "suspend", people["handler"], reason="Chờ kết quả giám định", suspended_on=D(2026, 8, 1))
    assert (p.status, p.next_due, p.suspended_on) == (S.SUSPENDED, None, D(2026, 8, 1))
    step(p, "resume", people["handler"], resumed_on=D(2026, 8, 11))
    # Back to verifying, 10 days added: 30 + 10 = 40 days from 21/07 → Sunday 30/08, and 31/08, 01/09, 02/09
    # are days off in 2026, so the period ends on Thursday 03/09/2026.
    assert (p.status, p.suspended_days, p.suspended_on, p.next_due) == (S.VERIFYING, 10, None, D(2026, 9, 3))
    with pytest.raises(ValidationError) as exc:
        step(p, "suspend", people["handler"], reason="x", suspended_on=D(2026, 7, 20))
    assert "suspended_on" in errors_of(exc)
    step(p, "suspend", people["handler"], reason="Lần hai", suspended_on=D(2026, 8, 20))
    with pytest.raises(ValidationError) as exc:
        step(p, "resume", people["handler"], resumed_on=D(2026, 8, 19))
    assert "resumed_on" in errors_of(exc)
    step(p, "resume", people["handler"], resumed_on=D(2026, 8, 25))
    assert p.suspended_days == 15


def test_denunciation_extensions_up_to_the_rule_maximum(tree: Any, people: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"], kind="denunciation"), S.ACCEPTED, fields["officials-conduct"])
    assert p.next_due == D(2026, 8, 20)
    step(p, "extend", people["handler"], reason="Phức tạp", decision_number="5/QĐ-UBND")
    assert (p.status, p.extensions, p.next_due) == (S.ACCEPTED, 1, D(2026, 9, 21))  # Sat 19/09 → Mon 21/09
    step(p, "start_verification", people["handler"])
    step(p, "extend", people["handler"], reason="Đặc biệt phức tạp")
    assert (p.status, p.extensions, p.next_due) == (S.VERIFYING, 2, D(2026, 10, 19))
    with pytest.raises(ValidationError) as exc:
        step(p, "extend", people["handler"], reason="Lần ba")
    assert "extensions" in errors_of(exc)
    unchanged(p, S.VERIFYING, p.lock_version)


def test_complaint_cannot_be_extended(tree: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.ACCEPTED, fields["land"])
    with pytest.raises(ValidationError) as exc:
        step(p, "extend", reason="x")
    assert "action" in errors_of(exc)


# --- data each step needs ----------------------------------------------------------------------


@pytest.mark.parametrize(("data", "field"), [
    ({"kind": "complaint", "eligible": True}, "competence"),
    ({"kind": "praise", "eligible": True, "competence": "own"}, "kind"),
    ({"kind": "denunciation", "eligible": True, "competence": "own"}, "kind"),
    ({"kind": "complaint", "eligible": "yes", "competence": "own"}, "eligible"),
    ({"kind": "complaint", "eligible": True, "competence": "mine"}, "competence"),
    ({"kind": "complaint", "eligible": True, "competence": "own", "is_complex": True}, "complex_criteria"),
    ({"kind": "complaint", "eligible": True, "competence": "own", "is_complex": True,
      "complex_criteria": ["too_hard"]}, "complex_criteria"),
    ({"kind": "complaint", "eligible": True, "competence": "own", "complex_criteria": ["several_sites"]},
     "complex_criteria"),
    ({"kind": "complaint", "eligible": True, "competence": "own", "colour": "red"}, "colour"),
])
def test_classify_bad_data(data: dict[str, Any], field: str, tree: Any, fields: Any) -> None:
    p = receive(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        step(p, "classify", field=fields["land"], **data)
    assert field in errors_of(exc), errors_of(exc)
    unchanged(p, S.RECEIVED, 1)


def test_classify_needs_a_field(tree: Any) -> None:
    p = receive(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        step(p, "classify", kind="complaint", eligible=True, competence="own")
    assert "field" in errors_of(exc)


def test_classify_can_change_kind_but_not_into_a_denunciation(tree: Any, fields: Any) -> None:
    p = receive(tree["A1"], kind="feedback", filer_name="Lê Văn Bình")
    classify(p, fields["environment"], kind="recommendation")
    assert p.kind == "recommendation" and p.next_due_key == "feedback"
    q = receive(tree["A1"], kind="feedback", filer_name="Lê Văn Bình")
    classify(q, fields["land"], kind="complaint")
    assert (q.kind, q.round, q.next_due_key, q.next_due) == ("complaint", 1, "acceptance", D(2026, 7, 21))
    r = receive(tree["A1"], kind="feedback", filer_name="Lê Văn Bình")
    with pytest.raises(ValidationError) as exc:
        classify(r, fields["land"], kind="denunciation")
    assert "kind" in errors_of(exc)


@pytest.mark.parametrize(("accepted_on", "field"), [
    (D(2026, 7, 9), "accepted_on"),  # before received
    (D(2099, 1, 1), "accepted_on"),  # future
    ("2026-07-21", "accepted_on"),
    (None, "accepted_on"),
])
def test_accept_bad_dates(accepted_on: Any, field: str, tree: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.CLASSIFIED, fields["land"])
    with pytest.raises(ValidationError) as exc:
        step(p, "accept", accepted_on=accepted_on)
    assert field in errors_of(exc)
    unchanged(p, S.CLASSIFIED, 2)


def test_recommendation_is_not_accepted_and_anonymous_denunciation_neither(tree: Any, fields: Any) -> None:
    rec = bring_to(receive(tree["A1"], kind="recommendation", filer_name="A"), S.CLASSIFIED, fields["land"])
    with pytest.raises(ValidationError) as exc:
        step(rec, "accept", accepted_on=ACCEPTED)
    assert "action" in errors_of(exc)
    anon = bring_to(receive(tree["A1"], kind="denunciation", anonymous=True, identity=None), S.CLASSIFIED,
                    fields["land"])
    with pytest.raises(ValidationError):
        step(anon, "accept", accepted_on=ACCEPTED)
    step(anon, "file_away", ground="anonymous_denunciation")
    assert anon.status == S.FILED_AWAY


def test_file_away_needs_a_listed_ground(tree: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.CLASSIFIED, fields["land"])
    for ground, field in (("bored", "ground"), ("", "ground"), ("anonymous_denunciation", "ground")):
        with pytest.raises(ValidationError) as exc:
            step(p, "file_away", ground=ground)
        assert field in errors_of(exc)
    step(p, "file_away", ground="out_of_time", reason="Quá 90 ngày")
    assert p.events.filter(data__ground="out_of_time").count() == 1


def test_forward_once_only(tree: Any, people: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.CLASSIFIED, fields["land"])
    for data, field in (({}, "to_unit"), ({"to_unit": tree["A1"]}, "to_unit"),
                        ({"to_unit": tree["A"], "to_name": "X"}, "to_name")):
        with pytest.raises(ValidationError) as exc:
            step(p, "forward", people["officer"], **data)
        assert field in errors_of(exc)
    step(p, "forward", people["officer"], to_unit=tree["A"])
    assert (p.status, p.forwarded_to, p.next_due) == (S.FORWARDED, tree["A"], None)
    # The province received it from the commune: it cannot forward the same content again.
    got = bring_to(receive(tree["A"], channel="forwarded", forwarded_by="UBND xã Bình Lư"), S.CLASSIFIED,
                   fields["land"])
    with pytest.raises(ValidationError) as exc:
        step(got, "forward", people["province_officer"], to_name="Thanh tra Chính phủ")
    assert "chỉ được chuyển một lần" in str(exc.value.messages)
    unchanged(got, S.CLASSIFIED, 2)


def test_resolve_bad_data(tree: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.ACCEPTED, fields["land"])
    for data, field in (
        ({"decision_number": "", "decision_on": D(2026, 8, 1), "outcome": "upheld"}, "decision_number"),
        ({"decision_number": "1/QĐ", "decision_on": D(2026, 7, 20), "outcome": "upheld"}, "decision_on"),
        ({"decision_number": "1/QĐ", "decision_on": D(2026, 8, 1), "outcome": "maybe"}, "outcome"),
        ({"decision_number": "1" * 51, "decision_on": D(2026, 8, 1), "outcome": "upheld"}, "decision_number"),
    ):
        with pytest.raises(ValidationError) as exc:
            step(p, "resolve", **data)
        assert field in errors_of(exc)
    unchanged(p, S.ACCEPTED, 3)


def test_reopen_is_for_the_head_with_a_reason(tree: Any, people: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.CLOSED, fields["land"])
    with pytest.raises(PermissionDenied):
        step(p, "reopen", people["officer"], to="accepted", reason="Có tình tiết mới")
    with pytest.raises(ValidationError) as exc:
        step(p, "reopen", people["head"], to="accepted")
    assert "reason" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        step(p, "reopen", people["head"], to="verifying", reason="x")
    assert "to" in errors_of(exc)
    step(p, "reopen", people["head"], to="accepted", reason="Có tình tiết mới")
    assert (p.status, p.decision_number, p.outcome, p.next_due_key) == (S.ACCEPTED, "", "", "resolution")
    assert p.events.values_list("reason", flat=True).last() == "Có tình tiết mới"
    never = bring_to(receive(tree["A1"]), S.FILED_AWAY, fields["land"])
    with pytest.raises(ValidationError) as exc:
        step(never, "reopen", people["head"], to="accepted", reason="x")
    assert "to" in errors_of(exc)
    step(never, "reopen", people["head"], to="classified", reason="Đơn đủ điều kiện")
    assert (never.status, never.next_due_key) == (S.CLASSIFIED, "acceptance")


def test_withdraw_stops_the_clock(tree: Any, people: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.ACCEPTED, fields["land"])
    with pytest.raises(ValidationError) as exc:
        step(p, "withdraw", people["reception"])
    assert "reason" in errors_of(exc)
    step(p, "withdraw", people["reception"], reason="Người khiếu nại rút đơn")
    assert (p.status, p.next_due) == (S.WITHDRAWN, None)


def test_unknown_action_and_bad_version(tree: Any) -> None:
    p = receive(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        services.transition(actor=None, petition=p, action="approve", expected_version=1)
    assert "action" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.transition(actor=None, petition=p, action="withdraw", expected_version="1", reason="x")  # type: ignore[arg-type]
    assert "expected_version" in errors_of(exc)


# --- concurrency -------------------------------------------------------------------------------


def test_stale_version_is_a_conflict_and_loses_nothing(tree: Any, people: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"]), S.CLASSIFIED, fields["land"])
    stale = Petition.objects.get(pk=p.pk)
    step(p, "accept", people["handler"], accepted_on=ACCEPTED)
    with pytest.raises(ConcurrentEditError):
        services.transition(actor=people["officer"], petition=stale, action="file_away",
                            expected_version=stale.lock_version, ground="ineligible")
    p.refresh_from_db()
    assert (p.status, p.accepted_on, p.lock_version) == (S.ACCEPTED, ACCEPTED, 3)
    assert p.events.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_officers_at_once_one_wins(tree: Any, people: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("true concurrency needs PostgreSQL")
    load_fields()
    from danvan.petitions.models import PetitionField

    p = bring_to(receive(tree["A1"]), S.CLASSIFIED, PetitionField.objects.get(code="land"))
    version = p.lock_version

    def accept() -> Any:
        return services.transition(actor=people["handler"], petition=Petition.objects.get(pk=p.pk), action="accept",
                                   expected_version=version, accepted_on=ACCEPTED)

    def file_away() -> Any:
        return services.transition(actor=people["officer"], petition=Petition.objects.get(pk=p.pk),
                                   action="file_away", expected_version=version, ground="duplicate")

    results = run_together(accept, file_away)
    wins = [r for r in results if isinstance(r, Petition)]
    conflicts = [r for r in results if isinstance(r, ConcurrentEditError)]
    assert len(wins) == 1 and len(conflicts) == 1, results
    p.refresh_from_db()
    assert p.status == wins[0].status and p.lock_version == version + 1
    assert p.events.count() == 3


# --- the whistleblower's name never leaks through the steps ------------------------------------


def test_denunciation_steps_never_record_the_filer(tree: Any, people: Any, fields: Any) -> None:
    p = receive(tree["A1"], people["reception"], kind="denunciation",
                identity={"name": WHISTLEBLOWER, "address": "Bản Thẳm"})
    p = bring_to(p, S.CLOSED, fields["officials-conduct"])
    services.assign_handler(actor=people["head"], petition=p, user=people["handler"])
    row = Petition.objects.filter(pk=p.pk).values().get()
    assert WHISTLEBLOWER not in str(row)
    for ev in p.events.all():
        assert WHISTLEBLOWER not in f"{ev.reason} {ev.data}"
    for a in AuditEvent.objects.all():
        assert WHISTLEBLOWER not in str(a.summary)


# --- handlers ----------------------------------------------------------------------------------


def test_assign_and_revoke_handler(tree: Any, people: Any) -> None:
    p = receive(tree["A1"], people["reception"], kind="denunciation")
    h = services.assign_handler(actor=people["head"], petition=p, user=people["handler"])
    assert (h.user, h.assigned_by, h.revoked_at) == (people["handler"], people["head"], None)
    assert services.assign_handler(actor=people["head"], petition=p, user=people["handler"]).pk == h.pk
    services.assign_handler(actor=people["province_head"], petition=p, user=people["province_officer"])
    services.revoke_handler(actor=people["admin"], petition=p, user=people["handler"])
    assert list(CaseHandler.objects.filter(petition=p, revoked_at__isnull=True).values_list("user__username",
                                                                                             flat=True)) == [
        "province_officer"]
    with pytest.raises(ValidationError):
        services.revoke_handler(actor=people["head"], petition=p, user=people["handler"])
    assert AuditEvent.objects.filter(action="petitions.handler.assign").count() == 2


@pytest.mark.parametrize("who", ["officer", "handler", "viewer", "reception", "other_commune", "other_province",
                                 "nobody", "anon"])
def test_only_head_or_admin_assigns(who: str, tree: Any, people: Any) -> None:
    p = receive(tree["A1"])
    with pytest.raises(PermissionDenied):
        services.assign_handler(actor=people[who], petition=p, user=people["handler"])
    assert not CaseHandler.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "reception", "other_commune_officer", "other_province_officer", "nobody"])
def test_handler_must_hold_a_handling_role_on_the_unit(who: str, tree: Any, people: Any) -> None:
    p = receive(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        services.assign_handler(actor=people["head"], petition=p, user=people[who])
    assert "user" in errors_of(exc)
    assert not CaseHandler.objects.exists()
