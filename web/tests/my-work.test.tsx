import { describe, expect, it } from "vitest";

import {
  partitionMyWork, statusesFor, toItem, workRoles, type CaseSummary, type Meeting,
} from "../src/pages/my-work/partition";

let nextId = 1;
function c(status: string, extra: Partial<CaseSummary> = {}): CaseSummary {
  const id = nextId++;
  return {
    id, reference: `CR-2026-${String(id).padStart(4, "0")}`, status, child_name: "Alex Example", decision: null,
    deadlines: [], overdue: false, received_on: "2026-11-01", regime: "WT2015", review_type: null, source: "staff",
    stage: "under_consideration", incident_type: "serious_harm", linked_cases: [], child_death_reference: null,
    version: 1, ...extra,
  };
}

function meeting(id: number, memberIds: number[], caseIds: number[], when = "2026-12-14T14:00:00Z"): Meeting {
  return {
    id, kind: "crg", title: `Meeting ${id}`, scheduled_for: when, location: null, member_ids: memberIds,
    minutes: null, minutes_updated_at: null, standing_items: null,
    agenda: caseIds.map((cid, i) => ({ case_id: cid, position: i + 1, added_at: when,
      case: { id: cid, reference: `CR-AGENDA-${cid}`, status: "awaiting_decision" } })),
  };
}

const keys = (items: { id: number }[]) => items.map((i) => i.id);

describe("My work: the sections of each role", () => {
  const received = c("received");
  const screening = c("screening");
  const info = c("information_requested");
  const awaiting = c("awaiting_decision");
  const scrRec = c("scr_recommended", { decision: "scr" });
  const inProgress = c("review_in_progress", { decision: "learning_event" });
  const otherLa = c("monitoring_other_la_review", { decision: "other_la_review" });
  const submittedScr = c("report_submitted", { decision: "scr" });
  const submittedOther = c("report_submitted", { decision: "management_review" });
  const approved = c("report_approved", { decision: "scr" });
  const deferred = c("publication_deferred", { decision: "scr" });
  const late = c("screening", {
    overdue: true,
    deadlines: [
      { kind: "b", label: "Later", due_on: "2026-12-20", overdue: false, start_on: "2026-11-01" },
      { kind: "a", label: "Screening", due_on: "2026-11-20", overdue: true, start_on: "2026-11-01" },
    ],
  });
  const all = [received, screening, info, awaiting, scrRec, inProgress, otherLa, submittedScr, submittedOther,
    approved, deferred];

  it("asks for the statuses of the roles held, once each", () => {
    expect(statusesFor(["business_unit"]).sort()).toEqual(
      ["information_requested", "monitoring_national_review", "monitoring_other_la_review", "received",
        "review_in_progress", "screening"]);
    expect(statusesFor(["crg_chair", "independent_chair"]).sort()).toEqual(
      ["awaiting_decision", "publication_deferred", "rapid_review", "rapid_review_sent", "report_approved",
        "report_submitted", "scr_recommended"]);
    expect(statusesFor(["crg_member"])).toEqual([]);
    expect(workRoles(["admin", "crg_member", "business_unit"])).toEqual(["business_unit", "crg_member"]);
  });

  it("puts each business unit case in its section, the overdue ones from their own list", () => {
    const [bu] = partitionMyWork({ roles: ["business_unit"], userId: 1, cases: all, overdue: [late], meetings: [] });
    const s = Object.fromEntries(bu.sections.map((x) => [x.key, keys(x.items)]));
    expect(bu.sections.map((x) => x.key)).toEqual(["to-screen", "information-requested", "overdue", "reports-awaited"]);
    expect(s["to-screen"]).toEqual([received.id, screening.id]);
    expect(s["information-requested"]).toEqual([info.id]);
    expect(s.overdue).toEqual([late.id]);
    expect(s["reports-awaited"]).toEqual([inProgress.id, otherLa.id]);
  });

  it("gives the CRG chair the decisions and the non-SCR reports, the Independent Chair the SCR ones", () => {
    const [chair, ic] = partitionMyWork({
      roles: ["independent_chair", "crg_chair"], userId: 1, cases: all, overdue: [], meetings: [],
    });
    expect(chair.role).toBe("crg_chair");
    expect(Object.fromEntries(chair.sections.map((x) => [x.key, keys(x.items)]))).toEqual({
      "awaiting-decision": [awaiting.id], "rapid-reviews": [], "reports-to-approve": [submittedOther.id],
    });
    expect(ic.role).toBe("independent_chair");
    expect(Object.fromEntries(ic.sections.map((x) => [x.key, keys(x.items)]))).toEqual({
      "scr-recommendations": [scrRec.id], "rapid-reviews-sent": [], publications: [approved.id, deferred.id],
      "scr-reports": [submittedScr.id],
    });
  });

  it("under CSPR: the CRG chair completes rapid reviews, the Independent Chair decides on them and approves LCSPR reports", () => {
    const rapid = c("rapid_review");
    const sent = c("rapid_review_sent");
    const lcsprReport = { ...c("report_submitted"), decision: "lcspr" };
    const national = c("monitoring_national_review");
    const [bu, chair, ic] = partitionMyWork({
      roles: ["business_unit", "crg_chair", "independent_chair"], userId: 1,
      cases: [rapid, sent, lcsprReport, national], overdue: [], meetings: [],
    });
    const of = (g: typeof bu) => Object.fromEntries(g.sections.map((x) => [x.key, keys(x.items)]));
    expect(of(bu)["reports-awaited"]).toEqual([national.id]);
    expect(of(chair)["rapid-reviews"]).toEqual([rapid.id]);
    expect(of(chair)["reports-to-approve"]).toEqual([]);
    expect(of(ic)["rapid-reviews-sent"]).toEqual([sent.id]);
    expect(of(ic)["scr-reports"]).toEqual([lcsprReport.id]);
  });

  it("gives a CRG member the cases on the agendas of their own upcoming meetings, soonest meeting first", () => {
    const mine = c("awaiting_decision");
    const alsoMine = c("screening");
    const later = meeting(7, [5, 9], [alsoMine.id], "2026-12-20T10:00:00Z");
    const sooner = meeting(8, [5], [mine.id, alsoMine.id], "2026-12-10T10:00:00Z");
    const notMine = meeting(9, [6], [awaiting.id]);
    const [member] = partitionMyWork({
      roles: ["crg_member"], userId: 5, cases: [mine, alsoMine], overdue: [], meetings: [later, notMine, sooner],
    });
    const section = member.sections[0];
    expect(section.meetings?.map((m) => m.meeting.id)).toEqual([8, 7]);
    expect(keys(section.items).sort()).toEqual([mine.id, alsoMine.id].sort());
    expect(section.meetings?.[0].items[0].childName).toBe("Alex Example");
  });

  it("falls back to the agenda line for a case not in the list", () => {
    const [, member] = partitionMyWork({
      roles: ["crg_member", "business_unit"], userId: 5, cases: [], overdue: [], meetings: [meeting(3, [5], [42])],
    });
    expect(member.sections[0].items).toEqual([
      { id: 42, reference: "CR-AGENDA-42", status: "awaiting_decision", childName: null, dueOn: null, overdue: false },
    ]);
  });

  it("shows the overdue deadline first, else the earliest", () => {
    expect(toItem(late)).toMatchObject({ dueOn: "2026-11-20", overdue: true });
    expect(toItem(received)).toMatchObject({ dueOn: null, overdue: false });
  });

  it("says when a role has nothing to do", () => {
    const [chair] = partitionMyWork({ roles: ["crg_chair"], userId: 1, cases: [], overdue: [], meetings: [] });
    expect(chair.sections.every((s) => s.items.length === 0 && s.empty.startsWith("There are no"))).toBe(true);
  });
});
