"""``danvan dialogues remind``: due soon, overdue, and the missing Front dialogue — each sent once."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from danvan.core.models import AuditEvent
from danvan.dialogues import commitments, services
from danvan.dialogues.management.commands.dialogues_remind import send_reminders
from danvan.dialogues.models import Commitment, DialogueKind
from danvan.notifications.models import Notification

from .test_services import World, make_world


@pytest.fixture
def w(tree: dict[str, Any], make_user: Any) -> World:
    return make_world(tree, make_user)


def _keys(user: Any) -> set[str]:
    return set(Notification.objects.filter(user=user).values_list("key", flat=True))


def _before_october(w: World) -> dt.date:
    """A day this year before 1 October, after every dialogue the tests record (30 days back at most)."""
    return w.today if w.today.month < 10 else dt.date(w.today.year, 9, 30)


def test_due_soon_and_overdue_go_to_the_owner_units_editors_once(w: World) -> None:
    day = _before_october(w)
    d = services.create_dialogue(actor=None, org_unit=w.tree["A1"], kind=DialogueKind.CITIZENS, title="Đối thoại",
                                 held_on=day - dt.timedelta(days=60))
    soon = commitments.add_commitment(actor=None, dialogue=d, text="Sửa đường", owner_unit=w.tree["A1v"],
                                      due_on=day + dt.timedelta(days=7))
    late = commitments.add_commitment(actor=None, dialogue=d, text="Lắp đèn", owner_unit=w.tree["A1v"],
                                      due_on=day - dt.timedelta(days=1))
    far = commitments.add_commitment(actor=None, dialogue=d, text="Xây cầu", owner_unit=w.tree["A1v"],
                                     due_on=day + dt.timedelta(days=8))
    assert send_reminders(today=day) == {"soon": 1, "overdue": 1, "front_dialogue": 0}
    assert _keys(w.village) == {f"commitment:{soon.pk}:soon", f"commitment:{late.pk}:overdue"}
    # Not the owner unit's viewer, not the host commune, not the province above.
    for user in (w.village_viewer, w.officer, w.head, w.province, w.sibling):
        assert _keys(user) == set()
    note = Notification.objects.get(user=w.village, key=f"commitment:{late.pk}:overdue")
    assert "Lắp đèn" in note.title and day.strftime("%d/%m/%Y") not in note.title
    assert (day - dt.timedelta(days=1)).strftime("%d/%m/%Y") in note.body
    # Running again the same day (or the next) sends nothing more.
    assert send_reminders(today=day) == {"soon": 0, "overdue": 0, "front_dialogue": 0}
    assert Notification.objects.filter(user=w.village).count() == 2
    assert far.pk not in {int(k.split(":")[1]) for k in _keys(w.village)}
    assert AuditEvent.objects.filter(action="dialogues.reminders").count() == 1


def test_finished_and_deleted_commitments_are_not_reminded(w: World) -> None:
    day = _before_october(w)
    d = services.create_dialogue(actor=None, org_unit=w.tree["A1"], kind=DialogueKind.CITIZENS, title="Đối thoại",
                                 held_on=day - dt.timedelta(days=60))
    done = commitments.add_commitment(actor=None, dialogue=d, text="A", owner_unit=w.tree["A1"],
                                      due_on=day - dt.timedelta(days=3))
    Commitment.objects.filter(pk=done.pk).update(status="done", done_on=day - dt.timedelta(days=4))
    dropped = commitments.add_commitment(actor=None, dialogue=d, text="B", owner_unit=w.tree["A1"],
                                         due_on=day - dt.timedelta(days=3))
    Commitment.objects.filter(pk=dropped.pk).update(status="dropped")
    gone = commitments.add_commitment(actor=None, dialogue=d, text="C", owner_unit=w.tree["A1"],
                                      due_on=day - dt.timedelta(days=3))
    commitments.delete_commitment(actor=None, commitment=gone, reason="x")
    other = services.create_dialogue(actor=None, org_unit=w.tree["A1"], kind=DialogueKind.VOTERS, title="Cử tri",
                                     held_on=day - dt.timedelta(days=50))
    commitments.add_commitment(actor=None, dialogue=other, text="D", owner_unit=w.tree["A1"],
                               due_on=day - dt.timedelta(days=3))
    services.delete_dialogue(actor=None, dialogue=other, reason="x")
    assert send_reminders(today=day) == {"soon": 0, "overdue": 0, "front_dialogue": 0}
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="dialogues.reminders").exists()


def test_front_dialogue_reminder_from_first_october(w: World) -> None:
    year = w.today.year - 1  # a past year: the dialogues below are in it
    services.create_dialogue(actor=None, org_unit=w.tree["A2"], kind=DialogueKind.FRONT, title="Với MTTQ",
                             held_on=dt.date(year, 3, 15))
    assert send_reminders(today=dt.date(year, 9, 30))["front_dialogue"] == 0
    sent = send_reminders(today=dt.date(year, 10, 1))
    # A1's officer and head (the viewer is not an editor); B1 has nobody to tell.
    assert sent["front_dialogue"] == 2
    key = f"front-dialogue:{w.tree['A1'].pk}:{year}"
    assert _keys(w.officer) == _keys(w.head) == {key}
    assert _keys(w.viewer) == _keys(w.sibling) == _keys(w.province) == set()
    assert send_reminders(today=dt.date(year, 10, 2))["front_dialogue"] == 0


def test_command(w: World) -> None:
    year = w.today.year - 1
    out = StringIO()
    call_command("dialogues_remind", "--date", f"{year}-11-01", stdout=out)
    assert Notification.objects.filter(key=f"front-dialogue:{w.tree['A1'].pk}:{year}").count() == 2
    assert Notification.objects.filter(key=f"front-dialogue:{w.tree['A2'].pk}:{year}").count() == 1
    assert "3" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("dialogues_remind", "--date", "01/11/2026", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("dialogues_remind", "--days-before", "61", stdout=StringIO())


def test_days_before_option(w: World) -> None:
    day = _before_october(w)
    d = services.create_dialogue(actor=None, org_unit=w.tree["A1"], kind=DialogueKind.CITIZENS, title="Đối thoại",
                                 held_on=day - dt.timedelta(days=60))
    c = commitments.add_commitment(actor=None, dialogue=d, text="A", owner_unit=w.tree["A1v"],
                                   due_on=day + dt.timedelta(days=3))
    assert send_reminders(today=day, days_before=2)["soon"] == 0
    assert send_reminders(today=day, days_before=3)["soon"] == 1
    assert _keys(w.village) == {f"commitment:{c.pk}:soon"}
