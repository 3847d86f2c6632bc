// Shared bits of the meetings pages.
import type { Schemas } from "../../api/client";

export type Meeting = Schemas["MeetingOut"];

export function meetingName(m: Pick<Meeting, "title">): string {
  return m.title || "Case Review Group meeting";
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
};
