/** The export's tallies: every user read is counted once, as exported (by classification) or not migrated (by reason). */
import { NOT_MIGRATED_REASONS, type ClassifiedUser, type NotMigratedReason } from './classify';

export interface ExportCounts {
  /** Users read from B2C. */
  readonly users: number;
  readonly exported: { readonly email: number; readonly username: number };
  /** Exported users B2C has disabled (created disabled). */
  readonly disabled: number;
  readonly notMigrated: Readonly<Record<NotMigratedReason, number>>;
  /** Social users by provider (identity issuer); a user with two providers counts under each. */
  readonly socialProviders: Readonly<Record<string, number>>;
}

export function emptyCounts(): ExportCounts {
  return {
    users: 0,
    exported: { email: 0, username: 0 },
    disabled: 0,
    notMigrated: Object.fromEntries(NOT_MIGRATED_REASONS.map((reason) => [reason, 0])) as Record<NotMigratedReason, number>,
    socialProviders: {},
  };
}

export function countUser(counts: ExportCounts, classified: ClassifiedUser): ExportCounts {
  if (classified.migrate) {
    const { classification, accountEnabled } = classified.user;
    return { ...counts, users: counts.users + 1, exported: { ...counts.exported, [classification]: counts.exported[classification] + 1 }, disabled: counts.disabled + (accountEnabled ? 0 : 1) };
  }
  const { reason, issuers } = classified.entry;
  const socialProviders = { ...counts.socialProviders };
  if (reason === 'social') for (const issuer of issuers ?? []) socialProviders[issuer] = (socialProviders[issuer] ?? 0) + 1;
  return { ...counts, users: counts.users + 1, notMigrated: { ...counts.notMigrated, [reason]: counts.notMigrated[reason] + 1 }, socialProviders };
}

export function exportedTotal(counts: ExportCounts): number {
  return counts.exported.email + counts.exported.username;
}

export function notMigratedTotal(counts: ExportCounts): number {
  return Object.values(counts.notMigrated).reduce((sum, n) => sum + n, 0);
}

/** Counts from a checkpoint, or undefined when they are not counts (a checkpoint edited by hand). */
export function readCounts(value: unknown): ExportCounts | undefined {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
  const exported = (record.exported ?? {}) as Record<string, unknown>;
  const notMigrated = (record.notMigrated ?? {}) as Record<string, unknown>;
  const providers = (typeof record.socialProviders === 'object' && record.socialProviders !== null ? record.socialProviders : undefined) as Record<string, unknown> | undefined;
  const valid =
    isCount(record.users) &&
    isCount(exported.email) &&
    isCount(exported.username) &&
    isCount(record.disabled) &&
    NOT_MIGRATED_REASONS.every((reason) => isCount(notMigrated[reason])) &&
    providers !== undefined &&
    Object.values(providers).every(isCount);
  return valid ? (record as unknown as ExportCounts) : undefined;
}
