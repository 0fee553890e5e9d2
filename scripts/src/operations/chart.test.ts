import { escapeHtml, populationWarnings, renderProgressPage, type ProgressPageInput } from './chart';
import { DAY_MS } from './chartData';
import { buildSnapshot, type LegacySummary, type StatusSnapshot } from './progress';

const NOW = new Date('2026-06-15T14:30:00Z');
const PROPERTY = 'extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated';

interface Population {
  readonly total: number;
  /** Legacy records without a flagged External ID user. */
  readonly failed?: number;
  readonly perDay?: ReadonlyMap<string, number>;
  readonly deadline?: Date;
}

/** A snapshot at `at` whose legacy marks are the per-day counts up to that time (Graph agreeing with them). */
function snapshot(at: Date, population: Population): StatusSnapshot {
  const perDay = new Map([...(population.perDay ?? new Map<string, number>())].filter(([day]) => Date.parse(`${day}T00:00:00Z`) <= at.getTime()));
  const migrated = [...perDay.values()].reduce((sum, count) => sum + count, 0);
  const last7Days = [...perDay].filter(([day]) => at.getTime() - Date.parse(`${day}T00:00:00Z`) < 7 * DAY_MS).reduce((sum, [, count]) => sum + count, 0);
  const first = [...perDay.keys()][0];
  const legacy: LegacySummary = {
    store: 'table',
    total: population.total,
    migrated,
    migratedWithoutTimestamp: 0,
    unreadable: 0,
    superseded: 0,
    migratedPerDay: perDay,
    last24Hours: 0,
    last7Days,
    ...(first === undefined ? {} : { firstMigratedAt: `${first}T08:00:00Z` }),
  };
  const flagged = population.total - (population.failed ?? 0);
  return buildSnapshot({ now: at, migrationProperty: PROPERTY, graph: { pending: flagged - migrated, migrated }, legacy, deadline: population.deadline });
}

/** Daily counts for `days` UTC days ending today; `idle` days have none (an outage). */
function daily(days: number, count: (index: number) => number, idle: readonly number[] = []): Map<string, number> {
  const perDay = new Map<string, number>();
  for (let index = 0; index < days; index++) {
    const day = new Date(NOW.getTime() - (days - 1 - index) * DAY_MS).toISOString().slice(0, 10);
    if (!idle.includes(index)) perDay.set(day, count(index));
  }
  return perDay;
}

/** A status run every `every` days back to `days` days ago, and the current one. */
function scenario(population: Population, days: number, every = 2): ProgressPageInput {
  const history: StatusSnapshot[] = [];
  for (let back = days; back > 0; back -= every) history.push(snapshot(new Date(NOW.getTime() - back * DAY_MS), population));
  return { current: snapshot(NOW, population), history, migratedPerDay: population.perDay ?? new Map() };
}

async function render(input: ProgressPageInput): Promise<{ html: string; warnings: string[] }> {
  const warnings: string[] = [];
  const html = await renderProgressPage({ ...input, onWarning: (message) => void warnings.push(message) });
  return { html, warnings };
}

const THIRTEEN_DAYS = { total: 2400, failed: 24, perDay: daily(13, (index) => 60 + ((index * 37) % 50), [6]), deadline: new Date(NOW.getTime() + 20 * DAY_MS) };

interface SvgText {
  readonly text: string;
  readonly x: number;
  readonly anchor: string;
  readonly fontSize: number;
  readonly visible: boolean;
  /** The `role-…` class of the nearest group that has one, and that group's number (one per axis). */
  readonly role: string;
  readonly group: number;
}

interface Svg {
  readonly rendering: 'wide' | 'narrow';
  readonly width: number;
  readonly texts: SvgText[];
}

/** Each inline SVG of the page, with its texts at absolute x positions (Vega places everything by translate). */
function svgs(html: string): Svg[] {
  return [...html.matchAll(/<div class="(wide|narrow)">(<svg[\s\S]*?<\/svg>)<\/div>/g)].map(([, rendering, svg]) => {
    const stack = [{ x: 0, role: '', group: 0 }];
    const texts: SvgText[] = [];
    let groups = 0;
    for (const [, closing, tag, attributes, content] of (svg ?? '').matchAll(/<(\/?)(g|text)\b([^>]*)>([^<]*)/g)) {
      const top = stack[stack.length - 1]!;
      if (closing === '/') {
        if (tag === 'g') stack.pop();
        continue;
      }
      const dx = Number(/transform="translate\(([-\d.e]+),/.exec(attributes ?? '')?.[1] ?? 0);
      const role = /class="[^"]*\b(role-[\w-]+)/.exec(attributes ?? '')?.[1];
      if (tag === 'g') stack.push({ x: top.x + dx, role: role ?? top.role, group: role === undefined ? top.group : ++groups });
      else {
        texts.push({
          text: content ?? '',
          x: top.x + dx,
          anchor: /text-anchor="(\w+)"/.exec(attributes ?? '')?.[1] ?? 'start',
          fontSize: Number(/font-size="([\d.]+)px"/.exec(attributes ?? '')?.[1] ?? 0),
          visible: !/opacity="0"/.test(attributes ?? ''),
          role: top.role,
          group: top.group,
        });
      }
    }
    return { rendering: rendering as Svg['rendering'], width: Number(/<svg[^>]*\bwidth="(\d+)"/.exec(svg ?? '')?.[1]), texts };
  });
}

function axisLabels(svg: Svg): Map<number, string[]> {
  const byAxis = new Map<number, string[]>();
  for (const text of svg.texts.filter((candidate) => candidate.role === 'role-axis-label' && candidate.visible)) byAxis.set(text.group, [...(byAxis.get(text.group) ?? []), text.text]);
  return byAxis;
}

describe('renderProgressPage', () => {
  it('writes a page for a phone and a screen: viewport, both renderings at 1:1, no script and nothing to fetch', async () => {
    const { html, warnings } = await render(scenario(THIRTEEN_DAYS, 13));
    expect(warnings).toEqual([]);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain("Content-Security-Policy\" content=\"default-src 'none'");
    expect(html).not.toMatch(/https?:\/\/|<script|\bsrc=|\bhref=|@import|url\(/i);
    const charts = svgs(html);
    // Three charts, each rendered wide and narrow; the narrow one fits a 390-pixel phone less the page margins.
    expect(charts.map((chart) => chart.rendering)).toEqual(['wide', 'narrow', 'wide', 'narrow', 'wide', 'narrow']);
    for (const chart of charts.filter((candidate) => candidate.rendering === 'narrow')) expect(chart.width).toBeLessThanOrEqual(390 - 2 * 16);
    expect(html).toMatch(/@media \(max-width: \d+px\) \{ \.wide \{ display: none; \} \.narrow \{ display: block; \} \}/);
    // Legible text: no label smaller than 12 px, and the SVG is never scaled down on the phone.
    for (const chart of charts) for (const text of chart.texts) expect(text.fontSize).toBeGreaterThanOrEqual(12);
  });

  it('draws a bar slot for every day, an outage day included, and names the days without migrations', async () => {
    const { html } = await render(scenario(THIRTEEN_DAYS, 13));
    const idleDay = new Date(NOW.getTime() - 6 * DAY_MS).toISOString().slice(0, 10);
    const dayRows = [...html.matchAll(/<tr><td>(\d{4}-\d{2}-\d{2})<\/td><td>([\d,]+)<\/td>/g)].map(([, day, count]) => [day, count]);
    expect(dayRows).toHaveLength(13);
    expect(dayRows[0]?.[0]).toBe(new Date(NOW.getTime() - 12 * DAY_MS).toISOString().slice(0, 10));
    expect(dayRows[12]?.[0]).toBe(NOW.toISOString().slice(0, 10));
    expect(dayRows).toContainEqual([idleDay, '0']);
    expect(html).toContain(`1 day without any: ${idleDay}.`);
    // Every day's bar is drawn, the idle one at zero height; no bar stands next to a day it does not follow.
    const perDay = html.slice(html.indexOf('<h2>Migrations per day</h2>'));
    const wideBars = /<div class="wide">[\s\S]*?<g class="mark-rect role-mark layer_0_marks"[^>]*>([\s\S]*?)<\/g>/.exec(perDay)?.[1] ?? '';
    expect(wideBars.match(/<path /g)).toHaveLength(13);
  });

  it.each([
    ['a day of history', { total: 50, perDay: daily(1, () => 5) }, 1, 0.25],
    ['13 days', THIRTEEN_DAYS, 13, 2],
    ['a year and a half', { total: 1_000_000, failed: 10_000, perDay: daily(540, (index) => 600 + (index % 7) * 50, [100, 101]) }, 540, 7],
  ])('labels the time axes at UTC calendar boundaries, each label once, inside the chart: %s', async (_name, population, days, every) => {
    const { html, warnings } = await render(scenario(population, days, every));
    expect(warnings).toEqual([]);
    for (const chart of svgs(html)) {
      for (const labels of axisLabels(chart).values()) {
        // A count axis shows at least 0 and one more value; a time axis at least one date.
        expect(labels.length).toBeGreaterThanOrEqual(labels.every((label) => /^[\d,.]+[kM]?$/.test(label)) ? 2 : 1);
        expect(labels).toEqual([...new Set(labels)]);
        for (const label of labels) expect(label).toMatch(/^(\w{3} \d{2}|\w{3} \d{4}|\d{4}|[\d,.]+[kM]?)$/);
      }
      for (const text of chart.texts.filter((candidate) => candidate.role === 'role-axis-label' && candidate.visible)) {
        // About 0.6 em a character in a sans-serif face.
        const width = 0.6 * text.fontSize * text.text.length;
        const left = text.anchor === 'middle' ? text.x - width / 2 : text.anchor === 'end' ? text.x - width : text.x;
        expect(left).toBeGreaterThanOrEqual(0);
        expect(left + width).toBeLessThanOrEqual(chart.width);
      }
    }
    expect(html).toContain('Date (UTC)');
    expect(html).toContain('All times and days on this page are UTC');
  });

  it('keeps a third of the width for the history when the projection is years away, and says where it ends', async () => {
    const slow = { total: 1_000_000, failed: 10_000, perDay: daily(13, () => 1500) };
    const { html } = await render(scenario(slow, 13));
    expect(html).toMatch(/Beyond the right edge \(2026-07-\d{2}\): the projection reaches 0 on 2028-\d{2}-\d{2}/);
    for (const chart of svgs(html).slice(0, 2)) {
      const now = chart.texts.find((text) => text.text === 'now' && text.role === 'role-mark');
      const xAxis = [...axisLabels(chart).values()][0] ?? [];
      expect(now).toBeDefined();
      expect((now?.x ?? 0) / chart.width).toBeGreaterThan(1 / 3);
      expect(xAxis.join(' ')).not.toMatch(/2027|2028/);
    }
  });

  it('says that the two burn-down lines count different populations', async () => {
    const { html } = await render(scenario(THIRTEEN_DAYS, 13));
    expect(html).toContain('Two counts of different populations');
    expect(html).toMatch(/External ID users whose flag is still true/);
    expect(html).toMatch(/legacy records without a migration mark[^<]*<code>migratedAt<\/code>[^<]*It also counts the users never provisioned \(failed\): 24 now\./);
  });

  it('draws migrated, pending and failed at each status run, and lists every run in a table', async () => {
    const input = scenario(THIRTEEN_DAYS, 13);
    const { html } = await render(input);
    const states = svgs(html)[2];
    expect(states?.texts.filter((text) => text.role === 'role-legend-label').map((text) => text.text)).toEqual(['migrated', 'pending', 'failed']);
    const t = input.current.totals;
    expect(html).toContain(`<tr><td>2026-06-15 14:30</td><td>2,400</td><td>${t.migrated.toLocaleString('en-US')}</td><td>${t.pending.toLocaleString('en-US')}</td><td>24</td><td>${input.current.legacy.migrated.toLocaleString('en-US')}</td></tr>`);
    expect(html.match(/<tr><td>\d{4}-\d{2}-\d{2} \d{2}:\d{2}<\/td>/g)).toHaveLength(input.history.length + 1);
  });

  it('gives each chart a text alternative that states its values', async () => {
    const { html } = await render(scenario(THIRTEEN_DAYS, 13));
    const labels = [...html.matchAll(/<div class="chart" role="img" aria-label="([^"]+)">/g)].map(([, label]) => label ?? '');
    expect(labels).toHaveLength(3);
    expect(labels[0]).toMatch(/^External ID users with the flag true went from [\d,]+ on 2026-06-02 14:30 UTC to [\d,]+ now \(8 status runs\)\./);
    expect(labels[1]).toMatch(/At the latest status run \(2026-06-15 14:30 UTC\): [\d,]+ migrated, [\d,]+ pending, 24 failed, of 2,400 users/);
    expect(labels[2]).toMatch(/migrations over 13 days, 2026-06-03 to 2026-06-15; most on 2026-06-\d{2} \(\d+\)\. 1 day without any/);
    for (const label of labels) expect(html).toContain(`<figcaption>${label}</figcaption>`);
  });

  it('warns, instead of reading as done, when no users are found', async () => {
    const { html } = await render({ current: snapshot(NOW, { total: 0 }), history: [], migratedPerDay: new Map() });
    expect(html).toContain('<p class="warning" role="alert">');
    expect(html).toContain('No users found');
    expect(html).toContain('This is not a finished migration');
    expect(html).toContain('<th scope="row">Projected end</th><td>none: no users found</td>');
    expect(html).not.toMatch(/done|<svg/);
    expect(html).toContain('Nothing to draw');
  });

  it('counts drift by set comparison and names nobody (the page may be mailed)', async () => {
    const base = snapshot(NOW, { total: 10 });
    const drift = { flagClearedWithoutLegacyMark: { count: 2, usernames: ['ada@example.com', 'bob@example.com'] }, legacyMarkWithFlagTrue: { count: 1, usernames: ['cy@example.com'] } };
    const current = { ...base, drift: { legacyMinusGraphMigrated: 0, reconcileSuggested: true, ...drift } };
    const { html } = await render({ current, history: [], migratedPerDay: new Map() });
    expect(html).toContain('<th scope="row">Drift</th><td>2 flag(s) cleared without a legacy mark, 1 legacy mark(s) with the flag still true: run jitmigrate reconcile</td>');
    expect(html).not.toMatch(/ada@|bob@|cy@/);
  });

  it('escapes text from the data', async () => {
    const current = { ...snapshot(NOW, { total: 10 }), migrationProperty: 'extension_00001111aaaa2222bbbb3333cccc4444_<b>' };
    const { html } = await render({ current, history: [], migratedPerDay: new Map() });
    expect(html).toContain('_&#60;b&#62;');
    expect(html).not.toContain('_<b>');
    expect(escapeHtml(`<a href="x">'&`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;');
  });

  it('renders a first run with no migrations yet, without a projection', async () => {
    const { html, warnings } = await render({ current: snapshot(NOW, { total: 100 }), history: [], migratedPerDay: new Map() });
    expect(warnings).toEqual([]);
    expect(html).toContain('No migrations recorded');
    expect(html).toContain('No migrations in the last 7 days: no projection.');
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });
});

describe('populationWarnings', () => {
  const base = snapshot(NOW, { total: 10 });
  it('names the empty side when only one is empty, and is quiet otherwise', () => {
    const noLegacy = buildSnapshot({ now: NOW, migrationProperty: PROPERTY, graph: { pending: 5, migrated: 0 }, legacy: { store: 'file', total: 0, migrated: 0, migratedWithoutTimestamp: 0, unreadable: 0, superseded: 0, migratedPerDay: new Map(), last24Hours: 0, last7Days: 0 } });
    expect(populationWarnings(noLegacy)).toEqual([expect.stringMatching(/^The legacy store has no records, yet 5 External ID users have extension_\w+ set: check the legacy store options/)]);
    const noneFlagged = buildSnapshot({ now: NOW, migrationProperty: PROPERTY, graph: { pending: 0, migrated: 0 }, legacy: { store: 'file', total: 10, migrated: 0, migratedWithoutTimestamp: 0, unreadable: 0, superseded: 0, migratedPerDay: new Map(), last24Hours: 0, last7Days: 0 } });
    expect(populationWarnings(noneFlagged)).toEqual([expect.stringMatching(/^No External ID user has extension_\w+ set, though the legacy store has 10 records/)]);
    expect(populationWarnings(base)).toEqual([]);
  });
});
