// A child death's reporting forms: one per agency, requested with a contact email and a due date
// (the contact gets a single-use link) and the forms it asks for (the reporting form, and any
// supplementary forms: checkboxes of the definitions), the link sent again, waived with a reason,
// the answers under the question labels of the definition they were given against.
// Each write is a POST of the reporting form's own resource; the service judges it (422 per field).
// The definitions (GET /forms/definitions?all_versions=true) are fetched only when the
// coordinator opens the answers or the choice of forms, so the page still loads with 3 calls.
import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";

import { api, unwrap, type Schemas } from "../../api/client";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { friendlyMessage } from "../../components/fieldMessage";
import { Checkboxes, DateInput, isoDate, Textarea, TextInput } from "../../components/fields";
import { errorText, fieldMessages } from "../../lib/errors";
import { formatDate, formatDateTime, humanise } from "../../lib/format";
import { answerRows, MAIN_FORM, type Definition } from "../my-forms/formData";
import { useSubmission } from "../../components/useSubmission";

type ChildDeath = Schemas["ChildDeathOut"];
type Form = Schemas["ReportingFormOut"];

const OPEN_FOR_FORMS = ["notified", "information_gathering", "on_hold", "ready_for_panel"];

/** Every shipped version of every form definition, once asked for (`enabled`). */
function useDefinitions(enabled: boolean) {
  return useQuery({
    queryKey: ["form-definitions", "all"],
    enabled,
    staleTime: Infinity,
    queryFn: async () => unwrap(await api.GET("/api/v1/forms/definitions", { params: { query: { all_versions: true } } })),
  });
}
const STATUS_TAGS: Record<string, string> = { requested: "govuk-tag--blue", submitted: "govuk-tag--green", waived: "govuk-tag--grey" };
const STATUS_WORDS: Record<string, string> = { requested: "Requested", submitted: "Returned", waived: "Waived" };

export function ReportingForms({ c, onChanged, onErrorChange }: {
  c: ChildDeath; onChanged: (message: string) => Promise<void>; onErrorChange?: (hasErrors: boolean) => void;
}) {
  const [waiving, setWaiving] = useState<number | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const [errorsIn, setErrorsIn] = useState({ waive: false, request: false });
  const anyErrors = !!rowError || errorsIn.waive || errorsIn.request;
  useEffect(() => { onErrorChange?.(anyErrors); }, [anyErrors, onErrorChange]);
  const waiveErrors = useCallback((has: boolean) => setErrorsIn((e) => (e.waive === has ? e : { ...e, waive: has })), []);
  const requestErrors = useCallback((has: boolean) => setErrorsIn((e) => (e.request === has ? e : { ...e, request: has })), []);
  const canRequest = OPEN_FOR_FORMS.includes(c.status);

  const resend = async (f: Form) => {
    setRowError(null);
    try {
      unwrap(await api.POST("/api/v1/child-deaths/{case_id}/reporting-forms/{form_id}/resend", {
        params: { path: { case_id: c.id, form_id: f.id } },
      }));
      await onChanged(`The link to the reporting form was sent again to ${f.contact_email ?? f.agency}.`);
    } catch (err) {
      setRowError(errorText(err));
    }
  };

  return (
    <section aria-labelledby="forms-heading" className="govuk-!-margin-bottom-6">
      <h2 className="govuk-heading-m" id="forms-heading">Reporting forms</h2>
      <ErrorSummary items={rowError ? [{ key: "_", text: rowError }] : []} />
      {c.reporting_forms.length ? (
        <table className="govuk-table app-table--compact" data-testid="reporting-forms-table" aria-labelledby="forms-heading">
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header">Agency</th>
              <th scope="col" className="govuk-table__header">Due</th>
              <th scope="col" className="govuk-table__header">Status</th>
              <th scope="col" className="govuk-table__header"><span className="govuk-visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {c.reporting_forms.map((f) => (
              <tr className="govuk-table__row" key={f.id} data-testid={`form-${f.id}`}>
                <td className="govuk-table__cell">
                  {f.agency}
                  {f.contact_email ? <><br /><span className="govuk-hint govuk-!-font-size-16 govuk-!-margin-bottom-0">{f.contact_email}</span></> : null}
                  {(f.forms ?? []).some((d) => d.key !== MAIN_FORM) ? (
                    <><br /><span className="govuk-body-s" data-testid={`forms-asked-${f.id}`}>
                      {(f.forms ?? []).map((d) => d.title).join("; ")}
                    </span></>
                  ) : null}
                </td>
                <td className="govuk-table__cell app-nowrap">{formatDate(f.due_on)}</td>
                <td className="govuk-table__cell">
                  <strong className={`govuk-tag ${STATUS_TAGS[f.status] ?? ""}`}>{STATUS_WORDS[f.status] ?? humanise(f.status)}</strong>
                  {f.overdue && f.status === "requested" ? <> <strong className="govuk-tag govuk-tag--red">Overdue</strong></> : null}
                  {f.status === "submitted" && f.submitted_at ? <><br /><span className="govuk-body-s">{formatDateTime(f.submitted_at)}{submittedBy(f.submitted_by)}</span></> : null}
                  {f.status === "waived" ? <><br /><span className="govuk-body-s">{f.waived_reason}</span></> : null}
                </td>
                <td className="govuk-table__cell">
                  {f.status === "requested" ? (
                    <div className="govuk-button-group govuk-!-margin-bottom-0">
                      {f.contact_email ? (
                        <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-1" onClick={() => resend(f)}>
                          Resend link<span className="govuk-visually-hidden"> to {f.agency}</span>
                        </button>
                      ) : null}
                      <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-1" id={`waive-${f.id}`}
                        onClick={() => { setRowError(null); setWaiving(f.id); }}>
                        Waive<span className="govuk-visually-hidden"> the form from {f.agency}</span>
                      </button>
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <p className="govuk-body">No reporting form has been requested.</p>}

      {waiving !== null ? (
        <WaiveForm c={c} form={c.reporting_forms.find((f) => f.id === waiving)!}
          onErrorChange={waiveErrors}
          onDone={async (m) => { setWaiving(null); waiveErrors(false); await onChanged(m); }}
          onCancel={() => { const id = waiving; setWaiving(null); waiveErrors(false); setTimeout(() => document.getElementById(`waive-${id}`)?.focus()); }} />
      ) : null}

      {c.reporting_forms.filter((f) => f.status === "submitted").map((f) => <Answers key={f.id} f={f} />)}

      {canRequest ? <RequestForm c={c} onDone={onChanged} onErrorChange={requestErrors} /> : null}
    </section>
  );
}

/** Who returned a form, in words: the emailed link, or a signed-in agency author. */
export function submittedBy(by: string | null | undefined): string {
  if (!by) return "";
  if (by.startsWith("agency_link")) return ", through the emailed link";
  if (/^user:\d+$/.test(by)) return ", by the agency author";
  return ` by ${by}`;
}

function Answers({ f }: { f: Form }) {
  const [open, setOpen] = useState(false);
  const definitions = useDefinitions(open);
  const asked = (f.forms ?? []).map((r) => definitions.data?.find((d) => d.key === r.key && d.version === r.version))
    .filter((d): d is Definition => !!d);
  const groups = definitions.data && asked.length === (f.forms ?? []).length
    ? answerRows(asked, (f.answers ?? {}) as Record<string, unknown>, f.not_known) : null;
  return (
    <details className="govuk-details" data-testid={`answers-${f.id}`}
      onToggle={(e) => { if ((e.currentTarget as HTMLDetailsElement).open) setOpen(true); }}>
      <summary className="govuk-details__summary">
        <span className="govuk-details__summary-text">Answers from {f.agency}</span>
      </summary>
      <div className="govuk-details__text">
        {groups ? groups.map(({ form, rows }) => (
          <div key={form.key} data-form={form.key}>
            <h3 className="govuk-heading-s">{form.title} <span className="govuk-hint govuk-!-display-inline">(version {form.version})</span></h3>
            <dl className="govuk-summary-list">
              {rows.map((r) => (
                <div className="govuk-summary-list__row" key={r.field}>
                  <dt className="govuk-summary-list__key">{r.key}</dt>
                  <dd className="govuk-summary-list__value app-field-value">
                    {r.value === "Not known" || r.value === "Not answered" ? <span className="govuk-hint">{r.value}</span> : r.value}
                  </dd>
                </div>
              ))}
            </dl>
          </div>
        )) : definitions.isError ? (
          <p className="govuk-body">{errorText(definitions.error)}</p>
        ) : (
          <p className="govuk-body" aria-live="polite">Loading the answers</p>
        )}
      </div>
    </details>
  );
}

/** The forms to ask for: the reporting form (ticked) and the supplementary forms, latest versions. */
function FormChoice({ chosen, onChange, error }: { chosen: string[]; onChange: (v: string[]) => void; error?: string }) {
  const [open, setOpen] = useState(false);
  const definitions = useDefinitions(open);
  const latest = (definitions.data ?? []).filter((d) =>
    !(definitions.data ?? []).some((o) => o.key === d.key && o.version > d.version));
  return (
    <details className="govuk-details" data-testid="choose-forms" open={open || !!error}
      onToggle={(e) => { if ((e.currentTarget as HTMLDetailsElement).open) setOpen(true); }}>
      <summary className="govuk-details__summary">
        <span className="govuk-details__summary-text">Forms to ask for: {chosen.length === 1 && chosen[0] === MAIN_FORM
          ? "the reporting form" : `${chosen.length} form${chosen.length === 1 ? "" : "s"}`}</span>
      </summary>
      <div className="govuk-details__text">
        {definitions.data ? (
          <Checkboxes name="request.forms" label="Which forms should the agency complete?" small
            hint="Add a supplementary form when the circumstances of the death call for it." error={error}
            values={chosen} onChange={onChange}
            choices={latest.map((d) => ({ value: d.key, label: d.title }))} />
        ) : definitions.isError ? <p className="govuk-body">{errorText(definitions.error)}</p>
          : <p className="govuk-body" aria-live="polite">Loading the forms</p>}
      </div>
    </details>
  );
}

function WaiveForm({ c, form, onDone, onCancel, onErrorChange }: {
  c: ChildDeath; form: Form; onDone: (m: string) => Promise<void>; onCancel: () => void;
  onErrorChange: (hasErrors: boolean) => void;
}) {
  const [reason, setReason] = useState("");
  const { error, busy, run } = useSubmission();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => { heading.current?.focus(); }, []);
  const messages = fieldMessages(error);
  const reasonMessage = messages.reason ? friendlyMessage("the reason for waiving the form", "text", messages.reason) : undefined;
  const general = error && !reasonMessage ? errorText(error) : null;
  useEffect(() => { onErrorChange(!!error); }, [error, onErrorChange]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      unwrap(await api.POST("/api/v1/child-deaths/{case_id}/reporting-forms/{form_id}/waive", {
        params: { path: { case_id: c.id, form_id: form.id } }, body: { reason: reason.trim() },
      }));
      await onDone(`The reporting form from ${form.agency} was waived.`);
    });
  };
  return (
    <form onSubmit={submit} noValidate className="app-actions" aria-labelledby="waive-heading">
      <ErrorSummary items={[...(general ? [{ key: "_", text: general }] : []), ...(reasonMessage ? [{ key: "waive.reason", text: reasonMessage }] : [])]} />
      <h3 className="govuk-heading-s" id="waive-heading" tabIndex={-1} ref={heading}>Waive the reporting form from {form.agency}</h3>
      <Textarea name="waive.reason" label="Why is the form no longer needed?" value={reason} onChange={setReason}
        error={reasonMessage} rows={3} />
      <div className="govuk-button-group">
        <button type="submit" className="govuk-button" disabled={busy}>Waive the form</button>
        <button type="button" className="govuk-button govuk-button--secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

const REQUEST_ORDER = ["request.agency", "request.contact_email", "request.due_on", "request.forms"];

function RequestForm({ c, onDone, onErrorChange }: {
  c: ChildDeath; onDone: (m: string) => Promise<void>; onErrorChange: (hasErrors: boolean) => void;
}) {
  const [values, setValues] = useState({ agency: "", contact_email: "", due_on: "" });
  const [forms, setForms] = useState<string[]>([MAIN_FORM]);
  const { error, busy, run } = useSubmission();
  const raw = fieldMessages(error);
  const messages: Record<string, string> = {};
  if (raw.agency) messages["request.agency"] = friendlyMessage("the name of the agency", "text", raw.agency);
  if (raw.contact_email) messages["request.contact_email"] = friendlyMessage("the contact email address", "email", raw.contact_email);
  if (raw.due_on) messages["request.due_on"] = friendlyMessage("Due date", "date", raw.due_on);
  const formsError = Object.entries(raw).find(([k]) => k === "forms" || k.startsWith("forms."))?.[1];
  if (formsError || (!forms.length && error)) messages["request.forms"] = forms.length ? formsError! : "Select at least one form";
  const general = error && !Object.keys(messages).length ? errorText(error) : null;
  useEffect(() => { onErrorChange(!!error); }, [error, onErrorChange]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const body: Record<string, unknown> = { agency: values.agency.trim() };
      if (values.contact_email.trim()) body.contact_email = values.contact_email.trim();
      if (values.due_on) body.due_on = isoDate(values.due_on);
      body.forms = forms;
      const made = unwrap(await api.POST("/api/v1/child-deaths/{case_id}/reporting-forms", {
        params: { path: { case_id: c.id } }, body: body as never,
      }));
      setValues({ agency: "", contact_email: "", due_on: "" });
      setForms([MAIN_FORM]);
      await onDone(`A reporting form was requested from ${made.agency}, due ${formatDate(made.due_on)}.`);
    });
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="request-heading" data-testid="request-form">
      <h3 className="govuk-heading-s" id="request-heading">Request a reporting form</h3>
      <ErrorSummary items={[...(general ? [{ key: "_", text: general }] : []), ...summaryItems(messages, REQUEST_ORDER)]} />
      <TextInput name="request.agency" label="Agency" value={values.agency} width={20}
        onChange={(v) => setValues((x) => ({ ...x, agency: v }))} error={messages["request.agency"]} />
      <TextInput name="request.contact_email" label="Contact email address (optional)" type="email" width={20}
        autoComplete="off" spellCheck={false} hint="They will be emailed a link to the form, which works once"
        value={values.contact_email} onChange={(v) => setValues((x) => ({ ...x, contact_email: v }))}
        error={messages["request.contact_email"]} />
      <DateInput name="request.due_on" label="Due date (optional)" hint="If you leave this empty, the usual number of working days from today"
        value={values.due_on} onChange={(v) => setValues((x) => ({ ...x, due_on: v }))} error={messages["request.due_on"]} />
      <FormChoice chosen={forms} onChange={setForms} error={messages["request.forms"]} />
      <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>Request the form</button>
    </form>
  );
}
