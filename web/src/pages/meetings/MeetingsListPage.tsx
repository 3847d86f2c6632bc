// Meetings (/app/meetings): one page of meetings of one kind (?kind=crg or cdop_panel; CDOP panels
// first for a user with only CDOP roles), newest first, keyset paging with the cursor in the
// address, shown as upcoming and past; a panel's row links to its anonymised papers. One API call.
import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";

import { api, unwrap } from "../../api/client";
import { hasRole, useSession } from "../../api/session";
import { Loading, QueryFailed, useTitle } from "../../components/Page";
import { formatDateTime } from "../../lib/format";
import {
  defaultKind, KIND_NAMES, kindOf, MANAGER_ROLES, meetingName, seesBothKinds, splitByTime, type Meeting, type MeetingKind,
} from "./meetingData";

export const PAGE_SIZE = 25;

export function MeetingsListPage() {
  const [params] = useSearchParams();
  const cursor = params.get("cursor") || undefined;
  const { data: session } = useSession();
  const roles = session?.roles ?? [];
  const kind = kindOf(params.get("kind"), defaultKind(roles));
  const names = KIND_NAMES[kind];
  useTitle(`${names.group} meetings`);
  // the address of this list, with its kind when it is not the user's default
  const base = kind === defaultKind(roles) ? "/meetings" : `/meetings?kind=${kind}`;
  const withCursor = (c: string) => `${base}${base.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(c)}`;
  const list = useQuery({
    queryKey: ["meetings", "list", kind, cursor ?? ""],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/meetings", { params: { query: { kind, limit: PAGE_SIZE, cursor } } })),
  });
  if (list.isError) return <QueryFailed error={list.error} />;

  const { upcoming, past } = splitByTime(list.data?.items ?? [], new Date());
  return (
    <>
      <h1 className="govuk-heading-l">{names.group} meetings</h1>
      {seesBothKinds(roles) ? <KindNavigation kind={kind} roles={roles} /> : null}
      {/* a hint for the kind's managers (business unit, CDOP coordinator); the API decides */}
      {hasRole(session, ...MANAGER_ROLES[kind]) ? (
        <Link to={kind === "crg" ? "/meetings/new" : "/meetings/new?kind=cdop_panel"} className="govuk-button"
          draggable={false}>Schedule a meeting</Link>
      ) : null}
      {list.isPending ? <Loading what="Loading meetings" /> : (
        <>
          <MeetingTable id="upcoming" title="Upcoming meetings" meetings={upcoming} kind={kind}
            empty="There are no upcoming meetings on this page." />
          <MeetingTable id="past" title="Past meetings" meetings={past} kind={kind}
            empty="There are no past meetings on this page." />
          <nav className="govuk-pagination govuk-pagination--block" aria-label="Pages of meetings">
            {cursor ? (
              <div className="govuk-pagination__prev">
                <Link className="govuk-link govuk-pagination__link" to={base} rel="prev">
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
                  to={withCursor(list.data.next_cursor)}>
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

function KindNavigation({ kind, roles }: { kind: MeetingKind; roles: readonly string[] }) {
  const first = defaultKind(roles);
  const to = (k: MeetingKind) => (k === first ? "/meetings" : `/meetings?kind=${k}`);
  return (
    <nav className="moj-sub-navigation" aria-label="Kinds of meeting">
      <ul className="moj-sub-navigation__list">
        {(["crg", "cdop_panel"] as const).map((k) => (
          <li className="moj-sub-navigation__item" key={k}>
            <Link className="moj-sub-navigation__link" to={to(k)} aria-current={k === kind ? "page" : undefined}>
              {KIND_NAMES[k].group}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function MeetingTable({ id, title, meetings, empty, kind }: {
  id: string; title: string; meetings: Meeting[]; empty: string; kind: MeetingKind;
}) {
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
              {kind === "cdop_panel" ? <th scope="col" className="govuk-table__header">Papers</th> : null}
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
                {kind === "cdop_panel" ? (
                  <td className="govuk-table__cell">
                    <Link className="govuk-link" to={`/meetings/${m.id}/papers`}>
                      Papers<span className="govuk-visually-hidden"> for {meetingName(m)}, {formatDateTime(m.scheduled_for)}</span>
                    </Link>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
