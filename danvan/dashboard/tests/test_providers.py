"""Each module's figure provider: what it counts, for which unit, in which period, in one grouped query."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from danvan.dashboard import registry
from danvan.petitions.models import Petition, PetitionEvent, PetitionStatus
from danvan.petitions.tests import fixtures_cases
from danvan.petitions.tests.fixtures_cases import bring_to, receive, step
from danvan.surveys.tests.test_index_support import make_survey, respond

fields = fixtures_cases.fields  # fixture used by name

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 8, 20)
NOW = timezone.make_aware(dt.datetime(2026, 8, 20, 12, 0))
RESOLVED_AT = timezone.make_aware(dt.datetime(2026, 8, 16, 10, 0))


def period(key: str, today: dt.date = TODAY) -> registry.PeriodRange:
    return registry.parse_period(key, today)


def provide(key: str, p: registry.PeriodRange) -> dict[int, tuple[float | None, float | None]]:
    fig = registry.get(key)
    assert fig is not None
    return fig.provider(p)


# --------------------------------------------------------------------------- data builders (plain model writes)


def petitions(tree: Any, fields: Any) -> None:
    """A1: resolved on time; A1v: resolved late; B1: resolved on time; A2: accepted, not resolved."""
    bring_to(receive(tree["A1"]), PetitionStatus.RESOLVED, fields["land"])
    late = bring_to(receive(tree["A1v"], received_on=D(2026, 1, 5)), PetitionStatus.ACCEPTED, fields["land"])
    Petition.objects.filter(pk=late.pk).update(accepted_on=D(2026, 1, 12))
    late.refresh_from_db()
    step(late, "resolve", decision_number="1/QĐ", decision_on=D(2026, 7, 1), outcome="rejected")
    bring_to(receive(tree["B1"]), PetitionStatus.RESOLVED, fields["land"])
    bring_to(receive(tree["A2"]), PetitionStatus.ACCEPTED, fields["land"])
    # The resolving steps happened "now": date them in 2026 so that the figures do not depend on the clock.
    PetitionEvent.objects.filter(to_status=PetitionStatus.RESOLVED).update(at=RESOLVED_AT)


def reports(tree: Any, kinds: Any) -> None:
    """A period due 05/06/2026: A1 on time, A2 late, Adep not sent, B1 not expected any more."""
    from danvan.reports.models import Period, PeriodKind, ReportForm, ReportingRegime, Submission

    form = ReportForm.objects.create(code="dash-form", name="Báo cáo (thử)", status="published",
                                     published_at=timezone.now())
    regime = ReportingRegime.objects.create(name="Báo cáo 2026", owner=tree["A"], scope_root=tree["A"], form=form,
                                            period_kinds=[PeriodKind.HALF_YEAR])
    p = Period.objects.create(regime=regime, kind=PeriodKind.HALF_YEAR, year=2026, number=1, label="6 tháng 2026",
                              starts_on=D(2025, 12, 15), ends_on=D(2026, 5, 31), due_on=D(2026, 6, 5))
    Submission.objects.create(period=p, org_unit=tree["A1"], anchor=tree["A1"], status="submitted")
    Submission.objects.create(period=p, org_unit=tree["A2"], anchor=tree["A2"], status="accepted", is_late=True)
    Submission.objects.create(period=p, org_unit=tree["Adep"], anchor=tree["A"])
    Submission.objects.create(period=p, org_unit=tree["B1"], anchor=tree["B1"], status="submitted", expected=False)


def surveys(tree: Any) -> None:
    """A1: 4 element answers, 2 satisfied; A1v: 1 of 1; a voided one and one of 2025 left out."""
    survey = make_survey(tree["A1"])
    respond(survey, {"c1-1-s": 5, "c1-2-s": 4, "c3-1-s": 5}, on=D(2026, 7, 1))  # both elements satisfied
    respond(survey, {"c1-1-s": 4, "c1-2-s": 3, "c3-1-s": 2}, on=D(2026, 7, 2))  # neither
    respond(survey, {"c3-1-s": 5}, on=D(2026, 7, 3), unit=tree["A1v"])
    respond(survey, {"c3-1-s": 5}, on=D(2026, 7, 3), voided=True)
    respond(survey, {"c3-1-s": 1}, on=D(2025, 7, 3))


def dialogues(tree: Any) -> None:
    """A1 held 1 in 2026 (a planned and a deleted one do not count); A2 owns commitments: 1 kept of 3 due."""
    from danvan.dialogues.models import Commitment, Dialogue

    def dialogue(unit: Any, on: dt.date, status: str = "held", **kw: Any) -> Any:
        return Dialogue.objects.create(org_unit=unit, kind="citizens", title="Đối thoại", held_on=on, status=status,
                                       **kw)

    held = dialogue(tree["A1"], D(2026, 3, 10))
    dialogue(tree["A1"], D(2026, 9, 10), status="planned")
    dialogue(tree["A1"], D(2026, 3, 11), deleted_at=timezone.now())
    dialogue(tree["B1"], D(2025, 3, 10))
    cancelled = dialogue(tree["A1"], D(2026, 3, 12), status="cancelled")

    def promise(due: dt.date, status: str = "open", done: dt.date | None = None, at: Any = held, **kw: Any) -> None:
        Commitment.objects.create(dialogue=at, text="Sửa đường", owner_unit=tree["A2"], due_on=due, status=status,
                                  done_on=done, **kw)

    promise(D(2026, 5, 1), "done", D(2026, 4, 30))  # kept
    promise(D(2026, 5, 1), "done", D(2026, 5, 10))  # done late
    promise(D(2026, 6, 1))  # overdue
    promise(D(2026, 12, 1))  # not due yet
    promise(D(2026, 5, 1), deleted_at=timezone.now())
    promise(D(2026, 5, 1), at=cancelled)


def disclosures(tree: Any) -> None:
    """A1 disclosed 2 items in 2026 (one later withdrawn); a draft and a deleted one do not count."""
    from danvan.disclosures.models import Disclosure, DisclosureCategory

    cat = DisclosureCategory.objects.order_by("pk")[0]
    for status, on, extra in (("published", D(2026, 2, 1), {}), ("withdrawn", D(2026, 3, 1), {}),
                              ("draft", None, {}), ("published", D(2026, 4, 1), {"deleted_at": timezone.now()})):
        Disclosure.objects.create(org_unit=tree["A1"], category=cat, title="Công khai", status=status,
                                  disclosed_on=on, **extra)


def practices(tree: Any) -> None:
    """2026: A1 registered one (Q1), A2 one (Q2) recognised on 01/10/2026; a 2025 one and a deleted one."""
    from danvan.practices.models import Practice, PracticeField

    field = PracticeField.objects.order_by("pk")[0]

    def practice(unit: Any, year: int, starts: dt.date, name: str, **kw: Any) -> None:
        Practice.objects.create(org_unit=unit, year=year, name=name, name_key=name.lower(), field=field,
                                goals="Mục tiêu", starts_on=starts, responsible_person="Chủ tịch", **kw)

    practice(tree["A1"], 2026, D(2026, 2, 1), "Mô hình A")
    practice(tree["A2"], 2026, D(2026, 5, 1), "Mô hình B", recognition_level="commune", recognised_on=D(2026, 8, 1))
    practice(tree["A1"], 2025, D(2025, 2, 1), "Mô hình C", recognition_level="province", recognised_on=D(2025, 12, 1))
    practice(tree["A1"], 2026, D(2026, 3, 1), "Mô hình D", deleted_at=timezone.now())


def disseminations(tree: Any) -> None:
    from danvan.oversight.models import Dissemination

    for unit, on, extra in ((tree["Adep"], D(2026, 4, 1), {}), (tree["A1v"], D(2026, 5, 1), {}),
                            (tree["A1v"], D(2026, 5, 2), {}), (tree["A1v"], D(2026, 5, 3), {"deleted_at": timezone.now()})):
        Dissemination.objects.create(org_unit=unit, title="Quán triệt", held_on=on, participants=30, **extra)


def everything(tree: Any, kinds: Any, fields: Any) -> None:
    petitions(tree, fields)
    reports(tree, kinds)
    surveys(tree)
    dialogues(tree)
    disclosures(tree)
    practices(tree)
    disseminations(tree)


# --------------------------------------------------------------------------- tests


def test_no_data_no_entry_for_any_module(tree: Any) -> None:
    for fig in registry.figures():
        assert fig.provider(period("2026")) == {}, fig.key


def test_petitions_on_time_rate(tree: Any, fields: Any, django_assert_max_num_queries: Any) -> None:
    petitions(tree, fields)
    with django_assert_max_num_queries(2):
        got = provide("petitions.on_time_rate", period("2026"))
    assert got == {tree["A1"].pk: (1.0, 1.0), tree["A1v"].pk: (0.0, 1.0), tree["B1"].pk: (1.0, 1.0)}
    assert provide("petitions.on_time_rate", period("2026-Q3")) == got
    assert provide("petitions.on_time_rate", period("2026-Q2")) == {}
    assert provide("petitions.on_time_rate", period("2025")) == {}


def test_reports_timeliness_rate(tree: Any, kinds: Any, django_assert_max_num_queries: Any) -> None:
    reports(tree, kinds)
    with django_assert_max_num_queries(1):
        got = provide("reports.timeliness_rate", period("2026"))
    assert got == {tree["A1"].pk: (1.0, 1.0), tree["A2"].pk: (0.0, 1.0), tree["Adep"].pk: (0.0, 1.0)}
    assert provide("reports.timeliness_rate", period("2026-Q2")) == got
    assert provide("reports.timeliness_rate", period("2026-Q1")) == {}
    # On the deadline day nothing is late yet: the reports are not counted until it has passed.
    assert provide("reports.timeliness_rate", period("2026", D(2026, 6, 5))) == {}


def test_surveys_satisfaction_index(tree: Any, django_assert_max_num_queries: Any) -> None:
    surveys(tree)
    with django_assert_max_num_queries(2):
        got = provide("surveys.satisfaction_index", period("2026"))
    assert got == {tree["A1"].pk: (2.0, 4.0), tree["A1v"].pk: (1.0, 1.0)}
    assert provide("surveys.satisfaction_index", period("2026-Q1")) == {}
    assert provide("surveys.satisfaction_index", period("2025")) == {tree["A1"].pk: (0.0, 1.0)}


def test_dialogues_held_and_commitments_kept(tree: Any, django_assert_max_num_queries: Any) -> None:
    dialogues(tree)
    with django_assert_max_num_queries(1):
        assert provide("dialogues.held", period("2026")) == {tree["A1"].pk: (1.0, None)}
    assert provide("dialogues.held", period("2025")) == {tree["B1"].pk: (1.0, None)}
    with django_assert_max_num_queries(1):
        got = provide("dialogues.commitments_kept_rate", period("2026"))
    assert got == {tree["A2"].pk: (1.0, 3.0)}  # the host unit A1 owns none
    assert provide("dialogues.commitments_kept_rate", period("2026-Q2")) == {tree["A2"].pk: (1.0, 3.0)}
    assert provide("dialogues.commitments_kept_rate", period("2026-Q1")) == {}


def test_disclosures_made(tree: Any, django_assert_max_num_queries: Any) -> None:
    disclosures(tree)
    with django_assert_max_num_queries(1):
        assert provide("disclosures.made", period("2026")) == {tree["A1"].pk: (2.0, None)}
    assert provide("disclosures.made", period("2026-Q1")) == {tree["A1"].pk: (2.0, None)}
    assert provide("disclosures.made", period("2026-Q2")) == {}
