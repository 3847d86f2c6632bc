// The panel's analysis (record_analysis, cdop_chair): the category of death by name, modifiable
// factors, each domain A to D scored with the guidance wording and its factors (rows added and
// removed: the factor, its score, a comment), the event leading to the death, learning, the actions
// agreed (description, owner agency, an email to remind, due date) and the referral to the Case
// Review Group. The service judges it: a 422 is shown per field, row fields included, in a GOV.UK
// error summary whose links land on the field.
import { useEffect, useRef, useState, type FormEvent } from "react";

import { ApiError } from "../../api/client";
import { ErrorSummary, type SummaryItem } from "../../components/ErrorSummary";
import { friendlyMessage, type FieldKind } from "../../components/fieldMessage";
import { DateInput, isoDate, Radios, Textarea, TextInput } from "../../components/fields";
import { errorText, fieldId, fieldMessages } from "../../lib/errors";
import { CATEGORIES, DOMAINS, MODIFIABLE, SCORES } from "./domain";
import { useSubmission } from "../../components/useSubmission";

type Domain = (typeof DOMAINS)[number]["key"];
type FactorRow = { key: number; domain: Domain; factor: string; score: string; comment: string };
type ActionRow = { key: number; description: string; owner_agency: string; owner_email: string; due_on: string };

export type AnalysisValues = {
  category: string;
  modifiable: string;
  scores: Record<string, string>; // A-D: "0" | "1" | "2" | ""
  factors: FactorRow[]; // in the order sent (the API's factors.i)
  event_leading_to_death: string;
  learning: string;
  actions: ActionRow[];
  refer_to_case_review: string; // "true" | "false" | ""
  referral_rationale: string;
  note: string;
};

export const EMPTY_ANALYSIS: AnalysisValues = {
  category: "", modifiable: "", scores: { A: "", B: "", C: "", D: "" }, factors: [], event_leading_to_death: "",
  learning: "", actions: [], refer_to_case_review: "", referral_rationale: "", note: "",
};

const SCORE_CHOICES = SCORES.map((s) => ({ value: s.value, label: `${s.label}: ${s.hint}` }));

/** The body of POST .../transitions for record_analysis. A field left empty is omitted (the API
 * then says it is required); a row added is sent as it is, so the API names what it lacks. */
export function analysisBody(v: AnalysisValues): Record<string, unknown> {
  const body: Record<string, unknown> = { action: "record_analysis" };
  if (v.category) body.category = Number(v.category);
  if (v.modifiable) body.modifiable = v.modifiable;
  const scores: Record<string, number> = {};
  for (const d of DOMAINS) if (v.scores[d.key] !== undefined && v.scores[d.key] !== "") scores[d.key] = Number(v.scores[d.key]);
  if (Object.keys(scores).length) body.domain_scores = scores;
  if (v.factors.length) {
    body.factors = v.factors.map((f) => ({
      domain: f.domain, factor: f.factor.trim(),
      ...(f.score !== "" ? { score: Number(f.score) } : {}),
      ...(f.comment.trim() ? { comment: f.comment.trim() } : {}),
    }));
  }
  if (v.event_leading_to_death.trim()) body.event_leading_to_death = v.event_leading_to_death.trim();
  if (v.learning.trim()) body.learning = v.learning.trim();
  if (v.actions.length) {
    body.actions = v.actions.map((a) => ({
      description: a.description.trim(), owner_agency: a.owner_agency.trim(),
      ...(a.owner_email.trim() ? { owner_email: a.owner_email.trim() } : {}),
      ...(a.due_on ? { due_on: isoDate(a.due_on) } : {}),
    }));
  }
  if (v.refer_to_case_review) body.refer_to_case_review = v.refer_to_case_review === "true";
  if (v.refer_to_case_review === "true" && v.referral_rationale.trim()) body.referral_rationale = v.referral_rationale.trim();
  if (v.note.trim()) body.note = v.note.trim();
  return body;
}

/** The form's field for an API error path: "domain_scores.B" -> "analysis.scores.B",
 * "factors.2.score" -> "analysis.factors.2.score", "actions.0.due_on" -> "analysis.actions.0.due_on". */
export function analysisField(path: string): string {
  const parts = path.split(".");
  if (parts[0] === "domain_scores") return parts[1] ? `analysis.scores.${parts[1]}` : "analysis.scores.A";
  if ((parts[0] === "factors" || parts[0] === "actions") && /^\d+$/.test(parts[1] ?? "")) {
    return `analysis.${parts[0]}.${parts[1]}.${parts[2] ?? (parts[0] === "factors" ? "factor" : "description")}`;
  }
  return `analysis.${parts[0]}`;
}

const FIXED_NAMES: Record<string, [string, FieldKind]> = {
  "analysis.category": ["the category of death", "choice"],
  "analysis.modifiable": ["whether there were modifiable factors", "choice"],
  "analysis.event_leading_to_death": ["the event that led to the death", "text"],
  "analysis.learning": ["the learning", "text"],
  "analysis.refer_to_case_review": ["whether to refer the case for a case review", "choice"],
  "analysis.referral_rationale": ["why the case is referred", "text"],
  "analysis.note": ["the note", "text"],
  "analysis.factors": ["the factors", "list"],
  "analysis.actions": ["the actions", "list"],
};

function rowName(key: string, v: AnalysisValues): [string, FieldKind] {
  const scores = /^analysis\.scores\.([A-D])$/.exec(key);
  if (scores) return [`a score for domain ${scores[1]}`, "choice"];
  const factor = /^analysis\.factors\.(\d+)\.(\w+)$/.exec(key);
  if (factor) {
    const row = v.factors[Number(factor[1])];
    const n = row ? v.factors.filter((f) => f.domain === row.domain).indexOf(row) + 1 : Number(factor[1]) + 1;
    const where = row ? `factor ${n} in domain ${row.domain}` : `factor ${n}`;
    if (factor[2] === "score") return [`a score for ${where}`, "choice"];
    if (factor[2] === "comment") return [`the comment on ${where}`, "text"];
    return [`${where}`, "text"];
  }
  const action = /^analysis\.actions\.(\d+)\.(\w+)$/.exec(key);
  if (action) {
    const n = Number(action[1]) + 1;
    const what: Record<string, [string, FieldKind]> = {
      description: [`what action ${n} is`, "text"], owner_agency: [`the agency that owns action ${n}`, "text"],
      owner_email: [`the email address for action ${n}`, "email"], due_on: [`Due date of action ${n}`, "date"],
    };
    return what[action[2]] ?? [`action ${n}`, "text"];
  }
  return FIXED_NAMES[key] ?? [key.split(".").pop() ?? key, "text"];
}

/** Messages by the form's field names, from the API's 422. */
export function analysisMessages(error: unknown, v: AnalysisValues = EMPTY_ANALYSIS): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, msg] of Object.entries(fieldMessages(error))) {
    const clean = path.replace(/^record_analysis\./, "");
    // a missing domain_scores object: each domain is missing
    if (clean === "domain_scores" && /required|missing/i.test(msg)) {
      for (const d of DOMAINS) out[`analysis.scores.${d.key}`] ??= `Select a score for domain ${d.key}`;
      continue;
    }
    const key = analysisField(clean);
    const [name, kind] = rowName(key, v);
    // the factor's own text: "Enter factor 1 in domain B" reads oddly; say what it is
    const message = friendlyMessage(name, kind, msg);
    out[key] ??= /^Enter factor \d+ in domain [A-D]$/.test(message) ? `${message.replace(/^Enter /, "Describe ")}` : message;
  }
  return out;
}

/** The fields in the order the form shows them (the error summary's order). */
function fieldOrder(v: AnalysisValues): string[] {
  const out = ["analysis.category", "analysis.modifiable"];
  for (const d of DOMAINS) {
    out.push(`analysis.scores.${d.key}`);
    v.factors.forEach((f, i) => {
      if (f.domain === d.key) out.push(`analysis.factors.${i}.factor`, `analysis.factors.${i}.score`, `analysis.factors.${i}.comment`);
    });
  }
  out.push("analysis.factors", "analysis.event_leading_to_death", "analysis.learning", "analysis.actions");
  v.actions.forEach((_, i) => out.push(...["description", "owner_agency", "owner_email", "due_on"].map((f) => `analysis.actions.${i}.${f}`)));
  out.push("analysis.refer_to_case_review", "analysis.referral_rationale", "analysis.note");
  return out;
}

type Props = {
  onSubmit: (body: Record<string, unknown>) => Promise<void>;
  onCancel: () => void;
  /** Told whether the form shows errors (the page's title says so). */
  onErrorChange?: (hasErrors: boolean) => void;
};

let nextKey = 1;

export function AnalysisForm({ onSubmit, onCancel, onErrorChange }: Props) {
  const [values, setValues] = useState<AnalysisValues>(EMPTY_ANALYSIS);
  const { error, setError, busy, run } = useSubmission();
  const [focusId, setFocusId] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => { heading.current?.focus(); }, []);
  // after a row is added or removed, the keyboard goes where the change is
  useEffect(() => {
    if (focusId) {
      document.getElementById(focusId)?.focus();
      setFocusId(null);
    }
  }, [focusId]);
  const messages = analysisMessages(error, values);
  const conflict = error instanceof ApiError && error.status === 412;
  const general = error && !Object.keys(messages).length
    ? conflict
      ? "Someone else changed this case while you were working on it. The case now shows their changes. Check it, then record the analysis again: what you entered is kept."
      : errorText(error)
    : null;
  const order = fieldOrder(values);
  const items: SummaryItem[] = [
    ...(general ? [{ key: "_", text: general }] : []),
    ...order.filter((k) => messages[k]).map((k) => ({ key: k, text: messages[k] })),
    ...Object.keys(messages).filter((k) => !order.includes(k)).map((k) => ({ key: k, text: messages[k] })),
  ];
  useEffect(() => { onErrorChange?.(items.length > 0); }, [items.length, onErrorChange]);
  const set = (patch: Partial<AnalysisValues>) => setValues((v) => ({ ...v, ...patch }));

  const addFactor = (domain: Domain) => {
    const row: FactorRow = { key: nextKey++, domain, factor: "", score: "", comment: "" };
    setFocusId(fieldId(`analysis.factors.${values.factors.length}.factor`));
    setValues((v) => ({ ...v, factors: [...v.factors, row] }));
  };
  const changeFactor = (key: number, patch: Partial<FactorRow>) =>
    setValues((v) => ({ ...v, factors: v.factors.map((f) => (f.key === key ? { ...f, ...patch } : f)) }));
  const removeFactor = (row: FactorRow) => {
    setError(null);
    setValues((v) => ({ ...v, factors: v.factors.filter((f) => f.key !== row.key) }));
    setFocusId(`add-factor-${row.domain}`);
  };
  const addAction = () => {
    const row: ActionRow = { key: nextKey++, description: "", owner_agency: "", owner_email: "", due_on: "" };
    setFocusId(fieldId(`analysis.actions.${values.actions.length}.description`));
    setValues((v) => ({ ...v, actions: [...v.actions, row] }));
  };
  const changeAction = (key: number, patch: Partial<ActionRow>) =>
    setValues((v) => ({ ...v, actions: v.actions.map((a) => (a.key === key ? { ...a, ...patch } : a)) }));
  const removeAction = (row: ActionRow) => {
    setError(null);
    setValues((v) => ({ ...v, actions: v.actions.filter((a) => a.key !== row.key) }));
    setFocusId("add-action");
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await onSubmit(analysisBody(values));
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-labelledby="analysis-form-heading" data-testid="analysis-form">
      <ErrorSummary items={items} />
      <h3 className="govuk-heading-m" id="analysis-form-heading" tabIndex={-1} ref={heading}>Record the panel’s analysis</h3>
      <Radios name="analysis.category" label="Category of death" legendSize="m" value={values.category}
        onChange={(v) => set({ category: v })} error={messages["analysis.category"]}
        hint="Choose the category that best describes the death"
        choices={CATEGORIES.map((c) => ({ value: c.value, label: `${c.value}. ${c.label}` }))} />
      <Radios name="analysis.modifiable" label="Were there modifiable factors?" legendSize="m" value={values.modifiable}
        onChange={(v) => set({ modifiable: v })} error={messages["analysis.modifiable"]} choices={MODIFIABLE}
        hint="Factors which, by means of a locally or nationally achievable intervention, could be modified to reduce the risk of future child deaths" />

      <h4 className="govuk-heading-m">Factors in each domain</h4>
      <p className="govuk-body">
        Record the factors the panel identified in each domain and score each one. A domain’s score is at least
        the highest score of its factors.
      </p>
      {DOMAINS.map((d) => {
        const rows = values.factors.map((f, i) => ({ f, i })).filter(({ f }) => f.domain === d.key);
        return (
          <div className="app-domain govuk-!-margin-bottom-6" key={d.key} data-testid={`domain-${d.key}`}>
            <Radios name={`analysis.scores.${d.key}`} label={d.label} legendSize="s" value={values.scores[d.key] ?? ""}
              onChange={(v) => set({ scores: { ...values.scores, [d.key]: v } })}
              error={messages[`analysis.scores.${d.key}`]} choices={SCORE_CHOICES} />
            {rows.map(({ f, i }, n) => (
              <fieldset className="govuk-fieldset app-row govuk-!-margin-bottom-4" key={f.key} data-testid={`factor-${d.key}-${n + 1}`}>
                <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">Factor {n + 1} in domain {d.key}</legend>
                <TextInput name={`analysis.factors.${i}.factor`} label="Factor" width={30} value={f.factor}
                  error={messages[`analysis.factors.${i}.factor`]} onChange={(v) => changeFactor(f.key, { factor: v })} />
                <Radios name={`analysis.factors.${i}.score`} label="Score" value={f.score}
                  onChange={(v) => changeFactor(f.key, { score: v })} error={messages[`analysis.factors.${i}.score`]}
                  choices={SCORE_CHOICES} />
                <Textarea name={`analysis.factors.${i}.comment`} label="Comment (optional)" rows={2} value={f.comment}
                  onChange={(v) => changeFactor(f.key, { comment: v })} error={messages[`analysis.factors.${i}.comment`]} />
                <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                  onClick={() => removeFactor(f)}>
                  Remove factor {n + 1}<span className="govuk-visually-hidden"> in domain {d.key}</span>
                </button>
              </fieldset>
            ))}
            <button type="button" className="govuk-button govuk-button--secondary" id={`add-factor-${d.key}`}
              onClick={() => addFactor(d.key)}>
              {rows.length ? "Add another factor" : "Add a factor"}<span className="govuk-visually-hidden"> in domain {d.key}</span>
            </button>
          </div>
        );
      })}

      <Textarea name="analysis.event_leading_to_death" label="The event that led to the death (optional)" rows={3}
        value={values.event_leading_to_death} onChange={(v) => set({ event_leading_to_death: v })}
        error={messages["analysis.event_leading_to_death"]} hint="What happened immediately before the death" />
      <Textarea name="analysis.learning" label="Learning" value={values.learning} onChange={(v) => set({ learning: v })}
        error={messages["analysis.learning"]} hint="What the panel learned from this death" />

      <h4 className="govuk-heading-m" id="actions-heading">Actions</h4>
      <p className="govuk-body" id="actions-hint">
        Each action is followed until it is done: its owner is reminded before the due date and while it is overdue.
      </p>
      {messages["analysis.actions"] ? (
        <p className="govuk-error-message" id="f-analysis-actions"><span className="govuk-visually-hidden">Error:</span> {messages["analysis.actions"]}</p>
      ) : null}
      {values.actions.map((a, i) => (
        <fieldset className="govuk-fieldset app-row govuk-!-margin-bottom-4" key={a.key} data-testid={`action-${i + 1}`}>
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">Action {i + 1}</legend>
          <Textarea name={`analysis.actions.${i}.description`} label="What is to be done" rows={2} value={a.description}
            error={messages[`analysis.actions.${i}.description`]} onChange={(v) => changeAction(a.key, { description: v })} />
          <TextInput name={`analysis.actions.${i}.owner_agency`} label="Owner (agency)" width={20} value={a.owner_agency}
            onChange={(v) => changeAction(a.key, { owner_agency: v })} error={messages[`analysis.actions.${i}.owner_agency`]} />
          <TextInput name={`analysis.actions.${i}.owner_email`} label="Email address for reminders (optional)" type="email"
            width={20} autoComplete="off" spellCheck={false} value={a.owner_email}
            hint="If you leave this empty, the panel’s contact address is reminded"
            onChange={(v) => changeAction(a.key, { owner_email: v })} error={messages[`analysis.actions.${i}.owner_email`]} />
          <DateInput name={`analysis.actions.${i}.due_on`} label="Due date" value={a.due_on}
            onChange={(v) => changeAction(a.key, { due_on: v })} error={messages[`analysis.actions.${i}.due_on`]} />
          <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" onClick={() => removeAction(a)}>
            Remove action {i + 1}
          </button>
        </fieldset>
      ))}
      <button type="button" className="govuk-button govuk-button--secondary" id="add-action" onClick={addAction}
        aria-describedby="actions-hint">
        {values.actions.length ? "Add another action" : "Add an action"}
      </button>

      <Radios name="analysis.refer_to_case_review" label="Refer the case to the Case Review Group?" legendSize="m" inline
        value={values.refer_to_case_review} onChange={(v) => set({ refer_to_case_review: v })}
        error={messages["analysis.refer_to_case_review"]}
        choices={[{ value: "true", label: "Yes" }, { value: "false", label: "No" }]} />
      {values.refer_to_case_review === "true" ? (
        <Textarea name="analysis.referral_rationale" label="Why the case is referred for a case review (optional)"
          value={values.referral_rationale} onChange={(v) => set({ referral_rationale: v })}
          error={messages["analysis.referral_rationale"]} hint="If you leave this empty, the learning is sent as the reason" rows={3} />
      ) : null}
      <Textarea name="analysis.note" label="Note (optional)" value={values.note} onChange={(v) => set({ note: v })}
        error={messages["analysis.note"]} rows={2} />
      <div className="govuk-button-group">
        <button type="submit" className="govuk-button" disabled={busy} aria-disabled={busy || undefined}>Record the analysis</button>
        <button type="button" className="govuk-button govuk-button--secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
