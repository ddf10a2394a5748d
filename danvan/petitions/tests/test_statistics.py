"""Statistics per subtree and per child unit, and the statistics page (scope, bad dates, query count)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from danvan.petitions import statistics
from danvan.petitions.models import Petition, PetitionStatus, ReceptionSession, ReceptionVisit

from . import fixtures_cases
from .fixtures_cases import D, bring_to, receive

fields, people = fixtures_cases.fields, fixtures_cases.people  # fixtures used by name

pytestmark = pytest.mark.django_db
S = PetitionStatus
YEAR = (D(2026, 1, 1), D(2026, 12, 31))
VISIT_DAY = D(2026, 7, 10)


def visit(unit: Any, n: int, people_count: int, handling: str = "recorded", on: dt.date = VISIT_DAY) -> Any:
    return ReceptionVisit.objects.create(org_unit=unit, book_year=on.year, number=n, visited_on=on, summary="x",
                                         kind="complaint", people_count=people_count, handling=handling,
                                         refusal_ground="disruptive" if handling == "refused" else "")


def session(unit: Any, on: dt.date, *, ahead: bool = True, by_head: bool = True, cancelled: bool = False) -> Any:
    s = ReceptionSession.objects.create(org_unit=unit, date=on, by_head=by_head, host_name="Chủ tịch",
                                        cancelled_at=timezone.now() if cancelled else None)
    created = timezone.make_aware(dt.datetime.combine(on - dt.timedelta(days=7 if ahead else 0), dt.time(9)))
    ReceptionSession.objects.filter(pk=s.pk).update(created_at=created)
    return s


@pytest.fixture
def data(tree: Any, fields: Any) -> dict[str, Any]:
    out = {
        "resolved": bring_to(receive(tree["A1"]), S.RESOLVED, fields["land"]),
        "accepted": bring_to(receive(tree["A1v"]), S.ACCEPTED, fields["land"]),
        "mass": receive(tree["A1"], kind="recommendation", filer_name="B", signers=12),
        "den": receive(tree["A2"], kind="denunciation"),
        "over": receive(tree["A"], summary="Khiếu nại quyết định thu hồi đất", filer_name="Nguyễn Văn An"),
        "old": receive(tree["A1"], received_on=D(2025, 12, 1)),
        "other": receive(tree["B1"]),
    }
    Petition.objects.filter(pk=out["old"].pk).update(prolonged_since=D(2026, 3, 1))
    visit(tree["A1"], 1, 7)  # a mass delegation without a petition
    visit(tree["A1"], 2, 2)
    visit(tree["A2"], 1, 3, handling="refused")
    session(tree["A1"], D(2026, 7, 6))
    session(tree["A1"], D(2026, 7, 6))  # the same day twice: one day
    session(tree["A1"], D(2026, 7, 8), ahead=False)  # entered on the day: ad hoc
    session(tree["A1"], D(2026, 7, 13), cancelled=True)
    session(tree["A2"], D(2026, 7, 6), by_head=False)  # an officer's reception
    return out


def test_province_subtree_figures(tree: Any, data: dict[str, Any]) -> None:
    assert data["over"].over_level
    got = statistics.petition_stats(tree["A"], *YEAR)
    assert set(got) == set(statistics.KEYS)
    assert got["received_total"] == 5  # not last year's, not the other province's
    assert (got["received_complaint"], got["received_denunciation"], got["received_recommendation"]) == (3, 1, 1)
    assert got["accepted"] == 2 and got["resolved"] == 1 and got["resolved_on_time"] == 1
    assert got["mass_cases"] == 2  # 12 signers + the delegation of 7
    # The province's petition, and the commune's recommendation while the village's alike case is open.
    assert got["over_level"] == 2 and got["prolonged"] == 1
    assert got["citizens_received"] == 9  # the refused visit does not count
    assert got["reception_days_scheduled"] == 1 and got["reception_days_ad_hoc"] == 1
    assert got["overdue"] >= 1  # the old one, open since 2025
    commune = statistics.petition_stats(tree["A1"], *YEAR)
    assert commune["received_total"] == 3 and commune["over_level"] == 1
    assert statistics.petition_stats(tree["B"], *YEAR)["received_total"] == 1
    assert statistics.petition_stats(tree["A"], D(2026, 1, 1), D(2026, 1, 31))["received_total"] == 0
    with pytest.raises(ValueError):
        statistics.petition_stats(tree["A"], D(2026, 2, 1), D(2026, 1, 1))


def test_resolved_late_is_not_on_time(tree: Any, fields: Any) -> None:
    p = bring_to(receive(tree["A1"], received_on=D(2026, 1, 5)), S.ACCEPTED, fields["land"])
    Petition.objects.filter(pk=p.pk).update(accepted_on=D(2026, 1, 12))
    p.refresh_from_db()
    from .fixtures_cases import step

    step(p, "resolve", decision_number="1/QĐ", decision_on=D(2026, 7, 1), outcome="rejected")
    got = statistics.petition_stats(tree["A1"], *YEAR)
    assert got["resolved"] == 1 and got["resolved_on_time"] == 0


def test_per_child_rows_add_up(tree: Any, data: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(9):
        rows = statistics.stats_by_child(tree["A"], *YEAR)
    by_unit = {u.pk: f for u, f in rows}
    assert rows[0][0] == tree["A"] and by_unit[tree["A"].pk]["received_total"] == 1  # the province's own
    assert by_unit[tree["A1"].pk]["received_total"] == 3 and by_unit[tree["A2"].pk]["received_total"] == 1
    assert by_unit[tree["Adep"].pk]["received_total"] == 0
    assert statistics.total(rows) == statistics.petition_stats(tree["A"], *YEAR)


# --------------------------------------------------------------------------- the page


def url(unit: Any, start: str = "01/01/2026", end: str = "31/12/2026") -> str:
    return f"{reverse('petitions:statistics')}?unit={unit.pk}&date_from={start}&date_to={end}"


def test_page_shows_the_table(client: Any, tree: Any, people: Any, data: dict[str, Any],
                              django_assert_max_num_queries: Any) -> None:
    client.force_login(people["province_head"])
    with django_assert_max_num_queries(25):
        r = client.get(url(tree["A"]))
    assert r.status_code == 200
    html = r.content.decode()
    for unit in ("A", "A1", "A2", "Adep"):
        assert tree[unit].name in html
    assert tree["B1"].name not in html
    assert "Trần Thị Tố Giác" not in html and "Nguyễn Văn An" not in html  # counts only
    assert client.get(reverse("petitions:statistics")).status_code == 200  # the empty form


def test_page_scope_and_bad_input(client: Any, tree: Any, people: Any) -> None:
    client.force_login(people["officer"])
    assert client.get(url(tree["A1"])).status_code == 200
    assert client.get(url(tree["A1v"])).status_code == 200  # below their unit
    for unit in ("A", "A2", "B"):  # above, sibling, other province
        r = client.get(url(tree[unit]))
        assert r.status_code == 400 and tree[unit].name not in r.content.decode().split("<h2")[-1]
    r = client.get(url(tree["A1"], "31/12/2026", "01/01/2026"))
    assert r.status_code == 400 and "date_to" in r.context["form"].errors
    assert client.get(url(tree["A1"], "2026-13-45", "x")).status_code == 400
    client.force_login(people["nobody"])
    assert client.get(url(tree["A1"])).status_code == 400
    client.logout()
    r = client.get(url(tree["A1"]))
    assert r.status_code == 302
