// An agency author's forms (/app/my-forms): the child death reporting forms assigned to them
// (GET /reporting-forms/mine: CDOP reference and the child's age band only), open ones by
// default or all with ?show=all, keyset paging with the cursor in the address; and the case
// review agency reports assigned to them (GET /agency-reports/mine). Two API calls.
import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";

import { api, unwrap, type Schemas } from "../../api/client";
import { Loading, QueryFailed, useTitle } from "../../components/Page";
import { Pagination } from "../../components/Pagination";
import { formatDate } from "../../lib/format";
import { FORM_STATUS, MAIN_FORM, type FormView } from "./formData";

export const PAGE_SIZE = 25;

export function MyFormsPage() {
  useTitle("My forms");
  const [params] = useSearchParams();
  const all = params.get("show") === "all";
  const cursor = params.get("cursor") || undefined;
  const list = useQuery({
    queryKey: ["my-forms", "list", all, cursor ?? ""],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/reporting-forms/mine", {
        params: { query: { open_only: !all, limit: PAGE_SIZE, cursor } },
      })),
  });
  // the case review agency reports assigned to this author (their first 100: few are open at once)
  const reports = useQuery({
    queryKey: ["my-forms", "reports", all],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/agency-reports/mine", { params: { query: { open_only: !all, limit: 100 } } })),
  });
  if (list.isError) return <QueryFailed error={list.error} />;

  return (
    <>
      <h1 className="govuk-heading-l">My forms</h1>
      <p className="govuk-body">
        The forms your agency has been asked to complete: child death reporting forms for the Child Death
        Overview Panel, and agency reports for case reviews. They show the case reference (and for a child
        death, the child&apos;s age) only.
      </p>
      <nav className="moj-sub-navigation" aria-label="Which forms">
        <ul className="moj-sub-navigation__list">
          <li className="moj-sub-navigation__item">
            <Link className="moj-sub-navigation__link" to="/my-forms" aria-current={all ? undefined : "page"}>To complete</Link>
          </li>
          <li className="moj-sub-navigation__item">
            <Link className="moj-sub-navigation__link" to="/my-forms?show=all" aria-current={all ? "page" : undefined}>All my forms</Link>
          </li>
        </ul>
      </nav>
      {list.isPending ? <Loading what="Loading your forms" /> : (
        <>
          <FormsTable forms={list.data.items} all={all} />
          <Pagination search={params} nextCursor={list.data.next_cursor} label="Pages of forms" />
        </>
      )}
      {reports.isError ? <QueryFailed error={reports.error} title="Your agency reports could not be loaded" />
        : reports.isPending ? <Loading what="Loading your agency reports" />
        : <ReportsTable reports={reports.data.items} all={all} more={!!reports.data.next_cursor} />}
    </>
  );
}

function ReportsTable({ reports, all, more }: { reports: Schemas["AgencyReportOut"][]; all: boolean; more: boolean }) {
  if (reports.length === 0) {
    return (
      <>
        <h2 className="govuk-heading-m">Case review agency reports</h2>
        <p className="govuk-body" data-testid="no-reports">
          {all ? "No agency reports have been assigned to you." : "You have no agency reports to complete."}
        </p>
      </>
    );
  }
  return (
    <>
    <table className="govuk-table" data-testid="my-reports">
      <caption className="govuk-table__caption govuk-table__caption--m">
        {all ? "All case review agency reports assigned to you" : "Case review agency reports to complete"}
      </caption>
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          <th scope="col" className="govuk-table__header">Case reference</th>
          <th scope="col" className="govuk-table__header">Agency</th>
          <th scope="col" className="govuk-table__header">Due</th>
          <th scope="col" className="govuk-table__header">Status</th>
        </tr>
      </thead>
      <tbody className="govuk-table__body">
        {reports.map((r) => {
          const status = FORM_STATUS[r.status] ?? { label: r.status, colour: "govuk-tag--grey" };
          return (
            <tr className="govuk-table__row" key={r.id}>
              <td className="govuk-table__cell app-nowrap">
                <Link className="govuk-link" to={`/my-forms/agency-reports/${r.case_id}/${r.id}`}>
                  {r.case_reference}<span className="govuk-visually-hidden"> agency report for {r.agency}</span>
                </Link>
              </td>
              <td className="govuk-table__cell">{r.agency}</td>
              <td className="govuk-table__cell">
                <span className="app-nowrap">{formatDate(r.due_on)}</span>
                {r.overdue && r.status === "requested" ? <> <strong className="govuk-tag govuk-tag--red">Overdue</strong></> : null}
              </td>
              <td className="govuk-table__cell"><strong className={`govuk-tag ${status.colour}`}>{status.label}</strong></td>
            </tr>
          );
        })}
      </tbody>
    </table>
    {more ? <p className="govuk-body-s">Showing the first 100.</p> : null}
    </>
  );
}

function FormsTable({ forms, all }: { forms: FormView[]; all: boolean }) {
  if (forms.length === 0) {
    return <p className="govuk-body" data-testid="no-forms">{all ? "No forms have been assigned to you." : "You have no forms to complete."}</p>;
  }
  return (
    <table className="govuk-table" data-testid="my-forms">
      <caption className="govuk-table__caption govuk-table__caption--m">
        {all ? "All reporting forms assigned to you" : "Reporting forms to complete"}
      </caption>
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          <th scope="col" className="govuk-table__header">Case reference</th>
          <th scope="col" className="govuk-table__header">Agency</th>
          <th scope="col" className="govuk-table__header">Child&apos;s age</th>
          <th scope="col" className="govuk-table__header">Due</th>
          <th scope="col" className="govuk-table__header">Status</th>
        </tr>
      </thead>
      <tbody className="govuk-table__body">
        {forms.map((f) => {
          const status = FORM_STATUS[f.status] ?? { label: f.status, colour: "govuk-tag--grey" };
          return (
            <tr className="govuk-table__row" key={f.form_id}>
              <td className="govuk-table__cell app-nowrap">
                <Link className="govuk-link" to={`/my-forms/${f.form_id}`}>
                  {f.reference}<span className="govuk-visually-hidden"> reporting form for {f.agency}</span>
                </Link>
              </td>
              <td className="govuk-table__cell">
                {f.agency}
                {(f.forms ?? []).some((d) => d.key !== MAIN_FORM) ? (
                  <><br /><span className="govuk-hint govuk-!-font-size-16 govuk-!-margin-bottom-0" data-testid="forms-asked">
                    {(f.forms ?? []).map((d) => d.title).join("; ")}
                  </span></>
                ) : null}
              </td>
              <td className="govuk-table__cell">{f.child_age_band}</td>
              <td className="govuk-table__cell">
                <span className="app-nowrap">{formatDate(f.due_on)}</span>
                {f.overdue && f.status === "requested" ? <> <strong className="govuk-tag govuk-tag--red">Overdue</strong></> : null}
              </td>
              <td className="govuk-table__cell"><strong className={`govuk-tag ${status.colour}`}>{status.label}</strong></td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
