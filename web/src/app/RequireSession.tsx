// Pages behind sign-in: with no session, go to the sign-in page, which comes back here after.
import { Navigate, Outlet, useLocation } from "react-router";

import { useQueryClient } from "@tanstack/react-query";

import { SESSION_ENDED_KEY, useSession } from "../api/session";
import { Loading, QueryFailed } from "../components/Page";

export function nextParam(pathname: string, search: string): string {
  return encodeURIComponent(`${pathname}${search}`);
}

export function RequireSession() {
  const session = useSession();
  const location = useLocation();
  const ended = useQueryClient().getQueryData<boolean>(SESSION_ENDED_KEY) === true;
  if (session.isPending) return <Loading />;
  if (session.isError) return <QueryFailed error={session.error} />;
  if (!session.data) return <Navigate to={`/sign-in?${ended ? "expired=1&" : ""}next=${nextParam(location.pathname, location.search)}`} replace />;
  return <Outlet />;
}
