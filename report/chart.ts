/**
 * The timing chart's geometry: one row per step, one bar per rehearsal in it
 * (a pair with two rehearsals), on a shared time axis with round ticks. A step
 * that failed is marked, one that did not run has no bar but a label.
 */
import type { ChartRow } from './model';

export interface Bar {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  /** `r0`, `r1`… by rehearsal, plus `failed` or `missing`. */
  readonly kind: string;
  readonly title: string;
  readonly note?: string;
}

export interface Chart {
  readonly width: number;
  readonly height: number;
  readonly rowHeight: number;
  readonly axis: { readonly x: number; readonly y: number; readonly w: number };
  readonly ticks: readonly { readonly x: number; readonly label: string }[];
  readonly rows: readonly { readonly y: number; readonly label: string; readonly phase: string; readonly stripe: boolean }[];
  readonly bars: readonly Bar[];
  readonly legend: readonly { readonly x: number; readonly label: string; readonly kind: string }[];
}

const LABEL_W = 330;
const PLOT_W = 700;
const BAR_H = 7;
const ROW_PAD = 3;
const TOP = 40;

/** Tick spacings a reader counts in: seconds, minutes, quarter hours, hours. */
const SPACINGS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600];

/** The smallest spacing that gives at most six ticks over `max` seconds. */
export function tickStep(max: number): number {
  return SPACINGS.find((s) => Math.max(max, 1) / s <= 6) ?? Math.ceil(max / 6 / 3600) * 3600;
}

const clock = (s: number): string => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.round(s / 60)} min` : `${s} s`);

export function chartOf(rows: readonly ChartRow[]): Chart {
  const labels = rows[0]?.bars.map((b) => b.label) ?? [];
  const max = Math.max(1, ...rows.flatMap((r) => r.bars.map((b) => b.seconds)));
  const step = tickStep(max);
  const end = Math.ceil(max / step) * step;
  const scale = (s: number) => (s / end) * PLOT_W;
  const rowH = labels.length * BAR_H + 2 * ROW_PAD;
  const bars: Bar[] = [];
  const placed = rows.map((row, i) => {
    const y = TOP + i * rowH;
    row.bars.forEach((bar, k) => {
      const by = y + ROW_PAD + k * BAR_H;
      const ran = bar.status === 'ok' || bar.status === 'failed';
      const title = `${row.id}, ${bar.label}: ${ran ? `${bar.seconds.toFixed(1)} s` : bar.status}${bar.status === 'failed' ? ' (failed)' : ''}`;
      bars.push(
        ran
          ? {
              x: LABEL_W,
              y: by,
              w: Math.max(1, scale(bar.seconds)),
              h: BAR_H - 1,
              kind: `r${k}${bar.status === 'failed' ? ' failed' : ''}`,
              title,
            }
          : { x: LABEL_W, y: by, w: 0, h: BAR_H - 1, kind: `r${k} missing`, title, note: bar.status },
      );
    });
    return { y, label: row.id, phase: row.phase, stripe: i % 2 === 1 };
  });
  const ticks = Array.from({ length: Math.round(end / step) + 1 }, (_, i) => ({ x: LABEL_W + scale(i * step), label: clock(i * step) }));
  return {
    width: LABEL_W + PLOT_W + 40,
    height: TOP + rows.length * rowH + 20,
    rowHeight: rowH,
    axis: { x: LABEL_W, y: TOP, w: PLOT_W },
    ticks,
    rows: placed,
    bars,
    legend: labels.map((label, k) => ({ x: LABEL_W + k * 160, label, kind: `r${k}` })),
  };
}
