"""/api/v1/reports: every endpoint's happy path and its scope at every boundary.

Every answer goes through the OpenAPI checker of the API tests (status listed for the operation,
body valid against its schema with no undocumented field). Bad input and conflicts are in
test_api_input.py, pinned query counts in test_api_queries.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from danvan.api.tests.conftest import ApiClient
from danvan.reports.models import (
    DataValue,
    FormStatus,
    Period,
    ReportForm,
    Submission,
    SubmissionStatus,
)

pytestmark = pytest.mark.django_db

GOOD = {
    "sessions": 4, "participants": 120, "own_plan": True, "received": 10, "resolved": 8, "satisfaction": 92.5,
    "budget": 1_500_000,
}
ANSWERS = {"highlights": "Tổ chức 4 buổi tuyên truyền, 2 buổi đối thoại.", "difficulties": "Kinh phí hạn hẹp."}


@dataclass
class Caller:
    user: Any
    api: ApiClient


def make_callers(tree: dict[str, Any], make_user: Callable[..., Any]) -> dict[str, Caller]:
    """One caller per boundary; each with a personal token, as other systems call the API."""
    from danvan.accounts.services import create_api_token

    grants: dict[str, tuple[tuple[Any, str], ...]] = {
        "commune": ((tree["A1"], "officer"),),
        "sibling": ((tree["A2"], "officer"),),
        "province": ((tree["A"], "admin"),),
        "province_officer": ((tree["A"], "officer"),),
        "other": ((tree["B"], "admin"),),
        "viewer": ((tree["A1"], "viewer"),),
        "nobody": (),
    }
    out = {}
    for name, roles in grants.items():
        user = make_user(f"api-{name}", *roles)
        _, secret = create_api_token(user=user, name="test")
        out[name] = Caller(user, ApiClient(secret))
    return out


@pytest.fixture
def callers(tree: dict[str, Any], make_user: Callable[..., Any]) -> dict[str, Caller]:
    return make_callers(tree, make_user)


@pytest.fixture
def anon() -> ApiClient:
    return ApiClient()


def sub(period: Any, unit: Any) -> Submission:
    return Submission.objects.get(period=period, org_unit=unit)


def put_values(api: ApiClient, submission: Any, body: dict[str, Any]) -> Any:
    return api.request("PUT", f"/reports/submissions/{submission.pk}/values", json=body)


def fill(api: ApiClient, submission: Any, values: dict[str, Any] | None = None, answers: dict[str, Any] | None = None) -> Any:
    submission.refresh_from_db()
    body = {"lock_version": submission.lock_version, "values": values or GOOD, "answers": answers or ANSWERS}
    return put_values(api, submission, body)


def step(api: ApiClient, submission: Any, action: str, **body: Any) -> Any:
    submission.refresh_from_db()
    return api.post(f"/reports/submissions/{submission.pk}/{action}", json={"lock_version": submission.lock_version, **body})


def submitted(api: ApiClient, submission: Any, values: dict[str, Any] | None = None) -> Any:
    assert fill(api, submission, values).status_code == 200
    r = step(api, submission, "submit")
    assert r.status_code == 200, r.json()
    return r


def ids(response: Any) -> set[int]:
    return {i["id"] for i in response.json()["items"]}


# --------------------------------------------------------------------------- forms


@pytest.fixture
def owned_forms(tree: dict[str, Any]) -> dict[str, ReportForm]:
    return {
        "A1": ReportForm.objects.create(code="xa-binh-lu", name="Mẫu của xã", owner=tree["A1"]),
        "B1": ReportForm.objects.create(code="phuong-bac-kan", name="Mẫu của phường", owner=tree["B1"]),
        "national_draft": ReportForm.objects.create(code="quoc-gia-du-thao", name="Mẫu quốc gia (dự thảo)"),
        "A_retired": ReportForm.objects.create(
            code="tinh-cu", name="Mẫu cũ của tỉnh", owner=tree["A"], status=FormStatus.RETIRED
        ),
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("commune", {"A1"}),
        ("province", {"A1", "A_retired"}),
        ("other", {"B1"}),
        ("nobody", set()),
    ],
)
def test_forms_are_the_published_ones_and_those_of_the_callers_units(small_form, owned_forms, callers, who, sees):
    r = callers[who].api.get("/reports/forms")
    assert r.status_code == 200
    assert ids(r) == {small_form.pk} | {owned_forms[k].pk for k in sees}


def test_form_detail_has_everything_needed_to_fill_it(small_form, callers):
    r = callers["commune"].api.get(f"/reports/forms/{small_form.pk}")
    assert r.status_code == 200
    body = r.json()
    assert (body["code"], body["version"], body["status"], body["owner_id"]) == ("test-form", 1, "published", None)
    assert [s["number"] for s in body["sections"]] == ["I", "II"]
    assert [i["code"] for i in body["indicators"]] == [
        "sessions", "participants", "own_plan", "received", "resolved", "satisfaction", "budget", "resolved_rate"
    ]
    rate = body["indicators"][-1]
    assert (rate["aggregation"], rate["numerator_code"], rate["denominator_code"]) == ("ratio", "resolved", "received")
    assert body["indicators"][5]["max_value"] == 100
    assert body["rules"] == [{
        "id": small_form.rules.get().pk, "left": ["resolved"], "operator": "lte", "right": ["received"],
        "message": "Số đơn đã giải quyết không được lớn hơn số đơn tiếp nhận",
    }]
    assert [(q["code"], q["required"]) for q in body["questions"]] == [("highlights", True), ("difficulties", False)]


def test_a_form_of_another_province_is_not_found(owned_forms, callers):
    assert callers["commune"].api.get(f"/reports/forms/{owned_forms['B1'].pk}").status_code == 404
    assert callers["other"].api.get(f"/reports/forms/{owned_forms['B1'].pk}").status_code == 200
    assert callers["province"].api.get(f"/reports/forms/{owned_forms['national_draft'].pk}").status_code == 404
    assert callers["province"].api.get("/reports/forms/999999").status_code == 404


def test_forms_page_with_a_cursor(small_form, owned_forms, callers):
    api = callers["province"].api
    seen: list[int] = []
    r = api.get("/reports/forms?limit=1")
    while True:
        body = r.json()
        assert len(body["items"]) == 1
        seen += [i["id"] for i in body["items"]]
        if body["next_cursor"] is None:
            break
        r = api.get(f"/reports/forms?limit=1&cursor={body['next_cursor']}")
    assert seen == [small_form.pk, owned_forms["A_retired"].pk, owned_forms["A1"].pk]  # by code


# --------------------------------------------------------------------------- regimes and periods


@pytest.mark.parametrize(("who", "visible"), [
    ("commune", True), ("sibling", True), ("province", True), ("viewer", True), ("other", False), ("nobody", False),
])
def test_regimes_are_read_inside_their_scope(period, callers, who, visible):
    regime = period.regime
    r = callers[who].api.get("/reports/regimes")
    assert ids(r) == ({regime.pk} if visible else set())
    detail = callers[who].api.get(f"/reports/regimes/{regime.pk}")
    assert detail.status_code == (200 if visible else 404)
    assert callers[who].api.get(f"/reports/periods/{period.pk}").status_code == (200 if visible else 404)
    if visible:
        body = detail.json()
        assert body["reporter_kinds"] == ["commune", "department"]
        assert body["period_kinds"] == ["half_year", "annual"]
        assert [p["id"] for p in body["periods"]] == [period.pk]
        assert body["periods"][0]["due_on"] == "2026-06-05"


def test_period_detail(period, callers):
    body = callers["commune"].api.get(f"/reports/periods/{period.pk}").json()
    assert body["label"] == "6 tháng đầu năm 2026"
    assert (body["starts_on"], body["ends_on"], body["due_on"]) == ("2025-12-15", "2026-05-31", "2026-06-05")
    assert (body["owner_id"], body["scope_root_id"], body["form_id"]) == (
        period.regime.owner_id, period.regime.scope_root_id, period.regime.form_id
    )


def test_a_deleted_regime_is_not_found(period, callers):
    period.regime.deleted_at = timezone.now()
    period.regime.save(update_fields=["deleted_at"])
    api = callers["province"].api
    assert api.get(f"/reports/regimes/{period.regime_id}").status_code == 404
    assert api.get(f"/reports/periods/{period.pk}").status_code == 404
    assert ids(api.get("/reports/regimes")) == set()


def regime_body(tree: dict[str, Any], form: Any, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Báo cáo công tác dân vận năm 2027", "owner_id": tree["A"].pk, "form_id": form.pk,
        "reporter_kinds": ["commune"], "period_kinds": ["half_year", "annual"], **extra,
    }


def test_create_regime_and_open_a_period(tree, small_form, callers):
    api = callers["province"].api
    r = api.post("/reports/regimes", json=regime_body(
        tree, small_form, deadlines={"half_year": "06-20", "annual": "11-15"},
        cutoffs={"annual": {"start": "12-15", "end": "12-14"}},
    ))
    assert r.status_code == 201, r.json()
    regime = r.json()
    assert (regime["owner_id"], regime["scope_root_id"], regime["form_id"]) == (tree["A"].pk, tree["A"].pk, small_form.pk)
    assert regime["reporter_kinds"] == ["commune"] and regime["periods"] == []
    assert regime["deadlines"] == {"half_year": "06-20", "annual": "11-15"}

    r = api.post(f"/reports/regimes/{regime['id']}/periods", json={"kind": "half_year", "year": 2027})
    assert r.status_code == 201, r.json()
    body = r.json()
    # Decree 09/2019: a 6-month period's data runs from 15/12 of the year before to 14/6.
    assert (body["starts_on"], body["ends_on"], body["due_on"]) == ("2026-12-15", "2027-06-14", "2027-06-20")
    assert body["status"] == "open" and body["label"]
    units = set(Submission.objects.filter(period_id=body["id"]).values_list("org_unit_id", flat=True))
    assert units == {tree["A1"].pk, tree["A2"].pk}
    assert [p["id"] for p in api.get(f"/reports/regimes/{regime['id']}").json()["periods"]] == [body["id"]]


def test_open_a_period_with_its_own_dates(period, callers):
    api = callers["province"].api
    r = api.post(f"/reports/regimes/{period.regime_id}/periods", json={
        "kind": "annual", "year": 2026, "starts_on": "2025-12-15", "ends_on": "2026-12-14", "due_on": "2026-12-20",
        "label": "Năm 2026",
    })
    assert r.status_code == 201, r.json()
    assert (r.json()["label"], r.json()["due_on"]) == ("Năm 2026", "2026-12-20")


def test_who_may_create_a_regime(tree, small_form, callers):
    # A unit outside the caller's part of the tree does not exist for them.
    r = callers["commune"].api.post("/reports/regimes", json=regime_body(tree, small_form))
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["owner_id"]
    r = callers["other"].api.post("/reports/regimes", json=regime_body(tree, small_form))
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["owner_id"]
    # Seeing the unit is not enough: an editing role is needed.
    r = callers["viewer"].api.post("/reports/regimes", json=regime_body(tree, small_form, owner_id=tree["A1"].pk))
    assert r.status_code == 403
    assert callers["nobody"].api.post("/reports/regimes", json=regime_body(tree, small_form)).status_code == 422


def test_who_may_open_a_period(period, callers, anon):
    body = {"kind": "annual", "year": 2026}
    path = f"/reports/regimes/{period.regime_id}/periods"
    assert callers["commune"].api.post(path, json=body).status_code == 403  # reads the regime, does not manage it
    assert callers["viewer"].api.post(path, json=body).status_code == 403
    assert callers["other"].api.post(path, json=body).status_code == 404
    assert callers["nobody"].api.post(path, json=body).status_code == 404
    assert anon.post(path, json=body).status_code == 401
    assert Period.objects.filter(regime=period.regime).count() == 1


# --------------------------------------------------------------------------- submissions: reading


@pytest.mark.parametrize(("who", "units"), [
    ("commune", {"A1"}), ("sibling", {"A2"}), ("province", {"A1", "A2", "Adep"}), ("viewer", {"A1"}),
    ("other", set()), ("nobody", set()),
])
def test_submissions_are_scoped(period, tree, callers, who, units):
    r = callers[who].api.get("/reports/submissions")
    assert r.status_code == 200
    assert ids(r) == {sub(period, tree[u]).pk for u in units}
    for key in ("A1", "A2", "Adep"):
        expected = 200 if key in units else 404
        assert callers[who].api.get(f"/reports/submissions/{sub(period, tree[key]).pk}").status_code == expected


def test_submission_filters_and_cursor(period, tree, callers):
    api = callers["province"].api
    submitted(callers["commune"].api, sub(period, tree["A1"]))
    assert ids(api.get(f"/reports/submissions?period={period.pk}&status=submitted")) == {sub(period, tree["A1"]).pk}
    assert ids(api.get("/reports/submissions?status=not_started")) == {
        sub(period, tree["A2"]).pk, sub(period, tree["Adep"]).pk
    }
    assert ids(api.get(f"/reports/submissions?unit={tree['A2'].pk}")) == {sub(period, tree["A2"]).pk}
    assert ids(api.get(f"/reports/submissions?unit={tree['A'].pk}&period={period.pk + 1000}")) == set()
    # A unit outside the caller's part of the tree is not found; one above it is allowed (narrowed by scope).
    assert api.get(f"/reports/submissions?unit={tree['B1'].pk}").status_code == 404
    assert ids(callers["commune"].api.get(f"/reports/submissions?unit={tree['A'].pk}")) == {sub(period, tree["A1"]).pk}
    seen = []
    r = api.get("/reports/submissions?limit=2")
    while True:
        seen += [i["org_unit_id"] for i in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
        r = api.get(f"/reports/submissions?limit=2&cursor={cursor}")
    assert seen == [u.pk for u in sorted((tree["A1"], tree["A2"], tree["Adep"]), key=lambda u: u.path)]


def test_submission_detail(period, tree, callers):
    s = sub(period, tree["A1"])
    r = callers["commune"].api.get(f"/reports/submissions/{s.pk}")
    body = r.json()
    assert (body["status"], body["org_unit_id"], body["anchor_id"], body["expected"]) == (
        "not_started", tree["A1"].pk, tree["A1"].pk, True
    )
    assert body["values"] == {} and body["revisions"] == [] and body["lock_version"] == s.lock_version
    assert body["period"]["id"] == period.pk and body["form_id"] == period.regime.form_id
    assert body["permissions"] == {"fill": True, "review": False, "reopen": False}
    assert callers["province"].api.get(f"/reports/submissions/{s.pk}").json()["permissions"] == {
        "fill": True, "review": False, "reopen": False,
    }
    assert callers["viewer"].api.get(f"/reports/submissions/{s.pk}").json()["permissions"] == {
        "fill": False, "review": False, "reopen": False,
    }


def test_anonymous_is_refused_everywhere(period, tree, anon):
    s = sub(period, tree["A1"])
    for path in (
        "/reports/forms", f"/reports/forms/{period.regime.form_id}", "/reports/regimes",
        f"/reports/regimes/{period.regime_id}", f"/reports/periods/{period.pk}", "/reports/submissions",
        f"/reports/submissions/{s.pk}", f"/reports/periods/{period.pk}/aggregates",
        f"/reports/periods/{period.pk}/completeness",
    ):
        assert anon.get(path).status_code == 401, path
    r = put_values(anon, s, {"lock_version": 1, "values": GOOD})
    assert r.status_code == 401
    for action in ("submit", "accept", "return", "reopen"):
        assert anon.post(f"/reports/submissions/{s.pk}/{action}", json={"lock_version": 1}).status_code == 401


def test_a_revoked_token_is_refused(period, callers):
    from danvan.accounts.models import ApiToken

    ApiToken.objects.filter(user=callers["commune"].user).update(revoked_at=timezone.now())
    assert callers["commune"].api.get("/reports/submissions").status_code == 401


# --------------------------------------------------------------------------- submissions: the workflow


def test_fill_submit_accept_reopen(period, tree, callers):
    s = sub(period, tree["A1"])
    r = fill(callers["commune"].api, s)
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["status"] == "draft" and body["lock_version"] > s.lock_version
    assert body["values"] == GOOD and body["answers"] == ANSWERS
    assert isinstance(body["values"]["sessions"], int) and body["values"]["own_plan"] is True
    assert [rev["action"] for rev in body["revisions"]] == ["saved"]
    assert not DataValue.objects.filter(submission=s).exists()

    r = step(callers["commune"].api, s, "submit")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["status"] == "submitted" and body["submitted_at"] and body["first_submitted_at"]
    assert body["is_late"] is True  # due 05/06/2026, submitted afterwards
    assert body["permissions"]["fill"] is False
    assert DataValue.objects.filter(submission=s).count() == len(GOOD)  # one per figure entered

    assert callers["province"].api.get(f"/reports/submissions/{s.pk}").json()["permissions"]["review"] is True
    r = step(callers["province_officer"].api, s, "accept")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "accepted" and r.json()["reviewed_at"]

    # An officer of the level above accepts but may not reopen: the head or the admin does.
    assert step(callers["province_officer"].api, s, "reopen", reason="Sai số liệu").status_code == 403
    r = step(callers["province"].api, s, "reopen", reason="Số liệu đơn thư cần đối chiếu lại")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["status"] == "returned" and body["review_comment"] == "Số liệu đơn thư cần đối chiếu lại"
    assert [rev["action"] for rev in body["revisions"]] == ["saved", "submitted", "accepted", "reopened"]
    assert body["revisions"][-1]["comment"] == "Số liệu đơn thư cần đối chiếu lại"
    assert not DataValue.objects.filter(submission=s).exists()
    assert callers["commune"].api.get(f"/reports/submissions/{s.pk}").json()["permissions"]["fill"] is True


def test_return_with_comment(period, tree, callers):
    s = sub(period, tree["A2"])
    submitted(callers["sibling"].api, s)
    r = step(callers["province"].api, s, "return", comment="Bổ sung số liệu đối thoại")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["status"] == "returned" and body["review_comment"] == "Bổ sung số liệu đối thoại"
    assert body["reviewed_by_name"]
    assert not DataValue.objects.filter(submission=s).exists()
    # The unit corrects it and submits again.
    submitted(callers["sibling"].api, s, {**GOOD, "sessions": 5})
    assert Submission.objects.get(pk=s.pk).values["sessions"] == 5


def test_a_department_report_is_reviewed_by_its_province(period, tree, callers, make_user):
    from danvan.accounts.services import create_api_token

    user = make_user("api-dept", (tree["Adep"], "officer"))
    _, secret = create_api_token(user=user, name="test")
    dept = ApiClient(secret)
    s = sub(period, tree["Adep"])
    submitted(dept, s)
    assert step(dept, s, "accept").status_code == 403
    assert step(callers["commune"].api, s, "accept").status_code == 404
    assert step(callers["province"].api, s, "accept").status_code == 200


@pytest.mark.parametrize(("who", "status"), [
    ("sibling", 404), ("other", 404), ("nobody", 404), ("viewer", 403),
])
def test_who_may_not_fill_a_commune_report(period, tree, callers, who, status):
    s = sub(period, tree["A1"])
    assert fill(callers[who].api, s).status_code == status
    assert step(callers[who].api, s, "submit").status_code == status
    s.refresh_from_db()
    assert s.status == SubmissionStatus.NOT_STARTED and s.values == {}


def test_the_province_may_fill_a_commune_report(period, tree, callers):
    # A role on a unit holds on its whole subtree: the province's officer may fill in for a commune.
    assert fill(callers["province_officer"].api, sub(period, tree["A1"])).status_code == 200


@pytest.mark.parametrize(("who", "status"), [
    ("commune", 403), ("sibling", 404), ("viewer", 403), ("other", 404), ("nobody", 404),
])
def test_who_may_not_review_a_commune_report(period, tree, callers, who, status):
    s = sub(period, tree["A1"])
    submitted(callers["commune"].api, s)
    assert step(callers[who].api, s, "accept").status_code == status
    assert step(callers[who].api, s, "return", comment="Không đạt").status_code == status
    assert Submission.objects.get(pk=s.pk).status == SubmissionStatus.SUBMITTED


def test_a_commune_officer_cannot_reopen(period, tree, callers):
    s = sub(period, tree["A1"])
    submitted(callers["commune"].api, s)
    assert step(callers["province"].api, s, "accept").status_code == 200
    assert step(callers["commune"].api, s, "reopen", reason="Xin sửa").status_code == 403
    assert step(callers["sibling"].api, s, "reopen", reason="Xin sửa").status_code == 404
    assert Submission.objects.get(pk=s.pk).status == SubmissionStatus.ACCEPTED


# --------------------------------------------------------------------------- aggregates and completeness


@pytest.fixture
def reported(period, tree, callers):
    """A1 submitted and accepted, A2 submitted, Adep (anchored at the province) submitted; all late."""
    submitted(callers["commune"].api, sub(period, tree["A1"]), {**GOOD, "satisfaction": 90})
    step(callers["province"].api, sub(period, tree["A1"]), "accept")
    submitted(callers["sibling"].api, sub(period, tree["A2"]), {
        "sessions": 6, "participants": 80, "own_plan": False, "received": 30, "resolved": 12, "satisfaction": 70,
        "budget": 2_000_000,
    })
    return period


def cells(node: dict[str, Any], field: str = "value") -> dict[str, Any]:
    return {code: cell[field] for code, cell in node["values"].items()}


def test_aggregates_for_the_province(reported, tree, callers):
    r = callers["province"].api.get(f"/reports/periods/{reported.pk}/aggregates")
    assert r.status_code == 200
    body = r.json()
    assert body["unit"]["unit_id"] == tree["A"].pk and body["data_version"] >= 1
    top = body["unit"]["values"]
    assert set(top) == {"sessions", "participants", "own_plan", "received", "resolved", "satisfaction", "budget",
                        "resolved_rate"}
    assert top["sessions"] == {"value": 10.0, "sum": 10.0, "count": 2}
    assert top["received"]["value"] == 40 and top["resolved"]["value"] == 20
    assert top["satisfaction"]["value"] == pytest.approx(80.0)  # average
    assert top["budget"]["value"] == 2_000_000  # max
    assert top["own_plan"]["value"] == pytest.approx(50.0)  # share answering yes
    assert top["resolved_rate"]["value"] == pytest.approx(50.0)  # 20 / 40
    assert [c["unit_id"] for c in body["children"]] == [tree["A1"].pk, tree["A2"].pk]
    a1, a2 = body["children"]
    assert cells(a1)["sessions"] == 4 and cells(a2)["sessions"] == 6
    assert a1["values"]["resolved_rate"]["value"] == pytest.approx(80.0)
    assert a1["parent_id"] == tree["A"].pk and a1["depth"] == 1


def test_aggregates_of_a_commune_are_its_own(reported, tree, callers):
    body = callers["commune"].api.get(f"/reports/periods/{reported.pk}/aggregates").json()
    assert body["unit"]["unit_id"] == tree["A1"].pk and body["children"] == []
    assert cells(body["unit"])["sessions"] == 4
    same = callers["province"].api.get(f"/reports/periods/{reported.pk}/aggregates?unit={tree['A1'].pk}").json()
    assert same["unit"] == body["unit"]


@pytest.mark.parametrize(("who", "unit", "status"), [
    ("commune", "A", 404), ("commune", "A2", 404), ("sibling", "A1", 404), ("province", "B1", 404),
    ("other", None, 404), ("other", "B1", 404), ("nobody", None, 404), ("viewer", "A1", 200),
])
def test_aggregates_and_completeness_scope(reported, tree, callers, who, unit, status):
    query = f"?unit={tree[unit].pk}" if unit else ""
    for what in ("aggregates", "completeness"):
        r = callers[who].api.get(f"/reports/periods/{reported.pk}/{what}{query}")
        assert r.status_code == status, (what, r.json())


def test_completeness(reported, tree, callers):
    r = callers["province"].api.get(f"/reports/periods/{reported.pk}/completeness")
    assert r.status_code == 200
    body = r.json()
    assert body["due_on"] == "2026-06-05"
    top = body["unit"]
    assert (top["expected"], top["received"], top["on_time"], top["late"], top["missing"], top["extra"]) == (
        3, 2, 0, 2, 1, 0
    )
    assert top["rate"] == pytest.approx(2 / 3) and top["timeliness"] == 0
    by_unit = {c["unit_id"]: c for c in body["children"]}
    assert (by_unit[tree["A1"].pk]["received"], by_unit[tree["A1"].pk]["rate"]) == (1, 1.0)
    assert by_unit[tree["A2"].pk]["received"] == 1


def test_completeness_counts_on_time_reports_and_a_closed_unit_as_extra(period, tree, callers):
    today = timezone.localdate()
    Period.objects.filter(pk=period.pk).update(
        starts_on=today - dt.timedelta(days=180), ends_on=today - dt.timedelta(days=1), due_on=today + dt.timedelta(days=5)
    )
    submitted(callers["commune"].api, sub(period, tree["A1"]))
    submitted(callers["sibling"].api, sub(period, tree["A2"]))
    Submission.objects.filter(period=period, org_unit=tree["A2"]).update(expected=False)
    body = callers["province"].api.get(f"/reports/periods/{period.pk}/completeness").json()
    top = body["unit"]
    assert (top["expected"], top["received"], top["on_time"], top["late"], top["extra"]) == (2, 1, 1, 0, 1)
    assert top["rate"] == 0.5 and top["timeliness"] == 0.5


def test_schema_names_are_unique_across_the_api():
    """ninja names OpenAPI components by class name: a second ``LockIn`` elsewhere would silently replace one."""
    import re
    from pathlib import Path

    import danvan

    root = Path(danvan.__file__).parent
    ours = set(re.findall(r"^class (\w+)\(", (root / "reports" / "api_schemas.py").read_text(), re.M))
    ours -= {"PageParams", "_Input"}  # query parameters are not components; the base has no schema of its own
    for path in root.glob("*/api*.py"):
        if path.parent.name == "reports":
            continue
        theirs = set(re.findall(r"^class (\w+)\(", path.read_text(), re.M))
        assert not ours & theirs, f"{path} defines {sorted(ours & theirs)} too"
