"""record() every write and every read of identifiable case data; seal() and verify() the chain.

Every event is inserted in the caller's transaction, so it commits or rolls back with the change
it describes. How it joins the hash chain depends on the sealing mode (``ECR_AUDIT_SEALING``):

- **inline**: the event is chained at once. Appends are serialised by
  locking the single ``core_audit_head`` row (SQLite transactions are IMMEDIATE, so they are
  serialised already), and the lock is held until the request commits.
- **deferred** (the default): the event is inserted with ``seq``, ``prev_hash`` and
  ``hash`` empty, taking no lock, so audited requests never queue behind each other's commit.
  :func:`seal` (run by the worker every poll, and by ``ecr audit seal``) locks the head and
  chains the unsealed events it can see. Under READ COMMITTED it sees only committed events (and
  its own transaction's), so a sealed event can never be rolled back out of the chain; an event
  committed late simply gets a later place. The chain order is ``seq``, not ``id``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from core.audit.models import AuditEvent, AuditHead
from core.db.base import utcnow

GENESIS = "0" * 64
_EVENTS = AuditEvent.__table__
_HEAD = AuditHead.__table__
_INSERT_EVENT = _EVENTS.insert()  # built once: every append is this statement with new values


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


def _digest(seq: int, ev: Any, prev_hash: str) -> str:
    return hashlib.sha256(_canonical(seq, ev["at"], ev["actor"], ev["action"], ev["subject_type"],
                                     ev["subject_id"], ev["data"] or {}, prev_hash)).hexdigest()


def sealing_mode(session: Session) -> str:
    """"inline" or "deferred" for this session (``session.info`` wins over the settings)."""
    mode = session.info.get("audit_sealing")
    if mode is None:
        from core.settings import get_settings

        mode = get_settings().audit_sealing
    return mode


def _lock_head(session: Session) -> tuple[int, str]:
    stmt = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    row = session.execute(stmt).one_or_none()
    if row is None:  # the migration inserts it; this only guards a hand-made database
        session.execute(_HEAD.insert().values(id=1, seq=0, hash=GENESIS))
        return 0, GENESIS
    return row.seq, row.hash


def _chain(session: Session, events: list[dict[str, Any]]) -> int:
    """Give ``events`` (dicts with the event columns, ``id`` optional) the next places in the
    chain; the caller holds the head lock. Returns the last sequence number."""
    seq, prev = _lock_head(session)
    for ev in events:
        seq += 1
        ev["seq"], ev["prev_hash"] = seq, prev
        ev["hash"] = prev = _digest(seq, ev, prev)
    session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=prev))
    return seq


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
) -> int | None:
    """Append one event in the caller's transaction. ``data`` must hold no case content:
    identifiers, field names and state names only. Returns the event's place in the chain
    (inline sealing) or None (deferred: the sealer places it after the commit)."""
    from core.context import current_request_meta

    meta = current_request_meta()
    event: dict[str, Any] = {
        "at": utcnow(), "actor": actor, "action": action, "subject_type": subject_type,
        "subject_id": None if subject_id is None else str(subject_id),
        "request_id": request_id or meta.get("request_id"), "ip": ip or meta.get("ip"),
        # the stored JSON is what the hash covers: normalise exactly as a read-back would
        "data": json.loads(json.dumps(data, default=str)) if data else {},
    }
    seq = None
    if sealing_mode(session) == "inline":
        seq = _chain(session, [event])
    else:
        event.update(seq=None, prev_hash=None, hash=None)
    # Core insert on the session's connection: no ORM unit-of-work bookkeeping per event.
    session.connection().execute(_INSERT_EVENT, event)
    return seq


def seal(session: Session, batch: int = 5000) -> int:
    """Chain up to ``batch`` unsealed events (oldest id first) in the caller's transaction.
    Returns how many were sealed; call again while it returns ``batch``."""
    if session.execute(select(_EVENTS.c.id).where(_EVENTS.c.seq.is_(None)).limit(1)).first() is None:
        return 0  # the common case for a polling worker: no head lock taken
    _lock_head(session)  # taken before reading: a concurrent sealer waits, then sees them sealed
    rows = session.execute(
        select(_EVENTS.c.id, _EVENTS.c.at, _EVENTS.c.actor, _EVENTS.c.action, _EVENTS.c.subject_type,
               _EVENTS.c.subject_id, _EVENTS.c.data)
        .where(_EVENTS.c.seq.is_(None)).order_by(_EVENTS.c.id).limit(batch)
    ).mappings().all()
    if not rows:
        return 0
    events = [dict(r) for r in rows]
    _chain(session, events)
    session.connection().execute(
        update(_EVENTS).where(_EVENTS.c.id == bindparam("b_id"))
        .values(seq=bindparam("b_seq"), prev_hash=bindparam("b_prev"), hash=bindparam("b_hash")),
        [{"b_id": e["id"], "b_seq": e["seq"], "b_prev": e["prev_hash"], "b_hash": e["hash"]}
         for e in events],
    )
    return len(events)


def seal_all(factory: Any, batch: int = 5000) -> int:
    """Seal everything committed so far, one transaction per batch (worker, CLI)."""
    total = 0
    while True:
        with factory() as session, session.begin():
            n = seal(session, batch)
        total += n
        if n < batch:
            return total


def unsealed(session: Session) -> tuple[int, dt.datetime | None]:
    """How many events wait for the sealer, and when the oldest of them was recorded."""
    row = session.execute(
        select(func.count(), func.min(_EVENTS.c.at)).where(_EVENTS.c.seq.is_(None))
    ).one()
    return int(row[0]), row[1]


@dataclass
class VerifyResult:
    ok: bool
    events_checked: int
    first_broken_seq: int | None = None
    first_broken_id: int | None = None
    reason: str | None = None
    unsealed: int = 0
    oldest_unsealed_at: dt.datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "events_checked": self.events_checked,
                               "unsealed": self.unsealed}
        if self.oldest_unsealed_at is not None:
            out["oldest_unsealed_at"] = self.oldest_unsealed_at
        if not self.ok:
            out.update(first_broken_seq=self.first_broken_seq, first_broken_id=self.first_broken_id,
                       reason=self.reason)
        return out


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain in ``seq`` order and name the first event whose hash does not hold.

    The head is read first: events sealed while the walk runs (after the head was read) are left
    for the next check, so a live system never looks broken. Every event up to the head must be
    there, in sequence, each hash covering its content and the previous hash, and the last one
    must be the head (deleting events at the end is detected). Events not sealed yet are counted,
    not checked: they have no place in the chain until the sealer gives them one.
    """
    head = session.execute(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)).one_or_none()
    head_seq, head_hash = (head.seq, head.hash) if head is not None else (None, None)
    prev = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    pending, oldest = unsealed(session)

    def broken(ev_seq: int | None, ev_id: int | None, reason: str) -> VerifyResult:
        return VerifyResult(False, checked, ev_seq, ev_id, reason, pending, oldest)

    while True:
        stmt = (select(_EVENTS).where(_EVENTS.c.seq > last_seq).order_by(_EVENTS.c.seq).limit(batch))
        if head_seq is not None:
            stmt = stmt.where(_EVENTS.c.seq <= head_seq)
        rows = session.execute(stmt).mappings().all()
        if not rows:
            break
        for ev in rows:
            last_seq = ev["seq"]
            checked += 1
            if ev["seq"] != expected_seq:
                return broken(ev["seq"], ev["id"],
                              f"expected sequence {expected_seq} (events are missing or reordered)")
            if ev["prev_hash"] != prev:
                return broken(ev["seq"], ev["id"], "previous hash does not match")
            if _digest(ev["seq"], ev, ev["prev_hash"]) != ev["hash"]:
                return broken(ev["seq"], ev["id"], "content does not match its hash")
            prev = ev["hash"]
            expected_seq += 1
    if head_seq is not None and (head_seq != expected_seq - 1 or head_hash != prev):
        return broken(expected_seq if head_seq >= expected_seq else head_seq, None,
                      "events are missing from the end of the chain")
    return VerifyResult(True, checked, unsealed=pending, oldest_unsealed_at=oldest)
