/**
 * The progress page: one self-contained HTML file, charts as inline SVG rendered when the page is written
 * (chartSpecs.ts, vegaSvg.ts), no scripts, fonts or links, and a Content-Security-Policy that forbids
 * fetching anything, so it can be mailed, archived or opened offline. Every chart comes in a wide and a narrow
 * rendering (CSS picks one by the screen's width), says in words what it shows, and its values are in the
 * data tables below it, so nothing needs a mouse.
 *
 * All times and days are UTC.
 */
import {
  isoDay,
  isoMinute,
  legacyBurnDown,
  markDays,
  MAX_BAR_DAYS,
  projectionEnd,
  projectionLine,
  statusRuns,
  timeWindow,
  type MarkDay,
  type StatusRun,
} from './chartData';
import { BURN_DOWN_SERIES, burnDownSpec, CHART_PIXELS, COLORS, perDaySpec, statesSpec, type ChartWidth } from './chartSpecs';
import { SUPERSEDED_MEANING, type StatusSnapshot } from './progress';
import { renderSvg } from './vegaSvg';
import type { TopLevelSpec } from 'vega-lite';

export interface ProgressPageInput {
  readonly current: StatusSnapshot;
  /** Earlier snapshots (the current one may be among them). */
  readonly history: readonly StatusSnapshot[];
  /** Migrations per UTC day (`YYYY-MM-DD`) from the legacy store. */
  readonly migratedPerDay: ReadonlyMap<string, number>;
  /** Rendering warnings (none expected; the tests fail on any). */
  readonly onWarning?: (message: string) => void;
}

/** Above this many status runs the burn-down draws the line without a dot per run. */
const MAX_RUN_DOTS = 120;
/** Days without migrations named in the per-day summary before "and N more". */
const MAX_NAMED_DAYS = 10;
const NUMBER = new Intl.NumberFormat('en-US');
const n = (value: number): string => NUMBER.format(value);

export async function renderProgressPage(input: ProgressPageInput): Promise<string> {
  const { current } = input;
  const now = Date.parse(current.generatedAt);
  const runs = statusRuns(input.history, current);
  const days = markDays(current, input.migratedPerDay, now);
  const render = (spec: (width: ChartWidth) => TopLevelSpec, summary: string) => chart(spec, summary, input.onWarning);

  const warnings = populationWarnings(current);
  const sections: string[] = [];
  const nothingToDraw = runs.every((run) => run.users === 0) && days.length === 0;
  if (nothingToDraw) {
    sections.push('<h2>Charts</h2>\n<p>Nothing to draw: no users were found (see the warning above).</p>');
  } else {
    const deadline = current.deadline === null ? undefined : Date.parse(current.deadline.date);
    const legacy = legacyBurnDown(days, now);
    const window = timeWindow([...runs.map((run) => run.t), ...legacy.map((point) => point.t)], now, projectionEnd(current, now), deadline);
    const burnDown = {
      window,
      now,
      pending: runs.map((run) => ({ t: run.t, value: run.pending })),
      legacy,
      projection: projectionLine(current, now, window),
      dots: runs.length <= MAX_RUN_DOTS,
      ...(deadline === undefined ? {} : { deadline }),
    };
    sections.push(
      `<h2>Users not yet migrated</h2>\n${burnDownKey(current, runs.length)}\n` +
        (await render((width) => burnDownSpec(burnDown, width), burnDownSummary(current, runs, days, now))) +
        beyondTheChart(current, window),
      `<h2>Users by state at each status run</h2>\n<p>At every <code>status</code> run: <b class="migrated">migrated</b> (External ID flag false), <b class="pending">pending</b> (flag true) and <b class="failed">failed</b> (legacy records without a flagged External ID user: never provisioned). Together they make the users to migrate.</p>\n` +
        (await render((width) => statesSpec(runs, { start: window.start, end: now }, runs.length <= MAX_RUN_DOTS, width), statesSummary(runs))),
    );
    const barDays = days.slice(-MAX_BAR_DAYS);
    sections.push(
      barDays.length === 0
        ? '<h2>Migrations per day</h2>\n<p>No migrations recorded in the legacy store yet.</p>'
        : `<h2>Migrations per day</h2>\n<p>From the legacy store's <code>migratedAt</code> marks, every UTC day${days.length > MAX_BAR_DAYS ? ` of the last ${MAX_BAR_DAYS}` : ''} up to today. A red mark on the axis is a day without any migration.</p>\n` +
            (await render((width) => perDaySpec(barDays, width), perDaySummary(barDays))),
    );
  }
  return page(current, warnings, sections, dataTables(runs, days));
}

/** Both renderings of one chart, labelled with its summary (the text alternative), the summary also shown. */
async function chart(spec: (width: ChartWidth) => TopLevelSpec, summary: string, onWarning?: (message: string) => void): Promise<string> {
  const [wide, narrow] = await Promise.all([renderSvg(spec('wide'), onWarning), renderSvg(spec('narrow'), onWarning)]);
  return `<figure><div class="chart" role="img" aria-label="${escapeHtml(summary)}"><div class="wide">${wide}</div><div class="narrow">${narrow}</div></div><figcaption>${escapeHtml(summary)}</figcaption></figure>\n`;
}

/**
 * No users at all reads like a finished migration; it almost always means the wrong store, tenant or flag.
 * The same when only one side is empty.
 */
export function populationWarnings(current: StatusSnapshot): string[] {
  const flagged = current.graph.pending + current.graph.migrated;
  const property = current.migrationProperty;
  const storeOptions = 'the legacy store options (--store, --table-endpoint or --table-connection-string and --table-name, or --users-file)';
  if (current.totals.users === 0) {
    return [
      `No users found: the legacy store has no records and no External ID user has ${property} set. This is not a finished migration: check ${storeOptions}, the tenant (--tenant, or the tenant of the Graph credentials) and --migration-property.`,
    ];
  }
  if (current.legacy.total === 0) return [`The legacy store has no records, yet ${n(flagged)} External ID users have ${property} set: check ${storeOptions}.`];
  if (flagged === 0) {
    return [
      `No External ID user has ${property} set, though the legacy store has ${n(current.legacy.total)} records: if provision-users has run, check the tenant (--tenant) and --migration-property. Until then every record counts as failed.`,
    ];
  }
  return [];
}

function burnDownKey(current: StatusSnapshot, runCount: number): string {
  const swatch = (color: string, dashed = false) =>
    `<i class="swatch" style="background:${dashed ? `repeating-linear-gradient(90deg,${color} 0 6px,transparent 6px 10px)` : color}"></i>`;
  return `<p>Two counts of different populations:</p>
<ul class="key">
<li>${swatch(COLORS.pending)}<b>${BURN_DOWN_SERIES.pending}</b>: External ID users whose flag is still true (provisioned, not yet signed in), one dot per <code>status</code> run (${n(runCount)} run${runCount === 1 ? '' : 's'}).</li>
<li>${swatch(COLORS.legacy)}<b>${BURN_DOWN_SERIES.legacy}</b>: legacy records without a migration mark, from the store's <code>migratedAt</code> marks (so there is a curve from the first run on). It also counts the users never provisioned (failed): ${n(current.totals.failed)} now.</li>
<li>${swatch(COLORS.pending, true)}<b>${BURN_DOWN_SERIES.projection}</b>: the pending users at ${current.eta.perDay} a day, the average of the last 7 days.</li>
</ul>`;
}

function burnDownSummary(current: StatusSnapshot, runs: readonly StatusRun[], days: readonly MarkDay[], now: number): string {
  const first = runs[0];
  const parts: string[] = [];
  if (first !== undefined && runs.length > 1) parts.push(`External ID users with the flag true went from ${n(first.pending)} on ${isoMinute(first.t)} UTC to ${n(current.totals.pending)} now (${runs.length} status runs).`);
  else parts.push(`External ID users with the flag true: ${n(current.totals.pending)} now (the first status run in the history).`);
  const firstDay = days[0];
  if (firstDay !== undefined) parts.push(`Legacy records not marked migrated went from ${n(firstDay.notMarkedAtEnd + firstDay.migrations)} at the start of ${firstDay.date} to ${n(current.legacy.total - current.legacy.migrated)} now.`);
  const end = projectionEnd(current, now);
  parts.push(end === undefined ? (current.totals.pending === 0 ? 'Nobody is pending.' : 'No migrations in the last 7 days: no projection.') : `At ${current.eta.perDay} a day the pending users reach 0 on ${isoDay(end)}.`);
  if (current.deadline !== null) parts.push(`Deadline ${isoDay(Date.parse(current.deadline.date))}: ${current.deadline.onTrack ? 'on track' : `${n(current.deadline.projectedRemaining)} projected to remain`}.`);
  return parts.join(' ');
}

/** What the window cut off: the projection's end or a deadline further ahead than the history reaches back. */
function beyondTheChart(current: StatusSnapshot, window: { end: number; projectionBeyond: boolean; deadlineBeyond: boolean }): string {
  const notes: string[] = [];
  const end = projectionEnd(current, Date.parse(current.generatedAt));
  if (window.projectionBeyond && end !== undefined) notes.push(`the projection reaches 0 on ${isoDay(end)}`);
  if (window.deadlineBeyond && current.deadline !== null) notes.push(`the deadline is ${isoDay(Date.parse(current.deadline.date))}`);
  if (notes.length === 0) return '';
  return `<p class="note">Beyond the right edge (${isoDay(window.end)}): ${notes.join(' and ')}. The chart looks at most twice as far ahead as the history reaches back, so the history keeps a third of the width.</p>\n`;
}

function statesSummary(runs: readonly StatusRun[]): string {
  const last = runs[runs.length - 1];
  if (last === undefined) return '';
  const failed = last.failed === null ? '' : `, ${n(last.failed)} failed`;
  return `At the latest status run (${isoMinute(last.t)} UTC): ${n(last.migrated)} migrated, ${n(last.pending)} pending${failed}, of ${n(last.users)} users; ${runs.length} run${runs.length === 1 ? '' : 's'} drawn.`;
}

function perDaySummary(days: readonly MarkDay[]): string {
  const first = days[0];
  const last = days[days.length - 1];
  if (first === undefined || last === undefined) return '';
  const total = days.reduce((sum, day) => sum + day.migrations, 0);
  const busiest = days.reduce((best, day) => (day.migrations > best.migrations ? day : best), first);
  const idle = days.filter((day) => day.migrations === 0).map((day) => day.date);
  const idleText =
    idle.length === 0
      ? 'Every day had migrations.'
      : `${idle.length} day${idle.length === 1 ? '' : 's'} without any: ${idle.slice(0, MAX_NAMED_DAYS).join(', ')}${idle.length > MAX_NAMED_DAYS ? ` and ${idle.length - MAX_NAMED_DAYS} more` : ''}.`;
  return `${n(total)} migrations over ${days.length} day${days.length === 1 ? '' : 's'}, ${first.date} to ${last.date}; most on ${busiest.date} (${n(busiest.migrations)}). ${idleText}`;
}

function dataTables(runs: readonly StatusRun[], days: readonly MarkDay[]): string {
  const runRows = runs
    .map((run) => `<tr><td>${isoMinute(run.t)}</td><td>${n(run.users)}</td><td>${n(run.migrated)}</td><td>${n(run.pending)}</td><td>${run.failed === null ? '' : n(run.failed)}</td><td>${n(run.legacyMarked)}</td></tr>`)
    .join('\n');
  const dayRows = days.map((day) => `<tr><td>${day.date}</td><td>${n(day.migrations)}</td><td>${n(day.notMarkedAtEnd)}</td></tr>`).join('\n');
  return `<h2>Data</h2>
<details><summary>Status runs (${runs.length})</summary><div class="scroll"><table class="data" id="runs">
<thead><tr><th scope="col">Run (UTC)</th><th scope="col">Users</th><th scope="col">Migrated</th><th scope="col">Pending</th><th scope="col">Failed</th><th scope="col">Legacy marks</th></tr></thead>
<tbody>
${runRows}
</tbody></table></div></details>
<details><summary>Migrations per day (${days.length} day${days.length === 1 ? '' : 's'})</summary><div class="scroll"><table class="data" id="days">
<thead><tr><th scope="col">Day (UTC)</th><th scope="col">Migrations</th><th scope="col">Legacy not marked, end of day</th></tr></thead>
<tbody>
${dayRows}
</tbody></table></div></details>`;
}

function summaryRows(current: StatusSnapshot): Array<[string, string]> {
  const t = current.totals;
  const projected = t.users === 0 ? 'none: no users found' : current.eta.remaining === 0 ? 'done: nobody is pending' : current.eta.date === null ? 'no migrations in the last 7 days: no projection' : `${current.eta.date.slice(0, 10)} (${current.eta.days} days)`;
  const rows: Array<[string, string]> = [
    ['Users to migrate', n(t.users)],
    ['Migrated (flag false)', `${n(t.migrated)} (${t.percentMigrated} %)`],
    ['Pending (flag true)', `${n(t.pending)} (${t.percentPending} %)`],
    ['Failed (no flagged External ID user)', `${n(t.failed)} (${t.percentFailed} %)`],
    ['Legacy store marks', `${n(current.legacy.migrated)} of ${n(current.legacy.total)} (${current.legacy.percentMigrated} %)`],
    ['Superseded legacy records', `${n(current.legacy.superseded ?? 0)}: ${SUPERSEDED_MEANING}`],
    ['Rate', `${current.rate.last24Hours} in the last 24 h; ${current.rate.perDay} a day over the last 7 days`],
    ['Projected end', projected],
  ];
  if (current.deadline !== null) {
    const d = current.deadline;
    rows.push(['Deadline', `${d.date.slice(0, 10)}: ${d.onTrack ? 'on track' : `${n(d.projectedRemaining)} projected to remain (they will need a password reset)`}`]);
  }
  if (current.drift.reconcileSuggested) rows.push(['Drift', `${driftText(current.drift)}: run jitmigrate reconcile`]);
  return rows;
}

/** Counts only: the page may be mailed, so it names nobody. */
function driftText(drift: StatusSnapshot['drift']): string {
  const { flagClearedWithoutLegacyMark: cleared, legacyMarkWithFlagTrue: marked } = drift;
  if (cleared === undefined || marked === undefined) return `legacy marks minus Graph migrated = ${drift.legacyMinusGraphMigrated}`;
  return `${n(cleared.count)} flag(s) cleared without a legacy mark, ${n(marked.count)} legacy mark(s) with the flag still true`;
}

function page(current: StatusSnapshot, warnings: readonly string[], sections: readonly string[], data: string): string {
  const table = summaryRows(current)
    .map(([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('\n');
  const alerts = warnings.map((warning) => `<p class="warning" role="alert"><strong>Check the inputs.</strong> ${escapeHtml(warning)}</p>`).join('\n');
  // The wide rendering needs its full width plus the page margins; below that the narrow one is drawn at 1:1.
  const breakpoint = CHART_PIXELS.wide + 40;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>JIT migration progress ${escapeHtml(current.generatedAt.slice(0, 10))}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 16px; color: #1b1b1b; max-width: ${CHART_PIXELS.wide}px; }
h1 { font-size: 1.5em; margin: 0 0 8px; }
code { overflow-wrap: anywhere; }
h2 { font-size: 1.2em; margin: 28px 0 6px; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 4px 12px 4px 0; vertical-align: top; }
th { font-weight: 600; }
table.data td { font-variant-numeric: tabular-nums; white-space: nowrap; }
table.data td + td { text-align: right; }
table.data th { border-bottom: 1px solid #bbb; vertical-align: bottom; }
.scroll { overflow-x: auto; }
figure { margin: 8px 0 4px; }
figcaption { color: #444; font-size: 0.93em; margin-top: 2px; }
.chart svg { display: block; max-width: 100%; height: auto; }
.narrow { display: none; }
@media (max-width: ${breakpoint}px) { .wide { display: none; } .narrow { display: block; } }
.key { padding-left: 0; list-style: none; margin: 4px 0; }
.key li { margin: 2px 0; }
.swatch { display: inline-block; width: 20px; height: 3px; vertical-align: middle; margin-right: 6px; }
.migrated { color: ${COLORS.migrated}; } .pending { color: ${COLORS.pending}; } .failed { color: ${COLORS.failed}; }
.warning { border: 2px solid ${COLORS.failed}; background: #fdf3f4; padding: 8px 12px; overflow-wrap: anywhere; }
.note { color: #444; }
details { margin: 6px 0; }
summary { cursor: pointer; }
</style>
</head>
<body>
<h1>JIT migration progress</h1>
<p>Generated ${escapeHtml(isoMinute(Date.parse(current.generatedAt)))} UTC for <code>${escapeHtml(current.migrationProperty)}</code>. All times and days on this page are UTC. Counts from Microsoft Graph are eventually consistent.</p>
${alerts}
<table class="summary">
${table}
</table>
${sections.join('\n')}
${data}
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
