/**
 * The progress page: one self-contained HTML file with inline SVG (no scripts, no fonts, no links, and a
 * Content-Security-Policy that forbids fetching anything), so it can be mailed, archived or opened offline.
 *
 * Burn-down: users not yet migrated over time, from two sources drawn side by side: the status history
 * (Graph's flag counts, one point per `status --history` run) and the legacy store's `migratedAt` marks
 * (one point per day, available from the first run on). A dashed line projects the current rate to the end.
 */
import { SUPERSEDED_MEANING, type StatusSnapshot } from './progress';

export interface ProgressPageInput {
  readonly current: StatusSnapshot;
  /** Earlier snapshots (the current one may be among them). */
  readonly history: readonly StatusSnapshot[];
  /** Migrations per UTC day (`YYYY-MM-DD`) from the legacy store. */
  readonly migratedPerDay: ReadonlyMap<string, number>;
}

interface Point {
  readonly t: number;
  readonly value: number;
}

const DAY_MS = 86_400_000;
const WIDTH = 900;
const HEIGHT = 360;
const MARGIN = { left: 72, right: 24, top: 20, bottom: 44 };
/** The projection is drawn at most this far ahead. */
const MAX_PROJECTION_MS = 365 * DAY_MS;
const MAX_BARS = 90;
const NUMBER = new Intl.NumberFormat('en-US');

export function renderProgressPage(input: ProgressPageInput): string {
  const { current } = input;
  const now = Date.parse(current.generatedAt);
  const graphSeries = historySeries(input.history, current);
  const legacySeries = legacyBurnDown(current, input.migratedPerDay, now);
  const projection = projectionLine(current, now);
  const deadline = current.deadline === null ? undefined : Date.parse(current.deadline.date);

  const times = [...graphSeries, ...legacySeries, ...projection].map((point) => point.t).concat(now, deadline ?? now);
  let [xMin, xMax] = [Math.min(...times), Math.max(...times)];
  if (xMax - xMin < DAY_MS) xMin = xMax - DAY_MS;
  const values = [...graphSeries, ...legacySeries].map((point) => point.value).concat(current.totals.users, 1);
  const yMax = niceCeiling(Math.max(...values));
  const scale = new Scale(xMin, xMax, yMax);

  const burnDown = svg('burn-down', 'Users not yet migrated over time', [
    axes(scale),
    verticalMarker(scale, now, 'now', 'today'),
    deadline === undefined ? '' : verticalMarker(scale, deadline, 'deadline', `deadline ${day(deadline)}`),
    polyline(scale, legacySeries, 'legacy', true),
    polyline(scale, graphSeries, 'graph', false),
    projection.length === 2 ? polyline(scale, projection, 'projection', false) : '',
    ...legacySeries.map((point) => circle(scale, point, 'legacy', 2.5)),
    ...graphSeries.map((point) => circle(scale, point, 'graph', 4)),
  ]);
  return page(current, burnDown, barsChart(input.migratedPerDay), graphSeries.length);
}

/** Graph's pending count at each snapshot, oldest first, the current run included once. */
function historySeries(history: readonly StatusSnapshot[], current: StatusSnapshot): Point[] {
  const byTime = new Map<number, number>();
  for (const snapshot of [...history, current]) byTime.set(Date.parse(snapshot.generatedAt), snapshot.totals.pending);
  return [...byTime].sort(([a], [b]) => a - b).map(([t, value]) => ({ t, value }));
}

/**
 * Not-yet-migrated by the legacy store at the end of each day: all records, minus those marked without a
 * timestamp (migrated before the record keeping, so before the chart starts), minus each day's marks.
 */
function legacyBurnDown(current: StatusSnapshot, perDay: ReadonlyMap<string, number>, now: number): Point[] {
  const days = [...perDay].sort(([a], [b]) => a.localeCompare(b));
  const first = days[0];
  if (first === undefined) return [];
  let remaining = current.legacy.total - current.legacy.migratedWithoutTimestamp;
  const points: Point[] = [{ t: Date.parse(`${first[0]}T00:00:00Z`), value: remaining }];
  for (const [day, count] of days) {
    remaining -= count;
    points.push({ t: Math.min(now, Date.parse(`${day}T00:00:00Z`) + DAY_MS), value: remaining });
  }
  return points;
}

function projectionLine(current: StatusSnapshot, now: number): Point[] {
  const { remaining, perDay } = current.eta;
  if (remaining === 0 || perDay <= 0) return [];
  const end = Math.min(now + (remaining / perDay) * DAY_MS, now + MAX_PROJECTION_MS);
  return [
    { t: now, value: remaining },
    { t: end, value: Math.max(0, remaining - (perDay * (end - now)) / DAY_MS) },
  ];
}

class Scale {
  readonly plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  readonly plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;

  constructor(
    readonly xMin: number,
    readonly xMax: number,
    readonly yMax: number,
  ) {}

  x(t: number): number {
    return round1(MARGIN.left + ((t - this.xMin) / (this.xMax - this.xMin)) * this.plotWidth);
  }

  y(value: number): number {
    return round1(MARGIN.top + this.plotHeight - (value / this.yMax) * this.plotHeight);
  }
}

function axes(scale: Scale): string {
  const parts: string[] = [];
  const bottom = MARGIN.top + scale.plotHeight;
  for (let i = 0; i <= 5; i++) {
    const value = (scale.yMax / 5) * i;
    const y = scale.y(value);
    parts.push(`<line class="grid" x1="${MARGIN.left}" y1="${y}" x2="${WIDTH - MARGIN.right}" y2="${y}"/>`);
    parts.push(`<text class="tick" x="${MARGIN.left - 8}" y="${y + 4}" text-anchor="end">${NUMBER.format(Math.round(value))}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const t = scale.xMin + ((scale.xMax - scale.xMin) / 5) * i;
    const x = scale.x(t);
    parts.push(`<line class="axis" x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${bottom + 20}" text-anchor="middle">${day(t)}</text>`);
  }
  parts.push(`<line class="axis" x1="${MARGIN.left}" y1="${bottom}" x2="${WIDTH - MARGIN.right}" y2="${bottom}"/>`);
  parts.push(`<line class="axis" x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}"/>`);
  return parts.join('');
}

function verticalMarker(scale: Scale, t: number, className: string, label: string): string {
  const x = scale.x(t);
  return `<line class="${className}" x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${MARGIN.top + scale.plotHeight}"/><text class="tick" x="${x - 4}" y="${MARGIN.top + 12}" text-anchor="end">${escapeHtml(label)}</text>`;
}

function polyline(scale: Scale, points: readonly Point[], series: string, stepped: boolean): string {
  if (points.length < 2) return '';
  const coordinates: string[] = [];
  points.forEach((point, index) => {
    const previous = points[index - 1];
    // A step line for daily totals: the count drops at the end of the day, not gradually through it.
    if (stepped && previous !== undefined) coordinates.push(`${scale.x(point.t)},${scale.y(previous.value)}`);
    coordinates.push(`${scale.x(point.t)},${scale.y(point.value)}`);
  });
  return `<polyline class="line ${series}" points="${coordinates.join(' ')}"/>`;
}

function circle(scale: Scale, point: Point, series: string, radius: number): string {
  const label = `${new Date(point.t).toISOString().slice(0, 16).replace('T', ' ')} UTC: ${NUMBER.format(point.value)} not migrated`;
  return `<circle class="point ${series}" cx="${scale.x(point.t)}" cy="${scale.y(point.value)}" r="${radius}" data-time="${new Date(point.t).toISOString()}" data-value="${point.value}"><title>${escapeHtml(label)}</title></circle>`;
}

function barsChart(perDay: ReadonlyMap<string, number>): string {
  const days = [...perDay].sort(([a], [b]) => a.localeCompare(b)).slice(-MAX_BARS);
  if (days.length === 0) return '<p>No migrations recorded in the legacy store yet.</p>';
  const height = 200;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const yMax = niceCeiling(Math.max(...days.map(([, count]) => count)));
  const slot = plotWidth / days.length;
  const bars = days.map(([date, count], index) => {
    const barHeight = round1((count / yMax) * plotHeight);
    const x = round1(MARGIN.left + index * slot + slot * 0.1);
    const y = round1(MARGIN.top + plotHeight - barHeight);
    return `<rect class="bar" x="${x}" y="${y}" width="${round1(slot * 0.8)}" height="${barHeight}" data-date="${date}" data-value="${count}"><title>${date}: ${NUMBER.format(count)} migrated</title></rect>`;
  });
  const bottom = MARGIN.top + plotHeight;
  const labels = [days[0], days[days.length - 1]].map((entry, index) =>
    entry === undefined ? '' : `<text class="tick" x="${index === 0 ? MARGIN.left : WIDTH - MARGIN.right}" y="${bottom + 18}" text-anchor="${index === 0 ? 'start' : 'end'}">${entry[0]}</text>`,
  );
  const axis = `<line class="axis" x1="${MARGIN.left}" y1="${bottom}" x2="${WIDTH - MARGIN.right}" y2="${bottom}"/><text class="tick" x="${MARGIN.left - 8}" y="${MARGIN.top + 4}" text-anchor="end">${NUMBER.format(yMax)}</text><text class="tick" x="${MARGIN.left - 8}" y="${bottom + 4}" text-anchor="end">0</text>`;
  return svg('per-day', 'Migrations per day (legacy store migratedAt)', [axis, ...bars, ...labels], height);
}

function svg(id: string, title: string, body: readonly string[], height = HEIGHT): string {
  return `<svg id="${id}" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}"><title>${escapeHtml(title)}</title>${body.join('')}</svg>`;
}

function page(current: StatusSnapshot, burnDown: string, bars: string, historyPoints: number): string {
  const t = current.totals;
  const rows: Array<[string, string]> = [
    ['Users to migrate', NUMBER.format(t.users)],
    ['Migrated (flag false)', `${NUMBER.format(t.migrated)} (${t.percentMigrated} %)`],
    ['Pending (flag true)', `${NUMBER.format(t.pending)} (${t.percentPending} %)`],
    ['Failed (no flagged External ID user)', `${NUMBER.format(t.failed)} (${t.percentFailed} %)`],
    ['Legacy store marks', `${NUMBER.format(current.legacy.migrated)} of ${NUMBER.format(current.legacy.total)} (${current.legacy.percentMigrated} %)`],
    ['Superseded legacy records', `${NUMBER.format(current.legacy.superseded ?? 0)}: ${SUPERSEDED_MEANING}`],
    ['Rate', `${current.rate.last24Hours} in the last 24 h; ${current.rate.perDay} a day over the last 7 days`],
    ['Projected end', current.eta.date === null ? 'no migrations in the last 7 days: no projection' : `${current.eta.date.slice(0, 10)} (${current.eta.days} days)`],
  ];
  if (current.deadline !== null) {
    const d = current.deadline;
    rows.push(['Deadline', `${d.date.slice(0, 10)}: ${d.onTrack ? 'on track' : `${NUMBER.format(d.projectedRemaining)} projected to remain (they will need a password reset)`}`]);
  }
  if (current.drift.reconcileSuggested) rows.push(['Drift', `legacy marks minus Graph migrated = ${current.drift.legacyMinusGraphMigrated}: run jitmigrate reconcile`]);
  const table = rows.map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>JIT migration progress ${escapeHtml(current.generatedAt.slice(0, 10))}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #1b1b1b; }
table { border-collapse: collapse; margin-bottom: 16px; }
th, td { text-align: left; padding: 3px 12px 3px 0; }
th { font-weight: 600; }
svg { display: block; margin: 8px 0 24px; max-width: 100%; height: auto; }
.grid { stroke: #e6e6e6; }
.axis { stroke: #555; }
.tick { font-size: 11px; fill: #555; }
.line { fill: none; stroke-width: 2; }
.line.graph { stroke: #0063b1; }
.line.legacy { stroke: #8a8a8a; }
.line.projection { stroke: #0063b1; stroke-dasharray: 6 5; }
.point.graph { fill: #0063b1; }
.point.legacy { fill: #8a8a8a; }
.deadline { stroke: #c50f1f; stroke-dasharray: 3 3; }
.now { stroke: #bdbdbd; }
.bar { fill: #498205; }
.legend span { display: inline-block; margin-right: 16px; }
.swatch { display: inline-block; width: 18px; height: 3px; vertical-align: middle; margin-right: 6px; }
</style>
</head>
<body>
<h1>JIT migration progress</h1>
<p>Generated ${escapeHtml(current.generatedAt)} for <code>${escapeHtml(current.migrationProperty)}</code>. Counts from Microsoft Graph are eventually consistent.</p>
<table>${table}</table>
<h2>Users not yet migrated</h2>
<p class="legend"><span><i class="swatch" style="background:#0063b1"></i>External ID flag true (${historyPoints} status run${historyPoints === 1 ? '' : 's'})</span><span><i class="swatch" style="background:#8a8a8a"></i>Legacy store, from migratedAt</span><span><i class="swatch" style="background:repeating-linear-gradient(90deg,#0063b1 0 6px,transparent 6px 11px)"></i>Projection at the 7-day rate</span></p>
${burnDown}
<h2>Migrations per day</h2>
${bars}
</body>
</html>
`;
}

/** 1, 2 or 5 times a power of ten, at or above the value. */
function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function day(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
