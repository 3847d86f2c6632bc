// The child death pages (staff app part 2). Owned by the child deaths screens.
import type { RouteObject } from "react-router";

import { useTitle } from "../../components/Page";

function OutstandingPlaceholder() {
  useTitle("Outstanding child deaths");
  return <h1 className="govuk-heading-l">Outstanding child deaths</h1>;
}

export const childDeathRoutes: RouteObject[] = [
  { path: "child-deaths", element: <OutstandingPlaceholder /> },
];
