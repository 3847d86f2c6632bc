import { describe, expect, it } from "vitest";

import { filterCodec } from "../src/lib/filters";

const codec = filterCodec({ status: "list", late: "flag", from: "date", days: "number", q: "text" } as const);

describe("a list's filters in its address", () => {
  it("reads each kind from the address, and writes it back in the order of the filters", () => {
    const search = new URLSearchParams("q=+Ash+&status=a&status=b&late=true&from=2026-03-07&days=90&limit=20&cursor=x");
    const f = codec.parse(search);
    expect(f).toEqual({ status: ["a", "b"], late: true, from: "2026-03-07", days: "90", q: " Ash " });
    // a new search starts at the first page (no cursor); the page size is kept; text trimmed
    expect(codec.toSearch(f, search).toString()).toBe("status=a&status=b&late=true&from=2026-03-07&days=90&q=Ash&limit=20");
  });

  it("writes a date as typed in the three boxes as YYYY-MM-DD", () => {
    expect(codec.toSearch({ ...codec.empty, from: "2026-3-7" }).toString()).toBe("from=2026-03-07");
  });

  it("gives the API numbers where a number filter is digits, and leaves anything else for its 422", () => {
    expect(codec.apiQuery(new URLSearchParams("days=90&limit=20&late=true"))).toEqual({ days: 90, limit: 20, late: true });
    expect(codec.apiQuery(new URLSearchParams("days=ninety"))).toEqual({ days: "ninety" });
    expect(codec.apiQuery(new URLSearchParams("late=false&status="))).toEqual({});
  });

  it("removes one value of a list filter, or a whole filter", () => {
    const search = new URLSearchParams("status=a&status=b&late=true&q=Ash");
    expect(codec.without(search, "status", "a")).toBe("?status=b&late=true&q=Ash");
    expect(codec.without(search, "late")).toBe("?status=a&status=b&q=Ash");
    expect(codec.without(new URLSearchParams("q=Ash"), "q")).toBe("?");
    expect(codec.searchString({ late: true })).toBe("?late=true");
    expect(codec.searchString({})).toBe("");
  });
});
