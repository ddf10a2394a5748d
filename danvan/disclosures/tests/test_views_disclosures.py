"""The officials' disclosure pages: overview, list, item and actions, calendar, quarterly list; permissions and
query counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from danvan.disclosures import services
from danvan.disclosures.models import Disclosure, DisclosureStatus, QuarterlyList

from .test_disclosures import DECIDED, DUE, make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _form(**kw: Any) -> dict[str, Any]:
    data = {"category": kw.pop("category"), "title": "Kế hoạch sử dụng đất 2025", "decided_on": "03/03/2025",
            "forms": ["posting", "loudspeaker"], "loudspeaker_days": "3", "is_public": "on", "content": "Nội dung"}
    data.update(kw)
    return data


def test_anonymous_goes_to_login(tree: dict, cats: dict) -> None:
    d = make(tree["A1"], cats["budget"])
    for url in ("/grassroots/", "/grassroots/disclosures/", f"/grassroots/disclosures/{d.pk}/",
                "/grassroots/calendar/", "/grassroots/quarterly/", "/grassroots/disclosures/new/"):
        r = Client().get(url)
        assert r.status_code == 302 and "login" in r["Location"], url


def test_home(tree: dict, people: dict, cats: dict, django_assert_max_num_queries: Any) -> None:
    make(tree["A1"], cats["budget"], title="Trễ hạn")  # a draft past its due date
    d = make(tree["A1"], cats["budget"], title="Đang niêm yết", decided_on=TODAY)
    services.publish_disclosure(actor=None, disclosure=d, expected_version=1)
    c = _client(people["officer"])
    c.get("/grassroots/")
    with django_assert_max_num_queries(20):
        r = c.get("/grassroots/")
    html = r.content.decode()
    assert r.status_code == 200 and html.count("<h1") == 1
    assert 'data-testid="home-unit">Xã Bình Lư' in html
    assert f"?unit={tree['A1'].pk}&amp;problem=late" in html
    assert 'data-testid="quarters-missing"' in html
    assert "/grassroots/disclosures/new/" in html
    # The province viewer picks a commune; a unit outside their scope is a 404.
    p = _client(people["province"])
    r = p.get(f"/grassroots/?unit={tree['A2'].pk}")
    assert r.status_code == 200 and 'data-testid="home-unit">Phường Tân Phong' in r.content.decode()
    assert "/grassroots/disclosures/new/" not in r.content.decode()
    assert p.get(f"/grassroots/?unit={tree['B1'].pk}").status_code == 404
    r = _client(people["nobody"]).get("/grassroots/")
    assert r.status_code == 200 and 'data-testid="no-unit"' in r.content.decode()


def test_list_filters_pages_and_queries(tree: dict, people: dict, cats: dict, django_assert_max_num_queries: Any) -> None:
    late = make(tree["A1"], cats["budget"], title="Muộn")
    for i in range(55):
        make(tree["A1"], cats["procedures"], title=f"Thủ tục {i}", decided_on=None)
    make(tree["A2"], cats["budget"], title="Xã bên")
    make(tree["B1"], cats["budget"], title="Tỉnh khác")
    c = _client(people["officer"])
    c.get("/grassroots/disclosures/")
    with django_assert_max_num_queries(12):
        r = c.get("/grassroots/disclosures/")
    html = r.content.decode()
    assert r.status_code == 200 and html.count('data-testid="disclosure-row"') == 50
    assert "Xã bên" not in html and "Tỉnh khác" not in html and 'data-testid="next-page"' in html
    nxt = html.split('data-testid="next-page"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    r = c.get("/grassroots/disclosures/" + nxt)
    assert r.content.decode().count('data-testid="disclosure-row"') == 6
    with django_assert_max_num_queries(12):
        r = c.get("/grassroots/disclosures/?problem=late")
    rows = r.content.decode().count('data-testid="disclosure-row"')
    assert rows == 1 and f'data-pk="{late.pk}"' in r.content.decode()
    r = c.get(f"/grassroots/disclosures/?category={cats['budget'].pk}&status=draft&year=2025")
    assert r.content.decode().count('data-testid="disclosure-row"') == 1
    r = c.get("/grassroots/disclosures/?problem=short_posting")
    assert 'data-testid="empty"' in r.content.decode()
    assert c.get("/grassroots/disclosures/?year=abc").status_code == 400
    assert c.get(f"/grassroots/disclosures/?unit={tree['B1'].pk}").status_code == 400
    r = _client(people["province"]).get(f"/grassroots/disclosures/?unit={tree['A2'].pk}")
    assert r.content.decode().count('data-testid="disclosure-row"') == 1


def test_create_and_edit(tree: dict, people: dict, cats: dict) -> None:
    c = _client(people["officer"])
    r = c.get("/grassroots/disclosures/new/")
    assert r.status_code == 200 and r.content.decode().count("<h1") == 1
    r = c.post("/grassroots/disclosures/new/", _form(org_unit=tree["A1"].pk, category=cats["projects_land"].pk))
    assert r.status_code == 302
    d = Disclosure.objects.get()
    assert (d.due_on, d.forms, d.loudspeaker_days, d.is_public) == (DUE, ["posting", "loudspeaker"], 3, True)
    r = c.post("/grassroots/disclosures/new/", _form(org_unit=tree["A1"].pk, category=cats["projects_land"].pk))
    assert r.status_code == 400 and Disclosure.objects.count() == 1  # double submit
    r = c.post("/grassroots/disclosures/new/", _form(org_unit=tree["A1"].pk, category=cats["budget"].pk,
                                                     title="Khác", disclosed_on="05/03/2025",
                                                     posting_ends_on="01/03/2025"))
    assert r.status_code == 400 and 'id="id_posting_ends_on_error"' in r.content.decode()
    r = c.post("/grassroots/disclosures/new/", _form(org_unit=tree["A2"].pk, category=cats["budget"].pk))
    assert r.status_code == 400 and Disclosure.objects.count() == 1  # not their unit
    assert _client(people["province"]).get("/grassroots/disclosures/new/").status_code == 403
    assert _client(people["nobody"]).get("/grassroots/disclosures/new/").status_code == 403
    # Edit, then a stale form is a 409 with nothing overwritten.
    url = f"/grassroots/disclosures/{d.pk}/edit/"
    assert c.get(url).status_code == 200
    r = c.post(url, _form(category=cats["projects_land"].pk, title="Đã sửa", expected_version="1"))
    assert r.status_code == 302
    r = c.post(url, _form(category=cats["projects_land"].pk, title="Cũ", expected_version="1"))
    assert r.status_code == 409
    d.refresh_from_db()
    assert d.title == "Đã sửa" and d.lock_version == 2
    assert _client(people["province"]).get(url).status_code == 403
    assert _client(people["sibling"]).get(url).status_code == 404
    assert _client(people["other"]).post(url, _form(category=cats["budget"].pk, expected_version="2")).status_code == 404


def test_detail_and_actions(tree: dict, people: dict, cats: dict, media: Any,
                            django_assert_max_num_queries: Any) -> None:
    d = make(tree["A1"], cats["social_support"], people["officer"])
    url = f"/grassroots/disclosures/{d.pk}/"
    c = _client(people["officer"])
    c.get(url)
    with django_assert_max_num_queries(14):
        r = c.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and html.count("<h1") == 1 and "10/03/2025" in html
    assert 'data-code="late"' in html and 'data-testid="attachments"' in html
    for who in ("sibling", "other", "nobody", "village"):
        assert _client(people[who]).get(url).status_code == 404, who
    r = _client(people["province"]).get(url)
    assert r.status_code == 200 and "/publish/" not in r.content.decode()
    assert _client(people["province"]).post(url + "publish/", {"expected_version": 1}).status_code == 403
    assert _client(people["sibling"]).post(url + "publish/", {"expected_version": 1}).status_code == 404
    r = c.post(url + "publish/", {"expected_version": 1, "disclosed_on": "01/03/2025"})
    assert r.status_code == 400 and Disclosure.objects.get().status == DisclosureStatus.DRAFT
    r = c.post(url + "publish/", {"expected_version": 1, "disclosed_on": "11/03/2025"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == DisclosureStatus.PUBLISHED and d.posting_ends_on == dt.date(2025, 4, 9)
    r = c.get(url)
    assert 'data-code="late"' in r.content.decode() and 'data-code="loudspeaker"' in r.content.decode()
    assert c.post(url + "publish/", {"expected_version": 1}).status_code == 409
    assert c.post(url + "withdraw/", {"expected_version": 2, "reason": ""}).status_code == 400
    assert c.post(url + "withdraw/", {"expected_version": 2, "reason": "Sai số liệu"}).status_code == 302
    assert c.post(url + "delete/", {"reason": "Nhầm"}).status_code == 403  # an officer may not delete
    h = _client(people["head"])
    assert h.post(url + "delete/", {"reason": ""}).status_code == 400
    r = h.post(url + "delete/", {"reason": "Nhầm"})
    assert r.status_code == 302 and r["Location"] == "/grassroots/disclosures/"
    assert h.get(url).status_code == 404


def test_calendar(tree: dict, people: dict, cats: dict, django_assert_max_num_queries: Any) -> None:
    d = make(tree["A1"], cats["budget"], title="Dự toán")
    services.publish_disclosure(actor=None, disclosure=d, expected_version=1, disclosed_on=dt.date(2025, 3, 5))
    make(tree["A1"], cats["budget"], title="Nháp đến hạn", decided_on=dt.date(2025, 3, 4))
    fees = make(tree["A1v"], cats["fees"], title="Phí", decided_on=dt.date(2024, 1, 2))
    services.publish_disclosure(actor=None, disclosure=fees, expected_version=1, disclosed_on=dt.date(2024, 1, 3))
    other = make(tree["A2"], cats["budget"], title="Xã bên")
    services.publish_disclosure(actor=None, disclosure=other, expected_version=1, disclosed_on=dt.date(2025, 3, 5))
    c = _client(people["officer"])
    url = f"/grassroots/calendar/?unit={tree['A1'].pk}&month=03/2025"
    c.get(url)
    with django_assert_max_num_queries(12):
        r = c.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and html.count("<h1") == 1 and "Xã bên" not in html
    assert 'data-day="2025-03-04" data-posted="1"' in html  # the permanent fees only
    assert 'data-day="2025-03-05" data-posted="2"' in html
    assert 'data-day="2025-04-03" data-posted="2"' in html  # last day of the 30
    assert "Nháp đến hạn" in html  # due on 11/03
    r = c.get(f"/grassroots/calendar/?unit={tree['A1'].pk}&month=04/2025")
    assert 'data-day="2025-04-04" data-posted="1"' in r.content.decode()
    assert c.get(f"/grassroots/calendar/?unit={tree['A1'].pk}&month=13/2025").status_code == 200
    assert c.get(f"/grassroots/calendar/?unit={tree['B1'].pk}").status_code == 404
    assert _client(people["nobody"]).get("/grassroots/calendar/").status_code == 200


def test_quarterly(tree: dict, people: dict, cats: dict, django_assert_max_num_queries: Any) -> None:
    d = make(tree["A1"], cats["budget"], title="Dự toán quý 1")
    services.publish_disclosure(actor=None, disclosure=d, expected_version=1, disclosed_on=dt.date(2025, 3, 5))
    c = _client(people["officer"])
    url = f"/grassroots/quarterly/?unit={tree['A1'].pk}&year=2025&quarter=1"
    with django_assert_max_num_queries(12):
        r = c.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and "Dự toán quý 1" in html and 'data-testid="post-list"' in html
    # The print rules are a stylesheet file (the CSP allows no <style> block).
    from django.contrib.staticfiles import finders
    assert "css/disclosures-quarter.css" in html
    assert "@media print" in Path(str(finders.find("css/disclosures-quarter.css"))).read_text(encoding="utf-8")
    p = _client(people["province"])
    assert 'data-testid="post-list"' not in p.get(url).content.decode()
    assert p.post("/grassroots/quarterly/", {"unit": tree["A1"].pk, "year": 2025, "quarter": 1}).status_code == 403
    assert not QuarterlyList.objects.exists()
    assert c.post("/grassroots/quarterly/", {"unit": tree["A1"].pk, "year": 2025, "quarter": 9}).status_code == 400
    assert c.post("/grassroots/quarterly/", {"unit": tree["A1"].pk}).status_code == 400
    assert not QuarterlyList.objects.exists()
    r = c.post("/grassroots/quarterly/", {"unit": tree["A1"].pk, "year": 2025, "quarter": 1})
    assert r.status_code == 302
    row = QuarterlyList.objects.get()
    assert row.items == 1 and row.posted_on == TODAY
    r = c.post("/grassroots/quarterly/", {"unit": tree["A1"].pk, "year": 2025, "quarter": 1})
    assert r.status_code == 400 and QuarterlyList.objects.count() == 1
    assert 'data-testid="posted"' in c.get(url).content.decode()
    assert _client(people["sibling"]).post("/grassroots/quarterly/", {"unit": tree["A1"].pk, "year": 2025,
                                                                      "quarter": 2}).status_code == 404
    assert DECIDED.year == 2025
