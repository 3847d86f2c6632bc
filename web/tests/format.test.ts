import { describe, expect, it } from "vitest";

import { isoDate } from "../src/components/fields";
import { formatDate, humanise } from "../src/lib/format";

describe("dates", () => {
  it("writes a plain date as GOV.UK does", () => {
    expect(formatDate("2026-03-27")).toBe("27 March 2026");
  });
  it("pads the three boxes into an ISO date and keeps an empty date empty", () => {
    expect(isoDate("2026-3-7")).toBe("2026-03-07");
    expect(isoDate("")).toBe("");
    expect(isoDate("--")).toBe("");
  });
  it("humanises a code", () => {
    expect(humanise("review_in_progress")).toBe("Review in progress");
  });
});
