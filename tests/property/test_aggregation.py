"""Properties of the upward aggregation of reports, over generated reports and statuses.

The aggregate is what a province reads instead of its communes' reports, so it must be exactly
what adding them up by hand gives: a parent's sum is its children's, nothing depends on the order
units reported in, a report sent again counts once with its latest figures, and the reporting
rates are fractions of the expected reports (never above 100 %, not available when nothing is
expected). The pure parts (``Cell``, ``Completeness``) get many examples; the database parts a
few, each example building its reports through the services in the test's transaction.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from danvan.reports.aggregation import Cell, Completeness, compute_aggregate
from danvan.reports.models import COUNTED_STATUSES, Submission, SubmissionStatus
from danvan.reports.tests.conftest import _fresh_form_cache, period, small_form  # noqa: F401 (fixtures)

STATUSES = [s.value for s in SubmissionStatus]
group = st.tuples(st.booleans(), st.sampled_from(STATUSES), st.booleans(), st.integers(min_value=0, max_value=50))
PURE = settings(max_examples=150, deadline=None, derandomize=True)
DB = settings(max_examples=8, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def completeness(groups: list[tuple[bool, str, bool, int]]) -> Completeness:
    c = Completeness()
    for g in groups:
        c.add_group(*g)
    return c


# --- reporting rates (pure) ----------------------------------------------------------------------

@PURE
@given(st.lists(group, max_size=12))
def test_rates_are_fractions_of_the_expected_reports(groups: list[tuple[bool, str, bool, int]]) -> None:
    c = completeness(groups)
    expected = sum(n for e, _, _, n in groups if e)
    received = sum(n for e, s, _, n in groups if e and s in COUNTED_STATUSES)
    assert (c.expected, c.received) == (expected, received)
    assert c.on_time + c.late == c.received <= c.expected
    assert c.missing == c.expected - c.received >= 0
    # every expected report is in exactly one status
    assert c.not_started + c.draft + c.submitted + c.returned + c.accepted == c.expected
    assert c.extra == sum(n for e, s, _, n in groups if not e and s in COUNTED_STATUSES)
    if c.expected == 0:
        assert c.rate is None and c.timeliness is None  # "not available", not 0 % or a division by zero
    else:
        assert c.rate is not None and c.timeliness is not None
        assert 0 <= c.timeliness <= c.rate <= 1
        assert c.rate == c.received / c.expected and c.timeliness == c.on_time / c.expected


@PURE
@given(st.lists(st.lists(group, max_size=5), min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_rolling_up_units_does_not_depend_on_their_order(parts: list[list[Any]], rnd: Any) -> None:
    """A parent's completeness is its children's added up, in whatever order they are merged."""
    whole = completeness(list(itertools.chain.from_iterable(parts)))
    children = [completeness(p) for p in parts]
    rnd.shuffle(children)
    parent = Completeness()
    for child in children:
        parent.merge(child)
    assert parent == whole


@PURE
@given(st.lists(st.integers(min_value=-10**6, max_value=10**6), min_size=1, max_size=20), st.randoms(use_true_random=False))
def test_cells_merge_to_the_sum_min_max_of_all_figures(figures: list[int], rnd: Any) -> None:
    """Figures are whole numbers here so that floating-point sums are exact whatever the order."""
    cells = [Cell(float(f), 1, float(f), float(f), 1 if f == 1 else 0) for f in figures]
    rnd.shuffle(cells)
    total = Cell()
    for c in cells:
        total.merge(c)
    assert (total.sum, total.count, total.min, total.max) == (sum(figures), len(figures), min(figures), max(figures))
    assert total.yes == figures.count(1)
    # an empty cell changes nothing when merged, either way round
    before = total.copy()
    total.merge(Cell())
    assert total == before
    empty = Cell()
    empty.merge(before)
    assert empty == before


# --- the aggregate of a period (database) --------------------------------------------------------

figures = st.fixed_dictionaries({
    "sessions": st.integers(min_value=0, max_value=500),
    "participants": st.integers(min_value=0, max_value=10_000),
    "received": st.integers(min_value=0, max_value=300),
    "satisfaction": st.integers(min_value=0, max_value=100),
    "budget": st.integers(min_value=0, max_value=10**9),
})
# For each reporting unit (A1, A2, Adep): its figures, and what happens to its report.
fate = st.sampled_from(["untouched", "draft", "submitted", "accepted", "resubmitted"])
reports = st.tuples(*[st.tuples(figures, st.integers(min_value=0, max_value=300), fate) for _ in range(3)])
SOME = {"sessions": 3, "participants": 40, "received": 9, "satisfaction": 80, "budget": 5_000_000}
# Always tried, whatever is generated: each unit's report resent once, and a mix of every fate.
EVERY_RESENT = ((SOME, 4, "resubmitted"), ({**SOME, "sessions": 1}, 9, "resubmitted"), (SOME, 0, "resubmitted"))
MIXED = ((SOME, 4, "accepted"), ({**SOME, "received": 0}, 0, "resubmitted"), (SOME, 2, "draft"))


def _values(f: dict[str, int], resolved: int) -> dict[str, Any]:
    return {**f, "resolved": min(resolved, f["received"]), "own_plan": f["sessions"] % 2 == 0}


def _fill(actor: Any, sub: Submission, values: dict[str, Any]) -> Submission:
    from danvan.reports import services

    return services.save_draft(actor=actor, submission=sub, values=values, answers={"highlights": "Tốt"},
                               expected_version=sub.lock_version)


def _play(actor: Any, sub: Submission, f: dict[str, int], resolved: int, what: str) -> dict[str, Any] | None:
    """Take one report through the services; the figures that must count afterwards (None: none)."""
    from danvan.reports import services

    if what == "untouched":
        return None
    first = _values(f, resolved)
    sub = _fill(actor, sub, first)
    if what == "draft":
        return None
    sub = services.submit_report(actor=actor, submission=sub, expected_version=sub.lock_version)
    if what == "submitted":
        return first
    sub = services.accept_report(actor=actor, submission=sub, expected_version=sub.lock_version)
    if what == "accepted":
        return first
    # Reopened, corrected and sent again: the unit's report must count once, with the new figures.
    sub = services.reopen_report(actor=actor, submission=sub, reason="Sửa số liệu", expected_version=sub.lock_version)
    second = {**first, "sessions": first["sessions"] + 7, "participants": first["participants"] + 1}
    sub = _fill(actor, sub, second)
    services.submit_report(actor=actor, submission=sub, expected_version=sub.lock_version)
    return second


@pytest.fixture
def reporting(tree: dict[str, Any], make_user: Any, settings: Any, request: Any) -> dict[str, Any]:
    """The reports conftest's form and open period of province A, and an administrator of A."""
    settings.DANVAN_MFA_REQUIRED_ROLES = []
    admin = make_user("agg-admin", (tree["A"], "admin"))
    return {"tree": tree, "period": request.getfixturevalue("period"), "admin": admin}


def _reset(p: Any) -> None:
    """Back to the state a period opens in: every expected report not started, no figures."""
    from danvan.reports.models import AnchorTotal, DataValue, SubmissionRevision

    DataValue.objects.filter(period=p).delete()
    AnchorTotal.objects.filter(period=p).delete()
    SubmissionRevision.objects.filter(submission__period=p).delete()
    Submission.objects.filter(period=p).update(
        status=SubmissionStatus.NOT_STARTED, values={}, answers={}, corrections={}, prefilled={}, is_late=False,
        first_submitted_at=None, submitted_at=None, submitted_by=None, review_comment="",
    )


@DB
@given(plays=reports, order=st.permutations([0, 1, 2]))
@example(plays=EVERY_RESENT, order=[2, 0, 1])
@example(plays=MIXED, order=[1, 2, 0])
def test_the_aggregate_adds_up_whatever_the_order_and_counts_a_resent_report_once(
    reporting: dict[str, Any], plays: tuple[Any, ...], order: list[int]
) -> None:
    tree, pd, admin = reporting["tree"], reporting["period"], reporting["admin"]
    _reset(pd)
    units = [tree["A1"], tree["A2"], tree["Adep"]]
    counted: dict[int, dict[str, Any]] = {}
    for k in order:  # the units report in a generated order
        sub = Submission.objects.get(period=pd, org_unit=units[k])
        f, resolved, what = plays[k]
        values = _play(admin, sub, f, resolved, what)
        if values is not None:
            counted[units[k].pk] = values

    agg = compute_aggregate(pd)
    root = agg.root
    # completeness: three expected reports; those counted are received
    assert root.completeness.expected == 3
    assert root.completeness.received == len(counted)
    assert root.completeness.rate == len(counted) / 3
    assert 0 <= (root.completeness.timeliness or 0) <= (root.completeness.rate or 0) <= 1
    if not counted:  # nothing reported: figures are "not available", not zero
        for code in ("sessions", "participants", "satisfaction", "budget", "own_plan", "resolved_rate"):
            assert agg.value(root.unit_id, code) is None, code
        return
    rows = list(counted.values())
    for code in ("sessions", "participants", "received", "resolved"):
        assert agg.value(root.unit_id, code) == sum(v[code] for v in rows), code
        # a parent's total is the sum of its children's (A's subtree: A1, A2 and A's own anchor for Adep)
        kids = [agg.value(n.unit_id, code) for n in agg.children(root.unit_id)]
        dept = counted.get(tree["Adep"].pk, {}).get(code, 0)
        assert sum(k or 0 for k in kids) + dept == agg.value(root.unit_id, code), code
    assert agg.value(root.unit_id, "budget") == max(v["budget"] for v in rows)
    assert agg.value(root.unit_id, "satisfaction") == pytest.approx(sum(v["satisfaction"] for v in rows) / len(rows))
    share = agg.value(root.unit_id, "own_plan")
    assert share == pytest.approx(100 * sum(1 for v in rows if v["own_plan"]) / len(rows))
    assert share is not None and 0 <= share <= 100
    received = sum(v["received"] for v in rows)
    ratio = agg.value(root.unit_id, "resolved_rate")
    if received:
        assert ratio == pytest.approx(100 * sum(v["resolved"] for v in rows) / received)
        assert ratio is not None and 0 <= ratio <= 100
    else:
        assert ratio is None
    # one figure row per counted report and indicator: a report sent again replaced its figures
    from danvan.reports.models import DataValue

    per_report = DataValue.objects.filter(period=pd).values_list("submission__org_unit_id", "indicator__code")
    assert len(per_report) == len(set(per_report))


@DB
@given(plays=reports)
@example(plays=MIXED)
def test_the_aggregate_is_the_same_when_recomputed_from_scratch(reporting: dict[str, Any], plays: tuple[Any, ...]) -> None:
    """The subtotals kept per anchor always equal the figures: a full rebuild changes nothing."""
    from danvan.reports.totals import differing_totals, refresh_anchor_totals

    tree, pd, admin = reporting["tree"], reporting["period"], reporting["admin"]
    _reset(pd)
    for k, unit in enumerate((tree["A1"], tree["A2"], tree["Adep"])):
        _play(admin, Submission.objects.get(period=pd, org_unit=unit), *plays[k])
    assert differing_totals(pd.pk) == 0
    before = compute_aggregate(pd)
    refresh_anchor_totals(pd.pk)
    after = compute_aggregate(pd)
    assert before.nodes == after.nodes


def test_an_empty_period_is_all_zeros_and_not_available(reporting: dict[str, Any]) -> None:
    pd = reporting["period"]
    Submission.objects.filter(period=pd).delete()
    agg = compute_aggregate(pd)
    c = agg.root.completeness
    assert (c.expected, c.received, c.on_time, c.late, c.extra) == (0, 0, 0, 0, 0)
    assert c.rate is None and c.timeliness is None
    assert agg.value(agg.root.unit_id, "sessions") is None
    assert pd.starts_on < dt.date(2026, 6, 1)
