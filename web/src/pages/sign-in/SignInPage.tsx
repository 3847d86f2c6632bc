// Sign in with an email address and password (a cookie session: API.md v1.1). After signing in
// the user goes back to the page they were sent here from (`next`), or to My work.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router";

import { api, ApiError, unwrap } from "../../api/client";
import { fetchSession, SESSION_ENDED_KEY, SESSION_KEY, signIn } from "../../api/session";
import { ErrorSummary, summaryItems } from "../../components/ErrorSummary";
import { TextInput } from "../../components/fields";
import { useTitle } from "../../components/Page";
import { errorText, fieldMessages } from "../../lib/errors";

/** Only a path inside the app is a place to go back to (never another site). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (next.startsWith("/sign-in")) return "/";
  return next;
}

const SSO_MESSAGES: Record<string, string> = {
  failed: "Signing in with your organisation's account did not work. Try again, or sign in with your email address and password.",
  no_account: "Your organisation's account is not linked to a user of this service. Ask your administrator to add you, or sign in with your email address and password.",
  unavailable: "Your organisation's sign-in service cannot be reached. Try again later, or sign in with your email address and password.",
};

export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const sso = params.get("sso");
  const ssoMessage = sso ? SSO_MESSAGES[sso] ?? SSO_MESSAGES.failed : null;
  const shown = ssoMessage && !Object.keys(errors).length ? { _: ssoMessage } : errors;
  const hasErrors = Object.keys(shown).length > 0;
  useTitle("Sign in", hasErrors);
  const options = useQuery({
    queryKey: ["auth-options"],
    queryFn: async () => unwrap(await api.GET("/api/v1/auth/options")),
    staleTime: Infinity,
  });
  const oidc = options.data?.oidc ?? null;
  const next = safeNext(params.get("next"));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!email.trim()) missing.email = "Enter your email address";
    if (!password) missing.password = "Enter your password";
    if (Object.keys(missing).length) {
      setErrors(missing);
      return;
    }
    setBusy(true);
    try {
      await signIn(email.trim(), password);
      await client.fetchQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 0 });
      client.setQueryData(SESSION_ENDED_KEY, false);
      navigate(next, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setErrors({ email: "The email address or password is not right" });
      } else if (err instanceof ApiError && err.status === 422) {
        setErrors(fieldMessages(err));
      } else {
        setErrors({ _: errorText(err) });
      }
      setPassword("");
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary items={summaryItems(shown, ["email", "password"])} />
        {params.get("expired") && !hasErrors ? (
          <div className="govuk-notification-banner" role="region" aria-labelledby="expired-title">
            <div className="govuk-notification-banner__header">
              <h2 className="govuk-notification-banner__title" id="expired-title">Important</h2>
            </div>
            <div className="govuk-notification-banner__content">
              <p className="govuk-notification-banner__heading">
                You were signed out because your session ended. Sign in again to go back to the page you were on.
              </p>
            </div>
          </div>
        ) : null}
        {params.get("signed_out") && !hasErrors ? (
          <div className="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="signed-out-title">
            <div className="govuk-notification-banner__header">
              <h2 className="govuk-notification-banner__title" id="signed-out-title">Success</h2>
            </div>
            <div className="govuk-notification-banner__content">
              <p className="govuk-notification-banner__heading">You have signed out.</p>
            </div>
          </div>
        ) : null}
        <h1 className="govuk-heading-l">Sign in</h1>
        {oidc ? (
          <>
            <a className="govuk-button" role="button" draggable={false}
              href={`${oidc.login_url}?next=${encodeURIComponent(next)}`}>
              {oidc.label}
            </a>
            <p className="govuk-body">Or sign in with your email address and password.</p>
          </>
        ) : null}
        <form onSubmit={submit} noValidate>
          <TextInput name="email" label="Email address" type="email" autoComplete="username" spellCheck={false}
            value={email} onChange={setEmail} error={errors.email} />
          <TextInput name="password" label="Password" type="password" autoComplete="current-password"
            value={password} onChange={setPassword} error={errors.password} />
          <button type="submit" className={`govuk-button${oidc ? " govuk-button--secondary" : ""}`} disabled={busy} aria-disabled={busy || undefined}>Sign in</button>
        </form>
      </div>
    </div>
  );
}
