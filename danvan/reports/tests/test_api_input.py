"""/api/v1/reports: bad input answers 422 naming the field (the indicator's code for a figure), a stale
``lock_version`` or a step the report's state forbids answers 409, and nothing saved is ever lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from danvan.reports.models import Period, Submission, SubmissionStatus

from .test_api import ANSWERS, GOOD, Caller, fill, make_callers, put_values, regime_body, step, sub, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def callers(tree: dict[str, Any], make_user: Callable[..., Any]) -> dict[str, Caller]:
    return make_callers(tree, make_user)


@pytest.fixture
def draft(period: Any, tree: dict[str, Any], callers: dict[str, Caller]) -> Submission:
    """A1's report saved once with good figures."""
    s = sub(period, tree["A1"])
    assert fill(callers["commune"].api, s).status_code == 200
    s.refresh_from_db()
    return s


def errors(response: Any) -> dict[str | None, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def unchanged(s: Submission) -> None:
    """Nothing of the saved report changed."""
    fresh = Submission.objects.get(pk=s.pk)
    assert (fresh.values, fresh.answers, fresh.lock_version, fresh.status) == (s.values, s.answers, s.lock_version, s.status)


@pytest.mark.parametrize(("code", "raw"), [
    ("sessions", "mười"),  # text in a number field
    ("participants", -5),  # a negative count
    ("satisfaction", 100.5),  # a percentage over 100
    ("sessions", [1, 2]),  # a list for a figure
    ("sessions", {"value": 1}),  # an object for a figure
    ("sessions", 2.5),  # a count must be whole
    ("received", True),  # yes/no in a number field
    ("resolved_rate", 50),  # computed from other figures, never entered
])
def test_a_wrong_figure_is_refused_on_its_code(draft, callers, code, raw):
    r = put_values(callers["commune"].api, draft, {
        "lock_version": draft.lock_version, "values": {**GOOD, code: raw}, "answers": ANSWERS,
    })
    assert r.status_code == 422, r.json()
    assert list(errors(r)) == [code]
    assert errors(r)[code]
    unchanged(draft)


def test_every_wrong_figure_is_reported_at_once(draft, callers):
    r = put_values(callers["commune"].api, draft, {
        "lock_version": draft.lock_version, "values": {**GOOD, "sessions": "abc", "satisfaction": 120, "budget": -1},
    })
    assert r.status_code == 422
    assert set(errors(r)) == {"sessions", "satisfaction", "budget"}
    unchanged(draft)


def test_an_unknown_indicator_code_is_refused(draft, callers):
    r = put_values(callers["commune"].api, draft, {"lock_version": draft.lock_version, "values": {**GOOD, "khong_co": 1}})
    assert r.status_code == 422
    assert "khong_co" in " ".join(errors(r).values())
    unchanged(draft)


def test_too_long_answers_are_refused(draft, callers, small_form):
    from danvan.reports.validation import clear_cache

    small_form.questions.filter(code="difficulties").update(max_length=50)
    clear_cache()  # a published form never changes, so its rules are cached
    r = put_values(callers["commune"].api, draft, {
        "lock_version": draft.lock_version, "values": GOOD, "answers": {**ANSWERS, "difficulties": "x" * 51},
    })
    assert r.status_code == 422 and list(errors(r)) == ["difficulties"]
    r = put_values(callers["commune"].api, draft, {
        "lock_version": draft.lock_version, "values": GOOD, "answers": {"highlights": "x" * 100_001},
    })
    assert r.status_code == 422 and list(errors(r)) == ["answers.highlights"]
    r = put_values(callers["commune"].api, draft, {
        "lock_version": draft.lock_version, "values": GOOD, "answers": {"highlights": 5},
    })
    assert r.status_code == 422 and list(errors(r)) == ["answers.highlights"]
    unchanged(draft)


@pytest.mark.parametrize("body", [
    {"values": GOOD},  # lock_version missing
    {"lock_version": "one", "values": GOOD},
    {"lock_version": 0, "values": GOOD},
    {"lock_version": 1, "values": [1, 2]},
    {"lock_version": 1, "values": GOOD, "extra": True},
    {"lock_version": 1, "values": {"": 1}},
    {"lock_version": 1, "values": {"x" * 51: 1}},
])
def test_a_malformed_body_is_refused(draft, callers, body):
    r = put_values(callers["commune"].api, draft, body)
    assert r.status_code == 422, r.json()
    assert r.json()["errors"]
    unchanged(draft)


def test_a_body_that_is_not_json_is_refused(draft, callers):
    r = callers["commune"].api.request(
        "PUT", f"/reports/submissions/{draft.pk}/values", data="{not json", content_type="application/json"
    )
    assert r.status_code in {400, 422}
    unchanged(draft)


def test_submission_checks_required_figures_and_cross_rules(period, tree, callers):
    s = sub(period, tree["A1"])
    api = callers["commune"].api
    assert fill(api, s, {**GOOD, "resolved": 12, "received": 10}).status_code == 200  # a draft may break rules
    s.refresh_from_db()
    r = step(api, s, "submit")
    assert r.status_code == 422
    assert "Số đơn đã giải quyết không được lớn hơn số đơn tiếp nhận" in " ".join(errors(r).values())
    unchanged(s)

    # null and empty text clear what was saved
    assert fill(api, s, {**GOOD, "sessions": None}, {"highlights": "", "difficulties": "Không"}).status_code == 200
    s.refresh_from_db()
    r = step(api, s, "submit")
    assert r.status_code == 422
    assert {"sessions", "highlights"} <= set(errors(r))
    assert Submission.objects.get(pk=s.pk).status == SubmissionStatus.DRAFT


def test_after_acceptance_the_report_is_locked(period, tree, callers):
    s = sub(period, tree["A1"])
    submitted(callers["commune"].api, s)
    assert step(callers["province"].api, s, "accept").status_code == 200
    s.refresh_from_db()
    r = fill(callers["commune"].api, s, {**GOOD, "sessions": 99})
    assert r.status_code == 409 and r.json()["detail"]
    assert step(callers["commune"].api, s, "submit").status_code == 409
    assert step(callers["province"].api, s, "accept").status_code == 409
    assert step(callers["province"].api, s, "return", comment="Sai").status_code == 409
    unchanged(s)
    # Those who could never fill or review it still get 403 (or 404 outside their units).
    assert fill(callers["viewer"].api, s).status_code == 403
    assert fill(callers["sibling"].api, s).status_code == 404


def test_steps_the_state_does_not_allow(period, tree, callers):
    s = sub(period, tree["A1"])
    assert step(callers["province"].api, s, "accept").status_code == 409  # not submitted yet
    assert step(callers["province"].api, s, "reopen", reason="x").status_code == 409  # not accepted
    submitted(callers["commune"].api, s)
    s.refresh_from_db()
    assert step(callers["commune"].api, s, "submit").status_code == 409  # already submitted
    unchanged(s)


def test_a_closed_period_refuses_changes(period, tree, callers):
    s = sub(period, tree["A1"])
    Period.objects.filter(pk=period.pk).update(status="closed")
    r = fill(callers["commune"].api, s)
    assert r.status_code == 409
    assert Submission.objects.get(pk=s.pk).values == {}


def test_return_and_reopen_need_a_reason(period, tree, callers):
    s = sub(period, tree["A1"])
    submitted(callers["commune"].api, s)
    r = step(callers["province"].api, s, "return", comment="")
    assert r.status_code == 422 and "comment" in errors(r)
    r = step(callers["province"].api, s, "return")
    assert r.status_code == 422 and "comment" in errors(r)
    assert step(callers["province"].api, s, "accept").status_code == 200
    r = step(callers["province"].api, s, "reopen", reason="   ")
    assert r.status_code == 422 and "reason" in errors(r)
    assert Submission.objects.get(pk=s.pk).status == SubmissionStatus.ACCEPTED


# --------------------------------------------------------------------------- concurrency


def test_two_saves_from_the_same_version_the_second_conflicts_and_the_first_is_kept(draft, callers):
    first = {"lock_version": draft.lock_version, "values": {**GOOD, "sessions": 7}, "answers": ANSWERS}
    second = {"lock_version": draft.lock_version, "values": {**GOOD, "sessions": 9}, "answers": ANSWERS}
    r1 = put_values(callers["commune"].api, draft, first)
    assert r1.status_code == 200
    r2 = put_values(callers["province_officer"].api, draft, second)
    assert r2.status_code == 409
    assert r2.json()["detail"]
    saved = Submission.objects.get(pk=draft.pk)
    assert saved.values["sessions"] == 7 and saved.lock_version == r1.json()["lock_version"]
    # Read again, redo: it goes through.
    r3 = put_values(callers["province_officer"].api, draft, {**second, "lock_version": saved.lock_version})
    assert r3.status_code == 200 and r3.json()["values"]["sessions"] == 9


def test_a_stale_version_on_each_step_conflicts(period, tree, callers):
    s = sub(period, tree["A1"])
    stale = s.lock_version
    assert fill(callers["commune"].api, s).status_code == 200
    r = callers["commune"].api.post(f"/reports/submissions/{s.pk}/submit", json={"lock_version": stale})
    assert r.status_code == 409
    assert Submission.objects.get(pk=s.pk).status == SubmissionStatus.DRAFT
    submitted(callers["commune"].api, s)
    r = callers["province"].api.post(f"/reports/submissions/{s.pk}/accept", json={"lock_version": stale})
    assert r.status_code == 409
    assert Submission.objects.get(pk=s.pk).status == SubmissionStatus.SUBMITTED


# --------------------------------------------------------------------------- regimes and periods


def test_a_deadline_before_the_cut_off_is_refused(period, callers):
    r = callers["province"].api.post(f"/reports/regimes/{period.regime_id}/periods", json={
        "kind": "annual", "year": 2026, "starts_on": "2025-12-15", "ends_on": "2026-12-14", "due_on": "2026-12-01",
    })
    assert r.status_code == 422, r.json()
    assert "due_on" in errors(r)
    assert Period.objects.filter(regime=period.regime).count() == 1


def test_a_period_ending_before_it_starts_is_refused(period, callers):
    r = callers["province"].api.post(f"/reports/regimes/{period.regime_id}/periods", json={
        "kind": "annual", "year": 2026, "starts_on": "2026-12-15", "ends_on": "2026-01-14", "due_on": "2026-12-20",
    })
    assert r.status_code == 422, r.json()
    assert {"ends_on", "starts_on"} & set(errors(r))


def test_the_same_period_twice_is_refused(period, callers):
    r = callers["province"].api.post(f"/reports/regimes/{period.regime_id}/periods", json={
        "kind": "half_year", "year": 2026,
    })
    assert r.status_code == 422, r.json()
    assert Period.objects.filter(regime=period.regime).count() == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "weekly", "year": 2026}, "kind"),
    ({"kind": "annual", "year": 1999}, "year"),
    ({"kind": "annual", "year": 2026, "due_on": "05/06/2026"}, "due_on"),
    ({"kind": "annual", "year": 2026, "label": "x" * 151}, "label"),
    ({"year": 2026}, "kind"),
])
def test_bad_period_input(period, callers, body, field):
    r = callers["province"].api.post(f"/reports/regimes/{period.regime_id}/periods", json=body)
    assert r.status_code == 422
    assert field in errors(r)


@pytest.mark.parametrize(("extra", "field"), [
    ({"reporter_kinds": ["khong-co"]}, "reporter_kinds"),
    ({"reporter_kinds": []}, "reporter_kinds"),
    ({"period_kinds": ["weekly"]}, "period_kinds.0"),
    ({"name": ""}, "name"),
    ({"name": "x" * 256}, "name"),
    ({"deadlines": {"annual": "15/11"}}, "deadlines.annual"),
    ({"plan_id": 987654}, "plan_id"),
    ({"scope_root_id": 987654}, "scope_root_id"),
])
def test_bad_regime_input(tree, small_form, callers, extra, field):
    r = callers["province"].api.post("/reports/regimes", json=regime_body(tree, small_form, **extra))
    assert r.status_code == 422, r.json()
    assert field in errors(r)


def test_a_form_the_caller_cannot_see_is_refused(tree, callers):
    from danvan.reports.models import ReportForm

    hidden = ReportForm.objects.create(code="phuong-bac-kan", name="Mẫu của phường", owner=tree["B1"])
    r = callers["province"].api.post("/reports/regimes", json=regime_body(tree, hidden))
    assert r.status_code == 422 and list(errors(r)) == ["form_id"]


@pytest.mark.parametrize("query", [
    "limit=0", "limit=201", "cursor=%%%", "cursor=WzFd", "status=done", "period=0", "unit=abc",
    "period=99999999999999999999",
])
def test_bad_list_parameters(period, callers, query):
    r = callers["province"].api.get(f"/reports/submissions?{query}")
    assert r.status_code == 422, (query, r.json())


@pytest.mark.parametrize("path", [
    "/reports/submissions/0", "/reports/submissions/99999999999999999999", "/reports/periods/0",
    "/reports/regimes/9223372036854775808", "/reports/forms/0",
])
def test_ids_out_of_range_are_not_found(callers, path):
    assert callers["province"].api.get(path).status_code == 404


def test_changing_a_prefilled_figure_needs_a_reason(period, tree, callers):
    s = sub(period, tree["A1"])
    Submission.objects.filter(pk=s.pk).update(prefilled={"own_plan": True}, values={"own_plan": True})
    s.refresh_from_db()
    api = callers["commune"].api
    r = put_values(api, s, {"lock_version": s.lock_version, "values": {"own_plan": False}})
    assert r.status_code == 422 and list(errors(r)) == ["own_plan"]
    unchanged(s)
    r = put_values(api, s, {
        "lock_version": s.lock_version, "values": {"own_plan": False},
        "reasons": {"own_plan": "Kế hoạch ban hành sau ngày chốt số liệu"},
    })
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["values"]["own_plan"] is False and body["prefilled"] == {"own_plan": True}
    assert body["corrections"] == {"own_plan": "Kế hoạch ban hành sau ngày chốt số liệu"}
