"""For the staff app: an agency author opens one assigned form (GET /reporting-forms/mine/{id})
with the case id its submit address needs (never given to a single-use link), and a CDOP
coordinator chooses a panel's members among the CDOP roles (GET /meetings/member-choices)."""

from __future__ import annotations

from sqlalchemy import select

from core.outbox.models import OutboxMessage
from tests.cdop.helpers import API, all_sections, links_in, notification, quick_user, transition


def test_author_reads_one_assigned_form_and_submits_it_by_its_case_id(client, db, session_factory, coordinator) -> None:
    case = client.post(f"{API}/child-deaths", json=notification(), headers=coordinator.headers).json()
    assert transition(client, case["id"], coordinator, "start_information_gathering").status_code == 200
    author = quick_user(session_factory, "agency_author", agency="Testshire School")
    other = quick_user(session_factory, "agency_author", agency="Elsewhere")
    form = client.post(f"{API}/child-deaths/{case['id']}/reporting-forms",
                       json={"agency": "Testshire School", "assignee_user_id": author.id,
                             "contact_email": "school.office@example.org"},
                       headers=coordinator.headers).json()

    mine = client.get(f"{API}/reporting-forms/mine", headers=author.headers).json()["items"]
    assert mine[0]["case_id"] == case["id"]
    one = client.get(f"{API}/reporting-forms/mine/{form['id']}", headers=author.headers)
    assert one.status_code == 200, one.text
    view = one.json()
    assert view["form_id"] == form["id"] and view["case_id"] == case["id"] and view["status"] == "requested"
    assert [s["key"] for s in view["sections"]][0] == "agency_involvement"
    assert "Testchild" not in one.text
    # someone else's form, a form that does not exist, a role that submits no forms
    assert client.get(f"{API}/reporting-forms/mine/{form['id']}", headers=other.headers).status_code == 404
    assert client.get(f"{API}/reporting-forms/mine/{form['id'] + 999}", headers=author.headers).status_code == 404
    member = quick_user(session_factory, "cdop_panel_member")
    assert client.get(f"{API}/reporting-forms/mine/{form['id']}", headers=member.headers).status_code == 403

    submit = f"{API}/child-deaths/{view['case_id']}/reporting-forms/{form['id']}/submit"
    assert client.post(submit, json=all_sections(health="Seen twice."), headers=author.headers).status_code == 200
    done = client.get(f"{API}/reporting-forms/mine/{form['id']}", headers=author.headers).json()
    assert done["status"] == "submitted" and done["answers"]["health"] == "Seen twice."

    # the single-use link shows neither the form's id nor the case's
    rows = db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == "school.office@example.org")
                      .order_by(OutboxMessage.id.desc())).scalars().all()
    token = links_in(rows[0].body)[0]
    public = client.get(f"{API}/public/reporting-forms/{token}")
    if public.status_code == 200:  # the link of an author-assigned form may be dead once submitted
        assert "case_id" not in public.json() and "form_id" not in public.json()


def test_coordinator_chooses_panel_members_among_the_cdop_roles(client, session_factory, coordinator) -> None:
    member = quick_user(session_factory, "cdop_panel_member", name="Avery Panelmember")
    chair = quick_user(session_factory, "cdop_chair", name="Blake Panelchair")
    crg = quick_user(session_factory, "crg_member", name="Casey Crgmember")
    r = client.get(f"{API}/meetings/member-choices", params={"kind": "cdop_panel"}, headers=coordinator.headers)
    assert r.status_code == 200, r.text
    items = {i["id"]: i for i in r.json()["items"]}
    assert items[member.id] == {"id": member.id, "name": "Avery Panelmember", "roles": ["cdop_panel_member"]}
    assert items[chair.id]["roles"] == ["cdop_chair"] and crg.id not in items
    # the business unit manages CRG meetings, not panels
    bu = quick_user(session_factory, "business_unit")
    r = client.get(f"{API}/meetings/member-choices", params={"kind": "cdop_panel"}, headers=bu.headers)
    assert r.status_code == 403
