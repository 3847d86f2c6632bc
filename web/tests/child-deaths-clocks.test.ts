// The review meetings form's agencies and the clocks' outcome words (pure functions).
import { describe, expect, it } from "vitest";

import { clockState } from "../src/pages/child-deaths/Clocks";
import { meetingAgencies } from "../src/pages/child-deaths/ReviewMeetings";

describe("the agencies present at a review meeting", () => {
  it("takes the ticked agencies then each other line, trimmed, once each (any case)", () => {
    expect(meetingAgencies(["Testshire Police", "Testshire Hospital"], " Ambulance Service \n\ntestshire police\nSchool\n"))
      .toEqual(["Testshire Police", "Testshire Hospital", "Ambulance Service", "School"]);
    expect(meetingAgencies([], "  \n ")).toEqual([]);
  });
});

describe("a clock's state", () => {
  it("names each outcome, and a running clock overdue or not", () => {
    expect(clockState({ outcome: "met_on_time", overdue: false }).text).toBe("Met");
    expect(clockState({ outcome: "met_late", overdue: false }).text).toBe("Met late");
    expect(clockState({ outcome: "missed", overdue: false }).text).toBe("Missed");
    expect(clockState({ outcome: "waived", overdue: false }).text).toBe("Waived");
    expect(clockState({ outcome: null, overdue: true })).toEqual({ text: "Overdue", tag: "govuk-tag--red" });
    expect(clockState({ outcome: null, overdue: false }).text).toBe("Running");
    expect(clockState({ outcome: null, overdue: false, paused: true }).text).toBe("Paused");
  });
});
