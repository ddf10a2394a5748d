"""The audit log: written inside the caller's transaction, hash-chained, refused changes by the database."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext

from danvan.core import audit
from danvan.core.models import AuditChainHead, AuditEvent


def _events(n: int, **kwargs: Any) -> list[AuditEvent]:
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(audit.record("test.event", summary={"i": i, "text": "Bắc Kạn"}, **kwargs))
    return out


def _drop_triggers() -> None:
    """What a database owner can always do: the hash chain is what catches it afterwards."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("DROP TRIGGER core_auditevent_no_change ON core_auditevent")
        elif connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER core_auditevent_no_update")
            cur.execute("DROP TRIGGER core_auditevent_no_delete")
        else:  # pragma: no cover - only the two supported databases
            pytest.skip(f"no append-only triggers on {connection.vendor}")


def _raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _verify_message() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_raises() -> None:
    with pytest.raises(RuntimeError, match="transaction"):
        audit.record("test.event")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_events_are_chained_and_verify(make_user: Any, tree: Any) -> None:
    user = make_user("canbo")
    events = _events(5, actor=user, org_unit=tree["A1"], obj=tree["A1"])
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == audit.GENESIS
    for prev, ev in zip(events, events[1:], strict=False):
        assert ev.prev_hash == prev.hash
    stored = AuditEvent.objects.get(seq=3)
    assert (stored.actor_id, stored.actor_label, stored.org_unit_id) == (user.pk, "canbo", tree["A1"].pk)
    assert (stored.object_type, stored.object_id) == ("orgs.orgunit", str(tree["A1"].pk))
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (5, events[-1].hash)
    result = audit.verify_chain()
    assert (result.ok, result.checked, result.broken_seq) == (True, 5, None)


@pytest.mark.django_db
def test_the_event_returned_is_the_one_stored_and_its_hash_is_computed_as_verify_does(make_user: Any, tree: Any) -> None:
    """On PostgreSQL the hash is computed by the database (one statement); it must equal Python's to the byte."""
    user = make_user("cán_bộ")
    awkward = {"text": "Đơn kiến nghị \"đường\" – số 3\nthôn Nà", "n": 12, "x": 1.5, "nested": {"b": [1, None, True]},
               "seq": 99, "empty": ""}
    with transaction.atomic():
        first = audit.record("test.first")  # the head row does not exist yet: created on the way
    with transaction.atomic():
        ev = audit.record("test.awkward", actor=user, obj=tree["A1"], org_unit=tree["A1"], summary=awkward)
    with transaction.atomic():
        anonymous = audit.record("test.system", summary={})
    for got in (first, ev, anonymous):
        stored = AuditEvent.objects.get(pk=got.pk)
        assert (stored.seq, stored.prev_hash, stored.hash, stored.at) == (got.seq, got.prev_hash, got.hash, got.at)
        assert stored.hash == audit.compute_hash(stored.prev_hash, audit._fields(stored))
    assert (first.seq, ev.seq, anonymous.seq) == (1, 2, 3)
    assert (ev.prev_hash, anonymous.prev_hash) == (first.hash, ev.hash)
    stored = AuditEvent.objects.get(pk=ev.pk)
    assert stored.summary == awkward and stored.actor_label == "cán_bộ" and stored.org_unit_id == tree["A1"].pk
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash, head.prev_hash) == (3, anonymous.hash, anonymous.prev_hash)
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_verify_command_prints_success() -> None:
    _events(4)
    with translation.override(settings.LANGUAGE_CODE):
        expected = gettext("Audit chain intact: %(n)d events verified.") % {"n": 4}
    assert expected in _verify_message()


@pytest.mark.django_db
def test_empty_log_verifies() -> None:
    assert audit.verify_chain().ok
    assert audit.verify_chain().checked == 0


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_event_and_no_gap() -> None:
    _events(2)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit.record("test.event")
        1 / 0  # noqa: B018 - the caller's change fails after the event was written
    _events(1)
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2, 3]
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_an_edited_event_is_named() -> None:
    _events(5)
    _drop_triggers()
    _raw("UPDATE core_auditevent SET action = %s WHERE seq = %s", ["test.forged", 3])
    result = audit.verify_chain()
    assert (result.ok, result.broken_seq, result.reason, result.checked) == (False, 3, "content", 2)
    with pytest.raises(CommandError) as exc:
        _verify_message()
    assert "#3" in str(exc.value)


@pytest.mark.django_db
def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link() -> None:
    events = _events(5)
    _drop_triggers()
    forged = AuditEvent.objects.get(seq=2)
    forged.summary = {"i": 99}
    new_hash = audit.compute_hash(forged.prev_hash, audit._fields(forged))
    _raw("UPDATE core_auditevent SET summary = %s, hash = %s WHERE seq = 2", ['{"i": 99}', new_hash])
    assert new_hash != events[1].hash
    result = audit.verify_chain()
    assert (result.ok, result.broken_seq, result.reason) == (False, 3, "link")
    with pytest.raises(CommandError, match="#3"):
        _verify_message()


@pytest.mark.django_db
def test_a_deleted_event_in_the_middle_is_named() -> None:
    _events(5)
    _drop_triggers()
    _raw("DELETE FROM core_auditevent WHERE seq = %s", [2])
    result = audit.verify_chain()
    assert (result.ok, result.broken_seq, result.reason) == (False, 2, "missing")
    with pytest.raises(CommandError, match="#2"):
        _verify_message()


@pytest.mark.django_db
def test_deleting_the_last_events_is_detected_as_truncation() -> None:
    _events(6)
    _drop_triggers()
    _raw("DELETE FROM core_auditevent WHERE seq >= %s", [5])
    result = audit.verify_chain()
    assert (result.ok, result.broken_seq, result.reason, result.checked) == (False, 5, "truncated", 4)
    with pytest.raises(CommandError, match="#5"):
        _verify_message()


@pytest.mark.django_db
def test_the_database_refuses_changes_through_the_orm() -> None:
    events = _events(3)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=2).update(action="test.forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        ev = AuditEvent.objects.get(seq=2)
        ev.action = "test.forged"
        ev.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=3).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        events[0].delete()
    assert list(AuditEvent.objects.values_list("seq", "action")) == [(1, "test.event"), (2, "test.event"), (3, "test.event")]
    assert audit.verify_chain().ok
