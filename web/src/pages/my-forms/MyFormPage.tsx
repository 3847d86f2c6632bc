// One reporting form of an agency author (/app/my-forms/:formId), built from the definition the
// API gives (GET /reporting-forms/mine/{form_id}: its sections, each with a title and help):
// per section an answer or "Not known", submitted once (POST /child-deaths/{case_id}/
// reporting-forms/{form_id}/submit), then shown read-only with the answers. A draft of any part
// of it can be saved and come back to (PUT /reporting-forms/mine/{form_id}/draft). One API call
// to show it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";

import { api, ApiError, unwrap } from "../../api/client";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { Loading, QueryFailed, SuccessBanner, useTitle } from "../../components/Page";
import { SummaryList } from "../../components/SummaryList";
import { errorText, fieldId, fieldMessages, type FieldMessages } from "../../lib/errors";
import { formatDate, formatDateTime } from "../../lib/format";
import {
  answerField, apiMessages, checkEntries, FORM_STATUS, initialEntries, notKnownField, questionsOf, submitBody,
  type Entries, type FormView, type Question,
} from "./formData";

const formKey = (id: number) => ["my-forms", "one", id] as const;

export function MyFormPage() {
  const params = useParams();
  const id = Number(params.formId);
  const valid = Number.isInteger(id) && id > 0;
  const [justSubmitted, setJustSubmitted] = useState(false);
  const form = useQuery({
    queryKey: formKey(id),
    enabled: valid,
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/reporting-forms/mine/{form_id}", { params: { path: { form_id: id } } })),
  });
  const [hasErrors, setHasErrors] = useState(false);
  const view = form.data;
  useTitle(view ? `Reporting form ${view.reference}` : "Reporting form", hasErrors);

  if (!valid) return <QueryFailed error={new ApiError(404, null)} />;
  if (form.isError) return <QueryFailed error={form.error} />;
  if (form.isPending || !view) return <Loading what="Loading the form" />;

  const status = FORM_STATUS[view.status] ?? { label: view.status, colour: "govuk-tag--grey" };
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        {justSubmitted ? (
          <SuccessBanner focus testId="submitted-banner" id="submitted">Your form is submitted. Thank you.</SuccessBanner>
        ) : null}
        <span className="govuk-caption-l">Child death reporting form</span>
        <h1 className="govuk-heading-l">{view.reference}: {view.agency}</h1>
        <SummaryList rows={[
          { key: "Child's age", value: view.child_age_band },
          {
            key: "Due",
            value: (
              <>
                {formatDate(view.due_on)}
                {view.overdue && view.status === "requested" ? <> <strong className="govuk-tag govuk-tag--red">Overdue</strong></> : null}
              </>
            ),
          },
          { key: "Status", value: <strong className={`govuk-tag ${status.colour}`}>{status.label}</strong> },
          ...(view.submitted_at ? [{ key: "Submitted", value: formatDateTime(view.submitted_at) }] : []),
        ]} />
        {view.status === "requested" ? (
          <AnswerForm view={view} onErrors={setHasErrors} onSubmitted={() => setJustSubmitted(true)} />
        ) : view.status === "submitted" ? (
          <Answers view={view} />
        ) : (
          <p className="govuk-body">This form is no longer needed: the Child Death Overview Panel has waived it.</p>
        )}
        <p className="govuk-body"><Link className="govuk-link" to="/my-forms">Back to my forms</Link></p>
      </div>
    </div>
  );
}

function Answers({ view }: { view: FormView }) {
  const questions = questionsOf(view);
  return (
    <section aria-labelledby="answers-heading" data-testid="answers">
      <h2 className="govuk-heading-m" id="answers-heading">Your answers</h2>
      <SummaryList rows={questions.map((q) => ({
        key: q.title,
        value: q.notKnown ? "Not known" : <span className="app-field-value">{q.answer || "Not answered"}</span>,
      }))} />
    </section>
  );
}

function AnswerForm({ view, onErrors, onSubmitted }: {
  view: FormView; onErrors: (has: boolean) => void; onSubmitted: () => void;
}) {
  const client = useQueryClient();
  const questions = questionsOf(view);
  const [entries, setEntries] = useState<Entries>(() => initialEntries(questions));
  const [messages, setMessagesState] = useState<FieldMessages>({});
  const setMessages = (m: FieldMessages) => { setMessagesState(m); onErrors(Object.keys(m).length > 0); };

  const submit = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/child-deaths/{case_id}/reporting-forms/{form_id}/submit", {
        params: { path: { case_id: view.case_id, form_id: view.form_id } },
        body: submitBody(questions, entries),
      })),
    onSuccess: async () => {
      setMessages({});
      onSubmitted();
      await client.invalidateQueries({ queryKey: ["my-forms"] });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) {
        // submitted already (another tab, or the emailed link): show it as it is now
        setMessages({ _: "This form has already been submitted. The answers shown below are the ones that were sent." });
        client.invalidateQueries({ queryKey: ["my-forms"] });
        return;
      }
      const byField = apiMessages(fieldMessages(error));
      setMessages(Object.keys(byField).length ? byField : { _: errorText(error) });
    },
  });

  const [draftSaved, setDraftSaved] = useState<string | null>(null);
  const draftBanner = useRef<HTMLDivElement>(null);
  useEffect(() => { if (draftSaved) draftBanner.current?.focus(); }, [draftSaved]);
  const draft = useMutation({
    mutationFn: async () =>
      unwrap(await api.PUT("/api/v1/reporting-forms/mine/{form_id}/draft", {
        params: { path: { form_id: view.form_id } },
        body: submitBody(questions, entries),
      })),
    onSuccess: async () => {
      setMessages({});
      setDraftSaved(new Date().toISOString());
      await client.invalidateQueries({ queryKey: ["my-forms"] });
    },
    onError: (error) => {
      setDraftSaved(null);
      if (error instanceof ApiError && error.status === 409) {
        setMessages({ _: "This form has already been submitted, so a draft cannot be saved." });
        return;
      }
      const byField = apiMessages(fieldMessages(error));
      setMessages(Object.keys(byField).length ? byField : { _: errorText(error) });
    },
  });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const problems = checkEntries(questions, entries);
    setMessages(problems);
    if (Object.keys(problems).length) return;
    setDraftSaved(null);
    submit.mutate();
  };
  const set = (key: string, change: Partial<{ text: string; notKnown: boolean }>) =>
    setEntries((prev) => ({ ...prev, [key]: { ...prev[key], ...change } }));

  return (
    <>
      <ErrorSummary items={summaryItems(messages, questions.map((q) => answerField(q.key)))} />
      <p className="govuk-body">
        Answer each section from what your agency knows, or select &quot;Not known&quot;. Do not include the
        child&apos;s or family&apos;s names.
      </p>
      <div className="govuk-inset-text">
        You can save a draft and come back to it later: nothing is sent until you submit the form.
      </div>
      {draftSaved ? (
        <div className="govuk-notification-banner govuk-notification-banner--success" role="alert" tabIndex={-1}
          ref={draftBanner} aria-labelledby="draft-title" data-testid="draft-banner">
          <div className="govuk-notification-banner__header">
            <h2 className="govuk-notification-banner__title" id="draft-title">Success</h2>
          </div>
          <div className="govuk-notification-banner__content">
            <p className="govuk-notification-banner__heading">
              Draft saved at {formatDateTime(draftSaved).split(" at ")[1]}. The form is not submitted yet.
            </p>
          </div>
        </div>
      ) : null}
      <form onSubmit={onSubmit} noValidate data-testid="answer-form">
        {questions.map((q) => (
          <SectionField key={q.key} question={q} entry={entries[q.key]} error={messages[answerField(q.key)]}
            onText={(text) => set(q.key, { text })} onNotKnown={(notKnown) => set(q.key, { notKnown })} />
        ))}
        <div className="govuk-warning-text">
          <span className="govuk-warning-text__icon" aria-hidden="true">!</span>
          <strong className="govuk-warning-text__text">
            <span className="govuk-visually-hidden">Warning</span>
            You can submit this form once. You cannot change your answers after you submit them.
          </strong>
        </div>
        <div className="govuk-button-group">
          <button type="submit" className="govuk-button" disabled={submit.isPending}>Submit form</button>
          <button type="button" className="govuk-button govuk-button--secondary" disabled={draft.isPending}
            onClick={() => draft.mutate()}>Save as draft</button>
        </div>
      </form>
    </>
  );
}

export function SectionField({ question: q, entry, error, onText, onNotKnown }: {
  question: Question; entry: { text: string; notKnown: boolean }; error?: string;
  onText: (v: string) => void; onNotKnown: (v: boolean) => void;
}) {
  const id = fieldId(answerField(q.key));
  const nkId = fieldId(notKnownField(q.key));
  const described = [`${id}-hint`, error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className={`govuk-form-group${error ? " govuk-form-group--error" : ""}`} data-section={q.key}>
      <fieldset className="govuk-fieldset" aria-describedby={described}>
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--m">
          <h2 className="govuk-fieldset__heading">{q.title}</h2>
        </legend>
        <div className="govuk-hint" id={`${id}-hint`}>{q.help}</div>
        {error ? (
          <p id={`${id}-error`} className="govuk-error-message">
            <span className="govuk-visually-hidden">Error:</span> {error}
          </p>
        ) : null}
        <div className="govuk-form-group govuk-!-margin-bottom-3">
          <label className="govuk-label" htmlFor={id}>
            Your answer<span className="govuk-visually-hidden"> about {q.title.toLowerCase()}</span>
          </label>
          <textarea className={`govuk-textarea${error ? " govuk-textarea--error" : ""}`} id={id}
            name={answerField(q.key)} rows={5} value={entry.text} onChange={(e) => onText(e.target.value)} />
        </div>
        <div className="govuk-checkboxes govuk-checkboxes--small">
          <div className="govuk-checkboxes__item">
            <input className="govuk-checkboxes__input" id={nkId} name={notKnownField(q.key)} type="checkbox"
              checked={entry.notKnown} onChange={(e) => onNotKnown(e.target.checked)} />
            <label className="govuk-label govuk-checkboxes__label" htmlFor={nkId}>
              Not known<span className="govuk-visually-hidden">: {q.title.toLowerCase()}</span>
            </label>
          </div>
        </div>
      </fieldset>
    </div>
  );
}
