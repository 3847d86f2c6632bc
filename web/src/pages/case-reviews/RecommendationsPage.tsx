// A case review's recommendations (/app/case-reviews/:id/recommendations): add, update and
// complete, each update with If-Match (the recommendation's version). Data: the case (heading)
// and the recommendations: 2 calls.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useParams } from "react-router";

import { api, ApiError, unwrap, type Schemas } from "../../api/client";
import { ErrorSummary, summaryItems, type SummaryItem } from "../../components/ErrorSummary";
import { DateInput, isoDate, Select, Textarea, TextInput } from "../../components/fields";
import { Loading, QueryFailed, SuccessNotice, useTitle } from "../../components/Page";
import { errorText, fieldMessages } from "../../lib/errors";
import { formatDate, humanise } from "../../lib/format";
import { caseIdFrom, CaseHeading, CaseSubNav, useCaseReview } from "./caseData";
import { useSubmission } from "../../components/useSubmission";

type Rec = Schemas["RecommendationOut"];

const STATUSES = [
  { value: "open", label: "Open" }, { value: "in_progress", label: "In progress" },
  { value: "completed", label: "Completed" }, { value: "carried_forward", label: "Carried forward" },
];
const TAGS: Record<string, string> = {
  open: "govuk-tag--blue", in_progress: "govuk-tag--light-blue", completed: "govuk-tag--green", carried_forward: "govuk-tag--yellow",
};
const CHANGED = "Someone else changed this recommendation while you were working on it. It now shows their changes; what you typed is kept. Check it, then save again.";

function itemsFor(error: unknown, prefix: string, order: string[]): { items: SummaryItem[]; messages: Record<string, string> } {
  const messages = fieldMessages(error);
  const general = error && !Object.keys(messages).length
    ? error instanceof ApiError && error.status === 412 ? CHANGED : errorText(error) : null;
  const byField = Object.fromEntries(Object.entries(messages).filter(([k]) => k !== "_").map(([k, v]) => [`${prefix}.${k}`, v]));
  return {
    messages,
    items: [...(general ? [{ key: "_", text: general }] : []), ...summaryItems(byField, order.map((o) => `${prefix}.${o}`))],
  };
}

export function RecommendationsPage() {
  const id = caseIdFrom(useParams().id);
  if (id === null) return <QueryFailed error={new ApiError(404, null)} />;
  return <Recommendations id={id} />;
}

function Recommendations({ id }: { id: number }) {
  const client = useQueryClient();
  const caseQuery = useCaseReview(id);
  const recs = useQuery({
    queryKey: ["case-review", id, "recommendations"],
    queryFn: async () => unwrap(await api.GET("/api/v1/case-reviews/{case_id}/recommendations", { params: { path: { case_id: id } } })),
  });
  const [flash, setFlash] = useState<string | null>(null);
  const c = caseQuery.data?.data;
  useTitle(c ? `Recommendations: ${c.reference}` : "Recommendations");
  if (caseQuery.isLoading) return <Loading what="Loading the case review" />;
  if (caseQuery.error || !c) return <QueryFailed error={caseQuery.error} />;
  const done = async (message: string | null) => {
    await client.invalidateQueries({ queryKey: ["case-review", id] });
    if (message) setFlash(message);
  };
  return (
    <>
      <SuccessNotice message={flash} />
      <CaseHeading c={c} />
      <CaseSubNav id={id} />
      <h2 className="govuk-heading-l">Recommendations</h2>
      {recs.isLoading ? <Loading what="Loading the recommendations" /> : recs.error ? (
        <p className="govuk-body">{errorText(recs.error)}</p>
      ) : recs.data?.length ? (
        recs.data.map((r) => <RecCard key={r.id} caseId={id} r={r} onDone={done} />)
      ) : (
        <p className="govuk-body">No recommendation has been recorded for this case.</p>
      )}
      <AddForm caseId={id} onDone={done} />
    </>
  );
}

function RecCard({ caseId, r, onDone }: { caseId: number; r: Rec; onDone: (m: string | null) => Promise<void> }) {
  const [editing, setEditing] = useState(false);
  const [values, setValues] = useState({ text: r.text, status: r.status, carry_forward_note: r.carry_forward_note ?? "" });
  const [error, setError] = useState<unknown>(null);
  const prefix = `rec-${r.id}`;
  const { items, messages } = itemsFor(error, prefix, ["text", "status", "carry_forward_note"]);

  const patch = async (body: Schemas["RecommendationPatch"], success: string) => {
    setError(null);
    try {
      const result = await api.PATCH("/api/v1/case-reviews/{case_id}/recommendations/{rec_id}", {
        params: { path: { case_id: caseId, rec_id: r.id }, header: { "If-Match": `"${r.version}"` } }, body,
      });
      if (result.response.status === 412) await onDone(null);
      unwrap(result);
      setEditing(false);
      await onDone(success);
    } catch (err) {
      setEditing(true);
      setError(err);
    }
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    const body: Schemas["RecommendationPatch"] = { text: values.text, status: values.status as never };
    if (values.carry_forward_note.trim()) body.carry_forward_note = values.carry_forward_note;
    void patch(body, `Recommendation ${r.number} has been updated.`);
  };
  return (
    <div className="govuk-summary-card" data-testid="recommendation">
      <div className="govuk-summary-card__title-wrapper">
        <h3 className="govuk-summary-card__title">Recommendation {r.number}</h3>
        <strong className={`govuk-tag ${TAGS[r.status] ?? "govuk-tag--grey"}`}>{humanise(r.status)}</strong>
      </div>
      <div className="govuk-summary-card__content">
        <p className="govuk-body app-field-value">{r.text}</p>
        {r.carry_forward_note ? <p className="govuk-body app-field-value">Carried forward: {r.carry_forward_note}</p> : null}
        {r.actions.length ? (
          <table className="govuk-table">
            <caption className="govuk-table__caption govuk-table__caption--s">Actions</caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                <th scope="col" className="govuk-table__header">Action</th>
                <th scope="col" className="govuk-table__header">Agency</th>
                <th scope="col" className="govuk-table__header">Due</th>
                <th scope="col" className="govuk-table__header">Status</th>
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {r.actions.map((a) => (
                <tr className="govuk-table__row" key={a.id}>
                  <td className="govuk-table__cell">{a.description}</td>
                  <td className="govuk-table__cell">{a.owner_agency}</td>
                  <td className="govuk-table__cell app-nowrap">{formatDate(a.due_on)}{a.overdue ? <> <strong className="govuk-tag govuk-tag--red">Overdue</strong></> : null}</td>
                  <td className="govuk-table__cell">{humanise(a.status)}{a.completed_on ? `, ${formatDate(a.completed_on)}` : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {editing ? (
          <form onSubmit={save} noValidate>
            <ErrorSummary items={items} />
            <Textarea name={`${prefix}.text`} label="Recommendation" value={values.text} error={messages.text}
              onChange={(v) => setValues((x) => ({ ...x, text: v }))} rows={3} />
            <Select name={`${prefix}.status`} label="Status" value={values.status} error={messages.status}
              onChange={(v) => setValues((x) => ({ ...x, status: v }))} choices={STATUSES} />
            <Textarea name={`${prefix}.carry_forward_note`} label="Note if carried forward (optional)" value={values.carry_forward_note}
              error={messages.carry_forward_note} onChange={(v) => setValues((x) => ({ ...x, carry_forward_note: v }))} rows={2} />
            <div className="govuk-button-group">
              <button type="submit" className="govuk-button">Save recommendation {r.number}</button>
              <button type="button" className="govuk-button govuk-button--secondary" onClick={() => { setEditing(false); setError(null); }}>Cancel</button>
            </div>
          </form>
        ) : (
          <>
            <ErrorSummary items={items} />
            <div className="govuk-button-group">
              <button type="button" className="govuk-button govuk-button--secondary" onClick={() => setEditing(true)}>
                Update<span className="govuk-visually-hidden"> recommendation {r.number}</span>
              </button>
              {r.status !== "completed" ? (
                <button type="button" className="govuk-button"
                  onClick={() => void patch({ status: "completed" }, `Recommendation ${r.number} is completed.`)}>
                  Mark as completed<span className="govuk-visually-hidden"> (recommendation {r.number})</span>
                </button>
              ) : null}
            </div>
          </>
        )}
      </div>
    </div>
  );
}

function AddForm({ caseId, onDone }: { caseId: number; onDone: (m: string | null) => Promise<void> }) {
  const empty = { text: "", description: "", owner_agency: "", due_on: "" };
  const [values, setValues] = useState(empty);
  const { error, busy, run } = useSubmission();
  const prefix = "new";
  const raw = itemsFor(error, prefix, ["text", "actions"]);
  // an error on the first action's field ("actions.0.description") is shown on that field
  const messages = { ...raw.messages };
  for (const k of Object.keys(raw.messages)) if (k.startsWith("actions.0.")) messages[k.slice(10)] = raw.messages[k];
  const items = raw.items.map((i) => (i.key.startsWith(`${prefix}.actions.0.`) ? { ...i, key: `${prefix}.${i.key.slice(prefix.length + 11)}` } : i));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const body: Schemas["RecommendationCreate"] = { text: values.text, status: "open" };
      if (values.description.trim() || values.owner_agency.trim() || values.due_on) {
        body.actions = [{ description: values.description, owner_agency: values.owner_agency,
          ...(values.due_on ? { due_on: isoDate(values.due_on) } : {}) } as never];
      }
      unwrap(await api.POST("/api/v1/case-reviews/{case_id}/recommendations", { params: { path: { case_id: caseId } }, body }));
      setValues(empty);
      await onDone("The recommendation has been added.");
    });
  };
  const set = (k: keyof typeof empty) => (v: string) => setValues((x) => ({ ...x, [k]: v }));
  return (
    <form onSubmit={submit} noValidate aria-labelledby="add-heading">
      <h2 className="govuk-heading-m" id="add-heading">Add a recommendation</h2>
      <ErrorSummary items={items} />
      <Textarea name={`${prefix}.text`} label="Recommendation" value={values.text} error={messages.text} onChange={set("text")} rows={3} />
      <fieldset className="govuk-fieldset">
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">First action (optional)</legend>
        <TextInput name={`${prefix}.description`} label="What will be done" value={values.description} error={messages.description} onChange={set("description")} />
        <TextInput name={`${prefix}.owner_agency`} label="Agency responsible" value={values.owner_agency} error={messages.owner_agency} onChange={set("owner_agency")} width={30} />
        <DateInput name={`${prefix}.due_on`} label="Due by" value={values.due_on} error={messages.due_on} onChange={set("due_on")} />
      </fieldset>
      <button type="submit" className="govuk-button" disabled={busy}>Add the recommendation</button>
    </form>
  );
}
