/**
 * One status snapshot: Graph's flag counts, the legacy store's marks, optionally the provisioning error
 * report, combined by progress.ts. Read-only.
 */
import type { GraphClient } from '../../../lib/graph';
import { findDrift, LegacyMarkSet, type DriftedUsers } from './drift';
import { flagCounterFor, type FlagCounter } from './flagCounter';
import { findUsersByIdentity, usersWithFlag } from './graphUsers';
import type { LegacyStore } from './legacyStore';
import type { MigrationProperty } from './migrationProperty';
import { buildSnapshot, summarizeMarks, SUPERSEDED_MEANING, type ProvisionErrorCounts, type StatusSnapshot } from './progress';
import { readProvisionErrors } from './provisionErrors';

export interface StatusOptions {
  readonly client: GraphClient;
  /** Counts users by flag as the tenant's kind allows (flagCounter.ts); default External ID's. */
  readonly counter?: FlagCounter;
  readonly store: LegacyStore;
  readonly property: MigrationProperty;
  readonly domain?: string;
  readonly provisionErrorsFile?: string;
  readonly deadline?: Date;
  readonly now: Date;
}

export interface StatusResult {
  readonly snapshot: StatusSnapshot;
  readonly migratedPerDay: ReadonlyMap<string, number>;
  /** Things the operator should know that are not numbers. */
  readonly notes: readonly string[];
}

export async function collectStatus(options: StatusOptions): Promise<StatusResult> {
  const { client, store, property, now } = options;
  const legacyMarks = new LegacyMarkSet(store);
  const [graph, legacy] = await Promise.all([(options.counter ?? flagCounterFor(client, 'externalId')).countByFlag(property), summarizeMarks(store.kind, legacyMarks.collect(store.marks()), now, () => store.unreadable)]);
  await legacyMarks.confirmNoRepeats(store.marks());
  const listing = { domain: options.domain };
  const drift = await findDrift(legacyMarks, usersWithFlag(client, property, false, listing), usersWithFlag(client, property, true, listing));
  const notes: string[] = [];
  let provisionErrors: ProvisionErrorCounts | undefined;
  if (options.provisionErrorsFile !== undefined) {
    const errors = await readProvisionErrors(options.provisionErrorsFile);
    if (errors.skipped > 0) notes.push(`${errors.skipped} line(s) of ${options.provisionErrorsFile} are not error report entries and were skipped`);
    let stillMissing: number | null = null;
    if (options.domain !== undefined) {
      const found = await findUsersByIdentity(client, errors.failedUsernames, options.domain);
      stillMissing = [...found.values()].filter((id) => id === undefined).length;
    } else {
      notes.push('pass --domain to check which users of the provisioning error report still have no External ID user');
    }
    provisionErrors = { failed: errors.failed, notFlagged: errors.notFlagged, stillMissing, byCode: errors.byCode };
  }
  if (drift.flagClearedNotInLegacyStore > 0) notes.push(`${drift.flagClearedNotInLegacyStore} user(s) with the flag false have no legacy record, so no mark to compare (reconcile cannot mark them)`);
  if (drift.withoutLocalIdentity > 0) notes.push(`${drift.withoutLocalIdentity} flagged user(s) have no local identity${options.domain === undefined ? '' : ` issued by ${options.domain}`} and were not compared with the legacy store`);
  if (legacy.unreadable > 0) notes.push(`${legacy.unreadable} legacy entit${legacy.unreadable === 1 ? 'y has' : 'ies have'} no username and were not counted`);
  const snapshot = buildSnapshot({ now, migrationProperty: property.name, graph, legacy, provisionErrors, deadline: options.deadline, drift });
  return { snapshot, migratedPerDay: legacy.migratedPerDay, notes };
}

const NUMBER = new Intl.NumberFormat('en-US');

export function formatStatus(snapshot: StatusSnapshot, notes: readonly string[] = []): string {
  const t = snapshot.totals;
  const n = (value: number) => NUMBER.format(value);
  const lines = [
    `JIT migration status at ${snapshot.generatedAt} (${snapshot.migrationProperty})`,
    `  users to migrate   ${n(t.users)}`,
    `  migrated           ${n(t.migrated)} (${t.percentMigrated} %)   External ID flag false`,
    `  pending            ${n(t.pending)} (${t.percentPending} %)   flag true: the next sign-in migrates them`,
    `  failed             ${n(t.failed)} (${t.percentFailed} %)   legacy records without a flagged External ID user (not provisioned)`,
    `  legacy store       ${n(snapshot.legacy.migrated)} of ${n(snapshot.legacy.total)} marked migrated (${snapshot.legacy.percentMigrated} %, ${snapshot.legacy.store})`,
    `  superseded         ${n(snapshot.legacy.superseded ?? 0)} legacy record(s): ${SUPERSEDED_MEANING}`,
    `  rate               ${n(snapshot.rate.last24Hours)} in the last 24 h, ${snapshot.rate.perDay} a day over the last 7 days`,
    `  projected end      ${projection(snapshot)}`,
  ];
  if (snapshot.deadline !== null) {
    const d = snapshot.deadline;
    lines.push(
      `  deadline           ${d.date.slice(0, 10)} (${d.daysLeft} days): ` +
        (d.onTrack ? 'on track' : `${n(d.projectedRemaining)} projected to remain and need a password reset${d.requiredPerDay === null ? '' : `; ${d.requiredPerDay} a day would finish in time`}`),
    );
  }
  if (snapshot.provisionErrors !== null) {
    const p = snapshot.provisionErrors;
    const codes = Object.entries(p.byCode).map(([code, count]) => `${code} ${n(count)}`).join(', ');
    lines.push(
      `  provisioning       ${n(p.failed)} record(s) failed${codes === '' ? '' : ` (${codes})`}` +
        `${p.stillMissing === null ? '' : `, ${n(p.stillMissing)} still without an External ID user`}; ${n(p.notFlagged)} existed without the flag`,
    );
  }
  lines.push(...driftLines(snapshot.drift));
  for (const note of notes) lines.push(`  note: ${note}`);
  return `${lines.join('\n')}\n`;
}

function driftLines(drift: StatusSnapshot['drift']): string[] {
  const { flagClearedWithoutLegacyMark: cleared, legacyMarkWithFlagTrue: stuck } = drift;
  if (cleared === undefined || stuck === undefined) {
    // A snapshot without the set comparison: the counts are all there is.
    const difference = drift.legacyMinusGraphMigrated;
    if (difference > 0) return [`  drift              ${NUMBER.format(difference)} more marked migrated in the legacy store than in External ID: run jitmigrate reconcile`];
    if (difference < 0) return [`  drift              ${NUMBER.format(-difference)} more migrated in External ID than marked in the legacy store: run jitmigrate reconcile`];
    return [];
  }
  if (!drift.reconcileSuggested) return ['  drift              none: every flag false has a legacy mark, and no legacy mark has the flag true'];
  return [
    ...driftList(stuck, 'legacy mark(s) with the flag still true (issue #25)'),
    ...driftList(cleared, 'flag(s) false without a legacy mark'),
    '                     run jitmigrate reconcile: it fixes both',
  ];
}

function driftList(users: DriftedUsers, what: string): string[] {
  if (users.count === 0) return [];
  const names = users.usernames ?? [];
  const more = users.count - names.length;
  const listed = names.length === 0 ? '' : `: ${names.join(', ')}${more > 0 ? ` and ${NUMBER.format(more)} more` : ''}`;
  return [`  drift              ${NUMBER.format(users.count)} ${what}${listed}`];
}

/** The snapshot as a history line keeps: counts, never usernames (they would pile up in the file, one list a run). */
export function withoutDriftUsernames(snapshot: StatusSnapshot): StatusSnapshot {
  const { flagClearedWithoutLegacyMark: cleared, legacyMarkWithFlagTrue: stuck, ...counts } = snapshot.drift;
  return {
    ...snapshot,
    drift: {
      ...counts,
      ...(cleared === undefined ? {} : { flagClearedWithoutLegacyMark: { count: cleared.count } }),
      ...(stuck === undefined ? {} : { legacyMarkWithFlagTrue: { count: stuck.count } }),
    },
  };
}

function projection(snapshot: StatusSnapshot): string {
  const { eta } = snapshot;
  if (eta.remaining === 0) return 'done: nobody is pending';
  if (eta.date === null) return `${NUMBER.format(eta.remaining)} pending, no migrations in the last 7 days: no projection`;
  return `${eta.date.slice(0, 10)}, in ${eta.days} days at ${eta.perDay} a day (${NUMBER.format(eta.remaining)} pending)`;
}
