// The CDOP panel's pages (staff app part 2): the anonymised papers of a panel meeting.
import type { RouteObject } from "react-router";

import { lazyPage } from "../../app/lazy";

export const panelRoutes: RouteObject[] = [lazyPage("meetings/:id/papers", () => import("./PapersPage"), "PapersPage")];
