"""GET /meetings/member-choices: the business unit chooses a CRG meeting's members from the
active users with CRG roles, seeing their id, name and CRG roles only (GET /users stays admin)."""

from __future__ import annotations


def test_business_unit_sees_active_crg_users_with_their_crg_roles_only(client, fast_user, session_factory) -> None:
    from core.auth.models import User

    bu = fast_user("business_unit")
    member = fast_user("crg_member", name="Avery Synthetic")
    chair = fast_user("crg_chair", "business_unit", name="Blake Synthetic")
    ic = fast_user("independent_chair", name="Casey Synthetic")
    coordinator = fast_user("cdop_coordinator", name="Drew Synthetic")
    gone = fast_user("crg_member", name="Emery Synthetic")
    with session_factory() as s:
        s.get(User, gone.id).is_active = False
        s.commit()

    r = client.get("/api/v1/meetings/member-choices", params={"kind": "crg"}, headers=bu.headers)
    assert r.status_code == 200, r.text
    items = {i["id"]: i for i in r.json()["items"]}
    assert items[member.id] == {"id": member.id, "name": "Avery Synthetic", "roles": ["crg_member"]}
    assert items[chair.id]["roles"] == ["crg_chair"]  # not the roles outside the CRG
    assert items[ic.id]["roles"] == ["independent_chair"]
    assert coordinator.id not in items and gone.id not in items and bu.id not in items
    assert set(r.json()["items"][0]) == {"id", "name", "roles"}  # no email


def test_only_the_kinds_managers_may_list_member_choices(client, fast_user) -> None:
    for role in ("crg_member", "crg_chair", "independent_chair", "admin"):
        user = fast_user(role)
        r = client.get("/api/v1/meetings/member-choices", params={"kind": "crg"}, headers=user.headers)
        assert r.status_code == 403, (role, r.text)
    # a CDOP coordinator manages CDOP panels, not CRG meetings
    coordinator = fast_user("cdop_coordinator")
    r = client.get("/api/v1/meetings/member-choices", params={"kind": "crg"}, headers=coordinator.headers)
    assert r.status_code == 403
    assert client.get("/api/v1/meetings/member-choices", params={"kind": "crg"}).status_code == 401
    bu = fast_user("business_unit")
    assert client.get("/api/v1/meetings/member-choices", headers=bu.headers).status_code == 422
