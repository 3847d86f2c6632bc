// Users (/app/admin/users, admin only): one page of users (keyset, the cursor in the address)
// with their roles, agency and whether they may sign in. One API call.
import { useQuery } from "@tanstack/react-query";
import { Link, useLocation, useSearchParams } from "react-router";

import { api, unwrap } from "../../api/client";
import { Loading, QueryFailed, SuccessBanner, useTitle } from "../../components/Page";
import { Pagination } from "../../components/Pagination";
import { roleLabel } from "./userForm";

export const USERS_PAGE_SIZE = 50;

export function UsersPage() {
  useTitle("Users");
  const [params] = useSearchParams();
  const cursor = params.get("cursor") || undefined;
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  const list = useQuery({
    queryKey: ["users", "list", cursor ?? ""],
    queryFn: async () => unwrap(await api.GET("/api/v1/users", { params: { query: { limit: USERS_PAGE_SIZE, cursor } } })),
  });
  if (list.isError) return <QueryFailed error={list.error} />;
  return (
    <>
      {notice ? <SuccessBanner>{notice}</SuccessBanner> : null}
      <h1 className="govuk-heading-l">Users</h1>
      <Link to="/admin/users/new" className="govuk-button" draggable={false}>Add a user</Link>
      {list.isPending ? <Loading what="Loading users" /> : list.data.items.length === 0 ? (
        <p className="govuk-body">There are no users on this page.</p>
      ) : (
        <table className="govuk-table" data-testid="users-table">
          <caption className="govuk-table__caption govuk-table__caption--m govuk-visually-hidden">Users</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header">Name</th>
              <th scope="col" className="govuk-table__header">Email address</th>
              <th scope="col" className="govuk-table__header">Roles</th>
              <th scope="col" className="govuk-table__header">Agency</th>
              <th scope="col" className="govuk-table__header">Status</th>
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {list.data.items.map((u) => (
              <tr className="govuk-table__row" key={u.id}>
                <td className="govuk-table__cell">
                  <Link className="govuk-link" to={`/admin/users/${u.id}`}>{u.name}</Link>
                </td>
                <td className="govuk-table__cell app-break-word">{u.email}</td>
                <td className="govuk-table__cell">
                  {u.roles.length ? (
                    <ul className="govuk-list govuk-!-margin-bottom-0">
                      {u.roles.map((r) => <li key={r}>{roleLabel(r)}</li>)}
                    </ul>
                  ) : <span className="govuk-hint">No roles</span>}
                </td>
                <td className="govuk-table__cell">{u.agency || <span className="govuk-hint">None</span>}</td>
                <td className="govuk-table__cell"><UserStatus active={u.is_active} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pagination search={params} nextCursor={list.data?.next_cursor} label="Pages of users" nextText="Next users" />
    </>
  );
}

export function UserStatus({ active }: { active: boolean }) {
  return active ? <strong className="govuk-tag govuk-tag--green">Active</strong>
    : <strong className="govuk-tag govuk-tag--grey">Deactivated</strong>;
}
