import React, { useEffect, useRef } from 'react';
import { Chart, type ChartConfiguration, registerables } from 'chart.js';

Chart.register(...registerables);

const PALETTE = ['#3040d6', '#e8590c', '#2f9e44', '#ae3ec9', '#1098ad', '#f08c00', '#c92a2a', '#5c7cfa', '#868e96', '#0ca678'];

export interface ChartSeries {
  label: string;
  values: number[];
  /** A second y axis on the right (revenue beside order counts). */
  right?: boolean;
}

/**
 * One chart.js chart on a canvas: `line` for days, `bar` for rankings and statuses, `doughnut` for shares. Clicking a point,
 * bar or slice opens `links[index]` when there is one (the order list filtered as that day or status).
 */
export function ReportChart({ kind, labels, series, links, testId, height = 280 }: {
  kind: 'line' | 'bar' | 'doughnut';
  labels: string[];
  series: ChartSeries[];
  links?: Array<string | undefined>;
  testId: string;
  height?: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    if (!canvas.current) return undefined;
    const twoAxes = series.some((entry) => entry.right);
    // counts are drawn with whole-number ticks (never "0.2 orders"); an axis with any fractional value keeps chart.js's steps
    const axisTicks = (right: boolean) =>
      series.filter((entry) => Boolean(entry.right) === right).every((entry) => entry.values.every(Number.isInteger)) ? { precision: 0 } : {};
    const config: ChartConfiguration = {
      type: kind,
      data: {
        labels,
        datasets: series.map((entry, index) => ({
          label: entry.label,
          data: entry.values,
          yAxisID: kind === 'doughnut' ? undefined : entry.right ? 'right' : 'left',
          borderColor: kind === 'doughnut' ? '#fff' : PALETTE[index % PALETTE.length],
          backgroundColor: kind === 'doughnut' ? labels.map((_, i) => PALETTE[i % PALETTE.length]) : `${PALETTE[index % PALETTE.length]}${kind === 'line' ? '33' : 'cc'}`,
          tension: 0,
          fill: false,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        onClick: (_event, elements) => {
          const link = elements.length ? links?.[elements[0].index] : undefined;
          if (link) window.location.assign(link);
        },
        scales:
          kind === 'doughnut'
            ? {}
            : {
                left: { type: 'linear', position: 'left', beginAtZero: true, ticks: axisTicks(false) },
                ...(twoAxes ? { right: { type: 'linear', position: 'right', beginAtZero: true, ticks: axisTicks(true), grid: { drawOnChartArea: false } } } : {}),
              },
      },
    };
    const chart = new Chart(canvas.current, config);
    canvas.current.dataset.points = String(labels.length);
    return () => chart.destroy();
  }, [kind, JSON.stringify(labels), JSON.stringify(series), JSON.stringify(links)]);

  return (
    <div style={{ position: 'relative', height, width: '100%' }}>
      <canvas ref={canvas} data-testid={testId} role="img" aria-label={series.map((entry) => entry.label).join(', ')} />
    </div>
  );
}
