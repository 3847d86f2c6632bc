// problem+json field errors -> the GOV.UK pattern: a message per field, linked from the summary.
import { ApiError, type FieldError } from "../api/client";

export type FieldMessages = Record<string, string>;

/** The field path of an error: ["body", "child", "first_name"] -> "child.first_name". */
export function fieldKey(error: FieldError): string {
  const loc = error.loc[0] === "body" || error.loc[0] === "query" ? error.loc.slice(1) : error.loc;
  return loc.map(String).join(".");
}

/** The id of the input for a field path (ids cannot hold dots usefully in CSS selectors). */
export function fieldId(key: string): string {
  return `f-${key.replace(/[^A-Za-z0-9_-]+/g, "-")}`;
}

/** Messages by field path; the first error per field wins. */
export function fieldMessages(error: unknown): FieldMessages {
  const out: FieldMessages = {};
  if (error instanceof ApiError) {
    for (const e of error.fieldErrors) {
      const key = fieldKey(e) || "_";
      if (!(key in out)) out[key] = e.msg;
    }
  }
  return out;
}

/** A sentence for an error that is not about one field. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return error.problem?.detail || "You do not have permission to do this.";
    if (error.status === 404) return "This page or record could not be found, or you may not see it.";
    if (error.status === 429) return "Too many attempts. Wait a minute and try again.";
    if (error.status >= 500) return "Sorry, there is a problem with the service. Try again later.";
    return error.problem?.detail || error.message;
  }
  return "Sorry, there is a problem with the service. Try again later.";
}
