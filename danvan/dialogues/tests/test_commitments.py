"""Commitments: the promise (host unit), its progress (host or owner unit), report back, delete."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.dialogues import commitments, services
from danvan.dialogues.models import Commitment, CommitmentStatus, CommitmentUpdate, Dialogue, DialogueKind

from .test_services import World, make_world


@pytest.fixture
def w(tree: dict[str, Any], make_user: Any) -> World:
    return make_world(tree, make_user)


@pytest.fixture
def d(w: World) -> Dialogue:
    return w.dialogue(days_ago=30)


def _add(w: World, d: Dialogue, actor: Any, **overrides: Any) -> Commitment:
    values: dict[str, Any] = {"text": "Sửa đường vào bản Thẳm trước mùa mưa", "owner_unit": w.tree["A1v"],
                              "due_on": w.today + dt.timedelta(days=40)}
    values.update(overrides)
    return commitments.add_commitment(actor=actor, dialogue=d, **values)


# --------------------------------------------------------------------------- add


def test_add_numbers_in_order_and_audits(w: World, d: Dialogue) -> None:
    first = _add(w, d, w.officer, owner_person="Trưởng bản")
    second = _add(w, d, w.officer, text="Lắp đèn đường", owner_unit=w.tree["A1"], is_public=False)
    assert (first.number, second.number) == (1, 2)
    assert first.status == CommitmentStatus.OPEN and first.created_by == w.officer and first.owner_person == "Trưởng bản"
    assert second.is_public is False
    events = AuditEvent.objects.filter(action="dialogues.commitment.add").order_by("seq")
    assert [e.summary["number"] for e in events] == [1, 2]
    assert events[0].org_unit == w.tree["A1"]


def test_numbers_are_not_reused_after_delete(w: World, d: Dialogue) -> None:
    first = _add(w, d, w.officer)
    commitments.delete_commitment(actor=w.officer, commitment=first, reason="Nhầm")
    assert _add(w, d, w.officer).number == 2


@pytest.mark.parametrize("owner", [None, ""])
def test_a_commitment_needs_an_owner_unit(w: World, d: Dialogue, owner: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        _add(w, d, w.officer, owner_unit=owner)
    assert exc.value.message_dict["owner_unit"] == ["A commitment needs an owner unit."]
    assert not Commitment.objects.exists()


def test_owner_must_be_under_the_host_or_a_unit_of_the_actor(w: World, d: Dialogue) -> None:
    with pytest.raises(ValidationError) as exc:
        _add(w, d, w.officer, owner_unit=w.tree["A2"])  # a sibling commune: not theirs to commit
    assert "owner_unit" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _add(w, d, w.officer, owner_unit=w.tree["Adep"])
    # The province officer edits for the department, so may make it the owner.
    assert _add(w, d, w.province, owner_unit=w.tree["Adep"]).owner_unit == w.tree["Adep"]


def test_due_date_not_before_the_dialogue(w: World, d: Dialogue) -> None:
    with pytest.raises(ValidationError) as exc:
        _add(w, d, w.officer, due_on=d.held_on - dt.timedelta(days=1))
    assert "before the dialogue" in exc.value.message_dict["due_on"][0]
    assert _add(w, d, w.officer, due_on=d.held_on).due_on == d.held_on


@pytest.mark.parametrize(("field", "overrides"), [
    ("text", {"text": ""}),
    ("text", {"text": "   \n "}),
    ("text", {"text": "x" * 2001}),
    ("text", {"text": 12}),
    ("due_on", {"due_on": None}),
    ("due_on", {"due_on": "2026-12-31"}),
    ("owner_unit", {"owner_unit": "A1v"}),
    ("owner_person", {"owner_person": "p" * 201}),
    ("is_public", {"is_public": 1}),
])
def test_bad_input(w: World, d: Dialogue, field: str, overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as exc:
        _add(w, d, w.officer, **overrides)
    assert field in exc.value.message_dict
    assert not Commitment.objects.exists()


def test_same_text_twice_in_a_dialogue_is_refused(w: World, d: Dialogue) -> None:
    first = _add(w, d, w.officer)
    with pytest.raises(ValidationError) as exc:
        _add(w, d, w.officer, text="  sửa ĐƯỜNG vào   bản Thẳm trước mùa mưa ")
    assert "already on the list" in exc.value.message_dict["text"][0]
    assert Commitment.objects.count() == 1
    # Another dialogue may carry the same promise; a deleted one frees its text.
    other = w.dialogue(days_ago=10, title="Tiếp xúc cử tri")
    _add(w, other, w.officer)
    commitments.delete_commitment(actor=w.officer, commitment=first, reason="Nhập lại")
    _add(w, d, w.officer)


def test_only_held_live_dialogues_take_commitments(w: World) -> None:
    planned = w.dialogue(days_ago=-5, title="Sắp họp")
    with pytest.raises(ValidationError) as exc:
        _add(w, planned, w.officer, due_on=w.today + dt.timedelta(days=40))
    assert "dialogue" in exc.value.message_dict
    gone = w.dialogue(title="Đã xoá")
    services.delete_dialogue(actor=None, dialogue=gone, reason="x")
    with pytest.raises(ValidationError):
        _add(w, gone, w.officer)


@pytest.mark.parametrize("who", ["province", "head"])
def test_host_editors_and_parent_may_add(w: World, d: Dialogue, who: str) -> None:
    assert _add(w, d, getattr(w, who)).pk


@pytest.mark.parametrize("who", ["viewer", "village", "village_viewer", "sibling", "other", "nobody"])
def test_others_may_not_add(w: World, d: Dialogue, who: str) -> None:
    with pytest.raises(PermissionDenied):
        _add(w, d, getattr(w, who))
    with pytest.raises(PermissionDenied):
        _add(w, d, AnonymousUser())
    assert not Commitment.objects.exists()


# --------------------------------------------------------------------------- update (what was promised)


def test_update_commitment(w: World, d: Dialogue) -> None:
    c = _add(w, d, w.officer)
    commitments.update_commitment(actor=w.officer, commitment=c, expected_version=1,
                                  due_on=w.today + dt.timedelta(days=90), owner_person="Ông Lò Văn B")
    c.refresh_from_db()
    assert c.due_on == w.today + dt.timedelta(days=90) and c.owner_person == "Ông Lò Văn B" and c.lock_version == 2
    event = AuditEvent.objects.get(action="dialogues.commitment.update")
    assert set(event.summary) == {"due_on", "owner_person"}


def test_update_commitment_concurrent_edit(w: World, d: Dialogue) -> None:
    c = _add(w, d, w.officer)
    stale = Commitment.objects.get(pk=c.pk)
    commitments.update_commitment(actor=w.officer, commitment=c, expected_version=1, owner_person="A")
    with pytest.raises(ConcurrentEditError):
        commitments.update_commitment(actor=w.head, commitment=stale, expected_version=1, owner_person="B")
    c.refresh_from_db()
    assert c.owner_person == "A"


@pytest.mark.parametrize("who", ["village", "viewer", "sibling", "nobody"])
def test_owner_unit_and_others_may_not_change_the_promise(w: World, d: Dialogue, who: str) -> None:
    c = _add(w, d, w.officer)
    with pytest.raises(PermissionDenied):
        commitments.update_commitment(actor=getattr(w, who), commitment=c, expected_version=1, text="Khác")
    c.refresh_from_db()
    assert c.text.startswith("Sửa đường")


def test_update_commitment_bad_input(w: World, d: Dialogue) -> None:
    c = _add(w, d, w.officer)
    other = _add(w, d, w.officer, text="Lắp đèn đường")
    for fields, field in (({"due_on": d.held_on - dt.timedelta(days=1)}, "due_on"), ({"owner_unit": None}, "owner_unit"),
                          ({"text": "LẮP ĐÈN ĐƯỜNG"}, "text"), ({"status": "done"}, "status")):
        with pytest.raises(ValidationError) as exc:
            commitments.update_commitment(actor=w.officer, commitment=c, expected_version=1, **fields)
        assert field in exc.value.message_dict
    # Its own text, unchanged, is not a duplicate of itself.
    commitments.update_commitment(actor=w.officer, commitment=other, expected_version=1, text="Lắp đèn đường")


def test_due_date_of_a_done_commitment_does_not_move(w: World, d: Dialogue) -> None:
    c = _add(w, d, w.officer, due_on=w.today - dt.timedelta(days=10))
    commitments.report_progress(actor=w.village, commitment=c, expected_version=1, status=CommitmentStatus.DONE,
                                done_on=w.today - dt.timedelta(days=2), evidence="Biên bản nghiệm thu")
    with pytest.raises(ValidationError) as exc:
        commitments.update_commitment(actor=w.officer, commitment=c, expected_version=2, due_on=w.today)
    assert "due_on" in exc.value.message_dict


# --------------------------------------------------------------------------- progress


def test_progress_history_and_done_on_time(w: World, d: Dialogue) -> None:
    c = _add(w, d, w.officer)
    commitments.report_progress(actor=w.village, commitment=c, expected_version=1,
                                status=CommitmentStatus.IN_PROGRESS, note="Đã khảo sát tuyến đường")
    commitments.report_progress(actor=w.officer, commitment=c, expected_version=2, status=CommitmentStatus.DONE,
                                done_on=w.today, evidence="Biên bản nghiệm thu ngày hôm nay", note="Xong")
    c.refresh_from_db()
    assert c.status == CommitmentStatus.DONE and c.done_on == w.today and c.lock_version == 3
    assert Commitment.objects.kept_on_time().filter(pk=c.pk).exists()
    history = list(CommitmentUpdate.objects.filter(commitment=c).values_list("status", "note", "actor"))
    assert history == [("in_progress", "Đã khảo sát tuyến đường", w.village.pk), ("done", "Xong", w.officer.pk)]
    assert AuditEvent.objects.filter(action="dialogues.commitment.progress").count() == 2


@pytest.mark.parametrize(("fields", "field"), [
    ({"status": "done", "evidence": "Ảnh"}, "done_on"),
    ({"status": "done", "done_on": "2026-01-01", "evidence": "Ảnh"}, "done_on"),
    ({"status": "done", "done_on": "TODAY", "evidence": ""}, "evidence"),
    ({"status": "done", "done_on": "TODAY", "evidence": "   "}, "evidence"),
    ({"status": "done", "done_on": "TOMORROW", "evidence": "Ảnh"}, "done_on"),
    ({"status": "done", "done_on": "BEFORE", "evidence": "Ảnh"}, "done_on"),
    ({"status": "dropped"}, "note"),
    ({"status": "in_progress", "done_on": "TODAY", "note": "x"}, "done_on"),
    ({"status": "open"}, "note"),  # nothing new to report
    ({"status": "finished"}, "status"),
    ({"status": "in_progress", "note": "n" * 5001}, "note"),
])
def test_progress_bad_input(w: World, d: Dialogue, fields: dict[str, Any], field: str) -> None:
    c = _add(w, d, w.officer)
    days = {"TODAY": w.today, "TOMORROW": w.today + dt.timedelta(days=1), "BEFORE": d.held_on - dt.timedelta(days=1)}
    if fields.get("done_on") in days:
        fields = {**fields, "done_on": days[fields["done_on"]]}
    with pytest.raises(ValidationError) as exc:
        commitments.report_progress(actor=w.village, commitment=c, expected_version=1, **fields)
    assert field in exc.value.message_dict
    c.refresh_from_db()
    assert c.status == CommitmentStatus.OPEN and c.lock_version == 1
    assert not CommitmentUpdate.objects.exists()


def test_dropped_with_explanation_and_reopen_clears_done_date(w: World, d: Dialogue) -> None:
    c = _add(w, d, w.officer)
    commitments.report_progress(actor=w.village, commitment=c, expected_version=1, status="done",
                                done_on=w.today, evidence="Ảnh chụp")
    commitments.report_progress(actor=w.village, commitment=c, expected_version=2, status="in_progress",
                                note="Đường bị sạt lở lại")
    c.refresh_from_db()
    assert c.status == "in_progress" and c.done_on is None and c.evidence == "Ảnh chụp"
    commitments.report_progress(actor=w.officer, commitment=c, expected_version=3, status="dropped",
                                note="Không có vốn; chuyển đề xuất lên tỉnh")
    c.refresh_from_db()
    assert c.status == "dropped"


def test_concurrent_progress_reports(w: World, d: Dialogue) -> None:
    c = _add(w, d, w.officer)
    stale = Commitment.objects.get(pk=c.pk)
    commitments.report_progress(actor=w.village, commitment=c, expected_version=1, status="in_progress", note="A")
    with pytest.raises(ConcurrentEditError):
        commitments.report_progress(actor=w.officer, commitment=stale, expected_version=stale.lock_version,
                                    status="done", done_on=w.today, evidence="B")
    c.refresh_from_db()
    assert c.status == "in_progress"
    assert CommitmentUpdate.objects.count() == 1


@pytest.mark.parametrize("who", ["province", "officer", "head", "village"])
def test_host_parent_and_owner_editors_may_report(w: World, d: Dialogue, who: str) -> None:
    c = _add(w, d, w.officer)
    commitments.report_progress(actor=getattr(w, who), commitment=c, expected_version=1, status="in_progress",
                                note="Đang làm")
    c.refresh_from_db()
    assert c.status == "in_progress"


@pytest.mark.parametrize("who", ["viewer", "village_viewer", "sibling", "other", "nobody"])
def test_others_may_not_report(w: World, d: Dialogue, who: str) -> None:
    c = _add(w, d, w.officer)
    with pytest.raises(PermissionDenied):
        commitments.report_progress(actor=getattr(w, who), commitment=c, expected_version=1, status="in_progress",
                                    note="x")
    with pytest.raises(PermissionDenied):
        commitments.report_progress(actor=AnonymousUser(), commitment=c, expected_version=1, status="in_progress",
                                    note="x")
    assert not CommitmentUpdate.objects.exists()


def test_owner_of_another_unit_cannot_report_on_commitments_it_does_not_own(w: World, d: Dialogue) -> None:
    c = _add(w, d, w.officer, owner_unit=w.tree["A1"])  # owned by the commune, not the village
    with pytest.raises(PermissionDenied):
        commitments.report_progress(actor=w.village, commitment=c, expected_version=1, status="in_progress", note="x")


# --------------------------------------------------------------------------- report back


def test_report_back(w: World, d: Dialogue) -> None:
    c1 = _add(w, d, w.officer)
    c2 = _add(w, d, w.officer, text="Lắp đèn đường")
    later = w.dialogue(days_ago=1, title="Đối thoại quý sau", previous=d)
    assert commitments.report_back(actor=w.officer, dialogue=later, commitment_ids=[c1.pk, c2.pk, c1.pk]) == 2
    assert set(Commitment.objects.filter(reported_at=later).values_list("pk", flat=True)) == {c1.pk, c2.pk}
    assert AuditEvent.objects.get(action="dialogues.commitment.report_back").summary["commitments"] == [c1.pk, c2.pk]


def test_report_back_refuses_other_units_later_and_own_commitments(w: World, d: Dialogue) -> None:
    mine = _add(w, d, w.officer)
    other_unit = w.dialogue(unit="A2", days_ago=60)
    foreign = commitments.add_commitment(actor=None, dialogue=other_unit, text="Khác", owner_unit=w.tree["A2"],
                                         due_on=w.today)
    earlier = w.dialogue(days_ago=90, title="Trước đó")
    for ids in ([foreign.pk], [mine.pk], [999999], [], "1", [True], None):
        with pytest.raises(ValidationError) as exc:
            commitments.report_back(actor=w.officer, dialogue=earlier if ids == [mine.pk] else d, commitment_ids=ids)
        assert "commitment_ids" in exc.value.message_dict
    assert not Commitment.objects.filter(reported_at__isnull=False).exists()


@pytest.mark.parametrize("who", ["viewer", "village", "sibling", "nobody"])
def test_report_back_needs_a_host_editor(w: World, d: Dialogue, who: str) -> None:
    c = _add(w, d, w.officer)
    later = w.dialogue(days_ago=1, title="Sau")
    with pytest.raises(PermissionDenied):
        commitments.report_back(actor=getattr(w, who), dialogue=later, commitment_ids=[c.pk])
    c.refresh_from_db()
    assert c.reported_at is None


# --------------------------------------------------------------------------- delete


def test_soft_delete_commitment_is_audited(w: World, d: Dialogue) -> None:
    c = _add(w, d, w.officer)
    with pytest.raises(ValidationError) as exc:
        commitments.delete_commitment(actor=w.officer, commitment=c, reason="")
    assert "reason" in exc.value.message_dict
    for who in (w.village, w.viewer, w.sibling):
        with pytest.raises(PermissionDenied):
            commitments.delete_commitment(actor=who, commitment=c, reason="x")
    commitments.delete_commitment(actor=w.officer, commitment=c, reason="Nhập trùng")
    assert Commitment.objects.filter(pk=c.pk).exists() and not Commitment.objects.live().filter(pk=c.pk).exists()
    event = AuditEvent.objects.get(action="dialogues.commitment.delete")
    assert event.summary["reason"] == "Nhập trùng" and event.actor == w.officer
    with pytest.raises(ValidationError):
        commitments.report_progress(actor=w.village, commitment=c, expected_version=2, status="in_progress", note="x")


def test_front_dialogue_commitments_work_the_same(w: World) -> None:
    front = w.dialogue(kind=DialogueKind.FRONT, title="Đối thoại với MTTQ")
    c = _add(w, front, w.head, owner_unit=w.tree["A1"])
    assert c.dialogue.kind == DialogueKind.FRONT
