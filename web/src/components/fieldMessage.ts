// GOV.UK error messages from the API's 422 messages where those are the validator's generic words
// ("Field required", "String should have at least 1 character"): the field's label says what
// to do. Any other message (the service's own words) is shown as it is.
export type FieldKind = "text" | "date" | "choice" | "email" | "list";

const REQUIRED = /^(field required|string should have at least 1 character|this field is required.*|input should be a valid (string|boolean)|missing)$/i;
const DATE = /date|YYYY-MM-DD/i;

function lowerFirst(s: string): string {
  return s && !/^[A-Z]{2}/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}

export function friendlyMessage(label: string, kind: FieldKind, msg: string): string {
  const what = lowerFirst(label.replace(/\s*\(optional\)$/, "").replace(/\?$/, ""));
  if (REQUIRED.test(msg.trim())) {
    if (kind === "choice") return `Select ${what}`;
    return `Enter ${what}`;
  }
  if (kind === "email" && /email/i.test(msg)) return "Enter an email address in the correct format, like name@example.com";
  if (kind === "date" && DATE.test(msg) && /(valid|expected|should|real)/i.test(msg)) return `${label.replace(/\s*\(optional\)$/, "")} must be a real date`;
  return msg;
}
