"""Dialogues: recording, correcting, marking held, cancelling, deleting — and who may do each.

``World`` (a plain helper, imported by the other test modules of this app) is the cast: the host
commune A1's officer, head and viewer, its village A1v's officer (an owner unit), the province's
officer (parent unit), the sibling commune A2's officer, another province's officer, a user with
no membership and an anonymous visitor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.dialogues import commitments, services
from danvan.dialogues.models import Commitment, Dialogue, DialogueKind, DialogueStatus
from danvan.dialogues.queries import commitments_for, dialogues_for


@dataclass
class World:
    tree: dict[str, Any]
    officer: Any  # A1 officer (host unit)
    head: Any  # A1 head
    viewer: Any  # A1 viewer
    village: Any  # A1v officer (owner unit of some commitments)
    village_viewer: Any
    province: Any  # A officer (parent unit)
    sibling: Any  # A2 officer
    other: Any  # B officer (other province)
    nobody: Any  # no membership

    @property
    def today(self) -> dt.date:
        return timezone.localdate()

    def dialogue(self, *, unit: str = "A1", days_ago: int = 30, title: str = "Đối thoại với nhân dân",
                 kind: str = DialogueKind.CITIZENS, **extra: Any) -> Dialogue:
        return services.create_dialogue(actor=None, org_unit=self.tree[unit], kind=kind, title=title,
                                        held_on=self.today - dt.timedelta(days=days_ago), **extra)

    def commitment(self, dialogue: Dialogue, *, text: str = "Sửa đường bản Thẳm", owner: str = "A1v",
                   due_in: int = 60, **extra: Any) -> Commitment:
        return commitments.add_commitment(actor=None, dialogue=dialogue, text=text, owner_unit=self.tree[owner],
                                          due_on=self.today + dt.timedelta(days=due_in), **extra)


def make_world(tree: dict[str, Any], make_user: Any) -> World:
    return World(
        tree=tree,
        officer=make_user("a1_officer", (tree["A1"], "officer")),
        head=make_user("a1_head", (tree["A1"], "head")),
        viewer=make_user("a1_viewer", (tree["A1"], "viewer")),
        village=make_user("a1v_officer", (tree["A1v"], "officer")),
        village_viewer=make_user("a1v_viewer", (tree["A1v"], "viewer")),
        province=make_user("a_officer", (tree["A"], "officer")),
        sibling=make_user("a2_officer", (tree["A2"], "officer")),
        other=make_user("b_officer", (tree["B"], "officer")),
        nobody=make_user("nobody"),
    )


@pytest.fixture
def w(tree: dict[str, Any], make_user: Any) -> World:
    return make_world(tree, make_user)


def _create(w: World, actor: Any, **overrides: Any) -> Dialogue:
    values: dict[str, Any] = {"org_unit": w.tree["A1"], "kind": DialogueKind.CITIZENS,
                              "title": "Đối thoại quý I", "held_on": w.today - dt.timedelta(days=3)}
    values.update(overrides)
    return services.create_dialogue(actor=actor, **values)


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


# --------------------------------------------------------------------------- create


def test_create_past_dialogue_is_held_and_audited(w: World) -> None:
    d = _create(w, w.officer, place="Hội trường UBND xã", participants=85, topics="Đường giao thông\nNước sạch",
                starts_at=dt.time(8, 0), chaired_by="Ông Lò Văn A, Chủ tịch UBND xã")
    assert d.status == DialogueStatus.HELD
    assert d.created_by == w.officer and d.participants == 85 and d.lock_version == 1
    assert d.topics == "Đường giao thông\nNước sạch"
    [event] = _events("dialogues.dialogue.create")
    assert event.actor == w.officer and event.org_unit == w.tree["A1"] and event.object_id == str(d.pk)
    assert event.summary["status"] == "held"


def test_today_is_held_and_future_is_planned(w: World) -> None:
    assert _create(w, w.officer, held_on=w.today).status == DialogueStatus.HELD
    later = _create(w, w.officer, title="Đối thoại quý III", held_on=w.today + dt.timedelta(days=1))
    assert later.status == DialogueStatus.PLANNED


@pytest.mark.parametrize("who", ["province", "head"])
def test_parent_unit_and_head_may_create(w: World, who: str) -> None:
    assert _create(w, getattr(w, who)).pk


@pytest.mark.parametrize("who", ["viewer", "sibling", "other", "nobody", "village"])
def test_others_may_not_create(w: World, who: str) -> None:
    with pytest.raises(PermissionDenied):
        _create(w, getattr(w, who))
    assert not Dialogue.objects.exists()


def test_anonymous_may_not_create(w: World) -> None:
    with pytest.raises(PermissionDenied):
        _create(w, AnonymousUser())


def test_village_officer_may_create_for_the_village(w: World) -> None:
    assert _create(w, w.village, org_unit=w.tree["A1v"]).org_unit == w.tree["A1v"]


@pytest.mark.parametrize(("field", "overrides"), [
    ("title", {"title": "   "}),
    ("title", {"title": "x" * 256}),
    ("kind", {"kind": "party"}),
    ("held_on", {"held_on": None}),
    ("held_on", {"held_on": "2026-01-01"}),
    ("held_on", {"held_on": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}),
    ("starts_at", {"starts_at": "08:00"}),
    ("participants", {"participants": -1}),
    ("participants", {"participants": True}),
    ("participants", {"participants": "12"}),
    ("is_public", {"is_public": "yes"}),
    ("place", {"place": "p" * 256}),
    ("minutes", {"minutes": "m" * 50001}),
    ("org_unit", {"org_unit": None}),
])
def test_bad_input_names_the_field_and_saves_nothing(w: World, field: str, overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as exc:
        _create(w, w.officer, **overrides)
    assert field in exc.value.message_dict
    assert not Dialogue.objects.exists()
    assert not _events("dialogues.dialogue.create")


def test_closed_unit_is_refused(w: World) -> None:
    unit = w.tree["A2"]
    unit.valid_to = w.today - dt.timedelta(days=10)
    unit.save()
    with pytest.raises(ValidationError) as exc:
        _create(w, None, org_unit=unit)
    assert "org_unit" in exc.value.message_dict


def test_double_submit_is_refused_not_duplicated(w: World) -> None:
    first = _create(w, w.officer)
    with pytest.raises(ValidationError) as exc:
        _create(w, w.officer, title="  đối thoại QUÝ I ")
    assert "already has a dialogue" in exc.value.message_dict["title"][0]
    assert Dialogue.objects.count() == 1
    # Another day, or another unit, is another dialogue.
    _create(w, w.officer, held_on=w.today - dt.timedelta(days=4))
    _create(w, None, org_unit=w.tree["A2"])
    # Once deleted, the same one can be entered again.
    services.delete_dialogue(actor=w.head, dialogue=first, reason="Nhập nhầm")
    assert _create(w, w.officer).pk != first.pk


def test_previous_must_be_an_earlier_live_dialogue_of_the_same_unit(w: World) -> None:
    earlier = w.dialogue(days_ago=100, title="Đối thoại năm trước")
    d = _create(w, w.officer, previous=earlier)
    assert d.previous == earlier
    sibling = w.dialogue(unit="A2", days_ago=100)
    later = w.dialogue(days_ago=1, title="Đối thoại hôm qua")
    planned = w.dialogue(days_ago=-5, title="Sắp tới")
    services.cancel_dialogue(actor=None, dialogue=planned, expected_version=1, reason="Mưa lũ")
    for bad in (sibling, later, planned, "5"):
        with pytest.raises(ValidationError) as exc:
            _create(w, w.officer, title=f"Lần {bad!s}", previous=bad)
        assert exc.value.message_dict["previous"] == ["Choose an earlier dialogue of the same unit."]


# --------------------------------------------------------------------------- update


def test_update_changes_only_given_fields_and_bumps_version(w: World) -> None:
    d = _create(w, w.officer, place="Nhà văn hoá")
    services.update_dialogue(actor=w.officer, dialogue=d, expected_version=1, title="Đối thoại quý I/2026",
                             minutes="Biên bản…")
    d.refresh_from_db()
    assert (d.title, d.place, d.minutes, d.lock_version) == ("Đối thoại quý I/2026", "Nhà văn hoá", "Biên bản…", 2)
    [event] = _events("dialogues.dialogue.update")
    assert event.summary["title"] == ["Đối thoại quý I", "Đối thoại quý I/2026"]
    assert event.summary["minutes"] == [0, len("Biên bản…")]  # lengths, not the minutes


def test_concurrent_edit_is_refused_and_first_edit_kept(w: World) -> None:
    d = _create(w, w.officer)
    stale = Dialogue.objects.get(pk=d.pk)
    services.update_dialogue(actor=w.officer, dialogue=d, expected_version=1, place="Hội trường")
    with pytest.raises(ConcurrentEditError):
        services.update_dialogue(actor=w.head, dialogue=stale, expected_version=stale.lock_version, place="Sân")
    d.refresh_from_db()
    assert d.place == "Hội trường" and d.lock_version == 2
    assert len(_events("dialogues.dialogue.update")) == 1


@pytest.mark.parametrize("version", [None, "1", True])
def test_update_needs_a_version(w: World, version: Any) -> None:
    d = _create(w, w.officer)
    with pytest.raises(ValidationError) as exc:
        services.update_dialogue(actor=w.officer, dialogue=d, expected_version=version, place="x")
    assert "expected_version" in exc.value.message_dict


@pytest.mark.parametrize("who", ["viewer", "sibling", "other", "nobody", "village"])
def test_others_may_not_update(w: World, who: str) -> None:
    d = _create(w, w.officer)
    with pytest.raises(PermissionDenied):
        services.update_dialogue(actor=getattr(w, who), dialogue=d, expected_version=1, place="x")
    d.refresh_from_db()
    assert d.place == "" and d.lock_version == 1


def test_update_refuses_unknown_fields_and_bad_dates(w: World) -> None:
    d = _create(w, w.officer)
    with pytest.raises(ValidationError) as exc:
        services.update_dialogue(actor=w.officer, dialogue=d, expected_version=1, status="planned")
    assert "status" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.update_dialogue(actor=w.officer, dialogue=d, expected_version=1,
                                 held_on=w.today + dt.timedelta(days=2))
    assert "future" in exc.value.message_dict["held_on"][0]


def test_update_refuses_a_date_after_a_commitment_is_due(w: World) -> None:
    d = w.dialogue(days_ago=30)
    w.commitment(d, due_in=-20)  # due 10 days after the dialogue
    with pytest.raises(ValidationError) as exc:
        services.update_dialogue(actor=w.officer, dialogue=d, expected_version=1,
                                 held_on=w.today - dt.timedelta(days=5))
    assert "held_on" in exc.value.message_dict
    d.refresh_from_db()
    assert d.held_on == w.today - dt.timedelta(days=30)


def test_update_duplicate_title_and_date_refused(w: World) -> None:
    _create(w, w.officer)
    d = _create(w, w.officer, title="Khác")
    with pytest.raises(ValidationError) as exc:
        services.update_dialogue(actor=w.officer, dialogue=d, expected_version=1, title="Đối thoại quý I")
    assert "title" in exc.value.message_dict


def test_cancelled_or_deleted_dialogue_cannot_be_edited(w: World) -> None:
    d = _create(w, w.officer, held_on=w.today + dt.timedelta(days=9))
    services.cancel_dialogue(actor=w.officer, dialogue=d, expected_version=1, reason="Hoãn")
    with pytest.raises(ValidationError):
        services.update_dialogue(actor=w.officer, dialogue=d, expected_version=2, place="x")
    e = _create(w, w.officer, title="Xoá")
    services.delete_dialogue(actor=w.head, dialogue=e, reason="Nhầm")
    with pytest.raises(ValidationError):
        services.update_dialogue(actor=w.officer, dialogue=e, expected_version=2, place="x")


# --------------------------------------------------------------------------- held, cancel


def _planned_today(w: World) -> Dialogue:
    d = _create(w, w.officer, title="Đối thoại dự kiến", held_on=w.today + dt.timedelta(days=3))
    return services.update_dialogue(actor=w.officer, dialogue=d, expected_version=1, held_on=w.today)


def test_mark_held(w: World) -> None:
    d = _planned_today(w)
    assert d.status == DialogueStatus.PLANNED
    services.mark_held(actor=w.officer, dialogue=d, expected_version=2, participants=120, minutes="Biên bản")
    d.refresh_from_db()
    assert (d.status, d.participants, d.minutes, d.lock_version) == (DialogueStatus.HELD, 120, "Biên bản", 3)
    assert _events("dialogues.dialogue.held")[0].summary["participants"] == 120


@pytest.mark.parametrize("participants", [None, 0, -3, "many"])
def test_mark_held_needs_participants(w: World, participants: Any) -> None:
    d = _planned_today(w)
    with pytest.raises(ValidationError) as exc:
        services.mark_held(actor=w.officer, dialogue=d, expected_version=2, participants=participants)
    assert "participants" in exc.value.message_dict
    d.refresh_from_db()
    assert d.status == DialogueStatus.PLANNED


def test_mark_held_refuses_future_held_and_stale(w: World) -> None:
    future = _create(w, w.officer, held_on=w.today + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        services.mark_held(actor=w.officer, dialogue=future, expected_version=1, participants=5)
    assert "status" in exc.value.message_dict
    held = _create(w, w.officer, title="Đã họp")
    with pytest.raises(ValidationError):
        services.mark_held(actor=w.officer, dialogue=held, expected_version=1, participants=5)
    d = _planned_today(w)
    with pytest.raises(ConcurrentEditError):
        services.mark_held(actor=w.officer, dialogue=d, expected_version=1, participants=5)
    with pytest.raises(PermissionDenied):
        services.mark_held(actor=w.viewer, dialogue=d, expected_version=2, participants=5)


def test_cancel(w: World) -> None:
    d = _create(w, w.officer, held_on=w.today + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        services.cancel_dialogue(actor=w.officer, dialogue=d, expected_version=1, reason=" ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.cancel_dialogue(actor=w.sibling, dialogue=d, expected_version=1, reason="x")
    services.cancel_dialogue(actor=w.officer, dialogue=d, expected_version=1, reason="Bão số 3")
    d.refresh_from_db()
    assert d.status == DialogueStatus.CANCELLED
    assert _events("dialogues.dialogue.cancel")[0].summary["reason"] == "Bão số 3"
    held = _create(w, w.officer, title="Đã họp")
    with pytest.raises(ValidationError) as exc:
        services.cancel_dialogue(actor=w.officer, dialogue=held, expected_version=1, reason="x")
    assert "status" in exc.value.message_dict


# --------------------------------------------------------------------------- delete


def test_soft_delete_is_audited_and_hides_dialogue_and_commitments(w: World) -> None:
    d = w.dialogue()
    c = w.commitment(d)
    services.delete_dialogue(actor=w.head, dialogue=d, reason="Nhập trùng")
    assert Dialogue.objects.filter(pk=d.pk, deleted_at__isnull=False).exists()  # kept, marked
    assert d.deleted_at is not None
    [event] = _events("dialogues.dialogue.delete")
    assert event.actor == w.head and event.summary["reason"] == "Nhập trùng" and event.summary["commitments"] == 1
    assert not dialogues_for(w.head).exists()
    assert not commitments_for(w.village).filter(pk=c.pk).exists()
    with pytest.raises(ValidationError):
        services.delete_dialogue(actor=w.head, dialogue=d, reason="again")


@pytest.mark.parametrize("who", ["officer", "viewer", "sibling", "village", "nobody"])
def test_delete_needs_a_head_or_admin(w: World, who: str) -> None:
    d = w.dialogue()
    with pytest.raises(PermissionDenied):
        services.delete_dialogue(actor=getattr(w, who), dialogue=d, reason="x")
    d.refresh_from_db()
    assert d.deleted_at is None


def test_delete_needs_a_reason(w: World) -> None:
    d = w.dialogue()
    for reason in ("", "   ", None, "r" * 501):
        with pytest.raises(ValidationError) as exc:
            services.delete_dialogue(actor=w.head, dialogue=d, reason=reason)
        assert "reason" in exc.value.message_dict
    d.refresh_from_db()
    assert d.deleted_at is None
    assert not _events("dialogues.dialogue.delete")
