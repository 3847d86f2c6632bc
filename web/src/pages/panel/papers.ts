// The anonymised papers of a CDOP panel meeting (GET /meetings/{id}/papers) as the page shows them.
import type { Schemas } from "../../api/client";

export type Papers = Schemas["PanelPapers"];
export type PanelCase = Schemas["PanelCase"];
export type PanelForm = Schemas["PanelForm"];

/** The reporting form's sections in the order of the form (API.md: the service's definition). */
export const SECTION_TITLES: [string, string][] = [
  ["agency_involvement", "Agency involvement"],
  ["health", "Health"],
  ["family_and_environment", "Family and environment"],
  ["parenting_capacity", "Parenting capacity"],
  ["service_provision", "Service provision"],
  ["other_information", "Other information"],
];

/** A submitted form's rows: each section of the form with its answer or "Not known"; a
 * section the papers do not carry is left out. */
export function formRows(form: Pick<PanelForm, "answers" | "not_known">): { key: string; title: string; value: string }[] {
  const answers = form.answers as Record<string, string>;
  const known = new Set(SECTION_TITLES.map(([k]) => k));
  const extra = Object.keys(answers).filter((k) => !known.has(k)).map((k) => [k, k] as [string, string]);
  const rows: { key: string; title: string; value: string }[] = [];
  for (const [key, title] of [...SECTION_TITLES, ...extra]) {
    if ((form.not_known as string[]).includes(key)) rows.push({ key, title, value: "Not known" });
    else if (answers[key]) rows.push({ key, title, value: answers[key] });
  }
  return rows;
}

export const FORM_STATUS_TEXT: Record<string, string> = {
  requested: "Not returned", submitted: "Returned", waived: "Waived",
};

export function sexText(sex: string | null | undefined): string {
  if (!sex) return "Not recorded";
  return sex.charAt(0).toUpperCase() + sex.slice(1).replace(/_/g, " ");
}
