// What the case review pages share: the case (with its ETag), its heading and sub-navigation.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { NavLink } from "react-router";

import { api, unwrap, withEtag, type Schemas } from "../../api/client";
import { StatusTag } from "../../components/StatusTag";

export type CaseReview = Schemas["CaseReviewOut"];

export const caseKey = (id: number) => ["case-review", id] as const;

export function useCaseReview(id: number, enabled = true) {
  return useQuery({
    enabled,
    queryKey: [...caseKey(id), "case"],
    queryFn: async () => withEtag(await api.GET("/api/v1/case-reviews/{case_id}", { params: { path: { case_id: id } } })),
  });
}

/** After a write: the case, its actions and its history are read again. */
export function useRefreshCase(id: number) {
  const client = useQueryClient();
  return () => Promise.all([
    client.invalidateQueries({ queryKey: caseKey(id) }),
    client.invalidateQueries({ queryKey: ["case-reviews", "list"] }),
  ]);
}

export function caseIdFrom(param: string | undefined): number | null {
  return param && /^\d+$/.test(param) ? Number(param) : null;
}

export async function fetchCase(id: number) {
  return unwrap(await api.GET("/api/v1/case-reviews/{case_id}", { params: { path: { case_id: id } } }));
}

export function CaseHeading({ c }: { c: CaseReview }) {
  return (
    <>
      <h1 className="govuk-heading-l">
        <span className="govuk-caption-l">Case review {c.reference}</span>
        {c.child_name}
      </h1>
      <p className="govuk-body">
        <span className="govuk-visually-hidden">Status: </span>
        <span data-testid="case-status"><StatusTag status={c.status} /></span>
        {c.overdue ? <> <strong className="govuk-tag govuk-tag--red">Overdue</strong></> : null}
      </p>
    </>
  );
}

export function CaseSubNav({ id }: { id: number }) {
  const items = [
    { to: `/case-reviews/${id}`, text: "Overview", end: true },
    { to: `/case-reviews/${id}/agency-reports`, text: "Agency reports" },
    { to: `/case-reviews/${id}/recommendations`, text: "Recommendations" },
  ];
  return (
    <nav className="moj-sub-navigation" aria-label="Case review sections">
      <ul className="moj-sub-navigation__list">
        {items.map((item) => (
          <li className="moj-sub-navigation__item" key={item.to}>
            <NavLink className="moj-sub-navigation__link" to={item.to} end={item.end}>{item.text}</NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
