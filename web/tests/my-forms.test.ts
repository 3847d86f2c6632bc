import { describe, expect, it } from "vitest";

import {
  apiMessages, checkEntries, initialEntries, questionsOf, submitBody, type FormView,
} from "../src/pages/my-forms/formData";

const sections: FormView["sections"] = [
  { key: "agency_involvement", title: "Agency involvement", help: "How and when your agency knew the child." },
  { key: "health", title: "Health", help: "Health of the child." },
  { key: "other_information", title: "Other information", help: "Anything else." },
];

describe("a form definition -> the page's questions", () => {
  it("gives one question per section, in order, with any earlier answer or not known", () => {
    const qs = questionsOf({ sections, answers: { health: "Seen twice." }, not_known: ["other_information"] });
    expect(qs.map((q) => q.key)).toEqual(["agency_involvement", "health", "other_information"]);
    expect(qs[0]).toEqual({ key: "agency_involvement", title: "Agency involvement",
      help: "How and when your agency knew the child.", answer: "", notKnown: false });
    expect(qs[1].answer).toBe("Seen twice.");
    expect(qs[2].notKnown).toBe(true);
    expect(initialEntries(qs)).toEqual({
      agency_involvement: { text: "", notKnown: false },
      health: { text: "Seen twice.", notKnown: false },
      other_information: { text: "", notKnown: true },
    });
  });
});

describe("answers -> the request body", () => {
  const qs = questionsOf({ sections, answers: {}, not_known: [] });

  it("sends answered sections' text trimmed and the sections marked not known", () => {
    const body = submitBody(qs, {
      agency_involvement: { text: "  Known to the school nurse.  ", notKnown: false },
      health: { text: "", notKnown: true },
      other_information: { text: "None.", notKnown: false },
    });
    expect(body).toEqual({
      answers: { agency_involvement: "Known to the school nurse.", other_information: "None." },
      not_known: ["health"],
    });
  });

  it("never sends a section both answered and not known (not known wins in the body)", () => {
    const body = submitBody(qs, {
      agency_involvement: { text: "x", notKnown: true },
      health: { text: "y", notKnown: false },
      other_information: { text: "", notKnown: true },
    });
    expect(body.answers).toEqual({ health: "y" });
    expect(body.not_known).toEqual(["agency_involvement", "other_information"]);
  });

  it("asks for each section neither answered nor not known, and for one that is both", () => {
    const messages = checkEntries(qs, {
      agency_involvement: { text: "   ", notKnown: false },
      health: { text: "Typed", notKnown: true },
      other_information: { text: "", notKnown: true },
    });
    expect(messages).toEqual({
      "answers.agency_involvement": 'Enter your answer for agency involvement, or select "Not known"',
      "answers.health": 'Remove your answer for health, or unselect "Not known"',
    });
    expect(checkEntries(qs, {
      agency_involvement: { text: "a", notKnown: false }, health: { text: "", notKnown: true },
      other_information: { text: "c", notKnown: false },
    })).toEqual({});
  });

  it("puts the API's own 422 on the section it names, or on the form", () => {
    expect(apiMessages({ answers: "answer or mark as not known every section; missing: health" }))
      .toEqual({ _: "Answer or mark as not known every section; missing: health" });
    expect(apiMessages({ "answers.health": "String should have at most 20000 characters" }))
      .toEqual({ "answers.health": "String should have at most 20000 characters" });
    expect(apiMessages({ "not_known.0": "Input should be 'health'" })).toEqual({ _: "Input should be 'health'" });
  });
});
