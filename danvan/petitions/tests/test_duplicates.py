"""Duplicate candidates (scope, diacritics, whistleblower protection) and linking a duplicate to its original."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from danvan.core.audit import AuditEvent
from danvan.core.exceptions import ConcurrentEditError
from danvan.petitions import duplicates, identity
from danvan.petitions.models import Petition, PetitionEvent

from . import fixtures_cases
from .fixtures_cases import receive

fields, people = fixtures_cases.fields, fixtures_cases.people  # fixtures used by name

pytestmark = pytest.mark.django_db

LAND = "Khiếu nại quyết định thu hồi đất ở thôn Bản Thẳm của ông Nguyễn Văn An"


def pks(found: list[duplicates.Candidate]) -> set[int]:
    return {c.petition.pk for c in found}


def test_similarity_matches_pg_trgm_and_ignores_marks() -> None:
    assert duplicates.similarity("word", "two words") == pytest.approx(4 / 11, abs=1e-3)  # pg_trgm's documented answer
    a = duplicates.search_text_for("Khiếu nại thu hồi ĐẤT", "")
    assert duplicates.similarity(a, "khieu nai thu hoi dat") == 1.0
    assert duplicates.similarity("", "abc") == 0.0


def test_same_filer_and_similar_content_across_subtree_and_levels(tree: Any, people: Any) -> None:
    same_filer = receive(tree["A1"], summary="Đề nghị cấp giấy chứng nhận", filer_name="Nguyễn Văn An")
    similar = receive(tree["A1v"], kind="feedback", summary="khieu nai quyet dinh thu hoi dat o thon Ban Tham",
                      filer_name="Lò Văn Bảo")
    province = receive(tree["A"], summary=LAND, filer_name="Hoàng Thị C")
    sibling = receive(tree["A2"], summary=LAND, filer_name="Nguyễn Văn An")
    other = receive(tree["B1"], summary=LAND, filer_name="Nguyễn Văn An")
    unrelated = receive(tree["A1"], summary="Phản ánh đèn đường hỏng", kind="feedback", filer_name="Tòng Văn D")

    found = duplicates.candidates(people["province_officer"], summary=LAND, filer_name="Nguyễn Văn An",
                                  unit=tree["A1"])
    assert pks(found) == {same_filer.pk, similar.pk, province.pk}  # not the sibling, other province, unrelated
    assert found[0].petition.pk == same_filer.pk and found[0].same_filer
    assert all(0 <= c.score <= 1 for c in found)
    assert not next(c for c in found if c.petition.pk == similar.pk).same_filer
    assert sibling.pk not in pks(found) and other.pk not in pks(found) and unrelated.pk not in pks(found)

    # A commune officer never learns of the province's petition (not even a count): it is invisible to them.
    found = duplicates.candidates(people["officer"], summary=LAND, filer_name="Nguyễn Văn An", unit=tree["A1"])
    assert pks(found) == {same_filer.pk, similar.pk}
    # Without a unit: everything the user may see.
    assert sibling.pk in pks(duplicates.candidates(people["province_officer"], summary=LAND))
    # Exclude and limit.
    found = duplicates.candidates(people["province_officer"], summary=LAND, unit=tree["A1"], exclude=province, limit=1)
    assert len(found) == 1 and found[0].petition.pk != province.pk


def test_nobody_and_anonymous_get_nothing(tree: Any, people: Any) -> None:
    receive(tree["A1"], summary=LAND)
    for who in ("nobody", "anon", "other_province"):
        assert duplicates.candidates(people[who], summary=LAND, filer_name="Nguyễn Văn An", unit=tree["A1"]) == []
    assert duplicates.candidates(people["officer"], summary="", filer_name="") == []


def test_denunciation_matches_its_filer_only_for_its_handler(tree: Any, people: Any) -> None:
    den = receive(tree["A1"], kind="denunciation", summary="Tố cáo cán bộ địa chính nhận tiền",
                  identity={"name": "Trần Thị Tố Giác", "address": "Bản Thẳm"})
    query: dict[str, Any] = {"summary": "Đề nghị giải quyết tranh chấp", "filer_name": "Trần Thị Tố Giác", "filer_address": "Bản Thẳm"}
    assert den.pk not in pks(duplicates.candidates(people["officer"], unit=tree["A1"], **query))
    assert den.pk not in pks(duplicates.candidates(people["head"], unit=tree["A1"], **query))
    from danvan.petitions import services

    services.assign_handler(actor=people["head"], petition=den, user=people["handler"])
    assert identity.can_reveal(people["handler"], den)
    found = duplicates.candidates(people["handler"], unit=tree["A1"], **query)
    assert pks(found) == {den.pk} and found[0].same_filer
    # Its content still matches for everyone who can see it.
    assert den.pk in pks(duplicates.candidates(people["officer"], summary="to cao can bo dia chinh nhan tien"))


def test_query_count(tree: Any, people: Any, django_assert_max_num_queries: Any) -> None:
    for _ in range(5):
        receive(tree["A1"], summary=LAND)
    with django_assert_max_num_queries(9):  # PostgreSQL: the scope, same filer, SET LOCAL + the pool in a savepoint, the visible rows
        assert len(duplicates.candidates(people["officer"], summary=LAND, filer_name="X", unit=tree["A1"])) == 5


# --------------------------------------------------------------------------- link_duplicate


def test_link_duplicate_records_event_and_audit(tree: Any, people: Any) -> None:
    original = receive(tree["A1"], summary=LAND)
    dup = receive(tree["A1"], summary=LAND)
    version = dup.lock_version
    out = duplicates.link_duplicate(actor=people["officer"], petition=dup, original=original)
    assert out.duplicate_of_id == original.pk and dup.duplicate_of_id == original.pk
    assert Petition.objects.get(pk=dup.pk).lock_version == version + 1
    event = PetitionEvent.objects.get(petition=dup, action="link_duplicate")
    assert event.data["original"] == original.pk and event.from_status == event.to_status == dup.status
    assert AuditEvent.objects.filter(action="petitions.petition.link_duplicate", object_id=str(dup.pk)).exists()
    # Linking again to the same original is a no-op.
    again = duplicates.link_duplicate(actor=people["officer"], petition=out, original=original)
    assert again.lock_version == out.lock_version


def test_link_follows_to_the_root_and_refuses_cycles(tree: Any, people: Any) -> None:
    root = receive(tree["A1"], summary=LAND)
    child = receive(tree["A1"], summary=LAND)
    third = receive(tree["A1"], summary=LAND)
    child = duplicates.link_duplicate(actor=people["officer"], petition=child, original=root)
    third = duplicates.link_duplicate(actor=people["officer"], petition=third, original=child)
    assert third.duplicate_of_id == root.pk  # linked to the root, not to a duplicate
    root.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        duplicates.link_duplicate(actor=people["officer"], petition=root, original=child)
    assert "original" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        duplicates.link_duplicate(actor=people["officer"], petition=root, original=root)
    assert "original" in exc.value.message_dict
    assert Petition.objects.get(pk=root.pk).duplicate_of_id is None
    # A petition that others duplicate takes them along to its new original: no chains.
    new_root = receive(tree["A1"], summary=LAND)
    duplicates.link_duplicate(actor=people["officer"], petition=root, original=new_root)
    assert set(Petition.objects.filter(duplicate_of=new_root).values_list("pk", flat=True)) == {
        root.pk, child.pk, third.pk}


def test_link_permissions_and_bad_input(tree: Any, people: Any) -> None:
    original = receive(tree["A1"], summary=LAND)
    dup = receive(tree["A1"], summary=LAND)
    far = receive(tree["B1"], summary=LAND)
    for who in ("viewer", "other_commune", "other_province", "nobody"):
        with pytest.raises(PermissionDenied):
            duplicates.link_duplicate(actor=people[who], petition=dup, original=original)
    with pytest.raises(ValidationError) as exc:  # an original the officer cannot see: not told it exists
        duplicates.link_duplicate(actor=people["officer"], petition=dup, original=far)
    assert "original" in exc.value.message_dict
    stale = Petition.objects.get(pk=dup.pk)
    duplicates.link_duplicate(actor=people["officer"], petition=dup, original=original)
    with pytest.raises(ConcurrentEditError):
        duplicates.link_duplicate(actor=people["handler"], petition=stale, original=receive(tree["A1"]))
    assert Petition.objects.get(pk=dup.pk).duplicate_of_id == original.pk
    assert PetitionEvent.objects.filter(petition=dup, action="link_duplicate").count() == 1
