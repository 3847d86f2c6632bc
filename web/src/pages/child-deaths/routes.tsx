// The child death pages (staff app part 2): the outstanding summary (the coordinator's home), the
// list with its filters, a case, and a notification entered by staff.
import type { RouteObject } from "react-router";

import { lazyPage } from "../../app/lazy";

export const childDeathRoutes: RouteObject[] = [
  lazyPage("child-deaths", () => import("./OutstandingPage"), "OutstandingPage"),
  lazyPage("child-deaths/list", () => import("./ChildDeathsListPage"), "ChildDeathsListPage"),
  lazyPage("child-deaths/new", () => import("./NewChildDeathPage"), "NewChildDeathPage"),
  lazyPage("child-deaths/:id", () => import("./ChildDeathPage"), "ChildDeathPage"),
];
