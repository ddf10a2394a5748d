"""Scoped reads, the computed state of a commitment, what is reported back, and the counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danvan.dialogues import commitments, queries, services
from danvan.dialogues.models import Commitment, CommitmentStatus, Dialogue

from .test_services import World, make_world


@pytest.fixture
def w(tree: dict[str, Any], make_user: Any) -> World:
    return make_world(tree, make_user)


def _set(c: Commitment, **fields: Any) -> Commitment:
    """Put a commitment in a state directly (the services' rules are tested elsewhere)."""
    Commitment.objects.filter(pk=c.pk).update(**fields)
    c.refresh_from_db()
    return c


# --------------------------------------------------------------------------- scoped reads


def test_dialogues_for_each_kind_of_user(w: World) -> None:
    a1 = w.dialogue()
    a2 = w.dialogue(unit="A2")
    village = w.dialogue(unit="A1v", title="Họp bản")
    gone = w.dialogue(title="Đã xoá")
    services.delete_dialogue(actor=None, dialogue=gone, reason="x")

    def seen(user: Any) -> set[int]:
        return set(queries.dialogues_for(user).values_list("pk", flat=True))

    assert seen(w.officer) == seen(w.viewer) == {a1.pk, village.pk}
    assert seen(w.province) == {a1.pk, a2.pk, village.pk}
    assert seen(w.village) == {village.pk}
    assert seen(w.sibling) == {a2.pk}
    assert seen(w.other) == seen(w.nobody) == seen(AnonymousUser()) == set()


def test_commitments_for_host_or_owner(w: World) -> None:
    d = w.dialogue()
    by_village = w.commitment(d, owner="A1v")
    by_commune = w.commitment(d, text="Lắp đèn", owner="A1")
    province = w.dialogue(unit="A", title="Đối thoại của tỉnh")
    by_department = commitments.add_commitment(actor=None, dialogue=province, text="Cấp nước", due_on=w.today,
                                               owner_unit=w.tree["Adep"])
    deleted = w.commitment(d, text="Bỏ")
    commitments.delete_commitment(actor=None, commitment=deleted, reason="x")

    def seen(user: Any) -> set[int]:
        return set(queries.commitments_for(user).values_list("pk", flat=True))

    assert seen(w.officer) == {by_village.pk, by_commune.pk}
    assert seen(w.village) == seen(w.village_viewer) == {by_village.pk}  # as owner, not the host's others
    assert seen(w.province) == {by_village.pk, by_commune.pk, by_department.pk}
    assert seen(w.sibling) == seen(w.other) == seen(w.nobody) == seen(AnonymousUser()) == set()


def test_commitment_list_costs_a_fixed_number_of_queries(w: World) -> None:
    for i in range(3):
        d = w.dialogue(title=f"Đối thoại {i}", days_ago=30 + i)
        for j in range(4):
            w.commitment(d, text=f"Việc {i}-{j}")
    user = w.officer
    with CaptureQueriesContext(connection) as ctx:
        rows = [(c.dialogue.org_unit.name, c.owner_unit.name, queries.state(c)) for c in queries.commitments_for(user)]
    assert len(rows) == 12
    assert len(ctx.captured_queries) <= 2  # the user's scope, the list


# --------------------------------------------------------------------------- state


@pytest.mark.parametrize(("due_in", "status", "done_in", "expected"), [
    (-1, "open", None, "overdue"),
    (-30, "in_progress", None, "overdue"),
    (0, "open", None, "due_soon"),
    (7, "in_progress", None, "due_soon"),
    (8, "open", None, "on_track"),
    (-5, "done", -5, "done_on_time"),
    (-5, "done", -4, "done_late"),
    (10, "done", 0, "done_on_time"),
    (-5, "dropped", None, "dropped"),
])
def test_state(w: World, due_in: int, status: str, done_in: int | None, expected: str) -> None:
    d = w.dialogue(days_ago=60)
    c = _set(w.commitment(d), due_on=w.today + dt.timedelta(days=due_in), status=status,
             done_on=None if done_in is None else w.today + dt.timedelta(days=done_in))
    assert queries.state(c) == expected
    assert set(Commitment.objects.filter(queries.state_q(expected)).values_list("pk", flat=True)) == {c.pk}
    others = [s for s in queries.STATES if s != expected]
    assert not Commitment.objects.filter(pk=c.pk).filter(
        *[queries.state_q(s) for s in others[:1]]).exists()
    assert sum(Commitment.objects.filter(queries.state_q(s)).count() for s in queries.STATES) == 1


def test_state_on_a_given_day(w: World) -> None:
    c = w.commitment(w.dialogue(), due_in=10)
    assert queries.state(c, today=w.today) == "on_track"
    assert queries.state(c, today=w.today + dt.timedelta(days=11)) == "overdue"
    with pytest.raises(ValueError):
        queries.state_q("late")


# --------------------------------------------------------------------------- report back


def test_to_report_back_with_a_previous_dialogue_lists_all_its_commitments(w: World) -> None:
    previous = w.dialogue(days_ago=100, title="Quý trước")
    kept = _set(w.commitment(previous, text="A", due_in=-90), status=CommitmentStatus.DONE,
                done_on=w.today - dt.timedelta(days=95))
    still = w.commitment(previous, text="B")
    older = w.dialogue(days_ago=200, title="Năm trước")
    w.commitment(older, text="C")
    deleted = w.commitment(previous, text="D")
    commitments.delete_commitment(actor=None, commitment=deleted, reason="x")
    now = w.dialogue(days_ago=1, title="Quý này", previous=previous)
    assert [c.pk for c in queries.to_report_back(now)] == [kept.pk, still.pk]


def test_to_report_back_without_previous_lists_open_earlier_ones_of_the_unit(w: World) -> None:
    older = w.dialogue(days_ago=200, title="Năm trước")
    c_old = w.commitment(older, text="Cũ")
    previous = w.dialogue(days_ago=100, title="Quý trước")
    c_open = w.commitment(previous, text="Mở")
    _set(w.commitment(previous, text="Xong", due_in=-90), status="done", done_on=w.today - dt.timedelta(days=95))
    _set(w.commitment(previous, text="Bỏ"), status="dropped")
    w.commitment(w.dialogue(unit="A2", days_ago=100), text="Xã khác", owner="A2")
    now = w.dialogue(days_ago=1, title="Quý này")
    later = w.dialogue(days_ago=0, title="Hôm nay")
    w.commitment(later, text="Sau")
    assert [c.pk for c in queries.to_report_back(now)] == [c_old.pk, c_open.pk]


# --------------------------------------------------------------------------- summary


def test_summary_in_one_query(w: World) -> None:
    d = w.dialogue(days_ago=60)
    w.commitment(d, text="on track", due_in=30)
    w.commitment(d, text="overdue", due_in=-2)
    _set(w.commitment(d, text="kept", due_in=-10), status="done", done_on=w.today - dt.timedelta(days=10))
    _set(w.commitment(d, text="late", due_in=-10), status="done", done_on=w.today - dt.timedelta(days=9))
    _set(w.commitment(d, text="dropped"), status="dropped")
    gone = w.commitment(d, text="deleted", due_in=-3)
    commitments.delete_commitment(actor=None, commitment=gone, reason="x")
    with CaptureQueriesContext(connection) as ctx:
        result = queries.summary(Commitment.objects.live())
    assert len(ctx.captured_queries) == 1
    assert result == {"made": 5, "done": 2, "kept_on_time": 1, "overdue": 1, "open": 2}
    assert queries.summary(Commitment.objects.none()) == {"made": 0, "done": 0, "kept_on_time": 0, "overdue": 0,
                                                         "open": 0}


def test_dialogue_list_query_count(w: World) -> None:
    for i in range(5):
        w.dialogue(title=f"Đối thoại {i}", days_ago=i + 1)
    with CaptureQueriesContext(connection) as ctx:
        names = [d.org_unit.name for d in queries.dialogues_for(w.officer)]
    assert len(names) == 5 and len(ctx.captured_queries) <= 2
    assert isinstance(queries.dialogues_for(w.officer).first(), Dialogue)
