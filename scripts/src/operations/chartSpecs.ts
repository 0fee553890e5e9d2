/**
 * The progress page's charts as Vega-Lite specifications (rendered by vegaSvg.ts). Time ticks fall on UTC
 * midnights, a day or more apart (timeTicks), so no date is labelled twice; Vega-Lite places them, keeps counts
 * on whole numbers, drops labels that would overlap and keeps the outermost ones inside the chart. Each chart
 * comes in two widths, a wide one for screens and a narrow one for phones, both drawn at 1:1 so text stays
 * legible (12 px or more).
 */
import type { TopLevelSpec } from 'vega-lite';
import { DAY_MS, type MarkDay, type StatusRun, type TimePoint, type TimeWindow } from './chartData';

export type ChartWidth = 'wide' | 'narrow';

export const CHART_PIXELS: Readonly<Record<ChartWidth, number>> = { wide: 880, narrow: 350 };

export const COLORS = {
  pending: '#0063b1',
  legacy: '#6b6b6b',
  migrated: '#2f7d05',
  failed: '#c50f1f',
  deadline: '#c50f1f',
  now: '#9e9e9e',
  bar: '#2f7d05',
} as const;

/** The burn-down's series names, also the legend's and the page's explanation's. */
export const BURN_DOWN_SERIES = {
  pending: 'External ID: flag true',
  legacy: 'Legacy store: not marked',
  projection: 'Projection (7-day rate)',
} as const;

export const STATE_SERIES = { migrated: 'migrated', pending: 'pending', failed: 'failed' } as const;

// Labels by the calendar unit a tick falls on; ticks are UTC midnights (timeTicks), so hours never show.
const TIME_LABELS = { year: '%Y', quarter: '%b %Y', month: '%b %Y', week: '%b %d', date: '%b %d', hours: '%b %d', minutes: '%b %d', seconds: '%b %d', milliseconds: '%b %d' };

/** Tick spacings for a time axis, shortest first: never less than a day, so every label is a distinct date. */
const TIME_STEPS = [
  { interval: 'day', step: 1, days: 1 },
  { interval: 'day', step: 2, days: 2 },
  { interval: 'week', step: 1, days: 7 },
  { interval: 'week', step: 2, days: 14 },
  { interval: 'month', step: 1, days: 31 },
  { interval: 'month', step: 3, days: 92 },
  { interval: 'month', step: 6, days: 183 },
  { interval: 'year', step: 1, days: 366 },
] as const;

/** The shortest spacing that leaves about 90 pixels a label. */
export function timeTicks(start: number, end: number, width: ChartWidth): { interval: string; step: number } {
  const fit = Math.max(2, Math.floor(CHART_PIXELS[width] / 90));
  const spanDays = (end - start) / DAY_MS;
  const { interval, step } = TIME_STEPS.find((candidate) => spanDays / candidate.days <= fit) ?? { interval: 'year', step: Math.ceil(spanDays / 366 / fit) };
  return { interval, step };
}

function config(width: ChartWidth): TopLevelSpec['config'] {
  const size = width === 'wide' ? 13 : 12;
  return {
    font: 'system-ui, sans-serif',
    // The page labels each chart as one image with a summary and lists the values in tables; Vega's per-mark
    // labels would repeat them in a less readable form.
    aria: false,
    view: { stroke: null },
    axis: { labelFontSize: size, titleFontSize: size, titleFontWeight: 'normal', labelColor: '#333', titleColor: '#333', gridColor: '#e6e6e6' },
    legend: { labelFontSize: size, symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolSize: 300, labelLimit: 0, orient: 'bottom', direction: width === 'wide' ? 'horizontal' : 'vertical', title: null },
    text: { fontSize: size },
  };
}

function base(width: ChartWidth, height: number) {
  return { width: CHART_PIXELS[width], height, autosize: { type: 'fit-x', contains: 'padding' }, padding: 4, config: config(width) };
}

const DOT = { size: 40, filled: true } as const;

function timeAxis(start: number, end: number, width: ChartWidth): Record<string, unknown> {
  return { title: 'Date (UTC)', format: TIME_LABELS, labelFlush: true, labelOverlap: true, tickCount: timeTicks(start, end, width), grid: false };
}

/** Whole numbers only; 1,500 and 250k and 1.2M rather than d3's shared prefix (0.9k, 0k). */
const COUNT_LABEL = "datum.value >= 1e6 ? format(datum.value / 1e6, '~r') + 'M' : datum.value >= 1e4 ? format(datum.value / 1e3, '~r') + 'k' : format(datum.value, ',')";
const COUNT_AXIS = { title: 'Users', tickMinStep: 1, tickCount: 5, labelExpr: COUNT_LABEL, labelOverlap: true } as const;
/** Day labels on the per-day axis: about one per 70 pixels, at a whole number of days or weeks. */
const DAY_LABEL_STEPS = [1, 2, 7, 14, 28, 56, 91];

export interface BurnDownInput {
  readonly window: TimeWindow;
  readonly now: number;
  readonly pending: readonly TimePoint[];
  readonly legacy: readonly TimePoint[];
  readonly projection: readonly TimePoint[];
  /** A dot per status run (off when there are too many to tell apart). */
  readonly dots: boolean;
  /** Drawn when inside the window. */
  readonly deadline?: number;
}

/** Users not yet migrated: Graph's pending count per status run, the legacy store's step line, the projection. */
export function burnDownSpec(input: BurnDownInput, width: ChartWidth): TopLevelSpec {
  const rows = [
    ...input.legacy.map((point) => ({ ...point, series: BURN_DOWN_SERIES.legacy })),
    ...input.pending.map((point) => ({ ...point, series: BURN_DOWN_SERIES.pending })),
    ...input.projection.map((point) => ({ ...point, series: BURN_DOWN_SERIES.projection })),
  ];
  const yMax = Math.max(1, ...rows.map((row) => row.value));
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: Object.values(BURN_DOWN_SERIES), range: [COLORS.pending, COLORS.legacy, COLORS.pending] },
  } as const;
  const strokeDash = { field: 'series', type: 'nominal', scale: { domain: Object.values(BURN_DOWN_SERIES), range: [[1, 0], [1, 0], [6, 4]] } } as const;
  const x = { field: 't', type: 'temporal', scale: { type: 'utc', domain: [input.window.start, input.window.end], nice: false }, axis: timeAxis(input.window.start, input.window.end, width) } as const;
  const y = { field: 'value', type: 'quantitative', scale: { domain: [0, yMax], nice: true }, axis: COUNT_AXIS } as const;
  const only = (series: string) => ({ filter: { field: 'series', equal: series } });
  const series = { x, y, color, strokeDash };
  const markers: Marker[] = [{ t: input.now, label: 'now', color: COLORS.now, row: 0 }];
  // The deadline's label a line higher, so it never covers now's when the two are close.
  if (input.deadline !== undefined && input.deadline <= input.window.end) markers.push({ t: input.deadline, label: 'deadline', color: COLORS.deadline, row: 1 });
  return {
    ...base(width, width === 'wide' ? 320 : 240),
    data: { values: rows },
    layer: [
      ...markers.flatMap((marker) => markerLayers(marker, x)),
      { transform: [only(BURN_DOWN_SERIES.legacy)], mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 }, encoding: series },
      { transform: [only(BURN_DOWN_SERIES.projection)], mark: { type: 'line', strokeWidth: 2 }, encoding: series },
      { transform: [only(BURN_DOWN_SERIES.pending)], mark: { type: 'line', strokeWidth: 2.5, point: input.dots ? DOT : false }, encoding: series },
    ],
  } as TopLevelSpec;
}

/** A dashed vertical rule at `t` (now, the deadline), labelled above the plot, row 1 above row 0. */
interface Marker {
  readonly t: number;
  readonly label: string;
  readonly color: string;
  /** Label rows above the plot, 0 nearest. */
  readonly row: number;
}

function markerLayers(marker: Marker, x: Record<string, unknown>): object[] {
  const data = { values: [{ t: marker.t, label: marker.label }] };
  return [
    { data, mark: { type: 'rule', strokeWidth: 1.5, strokeDash: [4, 3], color: marker.color }, encoding: { x } },
    // Above the plot, where no line can cover it.
    { data, mark: { type: 'text', align: 'center', baseline: 'bottom', y: -4 - 16 * marker.row, color: marker.color }, encoding: { x, text: { field: 'label' } } },
  ];
}

/** Migrations per UTC day: a band for every day, a bar for its count and a red mark on the axis for a day without any. */
export function perDaySpec(days: readonly MarkDay[], width: ChartWidth): TopLevelSpec {
  const rows = days.map((day) => ({ date: day.date, migrations: day.migrations }));
  const yMax = Math.max(1, ...rows.map((row) => row.migrations));
  const x = {
    field: 'date',
    type: 'ordinal',
    sort: null,
    scale: { paddingInner: 0.15, paddingOuter: 0.1 },
    axis: { title: 'Day (UTC)', values: dayLabels(days, width), labelExpr: "utcFormat(toDate(datum.value + 'T00:00:00Z'), '%b %d')", labelAngle: 0, labelOverlap: true, labelFlush: true, ticks: false },
  } as const;
  return {
    ...base(width, width === 'wide' ? 180 : 150),
    data: { values: rows },
    layer: [
      { mark: { type: 'bar', color: COLORS.bar }, encoding: { x, y: { field: 'migrations', type: 'quantitative', scale: { domain: [0, yMax], nice: true }, axis: { ...COUNT_AXIS, title: 'Migrations' } } } },
      {
        transform: [{ filter: 'datum.migrations === 0' }],
        mark: { type: 'tick', orient: 'horizontal', color: COLORS.failed, thickness: 3 },
        encoding: { x, y: { datum: 0, type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}

/** Every n-th day counted back from the last, so the latest day is always labelled. */
export function dayLabels(days: readonly MarkDay[], width: ChartWidth): string[] {
  const fit = Math.max(2, Math.floor(CHART_PIXELS[width] / 70));
  const step = DAY_LABEL_STEPS.find((candidate) => days.length / candidate <= fit) ?? Math.ceil(days.length / fit);
  return days.filter((_, index) => (days.length - 1 - index) % step === 0).map((day) => day.date);
}

/** Every user by state at each status run: migrated (flag false), pending (flag true), failed (never provisioned). */
export function statesSpec(runs: readonly StatusRun[], window: { start: number; end: number }, dots: boolean, width: ChartWidth): TopLevelSpec {
  const rows = runs.flatMap((run) => [
    { t: run.t, state: STATE_SERIES.migrated, users: run.migrated },
    { t: run.t, state: STATE_SERIES.pending, users: run.pending },
    ...(run.failed === null ? [] : [{ t: run.t, state: STATE_SERIES.failed, users: run.failed }]),
  ]);
  const yMax = Math.max(1, ...rows.map((row) => row.users));
  return {
    ...base(width, width === 'wide' ? 240 : 200),
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2.5, point: dots ? DOT : false },
    encoding: {
      x: { field: 't', type: 'temporal', scale: { type: 'utc', domain: [window.start, window.end], nice: false }, axis: timeAxis(window.start, window.end, width) },
      y: { field: 'users', type: 'quantitative', scale: { domain: [0, yMax], nice: true }, axis: COUNT_AXIS },
      color: { field: 'state', type: 'nominal', scale: { domain: Object.values(STATE_SERIES), range: [COLORS.migrated, COLORS.pending, COLORS.failed] } },
    },
  } as TopLevelSpec;
}
