"""The daily scan: who is told about overdue cases, what they are told, and that nobody is told twice."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from danvan.notifications.models import Notification
from danvan.petitions import tasks
from danvan.petitions.models import Petition

from . import fixtures_cases
from .fixtures_cases import D, receive

fields, people = fixtures_cases.fields, fixtures_cases.people  # fixtures used by name

pytestmark = pytest.mark.django_db
SCAN_DAY = D(2026, 8, 3)
SECRET_CONTENT = "Cán bộ Phạm Văn Tham nhận hối lộ tại bến xe"


@pytest.fixture
def cases(tree: Any, people: Any) -> dict[str, Petition]:
    return {
        "late": receive(tree["A1"], content="Nội dung riêng của người khiếu nại"),
        "denunciation": receive(tree["A1"], kind="denunciation", summary="Tố cáo hành vi nhận hối lộ",
                                content=SECRET_CONTENT, identity={"name": "Trần Thị Tố Giác", "address": "Bản Thẳm"}),
        "not_yet": receive(tree["A1"], received_on=D(2026, 8, 3)),
        "other": receive(tree["B1"]),
    }


def notes_for(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("pk"))


def test_heads_of_the_unit_and_the_unit_above_are_told_once(cases: dict[str, Petition], people: Any) -> None:
    result = tasks.scan(SCAN_DAY)
    assert result.overdue == 3  # late and denunciation of A1, and B1's
    late, den = cases["late"], cases["denunciation"]
    for who in ("head", "province_head"):
        keys = {n.key for n in notes_for(people[who])}
        assert keys == {tasks.notification_key(late.pk, late.next_due), tasks.notification_key(den.pk, den.next_due)}
    for who in ("officer", "handler", "viewer", "other_commune", "province_officer"):
        assert notes_for(people[who]) == []
    assert {n.key for n in notes_for(people["other_province"])} == {
        tasks.notification_key(cases["other"].pk, cases["other"].next_due)}
    marked = dict(Petition.objects.values_list("pk", "overdue_notified_on"))
    assert marked[late.pk] == SCAN_DAY and marked[cases["not_yet"].pk] is None
    assert result.notifications == Notification.objects.count() == 5

    # A second run the same day, or the next day on the same deadline, tells nobody again.
    assert tasks.scan(SCAN_DAY).notifications == 0
    assert tasks.scan(D(2026, 8, 4)).overdue == 0
    assert Notification.objects.count() == 5


def test_a_new_deadline_missed_is_told_again(cases: dict[str, Petition]) -> None:
    tasks.scan(SCAN_DAY)
    late = cases["late"]
    Petition.objects.filter(pk=late.pk).update(next_due=D(2026, 8, 10))  # e.g. after an extension
    assert tasks.scan(D(2026, 8, 11)).overdue == 1


def test_texts_name_the_case_never_the_filer_or_the_content(cases: dict[str, Petition], people: Any) -> None:
    tasks.scan(SCAN_DAY)
    den = cases["denunciation"]
    notes = Notification.objects.filter(key=tasks.notification_key(den.pk, den.next_due))
    assert notes.count() == 2
    for n in notes:
        text = f"{n.title} {n.body} {n.url}"
        assert den.next_due is not None
        assert f"{den.number}/{den.number_year}" in text and den.next_due.strftime("%d/%m/%Y") in text
        for secret in ("Trần Thị Tố Giác", "Tố Giác", "Bản Thẳm", "hối lộ", "Phạm Văn Tham", den.summary):
            assert secret not in text
    late = Notification.objects.filter(key=tasks.notification_key(cases["late"].pk, cases["late"].next_due)).first()
    assert late is not None and "Nguyễn Văn An" not in late.title + late.body and "riêng" not in late.body


def test_scan_is_a_few_queries_per_batch(cases: dict[str, Petition], django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(20):
        tasks.scan(SCAN_DAY)


def test_command_and_task(cases: dict[str, Petition]) -> None:
    out = StringIO()
    call_command("petitions_scan", "--date", "2026-08-03", stdout=out)
    assert Notification.objects.count() == 5 and out.getvalue().strip()
    with pytest.raises(CommandError):
        call_command("petitions_scan", "--date", "03/08/2026")
    result = tasks.daily_scan.enqueue(today="2026-08-03")  # the immediate backend in tests
    assert result.return_value is not None and result.return_value["notifications"] == 0
