// A case review agency report assigned to the agency author (/app/my-forms/agency-reports/
// :caseId/:reportId): the four sections of the report, each answered or "Not known", submitted
// once (POST /case-reviews/{id}/agency-reports/{report_id}/submit), then shown read-only. The
// author sees the case's reference only. One API call to show it.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";

import { api, ApiError, unwrap, type Schemas } from "../../api/client";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { Loading, QueryFailed, SuccessBanner, useTitle } from "../../components/Page";
import { SummaryList } from "../../components/SummaryList";
import { formatDate, formatDateTime } from "../../lib/format";
import { answerField, checkEntries, FORM_STATUS, useSubmitAndDraft, type Entries, type Question } from "./formData";
import { SectionField } from "./MyFormPage";
import { SubmitOnce } from "./SubmitOnce";

type Report = Schemas["AgencyReportOut"];
type ReportSection = "chronology" | "analysis" | "learning" | "recommendations";

/** The sections of a case review agency report (the API's AgencyReportAnswers), in order. */
export const REPORT_SECTIONS: { key: ReportSection; title: string; help: string }[] = [
  { key: "chronology", title: "Chronology", help: "Your agency's contact with the child and family, in date order." },
  { key: "analysis", title: "Analysis", help: "What happened and why: decisions, practice and the context they were made in." },
  { key: "learning", title: "Learning", help: "What your agency has learned from this case." },
  { key: "recommendations", title: "Recommendations", help: "What your agency recommends, for itself or for the partnership." },
];

export function reportQuestions(report: Pick<Report, "answers" | "not_known">): Question[] {
  const answers = (report.answers ?? {}) as Record<string, unknown>;
  return REPORT_SECTIONS.map((s) => ({
    key: s.key as Question["key"], title: s.title, help: s.help,
    answer: typeof answers[s.key] === "string" ? (answers[s.key] as string) : "",
    notKnown: (report.not_known ?? []).includes(s.key),
  }));
}

/** The body of the submit: each section's answer, or its key in not_known. */
export function reportBody(entries: Entries): Schemas["AgencyReportSubmit"] {
  const answers: Record<string, string> = {};
  const notKnown: ReportSection[] = [];
  for (const s of REPORT_SECTIONS) {
    const e = entries[s.key];
    if (!e) continue;
    if (e.notKnown) notKnown.push(s.key);
    else if (e.text.trim()) answers[s.key] = e.text.trim();
  }
  return { answers, not_known: notKnown };
}

export function AgencyReportPage() {
  const params = useParams();
  const caseId = Number(params.caseId);
  const reportId = Number(params.reportId);
  const valid = [caseId, reportId].every((n) => Number.isInteger(n) && n > 0);
  const [justSubmitted, setJustSubmitted] = useState(false);
  const [hasErrors, setHasErrors] = useState(false);
  const report = useQuery({
    queryKey: ["my-forms", "agency-report", caseId, reportId],
    enabled: valid,
    queryFn: async () => unwrap(await api.GET("/api/v1/case-reviews/{case_id}/agency-reports/{report_id}", {
      params: { path: { case_id: caseId, report_id: reportId } },
    })),
  });
  const r = report.data;
  useTitle(r ? `Agency report ${r.case_reference}` : "Agency report", hasErrors);
  if (!valid) return <QueryFailed error={new ApiError(404, null)} />;
  if (report.isError) return <QueryFailed error={report.error} />;
  if (report.isPending || !r) return <Loading what="Loading the agency report" />;

  const status = FORM_STATUS[r.status] ?? { label: r.status, colour: "govuk-tag--grey" };
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        {justSubmitted ? (
          <SuccessBanner focus testId="submitted-banner" id="submitted">Your agency report is submitted. Thank you.</SuccessBanner>
        ) : null}
        <span className="govuk-caption-l">Case review agency report</span>
        <h1 className="govuk-heading-l">{r.case_reference}: {r.agency}</h1>
        <SummaryList rows={[
          { key: "Due", value: <>{formatDate(r.due_on)}{r.overdue && r.status === "requested" ? <> <strong className="govuk-tag govuk-tag--red">Overdue</strong></> : null}</> },
          { key: "Status", value: <strong className={`govuk-tag ${status.colour}`}>{status.label}</strong> },
          ...(r.submitted_at ? [{ key: "Submitted", value: formatDateTime(r.submitted_at) }] : []),
        ]} />
        {r.status === "requested" ? (
          <ReportForm report={r} onErrors={setHasErrors} onSubmitted={() => setJustSubmitted(true)} />
        ) : r.status === "submitted" ? (
          <section aria-labelledby="answers-heading" data-testid="answers">
            <h2 className="govuk-heading-m" id="answers-heading">Your answers</h2>
            <SummaryList rows={reportQuestions(r).map((q) => ({
              key: q.title, value: q.notKnown ? "Not known" : <span className="app-field-value">{q.answer || "Not answered"}</span>,
            }))} />
          </section>
        ) : (
          <p className="govuk-body">This report is no longer needed: the business unit has waived it.</p>
        )}
        <p className="govuk-body"><Link className="govuk-link" to="/my-forms">Back to my forms</Link></p>
      </div>
    </div>
  );
}

function ReportForm({ report, onErrors, onSubmitted }: {
  report: Report; onErrors: (has: boolean) => void; onSubmitted: () => void;
}) {
  const client = useQueryClient();
  const questions = reportQuestions(report);
  const [entries, setEntries] = useState<Entries>(
    () => Object.fromEntries(questions.map((q) => [q.key, { text: q.answer, notKnown: q.notKnown }])));
  const [messages, setMessagesState] = useState<Record<string, string>>({});
  const setMessages = (m: Record<string, string>) => { setMessagesState(m); onErrors(Object.keys(m).length > 0); };
  const [draftSaved, setDraftSaved] = useState(0);
  const { submit, draft } = useSubmitAndDraft({
    submit: async () => unwrap(await api.POST("/api/v1/case-reviews/{case_id}/agency-reports/{report_id}/submit", {
      params: { path: { case_id: report.case_id, report_id: report.id } },
      body: reportBody(entries),
    })),
    draft: async () => unwrap(await api.PUT("/api/v1/agency-reports/mine/{report_id}/draft", {
      params: { path: { report_id: report.id } },
      body: reportBody(entries),
    })),
    setMessages,
    onSubmitted: (data) => {
      client.setQueryData(["my-forms", "agency-report", report.case_id, report.id], data);
      onSubmitted();
    },
    onDraftSaved: () => setDraftSaved((n) => n + 1),
    onDraftFailed: () => setDraftSaved(0),
    invalidate: ["my-forms", "reports"],
    conflict: {
      submit: "This report has already been submitted or is no longer needed.",
      draft: "This report has already been submitted or is no longer needed.",
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const problems = checkEntries(questions, entries);
    setMessages(problems);
    setDraftSaved(0);
    if (!Object.keys(problems).length) submit.mutate();
  };
  const set = (key: string, change: Partial<{ text: string; notKnown: boolean }>) =>
    setEntries((prev) => ({ ...prev, [key]: { ...prev[key], ...change } }));
  return (
    <>
      <ErrorSummary items={summaryItems(messages, questions.map((q) => answerField(q.key)))} />
      <p className="govuk-body">Answer each section from your agency&apos;s records, or select &quot;Not known&quot;.</p>
      <div className="govuk-inset-text">
        You can save a draft and come back to it later: nothing is sent until you submit the report.
      </div>
      {draftSaved ? (
        <SuccessBanner focus key={draftSaved} testId="draft-banner" id="draft">
          Draft saved. The report is not submitted yet.
        </SuccessBanner>
      ) : null}
      <form onSubmit={onSubmit} noValidate data-testid="answer-form">
        {questions.map((q) => (
          <SectionField key={q.key} question={q} entry={entries[q.key]} error={messages[answerField(q.key)]}
            onText={(text) => set(q.key, { text })} onNotKnown={(notKnown) => set(q.key, { notKnown })} />
        ))}
        <SubmitOnce what="report" submitting={submit.isPending} saving={draft.isPending} onSaveDraft={() => draft.mutate()} />
      </form>
    </>
  );
}
