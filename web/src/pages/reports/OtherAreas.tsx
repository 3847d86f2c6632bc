// The child death statistics' other areas (API.md "Responsibility and other areas"): notifications
// by local authority of residence (whether the panel covers it), and the deaths transferred out in
// the period (the home panel's outcome, or awaited with its due date and an overdue tag) and
// transferred in (our panel's outcome). Tables from the report already fetched: no API call.
import { Link } from "react-router";

import type { Schemas } from "../../api/client";
import { formatDate } from "../../lib/format";

type ChildDeathReport = Schemas["ChildDeathReport"];
type OutOfAreaRow = ChildDeathReport["out_of_area"][number];

const MODIFIABLE: Record<string, string> = { yes: "yes", no: "no", insufficient_information: "insufficient information" };

/** The outcome of a death transferred out or in, in words (without the overdue tag). */
export function areaOutcomeText(r: OutOfAreaRow): string {
  if (r.outcome === "recorded") {
    const modifiable = r.modifiable ? MODIFIABLE[r.modifiable] ?? r.modifiable : "";
    return `Category ${r.category}${r.category_label ? `. ${r.category_label}` : ""}; modifiable factors: ${modifiable}`;
  }
  if (r.direction === "in") return "Awaiting our panel’s review";
  return r.due_on ? `Awaiting, due ${formatDate(r.due_on)}` : "Awaiting";
}

export function coveredText(v: boolean | null | undefined): string {
  return v === true ? "Yes" : v === false ? "No" : "Not known";
}

export function OtherAreas({ report }: { report: ChildDeathReport }) {
  const rows = report.out_of_area;
  const overdue = rows.filter((r) => r.overdue).length;
  return (
    <>
      <table className="govuk-table" data-testid="local-authorities-table">
        <caption className="govuk-table__caption govuk-table__caption--m">Notifications by local authority of residence</caption>
        <thead className="govuk-table__head">
          <tr className="govuk-table__row">
            <th scope="col" className="govuk-table__header">Local authority</th>
            <th scope="col" className="govuk-table__header">Covered by this panel</th>
            <th scope="col" className="govuk-table__header govuk-table__header--numeric">Notifications</th>
          </tr>
        </thead>
        <tbody className="govuk-table__body">
          {report.by_local_authority.length ? report.by_local_authority.map((r) => (
            <tr className="govuk-table__row" key={r.local_authority ?? ""}>
              <th scope="row" className="govuk-table__header govuk-!-font-weight-regular">{r.local_authority ?? "Not recorded"}</th>
              <td className="govuk-table__cell">{coveredText(r.in_our_area)}</td>
              <td className="govuk-table__cell govuk-table__cell--numeric" data-figure={`by_local_authority|${r.local_authority ?? "not recorded"}|`}>
                {r.notifications}
              </td>
            </tr>
          )) : (
            <tr className="govuk-table__row"><td className="govuk-table__cell" colSpan={3}>No notifications in this period.</td></tr>
          )}
        </tbody>
      </table>

      <table className="govuk-table" data-testid="out-of-area-table">
        <caption className="govuk-table__caption govuk-table__caption--m">Deaths transferred to or from other areas</caption>
        <thead className="govuk-table__head">
          <tr className="govuk-table__row">
            <th scope="col" className="govuk-table__header">Child death</th>
            <th scope="col" className="govuk-table__header">Transfer</th>
            <th scope="col" className="govuk-table__header">Outcome</th>
          </tr>
        </thead>
        <tbody className="govuk-table__body">
          {rows.length ? rows.map((r) => (
            <tr className="govuk-table__row" key={`${r.direction}-${r.id}`} data-testid={`out-of-area-${r.id}`}>
              <th scope="row" className="govuk-table__header govuk-!-font-weight-regular">
                <Link className="govuk-link" to={`/child-deaths/${r.id}`}>{r.reference}</Link>
              </th>
              <td className="govuk-table__cell">
                {r.direction === "out" ? `Out to ${r.area}` : `In from ${r.area}`}
                {r.transferred_on ? `, ${formatDate(r.transferred_on)}` : ""}
              </td>
              <td className="govuk-table__cell">
                {areaOutcomeText(r)}
                {r.overdue ? <> <strong className="govuk-tag govuk-tag--red">Overdue</strong></> : null}
              </td>
            </tr>
          )) : (
            <tr className="govuk-table__row"><td className="govuk-table__cell" colSpan={3}>No deaths were transferred to or from other areas in this period.</td></tr>
          )}
        </tbody>
      </table>
      {overdue ? (
        <p className="govuk-body" data-testid="overdue-transfers">
          {overdue === 1 ? "1 death transferred out has" : `${overdue} deaths transferred out have`} no outcome from the home
          area’s panel past its due date.{" "}
          <Link className="govuk-link" to="/child-deaths/list?overdue_kind=external_outcome">
            List every transfer whose home panel’s outcome is overdue
          </Link>
        </p>
      ) : null}
    </>
  );
}
