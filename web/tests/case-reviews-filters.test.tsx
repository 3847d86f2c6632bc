import { describe, expect, it } from "vitest";

import { apiQuery, EMPTY, filtersToSearch, parseFilters, typedDate, without } from "../src/pages/case-reviews/filters";

describe("case reviews list filters and the query string", () => {
  it("round-trips every filter through the address", () => {
    const f = {
      ...EMPTY, status: ["screening", "awaiting_decision"], decision: "scr", overdue: true,
      received_from: "2026-3-7", received_to: "2026-12-31", q: "CR-2026-0001", meeting_id: "4",
    };
    const search = filtersToSearch(f);
    expect(search.toString()).toBe(
      "status=screening&status=awaiting_decision&decision=scr&overdue=true&received_from=2026-03-07"
      + "&received_to=2026-12-31&q=CR-2026-0001&meeting_id=4");
    const back = parseFilters(new URLSearchParams(search.toString()));
    expect(back).toEqual({ ...f, received_from: "2026-03-07" });
    expect(filtersToSearch(back).toString()).toBe(search.toString());
  });

  it("leaves empty filters out and starts again at the first page, keeping limit", () => {
    const keep = new URLSearchParams("limit=5&cursor=abc&q=x");
    expect(filtersToSearch({ ...EMPTY, q: "  " }, keep).toString()).toBe("limit=5");
    expect(filtersToSearch(EMPTY).toString()).toBe("");
  });

  it("gives the API the filters, limit and cursor of the address (the API judges bad values)", () => {
    const q = apiQuery(new URLSearchParams("status=closed&overdue=true&received_from=nonsense&meeting_id=12&limit=2&cursor=abc"));
    expect(q).toEqual({ status: ["closed"], overdue: true, received_from: "nonsense", meeting_id: 12, limit: 2, cursor: "abc" });
    expect(apiQuery(new URLSearchParams(""))).toEqual({});
  });

  it("removes one filter tag from the address", () => {
    const search = new URLSearchParams("status=screening&status=closed&decision=nfa&overdue=true&cursor=abc");
    expect(without(search, "status", "closed")).toBe("?status=screening&decision=nfa&overdue=true");
    expect(without(search, "decision")).toBe("?status=screening&status=closed&overdue=true");
    expect(without(search, "overdue")).toBe("?status=screening&status=closed&decision=nfa");
    expect(without(new URLSearchParams("q=x"), "q")).toBe("?");
  });

  it("shows a date from the address as it would be typed", () => {
    expect(typedDate("2026-03-07")).toBe("2026-3-7");
    expect(typedDate("")).toBe("");
  });
});
