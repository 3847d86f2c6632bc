// One user (/app/admin/users/:id, admin only): change their roles and agency, deactivate or
// reactivate them (PATCH /users/{id}). The API ends the user's sessions when their roles change
// or they are deactivated, and refuses (409) an administrator's removing their own access.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useLocation, useParams } from "react-router";

import { api, ApiError, unwrap, type Schemas } from "../../api/client";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { Checkboxes, TextInput } from "../../components/fields";
import { Loading, QueryFailed, SuccessBanner, useTitle } from "../../components/Page";
import { SummaryList } from "../../components/SummaryList";
import { errorText, fieldMessages } from "../../lib/errors";
import { UserStatus } from "./UsersPage";
import { formMessages, roleLabel, ROLES, updateBody, type UserUpdate } from "./userForm";

type User = Schemas["UserOut"];

export function UserPage() {
  const id = Number(useParams().id);
  const user = useQuery({
    queryKey: ["users", "one", id],
    enabled: Number.isInteger(id) && id > 0,
    queryFn: async () => unwrap(await api.GET("/api/v1/users/{user_id}", { params: { path: { user_id: id } } })),
  });
  if (!(Number.isInteger(id) && id > 0)) return <QueryFailed error={new ApiError(404, null)} />;
  if (user.isError) return <QueryFailed error={user.error} />;
  if (user.isPending) return <Loading what="Loading the user" />;
  return <UserDetail key={`${user.data.id}`} user={user.data} />;
}

function UserDetail({ user }: { user: User }) {
  const client = useQueryClient();
  const initial = (useLocation().state as { notice?: string } | null)?.notice ?? null;
  const [notice, setNotice] = useState<string | null>(initial);
  const [roles, setRoles] = useState<string[]>(user.roles);
  const [agency, setAgency] = useState(user.agency ?? "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  useTitle(user.name, Object.keys(errors).length > 0);

  const update = useMutation({
    mutationFn: async ({ body }: { body: UserUpdate; done: string }) =>
      unwrap(await api.PATCH("/api/v1/users/{user_id}", { params: { path: { user_id: user.id } }, body })),
    onSuccess: (saved, { done }) => {
      client.setQueryData(["users", "one", user.id], saved);
      void client.invalidateQueries({ queryKey: ["users", "list"] });
      setErrors({});
      setNotice(done);
    },
    onError: (error) => {
      setNotice(null);
      if (error instanceof ApiError && error.status === 422) setErrors(formMessages(fieldMessages(error)));
      else setErrors({ _: errorText(error) });
    },
  });

  const save = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({ body: updateBody(roles, agency), done: "Roles and agency saved. Any session the user had open has ended." });
  };
  const setActive = (active: boolean) =>
    update.mutate({
      body: { is_active: active },
      done: active ? `${user.name} can sign in again.` : `${user.name} is deactivated and has been signed out.`,
    });

  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary items={summaryItems(errors, ["roles", "agency"])} />
        {notice ? <SuccessBanner>{notice}</SuccessBanner> : null}
        <h1 className="govuk-heading-l"><span className="govuk-caption-l">User</span>{user.name}</h1>
        <SummaryList id="user-details" rows={[
          { key: "Email address", value: user.email },
          { key: "Roles", value: user.roles.map(roleLabel).join(", ") || "No roles" },
          { key: "Agency", value: user.agency },
          { key: "Status", value: <UserStatus active={user.is_active} /> },
        ]} />

        <h2 className="govuk-heading-m">Change roles and agency</h2>
        <form onSubmit={save} noValidate>
          <Checkboxes name="roles" label="Roles" hint="Select all that apply. Changing them signs the user out."
            values={roles} onChange={setRoles} error={errors.roles}
            choices={ROLES.map((r) => ({ value: r.value, label: r.label }))} />
          <TextInput name="agency" label="Agency (optional)" value={agency} onChange={setAgency} error={errors.agency}
            hint="For an agency author: the agency they write reports for" />
          <button type="submit" className="govuk-button" data-module="govuk-button" disabled={update.isPending}
            aria-disabled={update.isPending}>Save roles and agency</button>
        </form>

        <h2 className="govuk-heading-m">{user.is_active ? "Deactivate" : "Reactivate"}</h2>
        {user.is_active ? (
          <>
            <div className="govuk-warning-text">
              <span className="govuk-warning-text__icon" aria-hidden="true">!</span>
              <strong className="govuk-warning-text__text">
                <span className="govuk-visually-hidden">Warning</span>
                A deactivated user cannot sign in, and any session they have open ends at once.
              </strong>
            </div>
            <button type="button" className="govuk-button govuk-button--warning" data-module="govuk-button"
              disabled={update.isPending} aria-disabled={update.isPending} onClick={() => setActive(false)}>
              Deactivate {user.name}
            </button>
          </>
        ) : (
          <>
            <p className="govuk-body">This user cannot sign in. Reactivating lets them sign in again with their password.</p>
            <button type="button" className="govuk-button govuk-button--secondary" data-module="govuk-button"
              disabled={update.isPending} aria-disabled={update.isPending} onClick={() => setActive(true)}>
              Reactivate {user.name}
            </button>
          </>
        )}
        <p className="govuk-body"><Link className="govuk-link" to="/admin/users">Back to users</Link></p>
      </div>
    </div>
  );
}
