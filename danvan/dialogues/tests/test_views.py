"""Officials' dialogue pages: list with the Front-dialogue banner, create/edit/held/cancel/delete, the
detail page, at every permission boundary, with bad input and query counts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from danvan.core.models import AuditEvent
from danvan.dialogues import commitments, services
from danvan.dialogues.models import Dialogue, DialogueKind, DialogueStatus

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
HELD = TODAY - dt.timedelta(days=20)
PEOPLE = {
    "officer": ("A1", "officer"), "head": ("A1", "head"), "admin": ("A1", "admin"), "viewer": ("A1", "viewer"),
    "front": ("A1", "front_supervisor"), "province": ("A", "officer"), "sibling": ("A2", "officer"),
    "other_province": ("B1", "admin"), "village": ("A1v", "officer"),
}


@pytest.fixture
def people(tree: dict, make_user: Any, no_mfa: Any) -> dict[str, Any]:
    out = {name: make_user(name, (tree[unit], role)) for name, (unit, role) in PEOPLE.items()}
    out["nobody"] = make_user("nobody")
    out["anon"] = AnonymousUser()
    return out


def client(user: Any) -> Client:
    c = Client()
    if getattr(user, "is_authenticated", False):
        c.force_login(user)
    return c


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def make_dialogue(unit: Any, **kw: Any) -> Dialogue:
    kw.setdefault("kind", DialogueKind.CITIZENS)
    kw.setdefault("title", "Đối thoại với nhân dân về đường nội đồng")
    kw.setdefault("held_on", HELD)
    return services.create_dialogue(actor=None, org_unit=unit, **kw)


def make_commitment(dialogue: Dialogue, **kw: Any) -> Any:
    kw.setdefault("text", "Sửa đường nội đồng bản Thẳm")
    kw.setdefault("owner_unit", dialogue.org_unit)
    kw.setdefault("due_on", TODAY + dt.timedelta(days=30))
    return commitments.add_commitment(actor=None, dialogue=dialogue, **kw)


# --------------------------------------------------------------------------- list


def test_list_scoped_paginated_and_filtered(tree: dict, people: dict, django_assert_max_num_queries: Any) -> None:
    for i in range(53):
        make_dialogue(tree["A1"], title=f"Đối thoại số {i}", held_on=HELD - dt.timedelta(days=i))
    make_dialogue(tree["A2"], title="Đối thoại phường Tân Phong")
    make_dialogue(tree["A1"], title="Hội nghị tiếp xúc cử tri", kind=DialogueKind.VOTERS,
                  held_on=dt.date(TODAY.year - 1, 6, 1))
    c = client(people["officer"])
    with django_assert_max_num_queries(15):  # session, scope, page, filter units, banner (3), menu: not per row
        r = c.get("/dialogues/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Đối thoại số 0" in body and "Tân Phong" not in body.split('data-testid="dialogue-list"')[1]
    next_url = r.context["page"].next
    assert next_url and len(r.context["page"].items) == 50
    r2 = c.get("/dialogues/", {"after": next_url})
    first = {x.pk for x in r.context["page"].items}
    second = {x.pk for x in r2.context["page"].items}
    assert len(second) == 4 and not first & second
    # A cursor that does not decode starts again rather than failing.
    assert c.get("/dialogues/", {"after": "%%%"}).status_code == 200
    r = c.get("/dialogues/", {"kind": "voters"})
    assert [x.title for x in r.context["page"].items] == ["Hội nghị tiếp xúc cử tri"]
    r = c.get("/dialogues/", {"year": TODAY.year - 1})
    assert [x.title for x in r.context["page"].items] == ["Hội nghị tiếp xúc cử tri"]
    r = c.get("/dialogues/", {"year": "abc"})
    assert r.status_code == 400 and "year" in r.context["form"].errors
    r = c.get("/dialogues/", {"status": "planned"})
    assert r.context["page"].items == []
    # The province sees both communes; filtering by one keeps it.
    r = client(people["province"]).get("/dialogues/", {"unit": tree["A"].pk})
    assert "Tân Phong" in r.content.decode()


@pytest.mark.parametrize(("who", "sees"), [
    ("officer", True), ("viewer", True), ("front", True), ("province", True), ("sibling", False),
    ("other_province", False), ("nobody", False),
])
def test_list_visibility(tree: dict, people: dict, who: str, sees: bool) -> None:
    make_dialogue(tree["A1"], title="Đối thoại riêng của Bình Lư")
    r = client(people[who]).get("/dialogues/")
    assert r.status_code == 200
    assert ("Đối thoại riêng của Bình Lư" in r.content.decode()) is sees


def test_anonymous_goes_to_login(tree: dict, people: dict) -> None:
    dialogue = make_dialogue(tree["A1"])
    for url in ("/dialogues/", "/dialogues/new/", f"/dialogues/{dialogue.pk}/", "/dialogues/commitments/",
                f"/dialogues/{dialogue.pk}/print/", f"/dialogues/{dialogue.pk}/print.docx"):
        r = Client().get(url)
        assert r.status_code == 302 and "login" in r["Location"], url


def test_front_dialogue_banner(tree: dict, people: dict) -> None:
    year = TODAY.year
    r = client(people["province"]).get("/dialogues/")
    banner = r.context["missing"]
    assert banner["count"] == 2 and set(banner["names"]) == {"Xã Bình Lư", "Phường Tân Phong"}
    assert 'data-testid="front-banner"' in r.content.decode()
    # A held Front dialogue of Bình Lư this year takes it off; a planned or a cancelled one does not.
    make_dialogue(tree["A2"], kind=DialogueKind.FRONT, title="Đối thoại với MTTQ (dự kiến)",
                  held_on=TODAY + dt.timedelta(days=5))
    make_dialogue(tree["A1"], kind=DialogueKind.FRONT, title="Đối thoại với MTTQ", held_on=dt.date(year, 1, 2)
                  if TODAY >= dt.date(year, 1, 2) else TODAY)
    r = client(people["province"]).get("/dialogues/")
    assert r.context["missing"]["names"] == ["Phường Tân Phong"]
    # The commune that held it sees no banner; the other province's admin sees only their own commune.
    r = client(people["officer"]).get("/dialogues/")
    assert r.context["missing"] is None and 'data-testid="front-banner"' not in r.content.decode()
    r = client(people["other_province"]).get("/dialogues/")
    assert r.context["missing"]["names"] == ["Phường Bắc Kạn"]
    r = client(people["nobody"]).get("/dialogues/")
    assert r.context["missing"] is None


# --------------------------------------------------------------------------- create


def _form(unit: Any, **kw: Any) -> dict[str, Any]:
    data = {"org_unit": unit.pk, "kind": "citizens", "title": "Đối thoại với nhân dân bản Thẳm",
            "held_on": d(HELD), "starts_at": "08:00", "place": "Nhà văn hóa bản Thẳm", "chaired_by": "Chủ tịch xã",
            "participants": "120", "participant_groups": "Nhân dân bản Thẳm", "topics": "Đường, nước",
            "minutes": "", "is_public": "on", "previous": ""}
    data.update(kw)
    return data


def test_create_happy_path_and_double_submit(tree: dict, people: dict) -> None:
    c = client(people["officer"])
    r = c.get("/dialogues/new/")
    assert r.status_code == 200 and "<h1>" in r.content.decode()
    r = c.post("/dialogues/new/", _form(tree["A1"]))
    assert r.status_code == 302
    dialogue = Dialogue.objects.get()
    assert r["Location"] == f"/dialogues/{dialogue.pk}/"
    assert (dialogue.status, dialogue.participants, dialogue.starts_at, dialogue.created_by) == (
        DialogueStatus.HELD, 120, dt.time(8, 0), people["officer"])
    assert AuditEvent.objects.filter(action="dialogues.dialogue.create").count() == 1
    r = c.post("/dialogues/new/", _form(tree["A1"]))
    assert r.status_code == 400 and "title" in r.context["form"].errors
    assert Dialogue.objects.count() == 1
    # A future date is a planned dialogue; the previous one is offered and kept.
    r = c.post("/dialogues/new/", _form(tree["A1"], title="Đối thoại quý sau", participants="",
                                        held_on=d(TODAY + dt.timedelta(days=60)), previous=dialogue.pk))
    assert r.status_code == 302
    nxt = Dialogue.objects.get(title="Đối thoại quý sau")
    assert nxt.status == DialogueStatus.PLANNED and nxt.previous == dialogue


@pytest.mark.parametrize(("change", "field"), [
    ({"title": ""}, "title"), ({"title": "x" * 256}, "title"), ({"held_on": "31/02/2026"}, "held_on"),
    ({"held_on": ""}, "held_on"), ({"kind": "party"}, "kind"), ({"participants": "-3"}, "participants"),
    ({"participants": "nhiều"}, "participants"), ({"starts_at": "25:99"}, "starts_at"),
    ({"org_unit": "999999"}, "org_unit"),
])
def test_create_bad_input(tree: dict, people: dict, change: dict, field: str) -> None:
    r = client(people["officer"]).post("/dialogues/new/", _form(tree["A1"], **change))
    assert r.status_code == 400 and field in r.context["form"].errors
    assert not Dialogue.objects.exists()


def test_create_previous_must_be_earlier_same_unit(tree: dict, people: dict) -> None:
    other = make_dialogue(tree["A2"], title="Đối thoại phường")
    later = make_dialogue(tree["A1"], title="Đối thoại sau", held_on=TODAY)
    c = client(people["province"])
    r = c.post("/dialogues/new/", _form(tree["A1"], previous=other.pk))
    assert r.status_code == 400 and "previous" in r.context["form"].errors
    r = c.post("/dialogues/new/", _form(tree["A1"], previous=later.pk))
    assert r.status_code == 400 and "previous" in r.context["form"].errors
    assert Dialogue.objects.count() == 2


@pytest.mark.parametrize(("who", "status"), [
    ("viewer", 403), ("front", 403), ("nobody", 403), ("sibling", 400), ("other_province", 400),
])
def test_create_not_allowed(tree: dict, people: dict, who: str, status: int) -> None:
    """Users without an editing role get a 403; an editor of another unit cannot pick Bình Lư at all."""
    r = client(people[who]).post("/dialogues/new/", _form(tree["A1"]))
    assert r.status_code == status
    if status == 400:
        assert "org_unit" in r.context["form"].errors
    assert not Dialogue.objects.exists()


# --------------------------------------------------------------------------- detail and actions


@pytest.mark.parametrize(("who", "status", "can_change"), [
    ("officer", 200, True), ("head", 200, True), ("viewer", 200, False), ("front", 200, False),
    ("province", 200, True), ("village", 404, False), ("sibling", 404, False), ("other_province", 404, False),
    ("nobody", 404, False),
])
def test_detail_boundaries(tree: dict, people: dict, who: str, status: int, can_change: bool) -> None:
    dialogue = make_dialogue(tree["A1"])
    r = client(people[who]).get(f"/dialogues/{dialogue.pk}/")
    assert r.status_code == status
    if status == 200:
        body = r.content.decode()
        assert body.count("<h1>") == 1 and dialogue.title in body
        assert r.context["can_change"] is can_change
        assert (f'action="/dialogues/{dialogue.pk}/commitments/new/"' in body) is can_change
    assert client(people[who]).get(f"/dialogues/{dialogue.pk}/edit/").status_code == (
        200 if can_change else 403 if status == 200 else 404)


def test_detail_unknown_and_deleted(tree: dict, people: dict) -> None:
    dialogue = make_dialogue(tree["A1"])
    c = client(people["officer"])
    assert c.get("/dialogues/999999/").status_code == 404
    assert c.get("/dialogues/99999999999999999999/").status_code == 404
    services.delete_dialogue(actor=None, dialogue=dialogue, reason="Nhập trùng")
    assert c.get(f"/dialogues/{dialogue.pk}/").status_code == 404


def test_detail_query_count(tree: dict, people: dict, django_assert_max_num_queries: Any) -> None:
    first = make_dialogue(tree["A1"], title="Lần trước", held_on=HELD - dt.timedelta(days=100))
    for i in range(5):
        make_commitment(first, text=f"Cam kết cũ {i}", due_on=HELD - dt.timedelta(days=50 - i))
    dialogue = make_dialogue(tree["A1"], previous=first)
    for i in range(10):
        c = make_commitment(dialogue, text=f"Cam kết {i}", owner_unit=tree["A1v"] if i % 2 else tree["A1"])
        commitments.report_progress(actor=None, commitment=c, expected_version=c.lock_version, status="in_progress",
                                    note="Đang làm")
    c = client(people["officer"])
    with django_assert_max_num_queries(20):
        r = c.get(f"/dialogues/{dialogue.pk}/")
    assert r.status_code == 200
    assert len(r.context["rows"]) == 10 and len(r.context["to_report"]) == 5
    body = r.content.decode()
    assert "Cam kết cũ 4" in body and 'data-state="overdue"' in body and "Đang làm" in body
    # Many forms share the page: every field keeps its own id, so each label names one field.
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_edit_and_concurrent_edit(tree: dict, people: dict) -> None:
    dialogue = make_dialogue(tree["A1"])
    c = client(people["officer"])
    data = _form(tree["A1"], title="Đối thoại (đã sửa)", participants="80", expected_version=1)
    data.pop("org_unit")
    r = c.post(f"/dialogues/{dialogue.pk}/edit/", data)
    assert r.status_code == 302
    dialogue.refresh_from_db()
    assert (dialogue.title, dialogue.participants, dialogue.lock_version) == ("Đối thoại (đã sửa)", 80, 2)
    # The same form sent again (opened before the first save): a conflict, nothing overwritten.
    data["title"] = "Bản cũ"
    r = c.post(f"/dialogues/{dialogue.pk}/edit/", data)
    assert r.status_code == 409 and r.context["form"].non_field_errors()
    dialogue.refresh_from_db()
    assert dialogue.title == "Đối thoại (đã sửa)"
    # A held dialogue cannot move into the future.
    data.update(expected_version=2, held_on=d(TODAY + dt.timedelta(days=3)))
    r = c.post(f"/dialogues/{dialogue.pk}/edit/", data)
    assert r.status_code == 400 and "held_on" in r.context["form"].errors
    assert client(people["viewer"]).post(f"/dialogues/{dialogue.pk}/edit/", data).status_code == 403
    assert client(people["sibling"]).post(f"/dialogues/{dialogue.pk}/edit/", data).status_code == 404


def test_mark_held_cancel_and_delete(tree: dict, people: dict) -> None:
    planned = make_dialogue(tree["A1"], title="Đối thoại dự kiến", held_on=TODAY + dt.timedelta(days=10))
    c = client(people["officer"])
    body = c.get(f"/dialogues/{planned.pk}/").content.decode()
    assert f'action="/dialogues/{planned.pk}/held/"' in body
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    # Not before its day.
    r = c.post(f"/dialogues/{planned.pk}/held/", {"held-expected_version": 1, "held-participants": "40"})
    assert r.status_code == 400 and r.context["held_form"].non_field_errors()
    assert client(people["viewer"]).post(f"/dialogues/{planned.pk}/held/", {
        "held-expected_version": 1, "held-participants": "40"}).status_code == 403
    today_one = make_dialogue(tree["A1"], title="Đối thoại hôm nay", held_on=TODAY + dt.timedelta(days=1))
    Dialogue.objects.filter(pk=today_one.pk).update(held_on=TODAY)  # the day has come
    r = c.post(f"/dialogues/{today_one.pk}/held/", {"held-expected_version": 1, "held-participants": ""})
    assert r.status_code == 400 and "participants" in r.context["held_form"].errors
    r = c.post(f"/dialogues/{today_one.pk}/held/", {"held-expected_version": 1, "held-participants": "40",
                                                    "held-minutes": "Biên bản"})
    assert r.status_code == 302
    today_one.refresh_from_db()
    assert (today_one.status, today_one.participants, today_one.minutes) == ("held", 40, "Biên bản")
    # Cancel needs a reason, then only a planned one.
    r = c.post(f"/dialogues/{planned.pk}/cancel/", {"cancel-expected_version": 1, "cancel-reason": ""})
    assert r.status_code == 400 and "reason" in r.context["cancel_form"].errors
    r = c.post(f"/dialogues/{planned.pk}/cancel/", {"cancel-expected_version": 1, "cancel-reason": "Mưa lũ"})
    assert r.status_code == 302
    planned.refresh_from_db()
    assert planned.status == DialogueStatus.CANCELLED
    r = c.post(f"/dialogues/{today_one.pk}/cancel/", {"cancel-expected_version": 2, "cancel-reason": "x"})
    assert r.status_code == 400
    # Delete: head only (officers are not delete roles), with a reason.
    assert c.post(f"/dialogues/{today_one.pk}/delete/", {"delete-reason": "Nhập nhầm"}).status_code == 403
    head = client(people["head"])
    r = head.post(f"/dialogues/{today_one.pk}/delete/", {"delete-reason": ""})
    assert r.status_code == 400 and "reason" in r.context["delete_form"].errors
    r = head.post(f"/dialogues/{today_one.pk}/delete/", {"delete-reason": "Nhập nhầm"})
    assert r.status_code == 302 and r["Location"] == "/dialogues/"
    assert Dialogue.objects.get(pk=today_one.pk).deleted_at is not None
    assert client(people["sibling"]).post(f"/dialogues/{planned.pk}/delete/", {"delete-reason": "x"}).status_code == 404
    assert c.get(f"/dialogues/{planned.pk}/held/").status_code == 405
