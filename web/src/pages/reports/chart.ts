// Helpers for the reports' charts (horizontal bars drawn as inline SVG, no chart library) and
// for the report period. Pure functions: the unit tests check them.

/** A bar: its label and its parts (one part for a plain bar, several for a stacked one). */
export type Series = { key: string; label: string };
export type BarInput = { key: string; label: string; values: number[] };

export type Segment = { series: string; value: number; x: number; width: number };
export type Bar = { key: string; label: string; total: number; y: number; segments: Segment[] };

export type ChartLayout = {
  width: number;
  height: number;
  plotX: number;
  plotWidth: number;
  max: number;
  ticks: { value: number; x: number }[];
  bars: Bar[];
};

export const CHART_WIDTH = 640;
export const LABEL_HEIGHT = 24; // the bar's label sits above the bar
export const BAR_HEIGHT = 20;
export const ROW_GAP = 12;
export const AXIS_HEIGHT = 24;
export const PLOT_X = 4;
export const VALUE_SPACE = 56; // room after the longest bar for its number

/** The top of the scale: a "nice" number (1, 2, 2.5, 5 × 10^n) at or above the largest value. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * power;
    if (candidate >= value) return candidate;
  }
  return 10 * power;
}

/** Whole-number ticks from 0 to max (at most `count` + 1 of them): counts are never fractional. */
export function ticks(max: number, count = 5): number[] {
  const step = Math.max(1, Math.ceil(max / count));
  const out: number[] = [];
  for (let v = 0; v <= max; v += step) out.push(v);
  if (out[out.length - 1] !== max) out.push(max);
  return out;
}

/** Where each bar and each of its segments goes. */
export function layoutBars(inputs: BarInput[], width = CHART_WIDTH): ChartLayout {
  const totals = inputs.map((b) => b.values.reduce((s, v) => s + Math.max(0, v), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotWidth = width - PLOT_X - VALUE_SPACE;
  const scale = (v: number) => (v / max) * plotWidth;
  const rowHeight = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP;
  const bars: Bar[] = inputs.map((input, i) => {
    let x = PLOT_X;
    const segments = input.values.map((raw, s) => {
      const value = Math.max(0, raw);
      const seg = { series: String(s), value, x, width: scale(value) };
      x += seg.width;
      return seg;
    });
    return { key: input.key, label: input.label, total: totals[i], y: i * rowHeight, segments };
  });
  return {
    width,
    height: inputs.length * rowHeight + AXIS_HEIGHT,
    plotX: PLOT_X,
    plotWidth,
    max,
    ticks: ticks(max).map((value) => ({ value, x: PLOT_X + scale(value) })),
    bars,
  };
}

/** Bars from a figure such as {nfa: 3, scr: 1}, in the order and with the words of `labels`. */
export function barsFromCounts(counts: Record<string, number>, labels: Record<string, string>): BarInput[] {
  const keys = [...Object.keys(labels), ...Object.keys(counts).filter((k) => !(k in labels))];
  return keys.map((key) => ({ key, label: labelFor(key, labels), values: [counts[key] ?? 0] }));
}

export function labelFor(key: string, labels: Record<string, string>): string {
  if (labels[key]) return labels[key];
  const words = key.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What a screen reader hears for the whole chart: every bar's label and number. */
export function chartSummary(title: string, bars: BarInput[], series?: Series[]): string {
  const parts = bars.map((b) => {
    const total = b.values.reduce((s, v) => s + v, 0);
    if (!series || series.length < 2) return `${b.label}: ${total}`;
    const detail = series.map((s, i) => `${b.values[i] ?? 0} ${s.label.toLowerCase()}`).join(", ");
    return `${b.label}: ${total} (${detail})`;
  });
  return `${title}. ${parts.join("; ")}.`;
}

/** A percentage as the report shows it ("50%", "33.3%", "–" when there is nothing to divide). */
export function percentText(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
}

// ---- the report period ----------------------------------------------------------------------

/** The last complete financial year (1 April to 31 March) before `today` (YYYY-MM-DD). */
export function lastFinancialYear(today: string): { from: string; to: string } {
  const [y, m] = today.split("-").map(Number);
  const endYear = m >= 4 ? y : y - 1; // the year whose 31 March ended the last complete year
  return { from: `${endYear - 1}-04-01`, to: `${endYear}-03-31` };
}

/** The period from the address (?from=&to=), or the last financial year. */
export function periodFromParams(params: URLSearchParams, today: string): { from: string; to: string } {
  const fallback = lastFinancialYear(today);
  return { from: params.get("from") || fallback.from, to: params.get("to") || fallback.to };
}
