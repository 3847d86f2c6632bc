// Outstanding child deaths (/app/child-deaths), the coordinator's home: outstanding cases by status
// and time since death (a table, and the same figures as a chart beside it), overdue reporting
// forms per agency, holds whose expected date has passed, overdue clocks (the 2018 guidance's
// timings and any other stored deadline of a case) by kind. Each count links to the filtered list.
// Data: the summary, and the cases on hold (for their expected dates): 2 calls.
import { useQuery } from "@tanstack/react-query";
import { Link, Navigate, useLocation } from "react-router";

import { api, unwrap } from "../../api/client";
import { hasRole, useSession } from "../../api/session";
import { ButtonLink, HeaderWithActions, Loading, PageHeading, QueryFailed, useTitle } from "../../components/Page";
import { statusLabel } from "../../components/StatusTag";
import { formatDate } from "../../lib/format";
import {
  BAND_LABELS, chartBars, holdReasonLabel, OUTSTANDING_STATUSES,
  searchString, type Summary,
} from "./domain";

// GOV.UK colours for the bands, darkest for the oldest (each with text contrast on white >= 3:1)
const BAND_FILLS: Record<string, string> = { "0-3m": "#5694ca", "3-6m": "#1d70b8", "6-12m": "#003078", "12m+": "#d4351c" };

export function OutstandingPage() {
  const location = useLocation();
  // an address with filters (as the case review page links it) is the list's
  if (location.search && location.search !== "?") return <Navigate to={`/child-deaths/list${location.search}`} replace />;
  return <Outstanding />;
}

function Outstanding() {
  const { data: session } = useSession();
  const summary = useQuery({
    queryKey: ["child-deaths", "summary"],
    queryFn: async () => unwrap(await api.GET("/api/v1/child-deaths/outstanding/summary")),
  });
  useTitle("Outstanding child deaths");
  if (summary.isLoading) return <Loading what="Loading the outstanding child deaths" />;
  if (summary.error || !summary.data) return <QueryFailed error={summary.error} />;
  const s = summary.data as unknown as Summary & {
    on_hold_by_reason: Record<string, number>; holds_past_expected_by_reason: Record<string, number>;
    overdue_reporting_forms_by_agency: Record<string, number>;
    overdue_clocks?: { kind: string; label: string; count: number }[];
  };
  const bands = s.bands.length ? s.bands : Object.keys(BAND_LABELS);
  // exactly the cases of the count: the list takes the summary's bands
  const bandLink = (band: string, status?: string) =>
    `/child-deaths/list${searchString({ status: status ? [status] : [], outstanding: !status, since_death_band: band })}`;
  const overdueForms = Object.entries(s.overdue_reporting_forms_by_agency).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const holdsPast = s.holds_past_expected_by_reason ?? {};
  const holdsPastTotal = Object.values(holdsPast).reduce((a, b) => a + b, 0);
  const overdueClocks = s.overdue_clocks ?? [];

  return (
    <>
      <HeaderWithActions heading={<PageHeading caption={`As of ${formatDate(s.as_of)}`}>Outstanding child deaths</PageHeading>}>
        {hasRole(session, "cdop_coordinator") ? <ButtonLink to="/child-deaths/new">Enter a notification</ButtonLink> : null}
        <ButtonLink to="/child-deaths/list?outstanding=true">All child deaths</ButtonLink>
      </HeaderWithActions>
      <p className="govuk-body-l">
        <Link className="govuk-link" to="/child-deaths/list?outstanding=true" data-testid="outstanding-total">
          {s.total} outstanding child death review{s.total === 1 ? "" : "s"}
        </Link>
      </p>

      <h2 className="govuk-heading-m" id="by-status-heading">By status and time since death</h2>
      <p className="govuk-body">Each count links to the list of exactly those cases.</p>
      <div className="govuk-grid-row">
        <div className="govuk-grid-column-two-thirds">
          <table className="govuk-table app-table--compact" data-testid="summary-table" aria-labelledby="by-status-heading">
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                <th scope="col" className="govuk-table__header">Status</th>
                {bands.map((b) => <th scope="col" className="govuk-table__header govuk-table__header--numeric" key={b}>{BAND_LABELS[b] ?? b}</th>)}
                <th scope="col" className="govuk-table__header govuk-table__header--numeric">Total</th>
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {OUTSTANDING_STATUSES.map((status) => {
                const counts = s.by_status[status] ?? {};
                const total = bands.reduce((n, b) => n + (counts[b] ?? 0), 0);
                return (
                  <tr className="govuk-table__row" key={status}>
                    <th scope="row" className="govuk-table__header">{statusLabel(status)}</th>
                    {bands.map((b) => (
                      <td className="govuk-table__cell govuk-table__cell--numeric" key={b}>
                        {counts[b] ? (
                          <Link className="govuk-link" to={bandLink(b, status)}>
                            {counts[b]}<span className="govuk-visually-hidden"> {statusLabel(status).toLowerCase()}, {(BAND_LABELS[b] ?? b).toLowerCase()} since death</span>
                          </Link>
                        ) : 0}
                      </td>
                    ))}
                    <td className="govuk-table__cell govuk-table__cell--numeric">
                      {total ? (
                        <Link className="govuk-link" to={`/child-deaths/list${searchString({ status: [status] })}`}>
                          {total}<span className="govuk-visually-hidden"> {statusLabel(status).toLowerCase()} in all</span>
                        </Link>
                      ) : 0}
                    </td>
                  </tr>
                );
              })}
              <tr className="govuk-table__row">
                <th scope="row" className="govuk-table__header">All outstanding</th>
                {bands.map((b) => (
                  <td className="govuk-table__cell govuk-table__cell--numeric" key={b}>
                    {s.by_band[b] ? (
                      <Link className="govuk-link" to={bandLink(b)}>
                        {s.by_band[b]}<span className="govuk-visually-hidden"> outstanding, {(BAND_LABELS[b] ?? b).toLowerCase()} since death</span>
                      </Link>
                    ) : 0}
                  </td>
                ))}
                <td className="govuk-table__cell govuk-table__cell--numeric">
                  <Link className="govuk-link" to="/child-deaths/list?outstanding=true">
                    {s.total}<span className="govuk-visually-hidden"> outstanding in all</span>
                  </Link>
                </td>
              </tr>
            </tbody>
          </table>
        </div>
        <div className="govuk-grid-column-one-third">
          <SummaryChart summary={s} />
        </div>
      </div>

      <div className="govuk-grid-row">
        <div className="govuk-grid-column-one-half">
          <h2 className="govuk-heading-m" id="overdue-forms-heading">Overdue reporting forms by agency</h2>
          {overdueForms.length ? (
            <table className="govuk-table app-table--compact" aria-labelledby="overdue-forms-heading" data-testid="overdue-forms-table">
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  <th scope="col" className="govuk-table__header">Agency</th>
                  <th scope="col" className="govuk-table__header govuk-table__header--numeric">Overdue forms</th>
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {overdueForms.map(([agency, n]) => (
                  <tr className="govuk-table__row" key={agency}>
                    <th scope="row" className="govuk-table__header">{agency}</th>
                    <td className="govuk-table__cell govuk-table__cell--numeric">
                      <Link className="govuk-link" to={`/child-deaths/list${searchString({ agency, has_overdue_reports: true })}`}>
                        {n}<span className="govuk-visually-hidden"> overdue from {agency}</span>
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : <p className="govuk-body">No reporting form is overdue.</p>}
        </div>
        <div className="govuk-grid-column-one-half">
          <h2 className="govuk-heading-m" id="holds-heading">Holds past their expected date</h2>
          {holdsPastTotal ? (
            <table className="govuk-table app-table--compact" aria-labelledby="holds-heading" data-testid="holds-table">
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  <th scope="col" className="govuk-table__header">Reason for the hold</th>
                  <th scope="col" className="govuk-table__header govuk-table__header--numeric">Past expected date</th>
                  <th scope="col" className="govuk-table__header govuk-table__header--numeric">All open holds</th>
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {Object.entries(holdsPast).map(([reason, n]) => (
                  <tr className="govuk-table__row" key={reason}>
                    <th scope="row" className="govuk-table__header">{holdReasonLabel(reason)}</th>
                    <td className="govuk-table__cell govuk-table__cell--numeric">
                      <Link className="govuk-link" to={`/child-deaths/list${searchString({ hold_reason: reason, hold_overdue: true })}`}>
                        {n}<span className="govuk-visually-hidden"> on hold for {holdReasonLabel(reason).toLowerCase()} past the expected date</span>
                      </Link>
                    </td>
                    <td className="govuk-table__cell govuk-table__cell--numeric">{s.on_hold_by_reason[reason] ?? 0}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : <p className="govuk-body">No hold is past its expected date.</p>}
        </div>
      </div>

      <h2 className="govuk-heading-m" id="overdue-clocks-heading">Overdue clocks</h2>
      {overdueClocks.length ? (
        <>
          <p className="govuk-body">
            <Link className="govuk-link" to={`/child-deaths/list${searchString({ overdue: true })}`} data-testid="overdue-clocks-all">
              All child deaths with an overdue clock
            </Link>
          </p>
          <table className="govuk-table app-table--compact" aria-labelledby="overdue-clocks-heading" data-testid="overdue-clocks-table">
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                <th scope="col" className="govuk-table__header">Clock</th>
                <th scope="col" className="govuk-table__header govuk-table__header--numeric">Overdue</th>
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {overdueClocks.map((c) => (
                <tr className="govuk-table__row" key={c.kind}>
                  <th scope="row" className="govuk-table__header">{c.label}</th>
                  <td className="govuk-table__cell govuk-table__cell--numeric">
                    <Link className="govuk-link" to={`/child-deaths/list?overdue=true&overdue_kind=${encodeURIComponent(c.kind)}`}>
                      {c.count}<span className="govuk-visually-hidden"> overdue: {c.label.toLowerCase()}</span>
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : <p className="govuk-body">No clock is overdue.</p>}
    </>
  );
}

/** The summary as horizontal stacked bars (one per status, split by band since death): an image
 * with a title and description; the table beside it holds the same figures. */
export function SummaryChart({ summary }: { summary: Summary }) {
  const bars = chartBars(summary, 100);
  const labelWidth = 140;
  const barArea = 110;
  const rowHeight = 26;
  const top = 10;
  const legendTop = top + bars.length * rowHeight + 16;
  const height = legendTop + 20 * summary.bands.length + 4;
  const width = labelWidth + barArea + 30;
  const desc = bars.map((b) => `${statusLabel(b.status)}: ${b.total}`).join("; ");
  return (
    <figure className="app-chart" data-testid="summary-chart">
      <svg role="img" aria-labelledby="summary-chart-title summary-chart-desc" viewBox={`0 0 ${width} ${height}`}
        xmlns="http://www.w3.org/2000/svg" className="app-chart__svg" fontFamily="Arial, sans-serif">
        <title id="summary-chart-title">Outstanding child deaths by status and time since death</title>
        <desc id="summary-chart-desc">{desc}. The table beside the chart gives each figure.</desc>
        {bars.map((b, i) => {
          const y = top + i * rowHeight;
          return (
            <g key={b.status}>
              <text x={labelWidth - 8} y={y + 14} textAnchor="end" fontSize="13" fill="#0b0c0c">{statusLabel(b.status)}</text>
              {b.segments.map((seg) => (
                <rect key={seg.band} x={labelWidth + (seg.x / 100) * barArea} y={y} width={Math.max((seg.width / 100) * barArea, 1)}
                  height={rowHeight - 8} fill={BAND_FILLS[seg.band] ?? "#505a5f"} />
              ))}
              <text x={labelWidth + (b.segments.reduce((n, seg) => n + seg.width, 0) / 100) * barArea + 6} y={y + 15}
                fontSize="13" fill="#0b0c0c">{b.total}</text>
            </g>
          );
        })}
        {summary.bands.map((band, i) => {
          const x = 10;
          const y = legendTop + i * 20;
          return (
            <g key={band}>
              <rect x={x} y={y} width="12" height="12" fill={BAND_FILLS[band] ?? "#505a5f"} />
              <text x={x + 18} y={y + 11} fontSize="13" fill="#0b0c0c">{BAND_LABELS[band] ?? band}</text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
