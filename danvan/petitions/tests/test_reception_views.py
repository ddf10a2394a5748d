"""Reception pages: schedule with shortfall warnings, sessions, the book, the visit form, the XLSX export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from danvan.petitions.models import Petition, ReceptionSession, ReceptionVisit

from .fixtures_cases import *  # noqa: F403 - the fixtures `people` and `fields`
from .test_reception_services import DAY, session, visit

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_need_login(tree):
    for name in ("petitions:reception", "petitions:reception_book", "petitions:reception_visit_new",
                 "petitions:reception_session_new", "petitions:reception_book_xlsx"):
        r = Client().get(reverse(name))
        assert r.status_code == 302 and "login" in r["Location"]


def test_schedule_shows_sessions_and_shortfall(tree, people, django_assert_max_num_queries):
    for i in range(3):
        session(tree["A1"], people["officer"], date=dt.date(2026, 7, 6 + 7 * i))
    c = client_for(people["officer"])
    url = f"{reverse('petitions:reception')}?unit={tree['A1'].pk}&month=2026-07"
    c.get(url)
    with django_assert_max_num_queries(14):
        r = c.get(url)
    assert r.status_code == 200
    body = r.content.decode()
    assert body.count("Lò Văn Pâng") == 3
    assert "data-shortfalls" in body and "27/07/2026" in body  # the week of 27/07 has no head's day
    assert reverse("petitions:reception_session_edit", args=[ReceptionSession.objects.earliest("pk").pk]) in body


def test_schedule_of_an_invisible_unit_is_404(tree, people):
    for who in ("other_commune", "other_province", "nobody"):
        r = client_for(people[who]).get(f"{reverse('petitions:reception')}?unit={tree['A1'].pk}")
        assert r.status_code == 404
    assert client_for(people["officer"]).get(f"{reverse('petitions:reception')}?unit=abc").status_code == 404


def test_schedule_new_edit_cancel(tree, people):
    c = client_for(people["officer"])
    data = {"org_unit": tree["A1"].pk, "date": "15/07/2026", "starts_at": "07:30", "ends_at": "11:00",
            "by_head": "on", "host_name": "Lò Văn Pâng", "mode": "in_person", "location": "Trụ sở UBND xã",
            "published": "on"}
    r = c.post(reverse("petitions:reception_session_new"), data)
    assert r.status_code == 302
    s = ReceptionSession.objects.get()
    assert s.by_head and s.date == DAY
    r = c.post(reverse("petitions:reception_session_new"), {**data, "ends_at": "07:00"})
    assert r.status_code == 400 and ReceptionSession.objects.count() == 1
    r = c.post(reverse("petitions:reception_session_edit", args=[s.pk]),
               {**data, "location": "Hội trường", "lock_version": 1})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.location == "Hội trường"
    r = c.post(reverse("petitions:reception_session_edit", args=[s.pk]), {**data, "lock_version": 1})
    assert r.status_code == 400
    s.refresh_from_db()
    assert s.location == "Hội trường"  # the stale form lost
    r = c.post(reverse("petitions:reception_session_cancel", args=[s.pk]), {"reason": "Đi công tác", "lock_version": 2})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.cancelled_at is not None
    assert client_for(people["viewer"]).get(reverse("petitions:reception_session_edit", args=[s.pk])).status_code == 403
    assert client_for(people["other_commune"]).get(
        reverse("petitions:reception_session_edit", args=[s.pk])).status_code == 404


def test_viewer_cannot_schedule_through_the_form(tree, people):
    r = client_for(people["viewer"]).post(reverse("petitions:reception_session_new"), {
        "org_unit": tree["A1"].pk, "date": "15/07/2026", "host_name": "X", "mode": "in_person", "location": "Y"})
    assert r.status_code == 400 and not ReceptionSession.objects.exists()


def test_book_page_masks_denunciations_and_pages(tree, people, django_assert_max_num_queries):
    visit(tree["A1"], people["reception"], kind="denunciation", visitor_name="Trần Thị Tố Giác",
          visitor_address="Bản Nà Luồng", id_number="098765432109", handling="recorded")
    for i in range(3):
        visit(tree["A1"], people["reception"], summary=f"Việc số {i}")
    c = client_for(people["province_officer"])
    url = f"{reverse('petitions:reception_book')}?unit={tree['A1'].pk}&year=2026"
    c.get(url)
    with django_assert_max_num_queries(12):
        r = c.get(url)
    body = r.content.decode()
    assert r.status_code == 200 and "Nguyễn Văn An" in body
    assert "Tố Giác" not in body and "098765432109" not in body and "Bản Nà Luồng" not in body
    assert body.count("<tr>") == 5  # head + 4 entries
    v = ReceptionVisit.objects.get(kind="denunciation")
    detail = client_for(people["officer"]).get(reverse("petitions:reception_visit", args=[v.pk])).content.decode()
    assert "Tố Giác" not in detail and "098765432109" not in detail
    assert client_for(people["other_commune"]).get(reverse("petitions:reception_visit", args=[v.pk])).status_code == 404


def test_book_keyset_next_page(tree, people, settings):
    from danvan.petitions import reception

    for i in range(reception.BOOK_LIMIT + 2):
        visit(tree["A1"], None, summary=f"Việc {i}")
    c = client_for(people["officer"])
    r = c.get(f"{reverse('petitions:reception_book')}?unit={tree['A1'].pk}&year=2026")
    assert f"after={reception.BOOK_LIMIT}" in r.content.decode()
    r = c.get(f"{reverse('petitions:reception_book')}?unit={tree['A1'].pk}&year=2026&after={reception.BOOK_LIMIT}")
    assert r.content.decode().count("<tr>") == 3


def visit_post(unit: Any, **kw: Any) -> dict[str, Any]:
    data = {"org_unit": unit.pk, "visited_on": "15/07/2026", "visitor_name": "Nguyễn Văn An",
            "visitor_address": "Bản Thẳm", "id_number": "012345678901", "kind": "complaint",
            "summary": "Khiếu nại việc thu hồi đất", "people_count": 1, "has_written_petition": "on",
            "handling": "guided", "idempotency_key": "form-1"}
    data.update(kw)
    return data


def test_visit_form_double_submit_and_petition(tree, people):
    c = client_for(people["reception"])
    r = c.post(reverse("petitions:reception_visit_new"), visit_post(tree["A1"]))
    assert r.status_code == 302
    r = c.post(reverse("petitions:reception_visit_new"), visit_post(tree["A1"]))
    assert r.status_code == 302 and ReceptionVisit.objects.count() == 1
    r = c.post(reverse("petitions:reception_visit_new"), visit_post(
        tree["A1"], idempotency_key="form-2", handling="", create_petition="on", petition_content="Chi tiết"))
    assert r.status_code == 302
    v = ReceptionVisit.objects.get(idempotency_key="form-2")
    assert Petition.objects.get(visit=v).channel == "reception"
    r = c.post(reverse("petitions:reception_visit_new"), visit_post(tree["A1"], idempotency_key="form-3",
                                                                    handling="forwarded"))
    assert r.status_code == 400 and "forwarded_to_name" in r.content.decode()
    assert ReceptionVisit.objects.count() == 2
    r = c.post(reverse("petitions:reception_visit_new"), visit_post(tree["A1"], idempotency_key="form-4",
                                                                    visited_on="01/01/2999"))
    assert r.status_code == 400


def test_follow_up_form(tree, people):
    v = visit(tree["A1"], people["reception"])
    url = reverse("petitions:reception_visit", args=[v.pk])
    r = client_for(people["reception"]).post(url, {"follow_up": "Đã trả lời", "lock_version": 1})
    assert r.status_code == 302
    v.refresh_from_db()
    assert v.follow_up == "Đã trả lời"
    r = client_for(people["reception"]).post(url, {"follow_up": "Cũ", "lock_version": 1})
    assert r.status_code == 400
    v.refresh_from_db()
    assert v.follow_up == "Đã trả lời"
    assert client_for(people["viewer"]).post(url, {"follow_up": "x", "lock_version": 2}).status_code == 403


def test_xlsx_export(tree, people):
    visit(tree["A1"], people["reception"], kind="denunciation", visitor_name="Trần Thị Tố Giác",
          id_number="098765432109", handling="recorded")
    visit(tree["A1"], people["reception"], people_count=7, handling="forwarded", forwarded_to_name="Thanh tra tỉnh",
          forward_document_number="15/PC")
    r = client_for(people["officer"]).get(f"{reverse('petitions:reception_book_xlsx')}?unit={tree['A1'].pk}&year=2026")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(r.streaming_content)  # type: ignore[attr-defined]
    wb = load_workbook(io.BytesIO(content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert len(rows) == 4 and rows[2][0] == 1 and rows[3][7] == 7 and "15/PC" in rows[3][10]
    flat = " ".join(str(c) for row in rows for c in row)
    assert "Tố Giác" not in flat and "098765432109" not in flat and "Nguyễn Văn An" in flat
    assert client_for(people["other_province"]).get(
        f"{reverse('petitions:reception_book_xlsx')}?unit={tree['A1'].pk}&year=2026").status_code == 404
