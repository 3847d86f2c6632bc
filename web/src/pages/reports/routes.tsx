// The reports pages (staff app part 2).
import type { RouteObject } from "react-router";

import { useTitle } from "../../components/Page";

function ReportsPlaceholder() {
  useTitle("Reports");
  return <h1 className="govuk-heading-l">Reports</h1>;
}

export const reportRoutes: RouteObject[] = [{ path: "reports", element: <ReportsPlaceholder /> }];
