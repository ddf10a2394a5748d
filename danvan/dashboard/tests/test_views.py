"""Dashboard pages: figures by unit with drill-down, "not available" never 0, the time of the figures,
plans and targets, trends (SVG, PNG), the Excel export, and every scope boundary.

Figures are written as rows directly (the providers and the refresh are tested on their own) for two
figures registered by these tests, so the pages are checked against known numbers.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from danvan.dashboard import registry
from danvan.dashboard.models import Figure, Refresh
from danvan.plans.models import Plan, Target

pytestmark = pytest.mark.django_db

RATE, COUNT = "test.rate", "test.count"


def _none(period: Any) -> dict[int, tuple[float | None, float | None]]:
    return {}


def _none_too(period: Any) -> dict[int, tuple[float | None, float | None]]:
    return {}


def _src(unit: Any, period: Any) -> str:
    return f"/src/{unit.pk}/{period.key}/"


@pytest.fixture
def figs() -> Iterator[list[registry.FigureDef]]:
    defs = [registry.register(registry.FigureDef(key=RATE, label="Tỉ lệ thử", kind="rate", provider=_none,
                                                 source_url=_src, description="Đúng hạn trên tổng số.")),
            registry.register(registry.FigureDef(key=COUNT, label="Số lượng thử", kind="count", provider=_none_too))]
    yield defs
    registry.unregister(RATE)
    registry.unregister(COUNT)


def year() -> str:
    return str(timezone.localdate().year)


def put(unit: Any, key: str, num: float | None, den: float | None = None, period: str | None = None) -> Figure:
    value = registry.value_of("count" if key == COUNT else "rate", num, den)
    return Figure.objects.create(org_unit=unit, key=key, period=period or year(), numerator=num, denominator=den,
                                 value=value, computed_at=timezone.now())


@pytest.fixture
def data(tree: dict[str, Any], figs: Any) -> dict[str, Any]:
    """A: 8/10 and 5; A1: 6/8 and 3; A2: only a count of 2; B and B1: 1/2; A1v (village): 1/1."""
    put(tree["A"], RATE, 8, 10)
    put(tree["A"], COUNT, 5)
    put(tree["A1"], RATE, 6, 8)
    put(tree["A1"], COUNT, 3)
    put(tree["A2"], COUNT, 2)
    put(tree["A1v"], RATE, 1, 1)
    put(tree["B"], RATE, 1, 2)
    put(tree["B1"], RATE, 1, 2)
    now = timezone.now()
    Refresh.objects.create(started_at=now - dt.timedelta(seconds=30), finished_at=now,
                           periods=[year(), f"{year()}-Q1", str(int(year()) - 1)], figures=8)
    return tree


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def users(make_user: Any, tree: dict[str, Any], no_mfa: None) -> dict[str, Any]:
    return {
        "province": make_user("tinh", (tree["A"], "viewer")),
        "admin": make_user("quantri", (tree["A"], "admin")),
        "commune": make_user("xa", (tree["A1"], "officer")),
        "other": make_user("tinhkhac", (tree["B"], "admin")),
        "nobody": make_user("khongai"),
        "root": make_user("goc", is_superuser=True, is_staff=True),
    }


def row_of(html: str, unit: Any) -> str:
    start = html.index(f'data-unit="{unit.pk}"')
    return html[start:html.index("</tr>", start)]


# --------------------------------------------------------------------------- home


def test_province_home_shows_every_figure_by_child_unit(data: Any, users: Any) -> None:
    r = client_for(users["province"]).get("/dashboard/")
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count("<h1") == 1
    assert "Tỉnh Lai Châu" in html
    total = html[html.index('data-testid="total-row"'):]
    total = total[:total.index("</tr>")]
    assert "80,0%" in total and ">5<" in total
    a1 = row_of(html, data["A1"])
    assert "75,0%" in a1 and ">3<" in a1
    assert f'href="/src/{data["A1"].pk}/{year()}/"' in a1  # each figure links to its records
    # A2 has no rate: "not available", never 0
    a2 = row_of(html, data["A2"])
    assert "không có số liệu" in a2 or "not available" in a2
    assert "0,0%" not in a2
    # drill-down where there are units below (A1 has a village), plain text where there are none
    assert f'?unit={data["A1"].pk}&amp;period={year()}' in a1
    assert 'data-testid="drill"' not in a2
    # the time of the figures is on the page
    assert 'data-testid="as-of"' in html
    assert timezone.localtime(Refresh.objects.get().finished_at).strftime("%d/%m/%Y") in html
    # Tỉnh Thái Nguyên is another province
    assert "Thái Nguyên" not in html


def test_drill_down_to_the_commune_and_its_villages(data: Any, users: Any) -> None:
    r = client_for(users["province"]).get(f"/dashboard/?unit={data['A1'].pk}&period={year()}")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="unit-name">Xã Bình Lư<' in html
    crumbs = html[html.index('data-testid="crumbs"'):html.index("</ol>")]
    assert f'?unit={data["A"].pk}' in crumbs  # back up to the province
    assert "100,0%" in row_of(html, data["A1v"])


def test_superuser_sees_the_country_with_roots_added_up(data: Any, users: Any) -> None:
    html = client_for(users["root"]).get("/dashboard/").content.decode()
    total = html[html.index('data-testid="total-row"'):]
    total = total[:total.index("</tr>")]
    assert "75,0%" in total  # (8 + 1) / (10 + 2), a rate of the cases, not a mean of rates
    assert "Tỉnh Lai Châu" in row_of(html, data["A"]) and "Tỉnh Thái Nguyên" in row_of(html, data["B"])


def test_no_figures_at_all_is_not_available_and_says_so(tree: Any, figs: Any, users: Any) -> None:
    html = client_for(users["province"]).get("/dashboard/").content.decode()
    total = html[html.index('data-testid="total-row"'):]
    total = total[:total.index("</tr>")]
    assert total.count('class="na"') == len(registry.figures()) and "0,0%" not in total and ">0<" not in total
    assert 'data-testid="as-of"' in html  # "not computed yet"


@pytest.mark.parametrize("who,unit,status", [
    ("commune", "A1", 200), ("commune", "A", 404), ("commune", "A2", 404), ("commune", "B1", 404),
    ("province", "B", 404), ("other", "A1", 404), ("nobody", "A", 404), ("root", "B1", 200),
])
def test_unit_boundaries(data: Any, users: Any, who: str, unit: str, status: int) -> None:
    r = client_for(users[who]).get(f"/dashboard/?unit={data[unit].pk}")
    assert r.status_code == status


def test_commune_user_starts_at_their_commune(data: Any, users: Any) -> None:
    html = client_for(users["commune"]).get("/dashboard/").content.decode()
    assert 'data-testid="unit-name">Xã Bình Lư<' in html
    assert "Tỉnh Lai Châu" not in html.split('data-testid="unit-name"')[1]


def test_no_membership_and_anonymous(data: Any, users: Any) -> None:
    r = client_for(users["nobody"]).get("/dashboard/")
    assert r.status_code == 200 and 'data-testid="no-unit"' in r.content.decode()
    r = Client().get("/dashboard/")
    assert r.status_code == 302 and "/login" in r["Location"]


@pytest.mark.parametrize("bad", ["2026-Q5", "abc", "x" * 300, "1999"])
def test_bad_period_is_refused(data: Any, users: Any, bad: str) -> None:
    r = client_for(users["province"]).get(f"/dashboard/?period={bad}")
    assert r.status_code == 400
    assert 'data-testid="figures"' not in r.content.decode()


@pytest.mark.parametrize("bad", ["abc", "-1", "99999999999999999999"])
def test_bad_unit_is_404(data: Any, users: Any, bad: str) -> None:
    assert client_for(users["province"]).get(f"/dashboard/?unit={bad}").status_code == 404


def test_quarter_period_shows_its_own_figures(data: Any, users: Any) -> None:
    put(data["A"], RATE, 1, 4, period=f"{year()}-Q1")
    html = client_for(users["province"]).get(f"/dashboard/?period={year()}-Q1").content.decode()
    total = html[html.index('data-testid="total-row"'):]
    assert "25,0%" in total[:total.index("</tr>")]


def test_home_query_count_is_bounded(data: Any, users: Any, tree: Any, kinds: Any,
                                     django_assert_max_num_queries: Any) -> None:
    from danvan.orgs import services

    for i in range(30):  # more child units cost no more queries
        services.create_unit(actor=None, kind=kinds["commune"], name=f"Xã {i}", parent=tree["A"], audit_event=False)
    c = client_for(users["province"])
    c.get("/dashboard/")
    with django_assert_max_num_queries(12):
        assert c.get("/dashboard/").status_code == 200
    root = client_for(users["root"])
    root.get("/dashboard/")
    with django_assert_max_num_queries(12):
        assert root.get("/dashboard/").status_code == 200


# --------------------------------------------------------------------------- trend


def test_trend_chart_and_table_with_gaps(data: Any, users: Any) -> None:
    y = year()
    put(data["A"], RATE, 1, 2, period=f"{y}-Q1")
    put(data["A"], RATE, 3, 4, period=f"{y}-Q3")
    r = client_for(users["province"]).get(f"/dashboard/trend/?unit={data['A'].pk}&key={RATE}")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<svg" in html and 'role="img"' in html
    table = html[html.index('data-testid="trend-table"'):]
    assert f"Q1/{y}" in table and f"Q2/{y}" in table and f"Q3/{y}" in table
    q2 = table[table.index(f"Q2/{y}"):]
    assert 'class="na"' in q2[:q2.index("</tr>")]  # the quarter without a figure is a gap, not 0
    assert "50,0%" in table and "75,0%" in table


def test_trend_by_year_and_png(data: Any, users: Any) -> None:
    put(data["A"], RATE, 1, 2, period=str(int(year()) - 2))
    c = client_for(users["province"])
    html = c.get(f"/dashboard/trend/?unit={data['A'].pk}&key={RATE}&by=year").content.decode()
    table = html[html.index('data-testid="trend-table"'):]
    assert str(int(year()) - 1) in table and "80,0%" in table
    r = c.get(f"/dashboard/trend/?unit={data['A'].pk}&key={RATE}&by=year&format=png")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert r.content[:8] == b"\x89PNG\r\n\x1a\n" and len(r.content) > 2000


@pytest.mark.parametrize("query,status", [
    ("key=nope", 404), ("key=test.rate&unit={B}", 404), ("key=test.rate&by=month", 400), ("", 404),
])
def test_trend_bad_input(data: Any, users: Any, query: str, status: int) -> None:
    r = client_for(users["province"]).get("/dashboard/trend/?" + query.format(B=data["B"].pk))
    assert r.status_code == status


def test_trend_national_for_superuser(data: Any, users: Any) -> None:
    html = client_for(users["root"]).get(f"/dashboard/trend/?key={RATE}&by=year").content.decode()
    assert "75,0%" in html[html.index('data-testid="trend-table"'):]


# --------------------------------------------------------------------------- export


def test_export_xlsx_has_the_page_figures(data: Any, users: Any) -> None:
    from openpyxl import load_workbook

    r = client_for(users["province"]).get(f"/dashboard/export.xlsx?period={year()}")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(row for row in rows if row and row[0] in ("Đơn vị", "Unit"))
    rate = next(i for i, h in enumerate(header) if h and h.startswith("Tỉ lệ thử"))
    count = header.index("Số lượng thử")
    assert header[rate] == "Tỉ lệ thử (%)"
    by_name = {row[0]: row for row in rows if row and isinstance(row[0], str)}
    total = next(v for k, v in by_name.items() if k.startswith("Tỉnh Lai Châu"))
    assert total[rate] == 80.0 and total[count] == 5
    assert by_name["Xã Bình Lư"][rate] == 75.0
    assert by_name["Phường Tân Phong"][rate] in ("không có số liệu", "not available")  # never 0 or empty
    assert by_name["Phường Tân Phong"][count] == 2
    assert any(isinstance(row[0], str) and timezone.localtime(Refresh.objects.get().finished_at).strftime(
        "%d/%m/%Y") in row[0] for row in rows if row)  # the time of the figures


def test_export_boundaries(data: Any, users: Any) -> None:
    assert client_for(users["commune"]).get(f"/dashboard/export.xlsx?unit={data['A'].pk}").status_code == 404
    assert client_for(users["nobody"]).get("/dashboard/export.xlsx").status_code == 404
    assert client_for(users["province"]).get("/dashboard/export.xlsx?period=zz").status_code == 400


# --------------------------------------------------------------------------- plans and targets


@pytest.fixture
def plan(data: Any) -> Plan:
    p = Plan.objects.create(issuer=data["A"], title="Kế hoạch công tác dân vận", year=int(year()), status="issued",
                            number=5, number_year=int(year()))
    Target.objects.create(plan=p, text="Giải quyết đúng hạn 90% đơn", value=90, unit="%", indicator_code=RATE,
                          order=1)
    Target.objects.create(plan=p, text="Tổ chức đối thoại", value=4, unit="cuộc", order=2)
    return p


def test_plans_lists_active_plans_of_the_unit_and_above(plan: Plan, data: Any, users: Any) -> None:
    Plan.objects.create(issuer=data["A"], title="Bản nháp", year=int(year()))
    Plan.objects.create(issuer=data["B"], title="Kế hoạch tỉnh khác", year=int(year()), status="issued")
    Plan.objects.create(issuer=data["A"], title="Kế hoạch cũ", year=int(year()) - 2, status="issued")
    for who in ("province", "commune"):
        html = client_for(users[who]).get("/dashboard/plans/").content.decode()
        assert "Kế hoạch công tác dân vận" in html
        assert "Bản nháp" not in html and "tỉnh khác" not in html and "Kế hoạch cũ" not in html


def test_plan_targets_with_states_and_drill_down(plan: Plan, data: Any, users: Any) -> None:
    r = client_for(users["province"]).get(f"/dashboard/plans/{plan.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    first = html[html.index('data-testid="target"'):]
    first = first[:first.index("</section>")]
    assert "Giải quyết đúng hạn" in first
    assert 'data-state="at_risk"' in first  # 80% against 90%
    a2 = row_of(first, data["A2"])
    assert 'data-state="not_available"' in a2 and ">0 %" not in a2 and ">0,0" not in a2
    assert f'/dashboard/plans/{plan.pk}/?unit={data["A1"].pk}' in first
    r = client_for(users["province"]).get(f"/dashboard/plans/{plan.pk}/?unit={data['A1'].pk}")
    assert r.status_code == 200 and 'data-testid="unit-name">Xã Bình Lư<' in r.content.decode()


def test_plan_boundaries(plan: Plan, data: Any, users: Any) -> None:
    assert client_for(users["commune"]).get(f"/dashboard/plans/{plan.pk}/").status_code == 200  # below the issuer
    assert client_for(users["commune"]).get(
        f"/dashboard/plans/{plan.pk}/?unit={data['A2'].pk}").status_code == 404  # sibling commune
    assert client_for(users["other"]).get(f"/dashboard/plans/{plan.pk}/").status_code == 404
    assert client_for(users["nobody"]).get(f"/dashboard/plans/{plan.pk}/").status_code == 404
    draft = Plan.objects.create(issuer=data["A"], title="Nháp", year=int(year()))
    assert client_for(users["commune"]).get(f"/dashboard/plans/{draft.pk}/").status_code == 404
    assert client_for(users["root"]).get(f"/dashboard/plans/{plan.pk}/?unit={data['B'].pk}").status_code == 404


def test_plan_page_query_count(plan: Plan, users: Any, django_assert_max_num_queries: Any) -> None:
    c = client_for(users["province"])
    c.get(f"/dashboard/plans/{plan.pk}/")
    with django_assert_max_num_queries(16):
        assert c.get(f"/dashboard/plans/{plan.pk}/").status_code == 200
