// The client's session rules (API.md v1.1): the CSRF token on unsafe requests only, held in
// memory; a 401 from the API (not from the session calls) sends the user to sign in.
import { afterEach, describe, expect, it, vi } from "vitest";

import { api, ApiError, setCsrfToken, setUnauthorizedHandler, unwrap, withEtag } from "../src/api/client";
import { safeNext } from "../src/pages/sign-in/SignInPage";

function answer(status: number, body: unknown = null, headers: Record<string, string> = {}) {
  return new Response(body === null ? null : JSON.stringify(body), {
    status, headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json", ...headers },
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
  setUnauthorizedHandler(null);
});

describe("CSRF token", () => {
  it("is sent on unsafe requests and not on reads", async () => {
    const seen: Request[] = [];
    vi.stubGlobal("fetch", vi.fn(async (req: Request) => { seen.push(req); return answer(200, {}); }));
    setCsrfToken("tok-123");
    await api.GET("/api/v1/me");
    await api.PUT("/api/v1/meetings/{meeting_id}/minutes", { params: { path: { meeting_id: 1 } }, body: { minutes: "x" } });
    await api.DELETE("/api/v1/auth/session");
    expect(seen[0].headers.get("X-CSRF-Token")).toBeNull();
    expect(seen[1].headers.get("X-CSRF-Token")).toBe("tok-123");
    expect(seen[2].headers.get("X-CSRF-Token")).toBe("tok-123");
    expect(seen.every((r) => r.credentials === "same-origin")).toBe(true);
  });

  it("is never written to browser storage", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => answer(200, {})));
    setCsrfToken("tok-456");
    await api.POST("/api/v1/auth/session", { body: { email: "a@example.test", password: "x" } });
    expect(localStorage.length + sessionStorage.length).toBe(0);
  });
});

describe("answers", () => {
  it("a 401 from the API calls the handler; one from the session route does not", async () => {
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    vi.stubGlobal("fetch", vi.fn(async () => answer(401, { type: "about:blank", title: "Unauthorized", status: 401, detail: "x", code: "unauthorized" })));
    await api.GET("/api/v1/auth/session");
    expect(handler).not.toHaveBeenCalled();
    await api.GET("/api/v1/me");
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("unwrap throws an ApiError with the problem's field errors", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => answer(422, {
      type: "about:blank", title: "Invalid", status: 422, detail: "bad", code: "validation_error",
      errors: [{ loc: ["body", "child", "first_name"], msg: "Enter the child's first name" }],
    })));
    const result = await api.GET("/api/v1/me");
    try {
      unwrap(result);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).status).toBe(422);
      expect((e as ApiError).code).toBe("validation_error");
      expect((e as ApiError).fieldErrors[0].msg).toBe("Enter the child's first name");
    }
  });

  it("withEtag returns the ETag to send back as If-Match", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => answer(200, { id: 1 }, { ETag: 'W/"7"' })));
    const { data, etag } = withEtag(await api.GET("/api/v1/me"));
    expect(data).toEqual({ id: 1 });
    expect(etag).toBe('W/"7"');
  });
});

describe("the address to go back to after signing in", () => {
  it("is a path inside the app, never another site", () => {
    expect(safeNext("/case-reviews?status=received")).toBe("/case-reviews?status=received");
    expect(safeNext("//evil.example/x")).toBe("/");
    expect(safeNext("/\\evil.example")).toBe("/");
    expect(safeNext("https://evil.example/")).toBe("/");
    expect(safeNext(null)).toBe("/");
    expect(safeNext("/sign-in?next=/x")).toBe("/");
  });
});
