// The agency author's forms (staff app part 2).
import type { RouteObject } from "react-router";

import { useTitle } from "../../components/Page";

function MyFormsPlaceholder() {
  useTitle("My forms");
  return <h1 className="govuk-heading-l">My forms</h1>;
}

export const myFormsRoutes: RouteObject[] = [{ path: "my-forms", element: <MyFormsPlaceholder /> }];
