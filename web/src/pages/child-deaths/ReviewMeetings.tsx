// A child death's review meetings (2018 statutory guidance): the Joint Agency Response and the child
// death review meeting (CDRM) recorded on the case, and the form to record one (kind, date held,
// the agencies present: the case's agencies as checkboxes plus any others one per line, outcome).
// No call of its own to show them: they come with the case (GET /child-deaths/{id}).
// Recording is a POST of the case's review-meetings resource; the service judges it (422 per field).
import { useEffect, useState, type FormEvent } from "react";

import { api, unwrap, type Schemas } from "../../api/client";
import { hasRole, useSession } from "../../api/session";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { friendlyMessage } from "../../components/fieldMessage";
import { Checkboxes, DateInput, isoDate, Radios, Textarea } from "../../components/fields";
import { errorText, fieldMessages } from "../../lib/errors";
import { formatDate, formatDateTime } from "../../lib/format";
import { useSubmission } from "../../components/useSubmission";

type ChildDeath = Schemas["ChildDeathOut"];

const FINISHED = ["closed", "withdrawn", "transferred_out"];
export const MEETING_KINDS = [
  { value: "jar", label: "Joint Agency Response (JAR)", hint: "The immediate multi-agency response to an unexpected death" },
  { value: "cdrm", label: "Child death review meeting (CDRM)", hint: "The professionals involved review the death before the panel" },
];
const ORDER = ["meeting.kind", "meeting.held_on", "meeting.agencies", "meeting.other_agencies", "meeting.outcome"];
type Values = { kind: string; held_on: string; agencies: string[]; other: string; outcome: string };
const EMPTY: Values = { kind: "", held_on: "", agencies: [], other: "", outcome: "" };

/** The agencies present as the API takes them: the ticked ones, then each other line, once each. */
export function meetingAgencies(ticked: string[], other: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of [...ticked, ...other.split("\n")].map((a) => a.trim()).filter(Boolean)) {
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    out.push(name);
  }
  return out;
}

export function ReviewMeetings({ c, onChanged, onErrorChange }: {
  c: ChildDeath; onChanged: (message: string) => Promise<void>; onErrorChange?: (hasErrors: boolean) => void;
}) {
  const session = useSession();
  const canRecord = !FINISHED.includes(c.status) && hasRole(session.data, "cdop_coordinator");
  const meetings = c.review_meetings;
  return (
    <section aria-labelledby="review-meetings-heading" className="govuk-!-margin-bottom-6" data-testid="review-meetings">
      <h2 className="govuk-heading-m" id="review-meetings-heading">Review meetings</h2>
      {meetings.length ? (
        <table className="govuk-table app-table--compact" aria-labelledby="review-meetings-heading" data-testid="review-meetings-table">
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header">Meeting</th>
              <th scope="col" className="govuk-table__header">Held on</th>
              <th scope="col" className="govuk-table__header">Agencies present</th>
              <th scope="col" className="govuk-table__header">Outcome</th>
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {meetings.map((m) => (
              <tr className="govuk-table__row" key={m.id}>
                <td className="govuk-table__cell">
                  {m.kind_label}
                  <br /><span className="govuk-body-s">Recorded {formatDateTime(m.recorded_at)} by {m.recorded_by}</span>
                </td>
                <td className="govuk-table__cell app-nowrap">{formatDate(m.held_on)}</td>
                <td className="govuk-table__cell">
                  <ul className="govuk-list govuk-!-margin-bottom-0">{m.agencies.map((a) => <li key={a}>{a}</li>)}</ul>
                </td>
                <td className="govuk-table__cell app-field-value">{m.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <p className="govuk-body">No review meeting has been recorded.</p>}
      {!FINISHED.includes(c.status) && !c.cdrm_not_required_reason && !meetings.some((m) => m.kind === "cdrm") ? (
        <p className="govuk-body" data-testid="cdrm-needed">
          The panel needs a child death review meeting (CDRM): record it here, or say why none is needed when you
          mark the case ready for the panel.
        </p>
      ) : null}
      {c.cdrm_not_required_reason ? (
        <div className="govuk-inset-text" data-testid="cdrm-not-required">
          No child death review meeting is needed: {c.cdrm_not_required_reason}
        </div>
      ) : null}
      {canRecord ? <RecordMeetingForm c={c} onDone={onChanged} onErrorChange={onErrorChange} /> : null}
    </section>
  );
}

function RecordMeetingForm({ c, onDone, onErrorChange }: {
  c: ChildDeath; onDone: (m: string) => Promise<void>; onErrorChange?: (hasErrors: boolean) => void;
}) {
  const [values, setValues] = useState<Values>(EMPTY);
  const { error, busy, run } = useSubmission();
  useEffect(() => { onErrorChange?.(!!error); }, [error, onErrorChange]);
  // the case's agencies and the notifier's, each once, to tick
  const known = meetingAgencies([...c.agencies.map((a) => a.name), c.notifier.agency], "");
  const raw = fieldMessages(error);
  const messages: Record<string, string> = {};
  if (raw.kind) messages["meeting.kind"] = friendlyMessage("which meeting was held", "choice", raw.kind);
  if (raw.held_on) messages["meeting.held_on"] = friendlyMessage("The date the meeting was held", "date", raw.held_on);
  const agencyError = Object.entries(raw).find(([k]) => k === "agencies" || k.startsWith("agencies."));
  if (agencyError) {
    const text = /at least 1 item|required/i.test(agencyError[1])
      ? "Select or enter at least one agency that took part"
      : /at most/i.test(agencyError[1]) ? "Enter at most 30 agencies" : agencyError[1];
    messages[known.length ? "meeting.agencies" : "meeting.other_agencies"] = text;
  }
  if (raw.outcome) messages["meeting.outcome"] = friendlyMessage("the outcome of the meeting", "text", raw.outcome);
  const general = error && !Object.keys(messages).length ? errorText(error) : null;
  const set = (patch: Partial<Values>) => setValues((v) => ({ ...v, ...patch }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const body: Record<string, unknown> = {
        agencies: meetingAgencies(values.agencies, values.other),
        outcome: values.outcome.trim(),
      };
      if (values.kind) body.kind = values.kind;
      if (values.held_on) body.held_on = isoDate(values.held_on);
      const made = unwrap(await api.POST("/api/v1/child-deaths/{case_id}/review-meetings", {
        params: { path: { case_id: c.id } }, body: body as never,
      }));
      setValues(EMPTY);
      await onDone(`${made.kind_label} held on ${formatDate(made.held_on)} recorded.`);
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-labelledby="record-meeting-heading" data-testid="record-meeting-form">
      <h3 className="govuk-heading-s" id="record-meeting-heading">Record a review meeting</h3>
      <ErrorSummary items={[...(general ? [{ key: "_", text: general }] : []), ...summaryItems(messages, ORDER)]} />
      <Radios name="meeting.kind" label="Which meeting was held?" value={values.kind} choices={MEETING_KINDS}
        onChange={(kind) => set({ kind })} error={messages["meeting.kind"]} />
      <DateInput name="meeting.held_on" label="Date the meeting was held" value={values.held_on}
        onChange={(held_on) => set({ held_on })} error={messages["meeting.held_on"]} />
      {known.length ? (
        <Checkboxes name="meeting.agencies" label="Agencies present" hint="Select all that took part"
          values={values.agencies} choices={known.map((a) => ({ value: a, label: a }))} small
          onChange={(agencies) => set({ agencies })} error={messages["meeting.agencies"]} />
      ) : null}
      <Textarea name="meeting.other_agencies" label={known.length ? "Other agencies present (optional)" : "Agencies present"}
        hint="One agency on each line" rows={3} value={values.other}
        onChange={(other) => set({ other })} error={messages["meeting.other_agencies"]} />
      <Textarea name="meeting.outcome" label="Outcome of the meeting" rows={4} value={values.outcome}
        onChange={(outcome) => set({ outcome })} error={messages["meeting.outcome"]} />
      <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>Record the meeting</button>
    </form>
  );
}
