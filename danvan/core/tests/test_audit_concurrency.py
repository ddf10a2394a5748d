"""Concurrent writers never fork the audit chain (PostgreSQL: real concurrent transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from danvan.core import audit
from danvan.core.models import AuditChainHead, AuditEvent

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            "needs PostgreSQL: SQLite takes its write lock at BEGIN IMMEDIATE, so writers never overlap "
            "and there is no race to test; its test database also cannot be flushed after a "
            "transactional test that wrote audit events (the append-only trigger refuses DELETE)"
        ),
    ),
]

THREADS = 4
PER_THREAD = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain() -> None:
    assert not AuditChainHead.objects.exists()  # the first writers also race to create the head row
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait(timeout=30)
            for i in range(PER_THREAD):
                with transaction.atomic():
                    audit.record("test.concurrent", summary={"thread": n, "i": i})
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    total = THREADS * PER_THREAD
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    prev_hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(prev_hashes)) == total  # no two events claim the same predecessor
    interleaved = list(AuditEvent.objects.order_by("seq").values_list("summary__thread", flat=True))
    assert len(set(interleaved)) == THREADS
    result = audit.verify_chain()
    assert (result.ok, result.checked) == (True, total)
