// The other-areas fields of a notification entered by staff (API.md "Responsibility and other
// areas"): whether the child was looked after and by which local authority, and a death transferred
// to us by another area's CDOP (transferred_from). Merged into the body notificationBody makes.
import { isoDate } from "../../components/fields";

export type AreaValues = {
  looked_after: string; // "true" | "false" | "not_known" | ""
  looked_after_by: string;
  transferred: string; // "true" | "false" | ""
  from_area: string;
  from_email: string;
  from_received_on: string; // the three date boxes' "YYYY-M-D"
};

export const EMPTY_AREAS: AreaValues = {
  looked_after: "", looked_after_by: "", transferred: "", from_area: "", from_email: "", from_received_on: "",
};

/** `body` with the area fields added: looked_after as a boolean ("not known" omitted), the area
 * looking after the child only for a looked-after child, and transferred_from only when the death
 * was transferred to us (its empty parts omitted, so the API names what is missing). */
export function withAreas(body: Record<string, unknown>, a: AreaValues): Record<string, unknown> {
  const child = { ...(body.child as Record<string, unknown> | undefined) };
  if (a.looked_after === "true" || a.looked_after === "false") child.looked_after = a.looked_after === "true";
  if (a.looked_after === "true" && a.looked_after_by.trim()) child.looked_after_by = a.looked_after_by.trim();
  const out: Record<string, unknown> = { ...body, child };
  if (a.transferred === "true") {
    const moved: Record<string, unknown> = {};
    if (a.from_area.trim()) moved.area = a.from_area.trim();
    if (a.from_email.trim()) moved.contact_email = a.from_email.trim();
    const received = isoDate(a.from_received_on);
    if (received) moved.received_on = received;
    out.transferred_from = moved;
  }
  return out;
}
