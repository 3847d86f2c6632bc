// The MOJ filter layout (https://design-patterns.service.justice.gov.uk/components/filter/): the
// filter panel beside the results, the selected filters shown as tags that each remove one filter.
import type { FormEvent, ReactNode } from "react";
import { Link } from "react-router";

export type FilterTag = { text: string; to: string };
export type FilterCategory = { heading: string; tags: FilterTag[] };

type Props = {
  heading?: string;
  categories: FilterCategory[];
  clearTo: string;
  onSubmit: (e: FormEvent<HTMLFormElement>) => void;
  options: ReactNode;
  children: ReactNode;
};

export function FilterLayout({ heading = "Filter", categories, clearTo, onSubmit, options, children }: Props) {
  const selected = categories.filter((c) => c.tags.length);
  return (
    <div className="moj-filter-layout app-filter-layout">
      <div className="moj-filter-layout__filter">
        <form className="moj-filter" onSubmit={onSubmit} noValidate aria-label={heading}>
          <div className="moj-filter__header">
            <div className="moj-filter__header-title">
              <h2 className="govuk-heading-m">{heading}</h2>
            </div>
            <div className="moj-filter__header-action" />
          </div>
          <div className="moj-filter__content">
            {selected.length ? (
              <div className="moj-filter__selected">
                <div className="moj-filter__selected-heading">
                  <div className="moj-filter__heading-title">
                    <h2 className="govuk-heading-m">Selected filters</h2>
                  </div>
                  <div className="moj-filter__heading-action">
                    <p><Link className="govuk-link govuk-link--no-visited-state" to={clearTo}>Clear filters</Link></p>
                  </div>
                </div>
                {selected.map((c) => (
                  <div key={c.heading}>
                    <h3 className="govuk-heading-s govuk-!-margin-bottom-0">{c.heading}</h3>
                    <ul className="moj-filter-tags">
                      {c.tags.map((t) => (
                        <li key={t.text}>
                          <Link className="moj-filter__tag" to={t.to}>
                            <span className="govuk-visually-hidden">Remove this filter</span> {t.text}
                          </Link>
                        </li>
                      ))}
                    </ul>
                  </div>
                ))}
              </div>
            ) : null}
            <div className="moj-filter__options">
              <button type="submit" className="govuk-button" data-module="govuk-button">Apply filters</button>
              {options}
            </div>
          </div>
        </form>
      </div>
      <div className="moj-filter-layout__content app-filter-layout__content">{children}</div>
    </div>
  );
}
