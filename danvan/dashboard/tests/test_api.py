"""/api/v1/dashboard: figures by unit, trends, league tables — every answer checked against OpenAPI."""
# ruff: noqa: F811 - pytest fixtures imported from other test modules are redefined as arguments

from __future__ import annotations

from typing import Any

import pytest

from danvan.api.tests.conftest import ApiClient, anon, caller, callers  # noqa: F401
from danvan.dashboard.models import LeagueTable
from danvan.dashboard.tests.test_views import COUNT, RATE, data, figs, put, year  # noqa: F401

pytestmark = pytest.mark.django_db


def _fig(row: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in row["figures"] if f["key"] == key)


def test_figures_of_the_province_and_its_units(data: Any, callers: Any) -> None:
    r = callers["province"].api.get(f"/dashboard/figures?period={year()}")
    assert r.status_code == 200
    body = r.json()
    assert body["period"] == year() and body["refreshed_at"] is not None and body["stale"] is False
    assert {d["key"] for d in body["definitions"]} >= {RATE, COUNT}
    total = body["rows"][0]
    assert total["total"] and total["unit"]["id"] == data["A"].pk
    assert _fig(total, RATE)["value"] == 80.0 and _fig(total, COUNT)["value"] == 5
    by = {row["unit"]["id"]: row for row in body["rows"][1:]}
    a2 = _fig(by[data["A2"].pk], RATE)
    assert a2 == {"key": RATE, "available": False, "value": None, "numerator": None, "denominator": None,
                  "source_url": None}  # not available, never 0
    assert _fig(by[data["A1"].pk], RATE)["source_url"] == f"/src/{data['A1'].pk}/{year()}/"
    assert by[data["A1"].pk]["has_children"] and not by[data["A2"].pk]["has_children"]


@pytest.mark.parametrize("who,unit,status", [
    ("commune", "A1", 200), ("commune", "A", 404), ("sibling", "A1", 404), ("other", "A", 404),
    ("province", "B", 404), ("nobody", "A", 404),
])
def test_figures_boundaries(data: Any, callers: Any, who: str, unit: str, status: int) -> None:
    assert callers[who].api.get(f"/dashboard/figures?unit={data[unit].pk}").status_code == status


def test_figures_without_unit_and_anonymous(data: Any, callers: Any, anon: ApiClient) -> None:
    assert callers["nobody"].api.get("/dashboard/figures").status_code == 404
    assert anon.get("/dashboard/figures").status_code == 401
    r = callers["commune"].api.get("/dashboard/figures")
    assert r.json()["rows"][0]["unit"]["id"] == data["A1"].pk


@pytest.mark.parametrize("query", ["period=2026-Q9", "period=abc", "unit=abc", "unit=0", "unit=-3"])
def test_figures_bad_input_is_422(data: Any, callers: Any, query: str) -> None:
    r = callers["province"].api.get(f"/dashboard/figures?{query}")
    assert r.status_code == 422 and r.json()["errors"]


def test_figures_query_count(data: Any, callers: Any, django_assert_max_num_queries: Any) -> None:
    api = callers["province"].api
    api.get("/dashboard/figures")
    with django_assert_max_num_queries(7):
        assert api.get("/dashboard/figures").status_code == 200


def test_trend(data: Any, callers: Any) -> None:
    put(data["A"], RATE, 1, 2, period=f"{year()}-Q1")
    put(data["A"], RATE, 1, 4, period=f"{year()}-Q3")
    r = callers["province"].api.get(f"/dashboard/trend?key={RATE}")
    assert r.status_code == 200
    assert r.json()["points"] == [{"period": f"{year()}-Q1", "value": 50.0}, {"period": f"{year()}-Q2", "value": None},
                                  {"period": f"{year()}-Q3", "value": 25.0}]
    assert callers["province"].api.get("/dashboard/trend?key=nope").status_code == 404
    assert callers["commune"].api.get(f"/dashboard/trend?key={RATE}&unit={data['A'].pk}").status_code == 404
    assert callers["province"].api.get(f"/dashboard/trend?key={RATE}&by=month").status_code == 422


@pytest.fixture
def table(data: Any) -> LeagueTable:
    return LeagueTable.objects.create(owner=data["A"], name="Xếp hạng", criteria=[{"key": RATE, "weight": 3},
                                                                                 {"key": COUNT, "weight": 1}])


def test_league_tables_list_and_ranking(table: LeagueTable, data: Any, callers: Any) -> None:
    LeagueTable.objects.create(owner=data["B"], name="Khác", criteria=[{"key": RATE, "weight": 1}])
    items = callers["province"].api.get("/dashboard/league-tables").json()["items"]
    assert [t["name"] for t in items] == ["Xếp hạng"]
    r = callers["province"].api.get(f"/dashboard/league-tables/{table.pk}?period={year()}")
    assert r.status_code == 200
    body = r.json()
    assert body["formula"].startswith("S = (3·N₁ + 1·N₂)")
    first = body["rows"][0]
    assert first["unit"]["id"] == data["A1"].pk and first["rank"] == 1 and first["score"] == 81.25
    nothing = [row for row in body["rows"] if row["score"] is None]
    assert all(row["rank"] is None for row in nothing)
    for who in ("commune", "other", "nobody"):
        assert callers[who].api.get(f"/dashboard/league-tables/{table.pk}").status_code == 404


def test_league_table_writes(table: LeagueTable, data: Any, callers: Any) -> None:
    api = callers["province"].api  # admin of A
    r = api.post("/dashboard/league-tables", json={"owner": data["A"].pk, "name": "Mới",
                                                   "criteria": [{"key": RATE, "weight": 1}]})
    assert r.status_code == 201 and r.json()["criteria"][0]["key"] == RATE
    new_id = r.json()["id"]
    r = api.post("/dashboard/league-tables", json={"owner": data["A"].pk, "name": "mới",
                                                   "criteria": [{"key": RATE, "weight": 1}]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"
    for bad in ([{"key": "nope", "weight": 1}], [{"key": RATE, "weight": -1}], [{"key": RATE, "weight": 0}], []):
        r = api.post("/dashboard/league-tables", json={"owner": data["A"].pk, "name": "X", "criteria": bad})
        assert r.status_code == 422
    assert api.post("/dashboard/league-tables", json={"owner": data["B"].pk, "name": "X",
                                                      "criteria": [{"key": RATE, "weight": 1}]}).status_code == 404
    assert callers["commune"].api.post("/dashboard/league-tables", json={
        "owner": data["A1"].pk, "name": "X", "criteria": [{"key": RATE, "weight": 1}]}).status_code == 403
    r = api.request("PUT", f"/dashboard/league-tables/{table.pk}", json={
        "expected_version": 1, "name": "Đổi", "criteria": [{"key": COUNT, "weight": 2}]})
    assert r.status_code == 200 and r.json()["lock_version"] == 2
    r = api.request("PUT", f"/dashboard/league-tables/{table.pk}", json={
        "expected_version": 1, "name": "Cũ", "criteria": [{"key": COUNT, "weight": 2}]})
    assert r.status_code == 409
    assert api.delete(f"/dashboard/league-tables/{new_id}?expected_version=1&reason=Th%E1%BB%ABa").status_code == 204
    assert api.get(f"/dashboard/league-tables/{new_id}").status_code == 404
    assert LeagueTable.objects.filter(deleted_at__isnull=True).count() == 1
