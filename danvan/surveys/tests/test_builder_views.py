"""The builder's pages: list, new survey, builder page, edits (new version after responses), conflicts, desks."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from danvan.core.models import AuditEvent
from danvan.surveys import services
from danvan.surveys.models import Desk, Question, Section, Survey, SurveyStatus

from .builder_helpers import answer, latest

pytestmark = pytest.mark.django_db


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def lock(survey: Survey) -> int:
    return Survey.objects.get(pk=survey.pk).lock_version


# --------------------------------------------------------------------------- list


def test_list_is_scoped_filtered_paged_and_bounded(client: Client, officer_user: Any, make_survey: Any,
                                                   survey_tree: dict[str, Any], django_assert_max_num_queries: Any,
                                                   settings: Any) -> None:
    from danvan.surveys import views_builder

    mine = [make_survey(title=f"Khảo sát {n}", template="", publish=False) for n in range(5)]
    make_survey(survey_tree["A2"], title="Xã bên", template="", publish=False)
    gone = make_survey(title="Đã xoá", template="", publish=False)
    services.delete_survey(actor=None, survey=gone, expected_version=gone.lock_version)
    login(client, officer_user)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("surveys:list"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Xã bên" not in html and "Đã xoá" not in html
    assert all(s.title in html for s in mine)
    views_builder.PAGE_SIZE = 2
    try:
        r = client.get(reverse("surveys:list"))
        assert r.context["next_url"] and len(r.context["rows"]) == 2
        r2 = client.get(reverse("surveys:list") + r.context["next_url"])
        assert [s.pk for s in r2.context["rows"]] == [mine[2].pk, mine[1].pk]
    finally:
        views_builder.PAGE_SIZE = 50
    r = client.get(reverse("surveys:list"), {"status": "open"})
    assert r.context["rows"] == []
    r = client.get(reverse("surveys:list"), {"unit": survey_tree["A2"].pk})
    assert r.status_code == 200 and not r.context["form"].is_valid()  # not one of the user's units


def test_list_query_count_does_not_grow(client: Client, officer_user: Any, make_survey: Any,
                                        django_assert_max_num_queries: Any) -> None:
    for n in range(30):
        make_survey(title=f"S{n}", template="", publish=False)
    login(client, officer_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("surveys:list")).status_code == 200


def test_anonymous_is_sent_to_log_in(client: Client, sipas_survey: Any) -> None:
    for url in (reverse("surveys:list"), reverse("surveys:new"), reverse("surveys:detail", args=[sipas_survey.pk])):
        r = client.get(url)
        assert r.status_code == 302 and "login" in r["Location"]


# --------------------------------------------------------------------------- new survey


def test_new_survey_from_sipas(client: Client, officer_user: Any, survey_tree: dict[str, Any]) -> None:
    login(client, officer_user)
    r = client.get(reverse("surveys:new"))
    assert r.status_code == 200 and "SIPAS" in r.content.decode()
    r = client.post(reverse("surveys:new"), {
        "org_unit": survey_tree["A1"].pk, "title": "Khảo sát một cửa", "subject": "unit", "access": "link",
        "template": "sipas", "opens_on": "01/07/2026", "closes_on": "31/12/2026"})
    survey = Survey.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("surveys:detail", args=[survey.pk])
    assert survey.opens_on and survey.closes_on
    assert survey.template == "sipas" and survey.opens_on.day == 1 and survey.closes_on.month == 12
    r = client.get(r["Location"])
    assert r.status_code == 200 and r.content.decode().count('data-testid="section"') == 7


@pytest.mark.parametrize(("data", "field", "text"), [
    ({"title": ""}, "title", ""),
    ({"title": "x" * 300}, "title", "255"),
    ({"opens_on": "10/07/2026", "closes_on": "09/07/2026"}, "closes_on", ""),
    ({"opens_on": "31/02/2026"}, "opens_on", ""),
])
def test_new_survey_bad_input(client: Client, officer_user: Any, survey_tree: dict[str, Any],
                              data: dict[str, str], field: str, text: str) -> None:
    login(client, officer_user)
    post = {"org_unit": survey_tree["A1"].pk, "title": "Khảo sát", "subject": "unit", "access": "link",
            "template": "", **data}
    r = client.post(reverse("surveys:new"), post)
    assert r.status_code == 400 and r.context["form"].errors[field]
    assert text in " ".join(r.context["form"].errors[field])
    assert not Survey.objects.exists()
    if data.get("title"):
        assert data["title"] in r.content.decode()  # what was typed is kept


def test_new_survey_in_a_sibling_unit_is_refused(client: Client, officer_user: Any, viewer_user: Any,
                                                 survey_tree: dict[str, Any]) -> None:
    login(client, officer_user)
    r = client.post(reverse("surveys:new"), {"org_unit": survey_tree["A2"].pk, "title": "X", "subject": "unit",
                                             "access": "link"})
    assert r.status_code == 400 and "org_unit" in r.context["form"].errors
    login(client, viewer_user)
    assert client.get(reverse("surveys:new")).status_code == 403


# --------------------------------------------------------------------------- builder page


def test_builder_page(client: Client, officer_user: Any, viewer_user: Any, sipas_survey: Any,
                      django_assert_max_num_queries: Any) -> None:
    login(client, officer_user)
    url = reverse("surveys:detail", args=[sipas_survey.pk])
    with django_assert_max_num_queries(14):
        r = client.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="publish"' not in html and 'data-testid="close"' in html
    assert html.count('data-testid="question"') == 51 and 'data-testid="new-version-note"' not in html
    login(client, viewer_user)
    html = client.get(url).content.decode()
    assert 'data-testid="add-section"' not in html and 'data-testid="close"' not in html


@pytest.mark.parametrize("who", ["other_commune_user", "other_province_user", "nobody_user"])
def test_outsiders_get_404(request: Any, client: Client, sipas_survey: Any, who: str) -> None:
    login(client, request.getfixturevalue(who))
    section = Section.objects.filter(version__survey=sipas_survey).order_by("pk")[0]
    assert client.get(reverse("surveys:detail", args=[sipas_survey.pk])).status_code == 404
    r = client.post(reverse("surveys:section_edit", args=[sipas_survey.pk, section.pk]),
                    {"title": "Hack", "expected_version": lock(sipas_survey)})
    assert r.status_code == 404
    r = client.post(reverse("surveys:transition", args=[sipas_survey.pk, "delete"]),
                    {"expected_version": lock(sipas_survey)})
    assert r.status_code == 404
    assert Survey.objects.get(pk=sipas_survey.pk).deleted_at is None
    assert Section.objects.get(pk=section.pk).title != "Hack"


def test_viewer_cannot_edit(client: Client, viewer_user: Any, sipas_survey: Any) -> None:
    login(client, viewer_user)
    assert client.get(reverse("surveys:section_add", args=[sipas_survey.pk])).status_code == 403
    assert client.get(reverse("surveys:edit", args=[sipas_survey.pk])).status_code == 403


def test_edit_after_responses_makes_version_2(client: Client, officer_user: Any, sipas_survey: Any) -> None:
    answer(sipas_survey)
    login(client, officer_user)
    url = reverse("surveys:detail", args=[sipas_survey.pk])
    assert 'data-testid="new-version-note"' in client.get(url).content.decode()
    q = Question.objects.get(section__version__survey=sipas_survey, key="c1-1-s")
    edit = reverse("surveys:question_edit", args=[sipas_survey.pk, q.pk])
    r = client.get(edit)
    assert r.status_code == 200 and "phiên bản 2" in r.content.decode()
    data = {"text": "Ông/Bà hài lòng với chỗ ngồi chờ?", "kind": "likert", "aspect": "satisfaction",
            "key": "c1-1-s", "required": "on", "max_length": "1000", "expected_version": lock(sipas_survey)}
    # Bad input first: nothing is made, not even the new version.
    r = client.post(edit, {**data, "text": ""})
    assert r.status_code == 400 and sipas_survey.versions.count() == 1
    r = client.post(edit, data)
    assert r.status_code == 302
    assert sipas_survey.versions.count() == 2
    q.refresh_from_db()
    assert q.text.startswith("Ông/Bà hài lòng thế nào")  # version 1 untouched
    assert Question.objects.get(section__version__number=2, section__version__survey=sipas_survey,
                                key="c1-1-s").text == data["text"]
    html = client.get(url).content.decode()
    assert "Công bố phiên bản 2" in html and 'data-testid="new-version-note"' not in html


def test_add_section_and_question_with_bad_input(client: Client, officer_user: Any, survey_tree: dict[str, Any]
                                                 ) -> None:
    s = services.create_survey(actor=officer_user, org_unit=survey_tree["A1"], title="Trống")
    login(client, officer_user)
    r = client.post(reverse("surveys:section_add", args=[s.pk]),
                    {"title": "Tiếp cận", "element_key": "access", "weight": "1", "expected_version": lock(s)})
    assert r.status_code == 302
    section = Section.objects.get(version__survey=s)
    add_q = reverse("surveys:question_add", args=[s.pk, section.pk])
    r = client.post(add_q, {"text": "Chọn?", "kind": "choice", "choices": "Một", "expected_version": lock(s)})
    assert r.status_code == 400 and "ít nhất hai lựa chọn" in " ".join(r.context["form"].errors["choices"])
    assert "Chọn?" in r.content.decode()
    r = client.post(add_q, {"text": "Chọn?", "kind": "choice", "choices": "mot = Một\nHai",
                            "expected_version": lock(s)})
    assert r.status_code == 302
    assert Question.objects.get(section=section).choices == [{"value": "mot", "label": "Một"},
                                                             {"value": "hai", "label": "Hai"}]
    r = client.post(add_q, {"text": "Trùng", "kind": "text", "key": "q1", "expected_version": lock(s)})
    assert r.status_code == 400 and "key" in r.context["form"].errors
    r = client.post(reverse("surveys:index_rule", args=[s.pk]),
                    {"satisfied_threshold": "6", "element_rule": "mean", "expected_version": lock(s)}, follow=True)
    assert "1 to 5" in r.content.decode() or "1–5" in r.content.decode()
    assert latest(s).satisfied_threshold == 4


def test_two_officials_editing(client: Client, officer_user: Any, head_user: Any, sipas_survey: Any) -> None:
    opened = lock(sipas_survey)
    section = Section.objects.filter(version__survey=sipas_survey, element_key="access").get()
    url = reverse("surveys:section_edit", args=[sipas_survey.pk, section.pk])
    login(client, officer_user)
    r = client.post(url, {"title": "Tiếp cận dịch vụ công", "element_key": "access", "weight": "1",
                          "expected_version": opened})
    assert r.status_code == 302
    other = login(Client(), head_user)
    r = other.post(url, {"title": "Tên của chủ tịch", "element_key": "access", "weight": "1",
                         "expected_version": opened})
    assert r.status_code == 409
    assert "Người khác đã sửa cuộc khảo sát này" in r.content.decode() and "Tên của chủ tịch" in r.content.decode()
    assert Section.objects.get(pk=section.pk).title == "Tiếp cận dịch vụ công"
    # The form came back with the current lock: submitting again applies it.
    assert r.context["form"]["expected_version"].value() == str(lock(sipas_survey))
    r = other.post(url, {"title": "Tên của chủ tịch", "element_key": "access", "weight": "1",
                         "expected_version": lock(sipas_survey)})
    assert r.status_code == 302 and Section.objects.get(pk=section.pk).title == "Tên của chủ tịch"


def test_buttons(client: Client, head_user: Any, sipas_survey: Any) -> None:
    login(client, head_user)
    url = lambda a: reverse("surveys:transition", args=[sipas_survey.pk, a])  # noqa: E731
    r = client.post(url("close"), {"expected_version": lock(sipas_survey)})
    assert r.status_code == 302 and Survey.objects.get(pk=sipas_survey.pk).status == SurveyStatus.CLOSED
    r = client.post(url("reopen"), {"expected_version": lock(sipas_survey) - 1}, follow=True)
    assert "Người khác đã sửa cuộc khảo sát này" in r.content.decode()
    assert Survey.objects.get(pk=sipas_survey.pk).status == SurveyStatus.CLOSED
    client.post(url("reopen"), {"expected_version": lock(sipas_survey)})
    assert Survey.objects.get(pk=sipas_survey.pk).status == SurveyStatus.OPEN
    assert client.post(url("explode"), {}).status_code == 404
    assert client.get(url("close")).status_code == 405
    q = Question.objects.filter(section__version__survey=sipas_survey, key="c1-2-s").get()
    r = client.post(reverse("surveys:question_move", args=[sipas_survey.pk, q.pk]),
                    {"direction": "up", "expected_version": lock(sipas_survey)})
    assert r.status_code == 302 and Question.objects.get(pk=q.pk).order == 3
    r = client.post(reverse("surveys:question_delete", args=[sipas_survey.pk, q.pk]),
                    {"expected_version": lock(sipas_survey)})
    assert not Question.objects.filter(pk=q.pk).exists()
    r = client.post(url("delete"), {"expected_version": lock(sipas_survey)})
    assert r.status_code == 302 and r["Location"] == reverse("surveys:list")
    assert client.get(reverse("surveys:detail", args=[sipas_survey.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="surveys.delete_survey").exists()


# --------------------------------------------------------------------------- desks


def test_desks_pages(client: Client, officer_user: Any, other_commune_user: Any, desks: list[Desk],
                     survey_tree: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    login(client, officer_user)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("surveys:desk_list"))
    assert r.status_code == 200 and r.content.decode().count('data-testid="desk-row"') == 2
    r = client.post(reverse("surveys:desk_list") + f"?unit={survey_tree['A1'].pk}", {"code": "quay-1", "name": "X"})
    assert r.status_code == 400 and "quay-1" in " ".join(r.context["form"].errors["code"])
    r = client.post(reverse("surveys:desk_list"), {"code": "quay-3", "name": "Quầy 3"})
    assert r.status_code == 302 and Desk.objects.filter(code="quay-3", org_unit=survey_tree["A1"]).exists()
    assert client.get(reverse("surveys:desk_list") + f"?unit={survey_tree['A2'].pk}").status_code == 403
    r = client.post(reverse("surveys:desk_edit", args=[desks[1].pk]), {"code": "quay-2", "name": "Quầy hai"})
    assert r.status_code == 302
    desks[1].refresh_from_db()
    assert desks[1].name == "Quầy hai" and not desks[1].is_active  # unchecked box: not in use
    login(client, other_commune_user)
    assert client.get(reverse("surveys:desk_edit", args=[desks[0].pk])).status_code == 403
