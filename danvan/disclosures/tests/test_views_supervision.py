"""Front supervision pages: visible to the Front and the unit concerned only; the Front writes, the unit answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.disclosures.models import FrontSupervision

from . import test_supervision as base
from .test_supervision import START, TODAY, record

fronts, people = base.fronts, base.people  # the fixtures, shared with the service tests

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.cookies["django_language"] = "en"  # English: the assertions do not depend on the Vietnamese catalogue
    c.force_login(user)
    return c


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def sup(fronts: dict[str, Any], people: dict[str, Any]) -> FrontSupervision:
    return record(fronts, people["front"])


def test_pages_need_login(fronts, sup):
    for url in (reverse("disclosures:supervision_list"), reverse("disclosures:supervision_create"),
                reverse("disclosures:supervision_detail", args=[sup.pk])):
        r = Client().get(url)
        assert r.status_code == 302 and "login" in r["Location"]


def test_list_scoped_filtered_and_bounded(fronts, people, sup, django_assert_max_num_queries):
    record(fronts, None, subject="Phản biện dự thảo quy hoạch", kind="critique", response_due_on=None)
    record(fronts, None, subject="Giám sát quá hạn", response_due_on=START + dt.timedelta(days=1))
    url = reverse("disclosures:supervision_list")
    c = client_for(people["officer"])
    c.get(url)
    with CaptureQueriesContext(connection) as few:
        r = c.get(url)
    body = r.content.decode()
    assert r.status_code == 200 and "Giám sát việc thu, chi" in body and "Phản biện" in body
    assert 'data-state="overdue"' in body and 'data-state="awaiting"' in body
    for i in range(5):
        record(fronts, None, subject=f"Giám sát {i}")
    with django_assert_max_num_queries(len(few)):  # constant in the number of rows
        c.get(url)
    with django_assert_max_num_queries(10):
        c.get(url)
    body = c.get(url + "?state=overdue").content.decode()
    assert "Giám sát quá hạn" in body and "Phản biện" not in body and "Giám sát 1" not in body
    body = c.get(url + "?kind=critique").content.decode()
    assert "Phản biện" in body and "Giám sát quá hạn" not in body
    assert reverse("disclosures:supervision_create") not in body  # an officer does not record supervisions
    front_body = client_for(people["front"]).get(url).content.decode()
    assert "Giám sát quá hạn" in front_body and reverse("disclosures:supervision_create") in front_body
    for who in ("sibling", "other_province", "front_b", "nobody"):
        r = client_for(people[who]).get(url)
        assert r.status_code == 200 and "Giám sát" not in r.content.decode(), who


def test_list_keyset_pages(fronts, people, monkeypatch):
    from danvan.disclosures import views_boards

    monkeypatch.setattr(views_boards, "PAGE_SIZE", 2)
    for i in range(3):
        record(fronts, None, subject=f"Đợt {i}", starts_on=START + dt.timedelta(days=i))
    c = client_for(people["front"])
    body = c.get(reverse("disclosures:supervision_list")).content.decode()
    assert "Đợt 2" in body and "Đợt 0" not in body
    after = body.split("after=")[1].split('"')[0]
    assert "Đợt 0" in c.get(reverse("disclosures:supervision_list") + f"?after={after}").content.decode()


def test_create_through_the_form(fronts, people):
    c = client_for(people["front"])
    r = c.get(reverse("disclosures:supervision_create"))
    assert r.status_code == 200 and r.context["form"].initial["front_unit"] == fronts["F1"].pk
    units = list(r.context["form"].fields["org_unit"].queryset)
    assert fronts["A1"] in units and fronts["A1v"] in units and fronts["A2"] not in units and fronts["F1"] not in units
    data = {"org_unit": fronts["A1"].pk, "front_unit": fronts["F1"].pk, "kind": "critique",
            "by_name": "Ủy ban MTTQ xã", "subject": "Phản biện dự thảo kế hoạch sử dụng đất",
            "starts_on": d(START), "ends_on": d(START - dt.timedelta(days=1)), "findings": "", "recommendations": "",
            "response_due_on": ""}
    r = c.post(reverse("disclosures:supervision_create"), data)
    assert r.status_code == 400 and "cannot end before" in r.content.decode()
    r = c.post(reverse("disclosures:supervision_create"), {**data, "ends_on": "", "is_public": "on"})
    sup = FrontSupervision.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("disclosures:supervision_detail", args=[sup.pk])
    assert sup.is_public and sup.kind == "critique"
    r = c.post(reverse("disclosures:supervision_create"), {**data, "ends_on": ""})
    assert r.status_code == 400 and "already recorded" in r.content.decode()
    r = c.post(reverse("disclosures:supervision_create"), {**data, "ends_on": "", "front_unit": ""})
    assert r.status_code == 403 and "front_unit" in r.context["form"].errors
    assert FrontSupervision.objects.count() == 1


def test_officer_cannot_record(fronts, people):
    c = client_for(people["officer"])
    r = c.get(reverse("disclosures:supervision_create"))
    assert r.status_code == 200 and "you hold no such role" in r.content.decode()
    r = c.post(reverse("disclosures:supervision_create"), {"org_unit": fronts["A1"].pk, "kind": "supervision",
                                                           "by_name": "X", "subject": "Y", "starts_on": d(START)})
    assert r.status_code == 400 and not FrontSupervision.objects.exists()


def test_detail_for_each_side(fronts, people, sup, django_assert_max_num_queries):
    url = reverse("disclosures:supervision_detail", args=[sup.pk])
    officer = client_for(people["officer"])
    officer.get(url)
    with django_assert_max_num_queries(12):
        r = officer.get(url)
    body = r.content.decode()
    assert r.status_code == 200 and "Chi hỗ trợ trước 30/6." in body
    assert reverse("disclosures:supervision_respond", args=[sup.pk]) in body
    assert reverse("disclosures:supervision_edit", args=[sup.pk]) not in body
    assert reverse("disclosures:supervision_delete", args=[sup.pk]) not in body
    body = client_for(people["front"]).get(url).content.decode()
    assert reverse("disclosures:supervision_respond", args=[sup.pk]) not in body
    assert reverse("disclosures:supervision_edit", args=[sup.pk]) in body
    assert reverse("disclosures:attachment_add") in body  # the Front may attach its report
    for who in ("sibling", "other_province", "front_b", "nobody"):
        c = client_for(people[who])
        assert c.get(url).status_code == 404, who
        assert c.get(reverse("disclosures:supervision_edit", args=[sup.pk])).status_code == 404
        assert c.post(reverse("disclosures:supervision_respond", args=[sup.pk]), {}).status_code == 404


def test_edit_by_the_front_and_403_for_the_unit(fronts, people, sup):
    url = reverse("disclosures:supervision_edit", args=[sup.pk])
    assert client_for(people["officer"]).get(url).status_code == 403
    c = client_for(people["front"])
    r = c.get(url)
    assert r.status_code == 200
    data = {k: v for k, v in r.context["form"].initial.items() if v is not None}
    data.update({"starts_on": d(sup.starts_on), "ends_on": d(sup.ends_on), "response_due_on": d(sup.response_due_on),
                 "findings": "Thu đúng, chi chậm 2 tháng."})
    data.pop("is_public")
    assert c.post(url, data).status_code == 302
    sup.refresh_from_db()
    assert sup.findings == "Thu đúng, chi chậm 2 tháng." and sup.lock_version == 2
    r = c.post(url, data)
    assert r.status_code == 409


def test_respond_late_and_on_time(fronts, people):
    sup = record(fronts, people["front"], response_due_on=START + dt.timedelta(days=3))
    url = reverse("disclosures:supervision_respond", args=[sup.pk])
    assert client_for(people["front"]).post(url, {"response": "x", "responded_on": d(TODAY),
                                                  "expected_version": 1}).status_code == 403
    c = client_for(people["officer"])
    r = c.post(url, {"response": "Đã chi.", "responded_on": d(TODAY), "expected_version": 1})
    assert r.status_code == 400 and "say why it is late" in r.content.decode()
    r = c.post(url, {"response": "Đã chi.", "responded_on": d(TODAY), "expected_version": 1,
                     "late_reason": "Chờ ngân sách tỉnh."})
    assert r.status_code == 302
    body = c.get(reverse("disclosures:supervision_detail", args=[sup.pk])).content.decode()
    assert 'data-state="responded_late"' in body and "Chờ ngân sách tỉnh." in body
    r = c.post(url, {"response": "Sửa", "responded_on": d(TODAY), "expected_version": 1, "late_reason": "x"})
    assert r.status_code == 409


def test_delete(fronts, people, sup):
    url = reverse("disclosures:supervision_delete", args=[sup.pk])
    assert client_for(people["head"]).post(url, {"reason": "Nhầm"}).status_code == 403
    c = client_for(people["front"])
    assert c.post(url, {"reason": ""}).status_code == 400
    r = c.post(url, {"reason": "Nhập trùng"})
    assert r.status_code == 302 and r["Location"] == reverse("disclosures:supervision_list")
    assert c.get(reverse("disclosures:supervision_detail", args=[sup.pk])).status_code == 404
