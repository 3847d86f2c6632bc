"""An agency author saves a draft of an assigned reporting form and comes back to it, then
submits it once (issue 18: "save a draft, submit once"). A draft is theirs alone and sends
nothing; a submitted form takes no draft."""

from __future__ import annotations

from sqlalchemy import text

from tests.cdop.helpers import API, all_sections, notification, quick_user, transition


def _assigned(client, session_factory, coordinator):
    case = client.post(f"{API}/child-deaths", json=notification(), headers=coordinator.headers).json()
    assert transition(client, case["id"], coordinator, "start_information_gathering").status_code == 200
    author = quick_user(session_factory, "agency_author", agency="Testshire School")
    form = client.post(f"{API}/child-deaths/{case['id']}/reporting-forms",
                       json={"agency": "Testshire School", "assignee_user_id": author.id},
                       headers=coordinator.headers).json()
    return case, author, form


def test_a_draft_is_kept_replaced_and_then_submitted_once(client, db, session_factory, coordinator) -> None:
    case, author, form = _assigned(client, session_factory, coordinator)
    draft = f"{API}/reporting-forms/mine/{form['id']}/draft"
    r = client.put(draft, json={"answers": {"health": "Seen by the GP twice."}, "not_known": ["service_provision"]},
                   headers=author.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "requested"
    again = client.get(f"{API}/reporting-forms/mine/{form['id']}", headers=author.headers).json()
    assert again["answers"] == {"health": "Seen by the GP twice."} and again["not_known"] == ["service_provision"]
    # a later draft replaces the earlier one (a section taken out is gone)
    r = client.put(draft, json={"answers": {"agency_involvement": "Known since 2024."}, "not_known": []},
                   headers=author.headers)
    assert r.json()["answers"] == {"agency_involvement": "Known since 2024."} and r.json()["not_known"] == []
    # the coordinator still sees the form as awaited (a draft is not a return)
    forms = client.get(f"{API}/child-deaths/{case['id']}/reporting-forms", headers=coordinator.headers).json()
    assert next(f for f in forms if f["id"] == form["id"])["status"] == "requested"
    # drafts are audited like every change
    n = db.execute(text("SELECT count(*) FROM core_audit_events WHERE action = 'reporting_form.draft'")).scalar()
    assert n == 2

    submit = f"{API}/child-deaths/{case['id']}/reporting-forms/{form['id']}/submit"
    assert client.post(submit, json=all_sections(health="Final."), headers=author.headers).status_code == 200
    assert client.put(draft, json={"answers": {}, "not_known": []}, headers=author.headers).status_code == 409
    assert client.post(submit, json=all_sections(health="Twice?"), headers=author.headers).status_code == 409
    done = client.get(f"{API}/reporting-forms/mine/{form['id']}", headers=author.headers).json()
    assert done["status"] == "submitted" and done["answers"]["health"] == "Final."


def test_only_the_assigned_author_saves_a_draft_and_bad_input_names_the_field(
        client, session_factory, coordinator) -> None:
    _, author, form = _assigned(client, session_factory, coordinator)
    draft = f"{API}/reporting-forms/mine/{form['id']}/draft"
    other = quick_user(session_factory, "agency_author", agency="Elsewhere")
    assert client.put(draft, json={"answers": {}, "not_known": []}, headers=other.headers).status_code == 404
    assert client.put(draft, json={"answers": {}, "not_known": []}, headers=coordinator.headers).status_code == 404
    member = quick_user(session_factory, "cdop_panel_member")
    assert client.put(draft, json={"answers": {}, "not_known": []}, headers=member.headers).status_code == 403
    r = client.put(draft, json={"answers": {"no_such_section": "x"}, "not_known": []}, headers=author.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][:2] == ["body", "answers"]
    # what was saved before a bad request is still there
    assert client.put(draft, json={"answers": {"health": "Kept."}}, headers=author.headers).status_code == 200
    assert client.put(draft, json={"answers": {"health": "x" * 100_000}}, headers=author.headers).status_code in (413, 422)
    assert client.get(f"{API}/reporting-forms/mine/{form['id']}", headers=author.headers).json()["answers"] == {
        "health": "Kept."}
