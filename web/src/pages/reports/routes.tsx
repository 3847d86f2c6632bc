// The reports pages (staff app part 2).
import type { RouteObject } from "react-router";

import { lazyPage } from "../../app/lazy";

export const reportRoutes: RouteObject[] = [lazyPage("reports", () => import("./ReportsPage"), "ReportsPage")];
