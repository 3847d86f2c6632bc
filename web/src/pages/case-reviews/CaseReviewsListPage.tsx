// The case reviews list (/app/case-reviews): the filters of API.md in the MOJ filter layout, held
// in the query string (a list can be bookmarked), keyset paging. Data: the list, the CRG meetings
// (for the meeting filter) and the workflow's states (for the status filter): 3 calls.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";

import { api, unwrap } from "../../api/client";
import { hasRole, useSession } from "../../api/session";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { FilterLayout, type FilterCategory } from "../../components/FilterLayout";
import { friendlyMessage, type FieldKind } from "../../components/fieldMessage";
import { Checkboxes, DateInput, Select, TextInput } from "../../components/fields";
import { ButtonLink, HeaderWithActions, ListResults, PageHeading, useTitle } from "../../components/Page";
import { Pagination } from "../../components/Pagination";
import { StatusTag, statusLabel } from "../../components/StatusTag";
import { errorText, fieldId, fieldMessages } from "../../lib/errors";
import { formatDate, formatDateTime, humanise } from "../../lib/format";
import { apiQuery, DECISIONS, filtersToSearch, parseFilters, typedDate, without, type Filters } from "./filters";

const ORDER = ["q", "status", "decision", "overdue", "received_from", "received_to", "meeting_id", "limit", "cursor"];

const FILTER_NAMES: Record<string, [string, FieldKind]> = {
  received_from: ["Received from", "date"], received_to: ["Received to", "date"], q: ["a reference or a child’s name", "text"],
  status: ["a status", "choice"], decision: ["a decision", "choice"], meeting_id: ["a meeting", "choice"],
};

/** A date from the address in words, or as it is when it is not a real date. */
function dateTag(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) ? formatDate(iso) : iso;
}

export function decisionLabel(code: string | null | undefined): string {
  if (!code) return "";
  return DECISIONS.find((d) => d.value === code)?.label ?? humanise(code);
}

function formFrom(f: Filters): Filters {
  return { ...f, received_from: typedDate(f.received_from), received_to: typedDate(f.received_to) };
}

export function CaseReviewsListPage() {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const { data: session } = useSession();
  const applied = parseFilters(search);
  const [form, setForm] = useState<Filters>(() => formFrom(applied));
  const searchKey = search.toString();
  // the form follows the address (a tag removed, back/forward, a bookmark)
  useEffect(() => { setForm(formFrom(parseFilters(new URLSearchParams(searchKey)))); }, [searchKey]);

  const list = useQuery({
    queryKey: ["case-reviews", "list", searchKey],
    queryFn: async () => unwrap(await api.GET("/api/v1/case-reviews", {
      // the API judges every value (a bad date is its 422, shown against the field)
      params: { query: apiQuery(new URLSearchParams(searchKey)) as never },
    })),
    placeholderData: keepPreviousData,
  });
  const meetings = useQuery({
    queryKey: ["meetings", { kind: "crg" }],
    queryFn: async () => unwrap(await api.GET("/api/v1/meetings", { params: { query: { kind: "crg", limit: 200 } } })),
    staleTime: 60_000,
  });
  const workflow = useQuery({
    queryKey: ["workflow", "case-review"],
    queryFn: async () => unwrap(await api.GET("/api/v1/workflows/{name}", { params: { path: { name: "case-review" } } })),
    staleTime: Infinity,
  });

  const messages = Object.fromEntries(Object.entries(fieldMessages(list.error)).map(([k, msg]) => {
    const [label, kind] = FILTER_NAMES[k] ?? [k, "text" as FieldKind];
    return [k, friendlyMessage(label, kind, msg)];
  }));
  const hasErrors = !!list.error;
  useTitle("Case reviews", hasErrors);

  const meetingChoices = (meetings.data?.items ?? []).map((m) => ({
    value: String(m.id), label: `${m.title ? `${m.title}, ` : ""}${formatDateTime(m.scheduled_for)}`,
  }));
  const statusChoices = (workflow.data?.states ?? applied.status).map((s) => ({ value: s, label: statusLabel(s) }));
  const meetingName = (id: string) => meetingChoices.find((c) => c.value === id)?.label ?? `Meeting ${id}`;

  const categories: FilterCategory[] = [
    { heading: "Reference or child’s name", tags: applied.q ? [{ text: applied.q, to: without(search, "q") }] : [] },
    { heading: "Status", tags: applied.status.map((s) => ({ text: statusLabel(s), to: without(search, "status", s) })) },
    { heading: "Decision", tags: applied.decision ? [{ text: decisionLabel(applied.decision), to: without(search, "decision") }] : [] },
    { heading: "Overdue", tags: applied.overdue ? [{ text: "Overdue only", to: without(search, "overdue") }] : [] },
    { heading: "Received from", tags: applied.received_from ? [{ text: dateTag(applied.received_from), to: without(search, "received_from") }] : [] },
    { heading: "Received to", tags: applied.received_to ? [{ text: dateTag(applied.received_to), to: without(search, "received_to") }] : [] },
    { heading: "Meeting", tags: applied.meeting_id ? [{ text: meetingName(applied.meeting_id), to: without(search, "meeting_id") }] : [] },
  ];

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const s = filtersToSearch(form, search).toString();
    navigate(s ? `?${s}` : "?");
  };
  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setForm((f) => ({ ...f, [key]: value }));

  const general = list.error && !Object.keys(messages).length ? errorText(list.error) : null;
  const items = [
    ...(general ? [{ key: "_", text: general }] : []),
    ...summaryItems(Object.fromEntries(Object.entries(messages).filter(([k]) => k !== "_")), ORDER),
  ];

  const options = (
    <>
      <TextInput name="q" label="Reference or child’s name" value={form.q} onChange={(v) => set("q", v)}
        error={messages.q} className="govuk-label--s" />
      <Checkboxes name="status" label="Status" values={form.status} onChange={(v) => set("status", v)}
        choices={statusChoices} small error={messages.status} />
      <Select name="decision" label="Decision" value={form.decision} onChange={(v) => set("decision", v)}
        choices={DECISIONS} placeholder="Any decision" error={messages.decision} />
      <div className="govuk-form-group">
        <div className="govuk-checkboxes govuk-checkboxes--small">
          <div className="govuk-checkboxes__item">
            <input className="govuk-checkboxes__input" id={fieldId("overdue")} name="overdue" type="checkbox"
              checked={form.overdue} onChange={(e) => set("overdue", e.target.checked)} />
            <label className="govuk-label govuk-checkboxes__label" htmlFor={fieldId("overdue")}>Overdue only</label>
          </div>
        </div>
      </div>
      <DateInput name="received_from" label="Received from" value={form.received_from}
        onChange={(v) => set("received_from", v)} error={messages.received_from} />
      <DateInput name="received_to" label="Received to" value={form.received_to}
        onChange={(v) => set("received_to", v)} error={messages.received_to} />
      <Select name="meeting_id" label="On the agenda of" value={form.meeting_id} onChange={(v) => set("meeting_id", v)}
        choices={meetingChoices} placeholder="Any meeting" error={messages.meeting_id} />
    </>
  );

  const rows = list.error ? [] : list.data?.items ?? [];
  return (
    <>
      <ErrorSummary items={items} />
      <HeaderWithActions heading={<PageHeading>Case reviews</PageHeading>}>
        {hasRole(session, "business_unit") ? <ButtonLink to="/case-reviews/new">Enter a notification</ButtonLink> : null}
      </HeaderWithActions>
      <FilterLayout categories={categories} clearTo="?" onSubmit={apply} options={options}>
        <ListResults list={list} loading="Loading case reviews">
            <p className="govuk-body" role="status" aria-live="polite">
              {rows.length ? `Showing ${rows.length} case review${rows.length === 1 ? "" : "s"}${list.data?.next_cursor ? " (more on the next page)" : ""}` : "No case reviews match these filters."}
            </p>
            {rows.length ? (
              <table className="govuk-table app-table--compact" data-testid="case-reviews-table" aria-busy={list.isPlaceholderData || undefined}>
                <caption className="govuk-table__caption govuk-visually-hidden">Case reviews</caption>
                <thead className="govuk-table__head">
                  <tr className="govuk-table__row">
                    <th scope="col" className="govuk-table__header">Reference</th>
                    <th scope="col" className="govuk-table__header">Child</th>
                    <th scope="col" className="govuk-table__header">Received</th>
                    <th scope="col" className="govuk-table__header">Status</th>
                    <th scope="col" className="govuk-table__header">Decision</th>
                    <th scope="col" className="govuk-table__header">Overdue</th>
                  </tr>
                </thead>
                <tbody className="govuk-table__body">
                  {rows.map((c) => (
                    <tr className="govuk-table__row" key={c.id}>
                      <td className="govuk-table__cell app-nowrap">
                        <Link className="govuk-link" to={`/case-reviews/${c.id}`}>{c.reference}</Link>
                      </td>
                      <td className="govuk-table__cell">{c.child_name}</td>
                      <td className="govuk-table__cell">{formatDate(c.received_on)}</td>
                      <td className="govuk-table__cell"><StatusTag status={c.status} /></td>
                      <td className="govuk-table__cell">{decisionLabel(c.decision)}</td>
                      <td className="govuk-table__cell">
                        {c.overdue ? <strong className="govuk-tag govuk-tag--red">Overdue</strong> : <span className="govuk-visually-hidden">Not overdue</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            {/* while another page loads, the links of the page shown would lead nowhere new */}
            {list.isPlaceholderData ? null : <Pagination search={search} nextCursor={list.data?.next_cursor} />}
        </ListResults>
      </FilterLayout>
    </>
  );
}
