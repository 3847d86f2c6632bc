// Meetings (/app/meetings): one page of meetings of one kind (?kind=crg or cdop_panel; CDOP panels
// first for a user with only CDOP roles), newest first, keyset paging with the cursor in the
// address, shown as upcoming and past; a panel's row links to its anonymised papers. One API call.
import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";

import { api, unwrap } from "../../api/client";
import { hasRole, useSession } from "../../api/session";
import { Loading, QueryFailed, useTitle } from "../../components/Page";
import { Pagination } from "../../components/Pagination";
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
          <Pagination search={params} nextCursor={list.data?.next_cursor} label="Pages of meetings" nextText="Older meetings" />
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
