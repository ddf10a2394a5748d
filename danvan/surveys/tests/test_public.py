"""The citizen's survey pages: steps, answers kept between steps, bad input, one response per visit, codes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from danvan.portal.testing import solve_altcha
from danvan.surveys import responses, scan, services, tokens
from danvan.surveys.models import Response, Survey

from .test_responses import build_small

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def small(survey_tree: dict) -> Survey:
    return build_small(survey_tree["A1"])


def start_url(survey: Survey, query: str = "") -> str:
    return reverse("surveys_public:start", args=[survey.public_code]) + query


def step_url(survey: Survey, n: int) -> str:
    return reverse("surveys_public:step", args=[survey.public_code, n])


def checked(page: str, name: str, value: str) -> bool:
    return re.search(rf'<input type="radio" name="{re.escape(name)}" value="{re.escape(value)}"[^>]*checked', page) is not None


def answer_all(c: Client, survey: Survey, *, text: str = "Tốt", query: str = "") -> Any:
    assert c.get(start_url(survey, query)).status_code == 200
    r = c.post(step_url(survey, 1), {"q-s1": "5", "q-s2": "4", "nav": "next"})
    assert r.status_code == 302 and r["Location"] == step_url(survey, 2)
    return c.post(step_url(survey, 2), {"q-ch": "a", "q-mu": ["x", "y"], "q-tx": text, "nav": "next",
                                        "altcha": solve_altcha(client=c)})


def test_happy_path_with_desk_from_the_poster(small: Survey, desk: Any) -> None:
    c = Client()
    page = c.get(start_url(small, "?desk=quay-1")).content.decode()
    assert small.title in page and desk.name in page and "<h1>" in page and page.count("<h1") == 1
    step1 = c.get(step_url(small, 1)).content.decode()
    assert 'data-step="1" data-steps="2"' in step1 and 'name="q-s1"' in step1 and "<legend>" in step1
    assert 'type="radio"' in step1 and "altcha-widget" not in step1
    r = c.post(step_url(small, 1), {"q-s1": "5", "q-s2": "4", "nav": "next"})
    assert r.status_code == 302
    step2 = c.get(step_url(small, 2)).content.decode()
    assert 'data-step="2" data-steps="2"' in step2 and "altcha-widget" in step2
    r = c.post(step_url(small, 2), {"q-ch": "a", "q-mu": ["y"], "q-tx": "Tốt", "nav": "next",
                                    "altcha": solve_altcha(client=c)})
    assert r.status_code == 302 and r["Location"] == reverse("surveys_public:thanks", args=[small.public_code])
    assert 'data-testid="received"' in c.get(r["Location"]).content.decode()
    resp = Response.objects.get()
    assert resp.answers == {"s1": 5, "s2": 4, "ch": "a", "mu": ["y"], "tx": "Tốt"}
    assert resp.desk == desk and resp.channel == "web" and len(resp.scan_session) == 32 and resp.client_hash
    assert resp.element_satisfied == 1


def test_back_keeps_answers_even_invalid(small: Survey) -> None:
    c = Client()
    c.get(start_url(small))
    c.post(step_url(small, 1), {"q-s1": "2", "nav": "next"})
    r = c.post(step_url(small, 2), {"q-tx": "chưa xong <b>đậm</b>" + "x" * 30, "nav": "back"})
    assert r.status_code == 302 and r["Location"] == step_url(small, 1)
    step1 = c.get(step_url(small, 1)).content.decode()
    assert checked(step1, "q-s1", "2") and not checked(step1, "q-s1", "5")
    page = c.get(step_url(small, 2)).content.decode()
    assert "chưa xong &lt;b&gt;đậm&lt;/b&gt;" in page and "<b>đậm" not in page
    assert not Response.objects.exists()


def test_required_missing_is_a_clear_error(small: Survey) -> None:
    c = Client()
    c.get(start_url(small))
    r = c.post(step_url(small, 1), {"q-s2": "4", "nav": "next"})
    assert r.status_code == 400
    page = r.content.decode()
    assert 'role="alert"' in page and 'href="#id_q-s1"' in page and 'id="id_q-s1_error"' in page
    assert 'value="4"' in page  # the other answer is still chosen


@pytest.mark.parametrize("value", ["6", "0", "abc"])
def test_out_of_range_likert(small: Survey, value: str) -> None:
    c = Client()
    c.get(start_url(small))
    r = c.post(step_url(small, 1), {"q-s1": value, "nav": "next"})
    assert r.status_code == 400 and 'id="id_q-s1_error"' in r.content.decode()


def test_oversized_text_is_kept_with_a_message(small: Survey) -> None:
    c = Client()
    long_text = "Thủ tục quá rườm rà, " * 3
    r = answer_all(c, small, text=long_text)
    assert r.status_code == 400
    page = r.content.decode()
    assert long_text.strip() in page and 'id="id_q-tx_error"' in page
    assert not Response.objects.exists()


def test_script_is_stored_and_shown_as_text(small: Survey, officer_user: Any) -> None:
    c = Client()
    script = "<script>alert(1)</script>"[:20]
    r = answer_all(c, small, text=script)
    assert r.status_code == 302
    resp = Response.objects.get()
    assert resp.answers["tx"] == script
    officer = Client()
    officer.force_login(officer_user)
    page = officer.get(reverse("surveys:responses", args=[small.pk])).content.decode()
    assert "&lt;script&gt;alert(1)" in page and "<script>alert(1)" not in page


def test_sent_twice_makes_one_response(small: Survey) -> None:
    c = Client()
    assert answer_all(c, small).status_code == 302
    payload = solve_altcha(client=c)
    again = c.post(step_url(small, 2), {"q-ch": "a", "nav": "next", "altcha": payload})
    assert again.status_code == 200 and 'data-testid="already"' in again.content.decode()
    assert 'data-testid="already"' in c.get(start_url(small)).content.decode()
    assert Response.objects.count() == 1


def test_double_click_race_lands_on_thanks(small: Survey) -> None:
    """The session did not yet know it had sent (two requests at once): the database refuses the second."""
    c = Client()
    c.get(start_url(small))
    c.post(step_url(small, 1), {"q-s1": "5", "nav": "next"})
    state = scan.load(_request_with(c), small.public_code)
    assert state is not None
    responses.submit_response(survey=small, answers={"s1": 5}, scan_session=state.scan_id)  # the first click
    r = c.post(step_url(small, 2), {"nav": "next", "altcha": solve_altcha(client=c)})
    assert r.status_code == 200 and 'data-testid="already"' in r.content.decode()
    assert Response.objects.count() == 1


def _request_with(c: Client) -> Any:
    class _R:
        session = c.session

    return _R()


@pytest.mark.parametrize("payload", ["", "bm90IGEgcGF5bG9hZA=="])
def test_bot_without_proof_of_work(small: Survey, payload: str) -> None:
    c = Client()
    c.get(start_url(small))
    c.post(step_url(small, 1), {"q-s1": "5", "nav": "next"})
    r = c.post(step_url(small, 2), {"q-ch": "a", "nav": "next", "altcha": payload})
    assert r.status_code == 400 and "altcha" in r.content.decode() and not Response.objects.exists()


def test_rate_limit(small: Survey, settings: Any) -> None:
    settings.DANVAN_PUBLIC_RATE_LIMITS = {"survey_submit": (1, 3600)}
    assert answer_all(Client(), small).status_code == 302
    r = answer_all(Client(), small)
    assert r.status_code == 429 and Response.objects.count() == 1


def test_closed_draft_unknown_and_not_yet(small: Survey, survey_tree: dict) -> None:
    c = Client()
    draft = build_small(survey_tree["A1"], publish=False)
    assert c.get(start_url(draft)).status_code == 404
    assert c.get(reverse("surveys_public:start", args=["NOPE000000"])).status_code == 404
    assert c.get(reverse("surveys_public:start", args=["X" * 40])).status_code == 404
    Survey.objects.filter(pk=small.pk).update(opens_on=timezone.localdate() + dt.timedelta(days=3))
    r = c.get(start_url(small))
    assert r.status_code == 200 and 'data-testid="not-yet"' in r.content.decode()
    Survey.objects.filter(pk=small.pk).update(opens_on=None, status="closed")
    for url in (start_url(small), step_url(small, 1)):
        r = c.get(url)
        assert r.status_code == 410 and 'data-testid="closed"' in r.content.decode()


def test_closed_while_answering_keeps_nothing_half_saved(small: Survey) -> None:
    c = Client()
    c.get(start_url(small))
    c.post(step_url(small, 1), {"q-s1": "5", "nav": "next"})
    Survey.objects.filter(pk=small.pk).update(status="closed")
    r = c.post(step_url(small, 2), {"nav": "next", "altcha": solve_altcha(client=c)})
    assert r.status_code == 410 and not Response.objects.exists()


def test_steps_out_of_range_and_without_a_visit(small: Survey) -> None:
    c = Client()
    r = c.get(step_url(small, 1))
    assert r.status_code == 302 and r["Location"] == start_url(small)
    c.get(start_url(small))
    assert c.get(step_url(small, 3)).status_code == 404
    assert c.get(step_url(small, 0)).status_code == 404


def test_edited_midway_finishes_the_version_started(small: Survey) -> None:
    c = Client()
    c.get(start_url(small))
    c.post(step_url(small, 1), {"q-s1": "4", "nav": "next"})
    responses.submit_response(survey=small, answers={"s1": 3})  # someone else answered: v1 is frozen
    v2 = services.draft_version(actor=None, survey=small)
    section = v2.sections.order_by("order")[0]
    services.add_question(actor=None, section=section, key="s3", text="Mới", kind="likert", aspect="satisfaction")
    small.refresh_from_db()
    services.publish(actor=None, survey=small, expected_version=small.lock_version)
    r = c.post(step_url(small, 2), {"nav": "next", "altcha": solve_altcha(client=c)})
    assert r.status_code == 302
    mine = Response.objects.order_by("-pk").first()
    assert mine is not None and mine.version.number == 1 and mine.answers == {"s1": 4}
    # A new visitor answers version 2.
    fresh = Client()
    fresh.get(start_url(small))
    assert 'name="q-s3"' in fresh.get(step_url(small, 1)).content.decode()


def test_a_visit_open_too_long_starts_again(small: Survey) -> None:
    c = Client()
    c.get(start_url(small))
    session = c.session
    key = scan.PREFIX + small.public_code
    data = session[key]
    data["started_at"] = (timezone.now() - scan.MAX_AGE - dt.timedelta(minutes=1)).isoformat()
    session[key] = data
    session.save()
    r = c.post(step_url(small, 1), {"q-s1": "4", "nav": "next"})
    assert r.status_code == 409 and not Response.objects.exists()
    assert c.get(start_url(small)).status_code == 200  # a new visit


def test_errors_found_at_the_end_send_back_to_their_step(small: Survey) -> None:
    c = Client()
    c.get(start_url(small))
    session = c.session
    key = scan.PREFIX + small.public_code
    session[key] = {**session[key], "answers": {}}  # step 1 never answered (e.g. an old tab)
    session.save()
    r = c.post(step_url(small, 2), {"nav": "next", "altcha": solve_altcha(client=c)})
    assert r.status_code == 302 and r["Location"] == step_url(small, 1)
    assert 'id="id_q-s1_error"' in c.get(step_url(small, 1)).content.decode()
    assert not Response.objects.exists()


def test_token_survey(survey_tree: dict, officer_user: Any, desk: Any) -> None:
    survey = build_small(survey_tree["A1"], access="token")
    code, other = tokens.issue_tokens(actor=officer_user, survey=survey, count=2, org_unit=survey_tree["A1"],
                                      desk=desk)
    c = Client()
    page = c.get(start_url(survey, f"?token={tokens.display(code)}")).content.decode()
    assert f'value="{tokens.display(code)}"' in page and 'name="code"' in page
    assert c.get(step_url(survey, 1)).status_code == 302  # no code yet
    assert c.post(start_url(survey), {"code": "ZZZZZ-ZZZZZ"}).status_code == 400
    r = c.post(start_url(survey), {"code": tokens.display(code)})
    assert r.status_code == 302 and r["Location"] == step_url(survey, 1)
    c.post(step_url(survey, 1), {"q-s1": "5", "nav": "next"})
    assert c.post(step_url(survey, 2), {"nav": "next", "altcha": solve_altcha(client=c)}).status_code == 302
    resp = Response.objects.get()
    assert resp.token is not None and resp.desk == desk
    # The same code again, from another phone: refused at once.
    c2 = Client()
    c2.get(start_url(survey))
    r = c2.post(start_url(survey), {"code": code})
    assert r.status_code == 400 and Response.objects.count() == 1


def test_token_used_meanwhile_goes_back_to_the_code(survey_tree: dict, officer_user: Any) -> None:
    survey = build_small(survey_tree["A1"], access="token")
    [code] = tokens.issue_tokens(actor=officer_user, survey=survey, count=1, org_unit=survey_tree["A1"])
    c = Client()
    c.get(start_url(survey))
    c.post(start_url(survey), {"code": code})
    c.post(step_url(survey, 1), {"q-s1": "5", "nav": "next"})
    responses.submit_response(survey=survey, answers={"s1": 1}, token_code=code)  # used on another phone
    r = c.post(step_url(survey, 2), {"nav": "next", "altcha": solve_altcha(client=c)})
    assert r.status_code == 302 and r["Location"] == start_url(survey)
    page = c.get(start_url(survey)).content.decode()
    assert 'id="id_code_error"' in page and Response.objects.count() == 1


def test_code_guessing_is_rate_limited(survey_tree: dict, settings: Any) -> None:
    settings.DANVAN_PUBLIC_RATE_LIMITS = {"survey_code": (3, 900)}
    survey = build_small(survey_tree["A1"], access="token")
    c = Client()
    c.get(start_url(survey))
    codes = [c.post(start_url(survey), {"code": f"AAAAA-AAAA{i}"}).status_code for i in range(5)]
    assert codes == [400, 400, 400, 429, 429]


def test_service_and_officer_from_the_qr(sipas_survey: Survey, survey_tree: dict, officer_user: Any,
                                         other_province_user: Any) -> None:
    code = next(iter(survey_tree["services"]))
    c = Client()
    c.get(start_url(sipas_survey, f"?service={code}&officer={officer_user.pk}"))
    page = c.get(step_url(sipas_survey, 1)).content.decode()
    assert checked(page, "q-service", code)
    state = scan.load(_request_with(c), sipas_survey.public_code)
    assert state is not None and state.officer_id == officer_user.pk and state.service_id
    c2 = Client()
    c2.get(start_url(sipas_survey, f"?officer={other_province_user.pk}&desk=nope"))
    state = scan.load(_request_with(c2), sipas_survey.public_code)
    assert state is not None and state.officer_id is None and state.desk_id is None  # not of this unit


def test_step_page_queries_are_bounded(small: Survey, django_assert_max_num_queries: Any) -> None:
    c = Client()
    c.get(start_url(small))
    with django_assert_max_num_queries(10):
        assert c.get(step_url(small, 1)).status_code == 200
