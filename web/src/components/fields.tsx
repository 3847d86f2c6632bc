// GOV.UK form fields as small React components. Each takes the field's path (`name`), which
// also gives its id (fieldId), so an error summary link lands on it.
import type { ChangeEvent, ReactNode } from "react";

import { fieldId } from "../lib/errors";

type Base = { name: string; label: ReactNode; hint?: ReactNode; error?: string; className?: string };

function describedBy(id: string, hint?: ReactNode, error?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return ids || undefined;
}

function Hint({ id, hint }: { id: string; hint?: ReactNode }) {
  return hint ? <div id={`${id}-hint`} className="govuk-hint">{hint}</div> : null;
}

function ErrorMessage({ id, error }: { id: string; error?: string }) {
  return error ? (
    <p id={`${id}-error`} className="govuk-error-message">
      <span className="govuk-visually-hidden">Error:</span> {error}
    </p>
  ) : null;
}

export function TextInput({ name, label, hint, error, value, onChange, type = "text", width, autoComplete, spellCheck, inputMode, className }: Base & {
  value: string; onChange: (v: string) => void; type?: string; width?: 2 | 3 | 4 | 5 | 10 | 20 | 30;
  autoComplete?: string; spellCheck?: boolean; inputMode?: "numeric" | "text" | "email";
}) {
  const id = fieldId(name);
  return (
    <div className={`govuk-form-group${error ? " govuk-form-group--error" : ""}`}>
      <label className={`govuk-label ${className ?? ""}`} htmlFor={id}>{label}</label>
      <Hint id={id} hint={hint} />
      <ErrorMessage id={id} error={error} />
      <input
        className={`govuk-input${width ? ` govuk-input--width-${width}` : ""}${error ? " govuk-input--error" : ""}`}
        id={id} name={name} type={type} value={value} autoComplete={autoComplete} spellCheck={spellCheck}
        inputMode={inputMode} aria-describedby={describedBy(id, hint, error)}
        onChange={(e: ChangeEvent<HTMLInputElement>) => onChange(e.target.value)}
      />
    </div>
  );
}

export function Textarea({ name, label, hint, error, value, onChange, rows = 5 }: Base & {
  value: string; onChange: (v: string) => void; rows?: number;
}) {
  const id = fieldId(name);
  return (
    <div className={`govuk-form-group${error ? " govuk-form-group--error" : ""}`}>
      <label className="govuk-label" htmlFor={id}>{label}</label>
      <Hint id={id} hint={hint} />
      <ErrorMessage id={id} error={error} />
      <textarea
        className={`govuk-textarea${error ? " govuk-textarea--error" : ""}`} id={id} name={name} rows={rows}
        value={value} aria-describedby={describedBy(id, hint, error)} onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

/** A date as the three GOV.UK boxes. The value is "YYYY-MM-DD" as typed ("" when all empty). */
export function DateInput({ name, label, hint, error, value, onChange }: Base & { value: string; onChange: (v: string) => void }) {
  const id = fieldId(name);
  const [year = "", month = "", day = ""] = value ? value.split("-") : [];
  const set = (y: string, m: string, d: string) => onChange(y || m || d ? `${y}-${m}-${d}` : "");
  const box = (part: "day" | "month" | "year", v: string, width: 2 | 4, onPart: (x: string) => void) => (
    <div className="govuk-date-input__item">
      <div className="govuk-form-group">
        <label className="govuk-label govuk-date-input__label" htmlFor={part === "day" ? id : `${id}-${part}`}>
          {part.charAt(0).toUpperCase() + part.slice(1)}
        </label>
        <input
          className={`govuk-input govuk-date-input__input govuk-input--width-${width}${error ? " govuk-input--error" : ""}`}
          id={part === "day" ? id : `${id}-${part}`} name={`${name}-${part}`} type="text" inputMode="numeric"
          value={v} onChange={(e) => onPart(e.target.value.trim())}
        />
      </div>
    </div>
  );
  return (
    <div className={`govuk-form-group${error ? " govuk-form-group--error" : ""}`}>
      <fieldset className="govuk-fieldset" role="group" aria-describedby={describedBy(id, hint ?? "For example, 27 3 2025", error)}>
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">{label}</legend>
        <Hint id={id} hint={hint ?? "For example, 27 3 2025"} />
        <ErrorMessage id={id} error={error} />
        <div className="govuk-date-input">
          {box("day", day, 2, (d) => set(year, month, d))}
          {box("month", month, 2, (m) => set(year, m, day))}
          {box("year", year, 4, (y) => set(y, month, day))}
        </div>
      </fieldset>
    </div>
  );
}

/** "YYYY-M-D" as typed -> "YYYY-MM-DD" for the API ("" stays "": the field was left empty). */
export function isoDate(value: string): string {
  if (!value) return "";
  const [y = "", m = "", d = ""] = value.split("-");
  if (!y && !m && !d) return "";
  return `${y}-${m.padStart(2, "0")}-${d.padStart(2, "0")}`;
}

export type Choice = { value: string; label: string; hint?: string };

export function Radios({ name, label, hint, error, value, onChange, choices, inline, legendSize = "s" }: Base & {
  value: string; onChange: (v: string) => void; choices: Choice[]; inline?: boolean; legendSize?: "s" | "m" | "l";
}) {
  const id = fieldId(name);
  return (
    <div className={`govuk-form-group${error ? " govuk-form-group--error" : ""}`}>
      <fieldset className="govuk-fieldset" aria-describedby={describedBy(id, hint, error)}>
        <legend className={`govuk-fieldset__legend govuk-fieldset__legend--${legendSize}`}>{label}</legend>
        <Hint id={id} hint={hint} />
        <ErrorMessage id={id} error={error} />
        <div className={`govuk-radios${inline ? " govuk-radios--inline" : ""}`}>
          {choices.map((c, i) => {
            const cid = i === 0 ? id : `${id}-${i + 1}`;
            return (
              <div className="govuk-radios__item" key={c.value}>
                <input className="govuk-radios__input" id={cid} name={name} type="radio" value={c.value}
                  checked={value === c.value} onChange={() => onChange(c.value)}
                  aria-describedby={c.hint ? `${cid}-item-hint` : undefined} />
                <label className="govuk-label govuk-radios__label" htmlFor={cid}>{c.label}</label>
                {c.hint ? <div id={`${cid}-item-hint`} className="govuk-hint govuk-radios__hint">{c.hint}</div> : null}
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

export function Checkboxes({ name, label, hint, error, values, onChange, choices, small }: Base & {
  values: string[]; onChange: (v: string[]) => void; choices: Choice[]; small?: boolean;
}) {
  const id = fieldId(name);
  return (
    <div className={`govuk-form-group${error ? " govuk-form-group--error" : ""}`}>
      <fieldset className="govuk-fieldset" aria-describedby={describedBy(id, hint, error)}>
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">{label}</legend>
        <Hint id={id} hint={hint} />
        <ErrorMessage id={id} error={error} />
        <div className={`govuk-checkboxes${small ? " govuk-checkboxes--small" : ""}`}>
          {choices.map((c, i) => {
            const cid = i === 0 ? id : `${id}-${i + 1}`;
            const checked = values.includes(c.value);
            return (
              <div className="govuk-checkboxes__item" key={c.value}>
                <input className="govuk-checkboxes__input" id={cid} name={name} type="checkbox" value={c.value}
                  checked={checked}
                  onChange={() => onChange(checked ? values.filter((v) => v !== c.value) : [...values, c.value])} />
                <label className="govuk-label govuk-checkboxes__label" htmlFor={cid}>{c.label}</label>
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

export function Select({ name, label, hint, error, value, onChange, choices, placeholder }: Base & {
  value: string; onChange: (v: string) => void; choices: Choice[]; placeholder?: string;
}) {
  const id = fieldId(name);
  return (
    <div className={`govuk-form-group${error ? " govuk-form-group--error" : ""}`}>
      <label className="govuk-label" htmlFor={id}>{label}</label>
      <Hint id={id} hint={hint} />
      <ErrorMessage id={id} error={error} />
      <select className={`govuk-select${error ? " govuk-select--error" : ""}`} id={id} name={name} value={value}
        aria-describedby={describedBy(id, hint, error)} onChange={(e) => onChange(e.target.value)}>
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {choices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
      </select>
    </div>
  );
}
