"""record() every write and every read of identifiable case data; verify() the chain.

Appends are serialised by locking the single ``core_audit_head`` row (``FOR UPDATE`` on
PostgreSQL; SQLite transactions are IMMEDIATE so they are serialised already). The lock is
held until the request commits, so callers record as late as they reasonably can.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from core.audit.models import AuditEvent, AuditHead
from core.db.base import utcnow

GENESIS = "0" * 64


def _canonical(seq: int, at: dt.datetime, actor: str, action: str, subject_type: str | None,
               subject_id: str | None, data: dict[str, Any], prev_hash: str) -> bytes:
    payload = {
        "seq": seq,
        "at": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "data": data,
        "prev": prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def _lock_head(session: Session) -> AuditHead:
    stmt = select(AuditHead).where(AuditHead.id == 1)
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    head = session.execute(stmt.execution_options(populate_existing=True)).scalar_one_or_none()
    if head is None:  # the migration inserts it; this only guards a hand-made database
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    return head


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str | None = None,
    subject_id: str | int | None = None,
    data: dict[str, Any] | None = None,
    request_id: str | None = None,
    ip: str | None = None,
) -> int:
    """Append one event in the caller's transaction. ``data`` must hold no case content:
    identifiers, field names and state names only."""
    from core.context import current_request_meta

    meta = current_request_meta()
    request_id = request_id or meta.get("request_id")
    ip = ip or meta.get("ip")
    data = json.loads(json.dumps(data or {}, default=str))
    sid = None if subject_id is None else str(subject_id)
    at = utcnow()
    head = _lock_head(session)
    seq = head.seq + 1
    digest = hashlib.sha256(
        _canonical(seq, at, actor, action, subject_type, sid, data, head.hash)
    ).hexdigest()
    session.execute(
        insert(AuditEvent).values(
            seq=seq, at=at, actor=actor, action=action, subject_type=subject_type,
            subject_id=sid, request_id=request_id, ip=ip, data=data,
            prev_hash=head.hash, hash=digest,
        )
    )
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=digest))
    head.seq, head.hash = seq, digest
    return seq


@dataclass
class VerifyResult:
    ok: bool
    events_checked: int
    first_broken_seq: int | None = None
    first_broken_id: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "events_checked": self.events_checked}
        if not self.ok:
            out.update(first_broken_seq=self.first_broken_seq, first_broken_id=self.first_broken_id,
                       reason=self.reason)
        return out


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order and name the first event whose hash does not hold.

    The head is read first: events appended while the walk runs (after the head was read) are
    left for the next check, so a live system never looks broken. Every event up to the head
    must be there, in sequence, each hash covering its content and the previous hash, and the
    last one must be the head (deleting events at the end is detected).
    """
    head = session.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)
    ).one_or_none()
    head_seq, head_hash = (head.seq, head.hash) if head is not None else (None, None)
    prev = GENESIS
    expected_seq = 1
    checked = 0
    last_id = 0
    table = AuditEvent.__table__
    while True:
        stmt = select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
        if head_seq is not None:
            stmt = stmt.where(table.c.seq <= head_seq)
        rows = session.execute(stmt).all()
        if not rows:
            break
        for ev in rows:
            last_id = ev.id
            checked += 1
            if ev.seq != expected_seq:
                return VerifyResult(False, checked, ev.seq, ev.id,
                                    f"expected sequence {expected_seq} (events are missing or reordered)")
            if ev.prev_hash != prev:
                return VerifyResult(False, checked, ev.seq, ev.id, "previous hash does not match")
            digest = hashlib.sha256(
                _canonical(ev.seq, ev.at, ev.actor, ev.action, ev.subject_type, ev.subject_id,
                           ev.data or {}, ev.prev_hash)
            ).hexdigest()
            if digest != ev.hash:
                return VerifyResult(False, checked, ev.seq, ev.id, "content does not match its hash")
            prev = ev.hash
            expected_seq += 1
    if head_seq is not None and (head_seq != expected_seq - 1 or head_hash != prev):
        return VerifyResult(False, checked, expected_seq if head_seq >= expected_seq else head_seq, None,
                            "events are missing from the end of the chain")
    return VerifyResult(True, checked)
