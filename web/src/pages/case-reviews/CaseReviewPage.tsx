// A case review (/app/case-reviews/:id): who and what, deadlines, the actions allowed now (from
// GET .../transitions), links to other cases, and the history. Data: the case (with its ETag),
// its transitions and its history: 3 calls. Agency reports and recommendations are sub-pages.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";

import { api, ApiError, unwrap } from "../../api/client";
import { ActionPanel } from "../../components/ActionPanel";
import { DeadlineList } from "../../components/DeadlineList";
import { ErrorSummary } from "../../components/ErrorSummary";
import { TextInput } from "../../components/fields";
import { Loading, QueryFailed, SuccessNotice, useTitle } from "../../components/Page";
import { SummaryList, type Row } from "../../components/SummaryList";
import { statusLabel } from "../../components/StatusTag";
import { Timeline } from "../../components/Timeline";
import { errorText, fieldId, fieldMessages } from "../../lib/errors";
import { formatDate, formatDateTime, humanise } from "../../lib/format";
import { caseIdFrom, CaseHeading, CaseSubNav, useCaseReview, useRefreshCase, type CaseReview } from "./caseData";
import { decisionLabel } from "./CaseReviewsListPage";
import { useSubmission } from "../../components/useSubmission";

export type Flash = { success?: string };

export function CaseReviewPage() {
  const id = caseIdFrom(useParams().id);
  if (id === null) return <QueryFailed error={new ApiError(404, null)} />;
  return <CaseReviewView id={id} />;
}

function yesNo(v: unknown): string {
  return v === true ? "Yes" : v === false ? "No" : "";
}

function text(v: unknown): string {
  return v === null || v === undefined ? "" : String(v);
}

/** A "Change" link to the edit page, landing on the field. */
function change(id: number, field: string, what: string): ReactNode {
  return (
    <Link className="govuk-link" to={`/case-reviews/${id}/edit#${fieldId(field)}`}>
      Change<span className="govuk-visually-hidden"> {what}</span>
    </Link>
  );
}


function CaseReviewView({ id }: { id: number }) {
  const location = useLocation();
  const navigate = useNavigate();
  const caseQuery = useCaseReview(id);
  const transitions = useQuery({
    queryKey: ["case-review", id, "transitions"],
    queryFn: async () => unwrap(await api.GET("/api/v1/case-reviews/{case_id}/transitions", { params: { path: { case_id: id } } })),
  });
  const history = useQuery({
    queryKey: ["case-review", id, "history"],
    queryFn: async () => unwrap(await api.GET("/api/v1/case-reviews/{case_id}/history", { params: { path: { case_id: id } } })),
  });
  const refresh = useRefreshCase(id);
  const [flash, setFlash] = useState<string | null>((location.state as Flash | null)?.success ?? null);
  // a banner handed over by the page before (a new notification) is shown once
  useEffect(() => {
    if ((location.state as Flash | null)?.success) navigate(location.pathname + location.search, { replace: true, state: null });
  }, [location, navigate]);

  const c = caseQuery.data?.data;
  const [actionError, setActionError] = useState(false);
  useTitle(c ? `${c.reference}: ${c.child_name}` : "Case review", actionError);
  if (caseQuery.isLoading) return <Loading what="Loading the case review" />;
  if (caseQuery.error || !c) return <QueryFailed error={caseQuery.error} />;

  const act = async (body: Record<string, unknown>) => {
    setFlash(null);
    const etag = caseQuery.data?.etag ?? "";
    const label = transitions.data?.find((t) => t.action === body.action)?.label ?? humanise(String(body.action));
    const result = await api.POST("/api/v1/case-reviews/{case_id}/transitions", {
      params: { path: { case_id: id }, header: { "If-Match": etag } },
      body: body as never,
    });
    if (!result.response.ok) {
      // someone else changed the case: show the current version (the form keeps what was typed)
      if (result.response.status === 412) await refresh();
      unwrap(result);
    }
    await refresh();
    setFlash(`${label}: done. Status: ${statusLabel(unwrap(result).status)}.`);
  };

  return (
    <>
      <SuccessNotice message={flash} />
      <CaseHeading c={c} />
      <CaseSubNav id={id} />
      {transitions.isLoading ? <Loading what="Loading the actions" /> : transitions.error ? (
        <p className="govuk-body">{errorText(transitions.error)}</p>
      ) : (
        <ActionPanel options={transitions.data ?? []} onSubmit={act} onErrorChange={setActionError} />
      )}
      <DeadlineList deadlines={c.deadlines} />
      <CaseDetails c={c} />
      <Links c={c} onChanged={async (m) => { await refresh(); setFlash(m); }} />
      <h2 className="govuk-heading-m" id="history">History</h2>
      {history.isLoading ? <Loading what="Loading the history" /> : history.error ? (
        <p className="govuk-body">{errorText(history.error)}</p>
      ) : (
        <Timeline entries={history.data ?? []} />
      )}
    </>
  );
}

type SeriousIncidentRecord = {
  criteria?: Record<string, boolean | null>;
  became_aware_on?: string | null;
  notified_panel_on?: string | null;
  rapid_review?: Record<string, string | null>;
  panel_response?: { panel_response_on?: string | null; panel_agrees?: boolean | null; panel_response_note?: string | null };
};

const CRITERIA: Record<string, string> = {
  abuse_or_neglect_known_or_suspected: "Abuse or neglect known or suspected",
  child_died_or_seriously_harmed: "The child died or was seriously harmed",
  looked_after_child: "A looked-after child",
  death_in_custody_secure_setting_or_mha: "Death in custody, in a secure setting or under the Mental Health Act",
};
const RECOMMENDATIONS: Record<string, string> = {
  lcspr: "A local child safeguarding practice review",
  no_lcspr: "No local child safeguarding practice review",
  national_review_suggested: "Suggest a national review",
};

/** Under CSPR: the serious incident criteria, the notification to the national panel, the rapid
 * review and the panel's response (API.md "Regime CSPR"). */
function SeriousIncident({ record }: { record: SeriousIncidentRecord }) {
  const rr = record.rapid_review ?? {};
  const response = record.panel_response ?? {};
  return (
    <Section title="Serious incident and rapid review" id="serious-incident" rows={[
      ...Object.entries(CRITERIA).map(([key, label]) => ({ key: label, value: yesNo(record.criteria?.[key]) })),
      { key: "Partners became aware on", value: formatDate(record.became_aware_on) },
      { key: "National panel notified on", value: formatDate(record.notified_panel_on) },
      { key: "Rapid review held on", value: formatDate(rr.rapid_review_on) },
      { key: "Rapid review sent to the panel on", value: formatDate(rr.sent_to_panel_on) },
      { key: "Recommendation", value: rr.recommendation ? RECOMMENDATIONS[rr.recommendation] ?? rr.recommendation : "" },
      { key: "Rationale", value: text(rr.rationale) },
      { key: "Learning identified", value: text(rr.learning_identified) },
      { key: "Panel responded on", value: formatDate(response.panel_response_on) },
      { key: "Panel agrees", value: yesNo(response.panel_agrees) },
      { key: "Panel's response", value: text(response.panel_response_note) },
    ]} />
  );
}

function Section({ title, id, rows }: { title: string; id: string; rows: Row[] }) {
  return (
    <div className="govuk-summary-card">
      <div className="govuk-summary-card__title-wrapper">
        <h2 className="govuk-summary-card__title" id={`${id}-heading`}>{title}</h2>
      </div>
      <div className="govuk-summary-card__content">
        <SummaryList rows={rows} id={id} />
      </div>
    </div>
  );
}

export function CaseDetails({ c, editable = true }: { c: CaseReview; editable?: boolean }) {
  const ch = (field: string, what: string) => (editable ? change(c.id, field, what) : undefined);
  const child = c.child as Record<string, unknown>;
  const notifier = c.notifier as Record<string, unknown>;
  const incident = c.incident as Record<string, unknown>;
  const review = (c.review ?? {}) as Record<string, unknown>;
  const publication = (c.publication ?? {}) as Record<string, unknown>;
  const rec = c.scr_recommendation as Record<string, unknown> | null;
  const dec = c.scr_decision as Record<string, unknown> | null;
  const decisionRows: Row[] = [
    { key: "Decision", value: c.decision_label ?? decisionLabel(c.decision) },
    { key: "Rationale", value: text(c.decision_rationale) },
    { key: "Decided by", value: text(c.decision_by) },
    { key: "Decided on", value: formatDateTime(c.decision_at) },
  ];
  if (rec) {
    decisionRows.push({ key: "SCR recommended by", value: `${text(rec.by)}, ${formatDateTime(text(rec.at))}` });
    decisionRows.push({ key: "Group’s rationale", value: text(rec.rationale) });
  }
  if (dec) {
    decisionRows.push({ key: "Independent Chair", value: `${humanise(text(dec.outcome))} by ${text(dec.by)}, ${formatDateTime(text(dec.at))}` });
    decisionRows.push({ key: "Independent Chair’s rationale", value: text(dec.rationale) });
  }
  if (c.other_la) decisionRows.push({ key: "Other local authority", value: c.other_la, action: ch("other_la", "other local authority") });
  const publicationRows: Row[] = [
    { key: "Planned publication", value: formatDate(text(publication.planned_publication_on)), action: ch("planned_publication_on", "planned publication date") },
    { key: "Report sent to the national panel", value: formatDate(text(publication.report_sent_to_national_panel_on)), action: ch("report_sent_to_national_panel_on", "date the report was sent to the national panel") },
    { key: "Published on", value: formatDate(text(publication.published_on)) },
    { key: "Published at", value: publication.url ? <a className="govuk-link" href={text(publication.url)} rel="noreferrer noopener" target="_blank">{text(publication.url)} (opens in new tab)</a> : "" },
  ];
  if (publication.deferred_reason) publicationRows.push({ key: "Publication deferred because", value: text(publication.deferred_reason) });
  if (publication.review_on) publicationRows.push({ key: "Deferral reviewed on", value: formatDate(text(publication.review_on)) });
  if (publication.not_published_reason) publicationRows.push({ key: "Not published because", value: text(publication.not_published_reason) });
  return (
    <>
      <Section title="Child" id="child" rows={[
        { key: "First name", value: text(child.first_name), action: ch("child.first_name", "child’s first name") },
        { key: "Last name", value: text(child.last_name), action: ch("child.last_name", "child’s last name") },
        { key: "Date of birth", value: formatDate(text(child.date_of_birth)), action: ch("child.date_of_birth", "child’s date of birth") },
        { key: "Sex", value: humanise(text(child.sex)), action: ch("child.sex", "child’s sex") },
        { key: "Ethnicity", value: text(child.ethnicity), action: ch("child.ethnicity", "child’s ethnicity") },
        { key: "Address", value: text(child.address), action: ch("child.address", "child’s address") },
        { key: "Local authority", value: text(child.local_authority), action: ch("child.local_authority", "child’s local authority") },
      ]} />
      <Section title="Notifier" id="notifier" rows={[
        { key: "Name", value: text(notifier.name), action: ch("notifier.name", "notifier’s name") },
        { key: "Email", value: text(notifier.email), action: ch("notifier.email", "notifier’s email") },
        { key: "Agency", value: text(notifier.agency), action: ch("notifier.agency", "notifier’s agency") },
        { key: "Role", value: text(notifier.role), action: ch("notifier.role", "notifier’s role") },
        { key: "Phone", value: text(notifier.phone), action: ch("notifier.phone", "notifier’s phone") },
      ]} />
      <Section title="Incident" id="incident" rows={[
        { key: "Date", value: formatDate(text(incident.date)), action: ch("incident.date", "incident date") },
        { key: "What happened to the child", value: humanise(text(incident.type)), action: ch("incident.type", "incident type") },
        { key: "Description", value: text(incident.description), action: ch("incident.description", "incident description") },
        { key: "Abuse or neglect suspected", value: yesNo(c.abuse_or_neglect_suspected), action: ch("abuse_or_neglect_suspected", "whether abuse or neglect is suspected") },
      ]} />
      <Section title="Why a review may be needed" id="rationale" rows={[
        { key: "Rationale", value: c.rationale },
        { key: "Received", value: formatDate(c.received_on) },
        { key: "Received by", value: humanise(c.source) },
        { key: "Regime", value: c.regime },
        ...(c.information_request_note ? [{ key: "Information requested", value: c.information_request_note }] : []),
        ...(c.withdrawn_reason ? [{ key: "Withdrawn because", value: c.withdrawn_reason }] : []),
      ]} />
      <Section title="Agencies involved" id="agencies" rows={[
        { key: "Agencies", value: c.agencies_involved.length ? (
          <ul className="govuk-list">{c.agencies_involved.map((a) => <li key={a}>{a}</li>)}</ul>
        ) : "", action: ch("agencies_involved", "agencies involved") },
      ]} />
      {c.serious_incident ? <SeriousIncident record={c.serious_incident as SeriousIncidentRecord} /> : null}
      {c.ofsted_and_secretary_of_state_to_be_told ? (
        <div className="govuk-warning-text">
          <span className="govuk-warning-text__icon" aria-hidden="true">!</span>
          <strong className="govuk-warning-text__text">
            <span className="govuk-visually-hidden">Warning</span>
            A looked-after child died: Ofsted and the Secretary of State must be told too.
          </strong>
        </div>
      ) : null}
      <Section title="Decision" id="decision" rows={decisionRows} />
      <Section title="Review" id="review" rows={[
        { key: "Review type", value: decisionLabel(text(review.review_type ?? c.review_type)), action: ch("review_type", "review type") },
        { key: "Methodology", value: text(review.methodology), action: ch("review_methodology", "review methodology") },
        { key: "Lead reviewer", value: text(review.lead_reviewer_name), action: ch("lead_reviewer_name", "lead reviewer") },
        { key: "Review chair", value: text(review.review_chair_name), action: ch("review_chair_name", "review chair") },
        { key: "Terms of reference", value: text(review.terms_of_reference), action: ch("terms_of_reference", "terms of reference") },
        { key: "Terms of reference agreed on", value: formatDate(text(review.terms_of_reference_agreed_on)), action: ch("terms_of_reference_agreed_on", "date the terms of reference were agreed") },
      ]} />
      <Section title="Publication" id="publication" rows={publicationRows} />
    </>
  );
}

function Links({ c, onChanged }: { c: CaseReview; onChanged: (message: string) => Promise<void> }) {
  const [other, setOther] = useState("");
  const { error, setError, busy, run } = useSubmission();
  const messages = fieldMessages(error);
  const linkMessage = messages.case_id ?? (error && !Object.keys(messages).length ? errorText(error) : undefined);

  const add = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const wanted = other.trim();
      let otherId: number | null = /^\d+$/.test(wanted) ? Number(wanted) : null;
      if (otherId === null && wanted) {
        const found = unwrap(await api.GET("/api/v1/case-reviews", { params: { query: { q: wanted, limit: 20 } } }));
        otherId = found.items.find((i) => i.reference.toLowerCase() === wanted.toLowerCase())?.id ?? null;
        if (otherId === null) throw new ApiError(422, { type: "about:blank", title: "Not found", status: 422, code: "validation_error", detail: "", errors: [{ loc: ["body", "case_id"], msg: `There is no case review with the reference ${wanted}` }] } as never);
      }
      if (otherId === null) throw new ApiError(422, { type: "about:blank", title: "Missing", status: 422, code: "validation_error", detail: "", errors: [{ loc: ["body", "case_id"], msg: "Enter the reference of the other case review" }] } as never);
      unwrap(await api.POST("/api/v1/case-reviews/{case_id}/links", { params: { path: { case_id: c.id } }, body: { case_id: otherId } }));
      setOther("");
      await onChanged("The cases are now reviewed together.");
    });
  };
  const remove = async (otherId: number, reference: string) => {
    setError(null);
    try {
      unwrap(await api.DELETE("/api/v1/case-reviews/{case_id}/links/{other_id}", { params: { path: { case_id: c.id, other_id: otherId } } }));
      await onChanged(`${reference} is no longer reviewed with this case.`);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="links-heading">
      <h2 className="govuk-heading-m" id="links-heading">Linked cases</h2>
      <h3 className="govuk-heading-s">Child death review</h3>
      {c.child_death ? (
        <p className="govuk-body">
          <Link className="govuk-link" to={c.child_death.id ? `/child-deaths/${c.child_death.id}` : `/child-deaths?q=${encodeURIComponent(c.child_death.reference)}`}>{c.child_death.reference}</Link>
          {c.child_death.status ? ` (${humanise(c.child_death.status).toLowerCase()})` : null}
        </p>
      ) : c.child_death_reference ? (
        <p className="govuk-body">{c.child_death_reference}</p>
      ) : (
        <p className="govuk-body">This case did not come from a child death review.</p>
      )}
      <h3 className="govuk-heading-s">Reviewed together with (thematic review)</h3>
      {c.linked_cases.length ? (
        <ul className="govuk-list" data-testid="linked-cases">
          {c.linked_cases.map((l) => (
            <li key={l.id}>
              <Link className="govuk-link" to={`/case-reviews/${l.id}`}>{l.reference}</Link>{" "}
              <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0 govuk-!-margin-left-2"
                onClick={() => remove(l.id, l.reference)}>
                Remove<span className="govuk-visually-hidden"> the link to {l.reference}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="govuk-body">No other case is reviewed with this one.</p>
      )}
      <form onSubmit={add} noValidate>
        <ErrorSummary items={linkMessage ? [{ key: "link.case_id", text: linkMessage }] : []} />
        <TextInput name="link.case_id" label="Reference of another case review to review with this one"
          hint="For example, CR-2026-0001" value={other} onChange={setOther} error={linkMessage} width={20} />
        <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>Link case</button>
      </form>
    </section>
  );
}
