import { Link } from "react-router";

import { useTitle } from "../components/Page";

export function NotFoundPage() {
  useTitle("Page not found");
  return (
    <>
      <h1 className="govuk-heading-l">Page not found</h1>
      <p className="govuk-body">If you typed the web address, check it is correct.</p>
      <p className="govuk-body">
        Go to <Link className="govuk-link" to="/">your work</Link>.
      </p>
    </>
  );
}
