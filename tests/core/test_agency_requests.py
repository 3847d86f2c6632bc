"""core.agency_requests.service.get_assigned_or_staff: "assigned author or staff, else 404"."""

from __future__ import annotations

import datetime as dt

import pytest

from core.agency_requests.service import create_request, get_assigned_or_staff
from core.auth.principal import Principal
from core.errors import NotFound

STAFF = ("business_unit",)


def who(*roles: str, uid: int | None) -> Principal:
    return Principal(subject=str(uid), email=f"u{uid}@example.test", name=f"User {uid}",
                     roles=frozenset(roles), user_id=uid)


AUTHOR = 0  # the assigned author's user id, set by the fixture


@pytest.fixture
def req(db, make_user):
    global AUTHOR
    AUTHOR = make_user("agency_author").id
    return create_request(db, subject_type="case_review", subject_id=5, kind="agency_report",
                          agency="Testshire Police", due_on=dt.date(2027, 1, 1), actor="user:1",
                          assignee_user_id=AUTHOR)


def test_assigned_author_and_staff_get_the_request(db, req) -> None:
    assert get_assigned_or_staff(db, "case_review", 5, req.id, who("agency_author", uid=AUTHOR), STAFF) is req
    assert get_assigned_or_staff(db, "case_review", 5, req.id, who("business_unit", uid=1), STAFF,
                                 lock=True) is req
    assert get_assigned_or_staff(db, "case_review", 5, req.id, who("business_unit", uid=1), STAFF,
                                 kind="agency_report") is req


@pytest.mark.parametrize(
    ("roles", "uid", "subject_id", "kind"),
    [
        (("agency_author",), "other", 5, None),  # another author
        (("agency_author",), None, 5, None),  # an OIDC caller without a local user id
        (("crg_member", "cdop_panel_member"), "other", 5, None),  # roles that are not staff here
        (("business_unit",), "other", 6, None),  # the request of another case
        (("agency_author",), "author", 6, None),
        (("business_unit",), "other", 5, "reporting_form"),  # a request of another kind
    ],
)
def test_anyone_else_gets_404(db, req, roles: tuple[str, ...], uid: str | None, subject_id: int,
                              kind: str | None) -> None:
    principal = who(*roles, uid={"author": AUTHOR, "other": AUTHOR + 1000, None: None}[uid])
    with pytest.raises(NotFound):
        get_assigned_or_staff(db, "case_review", subject_id, req.id, principal, STAFF, kind=kind)


def test_no_such_request_is_the_same_404(db, req) -> None:
    with pytest.raises(NotFound) as missing:
        get_assigned_or_staff(db, "case_review", 5, req.id + 1000, who("business_unit", uid=1), STAFF)
    with pytest.raises(NotFound) as hidden:
        get_assigned_or_staff(db, "case_review", 5, req.id, who("agency_author", uid=AUTHOR + 1000), STAFF)
    assert missing.value.body() == hidden.value.body()
