// CRG meetings (/app/meetings): one page of meetings (newest first, keyset paging with the cursor
// in the address), shown as upcoming and past. One API call.
import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";

import { api, unwrap } from "../../api/client";
import { hasRole, useSession } from "../../api/session";
import { Loading, QueryFailed, useTitle } from "../../components/Page";
import { formatDateTime } from "../../lib/format";
import { meetingName, splitByTime, type Meeting } from "./meetingData";

export const PAGE_SIZE = 25;

export function MeetingsListPage() {
  useTitle("Case Review Group meetings");
  const [params] = useSearchParams();
  const cursor = params.get("cursor") || undefined;
  const { data: session } = useSession();
  const list = useQuery({
    queryKey: ["meetings", "list", cursor ?? ""],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/meetings", { params: { query: { kind: "crg", limit: PAGE_SIZE, cursor } } })),
  });
  if (list.isError) return <QueryFailed error={list.error} />;

  const { upcoming, past } = splitByTime(list.data?.items ?? [], new Date());
  return (
    <>
      <h1 className="govuk-heading-l">Case Review Group meetings</h1>
      {/* a hint for the business unit, who manages the group's meetings; the API decides */}
      {hasRole(session, "business_unit") ? (
        <Link to="/meetings/new" className="govuk-button" draggable={false}>Schedule a meeting</Link>
      ) : null}
      {list.isPending ? <Loading what="Loading meetings" /> : (
        <>
          <MeetingTable id="upcoming" title="Upcoming meetings" meetings={upcoming}
            empty="There are no upcoming meetings on this page." />
          <MeetingTable id="past" title="Past meetings" meetings={past} empty="There are no past meetings on this page." />
          <nav className="govuk-pagination govuk-pagination--block" aria-label="Pages of meetings">
            {cursor ? (
              <div className="govuk-pagination__prev">
                <Link className="govuk-link govuk-pagination__link" to="/meetings" rel="prev">
                  <svg className="govuk-pagination__icon govuk-pagination__icon--prev" xmlns="http://www.w3.org/2000/svg"
                    height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13">
                    <path d="m6.5938-0.0078125-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984l4.2931-4.293-1.414-1.414z" />
                  </svg>
                  <span className="govuk-pagination__link-title">First page</span>
                </Link>
              </div>
            ) : null}
            {list.data?.next_cursor ? (
              <div className="govuk-pagination__next">
                <Link className="govuk-link govuk-pagination__link" rel="next"
                  to={`/meetings?cursor=${encodeURIComponent(list.data.next_cursor)}`}>
                  <svg className="govuk-pagination__icon govuk-pagination__icon--next" xmlns="http://www.w3.org/2000/svg"
                    height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13">
                    <path d="m8.107-0.0078125-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441-6.4062-6.7246-6.7266z" />
                  </svg>
                  <span className="govuk-pagination__link-title">Older meetings</span>
                </Link>
              </div>
            ) : null}
          </nav>
        </>
      )}
    </>
  );
}

function MeetingTable({ id, title, meetings, empty }: { id: string; title: string; meetings: Meeting[]; empty: string }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="govuk-!-margin-bottom-6" data-testid={`${id}-meetings`}>
      <h2 className="govuk-heading-m" id={`${id}-heading`}>{title} ({meetings.length})</h2>
      {meetings.length === 0 ? <p className="govuk-body">{empty}</p> : (
        <table className="govuk-table" aria-labelledby={`${id}-heading`}>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header govuk-!-width-one-third">Meeting</th>
              <th scope="col" className="govuk-table__header govuk-!-width-one-quarter">Date and time</th>
              <th scope="col" className="govuk-table__header">Location</th>
              <th scope="col" className="govuk-table__header govuk-table__header--numeric">Cases</th>
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {meetings.map((m) => (
              <tr className="govuk-table__row" key={m.id}>
                <td className="govuk-table__cell">
                  <Link className="govuk-link" to={`/meetings/${m.id}`}>{meetingName(m)}</Link>
                </td>
                <td className="govuk-table__cell">{formatDateTime(m.scheduled_for)}</td>
                <td className="govuk-table__cell">{m.location || "Not given"}</td>
                <td className="govuk-table__cell govuk-table__cell--numeric">{m.agenda.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
