// The case reviews list's filters (API.md GET /case-reviews) and the query string that holds them,
// so that a filtered list can be bookmarked: URL -> filters -> form -> URL round-trips.
import { isoDate } from "../../components/fields";

export type Filters = {
  status: string[];
  decision: string;
  overdue: boolean;
  received_from: string; // as in the URL: YYYY-MM-DD (or what was typed, for the API to judge)
  received_to: string;
  q: string;
  meeting_id: string;
};

export const EMPTY: Filters = {
  status: [], decision: "", overdue: false, received_from: "", received_to: "", q: "", meeting_id: "",
};

export const DECISIONS: { value: string; label: string }[] = [
  { value: "scr", label: "Serious case review" },
  { value: "management_review", label: "Management review" },
  { value: "single_agency_review", label: "Single agency review" },
  { value: "learning_event", label: "Learning event" },
  { value: "other_la_review", label: "Review by another local authority" },
  { value: "nfa", label: "No further action" },
  { value: "pending", label: "No decision yet" },
];

export function parseFilters(search: URLSearchParams): Filters {
  return {
    status: search.getAll("status").filter(Boolean),
    decision: search.get("decision") ?? "",
    overdue: search.get("overdue") === "true",
    received_from: search.get("received_from") ?? "",
    received_to: search.get("received_to") ?? "",
    q: search.get("q") ?? "",
    meeting_id: search.get("meeting_id") ?? "",
  };
}

/** The query string of a set of filters (a new search starts at the first page: no cursor).
 * `limit` is kept when the current address has one. */
export function filtersToSearch(f: Filters, keep?: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const s of f.status) out.append("status", s);
  if (f.decision) out.set("decision", f.decision);
  if (f.overdue) out.set("overdue", "true");
  const from = isoDate(f.received_from);
  const to = isoDate(f.received_to);
  if (from) out.set("received_from", from);
  if (to) out.set("received_to", to);
  if (f.q.trim()) out.set("q", f.q.trim());
  if (f.meeting_id) out.set("meeting_id", f.meeting_id);
  const limit = keep?.get("limit");
  if (limit) out.set("limit", limit);
  return out;
}

export type ListQuery = {
  status?: string[]; decision?: string; overdue?: boolean; received_from?: string; received_to?: string;
  q?: string; meeting_id?: number | string; limit?: number | string; cursor?: string;
};

/** The API query for the address (filters plus limit and cursor); the API judges the values. */
export function apiQuery(search: URLSearchParams): ListQuery {
  const f = parseFilters(search);
  const q: ListQuery = {};
  if (f.status.length) q.status = f.status;
  if (f.decision) q.decision = f.decision;
  if (f.overdue) q.overdue = true;
  if (f.received_from) q.received_from = f.received_from;
  if (f.received_to) q.received_to = f.received_to;
  if (f.q) q.q = f.q;
  if (f.meeting_id) q.meeting_id = /^\d+$/.test(f.meeting_id) ? Number(f.meeting_id) : f.meeting_id;
  const limit = search.get("limit");
  if (limit) q.limit = /^\d+$/.test(limit) ? Number(limit) : limit;
  const cursor = search.get("cursor");
  if (cursor) q.cursor = cursor;
  return q;
}

/** The address without one filter (a status value, or a whole filter). */
export function without(search: URLSearchParams, key: keyof Filters, value?: string): string {
  const f = parseFilters(search);
  const next: Filters = { ...f };
  if (key === "status") next.status = f.status.filter((s) => s !== value);
  else if (key === "overdue") next.overdue = false;
  else next[key] = "";
  const s = filtersToSearch(next, search).toString();
  return s ? `?${s}` : "?";
}

/** "2026-03-07" -> "2026-3-7", the DateInput's value as if typed. */
export function typedDate(iso: string): string {
  const m = /^(\d*)-(\d*)-(\d*)$/.exec(iso);
  if (!m) return iso;
  const strip = (x: string) => x.replace(/^0+(?=\d)/, "");
  return `${m[1]}-${strip(m[2])}-${strip(m[3])}`;
}
