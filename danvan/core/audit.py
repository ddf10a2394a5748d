"""The hash-chained audit log, written by service functions inside their own transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _canonical(event: dict[str, Any]) -> bytes:
    return json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def compute_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(fields)).hexdigest()


def _fields(ev: AuditEvent) -> dict[str, Any]:
    return {
        "seq": ev.seq,
        "at": ev.at.isoformat(),
        "actor": ev.actor_id,
        "actor_label": ev.actor_label,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "org_unit": ev.org_unit_id,
        "summary": ev.summary,
    }


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    org_unit: Any = None,
    summary: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction so it commits or rolls back with the change.

    Every audited write in the platform queues on the chain's head row from this call to its commit,
    so the time between the two is what limits concurrent writes. On PostgreSQL the append is one
    statement (``_append_postgres``): the database locks the head, advances it and inserts the event
    with the hash computed in SQL; elsewhere the head is locked, read and written in three.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must be called inside transaction.atomic()")
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    ev = AuditEvent(
        at=timezone.now(),
        actor=actor_obj,
        actor_label=(actor_obj.get_username() if actor_obj else (str(actor) if actor else "system"))[:200],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        org_unit=org_unit,
        summary=json.loads(json.dumps(summary or {}, default=str)),
    )
    if connection.vendor == "postgresql":
        if _append_postgres(connection, ev):
            return ev
        # The first event ever: no head row to update. Create it (a concurrent first writer waits on
        # the key and then does nothing) and append as always; the UPDATE then sees the committed row.
        with connection.cursor() as cur:
            cur.execute("INSERT INTO core_auditchainhead (id, last_seq, last_hash, prev_hash) VALUES (1, 0, %s, %s)"
                        " ON CONFLICT (id) DO NOTHING", [GENESIS, GENESIS])
        if _append_postgres(connection, ev):
            return ev
        raise RuntimeError("the audit chain's head row could not be created")  # pragma: no cover
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    ev.seq, ev.prev_hash = head.last_seq + 1, head.last_hash
    ev.hash = compute_hash(ev.prev_hash, _fields(ev))
    ev.save(force_insert=True)
    head.last_seq, head.last_hash, head.prev_hash = ev.seq, ev.hash, ev.prev_hash
    head.save(update_fields=["last_seq", "last_hash", "prev_hash"])
    return ev


# One statement: the UPDATE locks the head (waiting for a writer ahead of us) and, from the row's
# current values, sets the next number, keeps the previous hash and computes the new one exactly as
# ``compute_hash`` does (sha256 over the previous hash and the canonical JSON, in which "seq" is the
# only value the database supplies); the INSERT takes all three from it.
_APPEND_SQL = """
WITH head AS (
    UPDATE core_auditchainhead
    SET last_seq = last_seq + 1, prev_hash = last_hash,
        last_hash = encode(sha256(convert_to(last_hash || %s || (last_seq + 1)::text || %s, 'UTF8')), 'hex')
    WHERE id = 1
    RETURNING last_seq, prev_hash, last_hash
)
INSERT INTO core_auditevent
    (seq, at, actor_id, actor_label, action, object_type, object_id, org_unit_id, summary, prev_hash, hash)
SELECT head.last_seq, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, head.prev_hash, head.last_hash FROM head
RETURNING id, seq, prev_hash, hash
"""


def _append_postgres(connection: Any, ev: AuditEvent) -> bool:
    """Append ``ev`` in one statement; False when the head row does not exist yet (the first event)."""
    fields = _fields(ev)
    before = _canonical({k: v for k, v in fields.items() if k < "seq"}).decode()
    after = _canonical({k: v for k, v in fields.items() if k > "seq"}).decode()
    prefix, suffix = before[:-1] + ',"seq":', "," + after[1:]
    with connection.cursor() as cur:
        cur.execute(_APPEND_SQL, [
            prefix, suffix, ev.at, ev.actor_id, ev.actor_label, ev.action, ev.object_type, ev.object_id,
            ev.org_unit_id, json.dumps(ev.summary),
        ])
        row = cur.fetchone()
    if row is None:
        return False
    ev.pk, ev.seq, ev.prev_hash, ev.hash = row
    ev._state.adding, ev._state.db = False, connection.alias
    return True


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def _iter_events(batch: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_chain() -> VerifyResult:
    """Walk the chain from the start; name the first event whose link or content does not match."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    for ev in _iter_events():
        if ev.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, "missing")
        if ev.prev_hash != prev:
            return VerifyResult(False, checked, ev.seq, "link")
        if compute_hash(prev, _fields(ev)) != ev.hash:
            return VerifyResult(False, checked, ev.seq, "content")
        prev = ev.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head and (head.last_seq != checked or head.last_hash != prev):
        return VerifyResult(False, checked, checked + 1 if head.last_seq > checked else checked, "truncated")
    return VerifyResult(True, checked)
