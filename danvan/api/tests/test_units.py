"""/api/v1/units: every endpoint at every scope boundary, filters, paging and bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from danvan.orgs import services
from danvan.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

# Which fixture units each caller sees (their own subtree, nothing else).
SEES = {
    "commune": {"A1", "A1v"},
    "sibling": {"A2"},
    "province": {"A", "A1", "A1v", "A2", "Adep"},
    "other": {"B1"},
    "nobody": set(),
}


def ids(tree, keys) -> set[int]:
    return {tree[k].pk for k in keys}


def item_ids(response) -> list[int]:
    return [u["id"] for u in response.json()["items"]]


@pytest.mark.parametrize("who", list(SEES))
def test_list_shows_exactly_the_callers_subtree(tree, callers, who):
    r = callers[who].api.get("/units")
    assert r.status_code == 200
    assert set(item_ids(r)) == ids(tree, SEES[who])
    assert r.json()["next_cursor"] is None


@pytest.mark.parametrize("who", list(SEES))
@pytest.mark.parametrize("target", ["A", "A1", "A1v", "A2", "Adep", "B", "B1"])
def test_detail_is_404_outside_scope_exactly_like_a_missing_unit(tree, callers, who, target):
    api = callers[who].api
    r = api.get(f"/units/{tree[target].pk}")
    if target in SEES[who]:
        assert r.status_code == 200
        assert r.json()["id"] == tree[target].pk
    else:
        missing = api.get("/units/987654321")
        assert r.status_code == missing.status_code == 404
        assert r.json() == missing.json()
        assert "detail" in r.json() and r.json()["errors"] == []


@pytest.mark.parametrize("who", list(SEES))
@pytest.mark.parametrize("target", ["A", "A1", "A2", "B1"])
def test_subtree_is_scoped(tree, callers, who, target):
    r = callers[who].api.get(f"/units/{tree[target].pk}/subtree")
    if target in SEES[who]:
        assert r.status_code == 200
        below = {k for k in SEES[who] if tree[k].path.startswith(tree[target].path)}
        assert set(item_ids(r)) == ids(tree, below)
    else:
        assert r.status_code == 404


@pytest.mark.parametrize("who", list(SEES))
def test_list_under_a_unit_outside_scope_is_404(tree, callers, who):
    r = callers[who].api.get(f"/units?under={tree['A1'].pk}")
    if "A1" in SEES[who]:
        assert r.status_code == 200
        assert set(item_ids(r)) == ids(tree, {"A1", "A1v"})
    else:
        assert r.status_code == 404


def test_parent_filter_never_reveals_children_outside_scope(tree, callers):
    # The commune officer asks for the province's children: only their own commune comes back.
    r = callers["commune"].api.get(f"/units?parent={tree['A'].pk}")
    assert item_ids(r) == [tree["A1"].pk]
    r = callers["other"].api.get(f"/units?parent={tree['A'].pk}")
    assert item_ids(r) == []


@pytest.mark.parametrize(
    "path", ["/units", "/units/1", "/units/1/subtree", "/me", "/tokens"]
)
def test_anonymous_gets_401_everywhere(tree, anon, path):
    r = anon.get(path)
    assert r.status_code == 401
    assert r.json()["detail"]
    assert r["WWW-Authenticate"].startswith("Bearer")


def test_detail_fields(tree, callers):
    services.close_unit(actor=None, unit=tree["A2"], last_day=dt.date(2025, 6, 30), successors=[tree["A1"]])
    r = callers["province"].api.get(f"/units/{tree['A1'].pk}")
    body = r.json()
    assert body["name"] == "Xã Bình Lư" and body["code"] == "03440" and body["kind"] == "commune"
    assert body["parent_id"] == tree["A"].pk and body["depth"] == 1
    assert [a["id"] for a in body["ancestors"]] == [tree["A"].pk]
    assert body["predecessor_ids"] == [tree["A2"].pk] and body["successor_ids"] == []
    assert body["children_count"] == 1
    closed = callers["province"].api.get(f"/units/{tree['A2'].pk}").json()
    assert closed["valid_to"] == "2025-06-30" and closed["successor_ids"] == [tree["A1"].pk]


def test_detail_hides_ancestors_outside_scope(tree, callers):
    body = callers["commune"].api.get(f"/units/{tree['A1v'].pk}").json()
    assert [a["id"] for a in body["ancestors"]] == [tree["A1"].pk]  # not the province above


def test_filters(tree, callers):
    api = callers["province"].api
    assert item_ids(api.get("/units?kind=commune")) == [tree["A1"].pk, tree["A2"].pk]
    assert item_ids(api.get("/units?code=12-SNV")) == [tree["Adep"].pk]
    assert item_ids(api.get("/units?q=binh lu")) == [tree["A1"].pk]  # no diacritics, any case
    assert item_ids(api.get("/units?q=BÌNH LƯ")) == [tree["A1"].pk]
    assert item_ids(api.get("/units?q=03388")) == [tree["A2"].pk]  # an exact code
    assert item_ids(api.get("/units?q=Thái Nguyên")) == []  # other province
    assert item_ids(api.get(f"/units?under={tree['A1'].pk}&kind=village")) == [tree["A1v"].pk]


def test_closed_units_only_on_request(tree, callers):
    services.close_unit(actor=None, unit=tree["A2"], last_day=dt.date(2025, 6, 30), successors=[])
    api = callers["province"].api
    assert tree["A2"].pk not in item_ids(api.get("/units"))
    assert tree["A2"].pk in item_ids(api.get("/units?include_closed=true"))
    assert tree["A2"].pk not in item_ids(api.get(f"/units/{tree['A'].pk}/subtree"))
    assert tree["A2"].pk in item_ids(api.get(f"/units/{tree['A'].pk}/subtree?include_closed=1"))


def test_revoked_membership_sees_nothing_of_that_unit(tree, callers):
    c = callers["commune"]
    assert c.api.get(f"/units/{tree['A1'].pk}").status_code == 200
    services.revoke_membership(actor=None, membership=c.user.memberships.get())
    assert c.api.get(f"/units/{tree['A1'].pk}").status_code == 404
    assert c.api.get(f"/units/{tree['A1'].pk}/subtree").status_code == 404
    assert item_ids(c.api.get("/units")) == []
    assert c.api.get("/me").json()["memberships"] == []


@pytest.fixture
def big_subtree(tree, kinds):
    """37 units under the commune, nested three deep, created out of path order."""
    made = []
    for i in range(12):
        v = services.create_unit(actor=None, kind=kinds["village"], name=f"Thôn {i}", parent=tree["A1"], audit_event=False)
        made.append(v)
        for j in range(2):
            made.append(
                services.create_unit(
                    actor=None, kind=kinds["other"], name=f"Tổ {i}.{j}", parent=v, audit_event=False
                )
            )
    return made


@pytest.mark.parametrize("limit", [1, 4, 7, 200])
def test_walking_every_page_gives_each_unit_once_in_path_order(tree, callers, big_subtree, limit):
    expected = list(OrgUnit.objects.subtree_of(tree["A1"]).order_by("path").values_list("pk", flat=True))
    assert len(expected) == 2 + len(big_subtree)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        body = callers["commune"].api.get(f"/units/{tree['A1'].pk}/subtree{query}").json()
        pages += 1
        assert len(body["items"]) <= limit
        seen += [u["id"] for u in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert pages < 100
    assert seen == expected
    assert pages == max(1, -(-len(expected) // limit))


def test_list_pages_walk_the_same_way(tree, callers, big_subtree):
    seen, cursor = [], None
    while True:
        body = callers["province"].api.get("/units?kind=other&limit=5" + (f"&cursor={cursor}" if cursor else "")).json()
        seen += [u["id"] for u in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == list(OrgUnit.objects.filter(kind__code="other").order_by("path").values_list("pk", flat=True))
    assert len(seen) == 24


def test_last_page_exactly_full_has_no_next_cursor(tree, callers):
    body = callers["commune"].api.get(f"/units/{tree['A1'].pk}/subtree?limit=2").json()
    assert len(body["items"]) == 2 and body["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=-5", "limit"),
        ("parent=x", "parent"),
        ("under=1.5", "under"),
        ("parent=99999999999999999999999", "parent"),
        ("include_closed=maybe", "include_closed"),
        ("q=" + "a" * 201, "q"),
        ("cursor=%%%", "cursor"),
        ("cursor=bm90LWpzb24", "cursor"),  # base64 of "not-json"
        ("cursor=IjEyMyI", "cursor"),  # base64 of "123": JSON, but not a tree path
        ("cursor=WzFd", "cursor"),  # base64 of [1]
        ("cursor=" + "A" * 401, "cursor"),
    ],
)
def test_bad_query_parameters_are_422_naming_the_field(tree, callers, query, field):
    for path in ("/units", f"/units/{tree['A'].pk}/subtree"):
        if field in {"q", "parent", "under"} and "subtree" in path:
            continue
        r = callers["province"].api.get(f"{path}?{query}")
        assert r.status_code == 422, (path, query, r.content)
        body = r.json()
        assert body["detail"]
        assert [e["field"] for e in body["errors"]] == [field]
        assert body["errors"][0]["message"]
        assert "Input should" not in body["errors"][0]["message"]  # pydantic's English never leaks


@pytest.mark.parametrize("path", ["/units/abc", "/units/-1", "/units/0", "/units/99999999999999999999999/subtree"])
def test_malformed_or_impossible_unit_ids_are_404(tree, callers, path):
    r = callers["province"].api.get(path)
    assert r.status_code == 404
    assert r.json()["detail"]

