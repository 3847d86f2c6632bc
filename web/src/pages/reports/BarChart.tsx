// A horizontal bar chart as inline SVG: role="img", named by its <title> and described by a
// <desc> that reads out every figure; the same figures are in the table beside it. Colours come
// from classes in styles.scss (no inline style: the app's CSP forbids it).
import { useId } from "react";

import { BAR_HEIGHT, CHART_WIDTH, chartSummary, LABEL_HEIGHT, layoutBars, type BarInput, type Series } from "./chart";

/** `width` in pixels at which the chart is drawn 1:1 (it shrinks to fit narrower screens): 640
 * for a chart across the page, 440 for one in half a row beside its table. */
export function BarChart({ title, bars, series, testId, width = CHART_WIDTH }: {
  title: string; bars: BarInput[]; series?: Series[]; testId?: string; width?: number;
}) {
  const id = useId().replace(/:/g, "");
  const layout = layoutBars(bars, width);
  const stacked = !!series && series.length > 1;
  const axisY = layout.height - 24;
  return (
    <figure className="app-chart" data-testid={testId}>
      {stacked ? (
        <ul className="app-chart__legend" aria-hidden="true">
          {series.map((s, i) => (
            <li key={s.key} className="app-chart__legend-item">
              <svg width="14" height="14" viewBox="0 0 14 14" focusable="false">
                <rect width="14" height="14" className={`app-chart__bar app-chart__bar--${i}`} />
              </svg>
              {s.label}
            </li>
          ))}
        </ul>
      ) : null}
      <svg className="app-chart__svg" role="img" aria-labelledby={`${id}-title ${id}-desc`}
        viewBox={`0 0 ${layout.width} ${layout.height}`} width={layout.width} preserveAspectRatio="xMinYMin meet"
        focusable="false">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{chartSummary(title, bars, series)}</desc>
        {layout.ticks.map((t) => (
          <g key={t.value} aria-hidden="true">
            <line className="app-chart__grid" x1={t.x} x2={t.x} y1={0} y2={axisY} />
            <text className="app-chart__tick" x={t.x} y={axisY + 18} textAnchor="middle">{t.value}</text>
          </g>
        ))}
        {layout.bars.map((bar) => (
          <g key={bar.key} aria-hidden="true">
            <text className="app-chart__label" x={layout.plotX} y={bar.y + LABEL_HEIGHT - 6}>{bar.label}</text>
            {bar.segments.map((seg) => seg.width > 0 ? (
              <rect key={seg.series} className={`app-chart__bar app-chart__bar--${seg.series}`}
                x={seg.x} y={bar.y + LABEL_HEIGHT} width={seg.width} height={BAR_HEIGHT} />
            ) : null)}
            <text className="app-chart__value" y={bar.y + LABEL_HEIGHT + BAR_HEIGHT - 5}
              x={layout.plotX + (bar.total / layout.max) * layout.plotWidth + 6}>{bar.total}</text>
          </g>
        ))}
      </svg>
    </figure>
  );
}
