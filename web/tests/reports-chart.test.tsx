import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { BarChart } from "../src/pages/reports/BarChart";
import {
  barsFromCounts, chartSummary, lastFinancialYear, layoutBars, niceMax, percentText, periodFromParams, ticks,
} from "../src/pages/reports/chart";
import { periodErrors } from "../src/pages/reports/ReportsPage";

describe("scales", () => {
  it("rounds the top of the scale up to a nice number", () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(1)).toBe(1);
    expect(niceMax(3)).toBe(5);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(11)).toBe(20);
    expect(niceMax(23)).toBe(25);
    expect(niceMax(140)).toBe(200);
  });
  it("gives whole-number ticks from 0 to the top", () => {
    expect(ticks(1)).toEqual([0, 1]);
    expect(ticks(5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ticks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(ticks(25)).toEqual([0, 5, 10, 15, 20, 25]);
  });
});

describe("bars from figures", () => {
  it("orders bars as the labels do, adds codes it does not know, and counts missing ones as 0", () => {
    const bars = barsFromCounts({ nfa: 3, scr: 1, brand_new: 2 }, { scr: "Serious Case Review", nfa: "No further action", pending: "No decision yet" });
    expect(bars.map((b) => [b.key, b.label, b.values[0]])).toEqual([
      ["scr", "Serious Case Review", 1], ["nfa", "No further action", 3], ["pending", "No decision yet", 0],
      ["brand_new", "Brand new", 2],
    ]);
  });
  it("scales bar lengths to the largest total and stacks segments end to end", () => {
    const layout = layoutBars([
      { key: "a", label: "A", values: [2, 3] },
      { key: "b", label: "B", values: [10, 0] },
      { key: "c", label: "C", values: [0, 0] },
    ], 640);
    expect(layout.max).toBe(10);
    const [a, b, c] = layout.bars;
    expect(a.total).toBe(5);
    expect(b.segments[0].width).toBeCloseTo(layout.plotWidth);
    expect(a.segments[0].width).toBeCloseTo(layout.plotWidth * 0.2);
    expect(a.segments[1].x).toBeCloseTo(a.segments[0].x + a.segments[0].width);
    expect(a.segments[1].width).toBeCloseTo(layout.plotWidth * 0.3);
    expect(c.segments.every((s) => s.width === 0)).toBe(true);
    expect(b.y).toBeGreaterThan(a.y);
    expect(layout.height).toBeGreaterThan(c.y);
    expect(layout.ticks[layout.ticks.length - 1].x).toBeCloseTo(layout.plotX + layout.plotWidth);
  });
  it("ignores negative values", () => {
    const layout = layoutBars([{ key: "a", label: "A", values: [-4, 2] }]);
    expect(layout.bars[0].total).toBe(2);
    expect(layout.bars[0].segments[0].width).toBe(0);
  });
});

describe("labels", () => {
  it("reads every bar out in the chart's description", () => {
    expect(chartSummary("Outcomes", [{ key: "nfa", label: "No further action", values: [3] }, { key: "scr", label: "SCR", values: [1] }]))
      .toBe("Outcomes. No further action: 3; SCR: 1.");
    expect(chartSummary("Categories", [{ key: "1", label: "Infection", values: [1, 2] }],
      [{ key: "m", label: "Modifiable" }, { key: "n", label: "Not modifiable" }]))
      .toBe("Categories. Infection: 3 (1 modifiable, 2 not modifiable).");
  });
  it("writes percentages", () => {
    expect(percentText(50)).toBe("50%");
    expect(percentText(33.333)).toBe("33.3%");
    expect(percentText(null)).toBe("–");
  });
  it("renders an SVG named by its title and described with the figures", () => {
    const { container } = render(<BarChart title="Outcomes" bars={[{ key: "nfa", label: "No further action", values: [3] }]} />);
    const svg = container.querySelector("svg[role=img]")!;
    const [titleId, descId] = svg.getAttribute("aria-labelledby")!.split(" ");
    expect(container.querySelector(`[id="${titleId}"]`)!.tagName.toLowerCase()).toBe("title");
    expect(container.querySelector(`[id="${titleId}"]`)!.textContent).toBe("Outcomes");
    expect(container.querySelector(`[id="${descId}"]`)!.textContent).toBe("Outcomes. No further action: 3.");
    expect(container.querySelectorAll("rect.app-chart__bar")).toHaveLength(1);
    expect(container.innerHTML).not.toContain("style=");
  });
});

describe("the period", () => {
  it("defaults to the last complete financial year", () => {
    expect(lastFinancialYear("2026-12-07")).toEqual({ from: "2025-04-01", to: "2026-03-31" });
    expect(lastFinancialYear("2026-03-31")).toEqual({ from: "2024-04-01", to: "2025-03-31" });
    expect(lastFinancialYear("2026-04-01")).toEqual({ from: "2025-04-01", to: "2026-03-31" });
  });
  it("takes the period from the address", () => {
    expect(periodFromParams(new URLSearchParams("from=2026-04-01&to=2027-03-31"), "2026-12-07"))
      .toEqual({ from: "2026-04-01", to: "2027-03-31" });
    expect(periodFromParams(new URLSearchParams(""), "2026-12-07")).toEqual({ from: "2025-04-01", to: "2026-03-31" });
  });
  it("checks the period form", () => {
    expect(periodErrors("2026-04-01", "2027-03-31")).toEqual({});
    expect(periodErrors("", "2027-03-31")).toEqual({ from: "Enter the first day of the period" });
    expect(periodErrors("2026-13-01", "2027-03-31").from).toBe("The first day must be a real date");
    expect(periodErrors("2026-02-31", "2027-03-31").from).toBe("The first day must be a real date");
    expect(periodErrors("2027-04-01", "2027-03-31").to).toMatch(/after the first day/);
  });
});
