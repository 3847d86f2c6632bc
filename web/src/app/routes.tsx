// The app's addresses (DESIGN.md "Pages have stable addresses"), all under /app/.
import { QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { createBrowserRouter, Outlet, type RouteObject } from "react-router";

import { ApiError, setUnauthorizedHandler } from "../api/client";
import { SESSION_ENDED_KEY, SESSION_KEY } from "../api/session";
import { SkipLink, Header, Footer } from "./Layout";
import { Layout } from "./Layout";
import { lazyPage } from "./lazy";
import { RequireSession } from "./RequireSession";
import { MyWorkPage } from "../pages/my-work/MyWorkPage";
import { NotFoundPage } from "../pages/NotFoundPage";
import { adminRoutes } from "../pages/admin/routes";
import { childDeathRoutes } from "../pages/child-deaths/routes";
import { myFormsRoutes } from "../pages/my-forms/routes";
import { panelRoutes } from "../pages/panel/routes";
import { reportRoutes } from "../pages/reports/routes";
import { SignInPage } from "../pages/sign-in/SignInPage";

export const BASENAME = "/app";

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // a 4xx will not change by asking again
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

/** Any 401 from the API (the session ended): to sign-in, then back to this page. */
function Root() {
  useEffect(() => {
    setUnauthorizedHandler(() => {
      const here = window.location.pathname.replace(/^\/app/, "") || "/";
      if (here.startsWith("/sign-in")) return;
      // RequireSession sends the user to sign in (with the reason), and back here after
      queryClient.setQueryData(SESSION_ENDED_KEY, true);
      queryClient.setQueryData(SESSION_KEY, null);
    });
    return () => setUnauthorizedHandler(null);
  }, []);
  return <Outlet />;
}

function PublicLayout() {
  return (
    <>
      <SkipLink />
      <Header />
      <div className="govuk-width-container">
        <main className="govuk-main-wrapper" id="main-content" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
      <Footer />
    </>
  );
}

export const routes: RouteObject[] = [
  {
    element: <Root />,
    children: [
      { element: <PublicLayout />, children: [{ path: "sign-in", element: <SignInPage /> }] },
      {
        element: <Layout />,
        children: [
          {
            element: <RequireSession />,
            children: [
              { index: true, element: <MyWorkPage /> },
              lazyPage("case-reviews", () => import("../pages/case-reviews/CaseReviewsListPage"), "CaseReviewsListPage"),
              lazyPage("case-reviews/new", () => import("../pages/case-reviews/NewCaseReviewPage"), "NewCaseReviewPage"),
              lazyPage("case-reviews/:id", () => import("../pages/case-reviews/CaseReviewPage"), "CaseReviewPage"),
              lazyPage("case-reviews/:id/edit", () => import("../pages/case-reviews/EditCaseReviewPage"), "EditCaseReviewPage"),
              lazyPage("case-reviews/:id/agency-reports", () => import("../pages/case-reviews/AgencyReportsPage"), "AgencyReportsPage"),
              lazyPage("case-reviews/:id/recommendations", () => import("../pages/case-reviews/RecommendationsPage"), "RecommendationsPage"),
              lazyPage("meetings", () => import("../pages/meetings/MeetingsListPage"), "MeetingsListPage"),
              lazyPage("meetings/new", () => import("../pages/meetings/NewMeetingPage"), "NewMeetingPage"),
              lazyPage("meetings/:id", () => import("../pages/meetings/MeetingPage"), "MeetingPage"),
              // each area of part 2 keeps its own routes (pages/<area>/routes.tsx)
              ...childDeathRoutes,
              ...myFormsRoutes,
              ...panelRoutes,
              ...reportRoutes,
              ...adminRoutes,
              { path: "*", element: <NotFoundPage /> },
            ],
          },
        ],
      },
    ],
  },
];

export function makeRouter() {
  return createBrowserRouter(routes, { basename: BASENAME });
}
