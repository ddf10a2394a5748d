"""Results pages: who may see them, what they show, the period's validation, and their query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from danvan.surveys.models import Response, Service

from .test_index_support import add_version, make_survey, respond

pytestmark = pytest.mark.django_db

D = dt.date
PERIOD = {"date_from": "01/01/2026", "date_to": "31/12/2026"}


@pytest.fixture
def client() -> Any:
    """Pages in English, so that the assertions read the msgids whatever the catalogue says."""
    from django.conf import settings
    from django.test import Client

    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return c


@pytest.fixture
def data(tree: Any, make_user: Any, no_mfa: Any) -> dict[str, Any]:
    commune = make_survey(tree["A1"], title="Khảo sát xã Bình Lư")
    province = make_survey(tree["A"], title="Khảo sát tỉnh")
    service = Service.objects.create(code="dv-test", name="Chứng thực bản sao")
    respond(commune, {"c1-1-s": 5, "c1-2-s": 4, "c3-1-s": 5, "e0": "<script>alert(1)</script>"},
            on=D(2026, 2, 3), service=service)
    respond(commune, {"c1-1-s": 2, "c1-2-s": 2, "c3-1-s": 5}, on=D(2026, 4, 3))
    respond(province, {"c1-1-s": 5, "c1-2-s": 5, "c3-1-s": 1}, on=D(2026, 4, 9), unit=tree["A2"])
    respond(commune, {"c1-1-s": 1, "c1-2-s": 1, "c3-1-s": 1}, on=D(2026, 4, 9), voided=True)
    return {
        "commune": commune, "province": province,
        "officer": make_user("canbo-a1", (tree["A1"], "officer")),
        "head": make_user("lanhdao-a", (tree["A"], "head")),
        "viewer": make_user("xem-a1", (tree["A1"], "viewer")),
        "sibling": make_user("canbo-a2", (tree["A2"], "officer")),
        "other": make_user("canbo-b", (tree["B"], "head")),
        "nobody": make_user("khong-vai-tro"),
    }


def get(client: Any, user: Any, url: str, params: dict[str, Any] | None = None) -> Any:
    if user is not None:
        client.force_login(user)
    return client.get(url, params or {})


def test_unit_results_show_index_children_and_formula(client: Any, tree: Any, data: Any,
                                                      django_assert_max_num_queries: Any) -> None:
    client.force_login(data["head"])
    client.get(reverse("surveys:results"))  # warm the session
    with django_assert_max_num_queries(20):
        response = client.get(reverse("surveys:results"), {"unit": tree["A"].pk, **PERIOD})
    assert response.status_code == 200
    html = response.content.decode()
    # access 2 of 3 satisfied, officials 2 of 3 → overall 66.7 (the voided response is left out)
    assert "<strong>66,7%</strong> from 3 responses" in html or "<strong>66.7%</strong> from 3 responses" in html
    assert "Per element: share of respondents whose mean satisfaction answer" in html
    assert f'href="?unit={tree["A1"].pk}&amp;date_from=2026-01-01' in html  # drill-down to a child
    assert "Phường Tân Phong" in html and "Xã Bình Lư" in html
    assert "<svg" in html and "<title id=" in html and "<desc id=" in html
    assert "Chứng thực bản sao" in html  # by service
    assert "04/2026" in html  # trend table


def test_drill_down_to_a_commune_and_up(client: Any, tree: Any, data: Any) -> None:
    response = get(client, data["head"], reverse("surveys:results"), {"unit": tree["A1"].pk, **PERIOD})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Khảo sát xã Bình Lư" in html and "Khảo sát tỉnh" not in html
    assert f'?unit={tree["A"].pk}' in html  # up to the province


@pytest.mark.parametrize("who,unit,status", [
    ("officer", "A1", 200), ("viewer", "A1", 200), ("head", "A1", 200), ("officer", "A", 404),
    ("sibling", "A1", 404), ("other", "A1", 404), ("nobody", "A1", 404),
])
def test_unit_results_permissions(client: Any, tree: Any, data: Any, who: str, unit: str, status: int) -> None:
    assert get(client, data[who], reverse("surveys:results"), {"unit": tree[unit].pk}).status_code == status


def test_anonymous_is_sent_to_log_in(client: Any, tree: Any, data: Any) -> None:
    for url in (reverse("surveys:results"), reverse("surveys:survey_results", args=[data["commune"].pk]),
                reverse("surveys:responses_csv", args=[data["commune"].pk])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_bad_unit_parameter_is_404(client: Any, data: Any) -> None:
    for raw in ("abc", "9" * 20, "999999"):
        assert get(client, data["head"], reverse("surveys:results"), {"unit": raw}).status_code == 404


def test_wrong_date_order_gives_a_clear_message(client: Any, tree: Any, data: Any) -> None:
    response = get(client, data["head"], reverse("surveys:results"),
                   {"unit": tree["A"].pk, "date_from": "31/12/2026", "date_to": "01/01/2026"})
    assert response.status_code == 400
    assert "The end date cannot be before the start date." in response.content.decode()
    response = get(client, data["head"], reverse("surveys:results"), {"unit": tree["A"].pk, "date_from": "32/13/2026"})
    assert response.status_code == 400 and "Enter a valid date." in response.content.decode()
    response = get(client, data["head"], reverse("surveys:survey_results", args=[data["commune"].pk]),
                   {"date_from": "01/01/1990", "date_to": "01/01/2026"})
    assert response.status_code == 400 and "01/01/2000" in response.content.decode()
    response = get(client, data["head"], reverse("surveys:responses_csv", args=[data["commune"].pk]),
                   {"date_from": "01/01/2026", "date_to": "01/01/2025"})
    assert response.status_code == 400 and "The end date cannot be before the start date." in response.content.decode()


def test_survey_results_with_distribution_and_escaped_text(client: Any, tree: Any, data: Any,
                                                           django_assert_max_num_queries: Any) -> None:
    client.force_login(data["officer"])
    client.get(reverse("surveys:results"))
    url = reverse("surveys:survey_results", args=[data["commune"].pk])
    with django_assert_max_num_queries(22):
        response = client.get(url, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hài lòng c1-1-s" in html  # per-question distribution
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "2 responses of this version counted." in html  # the voided one is left out
    assert reverse("surveys:responses_xlsx", args=[data["commune"].pk]) in html


def test_survey_results_version_choice(client: Any, data: Any) -> None:
    survey = data["commune"]
    v2 = add_version(survey, elements=(("officials", "Công chức", ("c3-1-s",)),))
    respond(survey, {"c3-1-s": 4}, version=v2, on=D(2026, 5, 1))
    url = reverse("surveys:survey_results", args=[survey.pk])
    html = get(client, data["officer"], url, {**PERIOD, "version": "1"}).content.decode()
    assert "2 responses of this version counted." in html
    html = get(client, data["officer"], url, {**PERIOD, "version": "2"}).content.decode()
    assert "1 response of this version counted." in html and "Hài lòng c1-1-s" not in html


@pytest.mark.parametrize("who,status", [("officer", 200), ("head", 200), ("sibling", 404), ("other", 404),
                                        ("nobody", 404)])
def test_survey_results_permissions(client: Any, data: Any, who: str, status: int) -> None:
    url = reverse("surveys:survey_results", args=[data["commune"].pk])
    assert get(client, data[who], url).status_code == status
    assert get(client, data[who], reverse("surveys:responses_csv", args=[data["commune"].pk])).status_code == status
    assert get(client, data[who], reverse("surveys:survey_index_csv", args=[data["commune"].pk])).status_code == status


def test_deleted_survey_is_404(client: Any, data: Any) -> None:
    from django.utils import timezone

    survey = data["commune"]
    type(survey).objects.filter(pk=survey.pk).update(deleted_at=timezone.now())
    assert get(client, data["head"], reverse("surveys:survey_results", args=[survey.pk])).status_code == 404


def test_no_response_shows_not_available(client: Any, tree: Any, data: Any) -> None:
    response = get(client, data["head"], reverse("surveys:results"),
                   {"unit": tree["A"].pk, "date_from": "01/01/2020", "date_to": "31/12/2020"})
    assert response.status_code == 200
    assert "Not available: no responses in this period." in response.content.decode()


def test_weighted_overall_from_the_form(client: Any, tree: Any, data: Any) -> None:
    response = get(client, data["head"], reverse("surveys:results"), {"unit": tree["A"].pk, "overall": "weighted",
                                                                       **PERIOD})
    assert "weighted by their section weights" in response.content.decode()
    response = get(client, data["head"], reverse("surveys:results"), {"unit": tree["A"].pk, "overall": "max"})
    assert response.status_code == 400


def test_xlsx_of_too_many_responses_is_refused_with_the_csv_offered(client: Any, data: Any, settings: Any) -> None:
    n = Response.objects.filter(survey=data["commune"], submitted_on__year=2026).count()
    assert n >= 2
    settings.DANVAN_SURVEYS_XLSX_MAX_ROWS = n - 1
    url = reverse("surveys:responses_xlsx", args=[data["commune"].pk])
    response = get(client, data["head"], url, PERIOD)
    assert response.status_code == 413 and "CSV" in response.content.decode()
    assert get(client, data["head"], reverse("surveys:responses_csv", args=[data["commune"].pk]),
               PERIOD).status_code == 200
    settings.DANVAN_SURVEYS_XLSX_MAX_ROWS = n
    response = get(client, data["head"], url, PERIOD)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
