import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "../src/api/client";
import { ActionPanel, allInputs, transitionBody, type TransitionOption } from "../src/components/ActionPanel";

afterEach(cleanup);
// jsdom does no layout
Element.prototype.scrollIntoView = () => {};

const option = (action: string, label: string, inputs: TransitionOption["inputs"]): TransitionOption => ({
  action, label, to: "somewhere", fields: inputs.filter((i) => i.required).map((i) => i.name),
  optional_fields: inputs.filter((i) => !i.required).map((i) => i.name), inputs,
});

const everything = option("do_it", "Do it", [
  { name: "rationale", label: "Rationale", type: "text", required: true },
  { name: "review_on", label: "Review on", type: "date", required: true },
  { name: "expected", label: "Expected", type: "boolean", required: false },
  { name: "count", label: "Count", type: "integer", required: false },
  { name: "meeting_id", label: "Meeting", type: "meeting", required: false },
  { name: "recommendation", label: "Recommendation", type: "choice", required: true,
    choices: [{ value: "lcspr", label: "LCSPR" }, { value: "no_lcspr", label: "No LCSPR" }] },
  { name: "extra", label: "Extra", type: "object", required: false },
]);

describe("transitionBody", () => {
  it("converts each input type for the API and leaves empty fields out", () => {
    const body = transitionBody(everything, {
      rationale: "Because agencies did not share", review_on: "2026-3-7", expected: "false", count: " 12 ",
      meeting_id: "4", recommendation: "no_lcspr", extra: "Police: desk@police.example\n School : office@school.example", note: "",
    });
    expect(body).toEqual({
      action: "do_it", rationale: "Because agencies did not share", review_on: "2026-03-07", expected: false,
      count: 12, meeting_id: 4, recommendation: "no_lcspr",
      extra: { Police: "desk@police.example", School: "office@school.example" },
    });
  });

  it("sends what cannot be converted as typed, for the API to reject", () => {
    const body = transitionBody(everything, { count: "twelve", extra: "no colon here", expected: "true" });
    expect(body).toEqual({ action: "do_it", count: "twelve", extra: "no colon here", expected: true });
  });

  it("offers an optional note when the action has none", () => {
    expect(allInputs(everything).map((i) => i.name)).toContain("note");
    const withNote = option("request_information", "Request information", [{ name: "note", label: "What is needed", type: "text", required: true }]);
    expect(allInputs(withNote)).toHaveLength(1);
    expect(transitionBody(withNote, { note: "The school's records" })).toEqual({ action: "request_information", note: "The school's records" });
  });
});

function renderPanel(options: TransitionOption[], onSubmit: (body: Record<string, unknown>) => Promise<void>) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ActionPanel options={options} onSubmit={onSubmit} />
    </QueryClientProvider>,
  );
}

describe("ActionPanel", () => {
  const recommend = option("recommend_scr", "Recommend a serious case review", [
    { name: "rationale", label: "Rationale", type: "text", required: true },
  ]);
  const nfa = option("no_further_action", "No further action", [{ name: "rationale", label: "Rationale", type: "text", required: true }]);

  it("names each button by the action's label", () => {
    renderPanel([recommend, nfa], vi.fn());
    expect(screen.getByRole("button", { name: "Recommend a serious case review" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "No further action" })).toBeTruthy();
  });

  it("says so when there is nothing to do", () => {
    renderPanel([], vi.fn());
    expect(screen.getByText("There is nothing for you to do on this case now.")).toBeTruthy();
  });

  it("shows a 422 against each field, linked from the error summary, and keeps what was typed", async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(422, {
        type: "about:blank", title: "Invalid", status: 422, code: "validation_error", detail: "",
        errors: [{ loc: ["body", "rationale"], msg: "Enter the rationale" }],
      } as never);
    });
    renderPanel([recommend], onSubmit);
    fireEvent.click(screen.getByRole("button", { name: "Recommend a serious case review" }));
    const note = screen.getByLabelText("Note (optional)") as HTMLTextAreaElement;
    fireEvent.change(note, { target: { value: "Discussed at the meeting" } });
    await act(async () => {
      fireEvent.click(screen.getAllByRole("button", { name: "Recommend a serious case review" })[0]);
    });
    expect(onSubmit).toHaveBeenCalledWith({ action: "recommend_scr", note: "Discussed at the meeting" });
    const summary = screen.getByTestId("error-summary");
    const link = summary.querySelector("a") as HTMLAnchorElement;
    expect(link.textContent).toBe("Enter the rationale");
    expect(link.getAttribute("href")).toBe("#f-action-rationale");
    expect(document.activeElement).toBe(summary);
    expect(document.getElementById("f-action-rationale-error")?.textContent).toContain("Enter the rationale");
    expect((document.getElementById("f-action-rationale") as HTMLTextAreaElement).getAttribute("aria-describedby"))
      .toContain("f-action-rationale-error");
    expect((screen.getByLabelText("Note (optional)") as HTMLTextAreaElement).value).toBe("Discussed at the meeting");
    fireEvent.click(link);
    expect(document.activeElement?.id).toBe("f-action-rationale");
  });

  it("says that someone else changed the case on a 412 and keeps the form", async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(412, { type: "about:blank", title: "Precondition failed", status: 412, code: "precondition_failed", detail: "stale" } as never);
    });
    renderPanel([nfa], onSubmit);
    fireEvent.click(screen.getByRole("button", { name: "No further action" }));
    fireEvent.change(screen.getByLabelText("Rationale"), { target: { value: "Limited learning" } });
    await act(async () => {
      fireEvent.click(screen.getAllByRole("button", { name: "No further action" })[0]);
    });
    expect(screen.getByTestId("error-summary").textContent).toContain("Someone else changed this case");
    expect((screen.getByLabelText("Rationale") as HTMLTextAreaElement).value).toBe("Limited learning");
  });
});
