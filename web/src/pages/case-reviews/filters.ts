// The case reviews list's filters (API.md GET /case-reviews) and the query string that holds them,
// so that a filtered list can be bookmarked: URL -> filters -> form -> URL round-trips.
import { filterCodec, type FiltersOf } from "../../lib/filters";

const SPEC = {
  status: "list", decision: "text", overdue: "flag",
  received_from: "date", received_to: "date", // YYYY-MM-DD in the address (or what was typed, for the API to judge)
  q: "text", meeting_id: "number",
} as const;
const codec = filterCodec(SPEC);

export type Filters = FiltersOf<typeof SPEC>;

export const EMPTY: Filters = codec.empty;

export const DECISIONS: { value: string; label: string }[] = [
  { value: "scr", label: "Serious case review" },
  { value: "management_review", label: "Management review" },
  { value: "single_agency_review", label: "Single agency review" },
  { value: "learning_event", label: "Learning event" },
  { value: "other_la_review", label: "Review by another local authority" },
  { value: "nfa", label: "No further action" },
  { value: "pending", label: "No decision yet" },
];

export const parseFilters: (search: URLSearchParams) => Filters = codec.parse;

/** The query string of a set of filters (a new search starts at the first page: no cursor).
 * `limit` is kept when the current address has one. */
export const filtersToSearch: (f: Filters, keep?: URLSearchParams) => URLSearchParams = codec.toSearch;

export type ListQuery = {
  status?: string[]; decision?: string; overdue?: boolean; received_from?: string; received_to?: string;
  q?: string; meeting_id?: number | string; limit?: number | string; cursor?: string;
};

/** The API query for the address (filters plus limit and cursor); the API judges the values. */
export const apiQuery = (search: URLSearchParams): ListQuery => codec.apiQuery(search) as ListQuery;

/** The address without one filter (a status value, or a whole filter). */
export const without: (search: URLSearchParams, key: keyof Filters, value?: string) => string = codec.without;

/** "2026-03-07" -> "2026-3-7", the DateInput's value as if typed. */
export function typedDate(iso: string): string {
  const m = /^(\d*)-(\d*)-(\d*)$/.exec(iso);
  if (!m) return iso;
  const strip = (x: string) => x.replace(/^0+(?=\d)/, "");
  return `${m[1]}-${strip(m[2])}-${strip(m[3])}`;
}
