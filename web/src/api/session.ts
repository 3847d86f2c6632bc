// The signed-in user: GET /auth/session once per page load (then kept by TanStack Query).
import { useQuery, useQueryClient } from "@tanstack/react-query";

import { api, ApiError, setCsrfToken, unwrap, type Schemas } from "./client";

export type Session = Schemas["SessionOut"];
export type Role = Schemas["Role"];

export const SESSION_KEY = ["session"] as const;
/** Set when an API answer said the session had ended (401): the sign-in page says why. */
export const SESSION_ENDED_KEY = ["session-ended"] as const;

export async function fetchSession(): Promise<Session | null> {
  const result = await api.GET("/api/v1/auth/session");
  if (result.response.status === 401) {
    setCsrfToken(null);
    return null;
  }
  const session = unwrap(result);
  setCsrfToken(session.csrf_token);
  return session;
}

export function useSession() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 60_000, retry: false });
}

export function hasRole(session: Session | null | undefined, ...roles: Role[]): boolean {
  return !!session && session.roles.some((r) => roles.includes(r));
}

export async function signIn(email: string, password: string): Promise<void> {
  const result = await api.POST("/api/v1/auth/session", { body: { email, password } });
  if (!result.response.ok) unwrap(result);
}

export function useSignOut() {
  const client = useQueryClient();
  return async () => {
    try {
      await api.DELETE("/api/v1/auth/session");
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
    setCsrfToken(null);
    client.clear();
  };
}
