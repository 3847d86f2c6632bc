// The open deadlines of a case: what is due, by when, and whether it is overdue.
import { formatDate } from "../lib/format";

export type Deadline = { kind: string; label: string; due_on: string; overdue: boolean; start_on?: string };

export function DeadlineList({ deadlines }: { deadlines: Deadline[] }) {
  if (!deadlines.length) return <p className="govuk-body">No open deadlines.</p>;
  return (
    <table className="govuk-table">
      <caption className="govuk-table__caption govuk-table__caption--m">Deadlines</caption>
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          <th scope="col" className="govuk-table__header">What</th>
          <th scope="col" className="govuk-table__header">Due</th>
          <th scope="col" className="govuk-table__header">Status</th>
        </tr>
      </thead>
      <tbody className="govuk-table__body">
        {deadlines.map((d) => (
          <tr className="govuk-table__row" key={d.kind}>
            <td className="govuk-table__cell">{d.label}</td>
            <td className="govuk-table__cell app-nowrap">{formatDate(d.due_on)}</td>
            <td className="govuk-table__cell">
              {d.overdue ? <strong className="govuk-tag govuk-tag--red">Overdue</strong> : <strong className="govuk-tag govuk-tag--grey">Due</strong>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
