// Keyset paging (API.md "Lists"): a "Next page" link carrying the list's next_cursor in the URL,
// and, once past the first page, a "First page" link (a cursor cannot be walked backwards).
import { Link } from "react-router";

export function withCursor(search: URLSearchParams, cursor: string | null): string {
  const next = new URLSearchParams(search);
  if (cursor) next.set("cursor", cursor);
  else next.delete("cursor");
  const s = next.toString();
  return s ? `?${s}` : "?";
}

export function Pagination({ search, nextCursor, label = "Pages of results", nextText = "Next page" }: {
  search: URLSearchParams; nextCursor: string | null | undefined; label?: string; nextText?: string;
}) {
  const onLaterPage = !!search.get("cursor");
  if (!nextCursor && !onLaterPage) return null;
  return (
    <nav className="govuk-pagination govuk-pagination--block" aria-label={label}>
      {onLaterPage ? (
        <div className="govuk-pagination__prev">
          <Link className="govuk-link govuk-pagination__link" to={withCursor(search, null)} rel="first">
            <svg className="govuk-pagination__icon govuk-pagination__icon--prev" xmlns="http://www.w3.org/2000/svg"
              height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13">
              <path d="m6.5938-0.0078125-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984l4.2931-4.293-1.414-1.414z" />
            </svg>
            <span className="govuk-pagination__link-title">First page</span>
          </Link>
        </div>
      ) : null}
      {nextCursor ? (
        <div className="govuk-pagination__next">
          <Link className="govuk-link govuk-pagination__link" to={withCursor(search, nextCursor)} rel="next">
            <svg className="govuk-pagination__icon govuk-pagination__icon--next" xmlns="http://www.w3.org/2000/svg"
              height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13">
              <path d="m8.107-0.0078125-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441-6.4062-6.7246-6.7266z" />
            </svg>
            <span className="govuk-pagination__link-title">{nextText}</span>
          </Link>
        </div>
      ) : null}
    </nav>
  );
}
