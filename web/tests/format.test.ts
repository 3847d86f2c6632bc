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

describe("times", () => {
  it("are written as GOV.UK writes them, in London time", async () => {
    const { formatDateTime } = await import("../src/lib/format");
    expect(formatDateTime("2026-12-07T14:00:00Z")).toBe("7 December 2026 at 2pm");
    expect(formatDateTime("2026-07-07T13:30:00Z")).toBe("7 July 2026 at 2:30pm");
  });
});
