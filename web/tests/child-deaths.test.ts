// The child death pages' pure functions: the summary as chart bars, the bands as "older than"
// days, overdue holds, the filters in the query string, and the request bodies.
import { describe, expect, it } from "vitest";

import { analysisBody, analysisField, analysisMessages, EMPTY_ANALYSIS } from "../src/pages/child-deaths/AnalysisForm";
import {
  apiQuery, chartBars, EMPTY_NOTIFICATION,
  filtersToSearch, notificationBody, parseFilters, without, type Summary,
} from "../src/pages/child-deaths/domain";

const summary: Summary = {
  as_of: "2026-12-07",
  bands: ["0-3m", "3-6m", "6-12m", "12m+"],
  by_status: {
    notified: { "0-3m": 2 },
    information_gathering: { "0-3m": 1, "3-6m": 3, "12m+": 4 },
    on_hold: { "6-12m": 1 },
  },
  by_band: { "0-3m": 3, "3-6m": 3, "6-12m": 1, "12m+": 4 },
  total: 11,
};

describe("chartBars", () => {
  it("gives one bar per outstanding status in workflow order, scaled to the longest", () => {
    const bars = chartBars(summary, 100);
    expect(bars.map((b) => b.status)).toEqual([
      "notified", "information_gathering", "on_hold", "ready_for_panel", "scheduled_for_panel", "reviewed",
    ]);
    expect(bars.map((b) => b.total)).toEqual([2, 8, 1, 0, 0, 0]);
    const gathering = bars[1];
    expect(gathering.segments.map((s) => [s.band, s.count])).toEqual([["0-3m", 1], ["3-6m", 3], ["12m+", 4]]);
    expect(gathering.segments.map((s) => s.x)).toEqual([0, 12.5, 50]);
    expect(gathering.segments.reduce((n, s) => n + s.width, 0)).toBe(100);
    expect(bars[0].segments[0].width).toBe(25);
    expect(bars[3].segments).toEqual([]);
  });

  it("copes with an empty summary (no division by zero)", () => {
    const bars = chartBars({ ...summary, by_status: {}, by_band: {}, total: 0 });
    expect(bars.every((b) => b.total === 0 && b.segments.length === 0)).toBe(true);
  });
});

describe("the list's filters in the URL", () => {
  it("round-trips and drops the cursor on a new search", () => {
    const search = new URLSearchParams("status=on_hold&status=notified&outstanding=true&older_than_days=90&since_death_band=12m%2B&hold_reason=inquest&hold_overdue=true&has_overdue_reports=true&overdue=true&overdue_kind=cdop_cdrm&agency=GP&q=CD-2026&cursor=abc&limit=20");
    const f = parseFilters(search);
    expect(f).toEqual({
      status: ["on_hold", "notified"], outstanding: true, older_than_days: "90", since_death_band: "12m+",
      hold_reason: "inquest", hold_overdue: true, has_overdue_reports: true, overdue: true, overdue_kind: "cdop_cdrm",
      awaiting_external_outcome: false, agency: "GP", q: "CD-2026",
    });
    expect(filtersToSearch(f, search).toString()).toBe(
      "status=on_hold&status=notified&outstanding=true&older_than_days=90&since_death_band=12m%2B&hold_reason=inquest&hold_overdue=true&has_overdue_reports=true&overdue=true&overdue_kind=cdop_cdrm&agency=GP&q=CD-2026&limit=20");
    expect(apiQuery(search)).toEqual({
      status: ["on_hold", "notified"], outstanding: true, older_than_days: 90, since_death_band: "12m+",
      hold_reason: "inquest", hold_overdue: true, has_overdue_reports: true, overdue: true, overdue_kind: "cdop_cdrm", agency: "GP", q: "CD-2026",
      limit: 20, cursor: "abc",
    });
  });

  it("removes one filter or one status", () => {
    const search = new URLSearchParams("status=on_hold&status=notified&has_overdue_reports=true");
    expect(without(search, "status", "on_hold")).toBe("?status=notified&has_overdue_reports=true");
    expect(without(search, "has_overdue_reports")).toBe("?status=on_hold&status=notified");
    expect(without(new URLSearchParams("q=x"), "q")).toBe("?");
    expect(without(new URLSearchParams("overdue=true&outstanding=true"), "overdue")).toBe("?outstanding=true");
  });

  it("passes a value that is not a number to the API as typed (its 422 names the field)", () => {
    expect(apiQuery(new URLSearchParams("older_than_days=ninety"))).toEqual({ older_than_days: "ninety" });
  });
});

describe("analysisBody", () => {
  it("builds record_analysis from the form, factors and actions as rows", () => {
    expect(analysisBody({
      ...EMPTY_ANALYSIS, category: "10", modifiable: "insufficient_information",
      scores: { A: "0", B: "2", C: "1", D: "1" }, learning: " Safer sleep advice. ",
      factors: [
        { key: 1, domain: "B", factor: " Sofa sharing ", score: "2", comment: " Main factor " },
        { key: 2, domain: "C", factor: "Overcrowding", score: "1", comment: "" },
      ],
      event_leading_to_death: " Found unresponsive. ",
      actions: [
        { key: 3, description: " Remind health visitors ", owner_agency: "Health", owner_email: "hv@example.org", due_on: "2027-1-5" },
        { key: 4, description: "Audit leaflets", owner_agency: " Housing ", owner_email: " ", due_on: "" },
      ],
      refer_to_case_review: "true", referral_rationale: "Agencies did not share concerns.",
    })).toEqual({
      action: "record_analysis", category: 10, modifiable: "insufficient_information",
      domain_scores: { A: 0, B: 2, C: 1, D: 1 }, learning: "Safer sleep advice.",
      factors: [
        { domain: "B", factor: "Sofa sharing", score: 2, comment: "Main factor" },
        { domain: "C", factor: "Overcrowding", score: 1 },
      ],
      event_leading_to_death: "Found unresponsive.",
      actions: [
        { description: "Remind health visitors", owner_agency: "Health", owner_email: "hv@example.org", due_on: "2027-01-05" },
        { description: "Audit leaflets", owner_agency: "Housing" },
      ],
      refer_to_case_review: true, referral_rationale: "Agencies did not share concerns.",
    });
  });

  it("leaves out what was not given, for the API to name", () => {
    expect(analysisBody({ ...EMPTY_ANALYSIS, scores: { A: "1", B: "", C: "", D: "" }, refer_to_case_review: "false", referral_rationale: "x" }))
      .toEqual({ action: "record_analysis", domain_scores: { A: 1 }, refer_to_case_review: false });
    expect(analysisBody(EMPTY_ANALYSIS)).toEqual({ action: "record_analysis" });
    // a row added and left empty is sent, so that the API names its fields
    expect(analysisBody({ ...EMPTY_ANALYSIS, factors: [{ key: 1, domain: "A", factor: "", score: "", comment: "" }] }))
      .toEqual({ action: "record_analysis", factors: [{ domain: "A", factor: "" }] });
  });

  it("maps API error paths to the form's fields, row fields included", () => {
    expect(analysisField("domain_scores.B")).toBe("analysis.scores.B");
    expect(analysisField("category")).toBe("analysis.category");
    expect(analysisField("actions.0.description")).toBe("analysis.actions.0.description");
    expect(analysisField("actions.1.due_on")).toBe("analysis.actions.1.due_on");
    expect(analysisField("factors.2.score")).toBe("analysis.factors.2.score");
    expect(analysisField("actions")).toBe("analysis.actions");
  });

  it("names a row's field by its row in the error summary", async () => {
    const { ApiError } = await import("../src/api/client");
    const error = new ApiError(422, {
      type: "about:blank", title: "Invalid", status: 422, code: "validation_error", detail: "",
      errors: [
        { loc: ["body", "factors", 1, "score"], msg: "Field required" },
        { loc: ["body", "actions", 0, "owner_agency"], msg: "Field required" },
        { loc: ["body", "actions", 0, "due_on"], msg: "the due date is in the past" },
      ],
    } as never);
    const values = {
      ...EMPTY_ANALYSIS,
      factors: [{ key: 1, domain: "A" as const, factor: "x", score: "1", comment: "" },
        { key: 2, domain: "A" as const, factor: "y", score: "", comment: "" }],
    };
    expect(analysisMessages(error, values)).toEqual({
      "analysis.factors.1.score": "Select a score for factor 2 in domain A",
      "analysis.actions.0.owner_agency": "Enter the agency that owns action 1",
      "analysis.actions.0.due_on": "the due date is in the past",
    });
  });
});

describe("notificationBody", () => {
  it("builds POST /child-deaths with dates, booleans and agencies", () => {
    const body = notificationBody({
      ...EMPTY_NOTIFICATION,
      notifier: { name: "Dr Alex Morgan", email: "alex@nhs.example", agency: "Trust", role: "", phone: "" },
      child: { ...EMPTY_NOTIFICATION.child, first_name: "Jamie", last_name: "Lee", date_of_birth: "2020-1-12" },
      death: { date: "2026-11-3", time: "", place: "hospital", place_detail: "", expected: "false", jar_triggered: "true", coroner_involved: "not_known" },
      agencies: [{ name: "GP", contact_email: "gp@nhs.example" }, { name: "", contact_email: "" }],
      received_on: "2026-11-4",
    });
    expect(body).toEqual({
      notifier: { name: "Dr Alex Morgan", email: "alex@nhs.example", agency: "Trust" },
      child: { first_name: "Jamie", last_name: "Lee", date_of_birth: "2020-01-12" },
      death: { date: "2026-11-03", place: "hospital", expected: false, jar_triggered: true },
      agencies: [{ name: "GP", contact_email: "gp@nhs.example" }],
      received_on: "2026-11-04",
    });
  });

  it("sends empty groups for an empty form (the API names each missing field)", () => {
    expect(notificationBody(EMPTY_NOTIFICATION)).toEqual({ notifier: {}, child: {}, death: {}, agencies: [] });
  });
});

describe("words for the service's answers", () => {
  it("says who returned a reporting form", async () => {
    const { submittedBy } = await import("../src/pages/child-deaths/ReportingForms");
    expect(submittedBy("agency_link:1")).toBe(", through the emailed link");
    expect(submittedBy("user:7")).toBe(", by the agency author");
    expect(submittedBy(null)).toBe("");
  });

  it("puts the analysis's 422 against its fields in GOV.UK words", async () => {
    const { analysisMessages } = await import("../src/pages/child-deaths/AnalysisForm");
    const { ApiError } = await import("../src/api/client");
    const error = new ApiError(422, {
      type: "about:blank", title: "Invalid", status: 422, code: "validation_error", detail: "",
      errors: [
        { loc: ["body", "category"], msg: "Field required" },
        { loc: ["body", "domain_scores", "C"], msg: "Field required" },
        { loc: ["body", "learning"], msg: "Field required" },
      ],
    } as never);
    expect(analysisMessages(error)).toEqual({
      "analysis.category": "Select the category of death",
      "analysis.scores.C": "Select a score for domain C",
      "analysis.learning": "Enter the learning",
    });
  });
});
