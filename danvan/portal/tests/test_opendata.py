"""Open data: CSV and JSON per unit and for all provinces, the API, periods, and no personal data anywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from danvan.petitions import public
from danvan.petitions.tests.fixtures_cases import classify, fields, people, step  # noqa: F401
from danvan.portal import opendata
from danvan.portal.registry import SECTIONS, OpenFigure, Section, register

pytestmark = pytest.mark.django_db
NAME, ADDRESS, CONTACT = "Giàng A Páo", "Bản Thẳm, xã Bình Lư", "0912 345 678"
SUMMARY = "Đề nghị sửa đường vào bản"


def _submit(unit: Any, key: str = "k1", kind: str = "recommendation") -> Any:
    p, _secret = public.submit_online(org_unit=unit, kind=kind, summary=SUMMARY, content="Đường hỏng nặng",
                                      name=NAME, address=ADDRESS, contact=CONTACT, idempotency_key=key)
    return p


def _csv(r: Any) -> list[dict[str, str]]:
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def _by_key(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["key"]: row for row in rows}


@pytest.fixture
def no_cache(settings: Any) -> None:
    settings.DANVAN_PORTAL_CACHE_SECONDS = 0


@pytest.fixture
def figures_section() -> Iterator[None]:
    """A section whose figure is not available (None) and one whose figures fail."""
    def broken(unit: Any, date_from: dt.date, date_to: dt.date) -> list[OpenFigure]:
        raise RuntimeError("hỏng")

    register(Section(key="test-figures", title="Thử", order=98, template="petitions/public/portal_submit.html",
                     context=lambda u, r: None,
                     open_data=lambda u, f, t: [OpenFigure("test.unknown", "Chưa có số liệu", None, "%"),
                                                OpenFigure("test.formula", "=cmd|' /C calc'!A0", 2.5, "")]))
    register(Section(key="test-broken-figures", title="Hỏng", order=99, template="petitions/public/portal_submit.html",
                     context=lambda u, r: None, open_data=broken))
    yield
    SECTIONS.pop("test-figures", None)
    SECTIONS.pop("test-broken-figures", None)


def test_unit_csv_counts_the_subtree(tree: dict, no_cache: Any, django_assert_max_num_queries: Any) -> None:
    _submit(tree["A1"], "k1")
    _submit(tree["A2"], "k2", kind="feedback")
    _submit(tree["B1"], "k3")
    c = Client()
    with django_assert_max_num_queries(12):
        r = c.get(f"/public/units/{tree['A'].pk}/data.csv")
    assert r.status_code == 200 and r["Content-Type"] == "text/csv; charset=utf-8"
    assert "public" in r["Cache-Control"] and ".csv" in r["Content-Disposition"]
    rows = _csv(r)
    assert list(rows[0]) == opendata.COLUMNS
    figs = _by_key(rows)
    today = timezone.localdate()
    assert figs["petitions.received_total"]["value"] == "2"  # A1 and A2, not B1
    assert figs["petitions.received_feedback"]["value"] == "1"
    row = figs["petitions.received_total"]
    assert row["unit_code"] == "12" and row["unit_name"] == "Tỉnh Lai Châu"
    assert row["date_from"] == f"{today.year}-01-01" and row["date_to"] == today.isoformat()
    assert figs["petitions.resolved_on_time_share"]["value"] == ""  # nothing resolved: not available, not 0
    commune = _by_key(_csv(c.get(f"/public/units/{tree['A1'].pk}/data.csv")))
    assert commune["petitions.received_total"]["value"] == "1"


def test_unit_json(tree: dict, no_cache: Any, django_assert_max_num_queries: Any) -> None:
    _submit(tree["A1"])
    c = Client()
    with django_assert_max_num_queries(12):
        r = c.get(f"/public/units/{tree['A1'].pk}/data.json?from=01/01/2020&to=2020-12-31")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    data = json.loads(r.content)
    assert data["unit"] == {"id": tree["A1"].pk, "code": "03440", "name": "Xã Bình Lư"}
    assert (data["date_from"], data["date_to"]) == ("2020-01-01", "2020-12-31")
    figs = {f["key"]: f for f in data["figures"]}
    assert figs["petitions.received_total"]["value"] == 0  # received today, outside 2020
    assert figs["petitions.resolved_on_time_share"]["value"] is None
    assert set(figs["petitions.received_total"]) == {"key", "label", "value", "unit"}
    now = json.loads(c.get(f"/public/units/{tree['A1'].pk}/data.json").content)
    assert {f["key"]: f for f in now["figures"]}["petitions.received_total"]["value"] == 1


def test_none_is_not_available_and_failing_sections_are_left_out(tree: dict, no_cache: Any,
                                                                 figures_section: Any) -> None:
    c = Client()
    rows = _by_key(_csv(c.get(f"/public/units/{tree['A'].pk}/data.csv")))
    assert rows["test.unknown"]["value"] == "" and rows["test.unknown"]["unit"] == "%"
    assert rows["test.formula"]["label"].startswith("'=")  # a spreadsheet would run it as a formula
    assert "petitions.received_total" in rows  # the broken section did not take the others down
    data = json.loads(c.get(f"/public/units/{tree['A'].pk}/data.json").content)
    assert {f["key"]: f["value"] for f in data["figures"]}["test.unknown"] is None


@pytest.mark.parametrize(("query", "field"), [
    ("from=2026-13-01", "from"), ("to=hôm nay", "to"), ("from=1999-12-31", "from"), ("to=3000-01-01", "to"),
    ("from=2025-06-01&to=2025-05-31", "to"), ("from=2010-01-01&to=2025-01-01", "to"),
])
def test_bad_period_is_400(tree: dict, query: str, field: str) -> None:
    c = Client()
    url = f"/public/units/{tree['A'].pk}/data"
    r = c.get(f"{url}.json?{query}")
    assert r.status_code == 400
    data = json.loads(r.content)
    assert data["detail"] and [e["field"] for e in data["errors"]] == [field] and data["errors"][0]["message"]
    r = c.get(f"{url}.csv?{query}")
    assert r.status_code == 400 and r["Content-Type"].startswith("text/plain") and f"{field}: " in r.content.decode()
    assert c.get(f"/public/data/provinces.csv?{query}").status_code == 400
    page = c.get(f"/public/data/?{query}")
    assert page.status_code == 400 and 'role="alert"' in page.content.decode()


def test_reversed_period_message(tree: dict, settings: Any) -> None:
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = c.get(f"/public/units/{tree['A'].pk}/data.json?from=2025-06-01&to=2025-05-31")
    assert r.json()["errors"] == [{"field": "to", "message": "The end date must be on or after the start date."}]


def test_unknown_unit(tree: dict) -> None:
    c = Client()
    assert c.get("/public/units/987654/data.csv").status_code == 404
    r = c.get("/public/units/987654/data.json")
    assert r.status_code == 404 and json.loads(r.content)["detail"]


def test_no_personal_data_on_unit_page_or_open_data(tree: dict, people: dict, fields: dict,  # noqa: F811
                                                    no_cache: Any) -> None:
    f = next(iter(fields.values()))
    p = _submit(tree["A1"])
    classify(p, f)
    step(p, "reply", reason="Đã trả lời")
    public.publish_result(actor=people["officer"], petition=p, text="Đường vào bản đã được sửa xong.",
                          expected_version=p.lock_version)
    c = Client()
    for unit in ("A1", "A"):
        pk = tree[unit].pk
        page = c.get(f"/public/units/{pk}/").content.decode()
        assert "Đường vào bản đã được sửa xong." in page and 'data-section="petitions-results"' in page
        for body in (page, c.get(f"/public/units/{pk}/data.csv").content.decode(),
                     c.get(f"/public/units/{pk}/data.json").content.decode(),
                     c.get(f"/api/v1/portal/units/{pk}/open-data").content.decode()):
            for personal in (NAME, ADDRESS, CONTACT, SUMMARY, "Đường hỏng nặng", p.tracking_code or "?"):
                assert personal not in body
    assert "Đường vào bản đã được sửa xong." not in c.get(f"/public/units/{tree['B'].pk}/").content.decode()


def test_open_data_is_cached(tree: dict, settings: Any, django_assert_max_num_queries: Any) -> None:
    settings.DANVAN_PORTAL_CACHE_SECONDS = 120
    c = Client()
    url = f"/public/units/{tree['A'].pk}/data.csv"
    before = _by_key(_csv(c.get(url)))
    _submit(tree["A1"])
    with django_assert_max_num_queries(2):  # the unit, the cache read
        again = _by_key(_csv(c.get(url)))
    assert again == before
    settings.DANVAN_PORTAL_CACHE_SECONDS = 0
    assert _by_key(_csv(c.get(url)))["petitions.received_total"]["value"] == "1"


def test_open_data_page_and_national_files(tree: dict, no_cache: Any, django_assert_max_num_queries: Any) -> None:
    _submit(tree["A1"])
    _submit(tree["B1"], "k2")
    c = Client()
    with django_assert_max_num_queries(2):
        page = c.get("/public/data/?from=2026-01-01&to=2026-03-31")
    body = page.content.decode()
    assert page.status_code == 200 and "public" in page["Cache-Control"]
    assert "/public/data/provinces.csv?from=2026-01-01&amp;to=2026-03-31" in body
    assert f"/public/units/{tree['B'].pk}/data.json?from=2026-01-01&amp;to=2026-03-31" in body
    assert body.count("<h1") == 1
    with django_assert_max_num_queries(2 + 2 * 11):  # the provinces, then each province's figures
        r = c.get("/public/data/provinces.csv")
    rows = _csv(r)
    totals = {row["unit_name"]: row["value"] for row in rows if row["key"] == "petitions.received_total"}
    assert totals == {"Tỉnh Lai Châu": "1", "Tỉnh Thái Nguyên": "1"}
    data = json.loads(c.get("/public/data/provinces.json").content)
    assert [p["unit"]["name"] for p in data["provinces"]] == ["Tỉnh Lai Châu", "Tỉnh Thái Nguyên"]


# --------------------------------------------------------------------------- API


def test_api_unit_open_data_is_public(tree: dict, no_cache: Any, django_assert_max_num_queries: Any) -> None:
    from danvan.api.tests.conftest import checker

    _submit(tree["A1"])
    c = Client()

    def get(path: str) -> Any:
        r = c.get(path)
        checker().check("GET", path.split("?")[0], r)  # every answer matches the committed schema
        return r

    with django_assert_max_num_queries(12):
        r = get(f"/api/v1/portal/units/{tree['A'].pk}/open-data?from=2020-01-01")
    assert r.status_code == 200
    data = r.json()
    assert data["unit"]["name"] == "Tỉnh Lai Châu" and data["date_from"] == "2020-01-01"
    assert {f["key"]: f["value"] for f in data["figures"]}["petitions.received_total"] == 1
    bad = get(f"/api/v1/portal/units/{tree['A'].pk}/open-data?from=2025-06-01&to=2025-05-01")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "to"
    assert get("/api/v1/portal/units/987654/open-data").status_code == 404
    assert get("/api/v1/portal/units/abc/open-data").status_code == 422
    assert get(f"/api/v1/portal/units/{tree['A'].pk}/open-data?from={'1' * 50}").status_code == 422
    national = get("/api/v1/portal/national/open-data")
    assert national.status_code == 200 and len(national.json()["provinces"]) == 2
    assert get("/api/v1/portal/national/open-data?to=x").status_code == 400
    # A bad token does not matter: the data is public.
    assert c.get("/api/v1/portal/national/open-data", HTTP_AUTHORIZATION="Bearer dvk_sai").status_code == 200


def test_period_defaults_and_formats() -> None:
    today = timezone.localdate()
    default = opendata.period({})
    assert (default.date_from, default.date_to) == (dt.date(today.year, 1, 1), today)
    both = opendata.period({"from": " 05/02/2024 ", "to": "2024-03-01"})
    assert (both.date_from, both.date_to) == (dt.date(2024, 2, 5), dt.date(2024, 3, 1))
    one_day = opendata.period({"from": "2024-03-01", "to": "2024-03-01"})
    assert one_day.date_from == one_day.date_to
