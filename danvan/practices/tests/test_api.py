"""/api/v1/practices: the registry, updates, evaluations, replications, commendations, criteria sets and
thematic programmes.

Every answer goes through the API conftest's OpenAPI checker (status listed, body valid, no
undocumented field).
"""
# ruff: noqa: F811 - pytest fixtures imported from the API conftest are redefined as arguments

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from danvan.api.tests.conftest import ApiClient, anon, caller, callers  # noqa: F401
from danvan.practices import commendations, evaluation, programmes, services
from danvan.practices.models import CriteriaSet, Evaluation, Practice, PracticeField, Programme, Replication

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
DAY = dt.timedelta(days=1)


def _ago(days: int) -> dt.date:
    return TODAY - days * DAY


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _ids(r: Any) -> list[int]:
    return [i["id"] for i in r.json()["items"]]


def _fields(r: Any) -> set[str | None]:
    return {e["field"] for e in r.json()["errors"]}


def patch(api: ApiClient, path: str, body: dict[str, Any]) -> Any:
    return api.request("PATCH", path, json=body)


def practice(unit: Any, name: str, *, year: int = YEAR, field: str = "economy", **extra: Any) -> Practice:
    return services.register_practice(
        actor=None, org_unit=unit, year=year, name=name, field=PracticeField.objects.get(code=field),
        goals="Nâng cao đời sống Nhân dân", starts_on=extra.pop("starts_on", _ago(100)),
        responsible_person="Lò Văn Hải", **extra)


def default_set() -> CriteriaSet:
    return CriteriaSet.objects.get(owner__isnull=True)


def full_scores(cs: CriteriaSet, ratio: Decimal = Decimal(1)) -> list[dict[str, Any]]:
    return [{"criterion": c.pk, "score": str(c.max_score * ratio)} for c in cs.criteria.order_by("order")]


@pytest.fixture
def more(caller: Any, tree: dict[str, Any]) -> dict[str, Any]:
    return {"viewer": caller("xem", (tree["A1"], "viewer")),
            "head": caller("chutich", (tree["A1"], "head")),
            "sibling_head": caller("chutich2", (tree["A2"], "head")),
            "province_head": caller("tinh", (tree["A"], "head"))}


@pytest.fixture
def world(tree: dict[str, Any]) -> dict[str, Any]:
    a1 = practice(tree["A1"], "Dân vận khéo trong xây dựng nông thôn mới", ethnic_remote=True)
    a1_old = practice(tree["A1"], "Mô hình nuôi cá lồng", year=YEAR - 1, field="culture_society")
    a2 = practice(tree["A2"], "Phường văn minh, thân thiện", field="culture_society")
    b1 = practice(tree["B1"], "Tổ tự quản an ninh", field="defence_security")
    return {"a1": a1, "a1_old": a1_old, "a2": a2, "b1": b1}


# =========================================================================== practices: reads


def test_fields_and_criteria_sets(callers, anon):
    api = callers["commune"].api
    codes = [f["code"] for f in api.get("/practices/fields").json()["items"]]
    assert codes[:4] == ["economy", "culture_society", "defence_security", "political_system"]
    sets = api.get("/practices/criteria-sets").json()["items"]
    default = next(s for s in sets if s["owner"] is None)
    assert default["pass_score"] == 70 and default["max_total"] == 100 and len(default["criteria"]) == 7
    assert [c["order"] for c in default["criteria"]] == sorted(c["order"] for c in default["criteria"])
    assert anon.get("/practices/fields").status_code == 401
    assert anon.get("/practices/criteria-sets").status_code == 401


def test_criteria_sets_of_other_provinces_are_not_listed(callers, tree):
    evaluation.create_criteria_set(actor=None, owner=tree["B"], name="Bộ tiêu chí tỉnh Thái Nguyên",
                                   pass_score=Decimal(60), criteria=[("Hiệu quả", Decimal(100))])
    evaluation.create_criteria_set(actor=None, owner=tree["A"], name="Bộ tiêu chí tỉnh Lai Châu",
                                   pass_score=Decimal(75), criteria=[("Hiệu quả", Decimal(100))])
    names = {s["name"] for s in callers["commune"].api.get("/practices/criteria-sets").json()["items"]}
    assert "Bộ tiêu chí tỉnh Lai Châu" in names and "Bộ tiêu chí tỉnh Thái Nguyên" not in names
    names = {s["name"] for s in callers["other"].api.get("/practices/criteria-sets").json()["items"]}
    assert "Bộ tiêu chí tỉnh Lai Châu" not in names and "Bộ tiêu chí tỉnh Thái Nguyên" in names


def test_list_is_scoped(callers, anon, world):
    w = world
    assert set(_ids(callers["commune"].api.get("/practices"))) == {w["a1"].pk, w["a1_old"].pk}
    assert _ids(callers["sibling"].api.get("/practices")) == [w["a2"].pk]
    assert set(_ids(callers["province"].api.get("/practices"))) == {w["a1"].pk, w["a1_old"].pk, w["a2"].pk}
    assert _ids(callers["other"].api.get("/practices")) == [w["b1"].pk]
    assert callers["nobody"].api.get("/practices").json() == {"items": [], "next_cursor": None}
    assert anon.get("/practices").status_code == 401


def test_list_filters_pages_and_counts_queries(callers, world, tree, django_assert_max_num_queries):
    api = callers["province"].api
    w = world
    assert set(_ids(api.get(f"/practices?year={YEAR}"))) == {w["a1"].pk, w["a2"].pk}
    assert _ids(api.get("/practices?field=culture_society&year=" + str(YEAR))) == [w["a2"].pk]
    assert _ids(api.get("/practices?ethnic_remote=true")) == [w["a1"].pk]
    assert set(_ids(api.get(f"/practices?unit={tree['A1'].pk}"))) == {w["a1"].pk, w["a1_old"].pk}
    assert _ids(api.get("/practices?status=stopped")) == []
    assert _ids(api.get("/practices?level=province")) == []
    assert api.get(f"/practices?unit={tree['B1'].pk}").status_code == 404
    assert api.get("/practices?status=abandoned").status_code == 422
    assert api.get("/practices?year=1999").status_code == 422
    for i in range(15):
        practice(tree["A2"], f"Mô hình số {i}")
    api.get("/practices?limit=1")
    with django_assert_max_num_queries(3):  # token, scope, the page with units and fields
        r = api.get("/practices?limit=10")
    first = _ids(r)
    assert len(first) == 10
    rest = api.get(f"/practices?limit=10&cursor={r.json()['next_cursor']}")
    assert len(_ids(rest)) == 8 and not set(first) & set(_ids(rest)) and rest.json()["next_cursor"] is None
    bad = api.get("/practices?cursor=bm90LWpzb24")
    assert bad.status_code == 422 and _fields(bad) == {"cursor"}


def test_detail_shows_updates_evaluations_spread_and_commendations(callers, world, tree,
                                                                   django_assert_max_num_queries):
    p = world["a1"]
    services.add_update(actor=None, practice=p, kind="progress", on=_ago(50), text="Đã làm 2 km đường")
    cs = default_set()
    evaluation.evaluate(actor=None, practice=p, council_unit=tree["A"], criteria_set=cs, evaluated_on=_ago(10),
                        scores={c.pk: c.max_score for c in cs.criteria.all()}, level="province")
    evaluation.replicate(actor=None, practice=p, org_unit=tree["A2"], adopted_on=_ago(5))
    commendations.commend(actor=None, awarding_unit=tree["A"], year=YEAR, level="province",
                          recipient_kind="collective", recipient_name="UBND xã Bình Lư", org_unit=tree["A1"],
                          awarded_on=_ago(2), practice=p)
    api = callers["commune"].api
    api.get("/practices?limit=1")
    with django_assert_max_num_queries(11):
        r = api.get(f"/practices/{p.pk}")
    body = r.json()
    assert body["status"] == "in_progress" and body["recognition_level"] == "province"
    assert body["recognised_on"] == _iso(_ago(10))
    assert [u["text"] for u in body["updates"]] == ["Đã làm 2 km đường"]
    (e,) = body["evaluations"]
    assert e["total"] == 100 and e["max_total"] == 100 and e["level"] == "province" and len(e["scores"]) == 7
    assert e["council_unit"]["id"] == tree["A"].pk
    assert [r["unit"]["id"] for r in body["replications"]] == [tree["A2"].pk]
    assert [c["recipient_name"] for c in body["commendations"]] == ["UBND xã Bình Lư"]
    for who in ("sibling", "other", "nobody"):
        assert callers[who].api.get(f"/practices/{p.pk}").status_code == 404
    assert api.get("/practices/999999").status_code == 404
    assert api.get(f"/practices/{2**63}").status_code in {404, 422}


# =========================================================================== practices: writes


def test_register_edit_update_stop_and_delete(callers, tree, more):
    api = callers["commune"].api
    body = {"org_unit": tree["A1"].pk, "year": YEAR, "name": "Chính quyền thân thiện", "field": "political_system",
            "goals": "Phục vụ Nhân dân tốt hơn", "starts_on": _iso(_ago(30)), "responsible_person": "Tẩn Văn Hòa",
            "place": "Xã Bình Lư", "ethnic_remote": True}
    r = api.post("/practices", json=body)
    assert r.status_code == 201, r.json()
    p = r.json()
    assert p["status"] == "registered" and p["field_name"] and p["ethnic_remote"] is True
    twice = api.post("/practices", json={**body, "name": "CHÍNH QUYỀN THÂN THIỆN"})
    assert twice.status_code == 422 and _fields(twice) == {"name"}
    assert Practice.objects.filter(org_unit=tree["A1"], deleted_at__isnull=True).count() == 1

    changed = patch(api, f"/practices/{p['id']}", {"expected_version": p["lock_version"], "place": "Bản Thẳm"})
    assert changed.status_code == 200 and changed.json()["place"] == "Bản Thẳm"
    assert changed.json()["name"] == "Chính quyền thân thiện"
    stale = patch(api, f"/practices/{p['id']}", {"expected_version": p["lock_version"], "place": "Khác"})
    assert stale.status_code == 409
    assert Practice.objects.get(pk=p["id"]).place == "Bản Thẳm"
    null = patch(api, f"/practices/{p['id']}", {"expected_version": changed.json()["lock_version"], "name": None})
    assert null.status_code == 422 and _fields(null) == {"name"}

    up = api.post(f"/practices/{p['id']}/updates", json={"kind": "interim_review", "on": _iso(_ago(1)),
                                                         "text": "Sơ kết 6 tháng"})
    assert up.status_code == 201 and up.json()["status"] == "interim_reviewed"
    assert [u["kind"] for u in up.json()["updates"]] == ["interim_review"]
    empty = api.post(f"/practices/{p['id']}/updates", json={"on": _iso(TODAY), "text": ""})
    assert empty.status_code == 422 and _fields(empty) == {"text"}

    version = up.json()["lock_version"]
    assert api.post(f"/practices/{p['id']}/stop", json={"expected_version": version + 5,
                                                        "reason": "Sáp nhập"}).status_code == 409
    stop = api.post(f"/practices/{p['id']}/stop", json={"expected_version": version, "reason": "Sáp nhập"})
    assert stop.status_code == 200 and stop.json()["status"] == "stopped"

    assert more["viewer"].api.post("/practices", json={**body, "name": "Khác"}).status_code == 403
    assert more["viewer"].api.post(f"/practices/{p['id']}/stop",
                                   json={"expected_version": 1, "reason": "x"}).status_code == 403
    assert api.delete(f"/practices/{p['id']}?reason=Nhập nhầm").status_code == 403  # an officer
    assert more["head"].api.delete(f"/practices/{p['id']}").status_code == 422  # no reason
    assert more["head"].api.delete(f"/practices/{p['id']}?reason=Nhập nhầm").status_code == 204
    assert api.get(f"/practices/{p['id']}").status_code == 404
    assert callers["sibling"].api.delete(f"/practices/{p['id']}?reason=x").status_code == 404


def test_register_refuses_bad_input(callers, tree):
    api = callers["commune"].api
    base = {"org_unit": tree["A1"].pk, "year": YEAR, "name": "Mô hình", "field": "economy", "goals": "Mục tiêu",
            "starts_on": _iso(_ago(10)), "responsible_person": "Ông A"}
    cases = [
        ({k: v for k, v in base.items() if k != "name"}, "name"),
        ({**base, "name": "x" * 256}, "name"),
        ({**base, "name": "   "}, "name"),
        ({**base, "field": "sport"}, "field"),
        ({**base, "year": "năm nay"}, "year"),
        ({**base, "starts_on": "hôm qua"}, "starts_on"),
        ({**base, "ends_on": _iso(_ago(20))}, "ends_on"),
        ({**base, "registered_by": "group"}, "registered_by"),
        ({**base, "org_unit": tree["B1"].pk}, "org_unit"),
        ({**base, "target": 999999}, "target"),
        ({**base, "extra": 1}, "extra"),
    ]
    for body, field in cases:
        r = api.post("/practices", json=body)
        assert r.status_code == 422 and field in _fields(r), (body, r.json())
    assert not Practice.objects.exists()


def test_evaluate_scores_council_and_recognition(callers, world, tree, more):
    p = world["a1"]
    cs = default_set()
    commune = callers["commune"].api
    ok = {"council_unit": tree["A1"].pk, "criteria_set": cs.pk, "evaluated_on": _iso(_ago(3)),
          "scores": full_scores(cs, Decimal("0.8")), "level": "commune", "notes": "Đạt"}
    first = cs.criteria.order_by("order").first()
    assert first is not None
    high = [dict(s, score="99") if s["criterion"] == first.pk else s for s in ok["scores"]]
    r = commune.post(f"/practices/{p.pk}/evaluations", json={**ok, "scores": high})
    assert r.status_code == 422 and _fields(r) == {f"score_{first.pk}"}
    assert any(first.name in e["message"] for e in r.json()["errors"])
    missing = commune.post(f"/practices/{p.pk}/evaluations", json={**ok, "scores": ok["scores"][1:]})
    assert missing.status_code == 422 and f"score_{first.pk}" in _fields(missing)
    negative = commune.post(f"/practices/{p.pk}/evaluations",
                            json={**ok, "scores": [{**ok["scores"][0], "score": "-1"}, *ok["scores"][1:]]})
    assert negative.status_code == 422
    dup = commune.post(f"/practices/{p.pk}/evaluations", json={**ok, "scores": [*ok["scores"], ok["scores"][0]]})
    assert dup.status_code == 422 and _fields(dup) == {f"scores.{len(ok['scores'])}.criterion"}
    low = commune.post(f"/practices/{p.pk}/evaluations",
                       json={**ok, "scores": full_scores(cs, Decimal("0.5")), "level": "commune"})
    assert low.status_code == 422 and _fields(low) == {"level"}
    below = callers["commune"].api.post(f"/practices/{p.pk}/evaluations", json={**ok, "council_unit": tree["A1v"].pk})
    assert below.status_code == 422 and _fields(below) == {"council_unit"}
    assert Evaluation.objects.count() == 0

    good = commune.post(f"/practices/{p.pk}/evaluations", json=ok)
    assert good.status_code == 201, good.json()
    assert good.json()["recognition_level"] == "commune" and good.json()["evaluations"][0]["total"] == 80
    # A commune officer cannot sit on the province's council; the province can.
    assert commune.post(f"/practices/{p.pk}/evaluations",
                        json={**ok, "council_unit": tree["A"].pk, "level": "province"}).status_code == 403
    up = callers["province"].api.post(f"/practices/{p.pk}/evaluations",
                                      json={**ok, "council_unit": tree["A"].pk, "level": "province",
                                            "evaluated_on": _iso(_ago(1))})
    assert up.status_code == 201 and up.json()["recognition_level"] == "province"
    assert callers["sibling"].api.post(f"/practices/{p.pk}/evaluations", json=ok).status_code == 404
    bad_set = commune.post(f"/practices/{p.pk}/evaluations", json={**ok, "criteria_set": 999999})
    assert bad_set.status_code == 422 and _fields(bad_set) == {"criteria_set"}


def test_replication_of_own_and_recognised_practices(callers, world, tree, more):
    p = world["a1"]
    commune, sibling = callers["commune"].api, callers["sibling"].api
    same = commune.post(f"/practices/{p.pk}/replications", json={"org_unit": tree["A1"].pk,
                                                                "adopted_on": _iso(_ago(1))})
    assert same.status_code == 422 and _fields(same) == {"org_unit"}
    # The sibling commune cannot see an unrecognised practice of Bình Lư …
    assert sibling.post(f"/practices/{p.pk}/replications", json={"org_unit": tree["A2"].pk,
                                                                "adopted_on": _iso(_ago(1))}).status_code == 404
    cs = default_set()
    evaluation.evaluate(actor=None, practice=p, council_unit=tree["A1"], criteria_set=cs, evaluated_on=_ago(5),
                        scores={c.pk: c.max_score for c in cs.criteria.all()}, level="commune")
    # … but a recognised one is public: it may adopt it.
    r = sibling.post(f"/practices/{p.pk}/replications", json={"org_unit": tree["A2"].pk, "adopted_on": _iso(_ago(1)),
                                                             "notes": "Áp dụng cho tổ dân phố"})
    assert r.status_code == 201, r.json()
    assert r.json()["unit"]["id"] == tree["A2"].pk and r.json()["practice_id"] == p.pk
    twice = sibling.post(f"/practices/{p.pk}/replications", json={"org_unit": tree["A2"].pk,
                                                                 "adopted_on": _iso(_ago(1))})
    assert twice.status_code == 422 and _fields(twice) == {"org_unit"}
    elsewhere = sibling.post(f"/practices/{p.pk}/replications", json={"org_unit": tree["B1"].pk,
                                                                     "adopted_on": _iso(_ago(1))})
    assert elsewhere.status_code == 422 and _fields(elsewhere) == {"org_unit"}
    assert Replication.objects.filter(practice=p).count() == 1
    assert [x["unit"]["id"] for x in commune.get(f"/practices/{p.pk}").json()["replications"]] == [tree["A2"].pk]


def test_registration_share(callers, world, tree):
    api = callers["province"].api
    r = api.get(f"/practices/registration?unit={tree['A'].pk}&year={YEAR}")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["unit"]["id"] == tree["A"].pk and body["year"] == YEAR
    assert 2 <= body["registered_units"] <= body["units"]
    assert body["share"] == round(100 * body["registered_units"] / body["units"], 1)
    two = api.get(f"/practices/registration?unit={tree['A'].pk}&year={YEAR}&min_count=2").json()
    assert two["registered_units"] == 0
    assert api.get(f"/practices/registration?unit={tree['B'].pk}").status_code == 404
    assert callers["nobody"].api.get("/practices/registration").status_code == 404
    assert callers["commune"].api.get("/practices/registration").json()["unit"]["id"] == tree["A1"].pk


# =========================================================================== commendations


def test_commendations(callers, world, tree, more, django_assert_max_num_queries):
    head = more["province_head"].api
    body = {"awarding_unit": tree["A"].pk, "year": YEAR, "level": "province", "recipient_kind": "individual",
            "recipient_name": "Lò Văn Hải", "org_unit": tree["A1"].pk, "awarded_on": _iso(_ago(3)),
            "practice": world["a1"].pk, "form": "Bằng khen", "decision_ref": "123/QĐ-UBND"}
    r = head.post("/practices/commendations", json=body)
    assert r.status_code == 201, r.json()
    assert r.json()["practice_id"] == world["a1"].pk and r.json()["unit"]["id"] == tree["A1"].pk
    assert head.post("/practices/commendations", json=body).status_code == 422  # the same one twice
    admin = callers["province"].api.post("/practices/commendations", json={**body, "recipient_name": "Vàng Thị Dung"})
    assert admin.status_code == 201  # an admin may too
    assert callers["commune"].api.post("/practices/commendations",
                                       json={**body, "awarding_unit": tree["A1"].pk}).status_code == 403
    bad = head.post("/practices/commendations", json={**body, "recipient_name": ""})
    assert bad.status_code == 422 and _fields(bad) == {"recipient_name"}
    hidden = head.post("/practices/commendations", json={**body, "practice": world["b1"].pk})
    assert hidden.status_code == 422 and _fields(hidden) == {"practice"}
    for i in range(5):
        commendations.commend(actor=None, awarding_unit=tree["A1"], year=YEAR, level="commune",
                              recipient_kind="collective", recipient_name=f"Bản {i}", org_unit=tree["A1v"],
                              awarded_on=_ago(10 + i))
    api = callers["commune"].api
    api.get("/practices/commendations?limit=1")
    with django_assert_max_num_queries(3):
        page = api.get("/practices/commendations?limit=4")
    assert len(_ids(page)) == 4 and page.json()["next_cursor"]
    rest = api.get(f"/practices/commendations?limit=4&cursor={page.json()['next_cursor']}")
    assert len(_ids(rest)) == 3
    assert len(_ids(api.get("/practices/commendations?recipient_kind=individual"))) == 2
    assert _ids(callers["sibling"].api.get("/practices/commendations")) == []
    cid = r.json()["id"]
    assert callers["commune"].api.delete(f"/practices/commendations/{cid}?reason=x").status_code == 403
    assert head.delete(f"/practices/commendations/{cid}?reason=Trùng").status_code == 204
    assert head.delete(f"/practices/commendations/{cid}?reason=Trùng").status_code == 404


# =========================================================================== programmes


def test_programme_lifecycle(callers, tree, more, django_assert_max_num_queries):
    api = callers["commune"].api
    r = api.post("/practices/programmes", json={
        "org_unit": tree["A1"].pk, "name": "Chính quyền thân thiện, vì Nhân dân phục vụ",
        "starts_on": _iso(_ago(200)), "ends_on": _iso(TODAY + 100 * DAY), "description": "Kế hoạch năm"})
    assert r.status_code == 201, r.json()
    p = r.json()
    assert p["status"] == "draft" and p["steps"] == [] and p["late_steps"] == 0
    pid = p["id"]
    assert api.post(f"/practices/programmes/{pid}/members", json={"full_name": "Tẩn Văn Hòa", "role": "Trưởng ban",
                                                                 "duties": "Chỉ đạo chung"}).status_code == 201
    step = api.post(f"/practices/programmes/{pid}/steps", json={"title": "Ban hành kế hoạch",
                                                               "ends_on": _iso(_ago(150))})
    assert step.status_code == 201
    bad = api.post(f"/practices/programmes/{pid}/steps", json={"title": "Triển khai", "starts_on": _iso(_ago(10)),
                                                              "ends_on": _iso(_ago(20))})
    assert bad.status_code == 422 and _fields(bad) == {"ends_on"}
    api.post(f"/practices/programmes/{pid}/steps", json={"title": "Khảo sát sự hài lòng",
                                                        "ends_on": _iso(TODAY + 60 * DAY)})
    late = api.post(f"/practices/programmes/{pid}/steps", json={"title": "Tập huấn", "ends_on": _iso(_ago(100))})
    steps = {s["title"]: s for s in late.json()["steps"]}
    assert [s["title"] for s in late.json()["steps"]] == ["Ban hành kế hoạch", "Khảo sát sự hài lòng", "Tập huấn"]
    assert steps["Tập huấn"]["late"] and steps["Ban hành kế hoạch"]["late"] and not steps["Khảo sát sự hài lòng"]["late"]
    done = api.post(f"/practices/programmes/steps/{steps['Ban hành kế hoạch']['id']}/done",
                    json={"done_on": _iso(_ago(160)), "note": "Kế hoạch số 12"})
    assert done.status_code == 200, done.json()
    assert done.json()["late_steps"] == 1
    crit = api.post(f"/practices/programmes/{pid}/criteria", json={"name": "Niêm yết công khai thủ tục"})
    assert crit.status_code == 201
    cid = crit.json()["criteria"][0]["id"]
    no_evidence = api.post(f"/practices/programmes/criteria/{cid}/assess", json={"met": True})
    assert no_evidence.status_code == 422 and _fields(no_evidence) == {"evidence"}
    met = api.post(f"/practices/programmes/criteria/{cid}/assess", json={"met": True, "evidence": "Ảnh bảng niêm yết"})
    assert met.status_code == 200 and met.json()["criteria"][0]["met"] is True
    assert callers["sibling"].api.post(f"/practices/programmes/criteria/{cid}/assess",
                                       json={"met": False}).status_code == 404
    assert more["viewer"].api.post(f"/practices/programmes/criteria/{cid}/assess",
                                   json={"met": False}).status_code == 403

    api.get("/practices/programmes?limit=1")
    with django_assert_max_num_queries(9):
        detail = api.get(f"/practices/programmes/{pid}")
    d = detail.json()
    assert [m["full_name"] for m in d["steering"]] == ["Tẩn Văn Hòa"]
    version = d["lock_version"]
    stale = api.post(f"/practices/programmes/{pid}/evaluate", json={"expected_version": version + 1,
                                                                    "final_evaluation": "Tốt", "evaluated_on": _iso(TODAY)})
    assert stale.status_code == 409
    ev = api.post(f"/practices/programmes/{pid}/evaluate", json={"expected_version": version,
                                                                 "final_evaluation": "Đạt mục tiêu; bài học: …",
                                                                 "evaluated_on": _iso(TODAY)})
    assert ev.status_code == 200, ev.json()
    assert ev.json()["status"] == "evaluated" and ev.json()["evaluated_on"] == _iso(TODAY)
    closed = api.post(f"/practices/programmes/{pid}/steps", json={"title": "Thêm", "ends_on": _iso(TODAY)})
    assert closed.status_code == 422
    assert api.delete(f"/practices/programmes/{pid}?reason=x").status_code == 403
    assert more["head"].api.delete(f"/practices/programmes/{pid}?reason=Nhập nhầm").status_code == 204
    assert api.get(f"/practices/programmes/{pid}").status_code == 404


def test_programme_list_edit_and_scope(callers, tree, more, django_assert_max_num_queries):
    mine = programmes.create_programme(actor=None, org_unit=tree["A1"], name="Chương trình A1",
                                       starts_on=_ago(30), ends_on=TODAY + 30 * DAY)
    programmes.create_programme(actor=None, org_unit=tree["B1"], name="Chương trình B1", starts_on=_ago(30),
                                ends_on=TODAY + 30 * DAY)
    for i in range(6):
        programmes.create_programme(actor=None, org_unit=tree["A2"], name=f"Chương trình {i}",
                                    starts_on=_ago(40 + i), ends_on=TODAY)
    assert _ids(callers["commune"].api.get("/practices/programmes")) == [mine.pk]
    api = callers["province"].api
    api.get("/practices/programmes?limit=1")
    with django_assert_max_num_queries(3):
        page = api.get("/practices/programmes?limit=5")
    assert _ids(page)[0] == mine.pk and page.json()["next_cursor"]
    assert len(_ids(api.get(f"/practices/programmes?limit=5&cursor={page.json()['next_cursor']}"))) == 2
    assert _ids(api.get(f"/practices/programmes?year={YEAR - 3}")) == []
    assert callers["other"].api.get(f"/practices/programmes/{mine.pk}").status_code == 404
    c = callers["commune"].api
    moved = patch(c, f"/practices/programmes/{mine.pk}", {"expected_version": mine.lock_version,
                                                        "status": "running", "name": "Chương trình mới"})
    assert moved.status_code == 200 and moved.json()["status"] == "running"
    assert patch(c, f"/practices/programmes/{mine.pk}", {"expected_version": mine.lock_version,
                                                       "name": "Lại"}).status_code == 409
    bad = patch(c, f"/practices/programmes/{mine.pk}", {"expected_version": moved.json()["lock_version"],
                                                       "ends_on": _iso(_ago(60))})
    assert bad.status_code == 422 and _fields(bad) == {"ends_on"}
    assert Programme.objects.get(pk=mine.pk).name == "Chương trình mới"
    wrong = c.post("/practices/programmes", json={"org_unit": tree["A1"].pk, "name": "X", "starts_on": _iso(TODAY),
                                                  "ends_on": _iso(TODAY), "survey": 999999})
    assert wrong.status_code == 422 and _fields(wrong) == {"survey"}
    assert more["viewer"].api.post("/practices/programmes", json={
        "org_unit": tree["A1"].pk, "name": "X", "starts_on": _iso(TODAY), "ends_on": _iso(TODAY)}).status_code == 403
