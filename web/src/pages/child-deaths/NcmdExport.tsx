// The case page's "National Child Mortality Database" section: for a cdop_coordinator, on a
// reviewed or closed child death, the case's ecr-ncmd-export record (GET .../ncmd) downloaded as a
// JSON file through a Blob URL. Fetched on click only (the page's 3 calls on load stand); a refusal
// is shown as a GOV.UK error summary.
import { useEffect, useState } from "react";

import { hasRole, useSession } from "../../api/session";
import { ErrorSummary } from "../../components/ErrorSummary";
import { errorText } from "../../lib/errors";
import { fetchNcmdRecord, ncmdCaseFileName } from "../reports/ncmd";
import type { ChildDeath } from "./ChildDeathPage";
import { saveJson } from "../../lib/download";

const EXPORTABLE = ["reviewed", "closed"];

export function NcmdExport({ c, onErrorChange }: { c: ChildDeath; onErrorChange?: (hasErrors: boolean) => void }) {
  const { data: session } = useSession();
  const [state, setState] = useState<{ busy: boolean; error: string | null; done: string | null }>({ busy: false, error: null, done: null });
  useEffect(() => { onErrorChange?.(!!state.error); }, [state.error, onErrorChange]);
  if (!hasRole(session, "cdop_coordinator") || !EXPORTABLE.includes(c.status)) return null;

  const download = async () => {
    setState({ busy: true, error: null, done: null });
    const filename = ncmdCaseFileName(c.reference);
    try {
      saveJson(await fetchNcmdRecord(c.id), filename);
      setState({ busy: false, error: null, done: filename });
    } catch (e) {
      setState({ busy: false, error: `The NCMD record could not be downloaded. ${errorText(e)}`, done: null });
    }
  };

  return (
    <section aria-labelledby="ncmd-heading" className="govuk-!-margin-bottom-6" data-testid="ncmd-export">
      <ErrorSummary items={state.error ? [{ key: "ncmd", text: state.error, href: "ncmd-download" }] : []} />
      <h2 className="govuk-heading-m" id="ncmd-heading">National Child Mortality Database</h2>
      <p className="govuk-body">
        Download this child death as a structured record (JSON) to enter into the National Child Mortality
        Database (NCMD). It holds the notification, the review meetings, the reporting forms and the panel’s
        analysis. Nothing is sent to NCMD: this service has no connection to it.
      </p>
      <button type="button" id="ncmd-download" className="govuk-button govuk-button--secondary" data-module="govuk-button"
        onClick={download} disabled={state.busy} aria-disabled={state.busy}>
        Download the NCMD record (JSON)
      </button>
      <p className="govuk-body" role="status" data-testid="ncmd-downloaded">
        {state.done ? `Downloaded ${state.done}.` : ""}
      </p>
    </section>
  );
}
