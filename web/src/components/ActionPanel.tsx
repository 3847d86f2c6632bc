// The actions a caller may take now (GET .../transitions), each a button named by its label that
// opens a form built from its inputs. The app never decides who may do what: it shows what the
// service offers and shows the service's answer (422 per field, 409, 403, 412) when it refuses.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";

import { api, ApiError, unwrap, type Schemas } from "../api/client";
import { errorText, fieldId, fieldMessages } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { ErrorSummary, summaryItems, type SummaryItem } from "./ErrorSummary";
import { friendlyMessage, type FieldKind } from "./fieldMessage";
import { DateInput, isoDate, Radios, Select, Textarea, TextInput, type Choice } from "./fields";

export type TransitionOption = Schemas["TransitionOption"];
export type InputSpec = Schemas["InputOut"];
export type Values = Record<string, string>;

const KINDS: Record<string, FieldKind> = { date: "date", boolean: "choice", choice: "choice", meeting: "choice" };
const LONG_TEXT = /rationale|note|reason|learning|description|minutes|summary|comment|details/;
const PREFIX = "action";

/** The body of POST .../transitions from what the form holds ("" means left empty: omitted). */
export function transitionBody(option: TransitionOption, values: Values): Record<string, unknown> {
  const body: Record<string, unknown> = { action: option.action };
  for (const input of allInputs(option)) {
    const raw = values[input.name] ?? "";
    if (raw === "") continue;
    body[input.name] = convert(input, raw);
  }
  return body;
}

function convert(input: InputSpec, raw: string): unknown {
  switch (input.type) {
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : raw;
    case "integer":
    case "meeting":
      return /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    case "date":
      return isoDate(raw);
    case "choice": {
      const choice = input.choices?.find((c) => String(c.value) === raw);
      return choice ? choice.value : raw;
    }
    case "object":
      return linesToObject(raw);
    default:
      return raw;
  }
}

/** An object field typed as lines "name: value" (e.g. "Police: desk@police.example"): never JSON
 * for the user to write. A line without a colon is kept whole, for the API to name in its 422. */
export function linesToObject(raw: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const line of raw.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf(":");
    if (at <= 0) return raw;
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/** The action's inputs, plus an optional note when the action has no note of its own. */
export function allInputs(option: TransitionOption): InputSpec[] {
  const inputs = option.inputs ?? [];
  return inputs.some((i) => i.name === "note")
    ? inputs
    : [...inputs, { name: "note", label: "Note (optional)", type: "text", required: false }];
}

type Props = {
  options: TransitionOption[];
  /** Sends the transition (with If-Match); rejects with ApiError. */
  onSubmit: (body: Record<string, unknown>) => Promise<void>;
  meetingKind?: "crg" | "cdop_panel";
  heading?: string;
  /** Told whether the open form shows errors (the page's title then starts "Error: "). */
  onErrorChange?: (hasError: boolean) => void;
};

export function ActionPanel({ options, onSubmit, meetingKind = "crg", heading = "Actions", onErrorChange }: Props) {
  const [open, setOpen] = useState<string | null>(null);
  const [values, setValues] = useState<Record<string, Values>>({});
  const [error, setError] = useState<unknown>(null);
  const shown = !!error && !!open;
  useEffect(() => { onErrorChange?.(shown); }, [shown, onErrorChange]);
  const [busy, setBusy] = useState(false);
  const current = options.find((o) => o.action === open) ?? null;
  const returnTo = useRef<string | null>(null);
  useEffect(() => {
    // keyboard users: the button they pressed is replaced by the form, so focus moves to the form
    // (and back to the button when the form is cancelled)
    if (open) document.getElementById("action-form-heading")?.focus();
    else if (returnTo.current) {
      document.getElementById(returnTo.current)?.focus();
      returnTo.current = null;
    }
  }, [open]);

  if (!options.length) {
    return (
      <section className="app-actions" aria-labelledby="actions-heading">
        <h2 className="govuk-heading-m" id="actions-heading">{heading}</h2>
        <p className="govuk-body">There is nothing for you to do on this case now.</p>
      </section>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!current || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(transitionBody(current, values[current.action] ?? {}));
      setOpen(null);
      setValues((v) => ({ ...v, [current.action]: {} }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="app-actions" aria-labelledby="actions-heading">
      <h2 className="govuk-heading-m" id="actions-heading">{heading}</h2>
      {current ? (
        <ActionForm
          option={current} values={values[current.action] ?? {}} error={error} busy={busy} meetingKind={meetingKind}
          onChange={(name, value) => setValues((v) => ({ ...v, [current.action]: { ...(v[current.action] ?? {}), [name]: value } }))}
          onSubmit={submit}
          onCancel={() => { returnTo.current = `action-button-${current.action}`; setOpen(null); setError(null); }}
        />
      ) : (
        <div className="govuk-button-group">
          {options.map((o) => (
            <span key={o.action}>
              <button
                type="button"
                className={`govuk-button ${o.action === "withdraw" ? "govuk-button--warning" : "govuk-button--secondary"}`}
                disabled={!!o.blocked_reason}
                aria-disabled={o.blocked_reason ? true : undefined}
                aria-describedby={o.blocked_reason ? `blocked-${o.action}` : undefined}
                id={`action-button-${o.action}`}
                onClick={() => { setOpen(o.action); setError(null); }}
              >
                {o.label}
              </button>
              {o.blocked_reason ? <span className="govuk-hint" id={`blocked-${o.action}`}>{o.blocked_reason}</span> : null}
            </span>
          ))}
        </div>
      )}
    </section>
  );
}

function ActionForm({ option, values, error, busy, meetingKind, onChange, onSubmit, onCancel }: {
  option: TransitionOption; values: Values; error: unknown; busy: boolean; meetingKind: "crg" | "cdop_panel";
  onChange: (name: string, value: string) => void; onSubmit: (e: FormEvent) => void; onCancel: () => void;
}) {
  const inputs = allInputs(option);
  const byField = fieldMessages(error);
  const messages: Record<string, string> = {};
  for (const [key, msg] of Object.entries(byField)) {
    const name = key.split(".")[0] || "_";
    const input = inputs.find((i) => i.name === name);
    messages[name] = input ? friendlyMessage(input.label, KINDS[input.type] ?? "text", msg) : msg;
  }
  const conflict = error instanceof ApiError && error.status === 412;
  const general = error && !Object.keys(byField).length
    ? conflict
      ? "Someone else changed this case while you were working on it. The case below now shows their changes. Check it, then confirm again: what you typed is kept."
      : errorText(error)
    : null;
  const items: SummaryItem[] = [
    ...(general ? [{ key: "_", text: general }] : []),
    ...summaryItems(Object.fromEntries(Object.entries(messages).filter(([k]) => k !== "_")), inputs.map((i) => i.name),
      Object.fromEntries(inputs.map((i) => [i.name, fieldId(`${PREFIX}.${i.name}`)]))),
  ];
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="action-form-heading">
      <ErrorSummary items={items} />
      <h3 className="govuk-heading-m" id="action-form-heading" tabIndex={-1}>{option.label}</h3>
      {inputs.map((input) => (
        <InputField key={input.name} input={input} value={values[input.name] ?? ""} error={messages[input.name]}
          meetingKind={meetingKind} onChange={(v) => onChange(input.name, v)} />
      ))}
      <div className="govuk-button-group">
        <button type="submit" className="govuk-button" disabled={busy} aria-disabled={busy || undefined}>
          {option.label}
        </button>
        <button type="button" className="govuk-button govuk-button--secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function InputField({ input, value, error, meetingKind, onChange }: {
  input: InputSpec; value: string; error?: string; meetingKind: "crg" | "cdop_panel"; onChange: (v: string) => void;
}) {
  const name = `${PREFIX}.${input.name}`;
  // GOV.UK marks the optional fields, not the required ones
  const label = input.required || /\(optional\)$/.test(input.label) ? input.label : `${input.label} (optional)`;
  switch (input.type) {
    case "date":
      return <DateInput name={name} label={label} error={error} value={value} onChange={onChange} />;
    case "boolean":
      return <Radios name={name} label={label} error={error} value={value} onChange={onChange} inline
        choices={[{ value: "true", label: "Yes" }, { value: "false", label: "No" }]} />;
    case "choice": {
      const choices: Choice[] = (input.choices ?? []).map((c) => ({ value: String(c.value), label: c.label }));
      return choices.length > 6
        ? <Select name={name} label={label} error={error} value={value} onChange={onChange} choices={choices} placeholder="Choose" />
        : <Radios name={name} label={label} error={error} value={value} onChange={onChange} choices={choices} />;
    }
    case "integer":
      return <TextInput name={name} label={label} error={error} value={value} onChange={onChange} inputMode="numeric" width={5} />;
    case "meeting":
      return <MeetingSelect name={name} label={label} error={error} value={value} onChange={onChange} kind={meetingKind} />;
    case "object":
      return <Textarea name={name} label={label} error={error} value={value} onChange={onChange} rows={3}
        hint="One on each line, a name then a colon, like: Police: safeguarding@police.example" />;
    default:
      return LONG_TEXT.test(input.name)
        ? <Textarea name={name} label={label} error={error} value={value} onChange={onChange} />
        : <TextInput name={name} label={label} error={error} value={value} onChange={onChange} />;
  }
}

function MeetingSelect({ name, label, error, value, onChange, kind }: {
  name: string; label: string; error?: string; value: string; onChange: (v: string) => void; kind: "crg" | "cdop_panel";
}) {
  const meetings = useQuery({
    queryKey: ["meetings", { kind, upcoming: true }],
    queryFn: async () => unwrap(await api.GET("/api/v1/meetings", { params: { query: { kind, upcoming: true, limit: 200 } } })),
  });
  const choices: Choice[] = (meetings.data?.items ?? []).map((m) => ({
    value: String(m.id), label: `${m.title ? `${m.title}, ` : ""}${formatDateTime(m.scheduled_for)}${m.location ? `, ${m.location}` : ""}`,
  }));
  return <Select name={name} label={label} error={error} value={value} onChange={onChange} choices={choices}
    placeholder={meetings.isLoading ? "Loading meetings" : choices.length ? "Choose a meeting" : "No upcoming meetings"} />;
}
