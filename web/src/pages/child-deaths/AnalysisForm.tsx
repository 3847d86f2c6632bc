// The panel's analysis (record_analysis, cdop_chair): the category of death by name, modifiable
// factors, the domain scores A to D with the guidance wording of each score, learning, actions and
// the referral to the Case Review Group. The service judges it: a 422 is shown per field.
import { useEffect, useRef, useState, type FormEvent } from "react";

import { ApiError } from "../../api/client";
import { ErrorSummary, type SummaryItem } from "../../components/ErrorSummary";
import { friendlyMessage } from "../../components/fieldMessage";
import { Radios, Textarea } from "../../components/fields";
import { errorText, fieldMessages } from "../../lib/errors";
import {
  analysisBody, analysisField, CATEGORIES, DOMAINS, EMPTY_ANALYSIS, MODIFIABLE, SCORES, type AnalysisValues,
} from "./domain";

const FIELD_ORDER = [
  "analysis.category", "analysis.modifiable", "analysis.scores.A", "analysis.scores.B", "analysis.scores.C",
  "analysis.scores.D", "analysis.learning", "analysis.actions", "analysis.refer_to_case_review",
  "analysis.referral_rationale", "analysis.note",
];
const NAMES: Record<string, string> = {
  "analysis.category": "the category of death", "analysis.modifiable": "whether there were modifiable factors",
  "analysis.scores.A": "a score for domain A", "analysis.scores.B": "a score for domain B",
  "analysis.scores.C": "a score for domain C", "analysis.scores.D": "a score for domain D",
  "analysis.learning": "the learning", "analysis.actions": "the actions", "analysis.referral_rationale": "why the case is referred", "analysis.note": "the note", "analysis.refer_to_case_review": "whether to refer the case for a case review",
};

/** Messages by the form's field names, from the API's 422 (paths like "domain_scores.A"). */
export function analysisMessages(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, msg] of Object.entries(fieldMessages(error))) {
    const clean = path.replace(/^record_analysis\./, "");
    // a missing domain_scores object: each domain is missing
    if (clean === "domain_scores" && /required|missing/i.test(msg)) {
      for (const d of DOMAINS) out[`analysis.scores.${d.key}`] ??= `Select ${NAMES[`analysis.scores.${d.key}`]}`;
      continue;
    }
    const key = analysisField(clean);
    const name = NAMES[key] ?? key.split(".").pop() ?? key;
    out[key] ??= friendlyMessage(name, /learning|rationale|note|actions/.test(key) ? "text" : "choice", msg);
  }
  return out;
}

type Props = {
  onSubmit: (body: Record<string, unknown>) => Promise<void>;
  onCancel: () => void;
  /** Told whether the form shows errors (the page's title says so). */
  onErrorChange?: (hasErrors: boolean) => void;
};

export function AnalysisForm({ onSubmit, onCancel, onErrorChange }: Props) {
  const [values, setValues] = useState<AnalysisValues>(EMPTY_ANALYSIS);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => { heading.current?.focus(); }, []);
  const messages = analysisMessages(error);
  const conflict = error instanceof ApiError && error.status === 412;
  const general = error && !Object.keys(messages).length
    ? conflict
      ? "Someone else changed this case while you were working on it. The case now shows their changes. Check it, then record the analysis again: what you entered is kept."
      : errorText(error)
    : null;
  const items: SummaryItem[] = [
    ...(general ? [{ key: "_", text: general }] : []),
    ...FIELD_ORDER.filter((k) => messages[k]).map((k) => ({ key: k, text: messages[k] })),
  ];
  useEffect(() => { onErrorChange?.(items.length > 0); }, [items.length, onErrorChange]);
  const set = (patch: Partial<AnalysisValues>) => setValues((v) => ({ ...v, ...patch }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(analysisBody(values));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
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
      <div className="govuk-form-group">
        <fieldset className="govuk-fieldset">
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--m">Factors in each domain</legend>
          <div className="govuk-hint">Score each domain: 0, 1 or 2.</div>
          {DOMAINS.map((d) => (
            <Radios key={d.key} name={`analysis.scores.${d.key}`} label={d.label} value={values.scores[d.key] ?? ""}
              onChange={(v) => set({ scores: { ...values.scores, [d.key]: v } })}
              error={messages[`analysis.scores.${d.key}`]}
              choices={SCORES.map((s) => ({ value: s.value, label: `${s.label}: ${s.hint}` }))} />
          ))}
        </fieldset>
      </div>
      <Textarea name="analysis.learning" label="Learning" value={values.learning} onChange={(v) => set({ learning: v })}
        error={messages["analysis.learning"]} hint="What the panel learned from this death" />
      <Textarea name="analysis.actions" label="Actions (optional)" value={values.actions} onChange={(v) => set({ actions: v })}
        error={messages["analysis.actions"]} hint="One action on each line" rows={3} />
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
