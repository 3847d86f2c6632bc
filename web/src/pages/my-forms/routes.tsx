// The agency author's forms (staff app part 2).
import type { RouteObject } from "react-router";

import { lazyPage } from "../../app/lazy";

export const myFormsRoutes: RouteObject[] = [
  lazyPage("my-forms", () => import("./MyFormsPage"), "MyFormsPage"),
  lazyPage("my-forms/:formId", () => import("./MyFormPage"), "MyFormPage"),
  lazyPage("my-forms/agency-reports/:caseId/:reportId", () => import("./AgencyReportPage"), "AgencyReportPage"),
];
