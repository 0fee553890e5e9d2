/**
 * The legacy store as the operations commands see it: every user's migration mark (never a hash: the table
 * is read with `$select`), and `markMigrated` through the same repositories the function uses, so the
 * stored shape has one owner.
 */
import { createTableClient, describeTableFailure, TableUserRepository } from '../../../function/src/legacy/tableRepository';
import { FileUserRepository } from '../../../function/src/legacy/fileRepository';
import { normalizeUsername } from '../../../function/src/legacy/normalize';
import type { LegacyUserRepository } from '../../../function/src/legacy/port';

export const DEFAULT_TABLE_NAME = 'LegacyUsers';

export interface LegacyStoreOptions {
  readonly store: 'table' | 'file';
  readonly tableEndpoint?: string;
  readonly tableConnectionString?: string;
  readonly tableName?: string;
  readonly usersFile?: string;
}

/** What the operations need of a legacy record: who, and whether (and when) the function marked them migrated or superseded. */
export interface MigrationMark {
  /** Normalized as the store keys it (normalize.ts). */
  readonly username: string;
  readonly migrated: boolean;
  /** ISO 8601, when the mark carries a readable timestamp. */
  readonly migratedAt?: string;
  /** ISO 8601: the function found a password set in Entra after provisioning, so this record's password is stale. */
  readonly supersededAt?: string;
}

export interface LegacyStore {
  readonly kind: 'table' | 'file';
  /** For messages: the table name or the file path, never a connection string. */
  readonly description: string;
  /** Every record; entities without a usable username are counted in `unreadable` instead. */
  marks(): AsyncIterable<MigrationMark>;
  /** Entities skipped by the last `marks()` pass because they had no usable username. */
  readonly unreadable: number;
  markMigrated(username: string, at: Date): Promise<void>;
}

export async function openLegacyStore(options: LegacyStoreOptions): Promise<LegacyStore> {
  return options.store === 'file' ? openFileStore(options) : openTableStore(options);
}

async function openFileStore(options: LegacyStoreOptions): Promise<LegacyStore> {
  if (!options.usersFile) throw new Error('the file store needs a users file: pass --users-file FILE');
  // Throws UsersFileError naming every bad line (never its content).
  const repository = await FileUserRepository.load(options.usersFile);
  return {
    kind: 'file',
    description: `users file ${options.usersFile}`,
    unreadable: 0,
    async *marks() {
      for (const record of repository.records()) yield markOf(record);
    },
    markMigrated: (username, at) => repository.markMigrated(username, at),
  };
}

function openTableStore(options: LegacyStoreOptions): LegacyStore {
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  const client = createTableClient({ endpoint: options.tableEndpoint, connectionString: options.tableConnectionString, tableName });
  const repository: LegacyUserRepository = new TableUserRepository(client);
  const store = {
    kind: 'table' as const,
    description: `table ${tableName}`,
    unreadable: 0,
    async *marks(): AsyncIterable<MigrationMark> {
      store.unreadable = 0;
      const entities = client.listEntities<Record<string, unknown>>({ queryOptions: { select: ['username', 'migrated', 'migratedAt', 'supersededAt'] } });
      const iterator = entities[Symbol.asyncIterator]();
      for (;;) {
        let next: IteratorResult<Record<string, unknown>>;
        try {
          next = await iterator.next();
        } catch (error) {
          throw new Error(describeTableFailure(error, `list the users of table ${tableName}`));
        }
        if (next.done) return;
        const mark = markFromEntity(next.value);
        if (mark) yield mark;
        else store.unreadable++;
      }
    },
    markMigrated: (username: string, at: Date) => repository.markMigrated(username, at),
  };
  return store;
}

function markOf(record: { username: string; migrated: boolean; migratedAt?: string; supersededAt?: string }): MigrationMark {
  return {
    username: record.username,
    migrated: record.migrated,
    ...(record.migratedAt === undefined ? {} : { migratedAt: record.migratedAt }),
    ...(record.supersededAt === undefined ? {} : { supersededAt: record.supersededAt }),
  };
}

/** Only the selected properties are read; anything malformed counts as unreadable, never as a user. */
function markFromEntity(entity: Record<string, unknown>): MigrationMark | undefined {
  if (typeof entity.username !== 'string' || entity.username.trim() === '') return undefined;
  const migrated = entity.migrated === true;
  return markOf({ username: normalizeUsername(entity.username), migrated, migratedAt: readableTime(entity.migratedAt), supersededAt: readableTime(entity.supersededAt) });
}

function readableTime(value: unknown): string | undefined {
  const at = value instanceof Date ? value.toISOString() : value;
  return typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? at : undefined;
}

/** Every mark by username, for joins with Graph. Holds names and marks only (about 100 bytes a user). */
export async function indexLegacyStore(store: LegacyStore): Promise<Map<string, MigrationMark>> {
  const index = new Map<string, MigrationMark>();
  for await (const mark of store.marks()) index.set(mark.username, mark);
  return index;
}
