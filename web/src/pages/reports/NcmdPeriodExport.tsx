// The reports page's "National data export" section (cdop_coordinator only): the ecr-ncmd-export
// records of the child deaths whose panel analysis was recorded in a period (GET /exports/ncmd,
// by default this year to date, as the API's), downloaded as one JSON file through a Blob URL.
// Fetched on click only; the count downloaded in a success banner; a period the API refuses (422)
// as an error summary linked to the date fields (the page title then starts "Error: ").
import { useEffect, useState, type FormEvent } from "react";

import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { DateInput, isoDate } from "../../components/fields";
import { SuccessBanner } from "../../components/Page";
import { ApiError } from "../../api/client";
import { errorText } from "../../lib/errors";
import { todayIso } from "../../lib/format";
import { fetchNcmdExport, ncmdDefaultPeriod, ncmdPeriodFileName, ncmdPeriodMessages } from "./ncmd";
import { saveJson } from "../../lib/download";

/** "2026-04-01" as the three boxes hold it ("2026-4-1"). */
function boxes(iso: string): string {
  const [y = "", m = "", d = ""] = iso.split("-");
  return `${y}-${m.replace(/^0(?=\d)/, "")}-${d.replace(/^0(?=\d)/, "")}`;
}

/** `checkPeriod`: the reports page's own check of a period's two dates (messages under "from", "to"). */
export function NcmdPeriodExport({ checkPeriod, onErrorChange }: {
  checkPeriod: (from: string, to: string) => Record<string, string>;
  /** whether the section shows errors (the page title then starts "Error: ") */
  onErrorChange?: (has: boolean) => void;
}) {
  const initial = ncmdDefaultPeriod(todayIso());
  const [from, setFrom] = useState(boxes(initial.from));
  const [to, setTo] = useState(boxes(initial.to));
  const [busy, setBusy] = useState(false);
  const [messages, setMessages] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);
  const hasErrors = Object.keys(messages).length > 0;
  useEffect(() => onErrorChange?.(hasErrors), [hasErrors, onErrorChange]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const period = { from: isoDate(from), to: isoDate(to) };
    const checked = checkPeriod(period.from, period.to);
    const errors: Record<string, string> = {};
    if (checked.from) errors.ncmd_from = checked.from;
    if (checked.to) errors.ncmd_to = checked.to;
    setMessages(errors);
    if (Object.keys(errors).length) return;
    setBusy(true);
    try {
      const data = await fetchNcmdExport(period);
      const filename = ncmdPeriodFileName(period);
      saveJson(data, filename);
      const n = data.count;
      setDone(`Downloaded ${n} record${n === 1 ? "" : "s"} in ${filename}`);
    } catch (err) {
      const byField = err instanceof ApiError && err.status === 422 ? ncmdPeriodMessages(err) : {};
      setMessages(Object.keys(byField).length ? byField : { _: `The records could not be downloaded. ${errorText(err)}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="ncmd-heading" className="govuk-!-margin-bottom-9" data-testid="ncmd-export">
      {done ? <SuccessBanner focus testId="ncmd-success" id="ncmd-success">{done}</SuccessBanner> : null}
      <ErrorSummary items={summaryItems(messages, ["ncmd_from", "ncmd_to"])} />
      <h2 className="govuk-heading-l" id="ncmd-heading">National data export</h2>
      <p className="govuk-body">
        The child deaths whose panel analysis was recorded in the period, one structured record each (JSON), to
        enter into the National Child Mortality Database (NCMD). Nothing is sent to NCMD: this service has no
        connection to it. A period is at most 366 days.
      </p>
      <form onSubmit={submit} noValidate aria-label="National data export period">
        <div className="govuk-grid-row">
          <div className="govuk-grid-column-one-third">
            <DateInput name="ncmd_from" label="Analysis recorded from" value={from} onChange={setFrom}
              error={messages.ncmd_from} hint="For example, 1 1 2026" />
          </div>
          <div className="govuk-grid-column-one-third">
            <DateInput name="ncmd_to" label="To" value={to} onChange={setTo} error={messages.ncmd_to}
              hint="For example, 31 12 2026" />
          </div>
        </div>
        <button type="submit" className="govuk-button govuk-button--secondary" data-module="govuk-button"
          disabled={busy} aria-disabled={busy}>
          Download the records (JSON)
        </button>
      </form>
    </section>
  );
}
