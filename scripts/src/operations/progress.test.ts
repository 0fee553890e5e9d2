import type { MigrationMark } from './legacyStore';
import { buildSnapshot, migrationsPerDay, projectEnd, summarizeMarks, type LegacySummary } from './progress';

const NOW = new Date('2026-06-15T12:00:00Z');
const DAY = 86_400_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

async function* marks(list: MigrationMark[]): AsyncIterable<MigrationMark> {
  yield* list;
}

describe('summarizeMarks', () => {
  it('counts records, marks, the last 24 h and 7 days, and migrations per UTC day', async () => {
    const summary = await summarizeMarks(
      'file',
      marks([
        { username: 'a', migrated: true, migratedAt: ago(DAY / 2) },
        { username: 'b', migrated: true, migratedAt: ago(2 * DAY) },
        { username: 'c', migrated: true, migratedAt: ago(10 * DAY) },
        { username: 'd', migrated: true },
        { username: 'e', migrated: false },
        // Superseded: a password set in Entra replaced the legacy one, whether or not reconcile marked it since.
        { username: 'g', migrated: false, supersededAt: ago(DAY) },
        { username: 'h', migrated: true, migratedAt: ago(8 * DAY), supersededAt: ago(9 * DAY) },
        // A clock ahead of ours must not count as recent.
        { username: 'f', migrated: true, migratedAt: new Date(NOW.getTime() + DAY).toISOString() },
      ]),
      NOW,
    );
    expect(summary).toMatchObject({ store: 'file', total: 8, migrated: 6, migratedWithoutTimestamp: 1, superseded: 2, last24Hours: 1, last7Days: 2, firstMigratedAt: ago(10 * DAY) });
    expect([...summary.migratedPerDay]).toEqual([
      ['2026-06-05', 1],
      ['2026-06-07', 1],
      ['2026-06-13', 1],
      ['2026-06-15', 1],
      ['2026-06-16', 1],
    ]);
  });
});

describe('rate and projection', () => {
  it('averages over 7 days, or since the first migration when that is shorter, but at least one day', () => {
    expect(migrationsPerDay({ last7Days: 70, firstMigratedAt: ago(30 * DAY) }, NOW)).toBe(10);
    expect(migrationsPerDay({ last7Days: 30, firstMigratedAt: ago(3 * DAY) }, NOW)).toBe(10);
    expect(migrationsPerDay({ last7Days: 30, firstMigratedAt: ago(DAY / 24) }, NOW)).toBe(30);
    expect(migrationsPerDay({ last7Days: 0, firstMigratedAt: ago(DAY) }, NOW)).toBe(0);
  });

  it('projects the end at the current rate, or not at all without one', () => {
    expect(projectEnd(100, 10, NOW)).toEqual({ remaining: 100, perDay: 10, days: 10, date: '2026-06-25T12:00:00.000Z' });
    expect(projectEnd(100, 0, NOW)).toEqual({ remaining: 100, perDay: 0, days: null, date: null });
    expect(projectEnd(0, 0, NOW)).toEqual({ remaining: 0, perDay: 0, days: 0, date: NOW.toISOString() });
  });
});

describe('buildSnapshot', () => {
  const legacy: LegacySummary = {
    store: 'table',
    total: 1000,
    migrated: 420,
    migratedWithoutTimestamp: 0,
    unreadable: 0,
    superseded: 3,
    migratedPerDay: new Map(),
    last24Hours: 12,
    last7Days: 70,
    firstMigratedAt: ago(40 * DAY),
  };

  it('derives totals, percentages, failed, drift and the deadline outlook', () => {
    const snapshot = buildSnapshot({ now: NOW, migrationProperty: 'extension_x_y', graph: { pending: 570, migrated: 400 }, legacy, deadline: new Date(NOW.getTime() + 30 * DAY) });
    expect(snapshot.totals).toEqual({ users: 1000, migrated: 400, pending: 570, failed: 30, percentMigrated: 40, percentPending: 57, percentFailed: 3 });
    expect(snapshot.drift).toEqual({ legacyMinusGraphMigrated: 20, reconcileSuggested: true });
    expect(snapshot.legacy).toEqual({ store: 'table', total: 1000, migrated: 420, migratedWithoutTimestamp: 0, unreadable: 0, percentMigrated: 42, superseded: 3 });
    expect(snapshot.eta).toEqual({ remaining: 570, perDay: 10, days: 57, date: new Date(NOW.getTime() + 57 * DAY).toISOString() });
    expect(snapshot.deadline).toEqual({ date: new Date(NOW.getTime() + 30 * DAY).toISOString(), daysLeft: 30, projectedRemaining: 270, requiredPerDay: 19, onTrack: false });
  });

  it('suggests reconcile from the set comparison, even when the counts agree', () => {
    const equalCounts = { ...legacy, migrated: 400 };
    const sets = {
      flagClearedWithoutLegacyMark: { count: 1, usernames: ['bob@x.com'] },
      legacyMarkWithFlagTrue: { count: 1, usernames: ['cy@x.com'] },
      flagClearedNotInLegacyStore: 0,
      withoutLocalIdentity: 0,
    };
    const snapshot = buildSnapshot({ now: NOW, migrationProperty: 'p', graph: { pending: 570, migrated: 400 }, legacy: equalCounts, drift: sets });
    expect(snapshot.drift).toEqual({
      legacyMinusGraphMigrated: 0,
      reconcileSuggested: true,
      flagClearedWithoutLegacyMark: { count: 1, usernames: ['bob@x.com'] },
      legacyMarkWithFlagTrue: { count: 1, usernames: ['cy@x.com'] },
    });
    const none = { ...sets, flagClearedWithoutLegacyMark: { count: 0, usernames: [] }, legacyMarkWithFlagTrue: { count: 0, usernames: [] } };
    expect(buildSnapshot({ now: NOW, migrationProperty: 'p', graph: { pending: 570, migrated: 400 }, legacy, drift: none }).drift.reconcileSuggested).toBe(false);
  });

  it('never reports negative failures when Graph holds more flagged users than the legacy store', () => {
    const snapshot = buildSnapshot({ now: NOW, migrationProperty: 'p', graph: { pending: 700, migrated: 400 }, legacy });
    expect(snapshot.totals).toMatchObject({ users: 1100, failed: 0 });
  });

  it('handles an empty migration', () => {
    const empty: LegacySummary = { ...legacy, total: 0, migrated: 0, last24Hours: 0, last7Days: 0, firstMigratedAt: undefined };
    const snapshot = buildSnapshot({ now: NOW, migrationProperty: 'p', graph: { pending: 0, migrated: 0 }, legacy: empty, deadline: new Date(NOW.getTime() - DAY) });
    expect(snapshot.totals).toEqual({ users: 0, migrated: 0, pending: 0, failed: 0, percentMigrated: 0, percentPending: 0, percentFailed: 0 });
    expect(snapshot.deadline).toMatchObject({ daysLeft: -1, projectedRemaining: 0, requiredPerDay: null, onTrack: true });
  });
});
