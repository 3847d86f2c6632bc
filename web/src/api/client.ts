// The typed client of /api/v1 (openapi-fetch over the schema generated from openapi/openapi.json).
// The browser session is a cookie (HttpOnly, SameSite=Strict): no token is ever held by this code.
// Unsafe requests carry X-CSRF-Token, the value GET /auth/session gave, kept in memory only.
import createClient, { type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];
export type FieldError = Schemas["FieldError"];

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when an API answer says the session has ended (401), except for the session calls. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method) && csrfToken) request.headers.set("X-CSRF-Token", csrfToken);
    request.headers.set("Accept", request.headers.get("Accept") ?? "application/json");
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url).pathname.endsWith("/auth/session")) {
      onUnauthorized?.();
    }
    return response;
  },
};

// Absolute same-origin URLs (a relative one is fine in a browser, not in Node's fetch under the tests).
const origin = typeof window !== "undefined" && window.location ? window.location.origin : "";
export const api = createClient<paths>({
  baseUrl: origin,
  credentials: "same-origin",
  fetch: (request: Request) => globalThis.fetch(request), // looked up per call (the tests replace it)
});
api.use(sessionMiddleware);

/** An answer that is not 2xx, with its problem+json body when it has one. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;
  readonly etag: string | null;

  constructor(status: number, problem: Problem | null, etag: string | null = null) {
    super(problem?.detail || problem?.title || `The service answered ${status}`);
    this.status = status;
    this.problem = problem;
    this.etag = etag;
  }

  get code(): string | undefined {
    return this.problem?.code;
  }

  get fieldErrors(): FieldError[] {
    return this.problem?.errors ?? [];
  }
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful answer, or an ApiError. */
export function unwrap<T>(result: Result<T>): T {
  if (result.response.ok) return result.data as T;
  const problem = (result.error && typeof result.error === "object" ? result.error : null) as Problem | null;
  throw new ApiError(result.response.status, problem, result.response.headers.get("ETag"));
}

/** The data and the ETag of a case resource (sent back as If-Match on every write). */
export function withEtag<T>(result: Result<T>): { data: T; etag: string } {
  const data = unwrap(result);
  return { data, etag: result.response.headers.get("ETag") ?? "" };
}
