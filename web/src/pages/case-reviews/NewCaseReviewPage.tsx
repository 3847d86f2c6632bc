// A notification entered by staff (/app/case-reviews/new, the business unit): the body of
// POST /case-reviews (the public notification plus received_on, for a notification that came by
// another channel). The API validates; each 422 is shown against its field.
import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";

import { api, unwrap } from "../../api/client";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { DateInput, isoDate, Radios, Textarea, TextInput } from "../../components/fields";
import { friendlyMessage, type FieldKind } from "../../components/fieldMessage";
import { useTitle } from "../../components/Page";
import { errorText, fieldMessages } from "../../lib/errors";
import { INCIDENT_TYPES, SEXES } from "./editFields";
import { useSubmission } from "../../components/useSubmission";

export type NotificationForm = Record<string, string>;

export const ORDER = [
  "received_on", "notifier.name", "notifier.email", "notifier.agency", "notifier.role", "notifier.phone",
  "child.first_name", "child.last_name", "child.date_of_birth", "child.sex", "child.ethnicity", "child.address",
  "child.local_authority", "incident.date", "incident.type", "incident.description", "rationale",
  "abuse_or_neglect_suspected", "agencies_involved",
];
const REQUIRED = new Set(["notifier.name", "notifier.email", "notifier.agency", "child.first_name", "child.last_name",
  "incident.date", "incident.description", "rationale"]);
const DATES = new Set(["received_on", "child.date_of_birth", "incident.date"]);

/** The POST body from the form: optional fields left empty are left out; required ones are sent
 * as typed (empty too) so that the API names what is missing. */
export function notificationBody(v: NotificationForm): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const put = (path: string, value: unknown) => {
    const [head, tail] = path.split(".");
    if (tail) body[head] = { ...((body[head] as Record<string, unknown>) ?? {}), [tail]: value };
    else body[head] = value;
  };
  for (const path of ORDER) {
    const raw = (v[path] ?? "").trim();
    if (path === "agencies_involved") {
      put(path, raw.split("\n").map((l) => l.trim()).filter(Boolean));
    } else if (path === "abuse_or_neglect_suspected") {
      if (raw) put(path, raw === "true");
    } else if (path === "incident.type" || path === "child.sex") {
      if (raw) put(path, raw);
    } else if (raw || REQUIRED.has(path)) {
      put(path, DATES.has(path) ? isoDate(raw) : raw);
    }
  }
  for (const group of ["notifier", "child", "incident"]) if (!(group in body)) body[group] = {};
  return body;
}

// what each field is called in messages ("Enter the child’s first name") and its kind
const NAMES: Record<string, [string, FieldKind]> = {
  received_on: ["The date the notification arrived", "date"],
  "notifier.name": ["the notifier’s full name", "text"], "notifier.email": ["the notifier’s email address", "email"],
  "notifier.agency": ["the notifier’s agency", "text"], "notifier.role": ["the notifier’s role", "text"],
  "notifier.phone": ["the notifier’s telephone number", "text"],
  "child.first_name": ["the child’s first name", "text"], "child.last_name": ["the child’s last name", "text"],
  "child.date_of_birth": ["The child’s date of birth", "date"], "child.sex": ["the child’s sex", "choice"],
  "child.ethnicity": ["the child’s ethnicity", "text"], "child.address": ["the child’s address", "text"],
  "child.local_authority": ["the child’s local authority", "text"],
  "incident.date": ["The date of the incident", "date"], "incident.type": ["what happened to the child", "choice"],
  "incident.description": ["what happened", "text"], rationale: ["why this case may need a review", "text"],
  abuse_or_neglect_suspected: ["whether abuse or neglect is known or suspected", "choice"],
  agencies_involved: ["the agencies involved", "list"],
};

/** Messages by field; a 422 loc that names a list item (agencies_involved.2) is shown on the list's field. */
function byField(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, msg] of Object.entries(fieldMessages(error))) {
    const key = k.startsWith("agencies_involved") ? "agencies_involved" : k;
    const [label, kind] = NAMES[key] ?? [key, "text"];
    if (!(key in out)) out[key] = friendlyMessage(label, kind, msg);
  }
  return out;
}

export function NewCaseReviewPage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [values, setValues] = useState<NotificationForm>({});
  const { error, busy, run } = useSubmission();
  useTitle("Enter a notification", !!error);
  const messages = byField(error);
  const general = error && !Object.keys(messages).length ? errorText(error) : null;
  const items = [
    ...(general ? [{ key: "_", text: general }] : []),
    ...summaryItems(Object.fromEntries(Object.entries(messages).filter(([k]) => k !== "_")), ORDER),
  ];
  const field = (path: string) => ({
    name: path, value: values[path] ?? "", error: messages[path],
    onChange: (v: string) => setValues((x) => ({ ...x, [path]: v })),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const created = unwrap(await api.POST("/api/v1/case-reviews", { body: notificationBody(values) as never }));
      await client.invalidateQueries({ queryKey: ["case-reviews", "list"] });
      navigate(`/case-reviews/${created.id}`, { state: { success: `Notification ${created.reference} has been entered.` } });
    });
  };

  return (
    <>
      <ErrorSummary items={items} />
      <span className="govuk-caption-l">Case reviews</span>
      <h1 className="govuk-heading-l">Enter a notification</h1>
      <p className="govuk-body">For a notification that reached the business unit by email, post or telephone.</p>
      <form onSubmit={submit} noValidate>
        <DateInput {...field("received_on")} label="When did the notification arrive?" hint="Leave empty for today. For example, 27 3 2026" />
        <fieldset className="govuk-fieldset govuk-!-margin-bottom-6">
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--m"><h2 className="govuk-fieldset__heading">Notifier</h2></legend>
          <TextInput {...field("notifier.name")} label="Full name" width={30} autoComplete="off" />
          <TextInput {...field("notifier.email")} label="Email address" type="email" width={30} spellCheck={false} autoComplete="off" />
          <TextInput {...field("notifier.agency")} label="Agency" width={30} />
          <TextInput {...field("notifier.role")} label="Role (optional)" width={30} />
          <TextInput {...field("notifier.phone")} label="Telephone (optional)" type="tel" width={20} />
        </fieldset>
        <fieldset className="govuk-fieldset govuk-!-margin-bottom-6">
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--m"><h2 className="govuk-fieldset__heading">Child</h2></legend>
          <TextInput {...field("child.first_name")} label="First name" width={20} autoComplete="off" />
          <TextInput {...field("child.last_name")} label="Last name" width={20} autoComplete="off" />
          <DateInput {...field("child.date_of_birth")} label="Date of birth (optional)" />
          <Radios {...field("child.sex")} label="Sex (optional)" choices={SEXES} inline />
          <TextInput {...field("child.ethnicity")} label="Ethnicity (optional)" width={20} />
          <Textarea {...field("child.address")} label="Address (optional)" rows={3} />
          <TextInput {...field("child.local_authority")} label="Local authority (optional)" width={30} />
        </fieldset>
        <fieldset className="govuk-fieldset govuk-!-margin-bottom-6">
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--m"><h2 className="govuk-fieldset__heading">Incident</h2></legend>
          <DateInput {...field("incident.date")} label="Date of the incident" />
          <Radios {...field("incident.type")} label="What happened to the child?" choices={INCIDENT_TYPES} />
          <Textarea {...field("incident.description")} label="What happened" />
        </fieldset>
        <fieldset className="govuk-fieldset govuk-!-margin-bottom-6">
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--m"><h2 className="govuk-fieldset__heading">Rationale</h2></legend>
          <Textarea {...field("rationale")} label="Why may this case need a review?" hint="In a few words: at least three" />
          <Radios {...field("abuse_or_neglect_suspected")} label="Is abuse or neglect known or suspected?" inline
            choices={[{ value: "true", label: "Yes" }, { value: "false", label: "No" }]} />
        </fieldset>
        <fieldset className="govuk-fieldset govuk-!-margin-bottom-6">
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--m"><h2 className="govuk-fieldset__heading">Agencies involved</h2></legend>
          <Textarea {...field("agencies_involved")} label="Agencies that knew the child (optional)" hint="One agency per line" rows={4} />
        </fieldset>
        <div className="govuk-button-group">
          <button type="submit" className="govuk-button" disabled={busy}>Enter the notification</button>
          <Link className="govuk-link" to="/case-reviews">Cancel</Link>
        </div>
      </form>
    </>
  );
}
