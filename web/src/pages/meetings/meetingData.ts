// Shared bits of the meetings pages.
import type { Schemas } from "../../api/client";

export type Meeting = Schemas["MeetingOut"];

export type MeetingKind = Meeting["kind"];

/** The words for each kind of meeting. */
export const KIND_NAMES: Record<MeetingKind, { group: string; meeting: string }> = {
  crg: { group: "Case Review Group", meeting: "Case Review Group meeting" },
  cdop_panel: { group: "Child Death Overview Panel", meeting: "Child Death Overview Panel meeting" },
};

export function meetingName(m: Pick<Meeting, "title"> & { kind?: MeetingKind }): string {
  return m.title || KIND_NAMES[m.kind ?? "crg"].meeting;
}

/** The roles that manage each kind (a hint for which buttons to show: the API decides). */
export const MANAGER_ROLES = { crg: ["business_unit"], cdop_panel: ["cdop_coordinator"] } as const;
const CDOP_ROLES = ["cdop_coordinator", "cdop_chair", "cdop_panel_member"];
const CRG_ROLES = ["business_unit", "crg_member", "crg_chair", "independent_chair"];

/** The kind a user's meetings list shows first: CDOP panels for a user with only CDOP roles. */
export function defaultKind(roles: readonly string[]): MeetingKind {
  const cdop = roles.some((r) => CDOP_ROLES.includes(r));
  const crg = roles.some((r) => CRG_ROLES.includes(r));
  return cdop && !crg ? "cdop_panel" : "crg";
}

/** Whether a user has roles of both kinds (then the list offers both). */
export function seesBothKinds(roles: readonly string[]): boolean {
  return roles.some((r) => CDOP_ROLES.includes(r)) && roles.some((r) => CRG_ROLES.includes(r));
}

export function kindOf(value: string | null | undefined, fallback: MeetingKind): MeetingKind {
  return value === "crg" || value === "cdop_panel" ? value : fallback;
}

/** Upcoming meetings soonest first; past ones latest first. */
export function splitByTime(meetings: Meeting[], now: Date): { upcoming: Meeting[]; past: Meeting[] } {
  const t = now.getTime();
  const when = (m: Meeting) => new Date(m.scheduled_for).getTime();
  return {
    upcoming: meetings.filter((m) => when(m) >= t).sort((a, b) => when(a) - when(b)),
    past: meetings.filter((m) => when(m) < t).sort((a, b) => when(b) - when(a)),
  };
}

export const ROLE_NAMES: Record<string, string> = {
  crg_member: "CRG member",
  crg_chair: "CRG chair",
  independent_chair: "Independent Chair",
  cdop_panel_member: "panel member",
  cdop_chair: "panel chair",
  cdop_coordinator: "CDOP coordinator",
};
