"""Over-level on intake (across levels, closed cases, siblings, denunciations) and prolonged cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from danvan.petitions import flags
from danvan.petitions.models import Petition, PetitionStatus

from . import fixtures_cases
from .fixtures_cases import D, bring_to, receive

fields, people = fixtures_cases.fields, fixtures_cases.people  # fixtures used by name

pytestmark = pytest.mark.django_db
S = PetitionStatus
LAND = "Khiếu nại quyết định thu hồi đất ở thôn Bản Thẳm"


def test_commune_open_then_province_intake_is_over_level(tree: Any) -> None:
    lower = receive(tree["A1"], summary=LAND, filer_name="Nguyễn Văn An")
    upper = receive(tree["A"], summary="Đơn gửi lần hai lên tỉnh", filer_name="Nguyễn Văn An")  # same filer
    assert upper.over_level and upper.over_level_of_id == lower.pk
    stored = Petition.objects.get(pk=upper.pk)
    assert stored.over_level and stored.over_level_of_id == lower.pk and stored.lock_version == 1
    # Alike content, another filer, still over-level; the lower case itself is untouched.
    by_text = receive(tree["A"], summary="khieu nai quyet dinh thu hoi dat o thon Ban Tham", filer_name="Lò Văn B")
    assert by_text.over_level_of_id == lower.pk
    assert not Petition.objects.get(pk=lower.pk).over_level


def test_village_case_counts_below_the_commune(tree: Any) -> None:
    lower = receive(tree["A1v"], summary=LAND, filer_name="Nguyễn Văn An")
    assert receive(tree["A1"], summary=LAND, filer_name="Nguyễn Văn An").over_level_of_id == lower.pk


@pytest.mark.parametrize("status", [S.RESOLVED, S.CLOSED, S.FILED_AWAY, S.WITHDRAWN])
def test_decided_or_closed_lower_case_is_no_flag(tree: Any, fields: Any, status: str) -> None:
    bring_to(receive(tree["A1"], summary=LAND), status, fields["land"])
    assert not receive(tree["A"], summary=LAND).over_level


def test_suspended_lower_case_still_flags(tree: Any, fields: Any) -> None:
    lower = bring_to(receive(tree["A1"], summary=LAND), S.SUSPENDED, fields["land"])
    assert receive(tree["A"], summary=LAND).over_level_of_id == lower.pk


def test_sibling_same_level_other_province_and_unrelated_are_no_flag(tree: Any) -> None:
    receive(tree["A2"], summary=LAND, filer_name="Nguyễn Văn An")  # a sibling commune
    assert not receive(tree["A1"], summary=LAND, filer_name="Nguyễn Văn An").over_level
    receive(tree["B1"], summary=LAND, filer_name="Lê Văn E")  # another province's commune
    assert not receive(tree["A"], summary="Phản ánh đèn đường hỏng", kind="feedback", filer_name="Lê Văn E",
                       received_on=D(2026, 7, 10)).over_level
    assert not receive(tree["B"], summary="Đơn khác hẳn về thuế", filer_name="Tòng Văn F").over_level


def test_denunciation_filer_is_never_matched(tree: Any) -> None:
    receive(tree["A1"], kind="denunciation", summary="Tố cáo cán bộ", identity={"name": "Nguyễn Văn An"})
    # Same person (by the keyed hash) files an unrelated complaint at the province: no flag from the filer.
    assert not receive(tree["A"], summary="Khiếu nại về thuế đất", filer_name="Nguyễn Văn An").over_level


def test_mark_prolonged_sets_once_and_keeps_history(tree: Any, fields: Any, settings: Any) -> None:
    settings.DANVAN_PROLONGED_DAYS = {"complaint": 30, "feedback": 10}
    old = receive(tree["A1"], received_on=D(2026, 6, 1))
    fresh = receive(tree["A1"], received_on=D(2026, 7, 10))
    feedback = receive(tree["A1"], kind="feedback", filer_name="B", received_on=D(2026, 7, 1))
    closed = bring_to(receive(tree["A1"], received_on=D(2026, 6, 1)), S.CLOSED, fields["land"])
    today = D(2026, 7, 15)
    assert flags.mark_prolonged(today) == 2
    got = dict(Petition.objects.values_list("pk", "prolonged_since"))
    assert got[old.pk] == today and got[feedback.pk] == today
    assert got[fresh.pk] is None and got[closed.pk] is None
    assert flags.mark_prolonged(today + dt.timedelta(days=1)) == 0  # set once
    assert Petition.objects.get(pk=old.pk).prolonged_since == today


def test_the_same_filer_wins_over_likeness_and_the_oldest_case_is_pointed_at(tree: Any) -> None:
    """Several cases below: the filer's own oldest one, else the oldest of the alike ones (on both databases)."""
    alike_old = receive(tree["A1v"], summary=LAND, filer_name="Lò Văn B", received_on=D(2026, 6, 1))
    receive(tree["A1"], summary=LAND, filer_name="Lò Văn C", received_on=D(2026, 6, 20))  # alike, newer
    mine_new = receive(tree["A1"], summary="Đơn về tiền bồi thường", filer_name="Nguyễn Văn An",
                       received_on=D(2026, 6, 25))
    mine_old = receive(tree["A2"], summary="Đơn về lối đi chung", filer_name="Nguyễn Văn An",
                       received_on=D(2026, 6, 10))
    by_filer = receive(tree["A"], summary=LAND, filer_name="Nguyễn Văn An")
    assert by_filer.over_level_of_id == mine_old.pk != mine_new.pk
    by_text = receive(tree["A"], summary=LAND, filer_name="Đèo Thị D")
    assert by_text.over_level_of_id == alike_old.pk


def test_a_case_at_the_same_unit_is_not_over_level(tree: Any) -> None:
    receive(tree["A"], summary=LAND, filer_name="Nguyễn Văn An")
    assert not receive(tree["A"], summary=LAND, filer_name="Nguyễn Văn An").over_level


def test_a_unit_created_after_its_parents_size_was_remembered_is_still_searched(tree: Any) -> None:
    """The remembered subtree size only picks a plan: a new village's case is found at once."""
    from danvan.orgs import services as orgs
    from danvan.orgs.models import OrgKind
    from danvan.orgs.sizes import subtree_size

    before = subtree_size(tree["A2"].path)
    village = orgs.create_unit(actor=None, kind=OrgKind.objects.get(code="village"), name="Tổ dân phố 9",
                               parent=tree["A2"], audit_event=False)
    assert subtree_size(tree["A2"].path) == before  # still the remembered, stale number
    lower = receive(village, summary=LAND, filer_name="Nguyễn Văn An")
    assert receive(tree["A2"], summary=LAND, filer_name="Nguyễn Văn An").over_level_of_id == lower.pk
