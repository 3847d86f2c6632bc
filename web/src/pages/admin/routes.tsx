// The administration pages (staff app part 2), for admin only (the API answers 403 to others).
import type { RouteObject } from "react-router";

import { lazyPage } from "../../app/lazy";

export const adminRoutes: RouteObject[] = [
  lazyPage("admin/users", () => import("./UsersPage"), "UsersPage"),
  lazyPage("admin/users/new", () => import("./NewUserPage"), "NewUserPage"),
  lazyPage("admin/users/:id", () => import("./UserPage"), "UserPage"),
  lazyPage("admin/audit", () => import("./AuditPage"), "AuditPage"),
];
