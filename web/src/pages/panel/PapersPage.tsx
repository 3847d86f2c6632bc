// The anonymised papers of a CDOP panel meeting (/app/meetings/:id/papers), for its members,
// the coordinator and the chair. ONE API call, GET /meetings/{id}/papers, which never carries
// a name, address, NHS number or date of birth: this page must not load anything else about
// the cases (no GET /child-deaths/{id}, no agenda), so a panel member never receives them.
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";

import { api, ApiError, unwrap } from "../../api/client";
import { Loading, QueryFailed, useTitle } from "../../components/Page";
import { StatusTag } from "../../components/StatusTag";
import { SummaryList } from "../../components/SummaryList";
import { formatDateTime } from "../../lib/format";
import { FORM_STATUS_TEXT, formRows, sexText, type PanelCase } from "./papers";

export function PapersPage() {
  const params = useParams();
  const id = Number(params.id);
  const valid = Number.isInteger(id) && id > 0;
  const papers = useQuery({
    queryKey: ["meetings", "papers", id],
    enabled: valid,
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/meetings/{meeting_id}/papers", { params: { path: { meeting_id: id } } })),
  });
  useTitle("Panel papers");

  if (!valid) return <QueryFailed error={new ApiError(404, null)} />;
  if (papers.isError) return <QueryFailed error={papers.error} />;
  if (papers.isPending) return <Loading what="Loading the papers" />;
  const p = papers.data;

  return (
    <>
      <span className="govuk-caption-l">Child Death Overview Panel, {formatDateTime(p.scheduled_for)}</span>
      <h1 className="govuk-heading-l">Panel papers</h1>
      <div className="govuk-inset-text">
        These papers are anonymised: they show no names, addresses, NHS numbers or dates of birth.
      </div>
      {p.cases.length === 0 ? (
        <p className="govuk-body">There are no cases on this panel&apos;s agenda yet.</p>
      ) : (
        <>
          <h2 className="govuk-heading-m">Cases ({p.cases.length})</h2>
          <ul className="govuk-list" aria-label="Cases in these papers">
            {p.cases.map((c) => (
              <li key={c.reference}><a className="govuk-link" href={`#case-${c.reference}`}>{c.reference}</a></li>
            ))}
          </ul>
          {p.cases.map((c) => <CasePaper key={c.reference} c={c} />)}
        </>
      )}
      <section aria-labelledby="papers-minutes-heading" className="govuk-!-margin-bottom-8">
        <h2 className="govuk-heading-m" id="papers-minutes-heading">Minutes</h2>
        <p className="govuk-body app-field-value">{p.minutes || "No minutes yet."}</p>
      </section>
      <p className="govuk-body"><Link className="govuk-link" to="/meetings">All meetings</Link></p>
    </>
  );
}

function CasePaper({ c }: { c: PanelCase }) {
  const headingId = `case-${c.reference}-heading`;
  return (
    <section id={`case-${c.reference}`} aria-labelledby={headingId} className="govuk-!-margin-bottom-8" data-testid="paper">
      <h2 className="govuk-heading-m" id={headingId}>{c.reference}</h2>
      <SummaryList rows={[
        { key: "Age at death", value: c.age_at_death.text },
        { key: "Sex", value: sexText(c.sex) },
        { key: "Death expected", value: c.expected ? "Yes" : "No" },
        { key: "Status", value: <StatusTag status={c.status} /> },
        { key: "Case summary", value: <span className="app-field-value">{c.case_summary || "None"}</span> },
      ]} />
      <h3 className="govuk-heading-s">Reporting forms ({c.reporting_forms.length})</h3>
      {c.reporting_forms.length === 0 ? <p className="govuk-body">No reporting forms were requested.</p> : null}
      {c.reporting_forms.map((f, i) => {
        const rows = formRows(f);
        return (
          <details className="govuk-details" key={`${f.agency}-${i}`}>
            <summary className="govuk-details__summary">
              <span className="govuk-details__summary-text">{f.agency}: {FORM_STATUS_TEXT[f.status] ?? f.status}</span>
            </summary>
            <div className="govuk-details__text">
              {rows.length === 0 && !(f.supplementary ?? []).length ? <p className="govuk-body">No answers.</p> : null}
              {rows.length ? (
                <dl className="govuk-summary-list">
                  {rows.map((r) => (
                    <div className="govuk-summary-list__row" key={r.key}>
                      <dt className="govuk-summary-list__key">{r.title}</dt>
                      <dd className="govuk-summary-list__value app-field-value">{r.value}</dd>
                    </div>
                  ))}
                </dl>
              ) : null}
              {(f.supplementary ?? []).map((sf) => (
                <div key={sf.form} data-testid={`supplementary-${sf.form}`}>
                  <h4 className="govuk-heading-s">{sf.title}</h4>
                  <dl className="govuk-summary-list">
                    {sf.answers.map((a, j) => (
                      <div className="govuk-summary-list__row" key={j}>
                        <dt className="govuk-summary-list__key">{a.question}</dt>
                        <dd className="govuk-summary-list__value app-field-value">{a.answer}</dd>
                      </div>
                    ))}
                  </dl>
                </div>
              ))}
            </div>
          </details>
        );
      })}
    </section>
  );
}
