// A case review's agency reports (/app/case-reviews/:id/agency-reports): the list, a request
// (agency, contact, due date), a returned report's answers, and waiving one with a reason.
// Data: the case (its heading) and the reports: 2 calls.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useParams } from "react-router";

import { api, ApiError, unwrap, type Schemas } from "../../api/client";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { DateInput, isoDate, Textarea, TextInput } from "../../components/fields";
import { Loading, QueryFailed, SuccessNotice, useTitle } from "../../components/Page";
import { SummaryList } from "../../components/SummaryList";
import { errorText, fieldMessages } from "../../lib/errors";
import { formatDate, formatDateTime, humanise } from "../../lib/format";
import { caseIdFrom, CaseHeading, CaseSubNav, useCaseReview } from "./caseData";

type Report = Schemas["AgencyReportOut"];

const ANSWERS: [string, string][] = [
  ["chronology", "Chronology"], ["analysis", "Analysis"], ["learning", "Learning"], ["recommendations", "Recommendations"],
];
const TAGS: Record<string, string> = { requested: "govuk-tag--blue", submitted: "govuk-tag--green", waived: "govuk-tag--grey" };

export function AgencyReportsPage() {
  const id = caseIdFrom(useParams().id);
  if (id === null) return <QueryFailed error={new ApiError(404, null)} />;
  return <AgencyReports id={id} />;
}

function AgencyReports({ id }: { id: number }) {
  const client = useQueryClient();
  const caseQuery = useCaseReview(id);
  const reports = useQuery({
    queryKey: ["case-review", id, "agency-reports"],
    queryFn: async () => unwrap(await api.GET("/api/v1/case-reviews/{case_id}/agency-reports", { params: { path: { case_id: id } } })),
  });
  const [flash, setFlash] = useState<string | null>(null);
  const c = caseQuery.data?.data;
  const [formError, setFormError] = useState(false);
  useTitle(c ? `Agency reports: ${c.reference}` : "Agency reports", formError);
  if (caseQuery.isLoading) return <Loading what="Loading the case review" />;
  if (caseQuery.error || !c) return <QueryFailed error={caseQuery.error} />;
  const done = async (message: string) => {
    await client.invalidateQueries({ queryKey: ["case-review", id] });
    setFlash(message);
  };
  return (
    <>
      <SuccessNotice message={flash} />
      <CaseHeading c={c} />
      <CaseSubNav id={id} />
      <h2 className="govuk-heading-l">Agency reports</h2>
      {reports.isLoading ? <Loading what="Loading the agency reports" /> : reports.error ? (
        <p className="govuk-body">{errorText(reports.error)}</p>
      ) : reports.data?.length ? (
        reports.data.map((r) => <ReportCard key={r.id} caseId={id} r={r} onDone={done} />)
      ) : (
        <p className="govuk-body">No agency report has been requested for this case.</p>
      )}
      <RequestForm caseId={id} onDone={done} onErrors={setFormError} />
    </>
  );
}

function ReportCard({ caseId, r, onDone }: { caseId: number; r: Report; onDone: (m: string) => Promise<void> }) {
  const answers = r.answers as Record<string, unknown>;
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>(null);
  const messages = fieldMessages(error);
  const name = `waive-${r.id}.reason`;
  const waive = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      unwrap(await api.POST("/api/v1/case-reviews/{case_id}/agency-reports/{report_id}/waive", {
        params: { path: { case_id: caseId, report_id: r.id } }, body: { reason },
      }));
      await onDone(`The report from ${r.agency} is no longer needed.`);
    } catch (err) {
      setError(err);
    }
  };
  const reasonError = messages.reason ?? (error && !Object.keys(messages).length ? errorText(error) : undefined);
  return (
    <div className="govuk-summary-card" data-testid="agency-report">
      <div className="govuk-summary-card__title-wrapper">
        <h3 className="govuk-summary-card__title">{r.agency}</h3>
        <strong className={`govuk-tag ${TAGS[r.status] ?? "govuk-tag--grey"}`}>{humanise(r.status)}</strong>
      </div>
      <div className="govuk-summary-card__content">
        <SummaryList rows={[
          { key: "Contact", value: r.contact_email ?? "" },
          { key: "Due", value: <>{formatDate(r.due_on)}{r.overdue ? <> <strong className="govuk-tag govuk-tag--red">Overdue</strong></> : null}</> },
          { key: "Reminders sent", value: String(r.reminders_sent) },
          ...(r.submitted_at ? [{ key: "Returned", value: formatDateTime(r.submitted_at) }] : []),
          ...(r.waived_at ? [{ key: "Not needed since", value: formatDateTime(r.waived_at) }, { key: "Reason", value: r.waived_reason ?? "" }] : []),
        ]} />
        {r.status === "submitted" ? (
          <details className="govuk-details">
            <summary className="govuk-details__summary">
              <span className="govuk-details__summary-text">Read the report from {r.agency}</span>
            </summary>
            <div className="govuk-details__text">
              <SummaryList rows={ANSWERS.map(([key, label]) => ({
                key: label,
                value: r.not_known.includes(key) ? "Not known" : typeof answers[key] === "string" ? String(answers[key]) : "",
              }))} />
            </div>
          </details>
        ) : null}
        {r.status === "requested" ? (
          <details className="govuk-details">
            <summary className="govuk-details__summary">
              <span className="govuk-details__summary-text">This report is no longer needed</span>
            </summary>
            <div className="govuk-details__text">
              <form onSubmit={waive} noValidate>
                <ErrorSummary items={reasonError ? [{ key: name, text: reasonError }] : []} />
                <Textarea name={name} label="Why is it no longer needed?" value={reason} onChange={setReason} error={reasonError} rows={3} />
                <button type="submit" className="govuk-button govuk-button--warning">
                  Waive the report<span className="govuk-visually-hidden"> from {r.agency}</span>
                </button>
              </form>
            </div>
          </details>
        ) : null}
      </div>
    </div>
  );
}

function RequestForm({ caseId, onDone, onErrors }: { caseId: number; onDone: (m: string) => Promise<void>; onErrors: (b: boolean) => void }) {
  const empty = { agency: "", contact_email: "", due_on: "" };
  const [values, setValues] = useState(empty);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const messages = fieldMessages(error);
  const prefix = "request";
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    onErrors(false);
    try {
      const body: Schemas["AgencyReportCreate"] = { agency: values.agency, due_on: isoDate(values.due_on) };
      if (values.contact_email.trim()) body.contact_email = values.contact_email.trim();
      unwrap(await api.POST("/api/v1/case-reviews/{case_id}/agency-reports", { params: { path: { case_id: caseId } }, body }));
      setValues(empty);
      await onDone(`A report has been requested from ${values.agency}.`);
    } catch (err) {
      setError(err);
      onErrors(true);
    } finally {
      setBusy(false);
    }
  };
  const general = error && !Object.keys(messages).length ? errorText(error) : null;
  const byField = Object.fromEntries(Object.entries(messages).filter(([k]) => k !== "_").map(([k, v]) => [`${prefix}.${k}`, v]));
  const items = [
    ...(general ? [{ key: "_", text: general }] : []),
    ...summaryItems(byField, ["agency", "contact_email", "due_on"].map((k) => `${prefix}.${k}`)),
  ];
  return (
    <form onSubmit={submit} noValidate aria-labelledby="request-heading">
      <h2 className="govuk-heading-m" id="request-heading">Request a report from an agency</h2>
      <ErrorSummary items={items} />
      <TextInput name={`${prefix}.agency`} label="Agency" value={values.agency} error={messages.agency}
        onChange={(v) => setValues((x) => ({ ...x, agency: v }))} width={30} />
      <TextInput name={`${prefix}.contact_email`} label="Contact’s email address (optional)" type="email" autoComplete="off"
        spellCheck={false} value={values.contact_email} error={messages.contact_email}
        hint="We email them a link to the reporting form"
        onChange={(v) => setValues((x) => ({ ...x, contact_email: v }))} width={30} />
      <DateInput name={`${prefix}.due_on`} label="Due by" value={values.due_on} error={messages.due_on}
        onChange={(v) => setValues((x) => ({ ...x, due_on: v }))} />
      <button type="submit" className="govuk-button" disabled={busy}>Request the report</button>
    </form>
  );
}
