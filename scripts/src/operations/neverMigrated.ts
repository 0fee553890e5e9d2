/**
 * The end-of-window list: every user whose flag is still true, with what outreach needs (sign-in name,
 * Graph id, creation time) and nothing secret.
 */
import type { GraphClient } from '../../../lib/graph';
import { usersWithFlag } from './graphUsers';
import type { MigrationMark } from './legacyStore';
import type { MigrationProperty } from './migrationProperty';
import type { ReportWriter } from './reports';

export interface NeverMigratedRow {
  readonly [column: string]: string | boolean | null;
  readonly username: string | null;
  readonly userId: string;
  readonly createdDateTime: string | null;
  /** True when the legacy store says migrated (the flag is stuck: run reconcile); null without a store. */
  readonly legacyMigrated: boolean | null;
  // With --b2c-object-id-property, also `b2cObjectId` (string or null): the B2C user's object id, the join to B2C's records.
}

export const NEVER_MIGRATED_COLUMNS = ['username', 'userId', 'createdDateTime', 'legacyMigrated'] as const;
export const NEVER_MIGRATED_COLUMNS_WITH_B2C = [...NEVER_MIGRATED_COLUMNS, 'b2cObjectId'] as const;

export interface NeverMigratedCounts {
  readonly neverMigrated: number;
  readonly withoutLocalIdentity: number;
  /** Flag true but marked migrated in the legacy store; null when no store was read. */
  readonly legacyMigratedButFlagged: number | null;
}

export async function reportNeverMigrated(options: {
  client: GraphClient;
  property: MigrationProperty;
  domain?: string;
  legacy?: ReadonlyMap<string, MigrationMark>;
  report: ReportWriter<NeverMigratedRow>;
  b2cObjectIdProperty?: string;
}): Promise<NeverMigratedCounts> {
  let neverMigrated = 0;
  let withoutLocalIdentity = 0;
  let legacyMigratedButFlagged = 0;
  for await (const user of usersWithFlag(options.client, options.property, true, { domain: options.domain, b2cObjectIdProperty: options.b2cObjectIdProperty })) {
    neverMigrated++;
    if (user.username === undefined) withoutLocalIdentity++;
    const legacyMigrated = options.legacy === undefined ? null : user.username !== undefined && options.legacy.get(user.username)?.migrated === true;
    if (legacyMigrated) legacyMigratedButFlagged++;
    const row: NeverMigratedRow = { username: user.username ?? null, userId: user.id, createdDateTime: user.createdDateTime ?? null, legacyMigrated };
    await options.report.write(options.b2cObjectIdProperty === undefined ? row : { ...row, b2cObjectId: user.b2cObjectId ?? null });
  }
  return { neverMigrated, withoutLocalIdentity, legacyMigratedButFlagged: options.legacy === undefined ? null : legacyMigratedButFlagged };
}
