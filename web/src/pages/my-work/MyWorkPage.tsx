// My work (/app/): each of the user's roles gets its sections of cases to act on. The page's data
// is at most 3 API calls: the case reviews in the statuses the roles work on (or, for a CRG
// member alone, every case they may read: those on their meetings' agendas), the overdue ones
// (business unit), and the upcoming CRG meetings (CRG member).
import { useQueries } from "@tanstack/react-query";
import { Link } from "react-router";

import { api, unwrap } from "../../api/client";
import type { operations } from "../../api/schema";
import { useSession } from "../../api/session";
import { Loading, QueryFailed, useTitle } from "../../components/Page";
import { formatDateTime } from "../../lib/format";
import {
  partitionMyWork, readsEveryCase, statusesFor, workRoles,
  type CaseSummary, type Meeting, type RoleWork, type Section,
} from "./partition";
import { WorkTable } from "./WorkTable";

const LIMIT = 200;
type Status = NonNullable<NonNullable<operations["list_case_reviews_api_v1_case_reviews_get"]["parameters"]["query"]>["status"]>[number];

type ListPage<T> = { items: T[]; next_cursor?: string | null };

export function MyWorkPage() {
  useTitle("My work");
  const { data: session } = useSession();
  const roles = session?.roles ?? [];
  const userId = session?.user.id ?? 0;
  const fullReader = readsEveryCase(roles);
  const statuses = statusesFor(roles) as Status[];
  const wantsCases = workRoles(roles).length > 0;
  const isBusinessUnit = roles.includes("business_unit");
  const isMember = roles.includes("crg_member");

  const [cases, overdue, meetings] = useQueries({
    queries: [
      {
        queryKey: ["my-work", "cases", fullReader ? statuses : "agenda"],
        enabled: !!session && wantsCases,
        queryFn: async (): Promise<ListPage<CaseSummary>> =>
          unwrap(await api.GET("/api/v1/case-reviews", {
            params: { query: fullReader ? { status: statuses, limit: LIMIT } : { limit: LIMIT } },
          })),
      },
      {
        queryKey: ["my-work", "overdue"],
        enabled: !!session && isBusinessUnit,
        queryFn: async (): Promise<ListPage<CaseSummary>> =>
          unwrap(await api.GET("/api/v1/case-reviews", { params: { query: { overdue: true, limit: LIMIT } } })),
      },
      {
        queryKey: ["my-work", "meetings"],
        enabled: !!session && isMember,
        queryFn: async (): Promise<ListPage<Meeting>> =>
          unwrap(await api.GET("/api/v1/meetings", { params: { query: { kind: "crg", upcoming: true, limit: LIMIT } } })),
      },
    ],
  });

  if (!session) return <Loading />;
  const failed = [cases, overdue, meetings].find((q) => q.isError);
  if (failed) return <QueryFailed error={failed.error} />;
  if (!wantsCases) {
    return (
      <>
        <h1 className="govuk-heading-xl">My work</h1>
        <p className="govuk-body">You have no case review work. Your roles do not include the business unit or the Case Review Group.</p>
      </>
    );
  }
  if ([cases, overdue, meetings].some((q) => q.isPending && q.fetchStatus !== "idle")) {
    return (
      <>
        <h1 className="govuk-heading-xl">My work</h1>
        <Loading what="Loading your work" />
      </>
    );
  }

  const work = partitionMyWork({
    roles, userId,
    cases: cases.data?.items ?? [],
    overdue: overdue.data?.items ?? [],
    meetings: meetings.data?.items ?? [],
  });
  const truncated = [cases, overdue, meetings].some((q) => q.data?.next_cursor);

  return (
    <>
      <h1 className="govuk-heading-xl">My work</h1>
      {truncated ? (
        <div className="govuk-inset-text">
          Only the first {LIMIT} cases of a list are shown here. <Link className="govuk-link" to="/case-reviews">Search all case reviews</Link>.
        </div>
      ) : null}
      {work.map((rw) => <RoleSections key={rw.role} work={rw} />)}
    </>
  );
}

function RoleSections({ work }: { work: RoleWork }) {
  return (
    <section className="govuk-!-margin-bottom-8" aria-labelledby={`role-${work.role}`} data-role={work.role}>
      <h2 className="govuk-heading-l" id={`role-${work.role}`}>{work.title}</h2>
      {work.sections.map((s) => <WorkSection key={s.key} role={work.role} section={s} />)}
    </section>
  );
}

function WorkSection({ role, section }: { role: string; section: Section }) {
  const id = `${role}-${section.key}`;
  return (
    <div className="govuk-!-margin-bottom-6" data-section={section.key}>
      <h3 className="govuk-heading-m" id={id}>
        {section.title} ({section.items.length})
      </h3>
      {section.meetings ? (
        section.meetings.length === 0 ? (
          <p className="govuk-body">{section.empty}</p>
        ) : (
          section.meetings.map(({ meeting, items }) => (
            <div key={meeting.id} className="govuk-!-margin-bottom-4">
              <h4 className="govuk-heading-s" id={`meeting-${meeting.id}`}>
                <Link className="govuk-link" to={`/meetings/${meeting.id}`}>
                  {meeting.title || "Case Review Group meeting"}, {formatDateTime(meeting.scheduled_for)}
                </Link>
              </h4>
              {items.length ? (
                <WorkTable items={items} labelledBy={`meeting-${meeting.id}`} />
              ) : (
                <p className="govuk-body">There are no cases on this meeting's agenda yet.</p>
              )}
            </div>
          ))
        )
      ) : section.items.length ? (
        <WorkTable items={section.items} labelledBy={id} />
      ) : (
        <p className="govuk-body">{section.empty}</p>
      )}
    </div>
  );
}
