"""core.workflow.record.RowRecord: a row loaded with Core for one change, written back with the
version check (a core table with id, version and updated_at stands in for a case)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from core.agency_requests.models import AgencyRequest
from core.workflow.record import RowRecord, save_changes

TABLE = AgencyRequest.__table__


def _row(db) -> RowRecord:
    req = AgencyRequest(subject_type="test_widget", subject_id=1, kind="report", agency="Testshire Police",
                        due_on=dt.date(2026, 12, 1))
    db.add(req)
    db.flush()
    values = db.connection().execute(select(*TABLE.c).where(TABLE.c.id == req.id)).one()._asdict()
    db.expunge(req)
    return RowRecord(TABLE, values)


def _stored(db, rid: int):
    return db.connection().execute(select(TABLE.c.agency, TABLE.c.status, TABLE.c.version, TABLE.c.updated_at)
                                   .where(TABLE.c.id == rid)).one()


def test_save_writes_the_changed_columns_and_bumps_the_version(db) -> None:
    rec = _row(db)
    before = _stored(db, rec.id)
    assert (rec.version, rec.etag, rec.agency) == (1, '"1"', "Testshire Police")
    rec.status = "waived"
    assert rec.changed == {"status": "waived"}
    save_changes(db, rec)
    after = _stored(db, rec.id)
    assert (after.status, after.agency, after.version) == ("waived", "Testshire Police", 2)
    assert after.updated_at >= before.updated_at and rec.updated_at == after.updated_at
    assert (rec.version, rec.etag, rec.changed) == (2, '"2"', {})
    rec.save(db)  # nothing changed since: no UPDATE, no new version
    assert _stored(db, rec.id).version == 2


def test_a_change_made_meanwhile_is_not_overwritten(db) -> None:
    rec = _row(db)
    db.connection().execute(TABLE.update().where(TABLE.c.id == rec.id).values(version=TABLE.c.version + 1,
                                                                                agency="Testshire Health"))
    rec.status = "waived"
    with pytest.raises(StaleDataError):
        rec.save(db)
    stored = _stored(db, rec.id)
    assert (stored.agency, stored.status, stored.version) == ("Testshire Health", "requested", 2)


def test_only_columns_can_be_set_and_not_the_key_or_version(db) -> None:
    rec = _row(db)
    for name in ("no_such_column", "id", "version"):
        with pytest.raises(AttributeError):
            setattr(rec, name, 1)
    with pytest.raises(AttributeError):
        rec.no_such_column  # noqa: B018
    assert rec.changed == {}
