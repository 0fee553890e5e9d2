/**
 * The legacy store as the operations commands see it: every user's migration mark (never a hash: the table
 * is read with `$select`), and `markMigrated` through the same repositories the function uses, so the
 * stored shape has one owner.
 */
import { createTableClient, describeTableFailure, TableUserRepository } from '../../../function/src/legacy';
import { FileUserRepository } from '../../../function/src/legacy';
import { usersOfFile } from '../../../function/src/legacy';
import { normalizeUsername } from '../../../function/src/legacy';
import type { LegacyUserRepository } from '../../../function/src/legacy';
import { requireInputFile } from './files';

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
  /** The record's line in a users file, for messages. */
  readonly line?: number;
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
  const usersFile = options.usersFile;
  if (!usersFile) throw new Error('the file store needs a users file: pass --users-file FILE');
  await requireInputFile(usersFile, '--users-file');
  // Loaded (indexed) only to write a mark: counting streams the file and keeps no user.
  let repository: Promise<FileUserRepository> | undefined;
  return {
    kind: 'file',
    description: `users file ${usersFile}`,
    unreadable: 0,
    async *marks() {
      // Throws UsersFileError naming every bad line (never its content) once the file is read.
      for await (const entry of usersOfFile(usersFile)) yield { ...markOf(entry.record), line: entry.line };
    },
    markMigrated: async (username, at) => (await (repository ??= FileUserRepository.load(usersFile))).markMigrated(username, at),
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
          throw new Error(describeTableFailure(error, `list the users of table ${tableName}`, 'the identity you run jitmigrate as (your az login)'));
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
  for await (const mark of store.marks()) {
    const earlier = index.get(mark.username);
    if (earlier) throw duplicateUsernameError(store, earlier.line, mark.line);
    index.set(mark.username, mark);
  }
  return index;
}

/** Two records of one user: the function refuses such a users file, and counting or joining it would mislead. */
export function duplicateUsernameError(store: Pick<LegacyStore, 'description'>, earlierLine: number | undefined, line: number | undefined): Error {
  const lines = earlierLine === undefined || line === undefined ? '' : ` (lines ${earlierLine} and ${line})`;
  return new Error(`${store.description} holds two records with the same username${lines} after normalization (trimmed, NFKC, emails lower-cased): remove one of them`);
}
