// The audit log (/app/admin/audit, admin only): the chain's verification status (GET
// /audit/verify) and the events, newest first, with the filters of API.md (case, actor, from, to)
// and keyset paging, all in the address. Two API calls.
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";

import { api, unwrap, type Schemas } from "../../api/client";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { DateInput, isoDate, TextInput } from "../../components/fields";
import { Loading, QueryFailed, useTitle } from "../../components/Page";
import { SummaryList } from "../../components/SummaryList";
import { errorText, fieldMessages } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { auditQuery, filterErrors, filterParams, filtersFromParams, type AuditFilters } from "./auditFilters";
import { Pagination } from "../../components/Pagination";

type Verify = Schemas["VerifyOut"];

/** "2026-04-01" back to the three boxes' form ("2026-4-1"). */
function typed(iso: string): string {
  if (!iso) return "";
  const [y = "", m = "", d = ""] = iso.split("-");
  return `${y}-${m.replace(/^0(?=\d)/, "")}-${d.replace(/^0(?=\d)/, "")}`;
}

export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const cursor = params.get("cursor");
  const [form, setForm] = useState<AuditFilters>({ ...filters, from: typed(filters.from), to: typed(filters.to) });
  const [formErrors, setFormErrors] = useState<Record<string, string>>({});

  const verify = useQuery({
    queryKey: ["audit", "verify"],
    queryFn: async () => unwrap(await api.GET("/api/v1/audit/verify")),
  });
  const events = useQuery({
    queryKey: ["audit", "events", params.toString()],
    queryFn: async () => unwrap(await api.GET("/api/v1/audit", { params: { query: auditQuery(filters, cursor) } })),
  });
  const messages = Object.keys(formErrors).length ? formErrors : fieldMessages(events.error);
  useTitle("Audit log", Object.keys(messages).length > 0);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = { ...form, from: isoDate(form.from), to: isoDate(form.to) };
    const errors = filterErrors(next);
    setFormErrors(errors);
    if (Object.keys(errors).length === 0) setParams(filterParams(next));
  };
  const set = (key: keyof AuditFilters) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const filtered = Object.keys(filterParams(filters)).length > 0;

  return (
    <>
      <ErrorSummary items={summaryItems(messages, ["case", "actor", "from", "to"])} />
      <h1 className="govuk-heading-l">Audit log</h1>
      <section aria-labelledby="chain-heading" className="govuk-!-margin-bottom-6">
        <h2 className="govuk-heading-m" id="chain-heading">Chain verification</h2>
        {verify.isPending ? <Loading what="Checking the chain" /> : verify.isError ? (
          <p className="govuk-body">{errorText(verify.error)}</p>
        ) : <ChainStatus result={verify.data} />}
      </section>

      <form onSubmit={submit} noValidate aria-labelledby="filter-heading" className="govuk-!-margin-bottom-6">
        <h2 className="govuk-heading-m" id="filter-heading">Filter events</h2>
        <div className="govuk-grid-row">
          <div className="govuk-grid-column-one-half">
            <TextInput name="case" label="Case" value={form.case} onChange={set("case")} error={messages.case}
              hint="The record’s id, or its type and id, for example case_review:12" spellCheck={false} />
          </div>
          <div className="govuk-grid-column-one-half">
            <TextInput name="actor" label="Who" value={form.actor} onChange={set("actor")} error={messages.actor}
              hint="As the log names them, for example user:3" spellCheck={false} />
          </div>
        </div>
        <div className="govuk-grid-row">
          <div className="govuk-grid-column-one-half">
            <DateInput name="from" label="From" value={form.from} onChange={set("from")} error={messages.from} />
          </div>
          <div className="govuk-grid-column-one-half">
            <DateInput name="to" label="To" value={form.to} onChange={set("to")} error={messages.to} />
          </div>
        </div>
        <div className="govuk-button-group">
          <button type="submit" className="govuk-button govuk-button--secondary" data-module="govuk-button">Apply filters</button>
          {filtered ? <Link className="govuk-link" to="/admin/audit">Clear filters</Link> : null}
        </div>
      </form>

      <h2 className="govuk-heading-m" id="events-heading">Events</h2>
      {events.isError && !Object.keys(messages).length ? <QueryFailed error={events.error} /> : null}
      {events.isPending ? <Loading what="Loading events" /> : events.data ? (
        events.data.items.length === 0 ? <p className="govuk-body">No events match these filters.</p> : (
          <table className="govuk-table" aria-labelledby="events-heading" data-testid="audit-table">
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                <th scope="col" className="govuk-table__header">When</th>
                <th scope="col" className="govuk-table__header">Who</th>
                <th scope="col" className="govuk-table__header">What</th>
                <th scope="col" className="govuk-table__header">Record</th>
                <th scope="col" className="govuk-table__header govuk-table__header--numeric">Place in chain</th>
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {events.data.items.map((ev) => (
                <tr className="govuk-table__row" key={ev.id}>
                  <td className="govuk-table__cell">{formatDateTime(ev.at)}</td>
                  <td className="govuk-table__cell app-break-word">{ev.actor}</td>
                  <td className="govuk-table__cell app-break-word">{ev.action}</td>
                  <td className="govuk-table__cell app-break-word">
                    {ev.subject_type ? `${ev.subject_type}:${ev.subject_id ?? ""}` : <span className="govuk-hint">None</span>}
                  </td>
                  <td className="govuk-table__cell govuk-table__cell--numeric">
                    {ev.seq ?? <span className="govuk-hint">Not sealed yet</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      <Pagination search={params} nextCursor={events.data?.next_cursor} label="Pages of events" nextText="Older events" />
    </>
  );
}

function ChainStatus({ result }: { result: Verify }) {
  const rows = [
    { key: "Status", value: result.ok
      ? <strong className="govuk-tag govuk-tag--green">Intact</strong>
      : <strong className="govuk-tag govuk-tag--red">Broken</strong> },
    { key: "Events checked", value: String(result.events_checked) },
    { key: "Events waiting to be sealed", value: String(result.unsealed ?? 0) },
  ];
  if (result.oldest_unsealed_at) rows.push({ key: "Oldest waiting since", value: formatDateTime(result.oldest_unsealed_at) });
  if (!result.ok) {
    rows.push({ key: "First broken event", value: `Place ${result.first_broken_seq ?? "unknown"} (event ${result.first_broken_id ?? "unknown"})` });
    if (result.reason) rows.push({ key: "Reason", value: result.reason });
  }
  return (
    <div data-testid="chain-status">
      {!result.ok ? (
        <div className="govuk-warning-text">
          <span className="govuk-warning-text__icon" aria-hidden="true">!</span>
          <strong className="govuk-warning-text__text">
            <span className="govuk-visually-hidden">Warning</span>
            The audit log’s hash chain does not verify: an event may have been changed or removed.
          </strong>
        </div>
      ) : null}
      <SummaryList rows={rows} />
    </div>
  );
}
