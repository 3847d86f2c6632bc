import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "../src/api/client";
import { fetchCsv } from "../src/pages/reports/ReportsPage";

afterEach(() => vi.unstubAllGlobals());

describe("the CSV of a report", () => {
  it("asks the API for text/csv for the period and gives the text back", async () => {
    const seen: Request[] = [];
    vi.stubGlobal("fetch", async (request: Request) => {
      seen.push(request);
      return new Response("section,item,measure,value\nnotifications_received,,,3\n", {
        status: 200, headers: { "Content-Type": "text/csv; charset=utf-8" },
      });
    });
    const text = await fetchCsv("/api/v1/reports/case-reviews", { from: "2026-04-01", to: "2027-03-31" });
    expect(text).toContain("notifications_received,,,3");
    const url = new URL(seen[0].url);
    expect(url.pathname).toBe("/api/v1/reports/case-reviews");
    expect(url.searchParams.get("from")).toBe("2026-04-01");
    expect(url.searchParams.get("to")).toBe("2027-03-31");
    expect(seen[0].headers.get("Accept")).toBe("text/csv");
  });
  it("fails with the API's status when the API refuses", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ status: 403, code: "forbidden" }), {
      status: 403, headers: { "Content-Type": "application/problem+json" },
    }));
    await expect(fetchCsv("/api/v1/reports/child-deaths", { from: "2026-04-01", to: "2027-03-31" }))
      .rejects.toBeInstanceOf(ApiError);
  });
});
