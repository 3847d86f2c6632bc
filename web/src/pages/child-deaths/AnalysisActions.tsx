// The actions agreed at the panel, followed until each is done (the case's analysis.actions: no
// call of its own). Each: what, the owner agency, the due date, a status tag (open, overdue,
// completed, cancelled) and what ended it. The coordinator marks an open action complete, with the
// date and what was done, or cancels it with the reason (POST .../actions/{id}/complete or
// /cancel, If-Match: the action's own ETag), also after the review is closed. The service judges
// it: a 422 is shown against its field.
import { useEffect, useRef, useState, type FormEvent } from "react";

import { api, ApiError, unwrap, type Schemas } from "../../api/client";
import { hasRole, useSession } from "../../api/session";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { friendlyMessage } from "../../components/fieldMessage";
import { DateInput, isoDate, Textarea } from "../../components/fields";
import { errorText, fieldMessages } from "../../lib/errors";
import { formatDate } from "../../lib/format";
import { useSubmission } from "../../components/useSubmission";

type ChildDeath = Schemas["ChildDeathOut"];
type Action = Schemas["ActionOut"];

function StatusTags({ a }: { a: Action }) {
  if (a.status === "completed") return <strong className="govuk-tag govuk-tag--green">Completed</strong>;
  if (a.status === "cancelled") return <strong className="govuk-tag govuk-tag--grey">Cancelled</strong>;
  return a.overdue
    ? <strong className="govuk-tag govuk-tag--red">Overdue</strong>
    : <strong className="govuk-tag govuk-tag--blue">Open</strong>;
}

export function AnalysisActions({ c, onChanged, onErrorChange }: {
  c: ChildDeath; onChanged: (message: string) => Promise<void>; onErrorChange?: (hasErrors: boolean) => void;
}) {
  const { data: session } = useSession();
  const canComplete = hasRole(session, "cdop_coordinator");
  // the open action being marked complete or cancelled (one form at a time)
  const [changing, setChanging] = useState<{ id: number; how: "complete" | "cancel" } | null>(null);
  const actions = c.analysis?.actions ?? [];
  const open = actions.filter((a) => a.status === "open").length;
  const current = actions.find((a) => a.id === changing?.id);
  return (
    <section aria-labelledby="actions-card-heading" className="govuk-!-margin-bottom-6" id="actions" data-testid="analysis-actions">
      <h2 className="govuk-heading-m" id="actions-card-heading">Actions agreed by the panel</h2>
      <p className="govuk-body">
        {open ? `${open} of ${actions.length} still open.` : `All ${actions.length} done or cancelled.`}
        {" "}Each owner is reminded before the due date and every week while an action is overdue.
      </p>
      <table className="govuk-table app-table--compact" aria-labelledby="actions-card-heading">
        <thead className="govuk-table__head">
          <tr className="govuk-table__row">
            <th scope="col" className="govuk-table__header">Action</th>
            <th scope="col" className="govuk-table__header">Owner</th>
            <th scope="col" className="govuk-table__header">Due</th>
            <th scope="col" className="govuk-table__header">Status</th>
            {canComplete ? <th scope="col" className="govuk-table__header"><span className="govuk-visually-hidden">Change</span></th> : null}
          </tr>
        </thead>
        <tbody className="govuk-table__body">
          {actions.map((a, i) => (
            <tr className="govuk-table__row" key={a.id} data-testid={`action-row-${i + 1}`}>
              <td className="govuk-table__cell app-field-value">{a.description}</td>
              <td className="govuk-table__cell">
                {a.owner_agency}
                {a.owner_email ? <><br /><span className="govuk-hint govuk-!-font-size-16 govuk-!-margin-bottom-0">{a.owner_email}</span></> : null}
              </td>
              <td className="govuk-table__cell app-nowrap">{a.due_on ? formatDate(a.due_on) : "No date"}</td>
              <td className="govuk-table__cell">
                <StatusTags a={a} />
                {a.status === "completed" ? (
                  <><br /><span className="govuk-body-s">{a.completed_on ? `On ${formatDate(a.completed_on)}` : ""}{a.evidence ? `: ${a.evidence}` : ""}</span></>
                ) : null}
                {a.status === "cancelled" && a.cancelled_reason ? <><br /><span className="govuk-body-s">{a.cancelled_reason}</span></> : null}
              </td>
              {canComplete ? (
                <td className="govuk-table__cell">
                  {a.status === "open" ? (
                    <div className="govuk-button-group govuk-!-margin-bottom-0">
                      <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-1" id={`complete-${a.id}`}
                        onClick={() => setChanging({ id: a.id, how: "complete" })}>
                        Mark complete<span className="govuk-visually-hidden"> (action {i + 1})</span>
                      </button>
                      <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-1" id={`cancel-${a.id}`}
                        onClick={() => setChanging({ id: a.id, how: "cancel" })}>
                        Cancel<span className="govuk-visually-hidden"> action {i + 1}</span>
                      </button>
                    </div>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {current && changing ? (
        <ChangeForm key={`${changing.how}-${current.id}`} how={changing.how} c={c} action={current}
          number={actions.indexOf(current) + 1} onErrorChange={onErrorChange}
          onDone={async (m) => { setChanging(null); onErrorChange?.(false); await onChanged(m); }}
          onCancel={() => {
            const back = `${changing.how}-${current.id}`;
            setChanging(null);
            onErrorChange?.(false);
            setTimeout(() => document.getElementById(back)?.focus());
          }} />
      ) : null}
    </section>
  );
}

const ORDER = ["complete.completed_on", "complete.evidence", "cancel.reason"];

/** Mark an open action complete (the date, what was done) or cancel it (why): the action's own
 * resource, with its ETag. */
function ChangeForm({ how, c, action, number, onDone, onCancel, onErrorChange }: {
  how: "complete" | "cancel"; c: ChildDeath; action: Action; number: number; onDone: (m: string) => Promise<void>;
  onCancel: () => void; onErrorChange?: (hasErrors: boolean) => void;
}) {
  const [values, setValues] = useState({ completed_on: "", evidence: "", reason: "" });
  const { error, busy, run } = useSubmission();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => { heading.current?.focus(); }, []);
  const raw = fieldMessages(error);
  const messages: Record<string, string> = {};
  if (raw.completed_on) messages["complete.completed_on"] = friendlyMessage("Date completed", "date", raw.completed_on);
  if (raw.evidence) messages["complete.evidence"] = friendlyMessage("what was done", "text", raw.evidence);
  if (raw.reason) messages["cancel.reason"] = friendlyMessage("why the action is cancelled", "text", raw.reason);
  const stale = error instanceof ApiError && error.status === 412;
  const general = error && !Object.keys(messages).length
    ? stale ? "Someone else changed this action while you were working on it. Reload the page to see it." : errorText(error)
    : null;
  useEffect(() => { onErrorChange?.(!!error); }, [error, onErrorChange]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const params = { path: { case_id: c.id, action_id: action.id }, header: { "If-Match": `"${action.version}"` } };
      if (how === "complete") {
        const body: Record<string, unknown> = { evidence: values.evidence.trim() };
        if (values.completed_on) body.completed_on = isoDate(values.completed_on);
        unwrap(await api.POST("/api/v1/child-deaths/{case_id}/actions/{action_id}/complete", { params, body: body as never }));
        await onDone(`Action ${number} was marked complete.`);
      } else {
        unwrap(await api.POST("/api/v1/child-deaths/{case_id}/actions/{action_id}/cancel", {
          params, body: { reason: values.reason.trim() },
        }));
        await onDone(`Action ${number} was cancelled.`);
      }
    });
  };
  const title = how === "complete" ? `Mark action ${number} complete` : `Cancel action ${number}`;
  return (
    <form onSubmit={submit} noValidate className="app-actions" aria-labelledby="change-action-heading" data-testid={`${how}-form`}>
      <ErrorSummary items={[...(general ? [{ key: "_", text: general }] : []), ...summaryItems(messages, ORDER)]} />
      <h3 className="govuk-heading-s" id="change-action-heading" tabIndex={-1} ref={heading}>{title}</h3>
      <p className="govuk-body app-field-value">{action.description} ({action.owner_agency})</p>
      {how === "complete" ? (
        <>
          <DateInput name="complete.completed_on" label="Date completed (optional)" hint="If you leave this empty, today. For example, 27 3 2026"
            value={values.completed_on} onChange={(v) => setValues((x) => ({ ...x, completed_on: v }))}
            error={messages["complete.completed_on"]} />
          <Textarea name="complete.evidence" label="What was done" hint="And where the evidence is kept" rows={3}
            value={values.evidence} onChange={(v) => setValues((x) => ({ ...x, evidence: v }))} error={messages["complete.evidence"]} />
        </>
      ) : (
        <Textarea name="cancel.reason" label="Why is the action no longer to be done?" rows={3}
          value={values.reason} onChange={(v) => setValues((x) => ({ ...x, reason: v }))} error={messages["cancel.reason"]} />
      )}
      <div className="govuk-button-group">
        <button type="submit" className="govuk-button" disabled={busy}>{how === "complete" ? "Mark complete" : "Cancel the action"}</button>
        <button type="button" className="govuk-button govuk-button--secondary" onClick={onCancel}>Back</button>
      </div>
    </form>
  );
}
