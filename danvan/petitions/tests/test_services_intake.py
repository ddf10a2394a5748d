"""Intake: numbering, idempotency, bad input per kind, deadlines on arrival, the whistleblower's name kept out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from danvan.core.models import AuditEvent
from danvan.core.testing import run_together
from danvan.petitions.models import FilerIdentity, Petition, PetitionEvent, PetitionField

from . import fixtures_cases
from .fixtures_cases import D, load_fields, receive

fields, people = fixtures_cases.fields, fixtures_cases.people  # fixtures used by name

pytestmark = pytest.mark.django_db
WHISTLEBLOWER = "Trần Thị Tố Giác"


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, Any]:
    return exc.value.message_dict


# --- numbering ---------------------------------------------------------------------------------


def test_numbers_run_per_unit_and_restart_on_1_january(tree: Any, people: Any) -> None:
    a1, a2 = tree["A1"], tree["A2"]
    p1 = receive(a1, people["reception"], received_on=D(2025, 12, 30))
    p2 = receive(a1, people["reception"], received_on=D(2025, 12, 31))
    q1 = receive(a2, people["other_commune_officer"], received_on=D(2025, 12, 31))
    n1 = receive(a1, people["reception"], received_on=D(2026, 1, 1))
    n2 = receive(a1, people["officer"], received_on=D(2026, 1, 2))
    assert [(p.number, p.number_year) for p in (p1, p2, q1, n1, n2)] == [
        (1, 2025), (2, 2025), (1, 2025), (1, 2026), (2, 2026)]
    # A late entry of a petition received in 2025 continues 2025's numbers.
    late = receive(a1, people["reception"], received_on=D(2025, 11, 1))
    assert (late.number, late.number_year) == (3, 2025)


def test_intake_records_event_deadline_and_audit(tree: Any, people: Any) -> None:
    p = receive(tree["A1"], people["reception"])
    assert p.status == "received" and p.round == 1 and p.created_by == people["reception"]
    # Complaint received Friday 10/07/2026: 7 working days (2026 rule) → Tuesday 21/07/2026.
    assert (p.next_due, p.next_due_key) == (D(2026, 7, 21), "acceptance")
    ev = PetitionEvent.objects.get(petition=p)
    assert (ev.action, ev.from_status, ev.to_status, ev.actor) == ("receive", "", "received", people["reception"])
    audit = AuditEvent.objects.get(action="petitions.petition.receive", object_id=str(p.pk))
    assert audit.summary["number"] == 1 and audit.org_unit_id == tree["A1"].pk
    assert "Nguyễn Văn An" not in str(audit.summary)  # no filer's name in the audit log, whatever the kind


def test_deadlines_on_arrival_per_kind(tree: Any) -> None:
    old = receive(tree["A1"], received_on=D(2026, 6, 26))  # before 1 July 2026: 10 working days
    assert old.next_due == D(2026, 7, 10)
    den = receive(tree["A1"], kind="denunciation")  # 7 working days
    assert (den.next_due, den.next_due_key) == (D(2026, 7, 21), "acceptance")
    rec = receive(tree["A1"], kind="recommendation", filer_name="Lê Văn Bình")  # reply in 10 working days
    assert (rec.next_due, rec.next_due_key) == (D(2026, 7, 24), "feedback")
    mixed = receive(tree["A1"], kind="mixed", filer_name="Lê Văn Bình")  # runs on the complaint's periods
    assert (mixed.next_due, mixed.next_due_key) == (D(2026, 7, 21), "acceptance")


# --- idempotency -------------------------------------------------------------------------------


def test_same_idempotency_key_returns_the_same_petition(tree: Any, people: Any) -> None:
    a = receive(tree["A1"], people["reception"], idempotency_key="form-123")
    b = receive(tree["A1"], people["reception"], idempotency_key="form-123")
    assert a.pk == b.pk
    assert Petition.objects.count() == 1 and PetitionEvent.objects.count() == 1
    # The key is per unit: another unit's form may use the same key.
    c = receive(tree["A2"], people["other_commune_officer"], idempotency_key="form-123")
    assert c.pk != a.pk
    # No key: two petitions.
    receive(tree["A1"], people["reception"])
    receive(tree["A1"], people["reception"])
    assert Petition.objects.filter(org_unit=tree["A1"]).count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_is_one_petition(tree: Any, people: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("true concurrency needs PostgreSQL")
    load_fields()
    unit, user = tree["A1"], people["reception"]
    results = run_together(*[lambda: receive(unit, user, idempotency_key="dup-1")] * 4)
    assert all(isinstance(r, Petition) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Petition.objects.filter(org_unit=unit).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_intake_gets_distinct_numbers(tree: Any, people: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("true concurrency needs PostgreSQL")
    unit, user = tree["A1"], people["reception"]
    results = run_together(*[lambda: receive(unit, user)] * 5)
    assert all(isinstance(r, Petition) for r in results), results
    assert sorted(r.number for r in results) == [1, 2, 3, 4, 5]


# --- permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reception", "officer", "admin", "province_officer"])
def test_intake_roles(who: str, tree: Any, people: Any) -> None:
    assert receive(tree["A1"], people[who]).pk


@pytest.mark.parametrize("who", ["viewer", "handler", "head", "other_commune", "other_commune_officer",
                                 "other_province", "other_province_officer", "nobody", "anon"])
def test_intake_refused(who: str, tree: Any, people: Any) -> None:
    with pytest.raises(PermissionDenied):
        receive(tree["A1"], people[who])
    assert not Petition.objects.exists()


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("kw", "field"), [
    ({"received_on": "2026-07-10"}, "received_on"),
    ({"received_on": None}, "received_on"),
    ({"received_on": dt.datetime(2026, 7, 10, tzinfo=dt.UTC)}, "received_on"),
    ({"received_on": D(1999, 12, 31)}, "received_on"),
    ({"channel": "fax"}, "channel"),
    ({"kind": "praise"}, "kind"),
    ({"summary": ""}, "summary"),
    ({"summary": "   "}, "summary"),
    ({"summary": "x" * 501}, "summary"),
    ({"summary": 12}, "summary"),
    ({"filer_name": "x" * 201}, "filer_name"),
    ({"filer_address": "x" * 301}, "filer_address"),
    ({"signers": 0}, "signers"),
    ({"signers": "3"}, "signers"),
    ({"signers": True}, "signers"),
    ({"signers": 40000}, "signers"),
    ({"anonymous": "no"}, "anonymous"),
    ({"round": 3}, "round"),
    ({"round": 2}, "first_round"),
    ({"idempotency_key": "k" * 101}, "idempotency_key"),
    ({"channel": "forwarded", "forwarded_by": ""}, "forwarded_by"),
    ({"forwarded_by": "UBND tỉnh"}, "channel"),
    ({"filer_name": ""}, "filer_name"),
    ({"anonymous": True, "filer_name": ""}, "anonymous"),
    ({"identity": {"name": "X"}}, "identity"),
])
def test_bad_input_names_the_field_and_saves_nothing(kw: dict[str, Any], field: str, tree: Any, people: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        receive(tree["A1"], people["reception"], **kw)
    assert field in errors_of(exc), errors_of(exc)
    assert not Petition.objects.exists() and not AuditEvent.objects.filter(action__startswith="petitions").exists()


def test_received_date_in_the_future(tree: Any, people: Any) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        receive(tree["A1"], people["reception"], received_on=tomorrow)
    assert "received_on" in errors_of(exc)
    assert receive(tree["A1"], people["reception"], received_on=timezone.localdate()).pk  # today is fine


def test_inactive_field_and_past_unit_are_refused(tree: Any, people: Any, fields: Any) -> None:
    PetitionField.objects.filter(code="land").update(active=False)
    with pytest.raises(ValidationError) as exc:
        receive(tree["A1"], people["reception"], field=PetitionField.objects.get(code="land"))
    assert "field" in errors_of(exc)
    tree["A2"].valid_to = D(2025, 6, 30)
    with pytest.raises(ValidationError) as exc:
        receive(tree["A2"], None)
    assert "org_unit" in errors_of(exc)


def test_forwarded_complaint_needs_no_filer(tree: Any, people: Any) -> None:
    p = receive(tree["A1"], people["reception"], channel="forwarded", forwarded_by="Thanh tra tỉnh Lai Châu")
    assert p.filer_name == "" and p.forwarded_by == "Thanh tra tỉnh Lai Châu"


def test_anonymous_recommendation_is_fine_but_not_with_a_name(tree: Any, people: Any) -> None:
    p = receive(tree["A1"], people["reception"], kind="feedback", anonymous=True)
    assert p.anonymous and p.filer_name == ""
    with pytest.raises(ValidationError) as exc:
        receive(tree["A1"], people["reception"], kind="feedback", anonymous=True, filer_name="Lê Văn Bình")
    assert "anonymous" in errors_of(exc)


def test_only_complaints_have_rounds(tree: Any, people: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        receive(tree["A1"], people["reception"], kind="feedback", filer_name="A", round=1)
    assert "round" in errors_of(exc)
    assert receive(tree["A1"], people["reception"], kind="feedback", filer_name="A").round is None


def test_second_round_links_a_visible_first_round(tree: Any, people: Any) -> None:
    first = receive(tree["A1"], people["reception"], received_on=D(2026, 3, 2))
    second = receive(tree["A"], people["province_officer"], first_round=first)
    assert second.round == 2 and second.first_round == first
    # Second round resolution periods: 45 days; acceptance as a complaint.
    assert second.next_due_key == "acceptance"
    # A commune cannot name a complaint of another province, nor one it cannot see.
    other = receive(tree["B1"], people["other_province_officer"])
    with pytest.raises(ValidationError) as exc:
        receive(tree["A1"], people["reception"], first_round=other)
    assert "first_round" in errors_of(exc)
    # The first round must be a first-round complaint received before.
    with pytest.raises(ValidationError) as exc:
        receive(tree["A"], people["province_officer"], first_round=second)
    assert "first_round" in errors_of(exc)
    later = receive(tree["A1"], people["reception"], received_on=D(2026, 8, 3))
    with pytest.raises(ValidationError) as exc:
        receive(tree["A1"], people["reception"], first_round=later)
    assert "first_round" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        receive(tree["A1"], people["reception"], round=1, first_round=first)
    assert "first_round" in errors_of(exc)


# --- denunciations: the whistleblower's name never on the petition -----------------------------


def test_denunciation_identity_goes_to_the_protected_record_only(tree: Any, people: Any) -> None:
    p = receive(tree["A1"], people["reception"], kind="denunciation",
                identity={"name": WHISTLEBLOWER, "address": "Bản Thẳm, xã Bình Lư"})
    row = Petition.objects.filter(pk=p.pk).values().get()
    assert WHISTLEBLOWER not in str(row) and "Bản Thẳm" not in str(row)
    assert row["filer_name"] == "" and row["filer_address"] == ""
    ident = FilerIdentity.objects.get(petition=p)
    assert WHISTLEBLOWER not in ident.ciphertext
    for ev in PetitionEvent.objects.filter(petition=p):
        assert WHISTLEBLOWER not in f"{ev.reason} {ev.data}"
    for a in AuditEvent.objects.all():
        assert WHISTLEBLOWER not in f"{a.summary} {a.actor_label}"


@pytest.mark.parametrize(("kw", "field"), [
    ({"filer_name": WHISTLEBLOWER}, "filer_name"),
    ({"filer_address": "Bản Thẳm"}, "filer_address"),
    ({"identity": None}, "identity"),
    ({"identity": {"address": "Bản Thẳm"}}, "identity"),
    ({"identity": "Trần Thị Tố Giác"}, "identity"),
    ({"identity": {"name": WHISTLEBLOWER}, "anonymous": True}, "identity"),
    ({"identity": {"name": WHISTLEBLOWER, "spouse": "X"}}, "identity"),
])
def test_denunciation_bad_filer_input(kw: dict[str, Any], field: str, tree: Any, people: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        receive(tree["A1"], people["reception"], kind="denunciation", **kw)
    assert field in errors_of(exc), errors_of(exc)
    assert not Petition.objects.exists() and not FilerIdentity.objects.exists()
    # The message never repeats the submitted name.
    assert WHISTLEBLOWER not in str(exc.value.messages)


def test_anonymous_denunciation_has_no_identity(tree: Any, people: Any) -> None:
    p = receive(tree["A1"], people["reception"], kind="denunciation", anonymous=True, identity=None)
    assert p.anonymous and not FilerIdentity.objects.filter(petition=p).exists()
