"""The work list (scope, order, keyset pages, query count), deadline colours, prolonged and overdue cases."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from danvan.petitions import queries
from danvan.petitions.models import Petition, PetitionStatus

from . import fixtures_cases
from .fixtures_cases import D, bring_to, receive

fields, people = fixtures_cases.fields, fixtures_cases.people  # fixtures used by name

pytestmark = pytest.mark.django_db
S = PetitionStatus


@pytest.fixture(autouse=True, params=["narrow", "broad"])
def plan(request: Any, monkeypatch: Any) -> str:
    """Every work-list test runs under both plans: by unit ids (a commune) and by deadline order (a province)."""
    if request.param == "broad":
        monkeypatch.setattr(queries, "NARROW_SCOPE_UNITS", 0)
    return str(request.param)


@pytest.fixture
def cases(tree: Any, fields: Any) -> dict[str, Petition]:
    out = {
        "a1_late": receive(tree["A1"], received_on=D(2026, 6, 26)),  # due 10/07
        "a1": receive(tree["A1"]),  # due 21/07
        "a1_same_day": receive(tree["A1"]),  # due 21/07 too: order by id
        "village": receive(tree["A1v"], kind="feedback", filer_name="A"),  # due 24/07
        "a2": receive(tree["A2"], received_on=D(2026, 7, 1)),  # due 10/07
        "b1": receive(tree["B1"]),
        "accepted": bring_to(receive(tree["A1"]), S.ACCEPTED, fields["land"]),  # due 20/08
        "closed": bring_to(receive(tree["A1"]), S.CLOSED, fields["land"]),
        "suspended": bring_to(receive(tree["A1"]), S.SUSPENDED, fields["land"]),
    }
    return out


def keys(rows: list[Petition], cases: dict[str, Petition]) -> list[str]:
    names = {p.pk: n for n, p in cases.items()}
    return [names[p.pk] for p in rows]


def test_commune_officer_sees_own_subtree_open_cases_by_deadline(people: Any, cases: Any) -> None:
    rows = queries.worklist(people["officer"])
    assert keys(rows, cases) == ["a1_late", "a1", "a1_same_day", "village", "accepted"]


def test_province_sees_its_communes_not_the_other_province(people: Any, cases: Any, tree: Any) -> None:
    rows = queries.worklist(people["province_officer"])
    assert set(keys(rows, cases)) == {"a1_late", "a2", "a1", "a1_same_day", "village", "accepted"}
    assert keys(queries.worklist(people["province_officer"], unit=tree["A2"]), cases) == ["a2"]
    # Narrowing to a unit outside one's scope shows nothing of it.
    assert queries.worklist(people["province_officer"], unit=tree["B1"]) == []
    assert keys(queries.worklist(people["other_province_officer"]), cases) == ["b1"]


@pytest.mark.parametrize("who", ["nobody", "anon"])
def test_outsiders_see_nothing(who: str, people: Any, cases: Any) -> None:
    assert queries.worklist(people[who]) == []
    assert queries.worklist(AnonymousUser()) == []


def test_deleted_cases_are_not_listed(people: Any, cases: Any) -> None:
    Petition.objects.filter(pk=cases["a1"].pk).update(deleted_at=timezone.now())
    assert "a1" not in keys(queries.worklist(people["officer"]), cases)


def test_keyset_pages_cover_everything_once(people: Any, cases: Any) -> None:
    seen: list[str] = []
    after = None
    while True:
        page = queries.worklist(people["province_officer"], after=after, limit=2)
        if not page:
            break
        assert len(page) <= 2
        seen += keys(page, cases)
        after = queries.page_key(page[-1])
    assert seen == keys(queries.worklist(people["province_officer"]), cases)
    assert len(seen) == len(set(seen)) == 6


def test_cases_without_deadline_come_last_and_page_correctly(people: Any, cases: Any) -> None:
    Petition.objects.filter(pk=cases["a1_late"].pk).update(next_due=None)
    rows = queries.worklist(people["officer"])
    assert keys(rows, cases)[-1] == "a1_late"
    after = queries.page_key(rows[-2])
    assert keys(queries.worklist(people["officer"], after=after), cases) == ["a1_late"]
    assert queries.worklist(people["officer"], after=queries.page_key(rows[-1])) == []


def test_a_stale_remembered_size_changes_the_plan_never_the_rows(people: Any, cases: Any, tree: Any) -> None:
    """The subtree size is remembered per process; a unit created since is listed at once, and a unit
    moved out of the scope is gone at once, because the units are read in the page's own query."""
    from danvan.orgs import services as orgs
    from danvan.orgs.models import OrgKind, OrgUnit

    officer = people["officer"]  # commune A1
    assert cases["village"].pk in {p.pk for p in queries.worklist(officer)}  # A1's subtree size is remembered
    village = orgs.create_unit(actor=None, kind=OrgKind.objects.get(code="village"), name="Bản Mới",
                               parent=tree["A1"], audit_event=False)
    new = receive(village, summary="Kiến nghị làm đường vào bản", filer_name="Lò Văn Mới")
    assert new.pk in {p.pk for p in queries.worklist(officer)}
    # Bản Thẳm leaves A1's subtree (its path no longer starts with A1's): its case leaves the list.
    OrgUnit.objects.filter(pk=tree["A1v"].pk).update(path=tree["B1"].path + "000000999")
    assert cases["village"].pk not in {p.pk for p in queries.worklist(officer)}


def test_the_plan_follows_the_scope_size(people: Any, cases: Any, plan: str) -> None:
    assert (queries._narrow_scope(people["province_officer"], None) is None) == (plan == "broad")


def test_worklist_query_count(
    people: Any, cases: Any, django_assert_max_num_queries: Any, django_assert_num_queries: Any
) -> None:
    user = people["province_officer"]
    with django_assert_max_num_queries(3):  # the scope, the size of its subtree, the page with units and fields
        rows = queries.worklist(user)
        [(p.org_unit.name, p.field and p.field.name) for p in rows]
    with django_assert_num_queries(1):  # the page alone: scope and size are known, the units are a subquery
        queries.worklist(user, limit=1000)


def test_deadline_state_colours() -> None:
    p = Petition(next_due=D(2026, 7, 21))  # a Tuesday
    assert queries.deadline_state(p, D(2026, 7, 22)) == "red"
    assert queries.deadline_state(p, D(2026, 7, 21)) == "amber"  # due today
    assert queries.deadline_state(p, D(2026, 7, 16)) == "amber"  # Thu: Fri, Mon, Tue = 3 working days
    assert queries.deadline_state(p, D(2026, 7, 15)) == "green"  # Wed: 4 working days
    assert queries.deadline_state(Petition(next_due=None), D(2026, 7, 15)) == "green"
    # A weekend does not count: Friday 04/09/2026 due, today Monday 31/08 (day off), 1–2/09 holidays → 2 days.
    assert queries.deadline_state(Petition(next_due=D(2026, 9, 4)), D(2026, 8, 28)) == "amber"


def test_prolonged_by_kind_threshold(cases: Any) -> None:
    qs = Petition.objects.all()
    today = D(2026, 9, 1)
    # Complaints older than 60 days: received 26/06 (67 days) and 01/07 (62 days); 10/07 is 53 days.
    got = set(queries.prolonged(qs, {"complaint": 60}, today=today).values_list("pk", flat=True))
    assert got == {cases["a1_late"].pk, cases["a2"].pk}
    got = set(queries.prolonged(qs, {"complaint": 100, "*": 30}, today=today).values_list("pk", flat=True))
    assert got == {cases["village"].pk}  # feedback received 10/07: 53 days > 30
    assert not queries.prolonged(qs, {}, today=today).exists()


def test_overdue_scan(cases: Any, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(1):
        rows = list(queries.overdue(D(2026, 7, 22)))
    assert {p.pk for p in rows} == {cases[k].pk for k in ("a1_late", "a2", "a1", "a1_same_day", "b1")}
    assert [p.next_due for p in rows] == sorted(p.next_due for p in rows if p.next_due)
    assert not any(p.status == S.SUSPENDED for p in queries.overdue(D(2027, 1, 1)))
    assert cases["closed"].pk not in {p.pk for p in queries.overdue(D(2027, 1, 1))}
