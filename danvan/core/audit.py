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
    """Append one event. Must run inside the caller's transaction so it commits or rolls back with the change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside transaction.atomic()")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    ev = AuditEvent(
        seq=head.last_seq + 1,
        at=timezone.now(),
        actor=actor_obj,
        actor_label=(actor_obj.get_username() if actor_obj else (str(actor) if actor else "system"))[:200],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        org_unit=org_unit,
        summary=json.loads(json.dumps(summary or {}, default=str)),
        prev_hash=head.last_hash,
    )
    ev.hash = compute_hash(ev.prev_hash, _fields(ev))
    ev.save(force_insert=True)
    head.last_seq, head.last_hash = ev.seq, ev.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return ev


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
