import { DAY_MS, legacyBurnDown, markDays, projectionLine, statusRuns, timeWindow } from './chartData';
import { buildSnapshot, type LegacySummary, type StatusSnapshot } from './progress';

const NOW = new Date('2026-06-15T12:00:00Z');

function snapshot(at: Date, pending: number, legacy: Partial<LegacySummary> = {}): StatusSnapshot {
  const summary: LegacySummary = {
    store: 'file',
    total: 100,
    migrated: 100 - pending,
    migratedWithoutTimestamp: 0,
    unreadable: 0,
    superseded: 0,
    migratedPerDay: new Map(),
    last24Hours: 2,
    last7Days: 14,
    firstMigratedAt: new Date(at.getTime() - 20 * DAY_MS).toISOString(),
    ...legacy,
  };
  return buildSnapshot({ now: at, migrationProperty: 'extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated', graph: { pending, migrated: 100 - pending }, legacy: summary });
}

describe('markDays', () => {
  it('lists every UTC day from the first mark to today, a day without migrations as 0', () => {
    const current = snapshot(NOW, 80, { total: 100, migratedWithoutTimestamp: 5 });
    // An outage on the 11th and 12th, and nothing yet today (the 15th).
    const perDay = new Map([
      ['2026-06-10', 4],
      ['2026-06-13', 6],
      ['2026-06-14', 5],
    ]);
    expect(markDays(current, perDay, NOW.getTime())).toEqual([
      { date: '2026-06-10', migrations: 4, notMarkedAtEnd: 91 },
      { date: '2026-06-11', migrations: 0, notMarkedAtEnd: 91 },
      { date: '2026-06-12', migrations: 0, notMarkedAtEnd: 91 },
      { date: '2026-06-13', migrations: 6, notMarkedAtEnd: 85 },
      { date: '2026-06-14', migrations: 5, notMarkedAtEnd: 80 },
      { date: '2026-06-15', migrations: 0, notMarkedAtEnd: 80 },
    ]);
  });

  it('is empty without marks', () => {
    expect(markDays(snapshot(NOW, 100), new Map(), NOW.getTime())).toEqual([]);
  });
});

describe('legacyBurnDown', () => {
  it('starts at the first midnight and steps at each following midnight, today ending now', () => {
    const days = markDays(snapshot(NOW, 90), new Map([['2026-06-14', 10]]), NOW.getTime());
    expect(legacyBurnDown(days, NOW.getTime())).toEqual([
      { t: Date.parse('2026-06-14T00:00:00Z'), value: 100 },
      { t: Date.parse('2026-06-15T00:00:00Z'), value: 90 },
      { t: NOW.getTime(), value: 90 },
    ]);
  });
});

describe('statusRuns', () => {
  it('keeps each run once, oldest first, with migrated, pending and failed', () => {
    const earlier = snapshot(new Date(NOW.getTime() - DAY_MS), 90);
    const current = snapshot(NOW, 70);
    const runs = statusRuns([current, earlier], current);
    expect(runs.map((run) => [run.t, run.pending, run.migrated, run.failed])).toEqual([
      [NOW.getTime() - DAY_MS, 90, 10, 0],
      [NOW.getTime(), 70, 30, 0],
    ]);
  });
});

describe('timeWindow', () => {
  const now = NOW.getTime();
  const history = [now - 13 * DAY_MS, now - 5 * DAY_MS, now];

  it('gives the history at least a third of the width when the projection is years away', () => {
    const window = timeWindow(history, now, now + 3 * 365 * DAY_MS, undefined);
    expect((now - window.start) / (window.end - window.start)).toBeGreaterThanOrEqual(1 / 3);
    expect(window).toMatchObject({ start: now - 13 * DAY_MS, end: now + 26 * DAY_MS, projectionBeyond: true, deadlineBeyond: false });
  });

  it('ends at the projection or the deadline when they are near', () => {
    expect(timeWindow(history, now, now + 4 * DAY_MS, now + 20 * DAY_MS)).toEqual({ start: now - 13 * DAY_MS, end: now + 20 * DAY_MS, projectionBeyond: false, deadlineBeyond: false });
    expect(timeWindow(history, now, undefined, undefined).end).toBe(now);
  });

  it('reaches at least a day back on a first run', () => {
    const window = timeWindow([now], now, now + 30 * DAY_MS, now + 30 * DAY_MS);
    expect(window).toEqual({ start: now - DAY_MS, end: now + 2 * DAY_MS, projectionBeyond: true, deadlineBeyond: true });
  });
});

describe('projectionLine', () => {
  it('is cut where the window ends, at the value the rate gives there', () => {
    const current = snapshot(NOW, 60, { last7Days: 14 }); // 2 a day
    const now = NOW.getTime();
    const window = { start: now - 5 * DAY_MS, end: now + 5 * DAY_MS, projectionBeyond: true, deadlineBeyond: false };
    expect(projectionLine(current, now, window)).toEqual([
      { t: now, value: 60 },
      { t: now + 5 * DAY_MS, value: 50 },
    ]);
  });

  it('is empty without a rate', () => {
    const current = snapshot(NOW, 60, { last7Days: 0 });
    expect(projectionLine(current, NOW.getTime(), { start: 0, end: NOW.getTime() + DAY_MS, projectionBeyond: false, deadlineBeyond: false })).toEqual([]);
  });
});
