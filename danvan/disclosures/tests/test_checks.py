"""The law's checks of disclosures (Python and SQL agree), the quarterly lists, and ``danvan disclosures check``."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from danvan.disclosures import checks, services
from danvan.disclosures.management.commands.disclosures_check import run
from danvan.disclosures.models import (
    BoardFinding,
    BoardKind,
    Disclosure,
    FrontSupervision,
    PeopleBoard,
    QuarterlyList,
    ResidentDecision,
    SupervisionKind,
    Threshold,
)
from danvan.notifications.models import Notification

from .test_disclosures import DECIDED, DUE, make

pytestmark = pytest.mark.django_db


def published(unit: Any, cat: Any, on: dt.date, **kw: Any) -> Disclosure:
    d = make(unit, cat, **kw)
    services.publish_disclosure(actor=None, disclosure=d, expected_version=1, disclosed_on=on)
    return d


def codes(d: Disclosure, today: dt.date) -> set[str]:
    return {p.code for p in checks.problems(d, today)}


def sql_codes(d: Disclosure, today: dt.date) -> set[str]:
    return {code for code in checks.CODES if Disclosure.objects.filter(checks.problem_q(code, today), pk=d.pk).exists()}


def test_late(tree: dict, cats: dict) -> None:
    on_time = published(tree["A1"], cats["budget"], DUE, title="Đúng hạn")
    late = published(tree["A1"], cats["budget"], DUE + dt.timedelta(days=1), title="Muộn")
    draft = make(tree["A1"], cats["budget"], title="Nháp")
    assert codes(on_time, DUE + dt.timedelta(days=60)) == set()
    assert codes(late, DUE) == {"late"}
    assert "10/03/2025" in checks.problems(late)[0].message
    assert codes(draft, DUE) == set()  # on the due day it is not late yet
    assert codes(draft, DUE + dt.timedelta(days=1)) == {"late"}
    for d in (on_time, late, draft):
        for day in (DUE, DUE + dt.timedelta(days=1)):
            assert codes(d, day) == sql_codes(d, day), (d.title, day)


def test_short_posting(tree: dict, cats: dict) -> None:
    short = make(tree["A1"], cats["budget"], title="Ngắn", disclosed_on=DUE, posting_ends_on=DUE + dt.timedelta(days=28))
    services.publish_disclosure(actor=None, disclosure=short, expected_version=1)
    exact = make(tree["A1"], cats["budget"], title="Đủ", disclosed_on=DUE, posting_ends_on=DUE + dt.timedelta(days=29))
    services.publish_disclosure(actor=None, disclosure=exact, expected_version=1)
    permanent = published(tree["A1"], cats["fees"], DUE, title="Phí")
    today = DUE + dt.timedelta(days=100)
    assert checks.posting_days(short) == 29 and checks.posting_days(exact) == 30
    assert codes(short, today) == {"short_posting"} == sql_codes(short, today)
    assert codes(exact, today) == set() == sql_codes(exact, today)
    assert codes(permanent, today) == set() == sql_codes(permanent, today)
    cats["budget"].min_posting_days = 45  # a sector law's longer period: data, not code
    cats["budget"].save()
    exact.refresh_from_db()
    assert codes(exact, today) == {"short_posting"} == sql_codes(exact, today)


def test_loudspeaker(tree: dict, cats: dict) -> None:
    none = published(tree["A1"], cats["social_support"], DUE, title="Không phát thanh", forms=["posting"])
    few = published(tree["A1"], cats["social_support"], DUE, title="Thiếu ngày", forms=["posting", "loudspeaker"],
                    loudspeaker_days=2)
    enough = published(tree["A1"], cats["social_support"], DUE, title="Đủ", forms=["loudspeaker"], loudspeaker_days=3)
    not_needed = published(tree["A1"], cats["budget"], DUE, title="Không bắt buộc")
    draft = make(tree["A1"], cats["social_support"], title="Nháp", decided_on=None)
    today = DUE
    assert codes(none, today) == {"loudspeaker"} == sql_codes(none, today)
    assert codes(few, today) == {"loudspeaker"} == sql_codes(few, today)
    assert checks.problems(few, today)[0].severity == checks.WARNING
    for d in (enough, not_needed, draft):
        assert codes(d, today) == set() == sql_codes(d, today)


def test_withdrawn_and_deleted_have_no_problem(tree: dict, people: dict, cats: dict) -> None:
    late = published(tree["A1"], cats["social_support"], DUE + dt.timedelta(days=3))
    assert codes(late, DUE) == {"late", "loudspeaker"}
    services.withdraw_disclosure(actor=None, disclosure=late, expected_version=2, reason="Thay thế")
    assert codes(late, DUE) == set() == sql_codes(late, DUE)
    draft = make(tree["A1"], cats["budget"], title="Nháp")
    services.delete_disclosure(actor=None, disclosure=draft, reason="Nhầm")
    assert codes(draft, DUE + dt.timedelta(days=5)) == set() == sql_codes(draft, DUE + dt.timedelta(days=5))


def test_quarterly_missing(tree: dict) -> None:
    today = dt.date(2025, 5, 10)
    assert checks.quarters_to_check(today) == [(2024, 1), (2024, 2), (2024, 3), (2024, 4), (2025, 1)]
    assert checks.quarterly_missing(tree["A1"], today) == [(2024, 1), (2024, 2), (2024, 3), (2024, 4), (2025, 1)]
    QuarterlyList.objects.create(org_unit=tree["A1"], year=2024, quarter=2, posted_on=dt.date(2024, 7, 1))
    QuarterlyList.objects.create(org_unit=tree["A1"], year=2025, quarter=1, posted_on=dt.date(2025, 4, 1))
    QuarterlyList.objects.create(org_unit=tree["A2"], year=2024, quarter=1, posted_on=dt.date(2024, 4, 1))
    assert checks.quarterly_missing(tree["A1"], today) == [(2024, 1), (2024, 3), (2024, 4)]
    assert checks.quarters_to_check(dt.date(2025, 1, 1)) == [(2024, 1), (2024, 2), (2024, 3), (2024, 4)]


# --------------------------------------------------------------------------- the command


def _decision(unit: Any, due: dt.date) -> ResidentDecision:
    return ResidentDecision.objects.create(
        org_unit=unit, matter="convention", title="Hương ước bản Thẳm", held_on=due - dt.timedelta(days=7),
        decided_on=due - dt.timedelta(days=7), households_total=80, households_participating=60, votes_for=50,
        votes_against=10, threshold=Threshold.MAJORITY, passed=True, send_due_on=due)


def test_command_notifies_once_each(tree: dict, people: dict, cats: dict, make_user: Any) -> None:
    today = DUE + dt.timedelta(days=2)
    late = make(tree["A1"], cats["budget"], title="Muộn")
    make(tree["A2"], cats["budget"], title="Xã khác muộn")  # A2 has only the sibling officer
    make(tree["B1"], cats["budget"], title="Tỉnh khác muộn")
    _decision(tree["A1v"], today - dt.timedelta(days=1))
    board = PeopleBoard.objects.create(org_unit=tree["A1"], kind=BoardKind.INSPECTION, name="Ban TTND",
                                       term_starts_on=DECIDED, term_ends_on=DECIDED + dt.timedelta(days=900))
    BoardFinding.objects.create(board=board, found_on=DECIDED, subject="Đường bê tông", findings="Nứt",
                                addressed_to=tree["A1"], response_due_on=today - dt.timedelta(days=1))
    FrontSupervision.objects.create(org_unit=tree["A1"], by_name="Ban Thường trực MTTQ xã", kind=SupervisionKind.SUPERVISION,
                                    subject="Chi trả trợ cấp", starts_on=DECIDED,
                                    response_due_on=today - dt.timedelta(days=1))
    FrontSupervision.objects.create(org_unit=tree["A1"], by_name="MTTQ", kind=SupervisionKind.CRITIQUE,
                                    subject="Đã trả lời", starts_on=DECIDED, response_due_on=today - dt.timedelta(days=1),
                                    responded_on=today - dt.timedelta(days=2), response="Đã xử lý")
    result = run(today)
    officer_keys = set(Notification.objects.filter(user=people["officer"]).values_list("key", flat=True))
    assert f"disclosure:{late.pk}:late" in officer_keys
    assert any(k.startswith("decision:") for k in officer_keys)  # the village's decision reaches the commune
    assert any(k.startswith("finding:") for k in officer_keys)
    assert len([k for k in officer_keys if k.startswith("supervision:")]) == 1
    assert {k for k in officer_keys if k.startswith("quarterly:")} == {
        f"quarterly:{tree['A1'].pk}:{y}:{q}" for y, q in checks.quarters_to_check(today)}
    assert set(Notification.objects.filter(user=people["head"]).values_list("key", flat=True)) == officer_keys
    # The village officer is told of the village's own decision, not of the commune's.
    village_keys = set(Notification.objects.filter(user=people["village"]).values_list("key", flat=True))
    assert village_keys and all(k.startswith("decision:") for k in village_keys)
    assert officer_keys.isdisjoint(Notification.objects.filter(user=people["sibling"]).values_list("key", flat=True))
    for who in ("front", "province", "nobody"):
        assert not Notification.objects.filter(user=people[who]).exists()
    assert Notification.objects.filter(user=people["other"], key__startswith="disclosure:").count() == 1
    assert result["sent"] == Notification.objects.count() and result["problems"] >= 6
    assert run(today)["sent"] == 0  # a second run tells nothing new
    count = Notification.objects.count()
    out = StringIO()
    call_command("disclosures_check", "--date", today.isoformat(), stdout=out)
    assert Notification.objects.count() == count and out.getvalue().strip()


def test_command_bad_date() -> None:
    with pytest.raises(SystemExit):
        call_command("disclosures_check", "--date", "31/12/2025", stdout=StringIO(), stderr=StringIO())


def test_command_nothing_without_officers(tree: dict, cats: dict) -> None:
    make(tree["A1"], cats["budget"], title="Muộn")
    assert run(timezone.localdate())["sent"] == 0
