"""The hash-chained audit trail: listing, filters, verification and tamper detection."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from core.audit import record, seal, verify
from core.audit.models import AuditEvent, AuditHead
from core.audit.service import sealing_mode
from core.db.base import utcnow


@pytest.fixture(params=["inline", "deferred"])
def mode(request, db) -> str:
    """Both sealing modes on both databases (the default is deferred)."""
    db.info["audit_sealing"] = request.param
    return request.param


def _write(db, n: int = 5, **kw) -> None:
    for i in range(n):
        record(db, actor=kw.get("actor", "user:1"), action=kw.get("action", "thing.update"),
               subject_type=kw.get("subject_type", "case_review"), subject_id=kw.get("subject_id", i + 1),
               data={"field": f"f{i}", "n": i, "ratio": 0.5})
    if sealing_mode(db) == "deferred":
        seal(db)
    db.commit()


def test_record_builds_a_chain(db, mode) -> None:
    seqs = [record(db, actor="system", action=f"a{i}") for i in range(3)]
    db.commit()
    if mode == "inline":
        assert seqs == [1, 2, 3]
    else:
        assert seqs == [None, None, None]
        assert verify(db).as_dict()["unsealed"] == 3
        assert seal(db) == 3 and seal(db) == 0
    rows = db.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    head = db.get(AuditHead, 1)
    assert (head.seq, head.hash) == (3, rows[-1].hash)
    assert verify(db).as_dict() == {"ok": True, "events_checked": 3, "unsealed": 0}


def test_default_mode_is_deferred(db) -> None:
    db.info.pop("audit_sealing", None)
    assert sealing_mode(db) == "deferred"


def test_unsealed_events_are_counted_not_checked_and_sealed_later(db) -> None:
    db.info["audit_sealing"] = "inline"
    _write(db, 2)
    db.info["audit_sealing"] = "deferred"
    record(db, actor="system", action="late.one")
    record(db, actor="system", action="late.two")
    result = verify(db).as_dict()
    assert result["ok"] and result["events_checked"] == 2 and result["unsealed"] == 2
    assert result["oldest_unsealed_at"] is not None
    db.info["audit_sealing"] = "inline"  # an inline append while events wait: it goes first
    assert record(db, actor="system", action="inline.after") == 3
    assert seal(db) == 2
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions[2:] == ["inline.after", "late.one", "late.two"]
    assert verify(db).as_dict() == {"ok": True, "events_checked": 5, "unsealed": 0}


def test_a_rolled_back_unsealed_event_leaves_no_trace(db) -> None:
    db.info["audit_sealing"] = "deferred"
    _write(db, 2)
    nested = db.begin_nested()
    record(db, actor="system", action="rolled.back")
    nested.rollback()
    assert seal(db) == 0
    assert verify(db).as_dict() == {"ok": True, "events_checked": 2, "unsealed": 0}


def test_verify_endpoint_ok(client: TestClient, make_user, db, mode) -> None:
    admin = make_user("admin")
    _write(db)
    r = client.get("/api/v1/audit/verify", headers=admin.headers)
    assert r.status_code == 200
    assert r.json() == {"ok": True, "events_checked": 5, "unsealed": 0}


def test_empty_chain_verifies(db) -> None:
    assert verify(db).as_dict() == {"ok": True, "events_checked": 0, "unsealed": 0}


def test_tampered_row_is_named(client: TestClient, make_user, db, mode) -> None:
    admin = make_user("admin")
    _write(db)
    db.execute(text("""UPDATE core_audit_events SET data = '{"field": "changed"}' WHERE seq = 3"""))
    db.commit()
    body = client.get("/api/v1/audit/verify", headers=admin.headers).json()
    assert body["ok"] is False
    assert body["first_broken_seq"] == 3
    assert body["events_checked"] == 3
    assert "hash" in body["reason"]


@pytest.mark.parametrize("column_sql", [
    "actor = 'user:999'",
    "action = 'thing.delete'",
    "subject_id = '77'",
    "subject_type = 'child_death'",
])
def test_any_changed_column_is_detected(db, column_sql: str) -> None:
    _write(db)
    db.execute(text(f"UPDATE core_audit_events SET {column_sql} WHERE seq = 2"))
    db.commit()
    result = verify(db)
    assert not result.ok and result.first_broken_seq == 2


def test_changed_timestamp_is_detected(db) -> None:
    _write(db)
    row = db.scalars(select(AuditEvent).where(AuditEvent.seq == 4)).one()
    db.execute(AuditEvent.__table__.update().where(AuditEvent.seq == 4).values(at=row.at.replace(year=2020)))
    db.commit()
    assert verify(db).first_broken_seq == 4


def test_rehashed_row_breaks_the_next_link(db) -> None:
    """An attacker who recomputes the changed row's own hash still breaks the following row."""
    import hashlib

    from core.audit.service import _canonical

    _write(db)
    row = db.scalars(select(AuditEvent).where(AuditEvent.seq == 3)).one()
    forged = hashlib.sha256(_canonical(row.seq, row.at, row.actor, row.action, row.subject_type,
                                       row.subject_id, {"field": "forged"}, row.prev_hash)).hexdigest()
    db.execute(AuditEvent.__table__.update().where(AuditEvent.seq == 3).values(
        data={"field": "forged"}, hash=forged))
    db.commit()
    result = verify(db)
    assert not result.ok and result.first_broken_seq == 4 and "previous hash" in (result.reason or "")


def test_deleted_middle_row_is_detected(client: TestClient, make_user, db, mode) -> None:
    admin = make_user("admin")
    _write(db)
    db.execute(text("DELETE FROM core_audit_events WHERE seq = 3"))
    db.commit()
    body = client.get("/api/v1/audit/verify", headers=admin.headers).json()
    assert body["ok"] is False and body["first_broken_seq"] == 4
    assert "expected sequence 3" in body["reason"]


def test_deleted_last_row_is_detected_by_the_head(client: TestClient, make_user, db) -> None:
    admin = make_user("admin")
    _write(db)
    db.execute(text("DELETE FROM core_audit_events WHERE seq = 5"))
    db.commit()
    body = client.get("/api/v1/audit/verify", headers=admin.headers).json()
    assert body["ok"] is False and body["events_checked"] == 4
    assert body["first_broken_seq"] == 5 and "end of the chain" in body["reason"]


def test_verify_ignores_events_appended_after_the_head_was_read(db) -> None:
    """A verification running while others append must not report a broken chain."""
    db.info["audit_sealing"] = "inline"
    _write(db, 3)
    # Simulate an append that commits between reading the head and reading the events:
    # an event with seq 4 is visible but the head (read first) still says 3.
    original = db.execute(select(AuditHead.seq, AuditHead.hash)).one()
    record(db, actor="system", action="late")
    db.execute(AuditHead.__table__.update().values(seq=original.seq, hash=original.hash))
    result = verify(db)
    assert result.ok and result.events_checked == 3


def test_audit_list_filters_and_pagination(client: TestClient, make_user, db) -> None:
    admin = make_user("admin")
    _write(db, 3, actor="user:1", subject_type="case_review", action="case_review.update")
    t_mid = utcnow()
    time.sleep(0.01)
    _write(db, 2, actor="user:2", subject_type="child_death", action="child_death.transition")
    h = admin.headers

    def items(**params):
        r = client.get("/api/v1/audit", params=params, headers=h)
        assert r.status_code == 200, r.text
        return r.json()["items"]

    assert [e["actor"] for e in items(actor="user:2")] == ["user:2", "user:2"]
    assert {e["subject_type"] for e in items(subject_type="case_review")} == {"case_review"}
    assert len(items(subject_type="case_review")) == 3
    assert len(items(action="child_death.transition")) == 2
    assert [e["subject_id"] for e in items(case="child_death:2")] == ["2"]
    assert len(items(case="2")) == 2  # subject id 2 of both types
    later = items(**{"from": t_mid.isoformat()})
    assert {e["actor"] for e in later if e["action"] != "audit.read"} == {"user:2"}
    earlier = items(to=t_mid.isoformat())
    assert {e["actor"] for e in earlier} == {"user:1"} and len(earlier) == 3
    # A time without an offset is UTC; a bare date works too; never a 500.
    naive = t_mid.replace(tzinfo=None).isoformat()
    assert len(items(to=naive)) == 3
    assert items(to="2000-01-01") == []
    r = client.get("/api/v1/audit", params={"from": "yesterday"}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", "from"]

    # Newest first, keyset pages without duplicates, stable while new events arrive.
    first = client.get("/api/v1/audit", params={"limit": 2}, headers=h).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    ids = [e["id"] for e in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get("/api/v1/audit", params={"limit": 2, "cursor": cursor}, headers=h).json()
        ids += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids))
    assert min(ids) == db.scalar(select(AuditEvent.id).order_by(AuditEvent.id).limit(1))
    event = first["items"][0]
    assert {"id", "seq", "at", "actor", "action", "subject_type", "subject_id", "data", "hash"} <= event.keys()


def test_audit_reads_are_audited(client: TestClient, make_user, db) -> None:
    admin = make_user("admin")
    client.get("/api/v1/audit", headers=admin.headers)
    assert db.scalar(select(AuditEvent.actor).where(AuditEvent.action == "audit.read")) == f"user:{admin.id}"


@pytest.mark.parametrize("role", ["business_unit", "crg_chair", "cdop_coordinator"])
def test_audit_is_admin_only(client: TestClient, make_user, role: str) -> None:
    user = make_user(role)
    for path in ("/api/v1/audit", "/api/v1/audit/verify"):
        assert client.get(path, headers=user.headers).status_code == 403
        assert client.get(path).status_code == 401


@pytest.mark.postgres
@pytest.mark.parametrize("sealing", ["inline", "deferred"])
def test_concurrent_appends_make_a_valid_chain(committed_db, sealing: str) -> None:
    """Eight writers, a verifier and (deferred) two competing sealers at once: every committed
    event ends in the chain exactly once, in one unbroken sequence, and verification never
    sees a broken chain on the way."""
    from core.audit import seal_all

    threads_n, per_thread = 8, 15
    errors: list[BaseException] = []
    verify_results: list[bool] = []
    done = threading.Event()

    def append(n: int) -> None:
        for i in range(per_thread):
            try:
                with committed_db() as s, s.begin():
                    s.info["audit_sealing"] = sealing
                    record(s, actor=f"user:{n}", action="concurrent.append", subject_type="case_review",
                           subject_id=i, data={"thread": n, "i": i})
                    if i % 5 == 4:  # some transactions roll back: their events must never be sealed
                        record(s, actor=f"user:{n}", action="concurrent.rolled_back")
                        raise _Rollback
            except _Rollback:
                pass
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    def verifier() -> None:
        while not done.is_set():
            with committed_db() as s, s.begin():
                verify_results.append(verify(s).ok)

    def sealer() -> None:
        try:
            while not done.is_set():
                seal_all(committed_db, batch=7)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    workers = [threading.Thread(target=append, args=(n,)) for n in range(threads_n)]
    helpers = [threading.Thread(target=verifier)]
    if sealing == "deferred":
        helpers += [threading.Thread(target=sealer), threading.Thread(target=sealer)]
    for t in helpers + workers:
        t.start()
    for t in workers:
        t.join()
    done.set()
    for t in helpers:
        t.join()
    assert not errors, errors
    seal_all(committed_db)
    with committed_db() as s:
        result = verify(s)
        assert result.ok, result
        committed = s.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "concurrent.append"))
        assert committed == threads_n * (per_thread - per_thread // 5)
        assert result.events_checked == committed and result.unsealed == 0
        assert not s.scalar(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.action == "concurrent.rolled_back"))
        seqs = s.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
        assert seqs == list(range(1, committed + 1))
    assert verify_results and all(verify_results)


class _Rollback(Exception):
    pass


def test_audit_time_filters_take_date_times_not_numbers(client, make_user) -> None:
    admin = make_user("admin")
    for value in ("0.5", "1700000000", "-1", "1e9"):
        r = client.get("/api/v1/audit", params={"to": value}, headers=admin.headers)
        assert r.status_code == 422, (value, r.text)
        assert r.json()["errors"][0]["loc"] == ["query", "to"]
    r = client.get("/api/v1/audit", params={"from": "2026-01-01T00:00:00", "to": "2099-01-01T00:00:00Z"},
                   headers=admin.headers)
    assert r.status_code == 200, r.text
