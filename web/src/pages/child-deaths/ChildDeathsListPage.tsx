// The child deaths list (/app/child-deaths/list): the filters of API.md GET /child-deaths in the
// MOJ filter layout, held in the query string (a list can be bookmarked), keyset paging. Data:
// the list only (1 call).
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";

import { api, unwrap } from "../../api/client";
import { hasRole, useSession } from "../../api/session";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { FilterLayout, type FilterCategory } from "../../components/FilterLayout";
import { Checkboxes, Select, TextInput } from "../../components/fields";
import { ButtonLink, HeaderWithActions, ListResults, PageHeading, useTitle } from "../../components/Page";
import { Pagination } from "../../components/Pagination";
import { StatusTag, statusLabel } from "../../components/StatusTag";
import { errorText, fieldId, fieldMessages } from "../../lib/errors";
import { formatDate } from "../../lib/format";
import {
  BAND_LABELS, clockKindLabel, filtersToSearch, HOLD_REASONS, holdReasonLabel, parseFilters, STATUSES, without, apiQuery, type Filters,
} from "./domain";

const ORDER = ["q", "status", "outstanding", "older_than_days", "since_death_band", "hold_reason", "hold_overdue", "has_overdue_reports", "overdue", "overdue_kind", "awaiting_external_outcome", "agency", "limit", "cursor"];

function Check({ name, label, checked, onChange }: { name: string; label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div className="govuk-form-group">
      <div className="govuk-checkboxes govuk-checkboxes--small">
        <div className="govuk-checkboxes__item">
          <input className="govuk-checkboxes__input" id={fieldId(name)} name={name} type="checkbox"
            checked={checked} onChange={(e) => onChange(e.target.checked)} />
          <label className="govuk-label govuk-checkboxes__label" htmlFor={fieldId(name)}>{label}</label>
        </div>
      </div>
    </div>
  );
}

export function ChildDeathsListPage() {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const { data: session } = useSession();
  const applied = parseFilters(search);
  const [form, setForm] = useState<Filters>(applied);
  const searchKey = search.toString();
  useEffect(() => { setForm(parseFilters(new URLSearchParams(searchKey))); }, [searchKey]);

  const list = useQuery({
    queryKey: ["child-deaths", "list", searchKey],
    queryFn: async () => unwrap(await api.GET("/api/v1/child-deaths", {
      params: { query: apiQuery(new URLSearchParams(searchKey)) as never },
    })),
    placeholderData: keepPreviousData,
  });
  const messages = fieldMessages(list.error);
  useTitle("Child deaths", !!list.error);

  const categories: FilterCategory[] = [
    { heading: "Reference or child’s name", tags: applied.q ? [{ text: applied.q, to: without(search, "q") }] : [] },
    { heading: "Status", tags: applied.status.map((s) => ({ text: statusLabel(s), to: without(search, "status", s) })) },
    { heading: "Outstanding", tags: applied.outstanding ? [{ text: "Outstanding only", to: without(search, "outstanding") }] : [] },
    { heading: "Clocks", tags: [
      ...(applied.overdue ? [{ text: "Overdue", to: without(search, "overdue") }] : []),
      ...(applied.overdue_kind ? [{ text: `Overdue: ${clockKindLabel(applied.overdue_kind)}`, to: without(search, "overdue_kind") }] : []),
    ] },
    { heading: "Time since death", tags: [
      ...(applied.older_than_days ? [{ text: `More than ${applied.older_than_days} days`, to: without(search, "older_than_days") }] : []),
      ...(applied.since_death_band ? [{ text: BAND_LABELS[applied.since_death_band] ?? applied.since_death_band, to: without(search, "since_death_band") }] : []),
    ] },
    { heading: "Other areas", tags: applied.awaiting_external_outcome
      ? [{ text: "Awaiting the home panel’s outcome", to: without(search, "awaiting_external_outcome") }] : [] },
    { heading: "Holds", tags: applied.hold_overdue ? [{ text: "Past the expected date", to: without(search, "hold_overdue") }] : [] },
    { heading: "On hold for", tags: applied.hold_reason ? [{ text: holdReasonLabel(applied.hold_reason), to: without(search, "hold_reason") }] : [] },
    { heading: "Reporting forms", tags: applied.has_overdue_reports ? [{ text: "Overdue reporting forms", to: without(search, "has_overdue_reports") }] : [] },
    { heading: "Agency", tags: applied.agency ? [{ text: applied.agency, to: without(search, "agency") }] : [] },
  ];
  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setForm((f) => ({ ...f, [key]: value }));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const s = filtersToSearch(form, search).toString();
    navigate(s ? `?${s}` : "?");
  };

  const general = list.error && !Object.keys(messages).length ? errorText(list.error) : null;
  const items = [
    ...(general ? [{ key: "_", text: general }] : []),
    ...summaryItems(Object.fromEntries(Object.entries(messages).filter(([k]) => k !== "_").map(([k, m]) => [k,
      k === "older_than_days" ? "Enter the number of days since death as a whole number, like 90" : m])), ORDER),
  ];

  const options = (
    <>
      <TextInput name="q" label="Reference or child’s name" value={form.q} onChange={(v) => set("q", v)}
        error={messages.q} className="govuk-label--s" />
      <Check name="outstanding" label="Outstanding only (not closed, withdrawn or transferred)" checked={form.outstanding}
        onChange={(v) => set("outstanding", v)} />
      <Check name="overdue" label="Overdue (a clock past its due date)" checked={form.overdue}
        onChange={(v) => set("overdue", v)} />
      <Checkboxes name="status" label="Status" values={form.status} onChange={(v) => set("status", v)}
        choices={STATUSES.map((s) => ({ value: s, label: statusLabel(s) }))} small error={messages.status} />
      <TextInput name="older_than_days" label="More than this many days since death" value={form.older_than_days}
        onChange={(v) => set("older_than_days", v)} inputMode="numeric" width={4} hint="For example, 180"
        error={messages.older_than_days ? "Enter the number of days since death as a whole number, like 90" : undefined}
        className="govuk-label--s" />
      <Select name="hold_reason" label="On hold for" value={form.hold_reason} onChange={(v) => set("hold_reason", v)}
        choices={HOLD_REASONS} placeholder="Any or no hold" error={messages.hold_reason} />
      <Check name="has_overdue_reports" label="With overdue reporting forms" checked={form.has_overdue_reports}
        onChange={(v) => set("has_overdue_reports", v)} />
      <Check name="awaiting_external_outcome" label="Transferred out, awaiting the home area’s panel outcome"
        checked={form.awaiting_external_outcome} onChange={(v) => set("awaiting_external_outcome", v)} />
      <TextInput name="agency" label="Reporting form awaited from (agency)" value={form.agency}
        onChange={(v) => set("agency", v)} error={messages.agency} className="govuk-label--s" />
    </>
  );

  const rows = list.error ? [] : list.data?.items ?? [];
  return (
    <>
      <ErrorSummary items={items} />
      <HeaderWithActions heading={<PageHeading>Child deaths</PageHeading>}>
        {hasRole(session, "cdop_coordinator") ? <ButtonLink to="/child-deaths/new">Enter a notification</ButtonLink> : null}
      </HeaderWithActions>
      <FilterLayout categories={categories} clearTo="?" onSubmit={apply} options={options}>
        <ListResults list={list} loading="Loading child deaths">
            <p className="govuk-body" role="status" aria-live="polite">
              {rows.length ? `Showing ${rows.length} child death${rows.length === 1 ? "" : "s"}, oldest death first${list.data?.next_cursor ? " (more on the next page)" : ""}` : "No child deaths match these filters."}
            </p>
            {rows.length ? (
              <table className="govuk-table app-table--compact" data-testid="child-deaths-table" aria-busy={list.isPlaceholderData || undefined}>
                <caption className="govuk-table__caption govuk-visually-hidden">Child deaths</caption>
                <thead className="govuk-table__head">
                  <tr className="govuk-table__row">
                    <th scope="col" className="govuk-table__header">Reference</th>
                    <th scope="col" className="govuk-table__header">Child</th>
                    <th scope="col" className="govuk-table__header">Date of death</th>
                    <th scope="col" className="govuk-table__header">Status</th>
                    <th scope="col" className="govuk-table__header">Waiting on</th>
                  </tr>
                </thead>
                <tbody className="govuk-table__body">
                  {rows.map((c) => {
                    const child = c.child as { first_name?: string; last_name?: string };
                    const pastHolds = c.open_holds.filter((h) => h.expected_on < todayOf(list.dataUpdatedAt));
                    return (
                      <tr className="govuk-table__row" key={c.id}>
                        <td className="govuk-table__cell app-nowrap">
                          <Link className="govuk-link" to={`/child-deaths/${c.id}`}>{c.reference}</Link>
                        </td>
                        <td className="govuk-table__cell">{[child.first_name, child.last_name].filter(Boolean).join(" ")}</td>
                        <td className="govuk-table__cell">{formatDate(c.date_of_death)}<br />
                          <span className="govuk-hint govuk-!-font-size-16 govuk-!-margin-bottom-0">{c.days_since_death} days ago</span></td>
                        <td className="govuk-table__cell">
                          <StatusTag status={c.status} />
                          {c.overdue_reporting_forms.length ? <><br /><strong className="govuk-tag govuk-tag--red govuk-!-margin-top-1">Forms overdue</strong></> : null}
                          {pastHolds.length ? <><br /><strong className="govuk-tag govuk-tag--red govuk-!-margin-top-1">Hold past expected date</strong></> : null}
                          {c.possible_duplicates.length ? <><br /><strong className="govuk-tag govuk-tag--orange govuk-!-margin-top-1">Possible duplicate</strong></> : null}
                        </td>
                        <td className="govuk-table__cell">
                          {c.waiting_on.length ? (
                            <ul className="govuk-list govuk-!-font-size-16 govuk-!-margin-bottom-0">
                              {c.waiting_on.map((w) => <li key={w}>{w}</li>)}
                            </ul>
                          ) : null}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            ) : null}
            {list.isPlaceholderData ? null : <Pagination search={search} nextCursor={list.data?.next_cursor} />}
        </ListResults>
      </FilterLayout>
    </>
  );
}

function todayOf(ms: number): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London" }).format(ms ? new Date(ms) : new Date());
}
