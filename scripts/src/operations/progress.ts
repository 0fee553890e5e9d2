/**
 * Migration progress as numbers: totals, percentages, the migration rate and the projected end. Pure
 * functions of counts and timestamps, so the arithmetic is tested without Graph or a store.
 *
 * Sources: Graph's flag counts say what users experience (flag true = the next sign-in still calls the
 * function); the legacy store's `migratedAt` marks are the only timestamps (Graph keeps no flag-change time),
 * so the rate comes from them.
 */
import type { MigrationMark } from './legacyStore';
import type { DriftedUsers, DriftFindings } from './drift';
import type { FlagCounts } from './graphUsers';

export const STATUS_SCHEMA = 'jitmigrate.status/1';
/** What `legacy.superseded` means, for every place that prints it. */
export const SUPERSEDED_MEANING = 'a password set in Entra replaced the legacy one; jitmigrate reconcile clears their flags';
const DAY_MS = 86_400_000;

export interface LegacySummary {
  readonly store: 'table' | 'file';
  readonly total: number;
  readonly migrated: number;
  /** Marked migrated without a readable `migratedAt` (not in the rate). */
  readonly migratedWithoutTimestamp: number;
  readonly unreadable: number;
  /** Records with `supersededAt`: a password set in Entra replaced the legacy one (the function refused the old one). */
  readonly superseded: number;
  /** Migrations per UTC day (`YYYY-MM-DD`), for the chart. */
  readonly migratedPerDay: ReadonlyMap<string, number>;
  readonly last24Hours: number;
  readonly last7Days: number;
  readonly firstMigratedAt?: string;
}

export async function summarizeMarks(store: 'table' | 'file', marks: AsyncIterable<MigrationMark>, now: Date, unreadable: () => number = () => 0): Promise<LegacySummary> {
  let total = 0;
  let migrated = 0;
  let migratedWithoutTimestamp = 0;
  let superseded = 0;
  let last24Hours = 0;
  let last7Days = 0;
  let first: number | undefined;
  const perDay = new Map<string, number>();
  const nowMs = now.getTime();
  for await (const mark of marks) {
    total++;
    if (mark.supersededAt !== undefined) superseded++;
    if (!mark.migrated) continue;
    migrated++;
    const at = mark.migratedAt === undefined ? Number.NaN : Date.parse(mark.migratedAt);
    if (Number.isNaN(at)) {
      migratedWithoutTimestamp++;
      continue;
    }
    const day = new Date(at).toISOString().slice(0, 10);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    first = first === undefined ? at : Math.min(first, at);
    if (at <= nowMs && nowMs - at < DAY_MS) last24Hours++;
    if (at <= nowMs && nowMs - at < 7 * DAY_MS) last7Days++;
  }
  return {
    store,
    total,
    migrated,
    migratedWithoutTimestamp,
    unreadable: unreadable(),
    superseded,
    migratedPerDay: new Map([...perDay].sort(([a], [b]) => a.localeCompare(b))),
    last24Hours,
    last7Days,
    ...(first === undefined ? {} : { firstMigratedAt: new Date(first).toISOString() }),
  };
}

/** From `--provision-errors`: what provisioning could not do (see provisionErrors.ts). */
export interface ProvisionErrorCounts {
  readonly failed: number;
  readonly notFlagged: number;
  /** Failed users that still have no External ID user; null when not looked up (no --domain). */
  readonly stillMissing: number | null;
  readonly byCode: Readonly<Record<string, number>>;
}

export interface StatusSnapshot {
  readonly schema: typeof STATUS_SCHEMA;
  readonly generatedAt: string;
  readonly migrationProperty: string;
  readonly totals: {
    readonly users: number;
    readonly migrated: number;
    readonly pending: number;
    readonly failed: number;
    readonly percentMigrated: number;
    readonly percentPending: number;
    readonly percentFailed: number;
  };
  readonly graph: { readonly pending: number; readonly migrated: number };
  readonly legacy: {
    readonly store: 'table' | 'file';
    readonly total: number;
    readonly migrated: number;
    readonly migratedWithoutTimestamp: number;
    readonly unreadable: number;
    readonly percentMigrated: number;
    /** Records marked superseded (SUPERSEDED_MEANING). Added within schema /1, so older history lines lack it. */
    readonly superseded?: number;
  };
  readonly drift: {
    /** Counts only: two opposite errors cancel out here, so the lists below decide. */
    readonly legacyMinusGraphMigrated: number;
    readonly reconcileSuggested: boolean;
    /** Set comparisons (drift.ts); added within schema /1, so older history lines lack them. */
    readonly flagClearedWithoutLegacyMark?: DriftedUsers;
    readonly legacyMarkWithFlagTrue?: DriftedUsers;
  };
  readonly provisionErrors: ProvisionErrorCounts | null;
  readonly rate: { readonly basis: 'legacy.migratedAt'; readonly last24Hours: number; readonly last7Days: number; readonly perDay: number };
  readonly eta: { readonly remaining: number; readonly perDay: number; readonly days: number | null; readonly date: string | null };
  readonly deadline: {
    readonly date: string;
    readonly daysLeft: number;
    readonly projectedRemaining: number;
    readonly requiredPerDay: number | null;
    readonly onTrack: boolean;
  } | null;
}

export interface SnapshotInput {
  readonly now: Date;
  readonly migrationProperty: string;
  readonly graph: FlagCounts;
  readonly legacy: LegacySummary;
  readonly provisionErrors?: ProvisionErrorCounts;
  readonly deadline?: Date;
  /** The set comparison; without it drift falls back to the counts. */
  readonly drift?: DriftFindings;
}

export function buildSnapshot(input: SnapshotInput): StatusSnapshot {
  const { graph, legacy, now } = input;
  const flagged = graph.pending + graph.migrated;
  // The population: every legacy record, or every flagged user if Graph somehow has more.
  const users = Math.max(legacy.total, flagged);
  const failed = users - flagged;
  const perDay = migrationsPerDay(legacy, now);
  const eta = projectEnd(graph.pending, perDay, now);
  const drift = legacy.migrated - graph.migrated;
  return {
    schema: STATUS_SCHEMA,
    generatedAt: now.toISOString(),
    migrationProperty: input.migrationProperty,
    totals: {
      users,
      migrated: graph.migrated,
      pending: graph.pending,
      failed,
      percentMigrated: percent(graph.migrated, users),
      percentPending: percent(graph.pending, users),
      percentFailed: percent(failed, users),
    },
    graph: { pending: graph.pending, migrated: graph.migrated },
    legacy: {
      store: legacy.store,
      total: legacy.total,
      migrated: legacy.migrated,
      migratedWithoutTimestamp: legacy.migratedWithoutTimestamp,
      unreadable: legacy.unreadable,
      percentMigrated: percent(legacy.migrated, legacy.total),
      superseded: legacy.superseded,
    },
    drift: driftOf(drift, input.drift),
    provisionErrors: input.provisionErrors ?? null,
    rate: { basis: 'legacy.migratedAt', last24Hours: legacy.last24Hours, last7Days: legacy.last7Days, perDay },
    eta,
    deadline: input.deadline === undefined ? null : deadlineOutlook(input.deadline, graph.pending, perDay, now),
  };
}

function driftOf(legacyMinusGraphMigrated: number, sets: DriftFindings | undefined): StatusSnapshot['drift'] {
  if (sets === undefined) return { legacyMinusGraphMigrated, reconcileSuggested: legacyMinusGraphMigrated !== 0 };
  const { flagClearedWithoutLegacyMark, legacyMarkWithFlagTrue } = sets;
  return {
    legacyMinusGraphMigrated,
    reconcileSuggested: flagClearedWithoutLegacyMark.count + legacyMarkWithFlagTrue.count > 0,
    flagClearedWithoutLegacyMark,
    legacyMarkWithFlagTrue,
  };
}

/**
 * The average over the last 7 days, or over the time since the first migration when that is shorter (but at
 * least a day, so ten minutes of traffic do not extrapolate into a flood).
 */
export function migrationsPerDay(legacy: Pick<LegacySummary, 'last7Days' | 'firstMigratedAt'>, now: Date): number {
  if (legacy.last7Days === 0 || legacy.firstMigratedAt === undefined) return 0;
  const sinceFirst = (now.getTime() - Date.parse(legacy.firstMigratedAt)) / DAY_MS;
  const days = Math.min(7, Math.max(1, sinceFirst));
  return round(legacy.last7Days / days, 2);
}

export function projectEnd(remaining: number, perDay: number, now: Date): StatusSnapshot['eta'] {
  if (remaining === 0) return { remaining, perDay, days: 0, date: now.toISOString() };
  if (perDay <= 0) return { remaining, perDay, days: null, date: null };
  const days = remaining / perDay;
  return { remaining, perDay, days: round(days, 1), date: new Date(now.getTime() + days * DAY_MS).toISOString() };
}

function deadlineOutlook(deadline: Date, remaining: number, perDay: number, now: Date): NonNullable<StatusSnapshot['deadline']> {
  const daysLeft = (deadline.getTime() - now.getTime()) / DAY_MS;
  const projectedRemaining = Math.max(0, Math.ceil(remaining - perDay * Math.max(0, daysLeft)));
  return {
    date: deadline.toISOString(),
    daysLeft: round(daysLeft, 1),
    projectedRemaining,
    requiredPerDay: daysLeft > 0 ? round(remaining / daysLeft, 2) : null,
    onTrack: projectedRemaining === 0,
  };
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : round((100 * part) / whole, 1);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
