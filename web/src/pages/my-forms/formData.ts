// A reporting form as the API gives it to its agency author (AgencyFormView: sections with a
// title and help; answers as text per section; "not known" per section) and what the form sends
// back (ReportingFormSubmit: {answers, not_known}, every section one or the other).
import type { Schemas } from "../../api/client";
import type { FieldMessages } from "../../lib/errors";

export type FormView = Schemas["AgencyFormView"];
export type Section = Schemas["FormSection"];
export type SectionKey = Section["key"];
export type SubmitBody = Schemas["ReportingFormSubmit"];

/** What the author has typed or ticked, per section. */
export type Entry = { text: string; notKnown: boolean };
export type Entries = Record<string, Entry>;

/** One question of the page per section of the definition, with what was given before. */
export type Question = { key: SectionKey; title: string; help: string; answer: string; notKnown: boolean };

export function questionsOf(view: Pick<FormView, "sections" | "answers" | "not_known">): Question[] {
  return view.sections.map((s) => ({
    key: s.key, title: s.title, help: s.help,
    answer: view.answers[s.key] ?? "",
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

/** A 422 from the API by this page's field paths: "answers" (missing sections) and "not_known"
 * (answered and not known) name sections in their message, so they go to the form as a whole. */
export function apiMessages(byField: FieldMessages): FieldMessages {
  const out: FieldMessages = {};
  for (const [key, msg] of Object.entries(byField)) {
    const known = /^(answers|not_known)\.[a-z_]+$/.test(key);
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
