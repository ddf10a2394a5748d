"""Residents' decisions: the law's arithmetic, the 5-working-day sending deadline, permissions at every
boundary, bad input (nothing saved), duplicates and concurrent edits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from danvan.core.calendar import add_working_days
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.disclosures import decisions
from danvan.disclosures.models import DecisionForm, Matter, ResidentDecision, Threshold

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
HELD = TODAY - dt.timedelta(days=20)


def record(unit: Any, actor: Any = None, **kw: Any) -> ResidentDecision:
    kw.setdefault("matter", Matter.CONTRIBUTION)
    kw.setdefault("title", "Đóng góp làm đường bê tông nội bản")
    kw.setdefault("form", DecisionForm.MEETING)
    kw.setdefault("held_on", HELD)
    kw.setdefault("decided_on", HELD)
    kw.setdefault("households_total", 80)
    kw.setdefault("households_participating", 70)
    kw.setdefault("votes_for", 60)
    kw.setdefault("votes_against", 10)
    return decisions.record_decision(actor=actor, org_unit=unit, **kw)


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are checked against their English msgids, whatever the Vietnamese catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def people(tree: dict, make_user: Any) -> dict[str, Any]:
    return {
        "officer": make_user("officer", (tree["A1"], "officer")),
        "head": make_user("head", (tree["A1"], "head")),
        "admin": make_user("admin", (tree["A1"], "admin")),
        "viewer": make_user("viewer", (tree["A1"], "viewer")),
        "front": make_user("front", (tree["A1"], "front_supervisor")),
        "reception": make_user("reception", (tree["A1"], "reception_officer")),
        "village_officer": make_user("village_officer", (tree["A1v"], "officer")),
        "province_officer": make_user("province_officer", (tree["A"], "officer")),
        "sibling": make_user("sibling", (tree["A2"], "admin")),
        "other_province": make_user("other_province", (tree["B"], "admin")),
        "nobody": make_user("nobody"),
        "anon": AnonymousUser(),
    }


# --------------------------------------------------------------------------- arithmetic


@pytest.mark.parametrize(("threshold", "total", "took", "yes", "needed", "quorum", "passed"), [
    (Threshold.TWO_THIRDS, 80, 70, 60, 54, True, True),   # the example of the brief: 54/80 needed, 60 reached
    (Threshold.TWO_THIRDS, 80, 70, 54, 54, True, True),   # exactly two thirds rounded up
    (Threshold.TWO_THIRDS, 80, 70, 53, 54, True, False),
    (Threshold.TWO_THIRDS, 3, 3, 2, 2, True, True),
    (Threshold.TWO_THIRDS, 90, 90, 59, 60, True, False),  # 2/3 of 90 is exactly 60
    (Threshold.MAJORITY, 80, 41, 41, 41, True, True),     # more than half: 41 of 80
    (Threshold.MAJORITY, 80, 41, 40, 41, True, False),    # exactly half is not more than half
    (Threshold.MAJORITY, 81, 41, 41, 41, True, True),
    (Threshold.MAJORITY, 80, 40, 40, 41, False, False),   # half took part: no quorum
    (Threshold.TWO_THIRDS, 80, 40, 40, 54, False, False),
])
def test_outcome(threshold: str, total: int, took: int, yes: int, needed: int, quorum: bool, passed: bool) -> None:
    o = decisions.outcome(threshold=threshold, households_total=total, households_participating=took, votes_for=yes)
    assert (o.needed, o.quorum_met, o.passed) == (needed, quorum, passed)
    assert o.share_for == round(yes * 100 / total, 1)


def test_shares_are_of_all_households_not_of_those_present(tree: dict) -> None:
    # 45 of the 50 present agreed (90 %), but 45 of 80 households is less than two thirds: not passed.
    d = record(tree["A1v"], households_participating=50, votes_for=45, votes_against=5)
    assert d.threshold == Threshold.TWO_THIRDS and d.passed is False
    assert decisions.outcome_of(d).share_for == 56.2


def test_matter_sets_the_threshold(tree: dict) -> None:
    d = record(tree["A1v"], matter=Matter.VILLAGE_HEAD, title="Bầu trưởng bản", votes_for=45, votes_against=25)
    assert (d.threshold, d.passed) == (Threshold.MAJORITY, True)
    d2 = record(tree["A1v"], matter=Matter.COMMUNITY_FUND, title="Quỹ khuyến học", votes_for=45, votes_against=25)
    assert (d2.threshold, d2.passed) == (Threshold.TWO_THIRDS, False)


def test_explain_says_the_rule_in_words(tree: dict) -> None:
    lines = decisions.explain(record(tree["A1v"]))
    assert "54" in lines[1] and "80" in lines[1] and "60" in lines[1] and "two thirds" in lines[1]
    assert "41" in lines[0] and "70" in lines[0]
    assert lines[-1] == "Result: passed."
    failed = decisions.explain(record(tree["A1v"], title="Khác", households_participating=30, votes_for=30,
                                      votes_against=0))
    assert failed[-1] == "Result: not passed, too few households took part."
    few = decisions.explain(record(tree["A1v"], title="Khác 2", votes_for=50, votes_against=20))
    assert few[-1] == "Result: not passed, too few households agreed."


# --------------------------------------------------------------------------- writes


def test_record_happy_path(tree: dict, people: dict) -> None:
    d = record(tree["A1v"], people["officer"], content="Mỗi hộ góp 2 ngày công")
    assert d.passed is True and d.threshold == Threshold.TWO_THIRDS
    assert d.send_due_on == add_working_days(HELD, 5)
    assert d.created_by == people["officer"] and d.lock_version == 1
    ev = AuditEvent.objects.get(action="disclosures.decision.record")
    assert ev.object_id == str(d.pk) and ev.org_unit_id == tree["A1v"].pk and ev.summary["passed"] is True


def test_send_deadline_counts_working_days_from_the_meeting(tree: dict) -> None:
    # Friday 26/04/2024, then the 30/4 – 1/5 holidays: five working days end on Tuesday 07/05/2024.
    d = record(tree["A1v"], held_on=dt.date(2024, 4, 26), decided_on=dt.date(2024, 4, 27))
    assert d.send_due_on == dt.date(2024, 5, 7)


def test_send_deadline_of_a_ballot_counts_from_the_end_of_the_vote(tree: dict) -> None:
    d = record(tree["A1v"], form=DecisionForm.BALLOT, held_on=HELD, decided_on=HELD + dt.timedelta(days=6))
    assert d.send_due_on == add_working_days(HELD + dt.timedelta(days=6), 5)


def _no_decision_saved() -> None:
    assert ResidentDecision.objects.count() == 0


@pytest.mark.parametrize(("kw", "field", "message"), [
    ({"votes_for": 60, "votes_against": 20}, "votes_for",
     "The households for and against (80) are more than the households taking part (70)."),
    ({"households_participating": 81}, "households_participating",
     "More households took part (81) than there are in the village (80)."),
    ({"decided_on": HELD - dt.timedelta(days=1)}, "decided_on", "before the meeting or vote"),
    ({"held_on": TODAY + dt.timedelta(days=1), "decided_on": TODAY + dt.timedelta(days=1)}, "held_on",
     "cannot be in the future"),
    ({"sent_to_commune_on": HELD - dt.timedelta(days=1)}, "sent_to_commune_on", "before the meeting or vote"),
    ({"sent_to_commune_on": TODAY + dt.timedelta(days=1)}, "sent_to_commune_on", "cannot be in the future"),
    ({"title": ""}, "title", "This field is required."),
    ({"title": "x" * 256}, "title", "at most 255 characters"),
    ({"households_total": "80"}, "households_total", "Enter a whole number."),
    ({"households_total": True}, "households_total", "Enter a whole number."),
    ({"households_total": 0}, "households_total", "at least 1"),
    ({"votes_against": -1}, "votes_against", "cannot be negative"),
    ({"votes_for": None}, "votes_for", "This field is required."),
    ({"matter": "tax"}, "matter", "Choose the matter"),
    ({"form": "shouting"}, "form", "Choose how"),
    ({"held_on": "2025-01-01"}, "held_on", "Enter a valid date."),
    ({"held_on": dt.date(1999, 12, 31), "decided_on": dt.date(1999, 12, 31)}, "held_on", "01/01/2000"),
    ({"content": "x" * 10_001}, "content", "at most 10000 characters"),
])
def test_bad_input_names_the_field_and_saves_nothing(tree: dict, people: dict, kw: dict, field: str,
                                                     message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        record(tree["A1v"], people["officer"], **kw)
    assert message in " ".join(exc.value.message_dict[field])
    _no_decision_saved()
    assert not AuditEvent.objects.filter(action__startswith="disclosures.decision").exists()


def test_every_problem_is_reported_at_once(tree: dict) -> None:
    with pytest.raises(ValidationError) as exc:
        record(tree["A1v"], title="", households_participating=90, matter="x")
    assert {"title", "households_participating", "matter"} <= set(exc.value.message_dict)


def test_duplicate_is_refused(tree: dict, people: dict) -> None:
    record(tree["A1v"], people["officer"])
    with pytest.raises(ValidationError) as exc:
        record(tree["A1v"], people["officer"], title="  Đóng góp làm đường  bê tông nội bản ")
    assert "already recorded" in exc.value.message_dict["title"][0]
    assert ResidentDecision.objects.count() == 1
    # Another day, another village, or after the first was deleted: allowed.
    record(tree["A1v"], held_on=HELD - dt.timedelta(days=1), decided_on=HELD - dt.timedelta(days=1))
    record(tree["A1"])
    assert ResidentDecision.objects.count() == 3


def test_closed_unit_is_refused(tree: dict) -> None:
    unit = tree["A1v"]
    unit.valid_to = TODAY
    with pytest.raises(ValidationError) as exc:
        record(unit)
    assert "org_unit" in exc.value.message_dict


@pytest.mark.parametrize(("who", "can_change", "can_read", "can_delete"), [
    ("officer", True, True, False), ("head", True, True, True), ("admin", True, True, True),
    ("viewer", False, True, False), ("front", False, True, False), ("reception", False, True, False),
    ("village_officer", True, True, False), ("province_officer", True, True, False),
    ("sibling", False, False, False), ("other_province", False, False, False), ("nobody", False, False, False),
    ("anon", False, False, False),
])
def test_permission_boundaries(tree: dict, people: dict, who: str, can_change: bool, can_read: bool,
                               can_delete: bool) -> None:
    user = people[who]
    d = record(tree["A1v"])
    assert user.has_perm("disclosures.change", d) is can_change
    assert user.has_perm("disclosures.delete", d) is can_delete
    assert (decisions.decision_for(user, d.pk) is not None) is can_read
    assert (d in decisions.decisions_page(user).items) is can_read
    if can_change:
        decisions.update_decision(actor=user, decision=d, expected_version=d.lock_version, votes_for=59)
        assert d.votes_for == 59
    else:
        with pytest.raises(PermissionDenied):
            decisions.update_decision(actor=user, decision=d, expected_version=d.lock_version, votes_for=59)
        with pytest.raises(PermissionDenied):
            record(tree["A1v"], user, title="Khác")
        with pytest.raises(PermissionDenied):
            decisions.mark_sent(actor=user, decision=d, expected_version=d.lock_version, sent_on=TODAY)
        assert ResidentDecision.objects.count() == 1
    if can_delete:
        decisions.delete_decision(actor=user, decision=d, reason="Nhập nhầm")
        assert decisions.decision_for(user, d.pk) is None
    else:
        with pytest.raises(PermissionDenied):
            decisions.delete_decision(actor=user, decision=d, reason="Nhập nhầm")


def test_village_officer_cannot_record_for_the_commune(tree: dict, people: dict) -> None:
    with pytest.raises(PermissionDenied):
        record(tree["A1"], people["village_officer"])


def test_update_recomputes_the_result_and_the_deadline(tree: dict, people: dict) -> None:
    d = record(tree["A1v"], people["officer"])
    decisions.update_decision(actor=people["officer"], decision=d, expected_version=1, votes_for=50, votes_against=20,
                              form=DecisionForm.BALLOT, decided_on=HELD + dt.timedelta(days=3))
    d.refresh_from_db()
    assert (d.passed, d.lock_version, d.votes_for) == (False, 2, 50)
    assert d.send_due_on == add_working_days(HELD + dt.timedelta(days=3), 5)
    decisions.update_decision(actor=people["officer"], decision=d, expected_version=2, matter=Matter.CONVENTION)
    d.refresh_from_db()
    assert (d.threshold, d.passed) == (Threshold.MAJORITY, True)
    ev = AuditEvent.objects.filter(action="disclosures.decision.update").order_by("seq").first()
    assert ev is not None and ev.summary["changed"] == ["decided_on", "form", "votes_against", "votes_for"]


def test_update_bad_input_keeps_the_record(tree: dict, people: dict) -> None:
    d = record(tree["A1v"], people["officer"])
    with pytest.raises(ValidationError) as exc:
        decisions.update_decision(actor=people["officer"], decision=d, expected_version=1, households_total=60)
    assert "households_participating" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        decisions.update_decision(actor=people["officer"], decision=d, expected_version=1, org_unit=tree["A2"])
    assert "org_unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        decisions.update_decision(actor=people["officer"], decision=d, expected_version="1", title="x")
    assert "expected_version" in exc.value.message_dict
    fresh = ResidentDecision.objects.get(pk=d.pk)
    assert (fresh.households_total, fresh.lock_version, fresh.org_unit_id) == (80, 1, tree["A1v"].pk)


def test_update_to_a_duplicate_is_refused(tree: dict) -> None:
    record(tree["A1v"])
    other = record(tree["A1v"], title="Bầu trưởng bản", matter=Matter.VILLAGE_HEAD)
    with pytest.raises(ValidationError) as exc:
        decisions.update_decision(actor=None, decision=other, expected_version=1,
                                  title="Đóng góp làm đường bê tông nội bản")
    assert "title" in exc.value.message_dict


def test_concurrent_edit_is_refused_and_loses_nothing(tree: dict, people: dict) -> None:
    d = record(tree["A1v"], people["officer"])
    first = ResidentDecision.objects.get(pk=d.pk)
    second = ResidentDecision.objects.get(pk=d.pk)
    decisions.update_decision(actor=people["officer"], decision=first, expected_version=1, votes_for=58)
    with pytest.raises(ConcurrentEditError):
        decisions.update_decision(actor=people["head"], decision=second, expected_version=1, votes_for=57)
    with pytest.raises(ConcurrentEditError):
        decisions.mark_sent(actor=people["head"], decision=second, expected_version=1, sent_on=TODAY)
    d.refresh_from_db()
    assert (d.votes_for, d.lock_version, d.sent_to_commune_on) == (58, 2, None)


def test_mark_sent(tree: dict, people: dict) -> None:
    officer = people["officer"]
    d = record(tree["A1v"], officer)
    for bad, message in [(HELD - dt.timedelta(days=1), "before the meeting"),
                         (TODAY + dt.timedelta(days=1), "future"), (None, "required"), ("hôm nay", "valid date")]:
        with pytest.raises(ValidationError) as exc:
            decisions.mark_sent(actor=officer, decision=d, expected_version=1, sent_on=bad)
        assert message in exc.value.message_dict["sent_on"][0]
    assert ResidentDecision.objects.get(pk=d.pk).sent_to_commune_on is None
    decisions.mark_sent(actor=officer, decision=d, expected_version=1, sent_on=TODAY)
    assert decisions.send_state(d) == decisions.SendState.SENT_LATE  # held 20 days ago: late, but recorded
    with pytest.raises(ValidationError) as exc:
        decisions.mark_sent(actor=officer, decision=d, expected_version=2, sent_on=TODAY)
    assert "already recorded as sent" in exc.value.message_dict["sent_on"][0]
    ev = AuditEvent.objects.get(action="disclosures.decision.sent")
    assert ev.summary["late"] is True


def test_send_states(tree: dict) -> None:
    recent = record(tree["A1v"], title="Mới họp", held_on=TODAY, decided_on=TODAY)
    assert decisions.send_state(recent) == decisions.SendState.PENDING
    old = record(tree["A1v"])
    assert decisions.send_state(old) == decisions.SendState.OVERDUE
    on_time = record(tree["A1v"], title="Gửi đúng hạn", sent_to_commune_on=HELD + dt.timedelta(days=1))
    assert decisions.send_state(on_time) == decisions.SendState.SENT


def test_not_sent_in_time(tree: dict) -> None:
    late = record(tree["A1v"])
    record(tree["A1v"], title="Mới họp", held_on=TODAY, decided_on=TODAY)
    record(tree["A1v"], title="Đã gửi", sent_to_commune_on=HELD + dt.timedelta(days=10))
    gone = record(tree["A1v"], title="Nhập nhầm")
    decisions.delete_decision(actor=None, decision=gone, reason="Nhập nhầm")
    assert list(decisions.not_sent_in_time()) == [late]
    # On the due day itself it is not late yet; the day after it is.
    assert late.send_due_on is not None
    assert list(decisions.not_sent_in_time(today=late.send_due_on)) == []
    assert list(decisions.not_sent_in_time(today=late.send_due_on + dt.timedelta(days=1))) == [late]


def test_delete_needs_a_reason_and_is_audited(tree: dict, people: dict) -> None:
    d = record(tree["A1v"])
    with pytest.raises(ValidationError) as exc:
        decisions.delete_decision(actor=people["head"], decision=d, reason="  ")
    assert "reason" in exc.value.message_dict
    assert ResidentDecision.objects.get(pk=d.pk).deleted_at is None
    decisions.delete_decision(actor=people["head"], decision=d, reason="Trùng biên bản")
    assert ResidentDecision.objects.get(pk=d.pk).deleted_at is not None
    assert AuditEvent.objects.get(action="disclosures.decision.delete").summary["reason"] == "Trùng biên bản"
    with pytest.raises(ValidationError):
        decisions.update_decision(actor=people["head"], decision=d, expected_version=2, title="x")
    assert decisions.decisions_for(people["head"]).count() == 0


def test_page_filters_and_keyset(tree: dict, people: dict) -> None:
    officer = people["officer"]
    for i in range(5):
        record(tree["A1v"], title=f"Quyết định {i}", held_on=HELD - dt.timedelta(days=i),
               decided_on=HELD - dt.timedelta(days=i), votes_for=60 if i % 2 == 0 else 40, votes_against=0)
    record(tree["A1"], title="Cấp xã", matter=Matter.CONVENTION, held_on=TODAY, decided_on=TODAY)
    first = decisions.decisions_page(officer, limit=4)
    assert [d.title for d in first.items] == ["Cấp xã", "Quyết định 0", "Quyết định 1", "Quyết định 2"]
    second = decisions.decisions_page(officer, limit=4, after=first.next)
    assert [d.title for d in second.items] == ["Quyết định 3", "Quyết định 4"] and second.next is None
    assert len(decisions.decisions_page(officer, passed=False).items) == 2
    assert len(decisions.decisions_page(officer, matter=Matter.CONVENTION).items) == 1
    assert len(decisions.decisions_page(officer, unit=tree["A1v"]).items) == 5
    assert len(decisions.decisions_page(officer, sending=decisions.SendState.OVERDUE).items) == 5
    assert len(decisions.decisions_page(officer, sending=decisions.SendState.PENDING).items) == 1
    assert len(decisions.decisions_page(officer, year=TODAY.year + 1).items) == 0
    with pytest.raises(ValidationError):
        decisions.decisions_page(officer, after="not-a-cursor")
