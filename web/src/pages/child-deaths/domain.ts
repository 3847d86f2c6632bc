// The child death review's words (DOMAIN.md "Child death review rules") and the pure functions the
// child death pages use: the outstanding summary as chart bars, the list's filters in the query
// string, the panel's analysis and a staff notification as request bodies.
import { isoDate } from "../../components/fields";
import { filterCodec, type FiltersOf } from "../../lib/filters";

export const STATUSES = [
  "notified", "information_gathering", "on_hold", "ready_for_panel", "scheduled_for_panel", "reviewed",
  "closed", "withdrawn", "transferred_out",
] as const;
export const OUTSTANDING_STATUSES = STATUSES.slice(0, 6);

export const BANDS = ["0-3m", "3-6m", "6-12m", "12m+"] as const;
export type Band = (typeof BANDS)[number];
export const BAND_LABELS: Record<string, string> = {
  "0-3m": "Under 3 months", "3-6m": "3 to 6 months", "6-12m": "6 to 12 months", "12m+": "12 months or more",
};

/** Words for the history of actions not offered now (GET .../transitions labels those offered;
 * reading the whole workflow would be a 4th call). As GET /workflows/child-death labels them. */
export const ACTION_LABELS: Record<string, string> = {
  receive: "Notification received", notify: "Notification received",
  start_information_gathering: "Start gathering information", transfer_out: "Transfer to the home area's CDOP",
  withdraw: "Withdraw the notification", place_on_hold: "Place on hold", release_hold: "Release the hold",
  mark_ready_for_panel: "Mark ready for the panel", schedule_for_panel: "Schedule for a panel meeting",
  defer_at_panel: "Defer to a later panel", record_analysis: "Record the panel's analysis", close: "Close the review",
  remove_from_agenda: "Taken off the panel's agenda", review_hold: "Review the hold",
  record_jar: "Joint Agency Response meeting recorded", record_cdrm: "Child death review meeting recorded", record_external_outcome: "Home area's outcome recorded",
};

export const HOLD_REASONS = [
  { value: "inquest", label: "Inquest" },
  { value: "criminal_proceedings", label: "Criminal proceedings" },
  { value: "case_review", label: "Case review" },
  { value: "other", label: "Other" },
];
export const holdReasonLabel = (v: string) => HOLD_REASONS.find((r) => r.value === v)?.label ?? v;

export const CATEGORIES: { value: string; label: string }[] = [
  "Deliberately inflicted injury, abuse or neglect",
  "Suicide or deliberate self-inflicted harm",
  "Trauma and other external factors, including medical/surgical complications or error",
  "Malignancy",
  "Acute medical or surgical condition",
  "Chronic medical condition",
  "Chromosomal, genetic and congenital anomalies",
  "Perinatal/neonatal event",
  "Infection",
  "Sudden unexpected, unexplained death",
].map((label, i) => ({ value: String(i + 1), label }));

export const MODIFIABLE = [
  { value: "yes", label: "Yes" },
  { value: "no", label: "No" },
  { value: "insufficient_information", label: "Insufficient information" },
];

export const DOMAINS = [
  { key: "A", label: "Domain A: factors intrinsic to the child" },
  { key: "B", label: "Domain B: social environment, including family and parenting capacity" },
  { key: "C", label: "Domain C: physical environment" },
  { key: "D", label: "Domain D: service provision" },
] as const;

// The analysis form's scores (CDR statutory guidance 2018), for a domain and for each factor: the
// same words as the API's (cdop.domain.SCORE_LABELS, in the record_analysis field labels).
export const SCORES = [
  { value: "0", label: "0", hint: "Information not available" },
  { value: "1", label: "1", hint: "No factors identified, or factors identified but unlikely to have contributed to the death" },
  { value: "2", label: "2", hint: "Factors identified that may have contributed to the death" },
];

export const PLACES = [
  { value: "hospital", label: "Hospital" },
  { value: "home", label: "Home" },
  { value: "hospice", label: "Hospice" },
  { value: "other_residence", label: "Another residence" },
  { value: "public_place", label: "Public place" },
  { value: "abroad", label: "Abroad" },
  { value: "other", label: "Other" },
];
export const placeLabel = (v: string) => PLACES.find((p) => p.value === v)?.label ?? v;

export const SEXES = [
  { value: "female", label: "Female" },
  { value: "male", label: "Male" },
  { value: "indeterminate", label: "Indeterminate" },
  { value: "not_known", label: "Not known" },
];

// ---- the outstanding summary as a chart -------------------------------------------------------

export type Summary = {
  as_of: string;
  bands: string[];
  by_status: Record<string, Record<string, number> | undefined>;
  by_band: Record<string, number | undefined>;
  total: number;
};

export type Segment = { band: string; count: number; x: number; width: number };
export type Bar = { status: string; total: number; segments: Segment[] };

/** One bar per outstanding status (in workflow order), split by band since death; widths are
 * scaled so that the longest bar is `width` wide. Statuses with no cases keep an empty bar. */
export function chartBars(summary: Summary, width = 100): Bar[] {
  const bands = summary.bands.length ? summary.bands : [...BANDS];
  const statuses = [
    ...OUTSTANDING_STATUSES,
    ...Object.keys(summary.by_status).filter((s) => !(OUTSTANDING_STATUSES as readonly string[]).includes(s)),
  ];
  const rows = statuses.map((status) => {
    const counts = summary.by_status[status] ?? {};
    return { status, counts, total: bands.reduce((n, b) => n + (counts[b] ?? 0), 0) };
  });
  const max = Math.max(1, ...rows.map((r) => r.total));
  return rows.map(({ status, counts, total }) => {
    let x = 0;
    const segments: Segment[] = [];
    for (const band of bands) {
      const count = counts[band] ?? 0;
      if (!count) continue;
      const w = (count / max) * width;
      segments.push({ band, count, x, width: w });
      x += w;
    }
    return { status, total, segments };
  });
}

// ---- the list's filters -------------------------------------------------------------------------

const FILTERS = {
  status: "list", outstanding: "flag", older_than_days: "number", since_death_band: "text", hold_reason: "text",
  hold_overdue: "flag", has_overdue_reports: "flag", overdue: "flag", overdue_kind: "text",
  awaiting_external_outcome: "flag", agency: "text", q: "text",
} as const;
const codec = filterCodec(FILTERS);

export type Filters = FiltersOf<typeof FILTERS>;

/** The clocks' kinds in short words (the list's filter tags; the case and summary carry labels). */
export const CLOCK_KINDS: Record<string, string> = {
  cdop_notification: "Notification", cdop_cdrm: "Child death review meeting", cdop_panel: "Panel review",
  cdop_hold_review: "Hold review", external_outcome: "Home area's panel outcome",
};
export const clockKindLabel = (kind: string) => CLOCK_KINDS[kind] ?? kind.replace(/^cdop_/, "").replace(/_/g, " ");

export const EMPTY_FILTERS: Filters = codec.empty;

export const parseFilters: (search: URLSearchParams) => Filters = codec.parse;

/** The query string of a set of filters (a new search starts at the first page: no cursor). */
export const filtersToSearch: (f: Filters, keep?: URLSearchParams) => URLSearchParams = codec.toSearch;

/** "?a=b" for a set of filters (a link to the filtered list), "" for none. */
export const searchString: (f: Partial<Filters>) => string = codec.searchString;

/** The API query for the address; the API judges the values (a bad number is its 422). */
export const apiQuery: (search: URLSearchParams) => Record<string, unknown> = codec.apiQuery;

/** The address without one filter (a status value, or a whole filter). */
export const without: (search: URLSearchParams, key: keyof Filters, value?: string) => string = codec.without;

// ---- a notification entered by staff ----------------------------------------------------------

export type NotificationValues = {
  notifier: { name: string; email: string; agency: string; role: string; phone: string };
  child: { first_name: string; last_name: string; date_of_birth: string; sex: string; nhs_number: string;
    ethnicity: string; address: string; local_authority: string };
  death: { date: string; time: string; place: string; place_detail: string; expected: string; jar_triggered: string;
    coroner_involved: string };
  agencies: { name: string; contact_email: string }[];
  received_on: string;
  case_summary: string;
};

export const EMPTY_NOTIFICATION: NotificationValues = {
  notifier: { name: "", email: "", agency: "", role: "", phone: "" },
  child: { first_name: "", last_name: "", date_of_birth: "", sex: "", nhs_number: "", ethnicity: "", address: "", local_authority: "" },
  death: { date: "", time: "", place: "", place_detail: "", expected: "", jar_triggered: "", coroner_involved: "" },
  agencies: [{ name: "", contact_email: "" }, { name: "", contact_email: "" }],
  received_on: "",
  case_summary: "",
};

function compact(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === "" || v === undefined) continue;
    out[k] = typeof v === "string" ? v.trim() : v;
  }
  return out;
}

const bool = (v: string): boolean | string | undefined => (v === "true" ? true : v === "false" ? false : v || undefined);

/** The body of POST /child-deaths: empty optional fields omitted, dates as YYYY-MM-DD, yes/no as
 * booleans ("not known" omitted), agency rows with no name left out. The API judges the rest. */
export function notificationBody(v: NotificationValues): Record<string, unknown> {
  const body: Record<string, unknown> = {
    notifier: compact(v.notifier),
    child: compact({ ...v.child, date_of_birth: isoDate(v.child.date_of_birth) }),
    death: compact({
      date: isoDate(v.death.date), time: v.death.time, place: v.death.place, place_detail: v.death.place_detail,
      expected: bool(v.death.expected),
      jar_triggered: v.death.jar_triggered === "not_known" ? undefined : bool(v.death.jar_triggered),
      coroner_involved: v.death.coroner_involved === "not_known" ? undefined : bool(v.death.coroner_involved),
    }),
    agencies: v.agencies.filter((a) => a.name.trim() || a.contact_email.trim()).map((a) => compact(a)),
  };
  if (v.received_on) body.received_on = isoDate(v.received_on);
  if (v.case_summary.trim()) body.case_summary = v.case_summary.trim();
  return body;
}
