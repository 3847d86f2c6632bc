// A GOV.UK summary list of label/value rows (empty values show as "Not given").
import type { ReactNode } from "react";

export type Row = { key: string; value: ReactNode; action?: ReactNode };

export function SummaryList({ rows, id }: { rows: Row[]; id?: string }) {
  return (
    <dl className="govuk-summary-list" id={id}>
      {rows.map((r) => (
        <div className="govuk-summary-list__row" key={r.key}>
          <dt className="govuk-summary-list__key">{r.key}</dt>
          <dd className="govuk-summary-list__value app-field-value">
            {r.value === null || r.value === undefined || r.value === "" ? <span className="govuk-hint">Not given</span> : r.value}
          </dd>
          {r.action ? <dd className="govuk-summary-list__actions">{r.action}</dd> : null}
        </div>
      ))}
    </dl>
  );
}
