"""League tables: scores (normalisation, weights, missing figures, ties), the formula, the writes and
their validation, and the pages (ranking with links to the records, editing, every boundary)."""
# ruff: noqa: F811 - pytest fixtures imported from test_views are redefined as arguments

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.dashboard import league
from danvan.dashboard.models import Figure, LeagueTable
from danvan.dashboard.tests.test_views import COUNT, RATE, client_for, data, figs, put, row_of, users, year  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(data: Any) -> LeagueTable:
    return LeagueTable.objects.create(owner=data["A"], name="Xếp hạng dân vận",
                                      criteria=[{"key": RATE, "weight": 3}, {"key": COUNT, "weight": 1}])


# --------------------------------------------------------------------------- scores


def test_score_weights_normalises_and_ranks(table: LeagueTable, data: Any, kinds: Any) -> None:
    from danvan.orgs import services

    services.create_unit(actor=None, kind=kinds["commune"], name="Xã Trống", parent=data["A"], audit_event=False)
    result = league.score(table, period=year())
    by = {r.unit.name: r for r in result.rows}
    # A1: rate 75 (as it is), count 3 of the best 3 → 100: (3·75 + 1·100) / 4 = 81.25
    assert by["Xã Bình Lư"].score == 81.25 and by["Xã Bình Lư"].rank == 1 and by["Xã Bình Lư"].missing == []
    # A2: no rate; count 2 of 3 → 66.67, scored on what it has, the rate named as missing
    assert by["Phường Tân Phong"].score == pytest.approx(66.67, abs=0.01)
    assert by["Phường Tân Phong"].missing == [RATE] and by["Phường Tân Phong"].rank == 2
    # units without any figure: not available, listed last, never ranked as 0
    assert by["Xã Trống"].score is None and by["Xã Trống"].rank is None
    assert [r.score is None for r in result.rows][-2:] == [True, True]
    assert result.rows[0].unit == data["A1"]


def test_ties_share_a_rank_and_lower_is_better(data: Any, figs: Any) -> None:
    from danvan.dashboard import registry

    put(data["A2"], RATE, 6, 8)
    Figure.objects.filter(org_unit=data["A2"], key=COUNT).update(numerator=3, value=3)
    t = LeagueTable.objects.create(owner=data["A"], name="Hòa", criteria=[{"key": RATE, "weight": 1},
                                                                          {"key": COUNT, "weight": 1}])
    result = league.score(t, period=year())
    ranks = {r.unit.name: r.rank for r in result.rows if r.score is not None}
    assert ranks == {"Xã Bình Lư": 1, "Phường Tân Phong": 1}
    registry.unregister(RATE)
    registry.register(registry.FigureDef(key=RATE, label="Tỉ lệ trễ", kind="rate", provider=figs[0].provider,
                                         higher_is_better=False))
    t.criteria = [{"key": RATE, "weight": 1}]
    result = league.score(t, period=year())
    assert result.rows[0].score == 25.0  # 100 − 75: a late rate of 75% scores 25


def test_formula_in_symbols_and_words(table: LeagueTable) -> None:
    result = league.score(table, period=year())
    assert result.formula_symbols.startswith("S = (3·N₁ + 1·N₂) ÷ (3 + 1)")
    assert "N₁ = Tỉ lệ thử" in result.formula_symbols and "N₂ = Số lượng thử" in result.formula_symbols
    assert "Tỉ lệ thử" in result.formula_words and "3" in result.formula_words


def test_unknown_or_zero_criteria_are_ignored_in_scores(data: Any, figs: Any) -> None:
    t = LeagueTable.objects.create(owner=data["A"], name="Cũ", criteria=[
        {"key": "gone.figure", "weight": 2}, {"key": RATE, "weight": 0}, "junk", {"key": COUNT, "weight": "x"}])
    result = league.score(t, period=year())
    assert [c.key for c in result.criteria] == ["gone.figure"]
    assert all(r.score is None for r in result.rows)


# --------------------------------------------------------------------------- writes


def test_create_update_delete_with_audit(data: Any, users: Any) -> None:
    admin = users["admin"]
    t = league.create_table(actor=admin, owner=data["A"], name="  Bảng  một ", criteria=[{"key": RATE, "weight": 2}],
                            is_default=True)
    assert t.name == "Bảng một" and t.criteria == [{"key": RATE, "weight": 2.0}] and t.is_default
    t2 = league.create_table(actor=admin, owner=data["A"], name="Bảng hai", criteria=[{"key": COUNT, "weight": 1}],
                             is_default=True)
    t.refresh_from_db()
    assert t2.is_default and not t.is_default  # one default per unit
    league.update_table(actor=admin, table=t, expected_version=1, name="Bảng một", is_default=False,
                        criteria=[{"key": RATE, "weight": 1}, {"key": COUNT, "weight": 0}])
    t.refresh_from_db()
    assert t.criteria == [{"key": RATE, "weight": 1.0}] and t.lock_version == 2
    league.delete_table(actor=admin, table=t, expected_version=2, reason="Không dùng nữa")
    t.refresh_from_db()
    assert t.deleted_at is not None
    assert list(AuditEvent.objects.filter(action__startswith="dashboard.league").values_list("action", flat=True)
                .order_by("seq")) == ["dashboard.league_table_created", "dashboard.league_table_created",
                                      "dashboard.league_table_changed", "dashboard.league_table_deleted"]


@pytest.mark.parametrize("criteria,words", [
    ([], "at least one"), ([{"key": RATE, "weight": 0}], "at least one"),
    ([{"key": RATE, "weight": -1}], "between 0"), ([{"key": RATE, "weight": 1001}], "between 0"),
    ([{"key": "nope", "weight": 1}], "nope"), ([{"key": RATE, "weight": "abc"}], "number"),
    ([{"key": RATE, "weight": True}], "number"), ([{"key": RATE, "weight": float("nan")}], "between 0"),
    ([{"key": RATE, "weight": 1}, {"key": RATE, "weight": 2}], "twice"), ("abc", "at least one"),
    ([{"weight": 1}], "None"),
])
def test_bad_criteria_are_refused(data: Any, users: Any, criteria: Any, words: str, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as e:
        league.create_table(actor=users["admin"], owner=data["A"], name="Bảng", criteria=criteria)
    assert "criteria" in e.value.message_dict
    assert words in " ".join(e.value.message_dict["criteria"])
    assert not LeagueTable.objects.exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 256, 5])
def test_bad_name_is_refused(data: Any, users: Any, name: Any) -> None:
    with pytest.raises(ValidationError) as e:
        league.create_table(actor=users["admin"], owner=data["A"], name=name, criteria=[{"key": RATE, "weight": 1}])
    assert "name" in e.value.message_dict


def test_double_submit_and_permissions(data: Any, users: Any) -> None:
    league.create_table(actor=users["admin"], owner=data["A"], name="Bảng", criteria=[{"key": RATE, "weight": 1}])
    with pytest.raises(ValidationError) as e:
        league.create_table(actor=users["admin"], owner=data["A"], name="bảng", criteria=[{"key": RATE, "weight": 1}])
    assert "name" in e.value.message_dict
    for who, unit in (("province", "A"), ("commune", "A1"), ("other", "A"), ("nobody", "A")):
        with pytest.raises(PermissionDenied):
            league.create_table(actor=users[who], owner=data[unit], name="X", criteria=[{"key": RATE, "weight": 1}])
    assert LeagueTable.objects.count() == 1


def test_concurrent_edit_is_refused(table: LeagueTable, users: Any) -> None:
    league.update_table(actor=users["admin"], table=table, expected_version=1, name="Mới",
                        criteria=[{"key": RATE, "weight": 1}])
    stale = LeagueTable.objects.get(pk=table.pk)
    stale.lock_version = 1
    with pytest.raises(ConcurrentEditError):
        league.update_table(actor=users["admin"], table=stale, expected_version=1, name="Cũ",
                            criteria=[{"key": COUNT, "weight": 1}])
    table.refresh_from_db()
    assert table.name == "Mới" and table.criteria == [{"key": RATE, "weight": 1.0}]


# --------------------------------------------------------------------------- pages


def test_league_page_ranks_with_formula_and_links(table: LeagueTable, data: Any, users: Any) -> None:
    r = client_for(users["province"]).get(f"/dashboard/league/{table.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count("<h1") == 1 and "Xếp hạng dân vận" in html
    assert "S = (3·N₁ + 1·N₂) ÷ (3 + 1)" in html and 'data-testid="formula-words"' in html
    a1 = row_of(html, data["A1"])
    assert "81,25" in a1 and f'href="/src/{data["A1"].pk}/{year()}/"' in a1  # traceable to its records
    assert html.index(f'data-unit="{data["A1"].pk}"') < html.index(f'data-unit="{data["A2"].pk}"')
    assert 'data-testid="edit"' not in html  # a viewer may not edit


def test_league_page_boundaries_and_drill(table: LeagueTable, data: Any, users: Any) -> None:
    assert client_for(users["other"]).get(f"/dashboard/league/{table.pk}/").status_code == 404
    assert client_for(users["commune"]).get(f"/dashboard/league/{table.pk}/").status_code == 404
    assert client_for(users["nobody"]).get(f"/dashboard/league/{table.pk}/").status_code == 404
    assert client_for(users["root"]).get(f"/dashboard/league/{table.pk}/").status_code == 200
    r = client_for(users["province"]).get(f"/dashboard/league/{table.pk}/?unit={data['A1'].pk}")
    assert r.status_code == 200 and "Bản Thẳm" in r.content.decode()
    assert client_for(users["root"]).get(f"/dashboard/league/{table.pk}/?unit={data['B'].pk}").status_code == 404
    assert client_for(users["province"]).get(f"/dashboard/league/{table.pk}/?period=bad").status_code == 400
    table.deleted_at = table.created_at
    table.save()
    assert client_for(users["province"]).get(f"/dashboard/league/{table.pk}/").status_code == 404


def test_league_list_is_scoped(table: LeagueTable, data: Any, users: Any) -> None:
    LeagueTable.objects.create(owner=data["B"], name="Bảng Thái Nguyên", criteria=[{"key": RATE, "weight": 1}])
    html = client_for(users["province"]).get("/dashboard/league/").content.decode()
    assert "Xếp hạng dân vận" in html and "Bảng Thái Nguyên" not in html
    assert 'data-testid="create"' not in html
    assert 'data-testid="create"' in client_for(users["admin"]).get("/dashboard/league/").content.decode()


def test_league_export(table: LeagueTable, data: Any, users: Any) -> None:
    from openpyxl import load_workbook

    r = client_for(users["province"]).get(f"/dashboard/league/{table.pk}/export.xlsx?period={year()}")
    assert r.status_code == 200
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(r.content)).active.iter_rows()]
    assert rows[0][0] == "Xếp hạng dân vận"
    assert any(row[1] and str(row[1]).startswith("S = (3·N₁") for row in rows)
    ranked = {row[1]: row for row in rows if isinstance(row[0], int)}
    assert ranked["Xã Bình Lư"][:4] == [1, "Xã Bình Lư", 81.25, 75.0]
    assert ranked["Phường Tân Phong"][3] in ("không có số liệu", "not available")


def _post(c: Any, url: str, **fields: Any) -> Any:
    data = {"name": "Bảng mới", "w_test__rate": "2", "w_test__count": ""}
    data.update(fields)
    return c.post(url, {k: v for k, v in data.items() if v is not None})


def test_create_and_edit_through_the_pages(table: LeagueTable, data: Any, users: Any) -> None:
    c = client_for(users["admin"])
    r = c.get(f"/dashboard/league/new/?unit={data['A'].pk}")
    assert r.status_code == 200 and r.content.decode().count("<h1") == 1
    r = _post(c, f"/dashboard/league/new/?unit={data['A'].pk}", is_default="on")
    assert r.status_code == 302
    created = LeagueTable.objects.get(name="Bảng mới")
    assert created.criteria == [{"key": RATE, "weight": 2.0}] and created.is_default
    r = _post(c, f"/dashboard/league/new/?unit={data['A'].pk}")  # double submit
    assert r.status_code == 400 and LeagueTable.objects.filter(name="Bảng mới").count() == 1
    r = c.get(f"/dashboard/league/{table.pk}/edit/")
    assert r.status_code == 200 and 'value="3' in r.content.decode()
    r = _post(c, f"/dashboard/league/{table.pk}/edit/", name="Đổi tên", expected_version="1", w_test__count="1.5")
    assert r.status_code == 302
    table.refresh_from_db()
    assert table.name == "Đổi tên" and {"key": COUNT, "weight": 1.5} in table.criteria
    r = _post(c, f"/dashboard/league/{table.pk}/edit/", name="Cũ", expected_version="1")
    assert r.status_code == 409
    table.refresh_from_db()
    assert table.name == "Đổi tên"


@pytest.mark.parametrize("fields", [
    {"w_test__rate": "-1"}, {"w_test__rate": "0", "w_test__count": "0"}, {"w_test__rate": "", "w_test__count": ""},
    {"w_test__rate": "abc"}, {"w_test__rate": "5000"}, {"name": ""}, {"name": "x" * 300},
])
def test_edit_validation_keeps_the_saved_table(table: LeagueTable, users: Any, fields: dict[str, str]) -> None:
    r = _post(client_for(users["admin"]), f"/dashboard/league/{table.pk}/edit/", expected_version="1", **fields)
    assert r.status_code == 400
    assert 'class="error' in r.content.decode() or 'class="errors' in r.content.decode()
    table.refresh_from_db()
    assert table.name == "Xếp hạng dân vận" and table.lock_version == 1


def test_edit_and_delete_permissions(table: LeagueTable, data: Any, users: Any) -> None:
    assert client_for(users["province"]).get(f"/dashboard/league/{table.pk}/edit/").status_code == 403
    assert _post(client_for(users["province"]), f"/dashboard/league/{table.pk}/edit/",
                 expected_version="1").status_code == 403
    assert client_for(users["other"]).get(f"/dashboard/league/{table.pk}/edit/").status_code == 404
    assert client_for(users["province"]).get(f"/dashboard/league/new/?unit={data['A'].pk}").status_code == 403
    assert client_for(users["other"]).get(f"/dashboard/league/new/?unit={data['A'].pk}").status_code == 404
    assert client_for(users["province"]).post(f"/dashboard/league/{table.pk}/delete/",
                                              {"reason": "x", "expected_version": "1"}).status_code == 403
    c = client_for(users["admin"])
    assert c.post(f"/dashboard/league/{table.pk}/delete/", {"reason": "", "expected_version": "1"}).status_code == 400
    assert c.post(f"/dashboard/league/{table.pk}/delete/", {"reason": "x", "expected_version": "7"}).status_code == 409
    r = c.post(f"/dashboard/league/{table.pk}/delete/", {"reason": "Thừa", "expected_version": "1"})
    assert r.status_code == 302
    table.refresh_from_db()
    assert table.deleted_at is not None


def test_league_page_query_count(table: LeagueTable, data: Any, users: Any, kinds: Any,
                                 django_assert_max_num_queries: Any) -> None:
    from danvan.orgs import services

    for i in range(20):
        services.create_unit(actor=None, kind=kinds["commune"], name=f"Xã {i}", parent=data["A"], audit_event=False)
    c = client_for(users["province"])
    c.get(f"/dashboard/league/{table.pk}/")
    with django_assert_max_num_queries(12):
        assert c.get(f"/dashboard/league/{table.pk}/").status_code == 200
