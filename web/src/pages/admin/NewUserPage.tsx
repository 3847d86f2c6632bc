// Add a user (/app/admin/users/new, admin only): email, name, roles, agency (for agency
// authors), initial password. POST /users; 422 per field, 409 (the email is taken) on the email.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";

import { api, ApiError, unwrap } from "../../api/client";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { Checkboxes, TextInput } from "../../components/fields";
import { useTitle } from "../../components/Page";
import { errorText, fieldMessages } from "../../lib/errors";
import { createBody, EMPTY_NEW_USER, formMessages, NEW_USER_ORDER, newUserErrors, ROLES, type NewUserForm } from "./userForm";

export function NewUserPage() {
  const [form, setForm] = useState<NewUserForm>(EMPTY_NEW_USER);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const navigate = useNavigate();
  const client = useQueryClient();
  useTitle("Add a user", Object.keys(errors).length > 0);
  const set = <K extends keyof NewUserForm>(key: K) => (value: NewUserForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const create = useMutation({
    mutationFn: async (f: NewUserForm) => unwrap(await api.POST("/api/v1/users", { body: createBody(f) })),
    onSuccess: async (user) => {
      await client.invalidateQueries({ queryKey: ["users"] });
      navigate(`/admin/users/${user.id}`, { state: { notice: `${user.name} can now sign in with the roles you gave.` } });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) {
        setErrors({ email: "A user with this email address already exists" });
      } else if (error instanceof ApiError && error.status === 422) {
        setErrors(formMessages(fieldMessages(error)));
      } else {
        setErrors({ _: errorText(error) });
      }
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = newUserErrors(form);
    setErrors(found);
    if (Object.keys(found).length === 0) create.mutate(form);
  };

  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary items={summaryItems(errors, NEW_USER_ORDER)} />
        <h1 className="govuk-heading-l">Add a user</h1>
        <form onSubmit={submit} noValidate>
          <TextInput name="email" label="Email address" type="email" autoComplete="off" spellCheck={false}
            value={form.email} onChange={set("email")} error={errors.email} hint="They sign in with this address" />
          <TextInput name="name" label="Full name" autoComplete="off" spellCheck={false}
            value={form.name} onChange={set("name")} error={errors.name} />
          <Checkboxes name="roles" label="Roles" hint="Select all that apply. A person may hold several roles."
            values={form.roles} onChange={set("roles")} error={errors.roles}
            choices={ROLES.map((r) => ({ value: r.value, label: r.label }))} />
          <TextInput name="agency" label="Agency (optional)" value={form.agency} onChange={set("agency")}
            error={errors.agency} hint="For an agency author: the agency they write reports for, for example Testshire Police" />
          <TextInput name="password" label="Initial password (optional)" type="password" autoComplete="new-password"
            value={form.password} onChange={set("password")} error={errors.password}
            hint="12 characters or more. Tell the user in person or by phone, never by email. Leave it empty for a user who signs in with single sign-on." />
          <div className="govuk-button-group">
            <button type="submit" className="govuk-button" data-module="govuk-button" disabled={create.isPending}
              aria-disabled={create.isPending}>Add user</button>
            <Link className="govuk-link" to="/admin/users">Cancel</Link>
          </div>
        </form>
      </div>
    </div>
  );
}
