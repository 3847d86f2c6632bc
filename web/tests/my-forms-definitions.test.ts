// The agency author's form built from definitions (issue 20): conditional questions shown only
// after the answer they follow, the body sent (yes/no as booleans, numbers, dates, a hidden
// question's answer never sent), the checks before sending, the answers read back.
import { describe, expect, it } from "vitest";

import {
  answerRows, answersBody, apiMessages, checkAnswers, conditionText, initialAnswers, isShown,
  type Answers, type Definition,
} from "../src/pages/my-forms/formData";

const drowning: Definition = {
  key: "drowning", version: 1, title: "Supplementary form: drowning", supplementary: true,
  sections: [{
    key: "circumstances", title: "Circumstances", questions: [
      { key: "location", label: "Where?", type: "choice", required: true, integer: false,
        choices: [{ value: "bath", label: "In a bath" }, { value: "sea", label: "The sea" }] },
      { key: "supervised", label: "Supervised?", type: "yes_no", required: true, integer: false },
      { key: "supervisor", label: "Who supervised?", type: "choice", required: true, integer: false,
        choices: [{ value: "parent", label: "A parent" }], show_if: { question: "supervised", in: [true] } },
      { key: "buoyancy_aid", label: "Buoyancy aid?", type: "yes_no", required: true, integer: false,
        show_if: { question: "location", in: ["sea"] } },
      { key: "depth_m", label: "Depth (m)", type: "number", required: false, integer: false },
      { key: "found_on", label: "Found on", type: "date", required: true, integer: false },
      { key: "factors", label: "Factors", type: "multiple_choice", required: true, integer: false,
        choices: [{ value: "cold", label: "Cold water" }, { value: "night", label: "At night" }] },
    ],
  }],
};
const reporting: Definition = {
  key: "reporting_form", version: 1, title: "Reporting form", supplementary: false,
  sections: [{ key: "health", title: "Health", help: "Health of the child.",
    questions: [{ key: "health", label: "Information from your agency", type: "long_text", required: true, integer: false }] }],
};
const a = (text = "", notKnown = false, values: string[] = []) => ({ text, notKnown, values });

describe("conditional questions", () => {
  it("are shown only when the earlier answer is one of theirs", () => {
    const q = drowning.sections[0].questions[2];
    expect(isShown(drowning, q, {})).toBe(false);
    expect(isShown(drowning, q, { "answers.drowning.supervised": a("no") })).toBe(false);
    expect(isShown(drowning, q, { "answers.drowning.supervised": a("", true) })).toBe(false);
    expect(isShown(drowning, q, { "answers.drowning.supervised": a("yes") })).toBe(true);
    expect(conditionText(drowning, q)).toBe('Asked because you answered "Yes" to "Supervised?".');
  });
});

describe("answers -> the request body", () => {
  it("nests a supplementary form under its key, converts types and drops hidden questions", () => {
    const answers: Answers = {
      // the reporting form's answers sit at the top level
      "answers.health": a("  Seen twice.  "),
      "answers.drowning.location": a("bath"),
      "answers.drowning.supervised": a("no"),
      "answers.drowning.supervisor": a("parent"), // hidden again: not sent
      "answers.drowning.buoyancy_aid": a("", true), // hidden: its "not known" is not sent either
      "answers.drowning.depth_m": a("1.5"),
      "answers.drowning.found_on": a("2026-6-3"),
      "answers.drowning.factors": a("", false, ["cold", "night"]),
    };
    const body = answersBody([reporting, drowning], answers);
    expect(body).toEqual({
      answers: { health: "Seen twice.", drowning: { location: "bath", supervised: false, depth_m: 1.5,
        found_on: "2026-06-03", factors: ["cold", "night"] } },
      not_known: [],
    });
  });

  it("asks for required questions shown, not for hidden or optional ones", () => {
    const messages = checkAnswers([drowning], {
      "answers.drowning.location": a("sea"), "answers.drowning.supervised": a("", true),
      "answers.drowning.found_on": a("2026-6-3"), "answers.drowning.factors": a("", true, ["cold"]),
    });
    expect(Object.keys(messages)).toEqual(["answers.drowning.buoyancy_aid", "answers.drowning.factors"]);
    expect(messages["answers.drowning.buoyancy_aid"]).toBe('Select an answer for "Buoyancy aid?", or "Not known"');
    expect(messages["answers.drowning.factors"]).toBe('Remove your answer for "Factors", or unselect "Not known"');
  });
});

describe("a saved form -> the page and the read-only answers", () => {
  const view = {
    forms: [reporting, drowning],
    answers: { health: "Seen.", drowning: { location: "sea", supervised: true, found_on: "2026-06-03", factors: ["night"] } },
    not_known: ["drowning.supervisor"],
  };
  it("gives each question's answer as the fields show it", () => {
    const got = initialAnswers(view as never);
    expect(got["answers.health"].text).toBe("Seen.");
    expect(got["answers.drowning.supervised"].text).toBe("yes");
    expect(got["answers.drowning.found_on"].text).toBe("2026-6-3");
    expect(got["answers.drowning.factors"].values).toEqual(["night"]);
    expect(got["answers.drowning.supervisor"].notKnown).toBe(true);
  });
  it("reads answers under the definition's labels, leaving out questions not asked", () => {
    const [rf, dr] = answerRows(view.forms, view.answers, view.not_known);
    expect(rf.rows).toEqual([{ field: "answers.health", key: "Health", value: "Seen." }]);
    expect(dr.rows.map((r) => [r.key, r.value])).toEqual([
      ["Where?", "The sea"], ["Supervised?", "Yes"], ["Who supervised?", "Not known"],
      ["Depth (m)", "Not answered"], ["Found on", "3 June 2026"], ["Factors", "At night"],
    ]);
  });
  it("puts the API's refusals on the nested fields", () => {
    expect(apiMessages({ "answers.drowning.depth_m": "enter a number", "not_known.drowning.supervisor": "both", "not_known.0": "no" }))
      .toEqual({ "answers.drowning.depth_m": "Enter a number", "answers.drowning.supervisor": "Both", _: "No" });
  });
});
