// "Other areas" on a child death (API.md "Responsibility and other areas"): the responsible area
// (where the child normally lived, or the area looking after a looked-after child) and whether the
// panel covers it (ECR_CDOP_AREAS), a warning when the death belongs to another area and has not
// been transferred, the transfer out (home CDOP and contact) with the home panel's outcome or
// "awaiting, due <date>" (overdue tag), and a transfer in. Data: the case only (no API call).
import type { Schemas } from "../../api/client";
import { SummaryList, type Row } from "../../components/SummaryList";
import { formatDate, formatDateTime } from "../../lib/format";
import { CATEGORIES, MODIFIABLE } from "./domain";

type ChildDeath = Schemas["ChildDeathOut"];

const FINISHED = ["closed", "withdrawn", "transferred_out"];
// the states transfer_out starts from (API.md)
const TRANSFERABLE = ["notified", "information_gathering"];

/** Words for the home panel's outcome, or what is awaited. */
export function outcomeText(o: NonNullable<ChildDeath["out_of_area"]>): string {
  if (o.outcome) {
    const category = `${o.outcome.category}. ${o.outcome.category_label || CATEGORIES[o.outcome.category - 1]?.label || ""}`;
    const modifiable = MODIFIABLE.find((m) => m.value === o.outcome?.modifiable)?.label ?? o.outcome.modifiable;
    return `Category ${category}. Modifiable factors: ${modifiable.toLowerCase()}. Received ${formatDate(o.outcome.received_on)}.`;
  }
  return o.outcome_due_on ? `Awaiting the home panel’s outcome, due ${formatDate(o.outcome_due_on)}` : "Awaiting the home panel’s outcome";
}

/** The responsible area in words, with whether the panel covers it. */
export function responsibleText(c: Pick<ChildDeath, "responsible_area" | "in_our_area" | "child">): string {
  if (!c.responsible_area) {
    return c.child.looked_after ? "Not known: record the local authority looking after the child" : "Not known: no home local authority recorded";
  }
  const why = c.child.looked_after ? " (the local authority looking after the child)" : " (where the child normally lived)";
  const ours = c.in_our_area === true ? ": covered by this panel" : c.in_our_area === false ? ": not covered by this panel" : "";
  return `${c.responsible_area}${why}${ours}`;
}

export function OutOfArea({ c }: { c: ChildDeath }) {
  const o = c.out_of_area;
  const moved = c.transferred_from;
  const belongsElsewhere = c.in_our_area === false && !FINISHED.includes(c.status);
  const rows: Row[] = [
    { key: "Responsible area", value: responsibleText(c) },
    ...(c.child.looked_after ? [{ key: "Looked-after child", value: `Yes${c.child.looked_after_by ? `, by ${c.child.looked_after_by}` : ""}` }] : []),
  ];
  if (o) {
    const contact = [o.home_cdop_contact_name, o.home_cdop_email, o.home_cdop_phone].filter(Boolean).join(", ");
    rows.push(
      { key: "Transferred to", value: `${o.home_area}’s CDOP${o.transferred_on ? ` on ${formatDate(o.transferred_on)}` : ""}` },
      { key: "Home CDOP contact", value: contact },
      {
        key: "Home panel’s outcome",
        value: (
          <span data-testid="external-outcome">
            {outcomeText(o)}
            {o.outcome_overdue ? <> <strong className="govuk-tag govuk-tag--red">Overdue</strong></> : null}
            {o.outcome?.note ? <><br /><span className="govuk-hint govuk-!-margin-bottom-0">{o.outcome.note}</span></> : null}
          </span>
        ),
      },
    );
    if (o.outcome) rows.push({ key: "Outcome recorded", value: `${formatDateTime(o.outcome.recorded_at)}${o.outcome.recorded_by ? ` by ${o.outcome.recorded_by}` : ""}` });
  }
  if (moved) {
    rows.push({
      key: "Transferred from",
      value: `${moved.area}’s CDOP${moved.contact_email ? ` (${moved.contact_email})` : ""}${moved.received_on ? `, received ${formatDate(moved.received_on)}` : ""}`,
    });
  }
  return (
    <div className="govuk-summary-card" id="other-areas" data-testid="other-areas">
      <div className="govuk-summary-card__title-wrapper">
        <h2 className="govuk-summary-card__title">Other areas</h2>
      </div>
      <div className="govuk-summary-card__content">
        {belongsElsewhere ? (
          <div className="govuk-warning-text" data-testid="belongs-elsewhere">
            <span className="govuk-warning-text__icon" aria-hidden="true">!</span>
            <strong className="govuk-warning-text__text">
              <span className="govuk-visually-hidden">Warning</span>
              This death belongs to {c.responsible_area}, which this panel does not cover
              {TRANSFERABLE.includes(c.status) ? `: transfer it to ${c.responsible_area}’s CDOP.` : "."}
            </strong>
          </div>
        ) : null}
        <SummaryList rows={rows} />
      </div>
    </div>
  );
}
