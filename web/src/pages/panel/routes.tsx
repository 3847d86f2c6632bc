// The CDOP panel's pages (staff app part 2): the anonymised papers of a panel meeting.
import type { RouteObject } from "react-router";

import { PapersPage } from "./PapersPage";

export const panelRoutes: RouteObject[] = [{ path: "meetings/:id/papers", element: <PapersPage /> }];
