/**
 * Reconcile Graph's migration flags with the legacy store's marks, in both directions (plan: reconcilePlan.ts).
 * Both user sets are read and planned before anything changes, so paging is never disturbed by our own
 * writes and a dry run shows exactly what a real run would do. Flag PATCHes go 20 to a `$batch`; the client
 * retries throttled items after their Retry-After (learn.microsoft.com/graph/json-batching,
 * learn.microsoft.com/graph/throttling). Every step is idempotent: a second run finds nothing to fix.
 */
import { graphErrorForBatchItem, MAX_BATCH_REQUESTS, type BatchRequest, type GraphClient } from '../../../lib/graph';
import { canReadPasswordChanges, usersWithFlag, type DirectoryUser } from './graphUsers';
import { indexLegacyStore, type LegacyStore, type MigrationMark } from './legacyStore';
import type { MigrationProperty } from './migrationProperty';
import { planMigratedUser, planPendingUser, type Step } from './reconcilePlan';
import type { ReportWriter } from './reports';

export const RECONCILE_SCHEMA = 'jitmigrate.reconcile/1';
/** Legacy marks in flight at once: enough to hide Table latency, few enough not to be throttled. */
const MARK_CONCURRENCY = 8;

export interface ReconcileReportRow {
  readonly [column: string]: string | null;
  readonly at: string;
  readonly action: 'clear-flag' | 'mark-legacy' | 'skip';
  /** `planned` in a dry run. */
  readonly outcome: 'fixed' | 'planned' | 'failed' | 'skipped';
  readonly userId: string;
  readonly username: string | null;
  readonly evidence: string | null;
  readonly migratedAt: string | null;
  readonly reason: string | null;
  readonly error: string | null;
  // With --b2c-object-id-property, also `b2cObjectId` (string or null): the user's B2C object id.
}

export const RECONCILE_REPORT_COLUMNS = ['at', 'action', 'outcome', 'userId', 'username', 'evidence', 'migratedAt', 'reason', 'error'] as const;
/** The columns with `--b2c-object-id-property`. */
export const RECONCILE_REPORT_COLUMNS_WITH_B2C = [...RECONCILE_REPORT_COLUMNS, 'b2cObjectId'] as const;

export interface ReconcileOptions {
  readonly client: GraphClient;
  readonly store: LegacyStore;
  readonly property: MigrationProperty;
  readonly domain?: string;
  readonly dryRun: boolean;
  readonly usePasswordChanges: boolean;
  /** Carry each user's B2C object id (read from this extension property) in the report. */
  readonly b2cObjectIdProperty?: string;
  readonly report?: ReportWriter<ReconcileReportRow>;
  readonly now: () => Date;
}

export interface ReconcileSummary {
  readonly schema: typeof RECONCILE_SCHEMA;
  readonly generatedAt: string;
  readonly dryRun: boolean;
  /** Whether Graph returned lastPasswordChangeDateTime (then it is evidence and the legacy timestamp). */
  readonly passwordChangesReadable: boolean;
  readonly scanned: { readonly pending: number; readonly migrated: number; readonly legacyRecords: number };
  /** Fixed, or planned in a dry run. `legacySuperseded`: the function marked the record superseded (reconcilePlan.ts). */
  readonly flagsCleared: { readonly legacyMigrated: number; readonly legacySuperseded: number; readonly passwordChanged: number };
  readonly legacyMarked: number;
  readonly failures: number;
  readonly skipped: {
    readonly noLocalIdentity: number;
    /** Flag true and no legacy record: they can never migrate just in time and will need a password reset. */
    readonly pendingNotInLegacyStore: number;
    readonly migratedNotInLegacyStore: number;
  };
}

export async function reconcile(options: ReconcileOptions): Promise<ReconcileSummary> {
  const { client, store, property, domain } = options;
  const legacy = await indexLegacyStore(store);
  const passwordChangesReadable = await canReadPasswordChanges(client);
  const listOptions = { domain, readPasswordChanges: passwordChangesReadable, b2cObjectIdProperty: options.b2cObjectIdProperty };
  const plan = { usePasswordChanges: options.usePasswordChanges };

  const steps: Step[] = [];
  let pending = 0;
  let migrated = 0;
  for await (const user of usersWithFlag(client, property, true, listOptions)) {
    pending++;
    steps.push(...planPendingUser(user, lookup(legacy, user), plan));
  }
  for await (const user of usersWithFlag(client, property, false, listOptions)) {
    migrated++;
    steps.push(...planMigratedUser(user, lookup(legacy, user)));
  }

  const tally = new Tally();
  const record = async (step: Step, outcome: ReconcileReportRow['outcome'], details: { error?: string; migratedAt?: string } = {}) => {
    tally.count(step, outcome);
    const row = reportRow(step, outcome, options.now(), details);
    await options.report?.write(options.b2cObjectIdProperty === undefined ? row : { ...row, b2cObjectId: step.user.b2cObjectId ?? null });
  };

  for (const step of steps) if (step.kind === 'skip') await record(step, 'skipped');
  const clears = steps.filter((step): step is Extract<Step, { kind: 'clear-flag' }> => step.kind === 'clear-flag');
  const flagNotCleared = new Set<string>();
  for (let start = 0; start < clears.length; start += MAX_BATCH_REQUESTS) {
    const chunk = clears.slice(start, start + MAX_BATCH_REQUESTS);
    if (options.dryRun) {
      for (const step of chunk) await record(step, 'planned');
      continue;
    }
    const results = await clearFlags(client, property, chunk.map((step) => step.user));
    for (const [index, step] of chunk.entries()) {
      const error = results[index];
      if (error !== undefined) flagNotCleared.add(step.user.id);
      await record(step, error === undefined ? 'fixed' : 'failed', { error });
    }
  }

  const marks = steps.filter((step): step is Extract<Step, { kind: 'mark-legacy' }> => step.kind === 'mark-legacy');
  await forEachConcurrently(marks, MARK_CONCURRENCY, async (step) => {
    if (options.dryRun) return record(step, 'planned', { migratedAt: step.migratedAt });
    if (step.afterFlagCleared && flagNotCleared.has(step.user.id)) return record(step, 'failed', { error: 'not marked because clearing the flag failed: run reconcile again' });
    const migratedAt = step.migratedAt === undefined ? options.now() : new Date(step.migratedAt);
    try {
      await store.markMigrated(step.username, migratedAt);
      await record(step, 'fixed', { migratedAt: migratedAt.toISOString() });
    } catch (error) {
      await record(step, 'failed', { error: error instanceof Error ? error.message : String(error) });
    }
  });

  return {
    schema: RECONCILE_SCHEMA,
    generatedAt: options.now().toISOString(),
    dryRun: options.dryRun,
    passwordChangesReadable,
    scanned: { pending, migrated, legacyRecords: legacy.size },
    ...tally.summary(),
  };
}

function lookup(legacy: ReadonlyMap<string, MigrationMark>, user: DirectoryUser): MigrationMark | undefined {
  return user.username === undefined ? undefined : legacy.get(user.username);
}

/**
 * PATCHes the flag to false, 20 users to a `$batch` (user-update: 204 No Content). Returns each user's error
 * message, or undefined when it succeeded. A failure of the whole batch (token, permission, network) throws:
 * it would fail every other batch the same way.
 */
async function clearFlags(client: GraphClient, property: MigrationProperty, users: readonly DirectoryUser[]): Promise<Array<string | undefined>> {
  const requests: BatchRequest[] = users.map((user, index) => ({
    id: String(index),
    method: 'PATCH',
    url: `/users/${encodeURIComponent(user.id)}`,
    body: { [property.name]: false },
  }));
  const responses = await client.batch(requests);
  return responses.map((response, index) => {
    if (response.status >= 200 && response.status < 300) return undefined;
    return graphErrorForBatchItem(requests[index] as BatchRequest, response).message;
  });
}

function reportRow(step: Step, outcome: ReconcileReportRow['outcome'], at: Date, details: { error?: string; migratedAt?: string }): ReconcileReportRow {
  return {
    at: at.toISOString(),
    action: step.kind,
    outcome,
    userId: step.user.id,
    username: step.user.username ?? null,
    evidence: step.kind === 'skip' ? null : step.evidence,
    migratedAt: details.migratedAt ?? null,
    reason: step.kind === 'skip' ? step.reason : null,
    error: details.error ?? null,
  };
}

class Tally {
  private legacyMigrated = 0;
  private legacySuperseded = 0;
  private passwordChanged = 0;
  private legacyMarked = 0;
  private failures = 0;
  private noLocalIdentity = 0;
  private pendingNotInLegacyStore = 0;
  private migratedNotInLegacyStore = 0;

  count(step: Step, outcome: ReconcileReportRow['outcome']): void {
    if (outcome === 'failed') {
      this.failures++;
      return;
    }
    if (step.kind === 'clear-flag') {
      if (step.evidence === 'legacy-migrated') this.legacyMigrated++;
      else if (step.evidence === 'legacy-superseded') this.legacySuperseded++;
      else this.passwordChanged++;
    } else if (step.kind === 'mark-legacy') {
      this.legacyMarked++;
    } else if (step.reason === 'no-local-identity') {
      this.noLocalIdentity++;
    } else if (step.flag) {
      this.pendingNotInLegacyStore++;
    } else {
      this.migratedNotInLegacyStore++;
    }
  }

  summary(): Pick<ReconcileSummary, 'flagsCleared' | 'legacyMarked' | 'failures' | 'skipped'> {
    return {
      flagsCleared: { legacyMigrated: this.legacyMigrated, legacySuperseded: this.legacySuperseded, passwordChanged: this.passwordChanged },
      legacyMarked: this.legacyMarked,
      failures: this.failures,
      skipped: { noLocalIdentity: this.noLocalIdentity, pendingNotInLegacyStore: this.pendingNotInLegacyStore, migratedNotInLegacyStore: this.migratedNotInLegacyStore },
    };
  }
}

async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
