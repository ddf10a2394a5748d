"""The surveys section of a unit's public page and its open-data figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from danvan.portal.registry import SECTIONS
from danvan.surveys import portal_sections

from .test_index_support import make_survey, respond

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    portal_sections.clear_cache()
    with translation.override("en"):
        yield
    portal_sections.clear_cache()


def render(unit: Any) -> str | None:
    section = SECTIONS["surveys"]
    ctx = section.context(unit, RequestFactory().get("/"))
    if ctx is None:
        return None
    return render_to_string(section.template, {**ctx, "unit": unit, "section": section})


def test_registered_with_its_template_and_figures() -> None:
    section = SECTIONS["surveys"]
    assert section.title == "Satisfaction surveys" and section.open_data is not None


def test_nothing_to_show_is_no_section(tree: Any, django_assert_max_num_queries: Any) -> None:
    make_survey(tree["A2"], status="draft")
    make_survey(tree["A2"], status="closed")
    with django_assert_max_num_queries(2):
        assert render(tree["A2"]) is None


def test_open_surveys_with_links_and_the_years_index(tree: Any, django_assert_max_num_queries: Any) -> None:
    today = timezone.localdate()
    s = make_survey(tree["A1"], title="Khảo sát một cửa <b>")
    make_survey(tree["A1"], title="Chưa mở", opens_on=today + dt.timedelta(days=3))
    make_survey(tree["A1"], title="Đã hết hạn", opens_on=today - dt.timedelta(days=30),
                closes_on=today - dt.timedelta(days=1))
    make_survey(tree["A1"], title="Bằng mã", access="token")
    gone = make_survey(tree["A1"], title="Đã xoá")
    type(gone).objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    respond(s, {"c1-1-s": 5, "c1-2-s": 5, "c3-1-s": 2}, on=today, client_hash="feedfacefeedface")
    respond(s, {"c1-1-s": 5, "c1-2-s": 5, "c3-1-s": 5}, on=today, unit=tree["A1v"])
    respond(s, {"c1-1-s": 1, "c1-2-s": 1, "c3-1-s": 1}, on=dt.date(today.year - 1, 12, 31))  # last year
    with django_assert_max_num_queries(3):
        html = render(tree["A1"])
    assert html is not None
    assert f'href="/public/surveys/{s.public_code}/"' in html
    assert "Khảo sát một cửa &lt;b&gt;" in html
    assert "Chưa mở" not in html and "Đã hết hạn" not in html and "Đã xoá" not in html
    assert "Bằng mã" in html and "needs the code handed out at the desk" in html
    assert "<strong>75.0%</strong>" in html or "<strong>75,0%</strong>" in html  # access 100, officials 50
    assert f"Satisfaction index {today.year}" in html
    assert "feedfacefeedface" not in html
    # Served from memory the next time: only the open surveys are read.
    with django_assert_max_num_queries(1):
        render(tree["A1"])
    # A sibling commune has nothing.
    assert render(tree["A2"]) is None


def test_open_data_figures(tree: Any, django_assert_max_num_queries: Any) -> None:
    s = make_survey(tree["A1"])
    respond(s, {"c1-1-s": 5, "c1-2-s": 4, "c3-1-s": 1}, on=dt.date(2026, 3, 1))
    respond(s, {"c1-1-s": 5, "c1-2-s": 4, "c3-1-s": 5}, on=dt.date(2026, 3, 2), voided=True)
    figures_of = SECTIONS["surveys"].open_data
    assert figures_of is not None
    with django_assert_max_num_queries(2):
        figures = {f.key: f for f in figures_of(tree["A"], dt.date(2026, 1, 1), dt.date(2026, 12, 31))}
    assert figures["surveys.responses"].value == 1
    assert figures["surveys.satisfaction_index"].value == 50.0 and figures["surveys.satisfaction_index"].unit == "%"
    assert figures["surveys.element.access"].value == 100.0
    assert figures["surveys.element.officials"].value == 0.0
    empty = {f.key: f.value for f in figures_of(tree["B"], dt.date(2026, 1, 1), dt.date(2026, 12, 31))}
    assert empty == {"surveys.responses": 0, "surveys.satisfaction_index": None}
