"""The good practices section of a unit's public page and its open-data figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone, translation

from danvan.portal.registry import SECTIONS
from danvan.practices import portal_sections
from danvan.practices.models import Commendation, Practice, PracticeField, Replication

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def practice(unit: Any, name: str, *, level: str = "", on: dt.date | None = None, **extra: Any) -> Practice:
    return Practice.objects.create(org_unit=unit, year=extra.pop("year", TODAY.year), name=name,
                                   name_key=name.lower(), field=PracticeField.objects.get(code="economy"),
                                   goals=extra.pop("goals", "Nâng cao thu nhập"), starts_on=D(2025, 1, 1),
                                   responsible_person="Lò Văn Bí Mật", person_name=extra.pop("person_name", ""),
                                   recognition_level=level, recognised_on=on, **extra)


def render(unit: Any) -> str | None:
    section = SECTIONS["practices"]
    ctx = section.context(unit, RequestFactory().get("/"))
    if ctx is None:
        return None
    return render_to_string(section.template, {**ctx, "unit": unit, "section": section})


def test_registered_with_its_template_and_figures() -> None:
    section = SECTIONS["practices"]
    assert section.title == "Good practices (“Dân vận khéo”)" and section.open_data is not None
    assert section.template == "practices/portal/section.html"


def test_no_recognised_practice_is_no_section(tree: Any, django_assert_max_num_queries: Any) -> None:
    practice(tree["A2"], "Chưa công nhận")
    practice(tree["A2"], "Đã xoá", level="commune", on=TODAY, deleted_at=timezone.now())
    with django_assert_max_num_queries(1):
        assert render(tree["A2"]) is None


def test_recognised_practices_of_the_subtree(tree: Any, django_assert_max_num_queries: Any) -> None:
    p = practice(tree["A1"], "Dân vận khéo <b>", level="province", on=D(2026, 5, 1), ethnic_remote=True)
    practice(tree["A1v"], "Bản văn hoá", level="commune", on=D(2026, 6, 1), registered_by="individual",
             person_name="Giàng A Cá Nhân")
    practice(tree["A1"], "Chưa công nhận")
    practice(tree["B1"], "Tỉnh khác", level="commune", on=D(2026, 6, 1))
    for unit in (tree["A2"], tree["Adep"]):
        Replication.objects.create(practice=p, org_unit=unit, adopted_on=D(2026, 6, 2))
    Replication.objects.create(practice=p, org_unit=tree["B1"], adopted_on=D(2026, 6, 2), deleted_at=timezone.now())
    with django_assert_max_num_queries(1):
        html = render(tree["A1"])
    assert html is not None
    assert html.index("Bản văn hoá") < html.index("Dân vận khéo &lt;b&gt;")  # latest recognised first
    assert "Bản Thẳm" in html  # a unit below is named
    assert "recognised at Province level on 01/05/2026" in html
    assert "adopted by 2 other units" in html and "ethnic-minority or remote area" in html
    assert "Chưa công nhận" not in html and "Tỉnh khác" not in html
    assert "Lò Văn Bí Mật" not in html and "Giàng A Cá Nhân" not in html  # nothing personal
    # The province's page shows its communes' practices too; the sibling commune has none.
    province = render(tree["A"])
    assert province is not None and "Bản văn hoá" in province
    assert render(tree["A2"]) is None


def test_only_the_latest_are_listed(tree: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(portal_sections.MAX_PRACTICES + 3):
        practice(tree["A1"], f"Mô hình {i:02d}", level="commune", on=D(2026, 1, 1) + dt.timedelta(days=i))
    with django_assert_max_num_queries(1):
        html = render(tree["A1"])
    assert html is not None and html.count("<li>") == portal_sections.MAX_PRACTICES
    assert "Mô hình 22" in html and "Mô hình 00" not in html
    assert "Only the latest recognised practices are listed here." in html


def test_open_data_figures(tree: Any, django_assert_max_num_queries: Any) -> None:
    practice(tree["A1"], "Một", level="commune", on=D(2026, 3, 1), year=2026, ethnic_remote=True)
    practice(tree["A1v"], "Hai", year=2026)
    practice(tree["A2"], "Ba", level="province", on=D(2025, 12, 1), year=2025)
    practice(tree["B1"], "Khác", level="commune", on=D(2026, 3, 1), year=2026)
    for kind, on in (("collective", D(2026, 2, 1)), ("individual", D(2026, 2, 2)), ("individual", D(2025, 1, 1))):
        Commendation.objects.create(awarding_unit=tree["A"], year=on.year, level="province", recipient_kind=kind,
                                    recipient_name=f"{kind} {on}", org_unit=tree["A1"], awarded_on=on)
    with django_assert_max_num_queries(1):
        figures = {f.key: f.value for f in portal_sections.open_figures(tree["A"], D(2026, 1, 1), D(2026, 12, 31))}
    assert figures == {"practices.registered": 2, "practices.registered_ethnic_remote": 1,
                       "practices.recognised": 1, "practices.commendations_collective": 1,
                       "practices.commendations_individual": 1}
    none = {f.key: f.value for f in portal_sections.open_figures(tree["B1"], D(2020, 1, 1), D(2020, 12, 31))}
    assert set(none.values()) == {0}


def test_the_public_page_shows_the_section(tree: Any, settings: Any) -> None:
    settings.DANVAN_PORTAL_CACHE_SECONDS = 0
    practice(tree["A1"], "Chính quyền thân thiện", level="commune", on=D(2026, 4, 1))
    body = Client().get(f"/public/units/{tree['A1'].pk}/").content.decode()
    assert "Chính quyền thân thiện" in body and 'data-testid="recognised-practices"' in body
    assert "Chính quyền thân thiện" not in Client().get(f"/public/units/{tree['A2'].pk}/").content.decode()
