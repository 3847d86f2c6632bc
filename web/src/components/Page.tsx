// Page furniture: the document title (with "Error: " when the page shows errors), loading and
// failure states.
import { useEffect, useRef, type ReactNode } from "react";
import { Link } from "react-router";

import { ApiError } from "../api/client";
import { errorText } from "../lib/errors";

export const SERVICE_NAME = "Case reviews and child death reviews";

export function useTitle(title: string, hasErrors = false): void {
  useEffect(() => {
    document.title = `${hasErrors ? "Error: " : ""}${title} – ${SERVICE_NAME}`;
  }, [title, hasErrors]);
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return <p className="govuk-body" role="status">{what}…</p>;
}

/** The page for a query that failed: not found (or not yours) or a problem. */
export function QueryFailed({ error, title }: { error: unknown; title?: string }) {
  const notFound = error instanceof ApiError && error.status === 404;
  const heading = notFound ? "Page not found" : title ?? "Sorry, there is a problem with the service";
  useTitle(heading);
  return (
    <>
      <h1 className="govuk-heading-l">{heading}</h1>
      <p className="govuk-body">{errorText(error)}</p>
    </>
  );
}

export function PageHeading({ caption, children }: { caption?: ReactNode; children: ReactNode }) {
  return (
    <h1 className="govuk-heading-l">
      {caption ? <span className="govuk-caption-l">{caption}</span> : null}
      {children}
    </h1>
  );
}

/** The page's heading with its actions beside it (MOJ page header actions): links shown as buttons. */
export function HeaderWithActions({ heading, children }: { heading: ReactNode; children?: ReactNode }) {
  return (
    <div className="moj-page-header-actions">
      <div className="moj-page-header-actions__title">{heading}</div>
      {children ? (
        <div className="moj-page-header-actions__actions">
          <div className="moj-button-group moj-button-group--inline">{children}</div>
        </div>
      ) : null}
    </div>
  );
}

/** A link to another page shown as a GOV.UK secondary button; like GOV.UK's button script, it
 * also answers the space bar. */
export function ButtonLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Link to={to} role="button" draggable="false" className="govuk-button govuk-button--secondary"
      onKeyDown={(e) => { if (e.key === " ") { e.preventDefault(); e.currentTarget.click(); } }}>
      {children}
    </Link>
  );
}

/** What a filtered list shows in place of its results: loading, "correct the filters" when the
 * API refused them (their errors are in the page's summary), nothing on another failure (the
 * summary says it), else the results. */
export function ListResults({ list, loading, children }: {
  list: { isLoading: boolean; error: unknown }; loading: string; children: ReactNode;
}) {
  if (list.isLoading) return <Loading what={loading} />;
  if (list.error instanceof ApiError && list.error.status === 422) {
    return <p className="govuk-body">Correct the filters to see the list.</p>;
  }
  return list.error ? null : <>{children}</>;
}

/** A notice after something succeeded (MOJ/GOV.UK success banner). */
export function SuccessBanner({ children, focus = false, testId, id = "success-banner" }: {
  children: ReactNode; focus?: boolean; testId?: string; id?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => { if (focus) ref.current?.focus(); }, [focus]);
  return (
    <div className="govuk-notification-banner govuk-notification-banner--success" role="alert"
      aria-labelledby={`${id}-title`} tabIndex={focus ? -1 : undefined} ref={ref} data-testid={testId}>
      <div className="govuk-notification-banner__header">
        <h2 className="govuk-notification-banner__title" id={`${id}-title`}>Success</h2>
      </div>
      <div className="govuk-notification-banner__content">
        <p className="govuk-notification-banner__heading">{children}</p>
      </div>
    </div>
  );
}

/** The success banner a page shows after an action (a flash message), focused each time the
 * message changes; nothing when there is none. */
export function SuccessNotice({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return <SuccessBanner focus key={message} testId="success-banner" id="success">{message}</SuccessBanner>;
}
