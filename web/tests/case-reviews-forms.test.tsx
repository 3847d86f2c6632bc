import { describe, expect, it } from "vitest";

import { friendlyMessage } from "../src/components/fieldMessage";
import { patchBody } from "../src/pages/case-reviews/editFields";
import { notificationBody } from "../src/pages/case-reviews/NewCaseReviewPage";

describe("the staff notification body", () => {
  it("nests the fields, converts dates, booleans and the agencies, and leaves empty optional fields out", () => {
    const body = notificationBody({
      received_on: "2025-2-3", "notifier.name": "Jo Sample", "notifier.email": "jo@police.example",
      "notifier.agency": "Example Police", "notifier.role": "", "child.first_name": "Ari", "child.last_name": "Entered",
      "child.sex": "female", "incident.date": "2025-2-1", "incident.type": "serious_harm", "incident.description": "Injury",
      rationale: "Agencies missed signs", abuse_or_neglect_suspected: "false", agencies_involved: "Police\n\n Health visitor ",
    });
    expect(body).toEqual({
      received_on: "2025-02-03",
      notifier: { name: "Jo Sample", email: "jo@police.example", agency: "Example Police" },
      child: { first_name: "Ari", last_name: "Entered", sex: "female" },
      incident: { date: "2025-02-01", type: "serious_harm", description: "Injury" },
      rationale: "Agencies missed signs", abuse_or_neglect_suspected: false, agencies_involved: ["Police", "Health visitor"],
    });
  });

  it("sends the required fields even when empty, for the API to name them", () => {
    const body = notificationBody({});
    expect(body.notifier).toEqual({ name: "", email: "", agency: "" });
    expect(body.child).toEqual({ first_name: "", last_name: "" });
    expect(body.incident).toEqual({ date: "", description: "" });
    expect("abuse_or_neglect_suspected" in body).toBe(false);
  });
});

describe("the PATCH body of the edit page", () => {
  it("holds only the changed fields, nested, with null for a cleared one", () => {
    const base = { "child.first_name": "Sasha", "child.ethnicity": "", "notifier.role": "Officer", agencies_involved: "Police",
      abuse_or_neglect_suspected: "true", terms_of_reference_agreed_on: "" };
    const values = { ...base, "child.ethnicity": "Not recorded", "notifier.role": "", agencies_involved: "Police\nSchool",
      abuse_or_neglect_suspected: "false", terms_of_reference_agreed_on: "2025-3-7" };
    expect(patchBody(base, values)).toEqual({
      child: { ethnicity: "Not recorded" }, notifier: { role: null }, agencies_involved: ["Police", "School"],
      abuse_or_neglect_suspected: false, terms_of_reference_agreed_on: "2025-03-07",
    });
    expect(patchBody(base, base)).toEqual({});
  });
});

describe("error messages", () => {
  it("turns the validator's generic words into GOV.UK messages and keeps the service's own", () => {
    expect(friendlyMessage("the child’s first name", "text", "String should have at least 1 character")).toBe("Enter the child’s first name");
    expect(friendlyMessage("Rationale", "text", "this field is required for this action")).toBe("Enter rationale");
    expect(friendlyMessage("what happened to the child", "choice", "Field required")).toBe("Select what happened to the child");
    expect(friendlyMessage("The date of the incident", "date", "Value error, expected a date as YYYY-MM-DD"))
      .toBe("The date of the incident must be a real date");
    expect(friendlyMessage("x", "email", "value is not a valid email address: no @"))
      .toBe("Enter an email address in the correct format, like name@example.com");
    expect(friendlyMessage("Date published", "date", "must not be in the future")).toBe("must not be in the future");
  });
});
