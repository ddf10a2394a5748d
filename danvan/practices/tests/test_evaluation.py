"""Evaluation by a council against a set of criteria, recognition, replication, and the sets of criteria."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from danvan.core.models import AuditEvent
from danvan.practices import evaluation, services
from danvan.practices.models import CriteriaSet, Evaluation, Practice, Replication, Score

from .test_practices import START, TODAY, make, make_people

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are checked in English (the msgids), whatever the Vietnamese catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return make_people(tree, make_user)


@pytest.fixture
def default_set(db: Any) -> CriteriaSet:
    """The national default of migration 0002: seven criteria, 100 points, 70 to be recognised."""
    return CriteriaSet.objects.get(owner__isnull=True)


def full_marks(criteria_set: CriteriaSet, minus: Decimal = Decimal(0)) -> dict[int, Decimal]:
    scores = {c.pk: c.max_score for c in criteria_set.criteria.all()}
    first = next(iter(scores))
    scores[first] -= minus
    return scores


def _evaluate(p: Practice, council: Any, criteria_set: CriteriaSet, scores: Any, **kw: Any) -> Evaluation:
    return evaluation.evaluate(actor=kw.pop("actor", None), practice=p, council_unit=council,
                               criteria_set=criteria_set, evaluated_on=kw.pop("evaluated_on", TODAY), scores=scores,
                               **kw)


def test_default_set(default_set: CriteriaSet) -> None:
    criteria = list(default_set.criteria.all())
    assert len(criteria) == 7 and sum(c.max_score for c in criteria) == 100 and default_set.pass_score == 70


def test_evaluate_and_recognise(tree: dict, people: dict, default_set: CriteriaSet) -> None:
    p = make(tree["A1"])
    scores = full_marks(default_set, Decimal("2.5"))
    row = _evaluate(p, tree["A1"], default_set, scores, level="commune", notes="Tốt", actor=people["officer"],
                    evaluated_on=START)
    assert (row.total, row.max_total, row.level) == (Decimal("97.5"), Decimal(100), "commune")
    assert Score.objects.filter(evaluation=row).count() == 7
    p.refresh_from_db()
    assert (p.recognition_level, p.recognised_on) == ("commune", START)
    ev = AuditEvent.objects.get(action="practices.evaluation.create")
    assert Decimal(ev.summary["total"]) == Decimal("97.5") and ev.summary["level"] == "commune"
    # The province's council recognises it higher; a later lower level does not take it down.
    _evaluate(p, tree["A"], default_set, scores, level="province", actor=people["province"])
    p.refresh_from_db()
    assert (p.recognition_level, p.recognised_on) == ("province", TODAY)
    if START != TODAY:
        _evaluate(p, tree["A1"], default_set, scores, level="commune", actor=people["head"])
        p.refresh_from_db()
        assert p.recognition_level == "province"


def test_scores_as_text_and_by_criterion(tree: dict, default_set: CriteriaSet) -> None:
    p = make(tree["A1"])
    scores = {c: str(c.max_score).replace(".", ",") for c in default_set.criteria.all()}
    row = _evaluate(p, tree["A1"], default_set, scores)
    assert row.total == 100 and row.level == ""
    assert Practice.objects.get(pk=p.pk).recognition_level == ""


def test_score_out_of_range_names_the_criterion(tree: dict, default_set: CriteriaSet) -> None:
    p = make(tree["A1"])
    criteria = list(default_set.criteria.all())
    for bad in (criteria[0].max_score + 1, Decimal(-1), "mười", Decimal("1.005"), None, True, 3.5):
        scores = full_marks(default_set)
        scores[criteria[0].pk] = bad  # type: ignore[assignment]
        with pytest.raises(ValidationError) as exc:
            _evaluate(p, tree["A1"], default_set, scores)
        message = exc.value.message_dict[evaluation.score_field(criteria[0])][0]
        assert criteria[0].name in message, bad
    scores = full_marks(default_set)
    del scores[criteria[3].pk]
    with pytest.raises(ValidationError) as exc:
        _evaluate(p, tree["A1"], default_set, scores)
    assert list(exc.value.message_dict) == [evaluation.score_field(criteria[3])]
    with pytest.raises(ValidationError) as exc:
        _evaluate(p, tree["A1"], default_set, full_marks(default_set) | {999999: Decimal(1)})
    assert "scores" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _evaluate(p, tree["A1"], default_set, [1, 2, 3])
    assert "scores" in exc.value.message_dict
    assert not Evaluation.objects.exists() and not Score.objects.exists()


def test_level_needs_the_pass_score(tree: dict, default_set: CriteriaSet) -> None:
    p = make(tree["A1"])
    below = full_marks(default_set, Decimal(0))
    for c in default_set.criteria.all():
        below[c.pk] = c.max_score * Decimal("0.69")
    with pytest.raises(ValidationError) as exc:
        _evaluate(p, tree["A1"], default_set, below, level="commune")
    assert "below" in exc.value.message_dict["level"][0]
    with pytest.raises(ValidationError) as exc:
        _evaluate(p, tree["A1"], default_set, full_marks(default_set), level="world")
    assert "level" in exc.value.message_dict
    assert not Evaluation.objects.exists()
    _evaluate(p, tree["A1"], default_set, below)  # recorded without a level
    assert Practice.objects.get(pk=p.pk).recognition_level == ""


@pytest.mark.parametrize("council", ["A1v", "A2", "Adep", "B", "B1"])
def test_council_below_or_beside_is_refused(tree: dict, default_set: CriteriaSet, council: str) -> None:
    p = make(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        _evaluate(p, tree[council], default_set, full_marks(default_set))
    assert "unit above" in exc.value.message_dict["council_unit"][0]
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "sibling", "pviewer", "other", "nobody"])
def test_evaluate_permissions(tree: dict, people: dict, default_set: CriteriaSet, who: str) -> None:
    p = make(tree["A1"])
    for council in ("A1", "A"):
        with pytest.raises(PermissionDenied):
            _evaluate(p, tree[council], default_set, full_marks(default_set), actor=people[who])
    assert not Evaluation.objects.exists()


def test_commune_officer_may_not_sit_for_the_province(tree: dict, people: dict, default_set: CriteriaSet) -> None:
    p = make(tree["A1"])
    with pytest.raises(PermissionDenied):
        _evaluate(p, tree["A"], default_set, full_marks(default_set), actor=people["officer"])


def test_evaluation_bad_input_and_double_submit(tree: dict, people: dict, default_set: CriteriaSet) -> None:
    p = make(tree["A1"])
    cases: list[tuple[dict[str, Any], str]] = [
        ({"evaluated_on": TODAY + dt.timedelta(days=1)}, "evaluated_on"),
        ({"evaluated_on": START - dt.timedelta(days=1)}, "evaluated_on"),
        ({"evaluated_on": "hôm nay"}, "evaluated_on"), ({"notes": "n" * 10001}, "notes")]
    for kw, field in cases:
        with pytest.raises(ValidationError) as exc:
            _evaluate(p, tree["A1"], default_set, full_marks(default_set), **kw)
        assert field in exc.value.message_dict, kw
    _evaluate(p, tree["A1"], default_set, full_marks(default_set))
    with pytest.raises(ValidationError) as exc:
        _evaluate(p, tree["A1"], default_set, full_marks(default_set))
    assert "evaluated_on" in exc.value.message_dict
    assert Evaluation.objects.count() == 1
    services.stop_practice(actor=None, practice=p, expected_version=1, reason="Dừng")
    with pytest.raises(ValidationError) as exc:
        _evaluate(p, tree["A"], default_set, full_marks(default_set))
    assert "practice" in exc.value.message_dict


def test_another_provinces_set_is_not_usable(tree: dict, people: dict, default_set: CriteriaSet) -> None:
    theirs = evaluation.create_criteria_set(actor=people["badmin"], owner=tree["B"], name="Bộ tiêu chí tỉnh B",
                                            pass_score=Decimal(5), criteria=[("Một", Decimal(10))])
    ours = evaluation.create_criteria_set(actor=people["padmin"], owner=tree["A"], name="Bộ tiêu chí Lai Châu",
                                          pass_score=Decimal(8), criteria=[("Hiệu quả", 6), ("Nhân rộng", "4")])
    p = make(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        _evaluate(p, tree["A1"], theirs, {c.pk: Decimal(1) for c in theirs.criteria.all()})
    assert "criteria_set" in exc.value.message_dict
    row = _evaluate(p, tree["A1"], ours, {c.pk: c.max_score for c in ours.criteria.all()}, level="commune")
    assert (row.total, row.max_total) == (Decimal(10), Decimal(10))
    assert list(evaluation.sets_for(tree["A1"])) == [ours, default_set]
    CriteriaSet.objects.filter(pk=ours.pk).update(is_active=False)
    with pytest.raises(ValidationError):
        _evaluate(p, tree["A1"], CriteriaSet.objects.get(pk=ours.pk), {}, evaluated_on=START)


# --------------------------------------------------------------------------- replication


def test_replicate(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    row = evaluation.replicate(actor=people["province"], practice=p, org_unit=tree["A2"], adopted_on=TODAY,
                               notes="Áp dụng cho tổ dân phố")
    assert row.org_unit == tree["A2"] and row.created_by == people["province"]
    ev = AuditEvent.objects.get(action="practices.replication.create")
    assert ev.org_unit_id == tree["A2"].pk
    with pytest.raises(ValidationError) as exc:
        evaluation.replicate(actor=people["province"], practice=p, org_unit=tree["A2"], adopted_on=TODAY)
    assert "already" in exc.value.message_dict["org_unit"][0]
    with pytest.raises(ValidationError) as exc:
        evaluation.replicate(actor=people["officer"], practice=p, org_unit=tree["A1"], adopted_on=TODAY)
    assert "own unit" in exc.value.message_dict["org_unit"][0]
    assert Replication.objects.count() == 1


def test_replicate_bad_dates(tree: dict) -> None:
    p = make(tree["A1"])
    for day in (TODAY + dt.timedelta(days=1), START - dt.timedelta(days=1), None, "01/01/2026"):
        with pytest.raises(ValidationError) as exc:
            evaluation.replicate(actor=None, practice=p, org_unit=tree["A2"], adopted_on=day)
        assert "adopted_on" in exc.value.message_dict
    assert not Replication.objects.exists()


def test_replicate_permissions(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    # The sibling commune may record for itself only once the practice is recognised (public).
    with pytest.raises(PermissionDenied):
        evaluation.replicate(actor=people["sibling"], practice=p, org_unit=tree["A2"], adopted_on=TODAY)
    # Nobody records for a unit they do not edit.
    for who, unit in (("officer", "A2"), ("viewer", "A2"), ("other", "A2"), ("nobody", "B1"), ("pviewer", "A2")):
        with pytest.raises(PermissionDenied):
            evaluation.replicate(actor=people[who], practice=p, org_unit=tree[unit], adopted_on=TODAY)
    Practice.objects.filter(pk=p.pk).update(recognition_level="commune", recognised_on=TODAY)
    p.refresh_from_db()
    evaluation.replicate(actor=people["sibling"], practice=p, org_unit=tree["A2"], adopted_on=TODAY)
    evaluation.replicate(actor=people["other"], practice=p, org_unit=tree["B1"], adopted_on=TODAY)
    assert Replication.objects.count() == 2


# --------------------------------------------------------------------------- criteria sets


def test_create_criteria_set(tree: dict, people: dict) -> None:
    rows = evaluation.parse_criteria("Có tên gọi, địa bàn | 10\n\n  Được Nhân dân ủng hộ | 15,5 \n")
    assert rows == [("Có tên gọi, địa bàn ", Decimal(10)), ("  Được Nhân dân ủng hộ ", Decimal("15.5"))]
    s = evaluation.create_criteria_set(actor=people["padmin"], owner=tree["A"], name="Bộ tiêu chí Lai Châu 2026",
                                       pass_score=Decimal(20), criteria=rows)
    assert [(c.name, c.max_score, c.order) for c in s.criteria.all()] == [
        ("Có tên gọi, địa bàn", Decimal(10), 1), ("Được Nhân dân ủng hộ", Decimal("15.5"), 2)]
    assert AuditEvent.objects.filter(action="practices.criteria_set.create").count() == 1
    with pytest.raises(ValidationError) as exc:
        evaluation.create_criteria_set(actor=people["padmin"], owner=tree["A"], name="bo tieu chi LAI CHAU 2026",
                                       pass_score=Decimal(20), criteria=rows)
    assert "name" in exc.value.message_dict


@pytest.mark.parametrize(("kw", "field"), [
    ({"name": ""}, "name"),
    ({"criteria": []}, "criteria"),
    ({"criteria": [("Một", 0)]}, "criteria"),
    ({"criteria": [("Một", 1001)]}, "criteria"),
    ({"criteria": [("", 10)]}, "criteria"),
    ({"criteria": [("Một", 10), ("MỘT", 5)]}, "criteria"),
    ({"criteria": [("Một", 10)] * 31}, "criteria"),
    ({"pass_score": Decimal(0)}, "pass_score"),
    ({"pass_score": Decimal(11)}, "pass_score"),
    ({"pass_score": "bảy"}, "pass_score"),
])
def test_criteria_set_bad_input(tree: dict, people: dict, kw: dict, field: str) -> None:
    values = {"name": "Bộ mới", "pass_score": Decimal(7), "criteria": [("Một", Decimal(10))], **kw}
    with pytest.raises(ValidationError) as exc:
        evaluation.create_criteria_set(actor=people["padmin"], owner=tree["A"], **values)
    assert field in exc.value.message_dict
    assert CriteriaSet.objects.count() == 1


def test_parse_criteria_names_the_line() -> None:
    with pytest.raises(ValidationError) as exc:
        evaluation.parse_criteria("Một | 10\nHai không có điểm")
    assert "Line 2" in exc.value.message_dict["criteria"][0]
    with pytest.raises(ValidationError):
        evaluation.parse_criteria("Một | mười")


@pytest.mark.parametrize(("who", "owner"), [("province", "A"), ("officer", "A"), ("padmin", "A1"),
                                            ("padmin", "B"), ("badmin", "A"), ("nobody", "A"), ("padmin", None)])
def test_criteria_set_permissions(tree: dict, people: dict, who: str, owner: str | None) -> None:
    with pytest.raises(PermissionDenied):
        evaluation.create_criteria_set(actor=people[who], owner=tree[owner] if owner else None, name="Bộ",
                                       pass_score=Decimal(5), criteria=[("Một", Decimal(10))])
    assert CriteriaSet.objects.count() == 1


def test_sets_visible_to(tree: dict, people: dict, default_set: CriteriaSet,
                         django_assert_max_num_queries: Any) -> None:
    a = evaluation.create_criteria_set(actor=None, owner=tree["A"], name="Lai Châu", pass_score=Decimal(5),
                                       criteria=[("Một", Decimal(10))])
    b = evaluation.create_criteria_set(actor=None, owner=tree["B"], name="Tỉnh B", pass_score=Decimal(5),
                                       criteria=[("Một", Decimal(10))])
    with django_assert_max_num_queries(3):
        seen = evaluation.sets_visible_to(people["officer"])
        assert {s.pk for s in seen} == {default_set.pk, a.pk} and all(len(s.criteria.all()) for s in seen)
    assert {s.pk for s in evaluation.sets_visible_to(people["badmin"])} == {default_set.pk, b.pk}
    assert {s.pk for s in evaluation.sets_visible_to(people["nobody"])} == {default_set.pk}
