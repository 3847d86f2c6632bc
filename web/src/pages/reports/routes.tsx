// The reports pages (staff app part 2).
import type { RouteObject } from "react-router";

import { ReportsPage } from "./ReportsPage";

export const reportRoutes: RouteObject[] = [{ path: "reports", element: <ReportsPage /> }];
