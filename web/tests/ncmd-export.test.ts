import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "../src/api/client";
import {
  fetchNcmdExport, ncmdCaseFileName, ncmdDefaultPeriod, ncmdPeriodFileName, ncmdPeriodMessages,
} from "../src/pages/reports/ncmd";

afterEach(() => vi.unstubAllGlobals());

describe("the NCMD export's file names", () => {
  it("names a case's record by its reference", () => {
    expect(ncmdCaseFileName("CD-2026-0001")).toBe("ncmd-CD-2026-0001.json");
  });
  it("never lets a reference put a path or odd characters in the name", () => {
    expect(ncmdCaseFileName("../CD 2026/7")).toBe("ncmd-CD-2026-7.json");
    expect(ncmdCaseFileName("")).toBe("ncmd-record.json");
  });
  it("names a period's file by its two days", () => {
    expect(ncmdPeriodFileName({ from: "2026-01-01", to: "2026-12-07" })).toBe("ncmd-2026-01-01-to-2026-12-07.json");
  });
});

describe("the NCMD export's period", () => {
  it("defaults to this year so far, as the API does", () => {
    expect(ncmdDefaultPeriod("2026-12-07")).toEqual({ from: "2026-01-01", to: "2026-12-07" });
    expect(ncmdDefaultPeriod("2027-01-01")).toEqual({ from: "2027-01-01", to: "2027-01-01" });
  });
  it("puts the API's 422 on the section's own date fields", () => {
    const error = new ApiError(422, {
      status: 422, title: "Unprocessable", errors: [
        { loc: ["query", "from"], msg: "the period is limited to 366 days: export it in parts", type: "value_error" },
        { loc: ["query", "to"], msg: "'to' is before 'from'", type: "value_error" },
      ],
    } as never);
    expect(ncmdPeriodMessages(error)).toEqual({
      ncmd_from: "The period is limited to 366 days: export it in parts",
      ncmd_to: "'to' is before 'from'",
    });
    expect(ncmdPeriodMessages(new Error("x"))).toEqual({});
  });
  it("asks the API for the period and fails with its status when refused", async () => {
    const seen: Request[] = [];
    vi.stubGlobal("fetch", async (request: Request) => {
      seen.push(request);
      return new Response(JSON.stringify({ status: 403, code: "forbidden" }), {
        status: 403, headers: { "Content-Type": "application/problem+json" },
      });
    });
    await expect(fetchNcmdExport({ from: "2026-01-01", to: "2026-06-30" })).rejects.toBeInstanceOf(ApiError);
    const url = new URL(seen[0].url);
    expect(url.pathname).toBe("/api/v1/exports/ncmd");
    expect(url.searchParams.get("from")).toBe("2026-01-01");
    expect(url.searchParams.get("to")).toBe("2026-06-30");
  });
});
