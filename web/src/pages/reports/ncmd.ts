// The national data export (NCMD) in the staff app: the file names, the period's field errors and
// the download itself. Used by the case page (one record) and the reports page (a period).
// The file names and the error mapping are pure functions: the unit tests check them (the file
// itself is saved by lib/download).
import { api, unwrap } from "../../api/client";
import { fieldMessages } from "../../lib/errors";

/** The file of one case's record: "ncmd-CD-2026-0001.json" (anything but letters, digits and
 * dashes in the reference becomes a dash, so a file name is always safe). */
export function ncmdCaseFileName(reference: string): string {
  const safe = reference.replace(/[^A-Za-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return `ncmd-${safe || "record"}.json`;
}

/** The file of a period's records: "ncmd-2026-01-01-to-2026-12-07.json". */
export function ncmdPeriodFileName(period: { from: string; to: string }): string {
  return `ncmd-${period.from}-to-${period.to}.json`;
}

/** The API's 422 on a period (loc ["query", "from"|"to"]) as messages for the section's own date
 * fields (`ncmd_from`, `ncmd_to`), each starting with a capital as GOV.UK messages do; anything
 * not about one of them under "_". */
export function ncmdPeriodMessages(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, msg] of Object.entries(fieldMessages(error))) {
    const field = key === "from" ? "ncmd_from" : key === "to" ? "ncmd_to" : "_";
    if (!(field in out)) out[field] = msg.charAt(0).toUpperCase() + msg.slice(1);
  }
  return out;
}

/** The first day of the current year and today (the API's own default period). */
export function ncmdDefaultPeriod(today: string): { from: string; to: string } {
  return { from: `${today.slice(0, 4)}-01-01`, to: today };
}

/** One case's record (GET /child-deaths/{id}/ncmd); an ApiError when refused. */
export async function fetchNcmdRecord(caseId: number): Promise<unknown> {
  return unwrap(await api.GET("/api/v1/child-deaths/{case_id}/ncmd", { params: { path: { case_id: caseId } } }));
}

/** The records of a period (GET /exports/ncmd?from=&to=); an ApiError when refused. */
export async function fetchNcmdExport(period: { from: string; to: string }): Promise<{ count: number }> {
  return unwrap(await api.GET("/api/v1/exports/ncmd", { params: { query: period } })) as { count: number };
}

