import { describe, expect, it } from "vitest";

import { auditQuery, filterErrors, filterParams, filtersFromParams, nextDay } from "../src/pages/admin/auditFilters";
import { createBody, EMPTY_NEW_USER, formMessages, newUserErrors, roleLabel, updateBody } from "../src/pages/admin/userForm";

describe("new user form -> POST /users", () => {
  it("sends the fields, roles in the form's order, and leaves out empty optional ones", () => {
    expect(createBody({ email: " Ana.Example@example.test ", name: " Ana Example ", roles: ["cdop_chair", "business_unit"], agency: " ", password: "" }))
      .toEqual({ email: "Ana.Example@example.test", name: "Ana Example", roles: ["business_unit", "cdop_chair"], is_active: true });
    expect(createBody({ ...EMPTY_NEW_USER, email: "a@example.test", name: "A", roles: ["agency_author"], agency: "Testshire Police", password: "long enough password" }))
      .toEqual({ email: "a@example.test", name: "A", roles: ["agency_author"], agency: "Testshire Police", password: "long enough password", is_active: true });
  });
  it("checks what the API would refuse, in plain words", () => {
    expect(newUserErrors(EMPTY_NEW_USER)).toEqual({ email: "Enter the user’s email address", name: "Enter the user’s name" });
    expect(newUserErrors({ ...EMPTY_NEW_USER, email: "not-an-email", name: "A", password: "short" })).toEqual({
      email: "Enter an email address in the correct format, like name@example.org",
      password: "The password must be 12 characters or more",
    });
    expect(newUserErrors({ ...EMPTY_NEW_USER, email: "a@example.test", name: "A" })).toEqual({});
  });
  it("puts the API's field errors on the form's fields", () => {
    expect(formMessages({ "roles.0": "Input should be 'admin'", password: "too short", "roles.1": "x" }))
      .toEqual({ roles: "Input should be 'admin'", password: "too short" });
  });
});

describe("roles and agency -> PATCH /users/{id}", () => {
  it("sends the roles and clears an empty agency", () => {
    expect(updateBody(["admin", "business_unit"], "")).toEqual({ roles: ["business_unit", "admin"], agency: null });
    expect(updateBody([], " Testshire GP ")).toEqual({ roles: [], agency: "Testshire GP" });
  });
  it("names roles in words", () => {
    expect(roleLabel("cdop_panel_member")).toBe("Child Death Overview Panel member");
    expect(roleLabel("unknown_role")).toBe("unknown_role");
  });
});

describe("audit filters", () => {
  it("reads the address and sends whole days, the last one included", () => {
    const f = filtersFromParams(new URLSearchParams("case=case_review:12&actor=user:3&from=2026-12-01&to=2026-12-31"));
    expect(auditQuery(f, "abc")).toEqual({
      case: "case_review:12", actor: "user:3", from: "2026-12-01T00:00:00Z", to: "2027-01-01T00:00:00Z", cursor: "abc",
    });
    expect(auditQuery(filtersFromParams(new URLSearchParams("")))).toEqual({});
    expect(nextDay("2028-02-28")).toBe("2028-02-29");
  });
  it("refuses dates that do not exist and a 'to' before 'from'", () => {
    expect(filterErrors({ case: "", actor: "", from: "2026-02-30", to: "" }).from).toMatch(/real date/);
    expect(filterErrors({ case: "", actor: "", from: "2026-12-02", to: "2026-12-01" }).to).toMatch(/after/);
    expect(filterErrors({ case: "", actor: "", from: "", to: "" })).toEqual({});
  });
  it("keeps only the filters given in the address", () => {
    expect(filterParams({ case: " ", actor: "user:3", from: "", to: "2026-12-31" })).toEqual({ actor: "user:3", to: "2026-12-31" });
  });
});
