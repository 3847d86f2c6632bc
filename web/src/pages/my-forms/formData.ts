// A reporting form as the API gives it to its agency author (AgencyFormView: the definition of
// each form asked for, in the version its answers are checked against; the answers so far) and
// what the form sends back (ReportingFormSubmit: the reporting form's answers by question at the
// top level, a supplementary form's under its key; not_known: question keys, "form.question" for
// a supplementary form). Also the one pair of mutations (submit once, save a draft) of both
// forms an agency author fills in: the reporting form and the case review agency report.
import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";

import { ApiError, type Schemas } from "../../api/client";
import { isoDate } from "../../components/fields";
import { errorText, fieldMessages, type FieldMessages } from "../../lib/errors";

export type FormView = Schemas["AgencyFormView"];
export type Section = Schemas["FormSection"];
export type SectionKey = Section["key"];
export type SubmitBody = Schemas["ReportingFormSubmit"];
export type Definition = Schemas["FormDefinition"];
export type DefQuestion = Schemas["FormQuestion"];
export type DefSection = Schemas["FormDefinitionSection"];

/** The reporting form: its answers sit at the top level of `answers`. */
export const MAIN_FORM = "reporting_form";
/** The radio value of "Not known" on a yes/no or choice question. */
export const NOT_KNOWN = "__not_known";

/** What the author has typed or ticked, per section. */
export type Entry = { text: string; notKnown: boolean };
export type Entries = Record<string, Entry>;

/** One question of the page per section of the definition, with what was given before. */
export type Question = { key: SectionKey; title: string; help: string; answer: string; notKnown: boolean };

export function questionsOf(view: Pick<FormView, "sections" | "answers" | "not_known">): Question[] {
  return view.sections.map((s) => ({
    key: s.key, title: s.title, help: s.help,
    answer: typeof view.answers[s.key] === "string" ? (view.answers[s.key] as string) : "",
    notKnown: view.not_known.includes(s.key),
  }));
}

/** The starting entries of the form: the answers already there (none for a new form). */
export function initialEntries(questions: Question[]): Entries {
  return Object.fromEntries(questions.map((q) => [q.key, { text: q.answer, notKnown: q.notKnown }]));
}

/** The field path of a section's answer and of its "not known" box (ids of the error links). */
export const answerField = (key: string) => `answers.${key}`;
export const notKnownField = (key: string) => `not_known.${key}`;

/** Messages for what the API would refuse: a section neither answered nor not known, or both. */
export function checkEntries(questions: Question[], entries: Entries): FieldMessages {
  const out: FieldMessages = {};
  for (const q of questions) {
    const e = entries[q.key] ?? { text: "", notKnown: false };
    const typed = e.text.trim() !== "";
    if (!typed && !e.notKnown) out[answerField(q.key)] = `Enter your answer for ${q.title.toLowerCase()}, or select "Not known"`;
    else if (typed && e.notKnown) out[answerField(q.key)] = `Remove your answer for ${q.title.toLowerCase()}, or unselect "Not known"`;
  }
  return out;
}

/** The request body: answered sections' text (trimmed), and the sections marked not known. */
export function submitBody(questions: Question[], entries: Entries): SubmitBody {
  const answers: Record<string, string> = {};
  const notKnown: SectionKey[] = [];
  for (const q of questions) {
    const e = entries[q.key];
    if (!e) continue;
    if (e.notKnown) notKnown.push(q.key);
    else if (e.text.trim()) answers[q.key] = e.text.trim();
  }
  return { answers: answers as SubmitBody["answers"], not_known: notKnown };
}

// ---- forms built from their definitions ----

/** The field path of a question's answer ("answers.health", "answers.sudi_sudc.sleep_position")
 * as the API's 422 names it, and of its "not known" box. */
export const questionField = (form: string, q: string) => (form === MAIN_FORM ? `answers.${q}` : `answers.${form}.${q}`);
export const questionNotKnownField = (form: string, q: string) =>
  form === MAIN_FORM ? `not_known.${q}` : `not_known.${form}.${q}`;
const notKnownKey = (form: string, q: string) => (form === MAIN_FORM ? q : `${form}.${q}`);

/** A section of one long-text question of the reporting form is shown as one section (its title
 * as the heading), as the reporting form has always been. */
export const isSectionQuestion = (form: Definition, s: DefSection) =>
  form.key === MAIN_FORM && s.questions.length === 1 && s.questions[0].type === "long_text";

/** What the author has given for one question: `text` is the typed text, date ("YYYY-M-D" as
 * typed), number as typed, or chosen value ("yes"/"no" for yes/no); `values` the ticked choices. */
export type Answer = { text: string; values: string[]; notKnown: boolean };
export type Answers = Record<string, Answer>;
const EMPTY: Answer = { text: "", values: [], notKnown: false };
export const answerOf = (answers: Answers, field: string): Answer => answers[field] ?? EMPTY;

function given(view: Pick<FormView, "answers">, form: string): Record<string, unknown> {
  const all = (view.answers ?? {}) as Record<string, unknown>;
  if (form !== MAIN_FORM) {
    const own = all[form];
    return own && typeof own === "object" && !Array.isArray(own) ? (own as Record<string, unknown>) : {};
  }
  return all;
}

/** The starting answers of the page: what the author saved before. */
export function initialAnswers(view: Pick<FormView, "forms" | "answers" | "not_known">): Answers {
  const out: Answers = {};
  for (const d of view.forms ?? []) {
    const mine = given(view, d.key);
    for (const s of d.sections) {
      for (const q of s.questions) {
        const v = mine[q.key];
        const a: Answer = { text: "", values: [], notKnown: view.not_known.includes(notKnownKey(d.key, q.key)) };
        if (typeof v === "boolean") a.text = v ? "yes" : "no";
        else if (Array.isArray(v)) a.values = v.map(String);
        else if (typeof v === "string" && q.type === "date") {
          const [y = "", m = "", dd = ""] = v.split("-");
          a.text = `${y}-${String(Number(m))}-${String(Number(dd))}`;
        } else if (v !== undefined && v !== null) a.text = String(v);
        out[questionField(d.key, q.key)] = a;
      }
    }
  }
  return out;
}

const hasAnswer = (q: DefQuestion, a: Answer) =>
  q.type === "multiple_choice" ? a.values.length > 0 : a.text.trim() !== "";

/** The answer as the API takes it (undefined: none). */
function value(q: DefQuestion, a: Answer): unknown {
  if (!hasAnswer(q, a)) return undefined;
  switch (q.type) {
    case "yes_no": return a.text === "yes" ? true : a.text === "no" ? false : a.text;
    case "multiple_choice": return a.values;
    case "date": return isoDate(a.text);
    case "number": {
      const t = a.text.trim();
      return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
    }
    default: return a.text.trim();
  }
}

/** Is a conditional question shown: the earlier question it names has one of its answers. */
export function isShown(form: Definition, q: DefQuestion, answers: Answers): boolean {
  if (!q.show_if) return true;
  const ctl = form.sections.flatMap((s) => s.questions).find((c) => c.key === q.show_if?.question);
  if (!ctl) return false;
  const ctlAnswer = answerOf(answers, questionField(form.key, ctl.key));
  if (ctlAnswer.notKnown || (ctl.show_if && !isShown(form, ctl, answers))) return false;
  const v = value(ctl, ctlAnswer);
  const wanted = q.show_if.in;
  return Array.isArray(v) ? v.some((x) => wanted.includes(x)) : wanted.some((w) => w === v);
}

/** The request body from the page: only the questions shown (a question hidden again by a
 * changed answer sends nothing). */
export function answersBody(forms: Definition[], answers: Answers): SubmitBody {
  const out: Record<string, unknown> = {};
  const notKnown: string[] = [];
  for (const d of forms) {
    const mine: Record<string, unknown> = {};
    for (const s of d.sections) {
      for (const q of s.questions) {
        if (!isShown(d, q, answers)) continue;
        const a = answerOf(answers, questionField(d.key, q.key));
        if (a.notKnown) notKnown.push(notKnownKey(d.key, q.key));
        else {
          const v = value(q, a);
          if (v !== undefined) mine[q.key] = v;
        }
      }
    }
    if (d.key === MAIN_FORM) Object.assign(out, mine);
    else if (Object.keys(mine).length) out[d.key] = mine;
  }
  return { answers: out as SubmitBody["answers"], not_known: notKnown };
}

/** Messages for what the API would refuse at once: a question shown and required neither
 * answered nor not known, or both (the API checks the rest: types, bounds, dates). */
export function checkAnswers(forms: Definition[], answers: Answers): FieldMessages {
  const out: FieldMessages = {};
  for (const d of forms) {
    for (const s of d.sections) {
      for (const q of s.questions) {
        if (!isShown(d, q, answers)) continue;
        const field = questionField(d.key, q.key);
        const a = answerOf(answers, field);
        const what = isSectionQuestion(d, s) ? s.title.toLowerCase() : `"${q.label}"`;
        const choose = q.type === "yes_no" || q.type === "choice";
        if (!hasAnswer(q, a) && !a.notKnown && q.required) {
          out[field] = choose ? `Select an answer for ${what}, or "Not known"` : `Enter your answer for ${what}, or select "Not known"`;
        } else if (hasAnswer(q, a) && a.notKnown) {
          out[field] = `Remove your answer for ${what}, or unselect "Not known"`;
        }
      }
    }
  }
  return out;
}

/** Every answer field of the forms in page order (the error summary's order). */
export const fieldOrder = (forms: Definition[]) =>
  forms.flatMap((d) => d.sections.flatMap((s) => s.questions.map((q) => questionField(d.key, q.key))));

/** "Was the child sharing ...?" for a conditional question's hint. */
export function conditionText(form: Definition, q: DefQuestion): string | null {
  if (!q.show_if) return null;
  const ctl = form.sections.flatMap((s) => s.questions).find((c) => c.key === q.show_if?.question);
  if (!ctl) return null;
  const labels = q.show_if.in.map((v) =>
    typeof v === "boolean" ? (v ? "Yes" : "No") : ctl.choices?.find((c) => c.value === v)?.label ?? String(v));
  return `Asked because you answered "${labels.join('" or "')}" to "${ctl.label}".`;
}

/** A stored answer in words: a choice's label, Yes/No, the ticked labels, the date, the text. */
export function answerText(q: DefQuestion, v: unknown): string {
  if (v === undefined || v === null) return "";
  const label = (x: unknown) => q.choices?.find((c) => c.value === x)?.label ?? String(x);
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (Array.isArray(v)) return v.map(label).join(", ");
  if (q.type === "choice") return label(v);
  if (q.type === "date" && typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const d = new Date(`${v}T00:00:00Z`);
    return d.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }
  return String(v);
}

/** Each form's questions with the stored answer in words (for a submitted form): rows of
 * [label, text], "Not known", or nothing for a conditional question not asked. */
export function answerRows(
  forms: Definition[], answers: Record<string, unknown>, notKnown: string[],
): { form: Definition; rows: { field: string; key: string; value: string }[] }[] {
  return forms.map((d) => {
    const mine = given({ answers: answers as FormView["answers"] }, d.key);
    const rows = d.sections.flatMap((s) => s.questions.flatMap((q) => {
      const field = questionField(d.key, q.key);
      const key = isSectionQuestion(d, s) ? s.title : q.label;
      if (notKnown.includes(notKnownKey(d.key, q.key))) return [{ field, key, value: "Not known" }];
      const text = answerText(q, mine[q.key]);
      if (text) return [{ field, key, value: text }];
      return q.show_if ? [] : [{ field, key, value: "Not answered" }];
    }));
    return { form: d, rows };
  });
}

// ---- submit once, save a draft ----

/** The two mutations of an author's form: submit (once) and save a draft. A 409 is shown as
 * the form's message (`conflict`), a 422 as messages on the fields (apiMessages), anything else
 * as one message; `invalidate` is refreshed after each success. */
export function useSubmitAndDraft<S, D>(opts: {
  submit: () => Promise<S>;
  draft: () => Promise<D>;
  setMessages: (m: FieldMessages) => void;
  onSubmitted: (data: S) => void;
  onDraftSaved: (data: D) => void;
  onDraftFailed: () => void;
  invalidate: QueryKey;
  conflict: { submit: string; draft: string; refresh?: boolean };
}) {
  const client = useQueryClient();
  const failed = (error: unknown, conflictText: string, refresh: boolean) => {
    if (error instanceof ApiError && error.status === 409) {
      opts.setMessages({ _: conflictText });
      if (refresh) void client.invalidateQueries({ queryKey: opts.invalidate });
      return;
    }
    const byField = apiMessages(fieldMessages(error));
    opts.setMessages(Object.keys(byField).length ? byField : { _: errorText(error) });
  };
  const submit = useMutation({
    mutationFn: opts.submit,
    onSuccess: async (data: S) => {
      opts.setMessages({});
      opts.onSubmitted(data);
      await client.invalidateQueries({ queryKey: opts.invalidate });
    },
    onError: (error) => failed(error, opts.conflict.submit, opts.conflict.refresh ?? false),
  });
  const draft = useMutation({
    mutationFn: opts.draft,
    onSuccess: async (data: D) => {
      opts.setMessages({});
      opts.onDraftSaved(data);
      await client.invalidateQueries({ queryKey: opts.invalidate });
    },
    onError: (error) => {
      opts.onDraftFailed();
      failed(error, opts.conflict.draft, false);
    },
  });
  return { submit, draft };
}

/** A 422 from the API by this page's field paths: "answers" (missing sections) and "not_known"
 * (answered and not known) name sections in their message, so they go to the form as a whole. */
export function apiMessages(byField: FieldMessages): FieldMessages {
  const out: FieldMessages = {};
  for (const [key, msg] of Object.entries(byField)) {
    const known = /^(answers|not_known)(\.[a-z][a-z0-9_]*){1,2}$/.test(key);
    const k = known ? key.replace(/^not_known\./, "answers.") : "_";
    const text = msg.charAt(0).toUpperCase() + msg.slice(1);
    out[k] = k in out ? `${out[k]} ${text}` : text;
  }
  return out;
}

export const FORM_STATUS: Record<string, { label: string; colour: string }> = {
  requested: { label: "To do", colour: "govuk-tag--blue" },
  submitted: { label: "Submitted", colour: "govuk-tag--green" },
  waived: { label: "Not needed", colour: "govuk-tag--grey" },
};
