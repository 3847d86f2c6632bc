// The audit log's filters: the address's query string <-> the form <-> GET /audit's query.

export type AuditFilters = { case: string; actor: string; from: string; to: string };
export const FILTER_KEYS = ["case", "actor", "from", "to"] as const;

export function filtersFromParams(params: URLSearchParams): AuditFilters {
  return { case: params.get("case") ?? "", actor: params.get("actor") ?? "", from: params.get("from") ?? "", to: params.get("to") ?? "" };
}

function validDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** The day after a YYYY-MM-DD date (the API's `to` is exclusive; the form's last day is included). */
export function nextDay(value: string): string {
  const d = new Date(`${value}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** GET /audit's query for these filters: whole days in UTC, `to` included. */
export function auditQuery(f: AuditFilters, cursor?: string | null): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.case.trim()) q.case = f.case.trim();
  if (f.actor.trim()) q.actor = f.actor.trim();
  if (f.from && validDate(f.from)) q.from = `${f.from}T00:00:00Z`;
  if (f.to && validDate(f.to)) q.to = `${nextDay(f.to)}T00:00:00Z`;
  if (cursor) q.cursor = cursor;
  return q;
}

/** Messages for filters that cannot be sent as they are. */
export function filterErrors(f: AuditFilters): Record<string, string> {
  const errors: Record<string, string> = {};
  if (f.from && !validDate(f.from)) errors.from = "The ‘from’ date must be a real date, like 1 4 2026";
  if (f.to && !validDate(f.to)) errors.to = "The ‘to’ date must be a real date, like 31 3 2027";
  if (!errors.from && !errors.to && f.from && f.to && f.to < f.from) errors.to = "The ‘to’ date must be the same as or after the ‘from’ date";
  return errors;
}

/** The address's query for these filters (empty ones left out; a new search starts at page one). */
export function filterParams(f: AuditFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FILTER_KEYS) if (f[k].trim()) out[k] = f[k].trim();
  return out;
}
