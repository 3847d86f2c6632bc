// The editable fields of a case review (CaseReviewPatch) and the PATCH body from a form.
import { isoDate } from "../../components/fields";
import { formatDate } from "../../lib/format";
import type { CaseReview } from "./caseData";
import { typedDate } from "./filters";

export type Kind = "text" | "long" | "date" | "yesno" | "choice" | "lines";
export type EditField = { path: string; label: string; kind: Kind; choices?: { value: string; label: string }[]; width?: 10 | 20 | 30 };
export type EditGroup = { legend: string; fields: EditField[] };

export const SEXES = [
  { value: "female", label: "Female" }, { value: "male", label: "Male" },
  { value: "other", label: "Other" }, { value: "unknown", label: "Not known" },
];
export const INCIDENT_TYPES = [
  { value: "death", label: "The child died" },
  { value: "serious_harm", label: "The child was seriously harmed" },
  { value: "other", label: "Other" },
];
export const REVIEW_TYPES = [
  { value: "management_review", label: "Management review" },
  { value: "single_agency_review", label: "Single agency review" },
  { value: "learning_event", label: "Learning event" },
];

export const GROUPS: EditGroup[] = [
  { legend: "Child", fields: [
    { path: "child.first_name", label: "First name", kind: "text", width: 20 },
    { path: "child.last_name", label: "Last name", kind: "text", width: 20 },
    { path: "child.date_of_birth", label: "Date of birth", kind: "date" },
    { path: "child.sex", label: "Sex", kind: "choice", choices: SEXES },
    { path: "child.ethnicity", label: "Ethnicity", kind: "text", width: 20 },
    { path: "child.address", label: "Address", kind: "long" },
    { path: "child.local_authority", label: "Local authority", kind: "text", width: 20 },
  ] },
  { legend: "Notifier", fields: [
    { path: "notifier.name", label: "Name", kind: "text", width: 20 },
    { path: "notifier.email", label: "Email address", kind: "text", width: 30 },
    { path: "notifier.agency", label: "Agency", kind: "text", width: 20 },
    { path: "notifier.role", label: "Role", kind: "text", width: 20 },
    { path: "notifier.phone", label: "Phone", kind: "text", width: 20 },
  ] },
  { legend: "Incident", fields: [
    { path: "incident.date", label: "Date of the incident", kind: "date" },
    { path: "incident.type", label: "What happened to the child", kind: "choice", choices: INCIDENT_TYPES },
    { path: "incident.description", label: "Description", kind: "long" },
    { path: "abuse_or_neglect_suspected", label: "Is abuse or neglect known or suspected?", kind: "yesno" },
    { path: "agencies_involved", label: "Agencies involved (one per line)", kind: "lines" },
  ] },
  { legend: "Review", fields: [
    { path: "other_la", label: "Other local authority reviewing the case", kind: "text", width: 30 },
    { path: "review_type", label: "Review type", kind: "choice", choices: REVIEW_TYPES },
    { path: "review_methodology", label: "Methodology", kind: "text", width: 30 },
    { path: "lead_reviewer_name", label: "Lead reviewer", kind: "text", width: 30 },
    { path: "review_chair_name", label: "Review chair", kind: "text", width: 30 },
    { path: "terms_of_reference", label: "Terms of reference", kind: "long" },
    { path: "terms_of_reference_agreed_on", label: "Date the terms of reference were agreed", kind: "date" },
  ] },
  { legend: "National panel and publication", fields: [
    { path: "national_panel_notified_on", label: "Date the national panel was notified", kind: "date" },
    { path: "planned_publication_on", label: "Planned publication date", kind: "date" },
    { path: "report_sent_to_national_panel_on", label: "Date the report was sent to the national panel", kind: "date" },
    { path: "national_panel_told_not_published_on", label: "Date the national panel was told the report will not be published", kind: "date" },
  ] },
];

export const ALL_FIELDS: EditField[] = GROUPS.flatMap((g) => g.fields);

/** The case's current value of a field, as raw API data. */
export function currentValue(c: CaseReview, path: string): unknown {
  const [head, tail] = path.split(".");
  if (tail) return ((c as Record<string, unknown>)[head] as Record<string, unknown> | null)?.[tail];
  const review = (c.review ?? {}) as Record<string, unknown>;
  const publication = (c.publication ?? {}) as Record<string, unknown>;
  switch (path) {
    case "review_methodology": return review.methodology;
    case "lead_reviewer_name": case "review_chair_name": case "terms_of_reference": case "terms_of_reference_agreed_on":
      return review[path];
    case "planned_publication_on": case "report_sent_to_national_panel_on": case "national_panel_told_not_published_on":
      return publication[path];
    default: return (c as Record<string, unknown>)[path];
  }
}

/** A field's value as the form holds it (a string). */
export function formValue(field: EditField, raw: unknown): string {
  if (raw === null || raw === undefined) return "";
  switch (field.kind) {
    case "date": return typedDate(String(raw));
    case "yesno": return raw === true ? "true" : raw === false ? "false" : "";
    case "lines": return Array.isArray(raw) ? raw.join("\n") : String(raw);
    default: return String(raw);
  }
}

export function formValues(c: CaseReview): Record<string, string> {
  return Object.fromEntries(ALL_FIELDS.map((f) => [f.path, formValue(f, currentValue(c, f.path))]));
}

function apiValue(field: EditField, value: string): unknown {
  if (field.kind === "lines") return value.split("\n").map((l) => l.trim()).filter(Boolean);
  if (value.trim() === "") return null;
  switch (field.kind) {
    case "date": return isoDate(value);
    case "yesno": return value === "true";
    default: return value;
  }
}

/** The PATCH body: only the fields changed from `base` (what the form started from). */
export function patchBody(base: Record<string, string>, values: Record<string, string>): Record<string, unknown> {
  const body: Record<string, Record<string, unknown> | unknown> = {};
  for (const field of ALL_FIELDS) {
    const v = values[field.path] ?? "";
    if (v === (base[field.path] ?? "")) continue;
    const [head, tail] = field.path.split(".");
    if (tail) body[head] = { ...((body[head] as Record<string, unknown>) ?? {}), [tail]: apiValue(field, v) };
    else body[head] = apiValue(field, v);
  }
  return body;
}

/** Words for a value as the form holds it. */
export function describe(field: EditField, value: string): string {
  if (!value) return "Not given";
  if (field.kind === "yesno") return value === "true" ? "Yes" : "No";
  if (field.choices) return field.choices.find((c) => c.value === value)?.label ?? value;
  if (field.kind === "date") return formatDate(isoDate(value));
  return value;
}
