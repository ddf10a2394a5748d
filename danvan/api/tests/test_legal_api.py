"""/api/v1/legal: search without diacritics, paging, dedup on registration (200 vs 201), edits and scoped citations."""

from __future__ import annotations

import datetime as dt

import pytest

from danvan.core.audit import AuditEvent
from danvan.legal import services as legal_services
from danvan.legal.models import LegalDocument
from danvan.plans import services

from .test_plans_api import fields_of, make_plan, patch

pytestmark = pytest.mark.django_db


def register(**kw):
    kw = {"doc_type": "", "number": "", "symbol": "", "issued_on": None, "issuer": "", **kw}
    return legal_services.register_document(actor=None, **kw)


@pytest.fixture
def docs(db):
    return {
        "ct33": register(doc_type="Chỉ thị", number="33", symbol="CT-TTg", issued_on=dt.date(2021, 11, 26),
                         issuer="Thủ tướng Chính phủ", title="Về tăng cường, đổi mới công tác dân vận"),
        "kl114": register(doc_type="Kết luận", number="114", symbol="KL/TW", issued_on=dt.date(2015, 7, 14),
                          issuer="Ban Bí thư"),
        "luat": register(doc_type="Luật", number="10/2022", symbol="QH15", issued_on=dt.date(2022, 11, 10),
                         title="Luật Thực hiện dân chủ ở cơ sở"),
        "undated": register(doc_type="Quyết định", number="763", symbol="QĐ/TU", issuer="Ban Thường vụ Tỉnh ủy"),
    }


def item_ids(r):
    return [d["id"] for d in r.json()["items"]]


def test_list_newest_first_undated_last(docs, callers):
    r = callers["commune"].api.get("/legal")
    assert r.status_code == 200
    assert item_ids(r) == [docs[k].pk for k in ("luat", "ct33", "kl114", "undated")]
    first = r.json()["items"][1]
    assert first["citation"] == "Chỉ thị 33/CT-TTg" and first["type_word"] == "Chỉ thị"
    assert first["doc_type"] == "directive" and first["issued_on"] == "2021-11-26"


@pytest.mark.parametrize(("q", "keys"), [
    ("chi thi 33", {"ct33"}), ("CHỈ THỊ", {"ct33"}), ("ct-ttg", {"ct33"}), ("33/CT-TTg", {"ct33"}),
    ("dan chu co so", {"luat"}), ("Dân Chủ", {"luat"}), ("ban bi thu", {"kl114"}), ("tinh uy", {"undated"}),
    ("không có gì", set()),
])
def test_search_ignores_diacritics_and_case(docs, callers, q, keys):
    r = callers["commune"].api.get(f"/legal?q={q}")
    assert {d["id"] for d in r.json()["items"]} == {docs[k].pk for k in keys}


def test_type_filter(docs, callers):
    assert item_ids(callers["commune"].api.get("/legal?type=conclusion")) == [docs["kl114"].pk]
    r = callers["commune"].api.get("/legal?type=poem")
    assert r.status_code == 422 and fields_of(r) == ["type"]


@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_walking_every_page(docs, callers, limit):
    seen, cursor = [], None
    while True:
        body = callers["commune"].api.get(f"/legal?limit={limit}" + (f"&cursor={cursor}" if cursor else "")).json()
        seen += [d["id"] for d in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [docs[k].pk for k in ("luat", "ct33", "kl114", "undated")]


@pytest.mark.parametrize(("query", "field"), [
    ("limit=0", "limit"), ("limit=abc", "limit"), ("q=" + "a" * 201, "q"), ("cursor=%%%", "cursor"),
    ("cursor=WzFd", "cursor"),  # [1]
    ("cursor=IjIwMjEtMTMtMDEuNSI", "cursor"),  # "2021-13-01.5": not a date
])
def test_bad_list_parameters(docs, callers, query, field):
    r = callers["commune"].api.get(f"/legal?{query}")
    assert r.status_code == 422, r.content
    assert fields_of(r) == [field]


def test_anonymous_gets_401(anon, docs):
    for method, path in [("GET", "/legal"), ("GET", f"/legal/{docs['ct33'].pk}"), ("POST", "/legal"),
                         ("PATCH", f"/legal/{docs['ct33'].pk}"), ("GET", f"/legal/{docs['ct33'].pk}/plans")]:
        assert anon.request(method, path).status_code == 401, path


def test_every_signed_in_caller_reads_the_registry(docs, callers):
    for c in callers.values():
        assert c.api.get(f"/legal/{docs['ct33'].pk}").status_code == 200
    assert callers["commune"].api.get("/legal/987654321").status_code == 404
    assert callers["commune"].api.get("/legal/0").status_code == 404


def test_detail_lists_only_the_citing_plans_the_caller_may_see(tree, docs, callers):
    doc = docs["ct33"]
    plans = {
        "A_issued": make_plan(tree["A"], "Kế hoạch tỉnh"),
        "A_draft": make_plan(tree["A"], "Dự thảo tỉnh"),
        "A1": make_plan(tree["A1"], "Kế hoạch xã"),
        "A2": make_plan(tree["A2"], "Kế hoạch phường"),
        "B1": make_plan(tree["B1"], "Kế hoạch tỉnh khác"),
    }
    for plan in plans.values():
        services.set_legal_bases(actor=None, plan=plan, documents=[doc])
    services.issue_plan(actor=None, plan=plans["A_issued"], expected_version=plans["A_issued"].lock_version,
                        issued_on=dt.date(2025, 1, 10))
    expected = {
        "commune": {"A_issued", "A1"}, "sibling": {"A_issued", "A2"},
        "province": {"A_issued", "A_draft", "A1", "A2"}, "other": {"B1"}, "nobody": set(),
    }
    for who, keys in expected.items():
        body = callers[who].api.get(f"/legal/{doc.pk}").json()
        assert {p["id"] for p in body["citing_plans"]["items"]} == {plans[k].pk for k in keys}, who
        assert body["citing_plans"]["next_cursor"] is None


def test_citing_plans_pages(tree, docs, callers):
    doc = docs["kl114"]
    made = []
    for year in range(2020, 2027):
        plan = make_plan(tree["A1"], f"KH {year}", year=year)
        services.set_legal_bases(actor=None, plan=plan, documents=[doc])
        made.append(plan.pk)
    seen, cursor = [], None
    while True:
        r = callers["commune"].api.get(f"/legal/{doc.pk}/plans?limit=3" + (f"&cursor={cursor}" if cursor else ""))
        seen += [p["id"] for p in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))
    r = callers["commune"].api.get(f"/legal/{doc.pk}/plans?cursor=WzFd")
    assert r.status_code == 422 and fields_of(r) == ["cursor"]


# --------------------------------------------------------------------------- register


def test_register_new_is_201_and_the_same_again_is_200(docs, callers):
    api = callers["commune"].api
    r = api.post("/legal", json={"doc_type": "Nghị định", "number": "145/2020", "symbol": "NĐ-CP",
                                 "issued_on": "2020-12-14", "issuer": "Chính phủ"})
    assert r.status_code == 201, r.content
    new = r.json()
    assert new["doc_type"] == "decree" and new["citation"] == "Nghị định 145/2020/NĐ-CP"
    assert AuditEvent.objects.filter(action="legal.document.register", object_id=str(new["id"])).exists()
    again = api.post("/legal", json={"doc_type": "decree", "number": "145/2020", "symbol": "NĐ - CP",
                                     "title": "Quy định chi tiết Bộ luật Lao động"})
    assert again.status_code == 200 and again.json()["id"] == new["id"]
    assert again.json()["title"] == "Quy định chi tiết Bộ luật Lao động"  # a blank filled, nothing overwritten
    assert again.json()["issuer"] == "Chính phủ"
    whole = api.post("/legal", json={"doc_type": "Chỉ thị", "number": "33/CT-TTG"})
    assert whole.status_code == 200 and whole.json()["id"] == docs["ct33"].pk
    assert LegalDocument.objects.count() == 5


@pytest.mark.parametrize(("body", "field"), [
    ({"doc_type": "Bài thơ", "number": "1", "symbol": "X"}, "doc_type"),
    ({"doc_type": "law"}, "number"),
    ({"number": "abc", "symbol": "X"}, "number"),
    ({"number": "1", "symbol": "X", "issued_on": "2021-02-30"}, "issued_on"),
    ({"number": "1", "symbol": "X", "issued_on": "2999-01-01"}, "issued_on"),
    ({"number": "1", "symbol": "x" * 61}, "symbol"),
    ({"number": "1", "symbol": "X", "url": "javascript:alert(1)"}, "url"),
    ({"number": "1", "symbol": "X", "colour": "red"}, "colour"),
    ({"number": 1, "symbol": "X"}, "number"),
    ({"number": ["1"], "symbol": "X"}, "number"),
])
def test_register_bad_input(docs, callers, body, field):
    before = LegalDocument.objects.count()
    r = callers["commune"].api.post("/legal", json=body)
    assert r.status_code == 422, r.content
    assert fields_of(r) == [field]
    assert LegalDocument.objects.count() == before


def test_register_needs_an_editing_role(tree, docs, callers, caller):
    body = {"doc_type": "law", "number": "5", "symbol": "QH14"}
    viewer = caller("viewer", (tree["A1"], "viewer"))
    assert viewer.api.post("/legal", json=body).status_code == 403
    assert callers["nobody"].api.post("/legal", json=body).status_code == 403
    assert callers["other"].api.post("/legal", json=body).status_code == 201  # the registry is national


# --------------------------------------------------------------------------- update


def test_update(docs, callers, tree):
    api = callers["commune"].api
    doc = docs["undated"]
    version = api.get(f"/legal/{doc.pk}").json()["version"]
    r = patch(api, f"/legal/{doc.pk}", {"issued_on": "2019-05-10", "title": "Về công tác dân vận", "version": version,
                                        "issuing_unit_id": tree["A1"].pk})
    assert r.status_code == 200, r.content
    assert r.json()["issued_on"] == "2019-05-10" and r.json()["issuing_unit_id"] == tree["A1"].pk
    stale = patch(api, f"/legal/{doc.pk}", {"title": "Bản khác", "version": version})
    assert stale.status_code == 409
    doc.refresh_from_db()
    assert doc.title == "Về công tác dân vận"


def test_update_refuses_a_twin_and_bad_input(docs, callers, tree):
    api = callers["commune"].api
    r = patch(api, f"/legal/{docs['undated'].pk}", {"number": "33", "symbol": "CT-TTg"})
    assert r.status_code == 422 and fields_of(r) == ["number"]
    r = patch(api, f"/legal/{docs['undated'].pk}", {"issuing_unit_id": tree["B1"].pk})
    assert r.status_code == 422 and fields_of(r) == ["issuing_unit_id"]
    r = patch(api, f"/legal/{docs['undated'].pk}", {"issuing_unit_id": 987654321})
    assert r.status_code == 422 and fields_of(r) == ["issuing_unit_id"]
    r = patch(api, f"/legal/{docs['undated'].pk}", {"issued_on": "hôm qua"})
    assert r.status_code == 422 and fields_of(r) == ["issued_on"]
    assert patch(api, "/legal/987654321", {"title": "x"}).status_code == 404
    docs["undated"].refresh_from_db()
    assert docs["undated"].number == "763" and docs["undated"].issuing_unit_id is None


def test_update_needs_an_editing_role(tree, docs, callers, caller):
    viewer = caller("viewer", (tree["A1"], "viewer"))
    assert patch(viewer.api, f"/legal/{docs['ct33'].pk}", {"title": "x"}).status_code == 403
    assert patch(callers["nobody"].api, f"/legal/{docs['ct33'].pk}", {"title": "x"}).status_code == 403
    docs["ct33"].refresh_from_db()
    assert docs["ct33"].title != "x"
