// A child death's clocks (the 2018 guidance's timings, stored deadlines): each with its due date and
// its outcome (met, met late, missed, waived) or, while it runs, whether it is overdue. They come
// with the case (GET /child-deaths/{id}): no call of their own.
import type { Schemas } from "../../api/client";
import { formatDate } from "../../lib/format";

type Clock = Schemas["ClockOut"];

const OUTCOMES: Record<string, { text: string; tag: string }> = {
  met_on_time: { text: "Met", tag: "govuk-tag--green" },
  met_late: { text: "Met late", tag: "govuk-tag--orange" },
  missed: { text: "Missed", tag: "govuk-tag--red" },
  waived: { text: "Waived", tag: "govuk-tag--grey" },
};

/** The words and tag colour of a clock's state. */
export function clockState(c: Pick<Clock, "outcome" | "overdue"> & { paused?: boolean }): { text: string; tag: string } {
  if (c.outcome) return OUTCOMES[c.outcome] ?? { text: c.outcome, tag: "govuk-tag--grey" };
  if (c.paused) return { text: "Paused", tag: "govuk-tag--yellow" };
  return c.overdue ? { text: "Overdue", tag: "govuk-tag--red" } : { text: "Running", tag: "govuk-tag--blue" };
}

export function Clocks({ clocks }: { clocks: Clock[] }) {
  return (
    <div className="govuk-summary-card" id="clocks" data-testid="clocks">
      <div className="govuk-summary-card__title-wrapper">
        <h2 className="govuk-summary-card__title" id="clocks-heading">Clocks</h2>
      </div>
      <div className="govuk-summary-card__content">
        {clocks.length ? (
          <table className="govuk-table app-table--compact govuk-!-margin-bottom-0" aria-labelledby="clocks-heading">
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                <th scope="col" className="govuk-table__header">Clock</th>
                <th scope="col" className="govuk-table__header">Due</th>
                <th scope="col" className="govuk-table__header">Outcome</th>
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {clocks.map((c, i) => {
                const state = clockState(c);
                return (
                  <tr className="govuk-table__row" key={`${c.kind}-${i}`} data-testid={`clock-${c.kind}`}>
                    <td className="govuk-table__cell">{c.label}</td>
                    <td className="govuk-table__cell app-nowrap">{formatDate(c.due_on)}</td>
                    <td className="govuk-table__cell">
                      <strong className={`govuk-tag ${state.tag}`}>{state.text}</strong>
                      {c.outcome && c.outcome !== "waived" && c.closed_on ? (
                        <><br /><span className="govuk-body-s">on {formatDate(c.closed_on)}</span></>
                      ) : null}
                      {c.waived_reason ? <><br /><span className="govuk-body-s">{c.waived_reason}</span></> : null}
                      {c.paused ? <><br /><span className="govuk-body-s">while the case is on hold: the due date moves on by the days on hold when it is released</span></> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : <p className="govuk-body govuk-!-margin-bottom-0">This case has no clocks (it was notified before they were kept).</p>}
      </div>
    </div>
  );
}
