import { describe, expect, it } from "vitest";

import { defaultKind, meetingName, seesBothKinds } from "../src/pages/meetings/meetingData";
import { formRows, sexText } from "../src/pages/panel/papers";

describe("a panel paper's reporting form", () => {
  it("lists the sections in the form's order, not known ones as such, unanswered ones left out", () => {
    const rows = formRows({
      answers: { other_information: "None.", agency_involvement: "Known since 2024." },
      not_known: ["health"],
    });
    expect(rows).toEqual([
      { key: "agency_involvement", title: "Agency involvement", value: "Known since 2024." },
      { key: "health", title: "Health", value: "Not known" },
      { key: "other_information", title: "Other information", value: "None." },
    ]);
  });

  it("writes sex in words", () => {
    expect(sexText("female")).toBe("Female");
    expect(sexText(null)).toBe("Not recorded");
  });
});

describe("meetings of both kinds", () => {
  it("shows CDOP panels first to a user with CDOP roles only", () => {
    expect(defaultKind(["cdop_panel_member"])).toBe("cdop_panel");
    expect(defaultKind(["cdop_coordinator"])).toBe("cdop_panel");
    expect(defaultKind(["business_unit"])).toBe("crg");
    expect(defaultKind(["cdop_chair", "crg_member"])).toBe("crg");
    expect(seesBothKinds(["cdop_chair", "crg_member"])).toBe(true);
    expect(seesBothKinds(["cdop_chair"])).toBe(false);
  });

  it("names an untitled meeting by its kind", () => {
    expect(meetingName({ title: null, kind: "cdop_panel" })).toBe("Child Death Overview Panel meeting");
    expect(meetingName({ title: null, kind: "crg" })).toBe("Case Review Group meeting");
    expect(meetingName({ title: null })).toBe("Case Review Group meeting");
    expect(meetingName({ title: "December panel", kind: "cdop_panel" })).toBe("December panel");
  });
});
