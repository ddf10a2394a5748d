"""/api/v1/surveys: list, detail, create, publish/close, index, responses, codes — every answer checked against OpenAPI."""
# ruff: noqa: F811 - pytest fixtures imported from the API conftest are redefined as arguments

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from danvan.api.tests.conftest import ApiClient, anon, caller, callers  # noqa: F401
from danvan.surveys import responses as survey_responses
from danvan.surveys import scoring
from danvan.surveys.models import (
    Aspect,
    Desk,
    Question,
    QuestionKind,
    Response,
    Section,
    Service,
    Survey,
    SurveyToken,
    SurveyVersion,
)

pytestmark = pytest.mark.django_db


def make_survey(unit: Any, title: str = "Khảo sát một cửa", *, status: str = "open", code: str = "") -> Survey:
    """A small published questionnaire built directly (the builder's services are tested on their own):
    two index elements, a choice and a free-text question."""
    survey = Survey.objects.create(org_unit=unit, title=title, public_code=code or f"P{Survey.objects.count():09d}",
                                   status=status)
    version = SurveyVersion.objects.create(survey=survey, number=1,
                                           published_at=timezone.now() if status != "draft" else None)
    access = Section.objects.create(version=version, order=1, title="Tiếp cận dịch vụ", element_key="access",
                                    element_bit=0)
    officials = Section.objects.create(version=version, order=2, title="Công chức", element_key="officials",
                                       element_bit=1)
    other = Section.objects.create(version=version, order=3, title="Thông tin khác")
    likert = {"kind": QuestionKind.LIKERT, "aspect": Aspect.SATISFACTION}
    Question.objects.create(section=access, order=1, key="c1-s", text="Hài lòng về nơi chờ?", **likert)
    Question.objects.create(section=access, order=2, key="c1-a", text="Đánh giá nơi chờ?", kind=QuestionKind.LIKERT,
                            aspect=Aspect.ASSESSMENT, required=False)
    Question.objects.create(section=officials, order=1, key="c2-s", text="Hài lòng về công chức?", **likert)
    Question.objects.create(section=other, order=1, key="kenh", text="Biết qua đâu?", kind=QuestionKind.CHOICE,
                            choices=["Loa", "Mạng"], required=False)
    Question.objects.create(section=other, order=2, key="y-kien", text="Ý kiến?", kind=QuestionKind.TEXT,
                            required=False, max_length=50)
    return survey


def answer(survey: Survey, c1: int, c2: int, *, day: dt.date | None = None, unit: Any = None, **extra: Any) -> Response:
    """A response saved the way the index expects it (masks from scoring), dated ``day``."""
    version = survey.versions.get(number=1)
    answers = {"c1-s": c1, "c2-s": c2}
    answered, satisfied = scoring.masks(scoring.plan_for(version), answers)
    at = timezone.now() if day is None else timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    return Response.objects.create(
        survey=survey, version=version, org_unit=unit or survey.org_unit, channel="web", submitted_at=at,
        submitted_on=timezone.localdate(at), answers=answers, element_answered=answered,
        element_satisfied=satisfied, **extra,
    )


@pytest.fixture
def surveys(tree: dict[str, Any]) -> dict[str, Survey]:
    return {"a1": make_survey(tree["A1"], "Khảo sát Bình Lư"), "a2": make_survey(tree["A2"], "Khảo sát Tân Phong"),
            "b1": make_survey(tree["B1"], "Khảo sát Bắc Kạn"),
            "draft": make_survey(tree["A1"], "Bản nháp", status="draft")}


@pytest.fixture
def more(caller: Any, tree: dict[str, Any]) -> dict[str, Any]:
    return {"viewer": caller("xem", (tree["A1"], "viewer")),
            "reception": caller("tiepdan", (tree["A1"], "reception_officer"))}


def _titles(r: Any) -> set[str]:
    return {i["title"] for i in r.json()["items"]}


# =========================================================================== list and detail


def test_list_is_scoped_to_the_callers_units(callers, anon, surveys):
    assert _titles(callers["commune"].api.get("/surveys")) == {"Khảo sát Bình Lư", "Bản nháp"}
    assert _titles(callers["sibling"].api.get("/surveys")) == {"Khảo sát Tân Phong"}
    assert _titles(callers["province"].api.get("/surveys")) == {"Khảo sát Bình Lư", "Khảo sát Tân Phong", "Bản nháp"}
    assert _titles(callers["other"].api.get("/surveys")) == {"Khảo sát Bắc Kạn"}
    assert callers["nobody"].api.get("/surveys").json() == {"items": [], "next_cursor": None}
    assert anon.get("/surveys").status_code == 401
    assert ApiClient("dvk_not-a-token").get("/surveys").status_code == 401


def test_list_filters_pages_and_counts_queries(callers, surveys, tree, django_assert_max_num_queries):
    api = callers["province"].api
    item = next(i for i in api.get("/surveys?status=open").json()["items"] if i["title"] == "Khảo sát Bình Lư")
    assert item["current_version"] == 1 and item["unit"]["id"] == tree["A1"].pk and item["status"] == "open"
    assert _titles(api.get(f"/surveys?unit={tree['A2'].pk}")) == {"Khảo sát Tân Phong"}
    assert _titles(api.get("/surveys?status=draft")) == {"Bản nháp"}
    assert api.get(f"/surveys?unit={tree['B1'].pk}").status_code == 404  # another province's unit
    seen, cursor = [], None
    while True:
        page = api.get("/surveys?limit=2" + (f"&cursor={cursor}" if cursor else "")).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 3
    bad = api.get("/surveys?cursor=bm90LWpzb24")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"
    assert api.get("/surveys?limit=0").status_code == 422
    for i in range(12):
        make_survey(tree["A2"], f"Thêm {i}")
    with django_assert_max_num_queries(6):  # token, its last use, the scope, the page, its versions
        r = api.get("/surveys?limit=50")
    assert len(r.json()["items"]) == 15


def test_detail_has_the_current_versions_questions(callers, surveys):
    s = surveys["a1"]
    r = callers["commune"].api.get(f"/surveys/{s.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["version"]["number"] == 1 and body["public_code"] == s.public_code
    assert [sec["element_key"] for sec in body["version"]["sections"]] == ["access", "officials", ""]
    assert [q["key"] for q in body["version"]["sections"][0]["questions"]] == ["c1-s", "c1-a"]
    assert [c["value"] for c in body["version"]["sections"][2]["questions"][0]["choices"]] == ["Loa", "Mạng"]
    draft = callers["commune"].api.get(f"/surveys/{surveys['draft'].pk}").json()
    assert draft["current_version"] is None and draft["version"]["number"] == 1


@pytest.mark.parametrize("who", ["sibling", "other", "nobody"])
def test_detail_outside_scope_is_404(callers, surveys, who):
    assert callers[who].api.get(f"/surveys/{surveys['a1'].pk}").status_code == 404


def test_detail_of_missing_or_deleted_is_404(callers, surveys):
    api = callers["province"].api
    assert api.get("/surveys/999999").status_code == 404
    assert api.get(f"/surveys/{2**63}").status_code == 404
    Survey.objects.filter(pk=surveys["a1"].pk).update(deleted_at=timezone.now())
    assert api.get(f"/surveys/{surveys['a1'].pk}").status_code == 404
    assert "Khảo sát Bình Lư" not in _titles(api.get("/surveys"))


def test_detail_query_count(callers, surveys, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # + the survey, its version, sections, questions
        assert callers["commune"].api.get(f"/surveys/{surveys['a1'].pk}").status_code == 200


# =========================================================================== create, publish, close


def test_create_from_the_sipas_template_and_publish(callers, tree):
    api = callers["commune"].api
    r = api.post("/surveys", json={"org_unit": tree["A1"].pk, "title": "Đánh giá sự hài lòng 2026",
                                   "template": "sipas", "subject": "service",
                                   "service": Service.objects.values_list("code", flat=True).first()})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "draft" and body["template"] == "sipas" and body["current_version"] is None
    keys = [s["element_key"] for s in body["version"]["sections"] if s["element_key"]]
    assert keys == ["access", "procedure", "officials", "result", "feedback"]
    stale = api.post(f"/surveys/{body['id']}/publish", json={"expected_version": body["lock_version"] + 5})
    assert stale.status_code == 409 and Survey.objects.get(pk=body["id"]).status == "draft"
    pub = api.post(f"/surveys/{body['id']}/publish", json={"expected_version": body["lock_version"]})
    assert pub.status_code == 200 and pub.json()["status"] == "open" and pub.json()["current_version"] == 1
    stale = api.post(f"/surveys/{body['id']}/close", json={"expected_version": body["lock_version"]})
    assert stale.status_code == 409 and Survey.objects.get(pk=body["id"]).status == "open"
    closed = api.post(f"/surveys/{body['id']}/close", json={"expected_version": pub.json()["lock_version"]})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_create_empty_survey(callers, tree):
    r = callers["province"].api.post("/surveys", json={"org_unit": tree["A2"].pk, "title": "Khảo sát trống"})
    assert r.status_code == 201
    assert r.json()["version"]["sections"] == [] and r.json()["unit"]["id"] == tree["A2"].pk


def test_create_refuses_bad_input_and_saves_nothing(callers, tree):
    api = callers["commune"].api
    unit = tree["A1"].pk
    cases = [
        ({"org_unit": unit}, "title"),
        ({"org_unit": unit, "title": "x" * 256}, "title"),
        ({"org_unit": unit, "title": "T", "template": "decidim"}, "template"),
        ({"org_unit": unit, "title": "T", "service": "khong-co"}, "service"),
        ({"org_unit": unit, "title": "T", "opens_on": "2026-05-02", "closes_on": "2026-05-01"}, "closes_on"),
        ({"org_unit": unit, "title": "T", "hacker": 1}, "hacker"),
        ({"org_unit": tree["B1"].pk, "title": "T"}, "org_unit"),
        ({"org_unit": "abc", "title": "T"}, "org_unit"),
    ]
    for body, field in cases:
        r = api.post("/surveys", json=body)
        assert r.status_code == 422, (body, r.json())
        assert field in {e["field"] for e in r.json()["errors"]}, (body, r.json())
    assert not Survey.objects.exists()


def test_create_and_publish_need_a_changing_role(callers, more, surveys, tree):
    r = more["viewer"].api.post("/surveys", json={"org_unit": tree["A1"].pk, "title": "T"})
    assert r.status_code == 403
    r = more["reception"].api.post("/surveys", json={"org_unit": tree["A1"].pk, "title": "T"})
    assert r.status_code == 403
    s = surveys["draft"]
    assert more["viewer"].api.post(f"/surveys/{s.pk}/publish", json={"expected_version": 1}).status_code == 403
    assert callers["sibling"].api.post(f"/surveys/{s.pk}/publish", json={"expected_version": 1}).status_code == 404
    assert Survey.objects.get(pk=s.pk).status == "draft"
    assert callers["commune"].api.post(f"/surveys/{s.pk}/publish", json={}).status_code == 422


# =========================================================================== responses


def test_record_response_and_replay(callers, surveys):
    s = surveys["a1"]
    api = callers["commune"].api
    body = {"answers": {"c1-s": 5, "c2-s": 2, "kenh": "Loa", "y-kien": "<script>alert(1)</script>"}}
    r = api.post(f"/surveys/{s.pk}/responses", json=body, headers={"Idempotency-Key": "may-1"})
    assert r.status_code == 201, r.json()
    first = r.json()
    assert first["channel"] == "api" and first["version"] == 1 and first["answers"]["y-kien"] == "<script>alert(1)</script>"
    saved = Response.objects.get(pk=first["id"])
    assert (saved.element_answered, saved.element_satisfied) == (0b11, 0b01)
    assert saved.recorded_by == callers["commune"].user and saved.idempotency_key == "may-1"
    again = api.post(f"/surveys/{s.pk}/responses", json=body, headers={"Idempotency-Key": "may-1"})
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    same = api.post(f"/surveys/{s.pk}/responses", json={**body, "idempotency_key": "may-1"})
    assert same.status_code == 200 and same.json()["id"] == first["id"]
    assert Response.objects.filter(survey=s).count() == 1
    clash = api.post(f"/surveys/{s.pk}/responses", json={**body, "idempotency_key": "a"}, headers={"Idempotency-Key": "b"})
    assert clash.status_code == 422 and clash.json()["errors"][0]["field"] == "idempotency_key"
    assert "client_hash" not in first and "scan_session" not in first


def test_paper_entry_by_reception_officer_at_a_village(more, surveys, tree):
    s = surveys["a1"]
    desk = Desk.objects.create(org_unit=tree["A1"], code="mot-cua-1", name="Quầy 1")
    r = more["reception"].api.post(f"/surveys/{s.pk}/responses", json={
        "answers": {"c1-s": 4, "c2-s": 4}, "channel": "paper", "desk": desk.pk})
    assert r.status_code == 201, r.json()
    assert r.json()["channel"] == "paper" and r.json()["desk_id"] == desk.pk
    r = more["reception"].api.post(f"/surveys/{s.pk}/responses", json={
        "answers": {"c1-s": 3, "c2-s": 4}, "channel": "paper", "org_unit": tree["A1v"].pk})
    assert r.status_code == 201 and r.json()["unit"]["id"] == tree["A1v"].pk


def test_bad_answers_are_422_per_question_and_nothing_saved(callers, surveys):
    s = surveys["a1"]
    api = callers["commune"].api
    cases = [
        ({"c1-s": 6, "c2-s": 3}, "answers.c1-s"),
        ({"c1-s": 0, "c2-s": 3}, "answers.c1-s"),
        ({"c1-s": "năm", "c2-s": 3}, "answers.c1-s"),
        ({"c1-s": 3}, "answers.c2-s"),
        ({"c1-s": 3, "c2-s": 3, "kenh": "Báo"}, "answers.kenh"),
        ({"c1-s": 3, "c2-s": 3, "y-kien": "x" * 51}, "answers.y-kien"),
    ]
    for answers, field in cases:
        r = api.post(f"/surveys/{s.pk}/responses", json={"answers": answers})
        assert r.status_code == 422, (answers, r.json())
        assert field in {e["field"] for e in r.json()["errors"]}, (answers, r.json())
    assert api.post(f"/surveys/{s.pk}/responses", json={"answers": []}).status_code == 422
    assert api.post(f"/surveys/{s.pk}/responses", json={"answers": {"c1-s": 3, "c2-s": 3},
                                                       "channel": "web"}).status_code == 422
    assert api.post(f"/surveys/{s.pk}/responses", json={"answers": {"c1-s": 3, "c2-s": 3},
                                                       "idempotency_key": "k" * 81}).status_code == 422
    assert not Response.objects.exists()


def test_response_about_units_desks_and_services_of_the_survey_only(callers, surveys, tree):
    s = surveys["a1"]
    api = callers["province"].api
    other_desk = Desk.objects.create(org_unit=tree["A2"], code="q1", name="Quầy Tân Phong")
    ok = {"c1-s": 4, "c2-s": 4}
    for extra, field in [({"org_unit": tree["A2"].pk}, "org_unit"), ({"desk": other_desk.pk}, "desk"),
                         ({"service": "khong-co"}, "service"), ({"officer": 999999}, "officer")]:
        r = api.post(f"/surveys/{s.pk}/responses", json={"answers": ok, **extra})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, (extra, r.json())
    assert not Response.objects.exists()


def test_closed_or_draft_survey_refuses_responses(callers, surveys):
    s = surveys["a1"]
    Survey.objects.filter(pk=s.pk).update(status="closed")
    r = callers["commune"].api.post(f"/surveys/{s.pk}/responses", json={"answers": {"c1-s": 4, "c2-s": 4}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "survey"
    r = callers["commune"].api.post(f"/surveys/{surveys['draft'].pk}/responses",
                                    json={"answers": {"c1-s": 4, "c2-s": 4}})
    assert r.status_code == 422


def test_recording_boundaries(callers, more, anon, surveys):
    s = surveys["a1"]
    body = {"answers": {"c1-s": 4, "c2-s": 4}}
    assert more["viewer"].api.post(f"/surveys/{s.pk}/responses", json=body).status_code == 403
    for who in ("sibling", "other", "nobody"):
        assert callers[who].api.post(f"/surveys/{s.pk}/responses", json=body).status_code == 404
    assert anon.post(f"/surveys/{s.pk}/responses", json=body).status_code == 401
    assert callers["province"].api.post(f"/surveys/{s.pk}/responses", json=body).status_code == 201
    assert Response.objects.count() == 1


def test_list_responses_pages_without_who_answered(callers, more, surveys, django_assert_max_num_queries):
    s = surveys["a1"]
    today = timezone.localdate()
    for i in range(7):
        answer(s, 1 + i % 5, 5, day=today - dt.timedelta(days=i), client_hash="abcdef0123456789")
    voided = answer(s, 5, 5, day=today - dt.timedelta(days=30))
    Response.objects.filter(pk=voided.pk).update(voided_at=timezone.now())
    api = more["viewer"].api
    with django_assert_max_num_queries(6):
        first = api.get(f"/surveys/{s.pk}/responses?limit=3")
    page = first.json()
    assert len(page["items"]) == 3 and page["next_cursor"]
    assert all("client_hash" not in item for item in page["items"])
    ids = [i["id"] for i in page["items"]]
    cursor = page["next_cursor"]
    while cursor:
        page = api.get(f"/surveys/{s.pk}/responses?limit=3&cursor={cursor}").json()
        ids += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert len(ids) == len(set(ids)) == 8
    only_void = api.get(f"/surveys/{s.pk}/responses?voided=true").json()["items"]
    assert [i["id"] for i in only_void] == [voided.pk] and only_void[0]["voided"] is True
    assert len(api.get(f"/surveys/{s.pk}/responses?voided=false").json()["items"]) == 7
    since = (today - dt.timedelta(days=2)).isoformat()
    assert len(api.get(f"/surveys/{s.pk}/responses?from={since}").json()["items"]) == 3
    assert api.get(f"/surveys/{s.pk}/responses?from={today}&to={today - dt.timedelta(days=1)}").status_code == 422
    assert callers["sibling"].api.get(f"/surveys/{s.pk}/responses").status_code == 404
    assert api.get(f"/surveys/{s.pk}/responses?cursor=!!").status_code == 422


# =========================================================================== the index


def test_survey_index_with_breakdowns(callers, more, surveys, tree):
    s = surveys["a1"]
    today = timezone.localdate()
    answer(s, 5, 5, day=today)
    answer(s, 4, 2, day=today)
    answer(s, 2, 1, day=today - dt.timedelta(days=40), unit=tree["A1v"])
    voided = answer(s, 1, 1, day=today)
    Response.objects.filter(pk=voided.pk).update(voided_at=timezone.now())
    r = more["viewer"].api.get(f"/surveys/{s.pk}/index")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["respondents"] == 3 and body["by"] is None and body["groups"] == []
    access = next(e for e in body["elements"] if e["key"] == "access")
    officials = next(e for e in body["elements"] if e["key"] == "officials")
    assert (access["answered"], access["satisfied"], access["share"]) == (3, 2, 66.7)
    assert (officials["satisfied"], officials["share"]) == (1, 33.3)
    assert body["overall"] == 50.0 and body["formula"]
    months = callers["commune"].api.get(f"/surveys/{s.pk}/index?by=month").json()
    assert months["by"] == "month" and sum(g["respondents"] for g in months["groups"]) == 3
    assert all(len(g["key"]) == 7 for g in months["groups"])
    units = callers["commune"].api.get(f"/surveys/{s.pk}/index?by=org_unit").json()
    assert {g["key"] for g in units["groups"]} == {str(tree["A1"].pk), str(tree["A1v"].pk)}
    recent = callers["commune"].api.get(f"/surveys/{s.pk}/index?from={today - dt.timedelta(days=7)}").json()
    assert recent["respondents"] == 2
    assert callers["commune"].api.get(f"/surveys/{s.pk}/index?from={today}&to=2020-01-01").status_code == 422
    assert callers["commune"].api.get(f"/surveys/{s.pk}/index?by=voter").status_code == 422
    assert callers["sibling"].api.get(f"/surveys/{s.pk}/index").status_code == 404


def test_empty_index_is_not_available(callers, surveys):
    body = callers["commune"].api.get(f"/surveys/{surveys['a1'].pk}/index").json()
    assert body["respondents"] == 0 and body["overall"] is None


def test_unit_index_aggregates_the_subtree(callers, surveys, tree, django_assert_max_num_queries):
    answer(surveys["a1"], 5, 5)
    answer(surveys["a2"], 1, 1)
    answer(surveys["b1"], 5, 5)
    api = callers["province"].api
    with django_assert_max_num_queries(6):  # + the unit, the grouped counts, the element sections
        r = api.get(f"/surveys/index?unit={tree['A'].pk}")
    assert r.status_code == 200 and r.json()["respondents"] == 2 and r.json()["overall"] == 50.0
    assert callers["commune"].api.get(f"/surveys/index?unit={tree['A1'].pk}").json()["overall"] == 100.0
    assert callers["commune"].api.get(f"/surveys/index?unit={tree['A'].pk}").status_code == 404
    assert callers["other"].api.get(f"/surveys/index?unit={tree['A1'].pk}").status_code == 404
    assert api.get("/surveys/index").status_code == 422
    old = (timezone.localdate() - dt.timedelta(days=400)).isoformat()
    assert api.get(f"/surveys/index?unit={tree['A'].pk}&to={old}").json()["respondents"] == 0


# =========================================================================== one-time codes


def test_issue_codes_once(more, surveys):
    s = surveys["a1"]
    r = more["reception"].api.post(f"/surveys/{s.pk}/tokens", json={"count": 5, "valid_days": 10})
    assert r.status_code == 201, r.json()
    codes = r.json()["codes"]
    assert len(set(codes)) == 5 and SurveyToken.objects.filter(survey=s).count() == 5
    stored = set(SurveyToken.objects.values_list("code_hash", flat=True))
    assert not any(c in stored for c in codes)  # only hashes kept
    assert r.json()["expires_at"] > timezone.now().isoformat()
    s.access = "token"
    s.save(update_fields=["access"])
    survey_responses.submit_response(survey=s, answers={"c1-s": 5, "c2-s": 5}, token_code=codes[0])


def test_issue_codes_refusals(callers, more, surveys):
    s = surveys["a1"]
    for body in ({"count": 0}, {"count": 201}, {"count": "x"}, {"count": 2, "valid_days": 0}, {}):
        r = callers["commune"].api.post(f"/surveys/{s.pk}/tokens", json=body)
        assert r.status_code == 422, body
    assert more["viewer"].api.post(f"/surveys/{s.pk}/tokens", json={"count": 2}).status_code == 403
    assert callers["sibling"].api.post(f"/surveys/{s.pk}/tokens", json={"count": 2}).status_code == 404
    assert not SurveyToken.objects.exists()
