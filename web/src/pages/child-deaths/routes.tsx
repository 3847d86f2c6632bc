// The child death pages (staff app part 2): the outstanding summary (the coordinator's home), the
// list with its filters, a case, and a notification entered by staff.
import type { RouteObject } from "react-router";

import { ChildDeathPage } from "./ChildDeathPage";
import { ChildDeathsListPage } from "./ChildDeathsListPage";
import { NewChildDeathPage } from "./NewChildDeathPage";
import { OutstandingPage } from "./OutstandingPage";

export const childDeathRoutes: RouteObject[] = [
  { path: "child-deaths", element: <OutstandingPage /> },
  { path: "child-deaths/list", element: <ChildDeathsListPage /> },
  { path: "child-deaths/new", element: <NewChildDeathPage /> },
  { path: "child-deaths/:id", element: <ChildDeathPage /> },
];
