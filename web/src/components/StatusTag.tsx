// A case's state as a GOV.UK tag: colour by how far along the case is, words from the state.
import { humanise } from "../lib/format";

const COLOURS: Record<string, string> = {
  received: "govuk-tag--blue", notified: "govuk-tag--blue",
  screening: "govuk-tag--light-blue", information_requested: "govuk-tag--yellow", information_gathering: "govuk-tag--light-blue",
  awaiting_decision: "govuk-tag--orange", scr_recommended: "govuk-tag--orange", rapid_review: "govuk-tag--orange",
  rapid_review_sent: "govuk-tag--orange", on_hold: "govuk-tag--yellow", ready_for_panel: "govuk-tag--purple",
  scheduled_for_panel: "govuk-tag--purple", review_in_progress: "govuk-tag--purple",
  monitoring_other_la_review: "govuk-tag--purple", monitoring_national_review: "govuk-tag--purple",
  report_submitted: "govuk-tag--pink", report_approved: "govuk-tag--turquoise", publication_deferred: "govuk-tag--yellow",
  published: "govuk-tag--green", reviewed: "govuk-tag--green", closed: "govuk-tag--grey", withdrawn: "govuk-tag--grey",
  transferred_out: "govuk-tag--grey",
};

// words where humanising the code would read badly
const LABELS: Record<string, string> = {
  scr_recommended: "SCR recommended",
  monitoring_other_la_review: "Monitoring another authority’s review",
};

export function statusLabel(status: string): string {
  return LABELS[status] ?? humanise(status);
}

export function StatusTag({ status }: { status: string }) {
  return <strong className={`govuk-tag ${COLOURS[status] ?? "govuk-tag--grey"}`}>{statusLabel(status)}</strong>;
}
