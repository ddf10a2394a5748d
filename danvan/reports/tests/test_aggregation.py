"""Upward aggregation: every rule's exact totals, reporting rates, the cache, narratives, and a brute-force check."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

import pytest
from django.core.cache import cache
from django.db.models import F

from danvan.reports.aggregation import (
    Completeness,
    aggregate_period,
    cache_key,
    compute_aggregate,
    late_and_missing,
    narratives,
    unit_reports,
)
from danvan.reports.models import (
    COUNTED_STATUSES,
    Aggregation,
    DataValue,
    Indicator,
    Period,
    PeriodKind,
    ReportingRegime,
    Submission,
    SubmissionStatus,
    ValueType,
)
from danvan.reports.totals import refresh_anchor_totals

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "reports-agg-tests"}}


@pytest.fixture(autouse=True)
def _memory_cache(settings: Any) -> Any:
    """A per-process cache, emptied for each test (ids are reused after rollbacks), whose reads cost no query."""
    settings.CACHES = LOCMEM
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def form(small_form: Any) -> Any:
    """The conftest's form plus the two rules it lacks: a minimum and a figure that is not aggregated."""
    Indicator.objects.create(
        form=small_form, code="lowest", name="Điểm thấp nhất", unit="%", value_type=ValueType.PERCENTAGE,
        aggregation=Aggregation.MIN, min_value=0, max_value=100, order=20,
    )
    Indicator.objects.create(
        form=small_form, code="rank", name="Xếp hạng", value_type=ValueType.COUNT, aggregation=Aggregation.NONE, order=21,
    )
    return small_form


def report(period: Any, unit: Any, anchor: Any, status: str = SubmissionStatus.ACCEPTED, *, late: bool = False,
           expected: bool = True, values: dict | None = None, answers: dict | None = None) -> Submission:
    """A submission in the given state with its counted figures, written directly (not through the services)."""
    sub, _ = Submission.objects.update_or_create(
        period=period, org_unit=unit,
        defaults={"anchor": anchor, "status": status, "is_late": late, "expected": expected,
                  "values": values or {}, "answers": answers or {}},
    )
    DataValue.objects.filter(submission=sub).delete()
    if status in COUNTED_STATUSES:
        by_code = {i.code: i for i in Indicator.objects.filter(form=period.regime.form)}
        DataValue.objects.bulk_create([
            DataValue(submission=sub, indicator=by_code[code], period=period, anchor=anchor, num=float(v))
            for code, v in (values or {}).items()
            if by_code[code].value_type != ValueType.TEXT and by_code[code].aggregation != Aggregation.RATIO
        ])
    refresh_anchor_totals(period.pk, [anchor.pk])
    return sub


V_A1 = {"sessions": 4, "participants": 100, "own_plan": True, "received": 10, "resolved": 8, "satisfaction": 80,
        "budget": 5_000_000, "lowest": 60, "rank": 2}
V_A1V = {"sessions": 2, "participants": 30, "own_plan": False, "received": 5, "resolved": 5, "satisfaction": 90,
         "budget": 1_000_000, "lowest": 45, "rank": 7}
V_ADEP = {"sessions": 1, "participants": 20, "own_plan": True, "received": 0, "resolved": 0, "satisfaction": 70,
          "budget": 9_000_000, "lowest": 70}


@pytest.fixture
def filled(tree: dict[str, Any], form: Any, period: Any) -> Any:
    """A1 accepted on time, its village submitted late, A2 a draft (not counted), Adep accepted on time."""
    report(period, tree["A1"], tree["A1"], values=V_A1, answers={"highlights": "A1 nổi bật", "difficulties": "Thiếu kinh phí"})
    report(period, tree["A1v"], tree["A1"], SubmissionStatus.SUBMITTED, late=True, values=V_A1V,
           answers={"highlights": "Bản Thẳm làm tốt"})
    report(period, tree["A2"], tree["A2"], SubmissionStatus.DRAFT, values={"sessions": 100, "received": 99},
           answers={"highlights": "Bản nháp không được tổng hợp"})
    report(period, tree["Adep"], tree["A"], values=V_ADEP, answers={"highlights": "  Sở Nội vụ hoàn thành  ",
                                                                      "difficulties": "   "})
    return period


def test_every_rule_gives_the_exact_totals_at_every_level(tree, filled):
    agg = aggregate_period(filled)
    A, A1, A2 = tree["A"].pk, tree["A1"].pk, tree["A2"].pk
    assert set(agg.nodes) == {A, A1, A2}  # villages and departments have no node: their anchors do
    assert agg.root_id == A
    # The commune: itself and its village.
    assert agg.value(A1, "sessions") == 6
    assert agg.value(A1, "participants") == 130
    assert agg.value(A1, "own_plan") == 50.0  # share of reporting units answering yes
    assert agg.value(A1, "satisfaction") == 85.0
    assert agg.value(A1, "budget") == 5_000_000
    assert agg.value(A1, "lowest") == 45
    assert agg.value(A1, "resolved_rate") == pytest.approx(100 * 13 / 15)
    assert agg.value(A1, "rank") is None  # not aggregated
    # The province: both communes' anchors (the draft counts for nothing) and the department.
    assert agg.value(A, "sessions") == 7
    assert agg.value(A, "participants") == 150
    assert agg.value(A, "own_plan") == pytest.approx(200 / 3)
    assert agg.value(A, "received") == 15 and agg.value(A, "resolved") == 13
    assert agg.value(A, "satisfaction") == 80.0
    assert agg.value(A, "budget") == 9_000_000
    assert agg.value(A, "lowest") == 45
    assert agg.value(A, "resolved_rate") == pytest.approx(100 * 13 / 15)
    # A2 reported nothing counted: no figure at all, not zero.
    assert [agg.value(A2, c) for c in ("sessions", "own_plan", "satisfaction", "lowest", "resolved_rate")] == [None] * 5
    # Unknown code, unknown unit.
    assert agg.value(A, "nope") is None and agg.value(tree["B"].pk, "sessions") is None
    cell = agg.nodes[A].cells[Indicator.objects.get(form=filled.regime.form, code="own_plan").pk]
    assert (cell.sum, cell.count, cell.min, cell.max, cell.yes) == (2.0, 3, 0.0, 1.0, 2)


def test_ratio_is_none_when_the_denominator_is_zero_and_plain_when_not_a_percentage(tree, form, period):
    report(period, tree["A1"], tree["A1"], values={"received": 0, "resolved": 0})
    agg = compute_aggregate(period)
    assert agg.value(tree["A1"].pk, "resolved_rate") is None
    Indicator.objects.filter(form=form, code="resolved_rate").update(value_type=ValueType.COUNT)
    report(period, tree["A2"], tree["A2"], values={"received": 4, "resolved": 3})
    from danvan.reports import validation

    validation.clear_cache()
    agg = compute_aggregate(period)
    assert agg.value(tree["A2"].pk, "resolved_rate") == 0.75
    assert agg.value(tree["A"].pk, "resolved_rate") == 0.75


def test_completeness_counts_on_time_late_missing_by_level(tree, filled):
    agg = aggregate_period(filled)
    a = agg.nodes[tree["A"].pk].completeness
    assert (a.expected, a.received, a.on_time, a.late, a.accepted, a.returned, a.draft, a.not_started, a.extra) == (
        4, 3, 2, 1, 2, 0, 1, 0, 0
    )
    assert a.rate == 0.75 and a.timeliness == 0.5 and a.submitted == 1 and a.missing == 1
    a1 = agg.nodes[tree["A1"].pk].completeness
    assert (a1.expected, a1.received, a1.on_time, a1.late, a1.rate) == (2, 2, 1, 1, 1.0)
    a2 = agg.nodes[tree["A2"].pk].completeness
    assert (a2.expected, a2.received, a2.draft, a2.rate, a2.timeliness) == (1, 0, 1, 0.0, 0.0)
    assert Completeness().rate is None and Completeness().timeliness is None


def test_returned_and_not_started_reports_are_missing(tree, form, period):
    report(period, tree["A1"], tree["A1"], SubmissionStatus.RETURNED, values={"sessions": 3})
    report(period, tree["A2"], tree["A2"], SubmissionStatus.NOT_STARTED)
    report(period, tree["Adep"], tree["A"], SubmissionStatus.SUBMITTED, values={"sessions": 5})
    agg = compute_aggregate(period)
    c = agg.root.completeness
    assert (c.expected, c.received, c.returned, c.not_started, c.on_time) == (3, 1, 1, 1, 1)
    assert agg.value(tree["A"].pk, "sessions") == 5  # the returned report's figures are not counted


def test_a_closed_unit_never_pushes_a_rate_above_100_percent(tree, form, period):
    """A1's village closed during the period after reporting: its report is extra, its figures still count."""
    report(period, tree["A1"], tree["A1"], values={"sessions": 1})
    report(period, tree["A1v"], tree["A1"], expected=False, values={"sessions": 2})
    report(period, tree["A2"], tree["A2"], values={"sessions": 4})
    agg = compute_aggregate(period)
    a1 = agg.nodes[tree["A1"].pk].completeness
    assert (a1.expected, a1.received, a1.extra, a1.rate) == (1, 1, 1, 1.0)
    root = agg.root.completeness
    assert (root.expected, root.received, root.extra) == (3, 2, 1)
    assert root.rate is not None and root.rate <= 1
    assert agg.value(tree["A"].pk, "sessions") == 7
    # Even when the commune itself has not reported, the closed village's report is no "received" one.
    report(period, tree["A1"], tree["A1"], SubmissionStatus.NOT_STARTED)
    a1 = compute_aggregate(period).nodes[tree["A1"].pk].completeness
    assert (a1.expected, a1.received, a1.extra, a1.rate) == (1, 0, 1, 0.0)


def test_root_a_commune_or_the_province(tree, filled):
    commune = aggregate_period(filled, root=tree["A1"])
    assert set(commune.nodes) == {tree["A1"].pk}
    assert commune.value(tree["A1"].pk, "sessions") == 6
    assert commune.root.completeness.expected == 2
    province = aggregate_period(filled, root=tree["A"])
    assert province.value(tree["A"].pk, "sessions") == 7
    assert [n.unit_id for n in province.children(tree["A"].pk)] == [tree["A1"].pk, tree["A2"].pk]
    assert province.children(tree["A1"].pk) == []
    # A unit outside the regime's scope: a node with nothing in it.
    other = aggregate_period(filled, root=tree["B"])
    assert set(other.nodes) == {tree["B"].pk}
    assert other.root.completeness.expected == 0 and other.value(tree["B"].pk, "sessions") is None


def test_cached_until_the_data_version_changes(tree, filled):
    first = aggregate_period(filled)
    assert cache.get(cache_key(filled, tree["A"].pk)) is not None
    DataValue.objects.filter(submission__org_unit=tree["A1"], indicator__code="sessions").update(num=40)
    refresh_anchor_totals(filled.pk)
    assert aggregate_period(filled).value(tree["A"].pk, "sessions") == 7  # cached: the version did not move
    Period.objects.filter(pk=filled.pk).update(data_version=F("data_version") + 1)
    fresh = Period.objects.get(pk=filled.pk)
    assert aggregate_period(fresh).value(tree["A"].pk, "sessions") == 43
    assert first.value(tree["A"].pk, "sessions") == 7
    assert cache_key(fresh, 1) != cache_key(filled, 1)


def test_query_counts_are_fixed(tree, filled, django_assert_num_queries):
    period = Period.objects.get(pk=filled.pk)
    # regime with form and scope root, the form's spec (3, first time), units, completeness, figures
    with django_assert_num_queries(7):
        aggregate_period(period)
    with django_assert_num_queries(0):
        aggregate_period(period)
    with django_assert_num_queries(3):
        compute_aggregate(period, root=tree["A1"])


def test_unit_reports_list_the_anchor_s_reporters_with_counted_figures_only(tree, filled):
    rows = unit_reports(filled, tree["A1"])
    assert [r["unit"] for r in rows] == ["Xã Bình Lư", "Bản Thẳm"]
    assert [(r["status"], r["late"], r["counted"]) for r in rows] == [("accepted", False, True), ("submitted", True, True)]
    assert rows[1]["values"]["sessions"] == 2
    draft = unit_reports(filled, tree["A2"])
    assert draft[0]["status"] == "draft" and draft[0]["values"] == {}
    assert [r["unit"] for r in unit_reports(filled, tree["A"])] == ["Sở Nội vụ"]


def test_late_and_missing(tree, filled):
    late, missing = late_and_missing(filled, tree["A"])
    assert [s.org_unit.name for s in late] == ["Bản Thẳm"]
    assert [s.org_unit.name for s in missing] == ["Phường Tân Phong"]
    late, missing = late_and_missing(filled, tree["A2"])
    assert late == [] and [s.org_unit_id for s in missing] == [tree["A2"].pk]
    assert late_and_missing(filled, tree["B"]) == ([], [])


def test_narratives_section_by_section_in_tree_order_with_unit_names(tree, filled):
    compiled = narratives(filled, tree["A"])
    assert [(s.number if s else None, q.code) for s, q, _ in compiled] == [("I", "highlights"), ("II", "difficulties")]
    assert compiled[0][2] == [("Xã Bình Lư", "A1 nổi bật"), ("Bản Thẳm", "Bản Thẳm làm tốt"),
                              ("Sở Nội vụ", "Sở Nội vụ hoàn thành")]  # the draft's answer is not compiled
    assert compiled[1][2] == [("Xã Bình Lư", "Thiếu kinh phí")]  # blank answers are left out
    commune = narratives(filled, tree["A1"])
    assert [name for name, _ in commune[0][2]] == ["Xã Bình Lư", "Bản Thẳm"]


# --- brute force over a generated tree ------------------------------------------------------------


def _generated_tree(kinds: dict[str, Any], rng: random.Random) -> list[Any]:
    from danvan.orgs import services

    def mk(kind: str, name: str, parent: Any) -> Any:
        return services.create_unit(actor=None, kind=kinds[kind], name=name, parent=parent, audit_event=False)

    root = mk("other", "Chính phủ", None)
    units = [root]
    for p in range(3):
        province = mk("province", f"Tỉnh {p}", root)
        units.append(province)
        for d in range(2):
            units.append(mk("department", f"Sở {p}.{d}", province))
        for h in range(2):
            district = mk("district", f"Huyện {p}.{h}", province)
            units.append(district)
            for c in range(rng.randint(3, 5)):
                commune = mk("commune", f"Xã {p}.{h}.{c}", district)
                units.append(commune)
                units.append(mk("front", f"Mặt trận {p}.{h}.{c}", commune))
                for v in range(rng.randint(0, 6)):
                    village = mk("village", f"Thôn {p}.{h}.{c}.{v}", commune)
                    units.append(village)
                    if v == 0:
                        units.append(mk("other", f"Tổ {p}.{h}.{c}", village))  # two levels below the anchor
    return units


def _brute_value(ind: Any, reports: list[dict], by_code: dict[str, Any]) -> float | None:
    if ind.aggregation == Aggregation.RATIO:
        num = [r[ind.numerator_code] for r in reports if ind.numerator_code in r]
        den = [r[ind.denominator_code] for r in reports if ind.denominator_code in r]
        if not num or not den or sum(den) == 0:
            return None
        return 100 * sum(num) / sum(den) if ind.value_type == ValueType.PERCENTAGE else sum(num) / sum(den)
    xs = [float(r[ind.code]) for r in reports if ind.code in r]
    if not xs or ind.aggregation == Aggregation.NONE:
        return None
    return {
        Aggregation.SUM: lambda: sum(xs), Aggregation.AVERAGE: lambda: sum(xs) / len(xs), Aggregation.MIN: lambda: min(xs),
        Aggregation.MAX: lambda: max(xs), Aggregation.SHARE_YES: lambda: 100 * sum(1 for x in xs if x) / len(xs),
    }[ind.aggregation]()


def test_matches_a_brute_force_computation_on_random_data(kinds, form):
    from danvan.reports.tree import anchor_for

    rng = random.Random(20260415)
    units = _generated_tree(kinds, rng)
    assert len(units) > 150
    root = units[0]
    regime = ReportingRegime.objects.create(name="Toàn quốc", owner=root, scope_root=root, form=form,
                                            period_kinds=[PeriodKind.ANNUAL])
    period = Period.objects.create(regime=regime, kind=PeriodKind.ANNUAL, year=2026, label="Năm 2026",
                                   starts_on=dt.date(2025, 12, 15), ends_on=dt.date(2026, 12, 14),
                                   due_on=dt.date(2026, 12, 20))
    indicators = list(Indicator.objects.filter(form=form))
    statuses = [s.value for s in SubmissionStatus]
    facts = []
    for unit in units[1:]:
        status = rng.choice(statuses + [SubmissionStatus.ACCEPTED] * 3)
        values: dict[str, Any] = {}
        for ind in indicators:
            if ind.aggregation == Aggregation.RATIO or rng.random() < 0.15:
                continue
            if ind.value_type == ValueType.BOOLEAN:
                values[ind.code] = rng.random() < 0.6
            elif ind.value_type == ValueType.PERCENTAGE:
                values[ind.code] = round(rng.uniform(0, 100), 1)
            else:
                values[ind.code] = rng.randint(0, 50)
        is_expected = rng.random() > 0.05
        late = status in COUNTED_STATUSES and rng.random() < 0.3
        report(period, unit, type(unit).objects.get(pk=anchor_for(unit)), status, late=late, expected=is_expected,
               values=values)
        facts.append((unit.path, status, is_expected, late, values))

    agg = compute_aggregate(period)
    admin = [u for u in units if u.kind.is_administrative]
    assert set(agg.nodes) == {root.pk} | {u.pk for u in admin}
    by_code = {i.code: i for i in indicators}
    checked = 0
    for unit in [root, *admin]:
        inside = [f for f in facts if f[0].startswith(unit.path)]
        counted = [f[4] for f in inside if f[1] in COUNTED_STATUSES]
        for ind in indicators:
            want = _brute_value(ind, counted, by_code)
            got = agg.value(unit.pk, ind.code)
            assert (want is None) == (got is None), (unit.name, ind.code, want, got)
            if want is not None:
                assert got is not None
                assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9), (unit.name, ind.code, want, got)
                checked += 1
        c = agg.nodes[unit.pk].completeness
        expected = [f for f in inside if f[2]]
        received = [f for f in expected if f[1] in COUNTED_STATUSES]
        assert c.expected == len(expected)
        assert c.received == len(received)
        assert c.late == sum(1 for f in received if f[3])
        assert c.on_time == sum(1 for f in received if not f[3])
        assert c.extra == sum(1 for f in inside if not f[2] and f[1] in COUNTED_STATUSES)
        assert c.not_started == sum(1 for f in expected if f[1] == SubmissionStatus.NOT_STARTED)
        assert c.rate is None or c.rate <= 1
    assert checked > 200


def test_the_aggregate_survives_pickling_with_every_cell(tree, filled):
    import pickle

    agg = compute_aggregate(filled)
    back = pickle.loads(pickle.dumps(agg))  # noqa: S301 (our own bytes, as the cache does)
    assert set(back.nodes) == set(agg.nodes)
    for pk, node in agg.nodes.items():
        assert back.nodes[pk] == node
        assert back.nodes[pk].completeness == node.completeness
    assert back.value(tree["A"].pk, "own_plan") == pytest.approx(200 / 3)
    assert back.value(tree["A1"].pk, "lowest") == 45
    assert [n.unit_id for n in back.children(tree["A"].pk)] == [tree["A1"].pk, tree["A2"].pk]
