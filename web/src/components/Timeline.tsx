// A case's history as the MOJ timeline (newest first).
import { formatDateTime, humanise } from "../lib/format";
import { statusLabel } from "./StatusTag";

export type TimelineEntry = {
  at: string; actor: string; action: string; from?: string | null; to: string; note?: string | null;
  label?: string;
};

export function Timeline({ entries, labels = {} }: { entries: TimelineEntry[]; labels?: Record<string, string> }) {
  if (!entries.length) return <p className="govuk-body">Nothing has happened yet.</p>;
  const newestFirst = [...entries].reverse();
  return (
    <div className="moj-timeline">
      {newestFirst.map((e, i) => (
        <div className="moj-timeline__item" key={`${e.at}-${i}`}>
          <div className="moj-timeline__header">
            <h3 className="moj-timeline__title">{e.label ?? labels[e.action] ?? humanise(e.action)}</h3>{" "}
            <p className="moj-timeline__byline">by {e.actor}</p>
          </div>
          <p className="moj-timeline__date">
            <time dateTime={e.at}>{formatDateTime(e.at)}</time>
          </p>
          <div className="moj-timeline__description">
            {e.from && e.from !== e.to ? (
              <p className="govuk-body">{statusLabel(e.from)} to {statusLabel(e.to)}</p>
            ) : null}
            {e.note ? <p className="govuk-body app-field-value">{e.note}</p> : null}
          </div>
        </div>
      ))}
    </div>
  );
}
