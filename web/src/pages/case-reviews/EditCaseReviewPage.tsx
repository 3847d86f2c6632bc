// Change the editable fields of a case review (/app/case-reviews/:id/edit): PATCH with If-Match,
// only the fields changed. A 412 (someone else changed the case) shows the current version next
// to what the user typed, which stays in the form. Data: the case: 1 call.
import { useEffect, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";

import { api, ApiError, unwrap } from "../../api/client";
import { ErrorSummary, focusField, summaryItems, type SummaryItem } from "../../components/ErrorSummary";
import { DateInput, Radios, Select, Textarea, TextInput } from "../../components/fields";
import { Loading, QueryFailed, useTitle } from "../../components/Page";
import { errorText, fieldMessages } from "../../lib/errors";
import { caseIdFrom, useCaseReview, useRefreshCase, type CaseReview } from "./caseData";
import { ALL_FIELDS, describe, formValue, formValues, currentValue, GROUPS, patchBody, type EditField } from "./editFields";

export function EditCaseReviewPage() {
  const id = caseIdFrom(useParams().id);
  const caseQuery = useCaseReview(id ?? 0, id !== null);
  if (id === null) return <QueryFailed error={new ApiError(404, null)} />;
  if (caseQuery.isLoading) return <Loading what="Loading the case review" />;
  if (caseQuery.error || !caseQuery.data) return <QueryFailed error={caseQuery.error} />;
  return <EditForm c={caseQuery.data.data} etag={caseQuery.data.etag} />;
}

export const CONFLICT = "Someone else changed this case while you were editing it. Your changes have not been saved yet. "
  + "Check the current version below against what you typed, then save again.";

function EditForm({ c, etag }: { c: CaseReview; etag: string }) {
  const navigate = useNavigate();
  const location = useLocation();
  const refresh = useRefreshCase(c.id);
  const [base, setBase] = useState(() => formValues(c));
  const [values, setValues] = useState(base);
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<{ theirs: Record<string, string>; before: Record<string, string> } | null>(null);
  const [busy, setBusy] = useState(false);
  const messages = fieldMessages(error);
  const conflicted = error instanceof ApiError && error.status === 412;
  useTitle(`Change case review ${c.reference}`, !!error);

  useEffect(() => {
    // a "Change" link lands on its field
    if (location.hash) focusField(decodeURIComponent(location.hash.slice(1)));
  }, [location.hash]);

  // after a conflict the case is read again: its new version is what "theirs" shows
  const now = formValues(c);
  useEffect(() => {
    if (!conflict) return;
    const current = formValues(c);
    setConflict((x) => (x ? { ...x, theirs: current } : x));
    // the fields the user did not touch follow the current version (and are not sent); the ones
    // they changed keep what they typed (and are sent, with the new ETag)
    const untouched = Object.keys(current).filter((k) => (values[k] ?? "") === (base[k] ?? ""));
    setValues((v) => ({ ...v, ...Object.fromEntries(untouched.map((k) => [k, current[k]])) }));
    setBase((b) => ({ ...b, ...Object.fromEntries(untouched.map((k) => [k, current[k]])) }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [c.version]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const body = patchBody(base, values);
    if (!Object.keys(body).length) {
      navigate(`/case-reviews/${c.id}`, { state: { success: "Nothing was changed." } });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await api.PATCH("/api/v1/case-reviews/{case_id}", {
        params: { path: { case_id: c.id }, header: { "If-Match": etag } }, body: body as never,
      });
      if (result.response.status === 412) {
        setConflict({ before: base, theirs: now });
        await refresh();
      }
      unwrap(result);
      await refresh();
      navigate(`/case-reviews/${c.id}`, { state: { success: "The case review has been updated." } });
    } catch (err) {
      // what was typed stays; a resubmission sends the fields changed from the version the user
      // started from, with the new ETag
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const order = ALL_FIELDS.map((f) => f.path);
  const general = error && !Object.keys(messages).length ? (conflicted ? CONFLICT : errorText(error)) : null;
  const items: SummaryItem[] = [
    ...(general ? [{ key: "_", text: general }] : []),
    ...summaryItems(Object.fromEntries(Object.entries(messages).filter(([k]) => k !== "_")), order),
  ];
  const mine = ALL_FIELDS.filter((f) => (values[f.path] ?? "") !== (base[f.path] ?? ""));
  const theirs = conflict ? ALL_FIELDS.filter((f) => (conflict.theirs[f.path] ?? "") !== (conflict.before[f.path] ?? "")) : [];
  const shown = [...theirs, ...mine.filter((f) => !theirs.includes(f))];

  const set = (path: string, v: string) => setValues((x) => ({ ...x, [path]: v }));
  return (
    <>
      <ErrorSummary items={items} />
      <span className="govuk-caption-l">Case review {c.reference}</span>
      <h1 className="govuk-heading-l">Change the case’s details</h1>
      {conflicted ? (
        <div className="app-conflict govuk-!-margin-bottom-6" data-testid="conflict">
          <h2 className="govuk-heading-m">The current version of the case</h2>
          <p className="govuk-body">The case is now at version {c.version}. Fields changed by someone else, or by you:</p>
          <table className="govuk-table">
            <caption className="govuk-table__caption govuk-visually-hidden">The current version and what you typed</caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                <th scope="col" className="govuk-table__header">Field</th>
                <th scope="col" className="govuk-table__header">Current version</th>
                <th scope="col" className="govuk-table__header">What you typed</th>
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {shown.map((f) => (
                <tr className="govuk-table__row" key={f.path}>
                  <th scope="row" className="govuk-table__header">{f.label}</th>
                  <td className="govuk-table__cell app-field-value">{describe(f, formValue(f, currentValue(c, f.path)))}</td>
                  <td className="govuk-table__cell app-field-value">{mine.includes(f) ? describe(f, values[f.path] ?? "") : "Not changed"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form onSubmit={submit} noValidate>
        {GROUPS.map((g) => (
          <fieldset className="govuk-fieldset govuk-!-margin-bottom-6" key={g.legend}>
            <legend className="govuk-fieldset__legend govuk-fieldset__legend--m">
              <h2 className="govuk-fieldset__heading">{g.legend}</h2>
            </legend>
            {g.fields.map((f) => (
              <Field key={f.path} field={f} value={values[f.path] ?? ""} error={messages[f.path]} onChange={(v) => set(f.path, v)} />
            ))}
          </fieldset>
        ))}
        <div className="govuk-button-group">
          <button type="submit" className="govuk-button" disabled={busy}>Save changes</button>
          <Link className="govuk-link" to={`/case-reviews/${c.id}`}>Cancel</Link>
        </div>
      </form>
    </>
  );
}

function Field({ field, value, error, onChange }: { field: EditField; value: string; error?: string; onChange: (v: string) => void }) {
  const name = field.path;
  switch (field.kind) {
    case "date":
      return <DateInput name={name} label={field.label} value={value} error={error} onChange={onChange} />;
    case "long":
      return <Textarea name={name} label={field.label} value={value} error={error} onChange={onChange} rows={4} />;
    case "lines":
      return <Textarea name={name} label={field.label} value={value} error={error} onChange={onChange} rows={4} />;
    case "yesno":
      return <Radios name={name} label={field.label} value={value} error={error} onChange={onChange} inline
        choices={[{ value: "true", label: "Yes" }, { value: "false", label: "No" }]} />;
    case "choice":
      return (field.choices ?? []).length > 3
        ? <Select name={name} label={field.label} value={value} error={error} onChange={onChange} choices={field.choices ?? []} placeholder="Not given" />
        : <Radios name={name} label={field.label} value={value} error={error} onChange={onChange} choices={field.choices ?? []} />;
    default:
      return <TextInput name={name} label={field.label} value={value} error={error} onChange={onChange} width={field.width} />;
  }
}
