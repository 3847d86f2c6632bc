import { describe, expect, it } from "vitest";

import { checkWhen, plainMessages } from "../src/pages/meetings/NewMeetingPage";
import { splitByTime, type Meeting } from "../src/pages/meetings/meetingData";
import { parseTime, scheduledFor } from "../src/pages/meetings/scheduledFor";

describe("a meeting's date and time -> scheduled_for", () => {
  it("reads the time as people write it", () => {
    expect(parseTime("2pm")).toEqual({ hour: 14, minute: 0 });
    expect(parseTime("2:30 PM")).toEqual({ hour: 14, minute: 30 });
    expect(parseTime("12am")).toEqual({ hour: 0, minute: 0 });
    expect(parseTime("12pm")).toEqual({ hour: 12, minute: 0 });
    expect(parseTime("midday")).toEqual({ hour: 12, minute: 0 });
    expect(parseTime("14:30")).toEqual({ hour: 14, minute: 30 });
    expect(parseTime("09.15")).toEqual({ hour: 9, minute: 15 });
    expect(parseTime("0930")).toEqual({ hour: 9, minute: 30 });
    for (const bad of ["", "25:00", "13pm", "2:75", "two", "14:3"]) expect(parseTime(bad)).toBeNull();
  });

  it("gives London's offset of that day: GMT in winter, BST in summer", () => {
    expect(scheduledFor("2026-12-14", "2pm")).toBe("2026-12-14T14:00:00+00:00");
    expect(scheduledFor("2026-7-3", "9:30am")).toBe("2026-07-03T09:30:00+01:00");
    // the days of the clock changes (29 March and 25 October 2026)
    expect(scheduledFor("2026-3-29", "10am")).toBe("2026-03-29T10:00:00+01:00");
    expect(scheduledFor("2026-10-25", "10am")).toBe("2026-10-25T10:00:00+00:00");
    expect(scheduledFor("2026-3-28", "23:30")).toBe("2026-03-28T23:30:00+00:00");
  });

  it("refuses a date that is not real or a time it cannot read", () => {
    expect(scheduledFor("2026-2-30", "2pm")).toBeNull();
    expect(scheduledFor("2026-13-1", "2pm")).toBeNull();
    expect(scheduledFor("26-1-1", "2pm")).toBeNull();
    expect(scheduledFor("2026-12-14", "later")).toBeNull();
  });

  it("names the field of each problem", () => {
    expect(checkWhen("", "")).toEqual({
      scheduled_for: "Enter the date of the meeting", scheduled_time: "Enter the time of the meeting",
    });
    expect(checkWhen("2026-2-30", "noonish")).toEqual({
      scheduled_for: "The date of the meeting must be a real date", scheduled_time: "Enter the time like 2pm or 14:30",
    });
    expect(checkWhen("2026-12-14", "2pm")).toEqual({});
  });

  it("says the API's length limits in plain words", () => {
    expect(plainMessages({ title: "String should have at most 200 characters", member_ids: "no active users with ids [9]" }))
      .toEqual({ title: "The title must be 200 characters or fewer", member_ids: "no active users with ids [9]" });
  });
});

describe("meetings list", () => {
  const m = (id: number, when: string) => ({ id, scheduled_for: when }) as Meeting;
  it("splits upcoming (soonest first) from past (latest first)", () => {
    const now = new Date("2026-12-07T12:00:00Z");
    const { upcoming, past } = splitByTime(
      [m(1, "2026-12-20T10:00:00Z"), m(2, "2026-11-01T10:00:00Z"), m(3, "2026-12-08T10:00:00Z"), m(4, "2026-12-01T10:00:00Z")],
      now,
    );
    expect(upcoming.map((x) => x.id)).toEqual([3, 1]);
    expect(past.map((x) => x.id)).toEqual([4, 2]);
  });
});
