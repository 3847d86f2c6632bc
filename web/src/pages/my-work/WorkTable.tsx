// The cases of one My work section: reference (a link to the case), child, status, due date.
import { Link } from "react-router";

import { StatusTag } from "../../components/StatusTag";
import { formatDate } from "../../lib/format";
import type { WorkItem } from "./partition";

export function WorkTable({ items, labelledBy }: { items: WorkItem[]; labelledBy: string }) {
  return (
    <table className="govuk-table" aria-labelledby={labelledBy}>
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          <th scope="col" className="govuk-table__header govuk-!-width-one-quarter">Reference</th>
          <th scope="col" className="govuk-table__header govuk-!-width-one-quarter">Child</th>
          <th scope="col" className="govuk-table__header govuk-!-width-one-quarter">Status</th>
          <th scope="col" className="govuk-table__header govuk-!-width-one-quarter">Next deadline</th>
        </tr>
      </thead>
      <tbody className="govuk-table__body">
        {items.map((item) => (
          <tr className="govuk-table__row" key={item.id} data-case-id={item.id}>
            <td className="govuk-table__cell app-nowrap">
              <Link className="govuk-link" to={`/case-reviews/${item.id}`}>{item.reference}</Link>
            </td>
            <td className="govuk-table__cell">{item.childName ?? <span className="govuk-hint">Not shown</span>}</td>
            <td className="govuk-table__cell"><StatusTag status={item.status} /></td>
            <td className="govuk-table__cell">
              {item.dueOn ? <span className="app-nowrap">{formatDate(item.dueOn)}</span> : "None"}
              {item.overdue ? <> <strong className="govuk-tag govuk-tag--red">Overdue</strong></> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
