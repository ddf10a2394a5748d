"""The portal's pages: home and search, a page per unit (province, commune, former unit), caching, size."""

from __future__ import annotations

import datetime as dt
import gzip
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from danvan.orgs import services as org_services
from danvan.orgs.models import UnitSuccession
from danvan.petitions.models import ReceptionSession
from danvan.portal import queries
from danvan.portal.registry import SECTIONS, Section, register, sections

from .conftest import HEAD_NAME, HEAD_PHONE, HEAD_POSITION

pytestmark = pytest.mark.django_db
PAGE_BUDGET = 100 * 1024
# cache read, unit, ancestors, children, heads, 3 sections of petitions and surveys, 2 each for disclosures and
# dialogues (#7), cache write (2 on the DB cache)
UNCACHED_QUERIES = 14


def _body(r: Any) -> str:
    return r.content.decode()


@pytest.fixture
def no_cache(settings: Any) -> None:
    settings.DANVAN_PORTAL_CACHE_SECONDS = 0


@pytest.fixture
def temp_section() -> Iterator[Any]:
    """Register sections for one test and take them away after it, whatever happens."""
    added: list[str] = []

    def add(**kw: Any) -> Section:
        kw.setdefault("order", 99)
        kw.setdefault("template", "petitions/public/portal_submit.html")
        added.append(kw["key"])
        return register(Section(**kw))

    yield add
    for key in added:
        SECTIONS.pop(key, None)


# --------------------------------------------------------------------------- home


def test_home_lists_provinces_and_finds_units_without_diacritics(tree: dict,
                                                                django_assert_max_num_queries: Any) -> None:
    c = Client()
    with django_assert_max_num_queries(2):
        r = c.get("/public/")
    body = _body(r)
    assert r.status_code == 200 and "public" in r["Cache-Control"] and "max-age=60" in r["Cache-Control"]
    assert f'href="/public/units/{tree["A"].pk}/"' in body and f'href="/public/units/{tree["B"].pk}/"' in body
    assert 'href="/public/units/{}/"'.format(tree["A1"].pk) not in body  # communes only when searched
    assert body.count("<h1") == 1 and 'lang="vi"' in body and 'href="#main"' in body
    with django_assert_max_num_queries(2):
        r = c.get("/public/?q=binh lu")
    assert f'href="/public/units/{tree["A1"].pk}/"' in _body(r) and "Tỉnh Lai Châu" in _body(r)  # parent shown
    assert 'data-testid="no-results"' in _body(c.get("/public/?q=khong co dau"))
    assert c.get("/public/?q=" + "x" * 5000).status_code == 200  # cut, not an error
    assert c.post("/public/").status_code == 405


def test_home_has_no_external_resources(tree: dict) -> None:
    body = _body(Client().get("/public/"))
    assert not re.search(r'(src|href)="(https?:)?//', body)


# --------------------------------------------------------------------------- unit pages


def test_province_page(tree: dict, head: Any, make_user: Any, no_cache: Any,
                       django_assert_max_num_queries: Any) -> None:
    a = tree["A"]
    a.address, a.phone, a.email = "Số 1 đường Trần Phú", "0213 3876 543", "ubnd@laichau.gov.vn"
    a.save(update_fields=["address", "phone", "email"])
    make_user("pho_chu_tich_xa", (tree["A1"], "head"), full_name="Lò Thị Xã")  # a commune's head, not the province's
    make_user("can_bo", (a, "officer"), full_name="Cán Bộ Thường")
    make_user("nghi_viec", (a, "head"), full_name="Đã Nghỉ Việc", is_active=False)
    c = Client()
    with django_assert_max_num_queries(UNCACHED_QUERIES):
        r = c.get(f"/public/units/{a.pk}/")
    body = _body(r)
    assert r.status_code == 200 and "max-age=60" in r["Cache-Control"] and "public" in r["Cache-Control"]
    assert '<h1 data-testid="unit-name">Tỉnh Lai Châu</h1>' in body and body.count("<h1") == 1
    assert HEAD_NAME in body and HEAD_POSITION in body
    for hidden in ("Lò Thị Xã", "Cán Bộ Thường", "Đã Nghỉ Việc", HEAD_PHONE, "chu_tich_tinh@example.vn",
                   "chu_tich_tinh"):
        assert hidden not in body
    assert "Số 1 đường Trần Phú" in body and "0213 3876 543" in body and "ubnd@laichau.gov.vn" in body
    for child in ("A1", "A2", "Adep"):
        assert f'href="/public/units/{tree[child].pk}/"' in body
    assert f'href="/public/units/{tree["A1v"].pk}/"' not in body  # a grandchild is on its commune's page
    assert body.index("Sở Nội vụ") > body.index("Xã Bình Lư")  # communes before departments (kind rank)
    assert 'data-testid="updated-at"' in body and f"/public/units/{a.pk}/data.csv" in body
    assert not re.search(r'(src|href)="(https?:)?//', body)


def test_commune_page_breadcrumb_and_sections(tree: dict, no_cache: Any) -> None:
    a1 = tree["A1"]
    today = timezone.localdate()
    ReceptionSession.objects.create(org_unit=a1, date=today + dt.timedelta(days=3), host_name="Lò Văn Thanh",
                                    host_title="Chủ tịch UBND xã", by_head=True, location="Trụ sở UBND xã")
    ReceptionSession.objects.create(org_unit=a1, date=today + dt.timedelta(days=4), host_name="Không Công Bố",
                                    published=False)
    ReceptionSession.objects.create(org_unit=a1, date=today + dt.timedelta(days=90), host_name="Quá Xa")
    ReceptionSession.objects.create(org_unit=tree["A2"], date=today + dt.timedelta(days=3), host_name="Xã Khác")
    body = _body(Client().get(f"/public/units/{a1.pk}/"))
    crumb = body[body.index('class="breadcrumb"'):body.index("<h1")]
    assert f'href="/public/units/{tree["A"].pk}/"' in crumb and 'aria-current="page">Xã Bình Lư' in crumb
    assert "Lò Văn Thanh" in body and "Chủ tịch UBND xã" in body
    for absent in ("Không Công Bố", "Quá Xa", "Xã Khác"):
        assert absent not in body
    assert f"/public/petitions/submit/?unit={a1.pk}&amp;q=X%C3%A3+B%C3%ACnh+L%C6%B0" in body
    assert 'href="/public/petitions/track/"' in body
    assert f'href="/public/units/{tree["A1v"].pk}/"' in body
    # The table of contents links every section that is on the page, in the registry's order.
    toc = body[body.index('class="toc"'):]
    toc = toc[:toc.index("</nav>")]
    shown = re.findall(r'data-section="([^"]+)"', body)
    assert shown == [s.key for s in sections() if f'data-section="{s.key}"' in body]
    for key in shown:
        assert f'href="#s-{key}"' in toc
    assert "petitions-results" not in shown  # nothing published yet: no heading at all


def test_former_unit_is_shown_as_former(tree: dict, kinds: dict, head: Any, no_cache: Any) -> None:
    old = org_services.create_unit(actor=None, kind=kinds["district"], name="Huyện Tam Đường", parent=tree["A"],
                                   audit_event=False, valid_to=dt.date(2025, 6, 30))
    UnitSuccession.objects.create(predecessor=old, successor=tree["A1"], effective_on=dt.date(2025, 7, 1))
    r = Client().get(f"/public/units/{old.pk}/")
    body = _body(r)
    assert r.status_code == 200 and 'data-testid="former-unit"' in body and "30/06/2025" in body
    assert f'href="/public/units/{tree["A1"].pk}/"' in body  # its successor
    assert "data-section=" not in body and 'id="responsible"' not in body
    assert f"/public/units/{old.pk}/data.csv" in body
    # A former unit is not offered among the province's current units.
    assert f'href="/public/units/{old.pk}/"' not in _body(Client().get(f"/public/units/{tree['A'].pk}/"))


def test_unknown_unit_is_404(tree: dict) -> None:
    c = Client()
    r = c.get("/public/units/987654/")
    assert r.status_code == 404 and "<h1" in _body(r) and 'href="/public/"' in _body(r)
    assert c.get("/public/units/abc/").status_code == 404
    assert c.get("/public/units/-1/").status_code == 404
    assert c.get("/public/units/99999999999999999999/").status_code == 404


def test_children_are_paged(tree: dict, kinds: dict, monkeypatch: Any, no_cache: Any) -> None:
    monkeypatch.setattr(queries, "CHILDREN_PAGE", 2)
    c = Client()
    first = _body(c.get(f"/public/units/{tree['A'].pk}/"))
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert len(re.findall(r'data-testid="children"', first)) >= 1
    second = _body(c.get(f"/public/units/{tree['A'].pk}/?page=2"))
    assert 'rel="prev"' in second and 'rel="next"' not in second and "Sở Nội vụ" in second
    assert c.get(f"/public/units/{tree['A'].pk}/?page=zzz").status_code == 200  # read as page 1


# --------------------------------------------------------------------------- the registry


def test_registered_sections_appear_and_disappear(tree: dict, temp_section: Any, no_cache: Any,
                                                  caplog: Any) -> None:
    c = Client()
    url = f"/public/units/{tree['A1'].pk}/"
    assert "data-section=\"test-shown\"" not in _body(c.get(url))
    temp_section(key="test-shown", title="Phần thử nghiệm", order=1,
                 context=lambda unit, request: {"submit_url": f"/thu/{unit.pk}/", "track_url": "/theo-doi/"})
    temp_section(key="test-empty", title="Phần trống", context=lambda unit, request: None)

    def broken(unit: Any, request: Any) -> dict:
        raise RuntimeError("hỏng")

    temp_section(key="test-broken", title="Phần hỏng", context=broken)
    temp_section(key="test-hidden-toc", title="Không mục lục", in_toc=False,
                 context=lambda unit, request: {"submit_url": "/a/", "track_url": "/b/"})
    with caplog.at_level(logging.ERROR, logger="danvan.portal.views"):
        r = c.get(url)
    body = _body(r)
    assert r.status_code == 200
    assert 'data-section="test-shown"' in body and f"/thu/{tree['A1'].pk}/" in body and "Phần thử nghiệm" in body
    assert body.index('data-section="test-shown"') < body.index('data-section="reception"')  # order 1 first
    assert "Phần trống" not in body and "Phần hỏng" not in body
    assert 'data-section="test-hidden-toc"' in body and 'href="#s-test-hidden-toc"' not in body
    assert any("test-broken" in rec.getMessage() for rec in caplog.records)
    SECTIONS.pop("test-shown")
    assert 'data-section="test-shown"' not in _body(c.get(url))


# --------------------------------------------------------------------------- caching


def test_unit_page_is_cached(tree: dict, settings: Any, django_assert_max_num_queries: Any) -> None:
    settings.DANVAN_PORTAL_CACHE_SECONDS = 120
    c = Client()
    url = f"/public/units/{tree['A1'].pk}/"
    first = _body(c.get(url))
    ReceptionSession.objects.create(org_unit=tree["A1"], date=timezone.localdate() + dt.timedelta(days=2),
                                    host_name="Người Mới Thêm")
    with django_assert_max_num_queries(1):  # one cache read
        again = c.get(url)
    assert again.status_code == 200 and _body(again) == first and "Người Mới Thêm" not in first
    assert "Người Mới Thêm" in _body(c.get(url + "?page=2"))  # another key: rendered afresh
    settings.DANVAN_PORTAL_CACHE_SECONDS = 0
    assert "Người Mới Thêm" in _body(c.get(url))
    # A miss for an unknown unit is not cached as a page.
    settings.DANVAN_PORTAL_CACHE_SECONDS = 120
    assert c.get("/public/units/987654/").status_code == 404


def test_unit_page_cache_is_per_language(tree: dict, settings: Any) -> None:
    settings.DANVAN_PORTAL_CACHE_SECONDS = 120
    c = Client()
    url = f"/public/units/{tree['A1'].pk}/"
    vi = _body(c.get(url))
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = _body(c.get(url))
    assert 'lang="vi"' in vi and 'lang="en"' in en and "Who is responsible" in en
    assert "Cookie" in c.get(url)["Vary"]


def test_logged_in_visitor_gets_the_same_page(tree: dict, head: Any, no_mfa: Any) -> None:
    anon = _body(Client().get(f"/public/units/{tree['A'].pk}/"))
    c = Client()
    c.force_login(head)
    mine = c.get(f"/public/units/{tree['A'].pk}/")
    assert _body(mine) == anon and "csrfmiddlewaretoken" not in _body(mine)
    # A session's cookie may be refreshed on this response: no shared cache may keep it.
    assert "private" in mine["Cache-Control"] and "public" not in mine["Cache-Control"]


# --------------------------------------------------------------------------- size


def _transferred(body: bytes) -> int:
    """The page and every file of our own it loads (stylesheets, scripts, the proof-of-work worker), gzipped."""
    from django.contrib.staticfiles import finders

    total = len(gzip.compress(body))
    for name in set(re.findall(rb'(?:href|src|data-worker)="/static/([^"?#]+)"', body)):
        found = finders.find(name.decode())
        assert found, name
        total += len(gzip.compress(Path(found).read_bytes()))
    return total


def test_pages_stay_small(tree: dict, kinds: dict, no_cache: Any) -> None:
    for i in range(60):
        org_services.create_unit(actor=None, kind=kinds["commune"], name=f"Xã Thử Nghiệm Số {i:03d}",
                                 parent=tree["A"], audit_event=False)
    c = Client()
    for url in ("/public/", f"/public/units/{tree['A'].pk}/", "/public/data/", "/public/petitions/",
                "/public/petitions/submit/", "/public/petitions/track/", "/public/petitions/results/"):
        r = c.get(url)
        assert r.status_code == 200
        assert _transferred(r.content) <= PAGE_BUDGET, url
        assert b'rel="stylesheet" href="/static/css/portal.css"' in r.content, url  # every public page is the portal's
