// The administration pages (staff app part 2), for admin only (the API answers 403 to others).
import type { RouteObject } from "react-router";

import { AuditPage } from "./AuditPage";
import { NewUserPage } from "./NewUserPage";
import { UserPage } from "./UserPage";
import { UsersPage } from "./UsersPage";

export const adminRoutes: RouteObject[] = [
  { path: "admin/users", element: <UsersPage /> },
  { path: "admin/users/new", element: <NewUserPage /> },
  { path: "admin/users/:id", element: <UserPage /> },
  { path: "admin/audit", element: <AuditPage /> },
];
