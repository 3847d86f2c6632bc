// The GOV.UK error summary: focused when it appears, each message a link that moves focus to
// its field (https://design-system.service.gov.uk/components/error-summary/).
import { useEffect, useRef } from "react";

import { fieldId } from "../lib/errors";

export type SummaryItem = { key: string; text: string; href?: string };

export function focusField(id: string): void {
  const el = document.getElementById(id);
  if (!el) return;
  const fieldset = el.closest("fieldset");
  const legendOrLabel = fieldset?.querySelector("legend") ?? document.querySelector(`label[for="${id}"]`);
  (legendOrLabel ?? el).scrollIntoView();
  el.focus({ preventScroll: true });
}

export function ErrorSummary({ items, title = "There is a problem" }: { items: SummaryItem[]; title?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const signature = items.map((i) => `${i.key}:${i.text}`).join("|");
  useEffect(() => {
    if (items.length) ref.current?.focus();
    // focus again whenever a new set of errors arrives
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signature]);
  if (!items.length) return null;
  return (
    <div className="govuk-error-summary" ref={ref} tabIndex={-1} data-testid="error-summary">
      <div role="alert">
        <h2 className="govuk-error-summary__title">{title}</h2>
        <div className="govuk-error-summary__body">
          <ul className="govuk-list govuk-error-summary__list">
            {items.map((item) => {
              const id = item.href ?? fieldId(item.key);
              return (
                <li key={item.key + item.text}>
                  {item.key === "_" ? (
                    item.text
                  ) : (
                    <a
                      href={`#${id}`}
                      onClick={(e) => {
                        e.preventDefault();
                        focusField(id);
                      }}
                    >
                      {item.text}
                    </a>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      </div>
    </div>
  );
}

/** Summary items from messages by field path, in the order the form shows its fields. */
export function summaryItems(messages: Record<string, string>, order: string[] = [], firstInput: Record<string, string> = {}): SummaryItem[] {
  const keys = Object.keys(messages).sort((a, b) => rank(order, a) - rank(order, b));
  return keys.map((key) => ({ key, text: messages[key], href: firstInput[key] }));
}

function rank(order: string[], key: string): number {
  const i = order.findIndex((o) => key === o || key.startsWith(`${o}.`));
  return i === -1 ? order.length : i;
}
