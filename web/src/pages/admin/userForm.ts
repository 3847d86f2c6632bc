// The user forms (create, change roles and agency) as request bodies for POST/PATCH /users,
// and the API's field errors mapped back onto the form's fields.
import type { Schemas } from "../../api/client";

export type Role = Schemas["Role"];
export type UserCreate = Schemas["UserCreate"];
export type UserUpdate = Schemas["UserUpdate"];

/** Every role of DOMAIN.md, in the order the form shows them, with what each does. */
export const ROLES: { value: Role; label: string; hint: string }[] = [
  { value: "business_unit", label: "Business unit", hint: "Screens notifications, runs reviews, meetings and publication" },
  { value: "crg_member", label: "Case Review Group member", hint: "Discusses the cases on the agendas of their meetings" },
  { value: "crg_chair", label: "Case Review Group chair", hint: "Records the group’s recommendations and decisions" },
  { value: "independent_chair", label: "Independent Chair", hint: "Decides on Serious Case Reviews and publication" },
  { value: "agency_author", label: "Agency author", hint: "Completes the agency reports and reporting forms assigned to them" },
  { value: "cdop_coordinator", label: "Child Death Overview Panel coordinator", hint: "Manages child death cases, reporting forms and panels" },
  { value: "cdop_chair", label: "Child Death Overview Panel chair", hint: "Chairs the panel and records its analysis" },
  { value: "cdop_panel_member", label: "Child Death Overview Panel member", hint: "Reads the anonymised papers of their panels" },
  { value: "admin", label: "Administrator", hint: "Manages users and reads the audit log" },
];

export function roleLabel(role: string): string {
  return ROLES.find((r) => r.value === role)?.label ?? role;
}

export type NewUserForm = { email: string; name: string; roles: string[]; agency: string; password: string };

export const EMPTY_NEW_USER: NewUserForm = { email: "", name: "", roles: [], agency: "", password: "" };

/** The create form as the body of POST /users (empty optional fields left out). */
export function createBody(form: NewUserForm): UserCreate {
  const body: UserCreate = {
    email: form.email.trim(),
    name: form.name.trim(),
    roles: ROLES.map((r) => r.value).filter((r) => form.roles.includes(r)),
    is_active: true,
  };
  if (form.agency.trim()) body.agency = form.agency.trim();
  if (form.password) body.password = form.password;
  return body;
}

/** The roles-and-agency form as the body of PATCH /users/{id} (an empty agency clears it). */
export function updateBody(roles: string[], agency: string): UserUpdate {
  return { roles: ROLES.map((r) => r.value).filter((r) => roles.includes(r)), agency: agency.trim() || null };
}

/** The form's own checks of what the API also refuses, in plain words (the API checks again). */
export function newUserErrors(form: NewUserForm): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!form.email.trim()) errors.email = "Enter the user’s email address";
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim())) errors.email = "Enter an email address in the correct format, like name@example.org";
  if (!form.name.trim()) errors.name = "Enter the user’s name";
  if (form.password && form.password.length < 12) errors.password = "The password must be 12 characters or more";
  return errors;
}

/** Field errors from the API ("roles.0", "password") onto the form's fields ("roles", "password"). */
export function formMessages(messages: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, text] of Object.entries(messages)) {
    const field = key.split(".")[0] || "_";
    if (!(field in out)) out[field] = text;
  }
  return out;
}

export const NEW_USER_ORDER = ["email", "name", "roles", "agency", "password"];
