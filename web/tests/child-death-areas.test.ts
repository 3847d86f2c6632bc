import { describe, expect, it } from "vitest";

import { EMPTY_AREAS, withAreas } from "../src/pages/child-deaths/areaFields";
import { outcomeText, responsibleText } from "../src/pages/child-deaths/OutOfArea";
import { areaOutcomeText, coveredText } from "../src/pages/reports/OtherAreas";

const base = { child: { first_name: "Testchild", local_authority: "Otherborough" } };

describe("the other-areas fields of a staff notification", () => {
  it("adds nothing when left empty", () => {
    expect(withAreas(base, EMPTY_AREAS)).toEqual(base);
  });
  it("sends looked_after as a boolean and the area only for a looked-after child", () => {
    expect(withAreas(base, { ...EMPTY_AREAS, looked_after: "true", looked_after_by: " Testshire " }).child)
      .toEqual({ ...base.child, looked_after: true, looked_after_by: "Testshire" });
    expect(withAreas(base, { ...EMPTY_AREAS, looked_after: "false", looked_after_by: "Testshire" }).child)
      .toEqual({ ...base.child, looked_after: false });
    expect(withAreas(base, { ...EMPTY_AREAS, looked_after: "not_known" }).child).toEqual(base.child);
  });
  it("sends transferred_from only when the death was transferred, empty parts left for the API to name", () => {
    const a = { ...EMPTY_AREAS, transferred: "true", from_area: "Farshire", from_email: "", from_received_on: "2026-3-20" };
    expect(withAreas(base, a).transferred_from).toEqual({ area: "Farshire", received_on: "2026-03-20" });
    expect(withAreas(base, { ...a, from_area: "", from_received_on: "" }).transferred_from).toEqual({});
    expect(withAreas(base, { ...a, transferred: "false" })).not.toHaveProperty("transferred_from");
  });
});

describe("the words of the other-areas card and report", () => {
  const transfer = {
    home_area: "Otherborough", home_cdop_email: null, home_cdop_contact_name: null, home_cdop_phone: null,
    transferred_on: "2026-03-02", outcome_due_on: "2026-09-02", outcome_overdue: true, outcome: null,
  };
  it("says what is awaited, and the outcome once recorded", () => {
    expect(outcomeText(transfer)).toBe("Awaiting the home panel’s outcome, due 2 September 2026");
    expect(outcomeText({
      ...transfer, outcome_due_on: null, outcome_overdue: false,
      outcome: { received_on: "2026-09-09", category: 5, category_label: "Acute medical or surgical condition", modifiable: "no",
        note: null, recorded_at: "2026-09-10T10:00:00Z", recorded_by: "Cora" },
    })).toBe("Category 5. Acute medical or surgical condition. Modifiable factors: no. Received 9 September 2026.");
  });
  it("names the responsible area and whether the panel covers it", () => {
    const child = { looked_after: null } as never;
    expect(responsibleText({ responsible_area: "Otherborough", in_our_area: false, child }))
      .toBe("Otherborough (where the child normally lived): not covered by this panel");
    expect(responsibleText({ responsible_area: "Testshire", in_our_area: true, child: { looked_after: true } as never }))
      .toBe("Testshire (the local authority looking after the child): covered by this panel");
    expect(responsibleText({ responsible_area: "Otherborough", in_our_area: null, child }))
      .toBe("Otherborough (where the child normally lived)");
    expect(responsibleText({ responsible_area: null, in_our_area: null, child: { looked_after: true } as never }))
      .toBe("Not known: record the local authority looking after the child");
  });
  it("reports each out-of-area death's outcome", () => {
    const row = {
      id: 1, reference: "CD-2026-0001", direction: "out" as const, area: "Otherborough", transferred_on: "2026-03-02",
      status: "transferred_out" as const, outcome: "awaiting" as const, outcome_received_on: null, category: null,
      category_label: null, modifiable: null, due_on: "2026-09-02", overdue: true,
    };
    expect(areaOutcomeText(row)).toBe("Awaiting, due 2 September 2026");
    expect(areaOutcomeText({ ...row, direction: "in", due_on: null })).toBe("Awaiting our panel’s review");
    expect(areaOutcomeText({ ...row, outcome: "recorded", category: 10, category_label: "Sudden unexpected, unexplained death",
      modifiable: "insufficient_information" })).toBe("Category 10. Sudden unexpected, unexplained death; modifiable factors: insufficient information");
    expect([coveredText(true), coveredText(false), coveredText(null)]).toEqual(["Yes", "No", "Not known"]);
  });
});

describe("the list's filter of transfers awaiting the home panel's outcome", () => {
  it("goes from the address to the API query and back out", async () => {
    const { apiQuery, filtersToSearch, parseFilters, without } = await import("../src/pages/child-deaths/domain");
    const search = new URLSearchParams("awaiting_external_outcome=true&q=CD-2026");
    expect(parseFilters(search).awaiting_external_outcome).toBe(true);
    expect(apiQuery(search)).toEqual({ awaiting_external_outcome: true, q: "CD-2026" });
    expect(filtersToSearch(parseFilters(search)).get("awaiting_external_outcome")).toBe("true");
    expect(without(search, "awaiting_external_outcome")).toBe("?q=CD-2026");
    expect(apiQuery(new URLSearchParams("awaiting_external_outcome=false"))).toEqual({});
  });
});
