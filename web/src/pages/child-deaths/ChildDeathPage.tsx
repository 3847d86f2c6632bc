// A child death (/app/child-deaths/:id): the notification, possible duplicates (each a link),
// status, what it waits on, holds, reporting forms (request, resend the link, waive with a reason,
// the answers), the actions allowed now (from GET .../transitions; the panel's analysis has a form
// of its own), the analysis, the case review it was referred to, and the history.
// Data: the case (with its ETag, holds and reporting forms), its transitions and its history: 3 calls.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";

import { api, ApiError, unwrap, withEtag, type Schemas } from "../../api/client";
import { ActionPanel } from "../../components/ActionPanel";
import { ErrorSummary } from "../../components/ErrorSummary";
import { Loading, QueryFailed, SuccessNotice, useTitle } from "../../components/Page";
import { SummaryList } from "../../components/SummaryList";
import { StatusTag, statusLabel } from "../../components/StatusTag";
import { Timeline } from "../../components/Timeline";
import { errorText } from "../../lib/errors";
import { formatDate, formatDateTime, humanise } from "../../lib/format";
import { AnalysisForm } from "./AnalysisForm";
import { AnalysisActions } from "./AnalysisActions";
import { ACTION_LABELS, CATEGORIES, DOMAINS, holdReasonLabel, MODIFIABLE, placeLabel, SCORES, SEXES } from "./domain";
import { ReportingForms } from "./ReportingForms";
import { OutOfArea } from "./OutOfArea";
import { ReviewMeetings } from "./ReviewMeetings";
import { Clocks } from "./Clocks";
import { NcmdExport } from "./NcmdExport";

export type ChildDeath = Schemas["ChildDeathOut"];
export type Flash = { success?: string };

export const childDeathKey = (id: number) => ["child-death", id] as const;

export function useChildDeath(id: number) {
  return useQuery({
    queryKey: [...childDeathKey(id), "case"],
    queryFn: async () => withEtag(await api.GET("/api/v1/child-deaths/{case_id}", { params: { path: { case_id: id } } })),
  });
}

export function ChildDeathPage() {
  const param = useParams().id;
  const id = param && /^\d+$/.test(param) ? Number(param) : null;
  if (id === null) return <QueryFailed error={new ApiError(404, null)} />;
  return <ChildDeathView id={id} key={id} />;
}


const yesNo = (v: boolean | null | undefined) => (v === true ? "Yes" : v === false ? "No" : "Not known");

function ChildDeathView({ id }: { id: number }) {
  const location = useLocation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const caseQuery = useChildDeath(id);
  const transitions = useQuery({
    queryKey: [...childDeathKey(id), "transitions"],
    queryFn: async () => unwrap(await api.GET("/api/v1/child-deaths/{case_id}/transitions", { params: { path: { case_id: id } } })),
  });
  const history = useQuery({
    queryKey: [...childDeathKey(id), "history"],
    queryFn: async () => unwrap(await api.GET("/api/v1/child-deaths/{case_id}/history", { params: { path: { case_id: id } } })),
  });
  const [flash, setFlash] = useState<string | null>((location.state as Flash | null)?.success ?? null);
  const [analysing, setAnalysing] = useState(false);
  const [conflict, setConflict] = useState<string | null>(null);
  useEffect(() => {
    if ((location.state as Flash | null)?.success) navigate(location.pathname, { replace: true, state: null });
  }, [location, navigate]);
  const [labels, setLabels] = useState<Record<string, string>>(ACTION_LABELS);
  useEffect(() => {
    if (transitions.data) setLabels((l) => ({ ...l, ...Object.fromEntries(transitions.data.map((t) => [t.action, t.label])) }));
  }, [transitions.data]);

  // the title starts "Error: " while a form on the page shows errors
  const [errorsIn, setErrorsIn] = useState<Record<string, boolean>>({});
  const onErrors = useCallback((where: string) => (has: boolean) => setErrorsIn((e) => (e[where] === has ? e : { ...e, [where]: has })), []);
  const actionErrors = useMemo(() => onErrors("action"), [onErrors]);
  const analysisErrors = useMemo(() => onErrors("analysis"), [onErrors]);
  const formErrors = useMemo(() => onErrors("forms"), [onErrors]);
  const actionsErrors = useMemo(() => onErrors("actions"), [onErrors]);
  const meetingErrors = useMemo(() => onErrors("meetings"), [onErrors]);
  const ncmdErrors = useMemo(() => onErrors("ncmd"), [onErrors]);
  const c = caseQuery.data?.data;
  useTitle(c ? `${c.reference}: ${c.child.first_name} ${c.child.last_name}` : "Child death", !!conflict || Object.values(errorsIn).some(Boolean));
  if (caseQuery.isLoading) return <Loading what="Loading the child death" />;
  if (caseQuery.error || !c) return <QueryFailed error={caseQuery.error} />;

  const refresh = () => Promise.all([
    client.invalidateQueries({ queryKey: childDeathKey(id) }),
    client.invalidateQueries({ queryKey: ["child-deaths"] }),
  ]);

  const act = async (body: Record<string, unknown>) => {
    setFlash(null);
    const label = transitions.data?.find((t) => t.action === body.action)?.label ?? humanise(String(body.action));
    const result = await api.POST("/api/v1/child-deaths/{case_id}/transitions", {
      params: { path: { case_id: id }, header: { "If-Match": caseQuery.data?.etag ?? "" } },
      body: body as never,
    });
    if (!result.response.ok) {
      // someone else changed the case: show the current version (the form keeps what was typed);
      // when the action is no longer offered its form goes, so the page itself says what happened
      if (result.response.status === 412) {
        await refresh();
        const now = client.getQueryData<{ action: string }[]>([...childDeathKey(id), "transitions"]) ?? [];
        if (!now.some((t) => t.action === body.action)) {
          setConflict(`Someone else changed this case while you were working on it, so “${label}” was not done. The page now shows their changes.`);
        }
      }
      unwrap(result);
    }
    setConflict(null);
    const updated = unwrap(result);
    setAnalysing(false);
    analysisErrors(false);
    await refresh();
    setFlash(`${label}: done. Status: ${statusLabel(updated.status)}.`);
  };

  // people by actor id, as the history names them (holds and the analysis hold ids)
  const names: Record<string, string> = Object.fromEntries((history.data ?? []).map((h) => [h.actor_id, h.actor]));
  const options = transitions.data ?? [];
  const analysisOption = options.find((o) => o.action === "record_analysis");
  const otherOptions = options.filter((o) => o.action !== "record_analysis");
  const child = c.child;
  const death = c.death;

  return (
    <>
      <SuccessNotice message={flash} />
      <ErrorSummary items={conflict ? [{ key: "_", text: conflict }] : []} />
      <h1 className="govuk-heading-l">
        <span className="govuk-caption-l">Child death {c.reference}</span>
        {child.first_name} {child.last_name}
      </h1>
      <p className="govuk-body">
        <span className="govuk-visually-hidden">Status: </span>
        <span data-testid="case-status"><StatusTag status={c.status} /></span>
        {" "}<span className="govuk-body-s">{c.days_since_death} days since death</span>
      </p>

      {c.possible_duplicates.length ? (
        <div className="govuk-warning-text" data-testid="duplicate-warning">
          <span className="govuk-warning-text__icon" aria-hidden="true">!</span>
          <strong className="govuk-warning-text__text">
            <span className="govuk-visually-hidden">Warning</span>
            This may be the same death as{" "}
            {c.possible_duplicates.map((d, i) => (
              <span key={d.id}>
                {i ? ", " : ""}
                <Link className="govuk-link" to={`/child-deaths/${d.id}`}>{d.reference}</Link>
                {" "}({d.reason === "nhs_number" ? "same NHS number" : "same name and dates"})
              </span>
            ))}.
          </strong>
        </div>
      ) : null}

      {c.case_review ? (
        <div className="govuk-inset-text" data-testid="case-review-link">
          Referred to the Case Review Group as{" "}
          <Link className="govuk-link" to={c.case_review.id ? `/case-reviews/${c.case_review.id}` : `/case-reviews?q=${encodeURIComponent(c.case_review.reference)}`}>
            case review {c.case_review.reference}
          </Link>
          {c.case_review.status ? ` (${statusLabel(c.case_review.status).toLowerCase()})` : ""}.
        </div>
      ) : null}

      {c.waiting_on.length ? (
        <>
          <h2 className="govuk-heading-s">Waiting on</h2>
          <ul className="govuk-list govuk-list--bullet" data-testid="waiting-on">
            {c.waiting_on.map((w) => <li key={w}>{w}</li>)}
          </ul>
        </>
      ) : null}

      <OutOfArea c={c} />

      {transitions.isLoading ? <Loading what="Loading the actions" /> : transitions.error ? (
        <p className="govuk-body">{errorText(transitions.error)}</p>
      ) : (
        <>
          {otherOptions.length || !analysisOption ? (
            <ActionPanel options={otherOptions} onSubmit={act} meetingKind="cdop_panel" onErrorChange={actionErrors} />
          ) : null}
          {analysisOption ? (
            <section className="app-actions" aria-labelledby="analysis-heading">
              <h2 className="govuk-heading-m" id="analysis-heading">The panel’s analysis</h2>
              {analysing ? (
                <AnalysisForm onSubmit={act} onErrorChange={analysisErrors} onCancel={() => {
                  setAnalysing(false);
                  analysisErrors(false);
                  setTimeout(() => document.getElementById("action-button-record_analysis")?.focus());
                }} />
              ) : (
                <button type="button" className="govuk-button" id="action-button-record_analysis"
                  disabled={!!analysisOption.blocked_reason} onClick={() => { setFlash(null); setAnalysing(true); }}>
                  {analysisOption.label}
                </button>
              )}
              {analysisOption.blocked_reason ? <p className="govuk-hint">{analysisOption.blocked_reason}</p> : null}
            </section>
          ) : null}
        </>
      )}

      <Card title="Child" id="child">
        <SummaryList rows={[
          { key: "Name", value: `${child.first_name} ${child.last_name}` },
          { key: "Date of birth", value: formatDate(child.date_of_birth) },
          { key: "Sex", value: SEXES.find((s) => s.value === child.sex)?.label ?? humanise(child.sex) },
          { key: "NHS number", value: child.nhs_number || (child.nhs_number_status === "not_given" ? "" : humanise(child.nhs_number_status)) },
          { key: "Ethnicity", value: child.ethnicity ?? "" },
          { key: "Address", value: child.address ?? "" },
          { key: "Home local authority", value: child.local_authority ?? "" },
        ]} />
      </Card>
      <Card title="Death" id="death">
        <SummaryList rows={[
          { key: "Date of death", value: formatDate(death.date) },
          { key: "Time of death", value: death.time ?? "" },
          { key: "Age at death", value: death.age_at_death_years >= 1 ? `${death.age_at_death_years} year${death.age_at_death_years === 1 ? "" : "s"}` : `${death.age_at_death_days} day${death.age_at_death_days === 1 ? "" : "s"}` },
          { key: "Place of death", value: `${placeLabel(death.place)}${death.place_detail ? `: ${death.place_detail}` : ""}` },
          { key: "Expected or unexpected", value: death.expected ? "Expected" : "Unexpected" },
          { key: "Joint Agency Response", value: yesNo(death.jar_triggered) },
          { key: "Referred to the coroner", value: yesNo(death.coroner_involved) },
          ...(c.case_summary ? [{ key: "Case summary", value: c.case_summary }] : []),
          ...(c.out_of_area ? [{ key: "Transferred to", value: `${c.out_of_area.home_area}${c.out_of_area.home_cdop_email ? ` (${c.out_of_area.home_cdop_email})` : ""}` }] : []),
          ...(c.withdrawn_reason ? [{ key: "Withdrawn because", value: c.withdrawn_reason }] : []),
        ]} />
      </Card>
      <Card title="Notification" id="notification">
        <SummaryList rows={[
          { key: "Notified by", value: `${c.notifier.name}${c.notifier.role ? `, ${c.notifier.role}` : ""}` },
          { key: "Agency", value: c.notifier.agency },
          { key: "Email", value: c.notifier.email },
          { key: "Phone", value: c.notifier.phone ?? "" },
          { key: "Received", value: `${formatDateTime(c.received_at)} (${c.source === "public" ? "online form" : "entered by staff"})` },
          { key: "Agencies that knew the child", value: c.agencies.length ? (
            <ul className="govuk-list">{c.agencies.map((a) => <li key={a.name}>{a.name}{a.contact_email ? ` (${a.contact_email})` : ""}</li>)}</ul>
          ) : "" },
        ]} />
      </Card>

      <Clocks clocks={c.clocks} />
      <ReviewMeetings c={c} onErrorChange={meetingErrors} onChanged={async (m) => { await refresh(); setFlash(m); }} />
      <Holds c={c} names={names} />
      <ReportingForms c={c} onErrorChange={formErrors} onChanged={async (m) => { await refresh(); setFlash(m); }} />
      {c.analysis ? <Analysis a={c.analysis} names={names} /> : null}
      {c.analysis?.actions.length ? <AnalysisActions c={c} onChanged={async (m) => { await refresh(); setFlash(m); }} onErrorChange={actionsErrors} /> : null}
      <NcmdExport c={c} onErrorChange={ncmdErrors} />

      <h2 className="govuk-heading-m" id="history">History</h2>
      {history.isLoading ? <Loading what="Loading the history" /> : history.error ? (
        <p className="govuk-body">{errorText(history.error)}</p>
      ) : (
        <Timeline entries={history.data ?? []} labels={labels} />
      )}
    </>
  );
}

function Card({ title, id, children }: { title: string; id: string; children: React.ReactNode }) {
  return (
    <div className="govuk-summary-card" id={id}>
      <div className="govuk-summary-card__title-wrapper">
        <h2 className="govuk-summary-card__title">{title}</h2>
      </div>
      <div className="govuk-summary-card__content">{children}</div>
    </div>
  );
}

function Holds({ c, names }: { c: ChildDeath; names: Record<string, string> }) {
  // who placed and released a hold: their name as the history gives it (the hold holds an id)
  const by = (actor: string | null | undefined) => (actor && names[actor] ? ` by ${names[actor]}` : "");
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London" }).format(new Date());
  return (
    <section aria-labelledby="holds-heading">
      <h2 className="govuk-heading-m" id="holds-heading">Holds</h2>
      {c.holds.length ? (
        <table className="govuk-table app-table--compact" data-testid="holds-table" aria-labelledby="holds-heading">
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header">Reason</th>
              <th scope="col" className="govuk-table__header">Expected date</th>
              <th scope="col" className="govuk-table__header">Placed</th>
              <th scope="col" className="govuk-table__header">Released</th>
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {c.holds.map((h) => (
              <tr className="govuk-table__row" key={h.id}>
                <td className="govuk-table__cell">{holdReasonLabel(h.reason)}{h.note ? <><br /><span className="govuk-hint govuk-!-margin-bottom-0">{h.note}</span></> : null}</td>
                <td className="govuk-table__cell">
                  {formatDate(h.expected_on)}
                  {!h.released_at && h.expected_on < today ? <><br /><strong className="govuk-tag govuk-tag--red">Past expected date</strong></> : null}
                </td>
                <td className="govuk-table__cell">{formatDateTime(h.placed_at)}{by(h.placed_by)}</td>
                <td className="govuk-table__cell">{h.released_at ? `${formatDateTime(h.released_at)}${by(h.released_by)}` : <strong className="govuk-tag govuk-tag--yellow">On hold</strong>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <p className="govuk-body">This review has not been on hold.</p>}
    </section>
  );
}

function Analysis({ a, names }: { a: NonNullable<ChildDeath["analysis"]>; names: Record<string, string> }) {
  const scores = a.domain_scores as Record<string, number> | null | undefined;
  return (
    <div className="govuk-summary-card" id="analysis" data-testid="analysis">
      <div className="govuk-summary-card__title-wrapper">
        <h2 className="govuk-summary-card__title">The panel’s analysis</h2>
      </div>
      <div className="govuk-summary-card__content">
        <SummaryList rows={[
          { key: "Category of death", value: a.category ? `${a.category}. ${a.category_label ?? CATEGORIES[a.category - 1]?.label ?? ""}` : "" },
          { key: "Modifiable factors", value: MODIFIABLE.find((m) => m.value === a.modifiable)?.label ?? "" },
          ...DOMAINS.map((d) => ({
            key: d.label,
            value: scores && scores[d.key] !== undefined ? `${scores[d.key]}: ${SCORES[scores[d.key]]?.hint ?? ""}` : "",
          })),
          ...DOMAINS.filter((d) => a.factors.some((f) => f.domain === d.key)).map((d) => ({
            key: `Factors in domain ${d.key}`,
            value: (
              <ul className="govuk-list govuk-list--bullet">{a.factors.filter((f) => f.domain === d.key).map((f, i) => (
                <li key={i}>{f.factor} (score {f.score}: {SCORES[f.score]?.hint.toLowerCase() ?? ""}){f.comment ? <><br /><span className="govuk-hint">{f.comment}</span></> : null}</li>
              ))}</ul>
            ),
          })),
          { key: "Event leading to the death", value: a.event_leading_to_death ?? "" },
          { key: "Learning", value: a.learning ?? "" },
          { key: "Actions", value: a.actions.length ? <a className="govuk-link" href="#actions">{a.actions.length} action{a.actions.length === 1 ? "" : "s"}, followed below</a> : "None" },
          { key: "Referred for a case review", value: a.refer_to_case_review ? "Yes" : "No" },
          { key: "Recorded", value: `${formatDateTime(a.recorded_at)}${a.recorded_by && names[a.recorded_by] ? ` by ${names[a.recorded_by]}` : ""}` },
        ]} />
      </div>
    </div>
  );
}
