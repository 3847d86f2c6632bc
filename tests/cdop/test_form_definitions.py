"""Forms as versioned data (issue 20, API.md "Forms as versioned data"): the shipped
definitions, GET /forms/definitions, requests naming their forms, and answers checked against
the version a request was made with. Expected answers come from API.md and the issue."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select, text

import cdop.forms as forms
from core.agency_requests.models import AgencyRequest
from tests.cdop.helpers import API, all_sections, links_in, notification, quick_user, transition

# API.md / the issue: the reporting form and the eight supplementary forms
EXPECTED_FORMS = {
    "reporting_form", "sudi_sudc", "suicide_self_harm", "road_traffic_collision", "drowning",
    "neonatal_death", "asthma_anaphylaxis", "congenital_anomalies", "care_pathway",
}


def sudi_v1(**overrides: Any) -> dict[str, Any]:
    """A complete, consistent answer to version 1 of the SUDI/SUDC form (synthetic)."""
    answers: dict[str, Any] = {
        "found_asleep": True, "sleep_place": "cot", "position_put_down": "back", "sleep_position": "front",
        "shared_sleep_surface": False, "loose_bedding": True, "smoking_in_household": False,
        "smoking_in_pregnancy": False, "feeding": "formula", "recent_illness": False,
        "last_seen_well_on": "2026-05-31", "hours_until_found": 6,
    }
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


def _case(client, coordinator) -> dict[str, Any]:
    case = client.post(f"{API}/child-deaths", json=notification(), headers=coordinator.headers).json()
    r = transition(client, case["id"], coordinator, "start_information_gathering")
    assert r.status_code == 200, r.text
    return r.json()


def _request(client, coordinator, case_id: int, forms_wanted: list[str] | None, **extra: Any):
    body: dict[str, Any] = {"agency": "Testshire Health Visiting", **extra}
    if forms_wanted is not None:
        body["forms"] = forms_wanted
    return client.post(f"{API}/child-deaths/{case_id}/reporting-forms", json=body, headers=coordinator.headers)


def _submit(client, coordinator, case_id: int, form_id: int, body: dict[str, Any]):
    return client.post(f"{API}/child-deaths/{case_id}/reporting-forms/{form_id}/submit", json=body,
                       headers=coordinator.headers)


def _locs(r) -> list[str]:
    return [".".join(str(p) for p in e["loc"][1:]) for e in r.json()["errors"]]


@pytest.fixture
def only_sudi_v1(monkeypatch):
    """The service as it was before version 2 of the SUDI/SUDC form shipped."""
    without_v2 = {k: d for k, d in forms._DEFINITIONS.items() if k != ("sudi_sudc", 2)}
    monkeypatch.setattr(forms, "_DEFINITIONS", without_v2)
    return monkeypatch


# ---- the definitions ------------------------------------------------------------------------


def test_every_form_ships_valid_with_a_version() -> None:
    files = sorted(forms.DEFINITIONS_DIR.glob("*.json"))
    assert len(files) == len(forms.all_definitions()) >= 10
    for path in files:  # each file is a valid definition, named after its key and version
        d = forms.FormDefinition.model_validate(json.loads(path.read_text()))
        assert path.name == f"{d.key}.v{d.version}.json"
        assert d.title and d.sections and all(s.questions for s in d.sections)
    assert {d.key for d in forms.latest_definitions()} == EXPECTED_FORMS
    # the reporting form's version 1 is the six sections the service has always asked for,
    # so every answer stored before forms were versioned is still an answer to it
    v1 = forms.definition("reporting_form", 1)
    assert [q.key for q in v1.questions()] == ["agency_involvement", "health", "family_and_environment",
                                              "parenting_capacity", "service_provision", "other_information"]
    assert {q.type for q in v1.questions()} == {"long_text"}
    # one form ships in two versions, differing in a question
    s1, s2 = forms.definition("sudi_sudc", 1), forms.definition("sudi_sudc", 2)
    assert forms.latest("sudi_sudc") is s2
    assert {q.key for q in s2.questions()} - {q.key for q in s1.questions()} == {"room_temperature_celsius"}
    # every answer type and conditional questions are used
    types = {q.type for d in forms.all_definitions() for q in d.questions()}
    assert types == {"text", "long_text", "yes_no", "choice", "multiple_choice", "date", "number"}
    assert all(d.supplementary == (d.key != "reporting_form") for d in forms.all_definitions())
    assert sum(1 for d in forms.latest_definitions() for q in d.questions() if q.show_if) >= 10


@pytest.mark.parametrize("breakage, message", [
    (lambda d: d["sections"][0]["questions"].reverse(), "not an earlier question"),
    (lambda d: d["sections"][0]["questions"][2]["show_if"].update({"in": ["hammock"]}), "not answers of"),
    (lambda d: d["sections"][0]["questions"].append(d["sections"][0]["questions"][0]), "twice"),
    (lambda d: d["sections"][1]["questions"][0].update({"type": "choice"}), "choices"),
])
def test_a_broken_definition_is_refused(breakage, message) -> None:
    data = json.loads((forms.DEFINITIONS_DIR / "sudi_sudc.v1.json").read_text())
    broken = copy.deepcopy(data)
    breakage(broken)
    with pytest.raises(ValueError, match=message):
        forms.FormDefinition.model_validate(broken)


def test_definitions_are_listed_to_those_who_read_or_complete_forms(client, session_factory, coordinator,
                                                                   chair, panel_member) -> None:
    author = quick_user(session_factory, "agency_author", agency="Testshire School")
    for user in (coordinator, chair, author):
        r = client.get(f"{API}/forms/definitions", headers=user.headers)
        assert r.status_code == 200, r.text
    listed = r.json()
    assert next(d["key"] for d in listed) == "reporting_form"
    assert {d["key"] for d in listed} == EXPECTED_FORMS and len(listed) == len(EXPECTED_FORMS)
    sudi = next(d for d in listed if d["key"] == "sudi_sudc")
    assert sudi["version"] == 2
    shared_with = next(q for s in sudi["sections"] for q in s["questions"] if q["key"] == "shared_with")
    assert shared_with["show_if"] == {"question": "shared_sleep_surface", "in": [True]}
    assert shared_with["type"] == "multiple_choice" and shared_with["choices"][0]["value"] == "parent"

    every = client.get(f"{API}/forms/definitions?all_versions=true", headers=author.headers).json()
    assert [(d["key"], d["version"]) for d in every if d["key"] == "sudi_sudc"] == [("sudi_sudc", 1), ("sudi_sudc", 2)]
    one = client.get(f"{API}/forms/definitions/sudi_sudc/1", headers=author.headers)
    assert one.status_code == 200 and one.json()["version"] == 1
    assert "room_temperature_celsius" not in one.text
    assert client.get(f"{API}/forms/definitions/sudi_sudc/9", headers=author.headers).status_code == 404
    assert client.get(f"{API}/forms/definitions/nonsense/1", headers=author.headers).status_code == 404
    assert client.get(f"{API}/forms/definitions/Bad-Key/1", headers=author.headers).status_code == 422
    assert client.get(f"{API}/forms/definitions", headers=panel_member.headers).status_code == 403
    assert client.get(f"{API}/forms/definitions").status_code == 401


# ---- a request names its forms --------------------------------------------------------------


def test_a_request_records_the_versions_of_the_forms_it_asks_for(client, db, coordinator) -> None:
    case = _case(client, coordinator)
    # the automatic forms of start_information_gathering ask for the reporting form only
    assert {tuple((f["key"], f["version"]) for f in r["forms"]) for r in case["reporting_forms"]} == {
        (("reporting_form", 1),)}
    r = _request(client, coordinator, case["id"], ["sudi_sudc", "reporting_form"])
    assert r.status_code == 201, r.text
    assert [(f["key"], f["version"]) for f in r.json()["forms"]] == [("reporting_form", 1), ("sudi_sudc", 2)]
    assert r.json()["forms"][1]["title"].startswith("Supplementary form: sudden unexpected death")
    stored = db.execute(select(AgencyRequest.forms).where(AgencyRequest.id == r.json()["id"])).scalar_one()
    assert stored == [{"key": "reporting_form", "version": 1}, {"key": "sudi_sudc", "version": 2}]
    default = _request(client, coordinator, case["id"], None)
    assert [(f["key"], f["version"]) for f in default.json()["forms"]] == [("reporting_form", 1)]
    detail = client.get(f"{API}/child-deaths/{case['id']}", headers=coordinator.headers).json()
    assert [f["key"] for f in detail["reporting_forms"][-2]["forms"]] == ["reporting_form", "sudi_sudc"]

    bad = _request(client, coordinator, case["id"], ["reporting_form", "ouija_board"])
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "forms", 1]
    twice = _request(client, coordinator, case["id"], ["drowning", "drowning"])
    assert twice.status_code == 422 and twice.json()["errors"][0]["loc"] == ["body", "forms", 1]
    assert _request(client, coordinator, case["id"], []).status_code == 422
    # nothing was stored by the refusals
    n = db.execute(text("SELECT count(*) FROM core_agency_requests WHERE subject_id = :c"), {"c": case["id"]}).scalar()
    assert n == 4


def test_a_request_made_before_forms_were_versioned_is_the_reporting_form_v1(client, db, coordinator) -> None:
    case = _case(client, coordinator)
    form_id = case["reporting_forms"][0]["id"]
    db.execute(text("UPDATE core_agency_requests SET forms = NULL WHERE id = :i"), {"i": form_id})
    db.commit()
    listed = client.get(f"{API}/child-deaths/{case['id']}/reporting-forms", headers=coordinator.headers).json()
    assert [(f["key"], f["version"]) for f in listed[0]["forms"]] == [("reporting_form", 1)]
    r = _submit(client, coordinator, case["id"], form_id, all_sections(health="Seen at the walk-in centre."))
    assert r.status_code == 200, r.text
    req = db.get(AgencyRequest, form_id)
    db.refresh(req)
    assert forms.answers_by_form(req) == [{
        "form": "reporting_form", "version": 1, "title": "Reporting form",
        "answers": {"health": "Seen at the walk-in centre."},
        "not_known": ["agency_involvement", "family_and_environment", "parenting_capacity",
                      "service_provision", "other_information"],
    }]


# ---- answers checked against the version asked for -----------------------------------------


def test_a_v1_request_answered_after_v2_ships_is_checked_against_v1(client, db, coordinator, only_sudi_v1) -> None:
    case = _case(client, coordinator)
    old = _request(client, coordinator, case["id"], ["sudi_sudc"])
    assert [(f["key"], f["version"]) for f in old.json()["forms"]] == [("sudi_sudc", 1)]
    only_sudi_v1.undo()  # version 2 ships (it adds the room temperature, and a baby box)
    assert forms.latest("sudi_sudc").version == 2
    new = _request(client, coordinator, case["id"], ["sudi_sudc"])
    assert [(f["key"], f["version"]) for f in new.json()["forms"]] == [("sudi_sudc", 2)]

    # v2's question is not part of v1: refused on the v1 request, naming the field
    r = _submit(client, coordinator, case["id"], old.json()["id"],
                {"answers": {"sudi_sudc": sudi_v1(room_temperature_celsius=21)}})
    assert r.status_code == 422 and _locs(r) == ["answers.sudi_sudc.room_temperature_celsius"]
    r = _submit(client, coordinator, case["id"], old.json()["id"],
                {"answers": {"sudi_sudc": sudi_v1(sleep_place="baby_box")}})
    assert r.status_code == 422 and _locs(r) == ["answers.sudi_sudc.sleep_place"]
    # the v2 request needs it ...
    r = _submit(client, coordinator, case["id"], new.json()["id"], {"answers": {"sudi_sudc": sudi_v1()}})
    assert r.status_code == 422 and _locs(r) == ["answers.sudi_sudc.room_temperature_celsius"]
    # ... and the v1 request is complete without it
    r = _submit(client, coordinator, case["id"], old.json()["id"], {"answers": {"sudi_sudc": sudi_v1()}})
    assert r.status_code == 200, r.text
    r = _submit(client, coordinator, case["id"], new.json()["id"],
                {"answers": {"sudi_sudc": sudi_v1(sleep_place="baby_box")}, "not_known": ["sudi_sudc.room_temperature_celsius"]})
    assert r.status_code == 200, r.text

    req = db.get(AgencyRequest, old.json()["id"])
    db.refresh(req)
    (got,) = forms.answers_by_form(req)
    assert (got["form"], got["version"]) == ("sudi_sudc", 1)
    assert got["answers"]["sleep_position"] == "front" and got["not_known"] == []
    req2 = db.get(AgencyRequest, new.json()["id"])
    db.refresh(req2)
    assert forms.answers_by_form(req2)[0]["not_known"] == ["room_temperature_celsius"]


def test_a_conditional_question_is_required_only_when_its_condition_holds(client, coordinator) -> None:
    case = _case(client, coordinator)
    form = _request(client, coordinator, case["id"], ["reporting_form", "sudi_sudc"]).json()
    main = all_sections(health="Known to the health visitor.")

    def send(sudi: dict[str, Any], not_known: list[str] = ()):
        return _submit(client, coordinator, case["id"], form["id"],
                       {"answers": {**main["answers"], "sudi_sudc": sudi},
                        "not_known": main["not_known"] + list(not_known)})

    base = sudi_v1(room_temperature_celsius=19.5)
    # shared sleep surface: yes -> who with, and alcohol or drugs, are required
    r = send({**base, "shared_sleep_surface": True})
    assert r.status_code == 422
    assert _locs(r) == ["answers.sudi_sudc.shared_with", "answers.sudi_sudc.adult_alcohol_or_drugs"]
    assert all("missing" in e["msg"] for e in r.json()["errors"])
    # no -> answering them is refused (what is stored never contradicts itself)
    r = send({**base, "shared_sleep_surface": False, "shared_with": ["parent"]})
    assert r.status_code == 422 and _locs(r) == ["answers.sudi_sudc.shared_with"]
    assert "only if you answered ‘Yes’" in r.json()["errors"][0]["msg"]
    r = send(base, ["sudi_sudc.adult_alcohol_or_drugs"])
    assert r.status_code == 422 and _locs(r) == ["answers.sudi_sudc.adult_alcohol_or_drugs"]
    # a choice condition: "describe where" only for "somewhere else"
    r = send({**base, "sleep_place": "other"})
    assert r.status_code == 422 and _locs(r) == ["answers.sudi_sudc.sleep_place_other"]
    # the controlling question not known: the conditional question is not asked
    r = send({k: v for k, v in base.items() if k != "found_asleep" and k != "position_put_down"},
             ["sudi_sudc.found_asleep"])
    assert r.status_code == 200, r.text


def test_conditions_chain(client, coordinator) -> None:
    """The auto-injector's use is asked only if one was prescribed, itself asked only for
    anaphylaxis: for asthma neither is asked, whatever is sent for the first."""
    case = _case(client, coordinator)
    form = _request(client, coordinator, case["id"], ["asthma_anaphylaxis"]).json()
    base = {"condition": "asthma", "asthma_plan": True, "reliever_prescriptions": 4,
            "emergency_attendances": 1, "annual_review": False}
    r = _submit(client, coordinator, case["id"], form["id"],
                {"answers": {"asthma_anaphylaxis": {**base, "auto_injector_prescribed": True}}})
    assert r.status_code == 422 and _locs(r) == ["answers.asthma_anaphylaxis.auto_injector_prescribed"]
    r = _submit(client, coordinator, case["id"], form["id"], {"answers": {"asthma_anaphylaxis": {
        **base, "condition": "both", "known_allergens": "Peanuts", "auto_injector_prescribed": True}}})
    assert r.status_code == 422 and _locs(r) == ["answers.asthma_anaphylaxis.auto_injector_used"]
    r = _submit(client, coordinator, case["id"], form["id"], {"answers": {"asthma_anaphylaxis": base}})
    assert r.status_code == 200, r.text


def test_condition_held_and_answered_or_not_known(client, coordinator) -> None:
    case = _case(client, coordinator)
    form = _request(client, coordinator, case["id"], ["sudi_sudc"]).json()
    r = _submit(client, coordinator, case["id"], form["id"], {
        "answers": {"sudi_sudc": sudi_v1(shared_sleep_surface=True, shared_with=["parent", "animal"],
                                         room_temperature_celsius=22)},
        "not_known": ["sudi_sudc.adult_alcohol_or_drugs"]})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("change, field", [
    ({"found_asleep": "yes"}, "found_asleep"),  # yes/no is a JSON boolean
    ({"sleep_position": "upside_down"}, "sleep_position"),  # not a choice
    ({"feeding": ["formula"]}, "feeding"),  # one choice, not a list
    ({"hours_until_found": 100}, "hours_until_found"),  # above the bound (72)
    ({"hours_until_found": "six"}, "hours_until_found"),
    ({"room_temperature_celsius": -3}, "room_temperature_celsius"),
    ({"last_seen_well_on": "2026-02-30"}, "last_seen_well_on"),
    ({"last_seen_well_on": "31/05/2026"}, "last_seen_well_on"),
    ({"shared_sleep_surface": True, "shared_with": ["parent", "parent"], "adult_alcohol_or_drugs": False}, "shared_with"),
    ({"shared_sleep_surface": True, "shared_with": [], "adult_alcohol_or_drugs": False}, "shared_with"),
    ({"shared_sleep_surface": True, "shared_with": ["grandparent"], "adult_alcohol_or_drugs": False}, "shared_with"),
    ({"sleep_place": "other", "sleep_place_other": "   "}, "sleep_place_other"),
    ({"ouija": True}, "ouija"),
])
def test_bad_answers_are_a_422_naming_the_field(client, db, coordinator, change, field) -> None:
    case = _case(client, coordinator)
    form = _request(client, coordinator, case["id"], ["sudi_sudc"]).json()
    r = _submit(client, coordinator, case["id"], form["id"],
                {"answers": {"sudi_sudc": {**sudi_v1(room_temperature_celsius=20), **change}}})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert {".".join(loc.split(".")[:3]) for loc in _locs(r)} == {f"answers.sudi_sudc.{field}"}
    assert db.execute(text("SELECT status FROM core_agency_requests WHERE id = :i"), {"i": form["id"]}).scalar() == "requested"


def test_answered_and_not_known_or_other_forms_are_refused(client, coordinator) -> None:
    case = _case(client, coordinator)
    form = _request(client, coordinator, case["id"], ["sudi_sudc"]).json()
    r = _submit(client, coordinator, case["id"], form["id"], {
        "answers": {"sudi_sudc": sudi_v1(room_temperature_celsius=20)}, "not_known": ["sudi_sudc.feeding"]})
    assert r.status_code == 422 and _locs(r) == ["answers.sudi_sudc.feeding"]
    # a form this request did not ask for, or the reporting form's sections
    r = _submit(client, coordinator, case["id"], form["id"], {
        "answers": {"sudi_sudc": sudi_v1(room_temperature_celsius=20), "drowning": {"supervised": True}}})
    assert r.status_code == 422 and _locs(r) == ["answers.drowning"]
    r = _submit(client, coordinator, case["id"], form["id"], {
        "answers": {"sudi_sudc": sudi_v1(room_temperature_celsius=20)}, "not_known": ["health"]})
    assert r.status_code == 422 and _locs(r) == ["not_known.0"]


def test_a_draft_takes_part_of_the_answers_but_still_checks_types(client, session_factory, coordinator) -> None:
    case = _case(client, coordinator)
    author = quick_user(session_factory, "agency_author", agency="Testshire Health Visiting")
    form = _request(client, coordinator, case["id"], ["reporting_form", "sudi_sudc"], assignee_user_id=author.id).json()
    draft = f"{API}/reporting-forms/mine/{form['id']}/draft"
    r = client.put(draft, json={"answers": {"health": "Partly written.", "sudi_sudc": {"shared_with": ["parent"]}},
                                "not_known": ["sudi_sudc.feeding"]}, headers=author.headers)
    assert r.status_code == 200, r.text
    assert r.json()["answers"] == {"health": "Partly written.", "sudi_sudc": {"shared_with": ["parent"]}}
    assert [(d["key"], d["version"]) for d in r.json()["forms"]] == [("reporting_form", 1), ("sudi_sudc", 2)]
    bad = client.put(draft, json={"answers": {"sudi_sudc": {"hours_until_found": "soon"}}}, headers=author.headers)
    assert bad.status_code == 422 and _locs(bad) == ["answers.sudi_sudc.hours_until_found"]
    kept = client.get(f"{API}/reporting-forms/mine/{form['id']}", headers=author.headers).json()
    assert kept["answers"]["sudi_sudc"] == {"shared_with": ["parent"]} and kept["not_known"] == ["sudi_sudc.feeding"]
    # the form the author sees carries the definitions, conditional questions included
    sudi = kept["forms"][1]
    assert any(q.get("show_if") for s in sudi["sections"] for q in s["questions"])


def test_the_emailed_link_opens_every_form_asked_for(client, db, coordinator) -> None:
    from core.outbox.models import OutboxMessage

    case = _case(client, coordinator)
    _request(client, coordinator, case["id"], ["drowning"], contact_email="hv.team@example.org")
    mail = db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == "hv.team@example.org")).scalar_one()
    assert "Forms: Supplementary form: drowning\n" in mail.body
    police = db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == "police.cdop@example.org")).scalar_one()
    assert "Forms:" not in police.body  # the reporting form alone, as always
    token = links_in(mail.body)[0]
    view = client.get(f"{API}/public/reporting-forms/{token}").json()
    assert [d["key"] for d in view["forms"]] == ["drowning"] and view["sections"] == []
    answers = {"location": "sea", "supervised": True, "supervisor": "parent", "buoyancy_aid": False,
               "could_swim": "a_little", "epilepsy": False}
    r = client.post(f"{API}/public/reporting-forms/{token}",
                    json={"answers": {"drowning": answers}, "not_known": ["drowning.alcohol_or_drugs"]})
    assert r.status_code == 200, r.text


def test_the_panel_papers_carry_supplementary_answers_scrubbed_without_dates(client, coordinator,
                                                                          panel_member) -> None:
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).replace(microsecond=0).isoformat()
    meeting = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": future,
                                                   "member_ids": [panel_member.id]}, headers=coordinator.headers).json()
    case = _case(client, coordinator)
    for f in case["reporting_forms"]:
        client.post(f"{API}/child-deaths/{case['id']}/reporting-forms/{f['id']}/waive", json={"reason": "n/a"},
                    headers=coordinator.headers)
    form = _request(client, coordinator, case["id"], ["sudi_sudc"]).json()
    r = _submit(client, coordinator, case["id"], form["id"], {
        "answers": {"sudi_sudc": sudi_v1(room_temperature_celsius=19.5, recent_illness=True,
                                         recent_illness_detail="Testchild Bravo had a cold.")},
        "not_known": []})
    assert r.status_code == 200, r.text
    assert transition(client, case["id"], coordinator, "mark_ready_for_panel",
                      cdrm_not_required_reason="Not needed (synthetic).").status_code == 200
    assert transition(client, case["id"], coordinator, "schedule_for_panel", meeting_id=meeting["id"]).status_code == 200
    papers = client.get(f"{API}/meetings/{meeting['id']}/papers", headers=panel_member.headers)
    assert papers.status_code == 200, papers.text
    (paper,) = [f for f in papers.json()["cases"][0]["reporting_forms"] if f["agency"] == "Testshire Health Visiting"]
    (sudi,) = paper["supplementary"]
    assert (sudi["form"], sudi["version"]) == ("sudi_sudc", 2)
    rows = {a["question"]: a["answer"] for a in sudi["answers"]}
    assert rows["Position the child was found in"] == "On their front"  # a choice's label
    assert rows["Was the child sharing a sleep surface with anyone?"] == "No"
    assert rows["Temperature of the room, if measured (°C)"] == "19.5"
    illness = rows["Describe the illness and any care sought"]
    assert illness.endswith("had a cold.") and "[redacted]" in illness
    assert "Testchild" not in papers.text and "Bravo" not in papers.text
    assert "Date the child was last seen alive and well" not in rows and "2026-05-31" not in papers.text
    assert "Who was the child sharing the sleep surface with?" not in rows  # not asked
