// A child death notification entered by the coordinator (/app/child-deaths/new): the body of
// POST /child-deaths (the public notification, plus when it was received, a case summary, whether
// the child was looked after and by whom, and a death transferred to us by another area's CDOP).
// The API validates; each 422 is shown against its field, linked from the error summary.
import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";

import { api, unwrap } from "../../api/client";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { DateInput, Radios, Textarea, TextInput } from "../../components/fields";
import { friendlyMessage, type FieldKind } from "../../components/fieldMessage";
import { useTitle } from "../../components/Page";
import { errorText, fieldMessages } from "../../lib/errors";
import { EMPTY_AREAS, withAreas, type AreaValues } from "./areaFields";
import { EMPTY_NOTIFICATION, notificationBody, PLACES, SEXES, type NotificationValues } from "./domain";
import { useSubmission } from "../../components/useSubmission";

const NAMES: Record<string, [string, FieldKind]> = {
  received_on: ["The date the notification arrived", "date"],
  "notifier.name": ["the notifier’s full name", "text"], "notifier.email": ["the notifier’s email address", "email"],
  "notifier.agency": ["the notifier’s agency", "text"], "notifier.role": ["the notifier’s role", "text"],
  "notifier.phone": ["the notifier’s telephone number", "text"],
  "child.first_name": ["the child’s first name", "text"], "child.last_name": ["the child’s last name", "text"],
  "child.date_of_birth": ["The child’s date of birth", "date"], "child.sex": ["the child’s sex", "choice"],
  "child.nhs_number": ["the child’s NHS number", "text"], "child.ethnicity": ["the child’s ethnicity", "text"],
  "child.address": ["the child’s address", "text"], "child.local_authority": ["the child’s home local authority", "text"],
  "child.looked_after": ["whether the child was looked after", "choice"],
  "child.looked_after_by": ["the local authority looking after the child", "text"],
  "death.date": ["The date of death", "date"], "death.time": ["the time of death", "text"],
  "death.place": ["the place of death", "choice"], "death.place_detail": ["details of the place of death", "text"],
  "death.expected": ["whether the death was expected", "choice"],
  "death.jar_triggered": ["whether a Joint Agency Response was started", "choice"],
  "death.coroner_involved": ["whether the death was referred to the coroner", "choice"],
  case_summary: ["the case summary", "text"],
  transferred_from: ["the area that transferred the death", "text"],
  "transferred_from.area": ["the area that transferred the death", "text"],
  "transferred_from.contact_email": ["the email address of the area’s CDOP", "email"],
  "transferred_from.received_on": ["The date the transfer was received", "date"],
};
const ORDER = ["received_on", ...Object.keys(NAMES).filter((k) => k !== "received_on"), "agencies"];

/** Messages by field path in GOV.UK words. */
export function notificationMessages(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, msg] of Object.entries(fieldMessages(error))) {
    const agency = /^agencies\.(\d+)\.(name|contact_email)$/.exec(path);
    if (agency) {
      out[path] = friendlyMessage(agency[2] === "name" ? `the name of agency ${Number(agency[1]) + 1}` : `the contact email address of agency ${Number(agency[1]) + 1}`,
        agency[2] === "name" ? "text" : "email", msg);
      continue;
    }
    const [name, kind] = NAMES[path] ?? [path, "text" as FieldKind];
    out[path] = friendlyMessage(name, kind, msg);
  }
  return out;
}

const YES_NO_NOT_KNOWN = [{ value: "true", label: "Yes" }, { value: "false", label: "No" }, { value: "not_known", label: "Not known" }];

export function NewChildDeathPage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [v, setV] = useState<NotificationValues>(EMPTY_NOTIFICATION);
  const [areas, setAreas] = useState<AreaValues>(EMPTY_AREAS);
  const setArea = (key: keyof AreaValues) => (value: string) => setAreas((a) => ({ ...a, [key]: value }));
  const { error, busy, run } = useSubmission();
  const messages = notificationMessages(error);
  const general = error && !Object.keys(messages).length ? errorText(error) : null;
  const items = [...(general ? [{ key: "_", text: general }] : []), ...summaryItems(Object.fromEntries(Object.entries(messages).filter(([k]) => k !== "_")), ORDER)];
  useTitle("Enter a child death notification", items.length > 0);

  const setIn = <G extends "notifier" | "child" | "death">(group: G, key: keyof NotificationValues[G], value: string) =>
    setV((x) => ({ ...x, [group]: { ...x[group], [key]: value } }));
  const setAgency = (i: number, key: "name" | "contact_email", value: string) =>
    setV((x) => ({ ...x, agencies: x.agencies.map((a, j) => (j === i ? { ...a, [key]: value } : a)) }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const made = unwrap(await api.POST("/api/v1/child-deaths", { body: withAreas(notificationBody(v), areas) as never }));
      await client.invalidateQueries({ queryKey: ["child-deaths"] });
      navigate(`/child-deaths/${made.id}`, { state: { success: `Notification ${made.reference} entered.` } });
    });
  };

  const text = (group: "notifier" | "child" | "death", key: string, label: string, extra: Record<string, unknown> = {}) => (
    <TextInput name={`${group}.${key}`} label={label} value={(v[group] as Record<string, string>)[key]}
      onChange={(x) => setIn(group, key as never, x)} error={messages[`${group}.${key}`]} {...extra} />
  );

  return (
    <>
      <ErrorSummary items={items} />
      <span className="govuk-caption-l">Child deaths</span>
      <h1 className="govuk-heading-l">Enter a child death notification</h1>
      <p className="govuk-body">For a notification that came by telephone, email or letter. Notifiers can also use the online form.</p>
      <form onSubmit={submit} noValidate>
        <DateInput name="received_on" label="Date the notification arrived (optional)" hint="Leave empty if it arrived today. For example, 27 3 2026"
          value={v.received_on} onChange={(x) => setV((y) => ({ ...y, received_on: x }))} error={messages.received_on} />

        <h2 className="govuk-heading-m">The child</h2>
        {text("child", "first_name", "First name", { autoComplete: "off", spellCheck: false })}
        {text("child", "last_name", "Last name", { autoComplete: "off", spellCheck: false })}
        <DateInput name="child.date_of_birth" label="Date of birth" hint="For example, 27 3 2015" value={v.child.date_of_birth}
          onChange={(x) => setIn("child", "date_of_birth", x)} error={messages["child.date_of_birth"]} />
        <Radios name="child.sex" label="Sex (optional)" value={v.child.sex} onChange={(x) => setIn("child", "sex", x)}
          choices={SEXES} inline error={messages["child.sex"]} />
        {text("child", "nhs_number", "NHS number (optional)", { hint: "10 digits, or “not available”, or “non-resident in England”", width: 20, spellCheck: false })}
        {text("child", "ethnicity", "Ethnicity (optional)", { width: 20 })}
        <Textarea name="child.address" label="Address (optional)" value={v.child.address} rows={3}
          onChange={(x) => setIn("child", "address", x)} error={messages["child.address"]} />
        {text("child", "local_authority", "Home local authority (optional)", { width: 20, hint: "Where the child normally lived" })}
        <Radios name="child.looked_after" label="Was the child looked after by a local authority? (optional)" inline
          hint="The panel of the area looking after a looked-after child reviews the death"
          value={areas.looked_after} onChange={setArea("looked_after")} error={messages["child.looked_after"]} choices={YES_NO_NOT_KNOWN} />
        {areas.looked_after === "true" ? (
          <div className="govuk-inset-text">
            <TextInput name="child.looked_after_by" label="Local authority looking after the child" width={20}
              value={areas.looked_after_by} onChange={setArea("looked_after_by")} error={messages["child.looked_after_by"]} />
          </div>
        ) : null}

        <h2 className="govuk-heading-m">The death</h2>
        <DateInput name="death.date" label="Date of death" value={v.death.date}
          onChange={(x) => setIn("death", "date", x)} error={messages["death.date"]} />
        {text("death", "time", "Time of death (optional)", { hint: "24-hour clock, for example 14:30", width: 5 })}
        <Radios name="death.place" label="Place of death" value={v.death.place} onChange={(x) => setIn("death", "place", x)}
          choices={PLACES} error={messages["death.place"]} />
        {text("death", "place_detail", "Details of the place (optional)", { width: 30 })}
        <Radios name="death.expected" label="Was the death expected?" inline value={v.death.expected}
          onChange={(x) => setIn("death", "expected", x)} error={messages["death.expected"]}
          choices={[{ value: "true", label: "Expected" }, { value: "false", label: "Unexpected" }]} />
        <Radios name="death.jar_triggered" label="Was a Joint Agency Response started? (optional)" inline value={v.death.jar_triggered}
          onChange={(x) => setIn("death", "jar_triggered", x)} error={messages["death.jar_triggered"]} choices={YES_NO_NOT_KNOWN} />
        <Radios name="death.coroner_involved" label="Has the death been referred to the coroner? (optional)" inline value={v.death.coroner_involved}
          onChange={(x) => setIn("death", "coroner_involved", x)} error={messages["death.coroner_involved"]} choices={YES_NO_NOT_KNOWN} />
        <Textarea name="case_summary" label="Case summary (optional)" hint="Shown to panel members in the anonymised papers: no names, addresses or dates of birth"
          value={v.case_summary} onChange={(x) => setV((y) => ({ ...y, case_summary: x }))} error={messages.case_summary} />

        <h2 className="govuk-heading-m">Transferred from another area</h2>
        <Radios name="transferred" label="Was this death transferred to us by another area’s child death overview panel? (optional)" inline
          value={areas.transferred} onChange={setArea("transferred")}
          choices={[{ value: "true", label: "Yes" }, { value: "false", label: "No" }]} />
        {areas.transferred === "true" ? (
          <div className="govuk-inset-text" data-testid="transferred-from">
            <TextInput name="transferred_from.area" label="Area (local authority) that transferred it" width={20}
              value={areas.from_area} onChange={setArea("from_area")} error={messages["transferred_from.area"] ?? messages.transferred_from} />
            <TextInput name="transferred_from.contact_email" label="Email address of that area’s CDOP (optional)" type="email"
              autoComplete="off" spellCheck={false} value={areas.from_email} onChange={setArea("from_email")}
              error={messages["transferred_from.contact_email"]} />
            <DateInput name="transferred_from.received_on" label="Date the transfer was received" hint="For example, 27 3 2026"
              value={areas.from_received_on} onChange={setArea("from_received_on")} error={messages["transferred_from.received_on"]} />
          </div>
        ) : null}

        <h2 className="govuk-heading-m">Who notified the death</h2>
        {text("notifier", "name", "Full name")}
        {text("notifier", "email", "Email address", { type: "email", autoComplete: "off", spellCheck: false })}
        {text("notifier", "agency", "Agency")}
        {text("notifier", "role", "Role (optional)")}
        {text("notifier", "phone", "Telephone number (optional)", { type: "tel", width: 20 })}

        <h2 className="govuk-heading-m">Agencies that knew the child</h2>
        <p className="govuk-body">Starting information gathering requests a reporting form from each of them.</p>
        {v.agencies.map((a, i) => (
          <fieldset className="govuk-fieldset" key={i}>
            <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">Agency {i + 1} (optional)</legend>
            <TextInput name={`agencies.${i}.name`} label="Name of agency" value={a.name} onChange={(x) => setAgency(i, "name", x)}
              error={messages[`agencies.${i}.name`]} />
            <TextInput name={`agencies.${i}.contact_email`} label="Contact email address (optional)" type="email" value={a.contact_email}
              onChange={(x) => setAgency(i, "contact_email", x)} error={messages[`agencies.${i}.contact_email`]} autoComplete="off" spellCheck={false} />
          </fieldset>
        ))}
        {v.agencies.length < 30 ? (
          <button type="button" className="govuk-button govuk-button--secondary"
            onClick={() => setV((x) => ({ ...x, agencies: [...x.agencies, { name: "", contact_email: "" }] }))}>
            Add another agency
          </button>
        ) : null}

        <div className="govuk-button-group">
          <button type="submit" className="govuk-button" disabled={busy}>Enter the notification</button>
          <Link className="govuk-link" to="/child-deaths">Cancel</Link>
        </div>
      </form>
    </>
  );
}
