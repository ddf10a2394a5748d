"""The deadline engine: exact dates from the rule data and the working-day calendar (DOMAIN.md §2–5, §11)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from danvan.core.services import set_calendar_day
from danvan.petitions.deadlines import compute_deadlines, rules
from danvan.petitions.models import DeadlineRule

pytestmark = pytest.mark.django_db

D = dt.date
LATER = D(2028, 1, 1)  # a "today" after every date below, so none of them is in the future


def calc(*args: Any, **kw: Any) -> Any:
    kw.setdefault("today", LATER)
    return compute_deadlines(*args, **kw)


def field_errors(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.message_dict)


# --- complaints -------------------------------------------------------------------------------


def test_complaint_acceptance_new_rule_seven_working_days() -> None:
    r = calc("complaint", D(2026, 7, 10))  # a Friday
    assert r.acceptance_due == D(2026, 7, 21) and r.acceptance_due.weekday() == 1  # Tuesday
    assert r.resolution_due is None and r.forward_due is None and r.feedback_due is None
    assert r.rule_version == "2026-07-01"
    assert r.basis["acceptance_due"].legal_basis == "Nghị định 155/2026/NĐ-CP, Điều 10"


def test_complaint_acceptance_old_rule_ten_working_days() -> None:
    # Friday 26/06/2026: Mon 29/06 … Fri 03/07 are days 1–5, Mon 06/07 … Fri 10/07 days 6–10;
    # no public holiday of 2026 falls in between (30/04–01/05 and 02/09 are far away).
    r = calc("complaint", D(2026, 6, 26))
    assert r.acceptance_due == D(2026, 7, 10)
    assert r.rule_version == "2013-12-15"
    assert r.basis["acceptance_due"].days == 10


def test_rule_version_switches_on_1_july_2026() -> None:
    # Tuesday 30/06: old rule, 10 working days → Tuesday 14/07; Wednesday 01/07: new rule, 7 → Friday 10/07.
    before, after = calc("complaint", D(2026, 6, 30)), calc("complaint", D(2026, 7, 1))
    assert (before.acceptance_due, before.rule_version) == (D(2026, 7, 14), "2013-12-15")
    assert (after.acceptance_due, after.rule_version) == (D(2026, 7, 10), "2026-07-01")


def test_resolution_remote_complex_round_one_rolls_to_monday() -> None:
    # DOMAIN §11: 60 days from 21/07/2026 fall on Saturday 19/09, so the period ends Monday 21/09.
    r = calc("complaint", D(2026, 7, 10), D(2026, 7, 21), complex=True, remote=True)
    assert r.resolution_due == D(2026, 9, 21)
    assert r.basis["resolution_due"].legal_basis.endswith("Điều 28")


@pytest.mark.parametrize(
    ("round_", "complex_", "remote", "due"),
    [
        (1, False, False, D(2026, 8, 20)),  # 30 days: Thursday
        (1, True, False, D(2026, 9, 4)),  # 45 days: Friday 04/09
        (1, False, True, D(2026, 9, 4)),
        (2, False, False, D(2026, 9, 4)),  # 45
        (2, True, False, D(2026, 9, 21)),  # 60 → Saturday 19/09 → Monday 21/09
        (2, True, True, D(2026, 9, 29)),  # 70 days: Tuesday 29/09
    ],
)
def test_resolution_periods(round_: int, complex_: bool, remote: bool, due: dt.date) -> None:
    r = calc("complaint", D(2026, 7, 10), D(2026, 7, 21), round=round_, complex=complex_, remote=remote)
    assert r.resolution_due == due


def test_round_two_remote_complex_is_seventy_days_from_the_rule() -> None:
    r = calc("complaint", D(2026, 7, 10), D(2026, 7, 21), round=2, complex=True, remote=True)
    rule = r.basis["resolution_due"]
    assert (rule.round, rule.remote_complex_days) == (2, 70)
    assert r.resolution_due == D(2026, 7, 21) + dt.timedelta(days=70)


# --- denunciations ----------------------------------------------------------------------------


@pytest.mark.parametrize(("extensions", "due"), [(0, D(2026, 8, 20)), (1, D(2026, 9, 21)), (2, D(2026, 10, 19))])
def test_denunciation_resolution_with_extensions(extensions: int, due: dt.date) -> None:
    # 30 → Thursday 20/08; 60 → Saturday 19/09 → Monday 21/09; 90 → Monday 19/10.
    r = calc("denunciation", D(2026, 7, 10), D(2026, 7, 21), extensions=extensions)
    assert r.resolution_due == due
    assert r.rule_version == "2019-01-01"


def test_denunciation_third_extension_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        calc("denunciation", D(2026, 7, 10), D(2026, 7, 21), extensions=3)
    assert field_errors(exc) == {"extensions"}
    assert "2" in exc.value.message_dict["extensions"][0]


def test_denunciation_acceptance_forward_and_notification() -> None:
    r = calc("denunciation", D(2026, 7, 10), D(2026, 7, 21))
    assert r.acceptance_due == D(2026, 7, 21)  # 7 working days
    assert r.forward_due == D(2026, 7, 17)  # 5 working days: Friday
    assert r.notification_due == D(2026, 7, 28)  # 5 working days after acceptance
    assert r.feedback_due is None
    several_places = calc("denunciation", D(2026, 7, 10), complex=True)
    assert several_places.acceptance_due == D(2026, 7, 24)  # 10 working days
    assert several_places.forward_due == D(2026, 7, 17)  # unchanged by the flag


def test_forwarding_crosses_the_national_day_holidays() -> None:
    # Friday 28/08/2026: Monday 31/08 is swapped off, 01–02/09 are National Day.
    r = calc("denunciation", D(2026, 8, 28))
    assert r.forward_due == D(2026, 9, 9)  # Thu 03, Fri 04, Mon 07, Tue 08, Wed 09


# --- recommendations and feedback --------------------------------------------------------------


@pytest.mark.parametrize("kind", ["recommendation", "feedback"])
def test_feedback_to_the_citizen_ten_working_days(kind: str) -> None:
    r = calc(kind, D(2026, 7, 10))
    assert r.feedback_due == D(2026, 7, 24)
    assert r.acceptance_due is None and r.resolution_due is None and r.forward_due is None
    assert r.as_json() == {"feedback_due": "2026-07-24", "rule_version": "2014-07-01"}
    assert r.basis["feedback_due"].legal_basis == "Luật Tiếp công dân 42/2013/QH13, Điều 28.1"


def test_accepted_date_gives_no_resolution_for_feedback() -> None:
    assert calc("feedback", D(2026, 7, 10), D(2026, 7, 13)).resolution_due is None


# --- the calendar ------------------------------------------------------------------------------


def test_lunar_new_year_2027_is_skipped() -> None:
    # Received Wednesday 27/01/2027; Tết 2027 is Thursday 04/02 … Wednesday 10/02.
    # Working days: Thu 28, Fri 29, Mon 01, Tue 02, Wed 03, Thu 11, Fri 12 → 7th = Friday 12/02/2027.
    r = calc("complaint", D(2027, 1, 27))
    assert r.acceptance_due == D(2027, 2, 12)
    r = calc("recommendation", D(2027, 1, 27))
    assert r.feedback_due == D(2027, 2, 17)  # 8th Mon 15, 9th Tue 16, 10th Wed 17


def test_calendar_days_ending_in_tet_roll_past_it() -> None:
    # Denunciation accepted 06/01/2027: 30 days → Friday 05/02/2027, Lunar New Year's Eve → Thursday 11/02.
    r = calc("denunciation", D(2027, 1, 5), D(2027, 1, 6))
    assert r.resolution_due == D(2027, 2, 11)


def test_swapped_saturday_22_august_2026_counts() -> None:
    # Received Wednesday 19/08/2026: Thu 20, Fri 21, Sat 22 (worked), Mon 24, Tue 25, Wed 26, Thu 27.
    r = calc("complaint", D(2026, 8, 19))
    assert r.acceptance_due == D(2026, 8, 27)
    # The calendar-day period ending on that Saturday ends there: 30 days from 23/07/2026.
    assert calc("denunciation", D(2026, 7, 20), D(2026, 7, 23)).resolution_due == D(2026, 8, 22)


def test_extra_day_off_added_by_the_administrator_moves_the_deadline(sysadmin: Any) -> None:
    assert calc("complaint", D(2026, 7, 10)).acceptance_due == D(2026, 7, 21)  # loads the caches
    set_calendar_day(sysadmin, D(2026, 7, 15), False, "Hypothetical extra day off")
    assert calc("complaint", D(2026, 7, 10)).acceptance_due == D(2026, 7, 22)


# --- the rule data -----------------------------------------------------------------------------


def test_rules_loaded_by_the_migration_with_sources() -> None:
    keys = set(DeadlineRule.objects.values_list("key", "kind", "round", "days"))
    assert {("acceptance", "complaint", None, 10), ("acceptance", "complaint", None, 7),
            ("resolution", "complaint", 1, 30), ("resolution", "complaint", 2, 45),
            ("acceptance", "denunciation", None, 7), ("forward", "denunciation", None, 5),
            ("notification", "denunciation", None, 5), ("resolution", "denunciation", None, 30),
            ("feedback", "recommendation", None, 10), ("feedback", "feedback", None, 10),
            ("filing_limit", "complaint", None, 90)} <= keys
    assert all(r.legal_basis for r in DeadlineRule.objects.all())
    old = DeadlineRule.objects.get(key="acceptance", kind="complaint", days=10)
    assert old.effective_to == D(2026, 6, 30)
    assert "unverified" in DeadlineRule.objects.get(key="resolution", kind="complaint", round=1).note


def test_a_new_rule_version_applies_from_its_date_and_clears_the_cache() -> None:
    assert calc("complaint", D(2026, 8, 3)).acceptance_due == D(2026, 8, 12)  # cached now
    DeadlineRule.objects.filter(key="acceptance", kind="complaint", days=7).update(effective_to=D(2026, 7, 31))
    DeadlineRule.objects.create(
        key="acceptance", kind="complaint", counting="working_days", days=5, effective_from=D(2026, 8, 1),
        legal_basis="Hypothetical decree",
    )
    r = calc("complaint", D(2026, 8, 3))
    assert (r.acceptance_due, r.rule_version) == (D(2026, 8, 10), "2026-08-01")
    assert calc("complaint", D(2026, 7, 10)).acceptance_due == D(2026, 7, 21)  # the old case keeps its rule


def test_rules_are_read_once(django_assert_num_queries: Any) -> None:
    rules()
    with django_assert_num_queries(0):
        for _ in range(3):
            rules()


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "petition"}, "kind"),
        ({"kind": "any"}, "kind"),
        ({"received": D(2026, 11, 23)}, "received"),  # tomorrow
        ({"received": None}, "received"),
        ({"received": "2026-07-10"}, "received"),
        ({"received": dt.datetime(2026, 7, 10, tzinfo=dt.UTC)}, "received"),
        ({"accepted": D(2026, 7, 9)}, "accepted"),  # before received
        ({"accepted": D(2026, 11, 23)}, "accepted"),  # in the future
        ({"round": 3}, "round"),
        ({"round": 0}, "round"),
        ({"kind": "denunciation", "round": 2}, "round"),
        ({"kind": "feedback", "round": 2}, "round"),
        ({"extensions": -1}, "extensions"),
        ({"extensions": 1}, "extensions"),  # a complaint cannot be extended
        ({"kind": "denunciation", "extensions": 3}, "extensions"),
        ({"received": D(2010, 1, 4)}, "received"),  # before any rule
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, Any], field: str) -> None:
    args = {"kind": "complaint", "received": D(2026, 7, 10), "today": D(2026, 11, 22), **kwargs}
    with pytest.raises(ValidationError) as exc:
        compute_deadlines(**args)
    assert field in exc.value.message_dict


def test_today_is_the_local_date_by_default() -> None:
    from django.utils import timezone

    today = timezone.localdate()
    assert compute_deadlines("complaint", today).acceptance_due is not None
    with pytest.raises(ValidationError) as exc:
        compute_deadlines("complaint", today + dt.timedelta(days=1))
    assert field_errors(exc) == {"received"}
