// One reporting form of an agency author (/app/my-forms/:formId), built from the definitions the
// API gives with it (GET /reporting-forms/mine/{form_id}: each form asked for, in the version its
// answers are checked against): every question by its type, each answered or "Not known";
// a conditional question appears when the earlier answer it follows is given (and what it
// holds is sent only while it is shown). Submitted once (POST /child-deaths/{case_id}/
// reporting-forms/{form_id}/submit), then shown read-only with the answers. A draft of any part
// of it can be saved and come back to (PUT /reporting-forms/mine/{form_id}/draft). One API call
// to show it.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";

import { api, ApiError, unwrap } from "../../api/client";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { Loading, QueryFailed, SuccessBanner, useTitle } from "../../components/Page";
import { SummaryList } from "../../components/SummaryList";
import { Checkboxes, DateInput, Radios, Textarea, TextInput } from "../../components/fields";
import { fieldId, type FieldMessages } from "../../lib/errors";
import { formatDate, formatDateTime } from "../../lib/format";
import {
  answerField, answerOf, answerRows, MAIN_FORM, answersBody, checkAnswers, conditionText, fieldOrder, FORM_STATUS,
  initialAnswers, isSectionQuestion, isShown, notKnownField, NOT_KNOWN, questionField, questionNotKnownField,
  useSubmitAndDraft, type Answer, type Answers, type DefQuestion, type Definition, type FormView, type Question,
} from "./formData";
import { SubmitOnce } from "./SubmitOnce";

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
  const groups = answerRows(view.forms ?? [], view.answers as Record<string, unknown>, view.not_known);
  const several = groups.length !== 1 || groups[0].form.key !== MAIN_FORM;
  return (
    <section aria-labelledby="answers-heading" data-testid="answers">
      <h2 className="govuk-heading-m" id="answers-heading">Your answers</h2>
      {groups.map(({ form, rows }) => (
        <div key={form.key} data-form={form.key}>
          {several ? <h3 className="govuk-heading-s">{form.title}</h3> : null}
          <SummaryList rows={rows.map((r) => ({
            key: r.key, value: <span className="app-field-value">{r.value}</span>,
          }))} />
        </div>
      ))}
    </section>
  );
}

function AnswerForm({ view, onErrors, onSubmitted }: {
  view: FormView; onErrors: (has: boolean) => void; onSubmitted: () => void;
}) {
  const forms: Definition[] = view.forms ?? [];
  const [answers, setAnswers] = useState<Answers>(() => initialAnswers(view));
  const [messages, setMessagesState] = useState<FieldMessages>({});
  const setMessages = (m: FieldMessages) => { setMessagesState(m); onErrors(Object.keys(m).length > 0); };

  const [draftSaved, setDraftSaved] = useState<string | null>(null);
  const draftBanner = useRef<HTMLDivElement>(null);
  useEffect(() => { if (draftSaved) draftBanner.current?.focus(); }, [draftSaved]);
  const { submit, draft } = useSubmitAndDraft({
    submit: async () =>
      unwrap(await api.POST("/api/v1/child-deaths/{case_id}/reporting-forms/{form_id}/submit", {
        params: { path: { case_id: view.case_id, form_id: view.form_id } },
        body: answersBody(forms, answers),
      })),
    draft: async () =>
      unwrap(await api.PUT("/api/v1/reporting-forms/mine/{form_id}/draft", {
        params: { path: { form_id: view.form_id } },
        body: answersBody(forms, answers),
      })),
    setMessages,
    onSubmitted: () => onSubmitted(),
    onDraftSaved: () => setDraftSaved(new Date().toISOString()),
    onDraftFailed: () => setDraftSaved(null),
    invalidate: ["my-forms"],
    conflict: {
      // submitted already (another tab, or the emailed link): show it as it is now
      submit: "This form has already been submitted. The answers shown below are the ones that were sent.",
      draft: "This form has already been submitted, so a draft cannot be saved.",
      refresh: true,
    },
  });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const problems = checkAnswers(forms, answers);
    setMessages(problems);
    if (Object.keys(problems).length) return;
    setDraftSaved(null);
    submit.mutate();
  };
  const set = (field: string, change: Partial<Answer>) =>
    setAnswers((prev) => ({ ...prev, [field]: { ...answerOf(prev, field), ...change } }));
  // a heading per form unless the reporting form is the only one (as it always was)
  const several = forms.length !== 1 || forms[0].key !== MAIN_FORM;
  // a conditional question appearing or going is said to screen reader users too
  const conditional = forms.flatMap((d) => d.sections.flatMap((s) => s.questions
    .filter((q) => q.show_if && isShown(d, q, answers)).map((q) => q.label))).join("\n");
  const before = useRef(conditional);
  const [changes, setChanges] = useState("");
  useEffect(() => {
    const was = before.current ? before.current.split("\n") : [];
    const now = conditional ? conditional.split("\n") : [];
    before.current = conditional;
    const said = [...now.filter((l) => !was.includes(l)).map((l) => `Question added: ${l}`),
      ...was.filter((l) => !now.includes(l)).map((l) => `Question removed: ${l}`)];
    if (said.length) setChanges(said.join(". "));
  }, [conditional]);

  return (
    <>
      <ErrorSummary items={summaryItems(messages, fieldOrder(forms))} />
      <p className="govuk-body">
        Answer each question from what your agency knows, or select &quot;Not known&quot;. Do not include the
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
      <div className="govuk-visually-hidden" aria-live="polite" data-testid="question-changes">{changes}</div>
      <form onSubmit={onSubmit} noValidate data-testid="answer-form">
        {forms.map((d) => (
          <div key={d.key} data-form={d.key}>
            {several ? <h2 className="govuk-heading-l app-form-title" id={`form-${d.key}`}>{d.title}</h2> : null}
            {d.sections.map((s) => isSectionQuestion(d, s) ? (
              <SectionField key={s.key}
                question={{ key: s.questions[0].key as Question["key"], title: s.title, help: s.help ?? s.questions[0].hint ?? "", answer: "", notKnown: false }}
                entry={answerOf(answers, questionField(d.key, s.questions[0].key))}
                error={messages[answerField(s.questions[0].key)]}
                onText={(text) => set(questionField(d.key, s.questions[0].key), { text })}
                onNotKnown={(notKnown) => set(questionField(d.key, s.questions[0].key), { notKnown })} />
            ) : (
              <fieldset className="govuk-fieldset app-form-section" key={s.key} data-section={`${d.key}.${s.key}`}
                aria-describedby={s.help ? `section-${d.key}-${s.key}-hint` : undefined}>
                <legend className="govuk-fieldset__legend govuk-fieldset__legend--m">
                  {several ? <h3 className="govuk-fieldset__heading">{s.title}</h3> : <h2 className="govuk-fieldset__heading">{s.title}</h2>}
                </legend>
                {s.help ? <div className="govuk-hint" id={`section-${d.key}-${s.key}-hint`}>{s.help}</div> : null}
                {s.questions.filter((q) => isShown(d, q, answers)).map((q) => (
                  <QuestionField key={q.key} form={d} question={q}
                    answer={answerOf(answers, questionField(d.key, q.key))}
                    error={messages[questionField(d.key, q.key)]}
                    onChange={(change) => set(questionField(d.key, q.key), change)} />
                ))}
              </fieldset>
            ))}
          </div>
        ))}
        <SubmitOnce what="form" submitting={submit.isPending} saving={draft.isPending} onSaveDraft={() => draft.mutate()} />
      </form>
    </>
  );
}

/** One question of a definition by its type, with "Not known" (a radio on yes/no and choice
 * questions, a box under the others). */
export function QuestionField({ form, question: q, answer, error, onChange }: {
  form: Definition; question: DefQuestion; answer: Answer; error?: string; onChange: (change: Partial<Answer>) => void;
}) {
  const name = questionField(form.key, q.key);
  const because = conditionText(form, q);
  const hint = [because, q.hint].filter(Boolean).join(" ") || undefined;
  const label = <>{q.label}{q.required ? null : " (optional)"}</>;
  if (q.type === "yes_no" || q.type === "choice") {
    const choices = q.type === "yes_no"
      ? [{ value: "yes", label: "Yes" }, { value: "no", label: "No" }]
      : (q.choices ?? []).map((c) => ({ value: c.value, label: c.label }));
    return (
      <div data-question={q.key}>
        <Radios name={name} label={label} hint={hint} error={error} inline={q.type === "yes_no"}
          value={answer.notKnown ? NOT_KNOWN : answer.text}
          choices={[...choices, { value: NOT_KNOWN, label: "Not known" }]}
          onChange={(v) => onChange(v === NOT_KNOWN ? { notKnown: true, text: "" } : { notKnown: false, text: v })} />
      </div>
    );
  }
  const nkId = fieldId(questionNotKnownField(form.key, q.key));
  let input;
  if (q.type === "multiple_choice") {
    input = <Checkboxes name={name} label={label} hint={hint} error={error} values={answer.values}
      choices={(q.choices ?? []).map((c) => ({ value: c.value, label: c.label }))}
      onChange={(values) => onChange({ values })} />;
  } else if (q.type === "date") {
    input = <DateInput name={name} label={label} hint={hint} error={error} value={answer.text}
      onChange={(text) => onChange({ text })} />;
  } else if (q.type === "long_text") {
    input = <Textarea name={name} label={label} hint={hint} error={error} value={answer.text} rows={4}
      onChange={(text) => onChange({ text })} />;
  } else {
    input = <TextInput name={name} label={label} hint={hint} error={error} value={answer.text}
      width={q.type === "number" ? 5 : undefined} inputMode={q.type === "number" ? "numeric" : undefined}
      onChange={(text) => onChange({ text })} />;
  }
  return (
    <div className="app-question" data-question={q.key}>
      {input}
      <div className="govuk-checkboxes govuk-checkboxes--small govuk-!-margin-bottom-6">
        <div className="govuk-checkboxes__item">
          <input className="govuk-checkboxes__input" id={nkId} name={questionNotKnownField(form.key, q.key)}
            type="checkbox" checked={answer.notKnown} onChange={(e) => onChange({ notKnown: e.target.checked })} />
          <label className="govuk-label govuk-checkboxes__label" htmlFor={nkId}>
            Not known<span className="govuk-visually-hidden">: {q.label}</span>
          </label>
        </div>
      </div>
    </div>
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
