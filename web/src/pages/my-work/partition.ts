// My work: which cases go in which section, per role (a pure function, tested in
// web/tests/my-work.test.ts). The statuses come from API.md's case review workflow; the server
// still decides what each user may do once the case is open.
import type { Schemas } from "../../api/client";

export type CaseSummary = Schemas["CaseReviewSummary"];
export type Meeting = Schemas["MeetingOut"];
export type WorkRole = "business_unit" | "crg_chair" | "independent_chair" | "crg_member";

/** A case as My work shows it: the full summary, or only the agenda line of a meeting. */
export type WorkItem = {
  id: number;
  reference: string;
  status: string;
  childName: string | null;
  dueOn: string | null;
  overdue: boolean;
};

export type MeetingWork = { meeting: Meeting; items: WorkItem[] };

export type Section = {
  key: string;
  title: string;
  empty: string;
  items: WorkItem[];
  /** crg_member only: the cases grouped by upcoming meeting */
  meetings?: MeetingWork[];
};

export type RoleWork = { role: WorkRole; title: string; sections: Section[] };

export const ROLE_TITLES: Record<WorkRole, string> = {
  business_unit: "Business unit",
  crg_chair: "Case Review Group chair",
  independent_chair: "Independent Chair",
  crg_member: "Case Review Group member",
};

const ROLE_ORDER: WorkRole[] = ["business_unit", "crg_chair", "independent_chair", "crg_member"];

// The roles that read every case review (API.md): their sections come from one status-filtered list.
const FULL_READER_ROLES: WorkRole[] = ["business_unit", "crg_chair", "independent_chair"];

/** A review whose report the Independent Chair approves (an SCR under WT2015, an LCSPR under
 * CSPR); the CRG chair approves the others. */
const isScr = (c: { decision?: string | null }) => c.decision === "scr" || c.decision === "lcspr";

type SectionRule = {
  key: string;
  title: string;
  empty: string;
  statuses: string[];
  where?: (c: CaseSummary) => boolean;
};

const RULES: Record<Exclude<WorkRole, "crg_member">, SectionRule[]> = {
  business_unit: [
    { key: "to-screen", title: "New notifications to screen", empty: "There are no new notifications to screen.",
      statuses: ["received", "screening"] },
    { key: "information-requested", title: "Information requested", empty: "There are no cases waiting for information.",
      statuses: ["information_requested"] },
    // overdue deadlines come from their own list (overdue=true), see partitionMyWork
    { key: "reports-awaited", title: "Reports awaited", empty: "There are no reports awaited.",
      statuses: ["review_in_progress", "monitoring_other_la_review", "monitoring_national_review"] },
  ],
  crg_chair: [
    { key: "awaiting-decision", title: "Cases awaiting the group's decision",
      empty: "There are no cases awaiting the group's decision.", statuses: ["awaiting_decision"] },
    { key: "rapid-reviews", title: "Rapid reviews to complete", empty: "There are no rapid reviews to complete.",
      statuses: ["rapid_review"] },
    { key: "reports-to-approve", title: "Reports to approve", empty: "There are no reports to approve.",
      statuses: ["report_submitted"], where: (c) => !isScr(c) },
  ],
  independent_chair: [
    { key: "scr-recommendations", title: "SCR recommendations to decide",
      empty: "There are no SCR recommendations to decide.", statuses: ["scr_recommended"] },
    { key: "rapid-reviews-sent", title: "Rapid reviews to decide on (LCSPR)",
      empty: "There are no rapid reviews waiting for a decision on a local practice review.",
      statuses: ["rapid_review_sent"] },
    { key: "publications", title: "Publications to decide", empty: "There are no publications to decide.",
      statuses: ["report_approved", "publication_deferred"] },
    { key: "scr-reports", title: "SCR and LCSPR reports to approve", empty: "There are no SCR or LCSPR reports to approve.",
      statuses: ["report_submitted"], where: isScr },
  ],
};

/** The roles of the user that have a My work section, in the order the page shows them. */
export function workRoles(roles: readonly string[]): WorkRole[] {
  return ROLE_ORDER.filter((r) => roles.includes(r));
}

/** The statuses to ask GET /case-reviews for (one call for every full-reader role the user holds). */
export function statusesFor(roles: readonly string[]): string[] {
  const out = new Set<string>();
  for (const role of workRoles(roles)) {
    if (role === "crg_member") continue;
    for (const rule of RULES[role]) rule.statuses.forEach((s) => out.add(s));
  }
  return [...out];
}

export function readsEveryCase(roles: readonly string[]): boolean {
  return FULL_READER_ROLES.some((r) => roles.includes(r));
}

/** The earliest open deadline of a case (the one to show), and whether any is overdue. */
export function toItem(c: CaseSummary): WorkItem {
  const open = [...(c.deadlines ?? [])].sort((a, b) => a.due_on.localeCompare(b.due_on));
  const overdueFirst = open.find((d) => d.overdue);
  return {
    id: c.id,
    reference: c.reference,
    status: c.status,
    childName: c.child_name,
    dueOn: (overdueFirst ?? open[0])?.due_on ?? null,
    overdue: c.overdue,
  };
}

export type MyWorkInput = {
  roles: readonly string[];
  userId: number;
  /** GET /case-reviews?status=... (or, for a CRG member alone, every case they may read) */
  cases: CaseSummary[];
  /** GET /case-reviews?overdue=true (business unit) */
  overdue: CaseSummary[];
  /** GET /meetings?kind=crg&upcoming=true (CRG member) */
  meetings: Meeting[];
};

export function partitionMyWork({ roles, userId, cases, overdue, meetings }: MyWorkInput): RoleWork[] {
  const byId = new Map(cases.map((c) => [c.id, c]));
  return workRoles(roles).map((role) => {
    if (role === "crg_member") {
      const mine = meetings
        .filter((m) => m.kind === "crg" && m.member_ids.includes(userId))
        .sort((a, b) => a.scheduled_for.localeCompare(b.scheduled_for))
        .map((meeting) => ({
          meeting,
          items: meeting.agenda.flatMap((a): WorkItem[] => {
            const full = byId.get(a.case_id);
            if (full) return [toItem(full)];
            // the agenda line alone (a user who also holds a full-reader role)
            if (a.case) return [{ id: a.case.id, reference: a.case.reference, status: a.case.status,
              childName: null, dueOn: null, overdue: false }];
            return [];
          }),
        }));
      const distinct = new Map<number, WorkItem>();
      mine.forEach((m) => m.items.forEach((i) => distinct.set(i.id, i)));
      return {
        role, title: ROLE_TITLES[role],
        sections: [{
          key: "agenda-cases", title: "Cases on the agendas of your upcoming meetings",
          empty: "You have no upcoming meetings with cases on their agendas.",
          items: [...distinct.values()], meetings: mine,
        }],
      };
    }
    const sections: Section[] = RULES[role].map((rule) => ({
      key: rule.key, title: rule.title, empty: rule.empty,
      items: cases.filter((c) => rule.statuses.includes(c.status) && (!rule.where || rule.where(c))).map(toItem),
    }));
    if (role === "business_unit") {
      sections.splice(2, 0, {
        key: "overdue", title: "Overdue deadlines", empty: "There are no overdue deadlines.",
        items: overdue.map(toItem),
      });
    }
    return { role, title: ROLE_TITLES[role], sections };
  });
}
