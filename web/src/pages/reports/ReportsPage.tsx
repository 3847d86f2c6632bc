// Reports (/app/reports): the case review figures (GET /reports/case-reviews) and the child death
// statistics (GET /reports/child-deaths) for a period in the address (?from=&to=, by default the
// last financial year). Each figure is a GOV.UK table; outcomes, categories with the modifiable
// share, age bands and timeliness also as a bar chart beside or under their table. Each report
// can be downloaded as CSV (the API's own CSV, fetched and offered through a Blob URL).
// Two API calls at most; a section is shown only to the roles that may read it (the API answers
// 403 to the others, which is shown in words if it happens). A coordinator also has the national
// data export (NcmdPeriodExport: fetched on request only, so no call on load).
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { useSearchParams } from "react-router";

import { api, ApiError, unwrap, type Schemas } from "../../api/client";
import { hasRole, useSession } from "../../api/session";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { DateInput, isoDate } from "../../components/fields";
import { Loading, useTitle } from "../../components/Page";
import { errorText, fieldMessages } from "../../lib/errors";
import { formatDate, todayIso } from "../../lib/format";
import { BarChart } from "./BarChart";
import { OtherAreas } from "./OtherAreas";
import { NcmdPeriodExport } from "./NcmdPeriodExport";
import { barsFromCounts, labelFor, percentText, periodFromParams, type BarInput } from "./chart";
import {
  AGE_BAND_LABELS, DEADLINE_LABELS, EXPECTED_LABELS, HOLD_LABELS, INCIDENT_LABELS, OUTCOME_LABELS,
  PLACE_LABELS, PUBLICATION_LABELS, SCR_LABELS, SOURCE_LABELS, TIMELINESS_MEASURES,
} from "./labels";
import { saveText } from "../../lib/download";

type CaseReviewReport = Schemas["CaseReviewReport"];
type ChildDeathReport = Schemas["ChildDeathReport"];

const CASE_REVIEW_READERS = ["business_unit", "crg_chair", "independent_chair"] as const;
const CHILD_DEATH_READERS = ["cdop_coordinator", "cdop_chair"] as const;

/** "2026-4-1" as typed back to the three boxes' form ("2026-04-01" from the address). */
function typed(iso: string): string {
  const [y = "", m = "", d = ""] = iso.split("-");
  return `${y}-${m.replace(/^0(?=\d)/, "")}-${d.replace(/^0(?=\d)/, "")}`;
}

/** The period form's fields, checked before the address changes (the API checks them again). */
export function periodErrors(from: string, to: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const valid = (v: string) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
    const d = new Date(`${v}T12:00:00Z`); // 31 February rolls over to March: not a real date
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
  };
  if (!from) errors.from = "Enter the first day of the period";
  else if (!valid(from)) errors.from = "The first day must be a real date";
  if (!to) errors.to = "Enter the last day of the period";
  else if (!valid(to)) errors.to = "The last day must be a real date";
  if (!errors.from && !errors.to && to < from) errors.to = "The last day must be the same as or after the first day";
  return errors;
}

export function ReportsPage() {
  const [params, setParams] = useSearchParams();
  const period = periodFromParams(params, todayIso());
  const { data: session } = useSession();
  const showCaseReviews = hasRole(session, ...CASE_REVIEW_READERS);
  const showChildDeaths = hasRole(session, ...CHILD_DEATH_READERS);

  const caseReviews = useQuery({
    queryKey: ["reports", "case-reviews", period.from, period.to],
    enabled: showCaseReviews,
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/reports/case-reviews", { params: { query: period } })) as CaseReviewReport,
  });
  const childDeaths = useQuery({
    queryKey: ["reports", "child-deaths", period.from, period.to],
    enabled: showChildDeaths,
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/reports/child-deaths", { params: { query: period } })) as ChildDeathReport,
  });

  const [from, setFrom] = useState(typed(period.from));
  const [to, setTo] = useState(typed(period.to));
  const [formErrors, setFormErrors] = useState<Record<string, string>>({});
  // a period the API refused (422): its messages, by field
  const apiErrors = { ...fieldMessages(childDeaths.error), ...fieldMessages(caseReviews.error) };
  const messages = Object.keys(formErrors).length ? formErrors : apiErrors;
  const hasErrors = Object.keys(messages).length > 0;
  const [exportErrors, setExportErrors] = useState(false); // the national data export's own form
  useTitle("Reports", hasErrors || exportErrors);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = { from: isoDate(from), to: isoDate(to) };
    const errors = periodErrors(next.from, next.to);
    setFormErrors(errors);
    if (Object.keys(errors).length) return;
    setParams(next);
  };

  return (
    <>
      <ErrorSummary items={summaryItems(messages, ["from", "to"])} />
      <h1 className="govuk-heading-l">Reports</h1>
      <form onSubmit={submit} noValidate className="govuk-!-margin-bottom-6" aria-label="Period">
        <div className="govuk-grid-row">
          <div className="govuk-grid-column-one-third">
            <DateInput name="from" label="From" value={from} onChange={setFrom} error={messages.from}
              hint="For example, 1 4 2025" />
          </div>
          <div className="govuk-grid-column-one-third">
            <DateInput name="to" label="To" value={to} onChange={setTo} error={messages.to} hint="For example, 31 3 2026" />
          </div>
        </div>
        <button type="submit" className="govuk-button govuk-button--secondary" data-module="govuk-button">Show figures</button>
      </form>
      <p className="govuk-body-l" data-testid="report-period">
        Figures for {formatDate(period.from)} to {formatDate(period.to)}
      </p>
      {!showCaseReviews && !showChildDeaths ? (
        <p className="govuk-body">You do not have access to any reports. Ask an administrator if you need one.</p>
      ) : null}
      {showCaseReviews ? (
        <Section id="case-reviews" title="Case reviews" query={caseReviews} period={period}
          csvPath="/api/v1/reports/case-reviews" csvName={`case-reviews-${period.from}-${period.to}.csv`}>
          {caseReviews.data ? <CaseReviewFigures report={caseReviews.data} /> : null}
        </Section>
      ) : null}
      {showChildDeaths ? (
        <Section id="child-deaths" title="Child deaths" query={childDeaths} period={period}
          csvPath="/api/v1/reports/child-deaths" csvName={`child-deaths-${period.from}-${period.to}.csv`}>
          {childDeaths.data ? <ChildDeathFigures report={childDeaths.data} /> : null}
        </Section>
      ) : null}
      {hasRole(session, "cdop_coordinator") ? <NcmdPeriodExport checkPeriod={periodErrors} onErrorChange={setExportErrors} /> : null}
    </>
  );
}

function Section({ id, title, query, period, csvPath, csvName, children }: {
  id: string; title: string; query: { isPending: boolean; isError: boolean; error: unknown };
  period: { from: string; to: string }; csvPath: CsvPath; csvName: string; children: ReactNode;
}) {
  const refused = query.error instanceof ApiError && query.error.status === 422;
  return (
    <section aria-labelledby={`${id}-heading`} className="govuk-!-margin-bottom-9" data-testid={`${id}-report`}>
      <h2 className="govuk-heading-l" id={`${id}-heading`}>{title}</h2>
      {query.isError ? (
        <p className="govuk-body">
          {refused ? "These figures cannot be shown for this period." : errorText(query.error)}
        </p>
      ) : query.isPending ? <Loading what={`Loading the ${title.toLowerCase()} figures`} /> : (
        <>
          <CsvDownload path={csvPath} period={period} filename={csvName} what={title.toLowerCase()} />
          {children}
        </>
      )}
    </section>
  );
}

// ---- CSV ------------------------------------------------------------------------------------

type CsvPath = "/api/v1/reports/case-reviews" | "/api/v1/reports/child-deaths";

/** The API's CSV for the period, as text. */
export async function fetchCsv(path: CsvPath, period: { from: string; to: string }): Promise<string> {
  const result = await api.GET(path, { params: { query: period }, headers: { Accept: "text/csv" }, parseAs: "text" });
  if (!result.response.ok) throw new ApiError(result.response.status, null);
  return result.data as unknown as string;
}

function CsvDownload({ path, period, filename, what }: {
  path: CsvPath; period: { from: string; to: string }; filename: string; what: string;
}) {
  const [state, setState] = useState<"idle" | "busy" | "failed">("idle");
  const download = async () => {
    setState("busy");
    try {
      saveText(await fetchCsv(path, period), filename);
      setState("idle");
    } catch {
      setState("failed");
    }
  };
  return (
    <>
      <button type="button" className="govuk-button govuk-button--secondary" data-module="govuk-button"
        onClick={download} disabled={state === "busy"} aria-disabled={state === "busy"}>
        Download the {what} figures (CSV)
      </button>
      {state === "failed" ? <p className="govuk-error-message" role="alert">The file could not be made. Try again.</p> : null}
    </>
  );
}

// ---- tables ---------------------------------------------------------------------------------

type Cell = { value: ReactNode; figure?: string };
type TableRow = { key: string; label: ReactNode; cells: Cell[] };

function FigureTable({ caption, first, headers, rows, testId }: {
  caption: string; first: string; headers: string[]; rows: TableRow[]; testId?: string;
}) {
  return (
    <table className="govuk-table" data-testid={testId}>
      <caption className="govuk-table__caption govuk-table__caption--m">{caption}</caption>
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          <th scope="col" className="govuk-table__header">{first}</th>
          {headers.map((h) => <th scope="col" className="govuk-table__header govuk-table__header--numeric" key={h}>{h}</th>)}
        </tr>
      </thead>
      <tbody className="govuk-table__body">
        {rows.map((r) => (
          <tr className="govuk-table__row" key={r.key}>
            <th scope="row" className="govuk-table__header govuk-!-font-weight-regular">{r.label}</th>
            {r.cells.map((c, i) => (
              <td className="govuk-table__cell govuk-table__cell--numeric" key={i} data-figure={c.figure}>{c.value}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Rows of one count each, from a figure such as {nfa: 3}; `section` names it as the CSV does. */
function countRows(section: string, counts: Record<string, number>, labels: Record<string, string>): TableRow[] {
  return barsFromCounts(counts, labels).map((b) => ({
    key: b.key, label: b.label, cells: [{ value: b.values[0], figure: `${section}|${b.key}|` }],
  }));
}

function Pair({ left, right }: { left: ReactNode; right: ReactNode }) {
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-one-half">{left}</div>
      <div className="govuk-grid-column-one-half">{right}</div>
    </div>
  );
}

// ---- case reviews ---------------------------------------------------------------------------

const REGIME_LABELS: Record<string, string> = {
  CSPR: "Working Together 2018 and 2023 (CSPR)", WT2015: "Working Together 2015 (Serious Case Reviews)",
};
/** The CSPR figures of API.md "Regime CSPR", in its words. */
const CSPR_LABELS: Record<string, string> = {
  serious_incident_notifications: "Serious incidents notified to the national panel",
  notified_within_5_working_days: "Notified within 5 working days",
  rapid_reviews_completed: "Rapid reviews completed",
  rapid_reviews_within_15_working_days: "Rapid reviews within 15 working days",
  lcspr_commissioned: "Local child safeguarding practice reviews commissioned",
  national_reviews: "Taken by the national panel for a national review",
  lcspr_published: "Local child safeguarding practice reviews published",
  lcspr_published_within_6_months: "Published within 6 months",
};

function CaseReviewFigures({ report }: { report: CaseReviewReport }) {
  const timelinessKinds = Object.keys(report.timeliness);
  const timelinessBars: BarInput[] = timelinessKinds.map((kind) => ({
    key: kind, label: labelFor(kind, DEADLINE_LABELS),
    values: TIMELINESS_MEASURES.map((m) => (report.timeliness[kind] as unknown as Record<string, number>)[m.key] ?? 0),
  }));
  return (
    <>
      <FigureTable caption="Notifications" first="Figure" headers={["Number"]} testId="case-review-summary" rows={[
        { key: "received", label: "Notifications received in the period",
          cells: [{ value: report.notifications_received, figure: "notifications_received||" }] },
      ]} />
      <Pair
        left={<FigureTable caption="Outcomes" first="Outcome" headers={["Notifications"]} testId="outcomes-table"
          rows={countRows("outcomes", report.outcomes, OUTCOME_LABELS)} />}
        right={<><h3 className="govuk-heading-m">Outcomes chart</h3>
          <BarChart title="Outcomes of the notifications received" testId="outcomes-chart" width={440}
            bars={barsFromCounts(report.outcomes, OUTCOME_LABELS)} /></>}
      />
      <Pair
        left={<FigureTable caption="How notifications arrived" first="Source" headers={["Notifications"]}
          rows={countRows("by_source", report.by_source, SOURCE_LABELS)} />}
        right={<FigureTable caption="Type of incident" first="Incident" headers={["Notifications"]}
          rows={countRows("by_incident_type", report.by_incident_type, INCIDENT_LABELS)} />}
      />
      <Pair
        left={<FigureTable caption="Serious Case Review decisions" first="Decision" headers={["Cases"]}
          rows={countRows("scr", report.scr, SCR_LABELS)} />}
        right={<FigureTable caption="Publication" first="Publication" headers={["Cases"]}
          rows={countRows("publication", report.publication, PUBLICATION_LABELS)} />}
      />
      <Pair
        left={<FigureTable caption="Notifications by regime" first="Regime" headers={["Notifications"]}
          testId="by-regime-table" rows={countRows("by_regime", report.by_regime ?? {}, REGIME_LABELS)} />}
        right={<FigureTable caption="Rapid reviews and local practice reviews (CSPR)" first="Figure" headers={["Cases"]}
          testId="cspr-table" rows={countRows("cspr", report.cspr ?? {}, CSPR_LABELS)} />}
      />
      <FigureTable caption="Timeliness of deadlines" first="Deadline"
        headers={["Total", ...TIMELINESS_MEASURES.map((m) => m.label)]} testId="timeliness-table"
        rows={timelinessKinds.map((kind) => {
          const row = report.timeliness[kind] as unknown as Record<string, number>;
          return {
            key: kind, label: labelFor(kind, DEADLINE_LABELS),
            cells: ["total", ...TIMELINESS_MEASURES.map((m) => m.key)].map((m) => ({
              value: row[m] ?? 0, figure: `timeliness|${kind}|${m}`,
            })),
          };
        })} />
      <h3 className="govuk-heading-m">Timeliness chart</h3>
      <BarChart title="Timeliness of deadlines" testId="timeliness-chart" bars={timelinessBars}
        series={TIMELINESS_MEASURES} />
    </>
  );
}

// ---- child deaths ---------------------------------------------------------------------------

const MODIFIABLE_SERIES = [
  { key: "modifiable", label: "With modifiable factors" },
  { key: "not_modifiable", label: "Without modifiable factors" },
];

function ChildDeathFigures({ report }: { report: ChildDeathReport }) {
  const summary: TableRow[] = [
    { key: "received", label: "Notifications received", cells: [{ value: report.notifications_received, figure: "notifications_received||" }] },
    { key: "withdrawn", label: "Notifications withdrawn", cells: [{ value: report.notifications_withdrawn, figure: "notifications_withdrawn||" }] },
    { key: "reviews", label: "Reviews completed", cells: [{ value: report.reviews_completed, figure: "reviews_completed||" }] },
    { key: "modifiable", label: "Reviews with modifiable factors", cells: [{ value: report.modifiable.yes, figure: "modifiable|all reviews|" }] },
    { key: "modifiable_percent", label: "Reviews with modifiable factors (%)",
      cells: [{ value: percentText(report.modifiable.percent), figure: report.modifiable.percent === null ? undefined : "modifiable|all reviews|percent" }] },
    { key: "insufficient", label: "Insufficient information", cells: [{ value: report.insufficient_information, figure: "insufficient_information||" }] },
    { key: "referred", label: "Referred for case review", cells: [{ value: report.referred_for_case_review, figure: "referred_for_case_review||" }] },
    { key: "non_resident", label: "Deaths of non-resident children", cells: [{ value: report.non_resident, figure: "non_resident||" }] },
    { key: "transferred", label: "Transferred to another area", cells: [{ value: report.transferred_out, figure: "transferred_out||" }] },
    { key: "transferred_in", label: "Transferred from another area", cells: [{ value: report.transferred_in, figure: "transferred_in||" }] },
  ];
  const categoryBars: BarInput[] = report.by_category.map((c) => ({
    key: String(c.category), label: `${c.category}. ${c.label}`, values: [c.modifiable, Math.max(0, c.reviews - c.modifiable)],
  }));
  const holdKeys = Object.keys({ ...HOLD_LABELS, ...report.holds_placed, ...report.holds_open_at_end });
  return (
    <>
      <FigureTable caption="Summary" first="Figure" headers={["Number"]} rows={summary} testId="child-death-summary" />
      <FigureTable caption="Reviews by category of death" first="Category"
        headers={["Reviews", "Modifiable factors", "Modifiable (%)", "Insufficient information"]} testId="categories-table"
        rows={report.by_category.map((c) => {
          const item = `${c.category} ${c.label}`;
          return {
            key: String(c.category), label: `${c.category}. ${c.label}`,
            cells: [
              { value: c.reviews, figure: `category_reviews|${item}|` },
              { value: c.modifiable, figure: `category_modifiable|${item}|` },
              { value: percentText(c.modifiable_percent), figure: c.modifiable_percent === null ? undefined : `category_modifiable|${item}|percent` },
              { value: c.insufficient_information },
            ],
          };
        })} />
      <h3 className="govuk-heading-m">Categories chart</h3>
      <BarChart title="Reviews by category of death, with the share that had modifiable factors"
        testId="categories-chart" bars={categoryBars} series={MODIFIABLE_SERIES} />
      <Pair
        left={<FigureTable caption="Age at death" first="Age" headers={["Notifications"]} testId="age-bands-table"
          rows={countRows("by_age_band", report.by_age_band, AGE_BAND_LABELS)} />}
        right={<><h3 className="govuk-heading-m">Age at death chart</h3>
          <BarChart title="Notifications by age at death" testId="age-bands-chart" width={440}
            bars={barsFromCounts(report.by_age_band, AGE_BAND_LABELS)} /></>}
      />
      <Pair
        left={<FigureTable caption="Expected and unexpected deaths" first="Death" headers={["Notifications"]}
          rows={countRows("expected_vs_unexpected", report.expected_vs_unexpected, EXPECTED_LABELS)} />}
        right={<FigureTable caption="Place of death" first="Place" headers={["Notifications"]}
          rows={countRows("place_of_death", report.place_of_death, PLACE_LABELS)} />}
      />
      <FigureTable caption="Holds" first="Reason" headers={["Placed in the period", "Open at the end of the period"]}
        rows={holdKeys.map((k) => ({
          key: k, label: labelFor(k, HOLD_LABELS),
          cells: [
            { value: report.holds_placed[k] ?? 0, figure: `holds_placed|${k}|` },
            { value: report.holds_open_at_end[k] ?? 0, figure: `holds_open_at_end|${k}|` },
          ],
        }))} />
      <OtherAreas report={report} />
    </>
  );
}
