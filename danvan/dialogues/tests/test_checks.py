"""The law's minimum: at least one committee–Front dialogue a year per commune."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from danvan.dialogues import checks, services
from danvan.dialogues.models import DialogueKind
from danvan.orgs import services as org_services

from .test_services import World, make_world


@pytest.fixture
def w(tree: dict[str, Any], make_user: Any) -> World:
    return make_world(tree, make_user)


def _front(w: World, unit: Any, held_on: dt.date, **extra: Any) -> Any:
    return services.create_dialogue(actor=None, org_unit=unit, kind=DialogueKind.FRONT, held_on=held_on,
                                    title=extra.pop("title", "Đối thoại UBND xã với MTTQ"), **extra)


def test_front_dialogue_held(w: World) -> None:
    year = w.today.year
    a1 = w.tree["A1"]
    assert not checks.front_dialogue_held(a1, year)
    _front(w, a1, w.today)
    assert checks.front_dialogue_held(a1, year)
    assert not checks.front_dialogue_held(a1, year - 1)
    assert not checks.front_dialogue_held(w.tree["A2"], year)


def test_what_does_not_count(w: World) -> None:
    a1 = w.tree["A1"]
    year = w.today.year
    last_year = dt.date(year - 1, 12, 31)
    _front(w, a1, last_year)  # another year
    w.dialogue(kind=DialogueKind.CITIZENS, days_ago=0)  # another kind
    _front(w, w.tree["A1v"], w.today)  # a village's, not the commune's
    gone = _front(w, a1, w.today, title="Xoá")
    services.delete_dialogue(actor=None, dialogue=gone, reason="x")
    cancelled = _front(w, a1, dt.date(year + 1, 1, 2), title="Năm sau")
    services.cancel_dialogue(actor=None, dialogue=cancelled, expected_version=1, reason="x")
    assert not checks.front_dialogue_held(a1, year)
    assert not checks.front_dialogue_held(a1, year + 1)  # planned/cancelled never count
    assert a1 in checks.communes_without_front_dialogue(year)


def test_planned_does_not_count_until_held(w: World) -> None:
    a1 = w.tree["A1"]
    planned = _front(w, a1, w.today + dt.timedelta(days=1))
    assert not checks.front_dialogue_held(a1, planned.held_on.year)


def test_a_front_body_under_the_commune_may_record_it(w: World, kinds: dict[str, Any]) -> None:
    body = org_services.create_unit(actor=None, kind=kinds["front"], name="Ủy ban MTTQ xã Bình Lư",
                                    parent=w.tree["A1"], audit_event=False)
    _front(w, body, w.today)
    assert checks.front_dialogue_held(w.tree["A1"], w.today.year)
    assert w.tree["A1"] not in checks.communes_without_front_dialogue(w.today.year)


def test_communes_without_front_dialogue(w: World) -> None:
    year = w.today.year
    _front(w, w.tree["A2"], w.today)
    # A front unit with no parent must not hide every commune (NULL in NOT IN).
    missing = list(checks.communes_without_front_dialogue(year))
    assert missing == sorted([w.tree["A1"], w.tree["B1"]], key=lambda u: u.path)
    assert list(checks.communes_without_front_dialogue(year, under=w.tree["A"])) == [w.tree["A1"]]
    assert list(checks.communes_without_front_dialogue(year, under=w.tree["B1"])) == [w.tree["B1"]]
    assert list(checks.communes_without_front_dialogue(year, under=w.tree["A2"])) == []


def test_closed_communes_are_not_listed(w: World) -> None:
    b1 = w.tree["B1"]
    b1.valid_to = w.today - dt.timedelta(days=1)
    b1.save()
    assert b1 not in checks.communes_without_front_dialogue(w.today.year)


def test_a_front_dialogue_of_a_parentless_front_unit_hides_nobody(w: World, kinds: dict[str, Any]) -> None:
    top = org_services.create_unit(actor=None, kind=kinds["front"], name="MTTQ", parent=None, audit_event=False)
    _front(w, top, w.today)
    assert len(checks.communes_without_front_dialogue(w.today.year)) == 3
