"""Year-end commendations: who records them, for whom, bad input, double entries, deletion."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from danvan.core.models import AuditEvent
from danvan.practices import commendations, queries
from danvan.practices.models import Commendation

from .test_practices import TODAY, YEAR, make, make_people

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are checked in English (the msgids), whatever the Vietnamese catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return make_people(tree, make_user)


def commend(tree: dict, actor: Any = None, **kw: Any) -> Commendation:
    values: dict[str, Any] = {
        "awarding_unit": tree["A"], "year": YEAR, "level": "province", "recipient_kind": "collective",
        "recipient_name": "UBND xã Bình Lư", "org_unit": tree["A1"], "awarded_on": TODAY,
        "form": "Bằng khen của UBND tỉnh", "decision_ref": "123/QĐ-UBND",
    }
    values.update(kw)
    return commendations.commend(actor=actor, **values)


def test_commend(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    c = commend(tree, people["province"], practice=p)
    assert (c.awarding_unit, c.org_unit, c.practice, c.created_by) == (tree["A"], tree["A1"], p, people["province"])
    ev = AuditEvent.objects.get(action="practices.commendation.create")
    assert ev.org_unit_id == tree["A1"].pk and ev.summary["practice"] == p.pk
    # An individual of the commune, commended by the commune itself, for the work as a whole.
    i = commend(tree, people["head"], awarding_unit=tree["A1"], level="commune", recipient_kind="individual",
                recipient_name="Lò Thị Mai")
    assert i.practice is None and i.recipient_kind == "individual"


def test_commended_twice_is_refused(tree: dict, people: dict) -> None:
    commend(tree)
    with pytest.raises(ValidationError) as exc:
        commend(tree, recipient_name="ubnd XÃ  Bình Lư")
    assert "already" in exc.value.message_dict["recipient_name"][0]
    commend(tree, level="national")  # another level is another award
    assert Commendation.objects.count() == 2


@pytest.mark.parametrize(("kw", "field"), [
    ({"year": "2026"}, "year"),
    ({"year": 1990}, "year"),
    ({"level": "district"}, "level"),
    ({"recipient_kind": "team"}, "recipient_kind"),
    ({"recipient_name": ""}, "recipient_name"),
    ({"recipient_name": "n" * 256}, "recipient_name"),
    ({"form": "f" * 256}, "form"),
    ({"decision_ref": "d" * 101}, "decision_ref"),
    ({"awarded_on": None}, "awarded_on"),
    ({"awarded_on": TODAY + dt.timedelta(days=1)}, "awarded_on"),
    ({"awarded_on": dt.date(YEAR - 1, 12, 31)}, "awarded_on"),
    ({"org_unit": "A1"}, "org_unit"),
])
def test_commend_bad_input(tree: dict, kw: dict, field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        commend(tree, **kw)
    assert field in exc.value.message_dict
    assert not Commendation.objects.exists()


def test_recipient_and_practice_must_fit(tree: dict) -> None:
    with pytest.raises(ValidationError) as exc:
        commend(tree, org_unit=tree["B1"])
    assert "org_unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        commend(tree, awarding_unit=tree["A1"], org_unit=tree["A"])
    assert "org_unit" in exc.value.message_dict
    other = make(tree["A2"])
    with pytest.raises(ValidationError) as exc:
        commend(tree, practice=other)
    assert "practice" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        commend(tree, practice="5")
    assert "practice" in exc.value.message_dict
    assert not Commendation.objects.exists()


@pytest.mark.parametrize(("who", "unit"), [("officer", "A1"), ("viewer", "A1"), ("officer", "A"), ("head", "A"),
                                           ("sibling_head", "A1"), ("pviewer", "A"), ("badmin", "A"),
                                           ("nobody", "A")])
def test_commend_permissions(tree: dict, people: dict, who: str, unit: str) -> None:
    with pytest.raises(PermissionDenied):
        commend(tree, people[who], awarding_unit=tree[unit], level="commune")
    assert not Commendation.objects.exists()


def test_delete_commendation(tree: dict, people: dict) -> None:
    c = commend(tree)
    for who in ("head", "officer", "badmin"):
        with pytest.raises(PermissionDenied):
            commendations.delete_commendation(actor=people[who], commendation=c, reason="Nhầm")
    with pytest.raises(ValidationError) as exc:
        commendations.delete_commendation(actor=people["province"], commendation=c, reason="")
    assert "reason" in exc.value.message_dict
    commendations.delete_commendation(actor=people["province"], commendation=c, reason="Nhập nhầm")
    assert Commendation.objects.get(pk=c.pk).deleted_at is not None
    assert not queries.commendations_for(people["province"]).exists()
    with pytest.raises(ValidationError):
        commendations.delete_commendation(actor=people["province"], commendation=c, reason="Lại")
    commend(tree)  # it can be entered again, correctly


def test_commendations_for_each_boundary(tree: dict, people: dict) -> None:
    a1 = commend(tree)
    a2 = commend(tree, org_unit=tree["A2"], recipient_name="UBND phường Tân Phong")
    b1 = commend(tree, awarding_unit=tree["B"], org_unit=tree["B1"], recipient_name="UBND phường Bắc Kạn")
    seen = {who: set(queries.commendations_for(people[who]).values_list("pk", flat=True)) for who in people}
    assert seen["officer"] == {a1.pk} and seen["sibling"] == {a2.pk} and seen["pviewer"] == {a1.pk, a2.pk}
    assert seen["other"] == {b1.pk} and seen["nobody"] == set()
