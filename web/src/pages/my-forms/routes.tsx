// The agency author's forms (staff app part 2).
import type { RouteObject } from "react-router";

import { MyFormPage } from "./MyFormPage";
import { MyFormsPage } from "./MyFormsPage";

export const myFormsRoutes: RouteObject[] = [
  { path: "my-forms", element: <MyFormsPage /> },
  { path: "my-forms/:formId", element: <MyFormPage /> },
];
