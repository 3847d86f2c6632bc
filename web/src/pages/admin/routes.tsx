// The administration pages (staff app part 2), for admin only.
import type { RouteObject } from "react-router";

import { useTitle } from "../../components/Page";

function UsersPlaceholder() {
  useTitle("Users");
  return <h1 className="govuk-heading-l">Users</h1>;
}

export const adminRoutes: RouteObject[] = [{ path: "admin/users", element: <UsersPlaceholder /> }];
