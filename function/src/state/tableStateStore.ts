/**
 * Shared state in Azure Table Storage, correct across any number of function instances. Atomicity comes
 * from the service, never from process memory: insert fails with 409 when a row exists, and updates carry
 * the ETag they read (If-Match) and fail with 412 when another instance wrote in between
 * ("Managing concurrency in Table storage", optimistic concurrency).
 *
 * Rows (PartitionKey / RowKey):
 *   nonce-<shard>    / request key (base64url)   state pending|answered, expiresAt, action, title, message
 *   attempts-<shard> / encoded username          username, failures (JSON array of epoch ms, newest last)
 *   migrated-<shard> / encoded username          username, migratedAt
 */
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import {
  createTableClient,
  describeTableFailure,
  encodeKey,
  isEntityNotFound,
  keyShard,
  tableFailure,
  type TableSettings,
} from '../legacy/tableRepository';
import { addFailure, DEFAULT_MAX_TRACKED_FAILURES, inWindow } from './memoryStateStore';
import type { FailedAttemptCounter, MigrationMarks, NonceClaim, NonceLedger, RecordedAnswer, StateStore } from './port';

/** The state store could not answer. The message names the operation and the HTTP status, nothing else. */
export class StateStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateStoreError';
  }
}

export interface TableStateStoreOptions {
  readonly lockoutWindowMs: number;
  /** Clock for nonce expiry (tests). The attempt counter uses the `now` it is given. */
  readonly now?: () => number;
  /** Failures kept per user; default 1000, the largest LockoutThreshold allowed, so capping never changes a decision. */
  readonly maxTrackedFailures?: number;
  /** Optimistic-concurrency rounds before giving up. Default 16 (20 concurrent writers to one row need about 8). */
  readonly maxAttempts?: number;
}

const DEFAULT_MAX_ATTEMPTS = 16;
/** Request keys are base64url (see port.ts); anything else is a programming error, not a key to store. */
const REQUEST_KEY = /^[A-Za-z0-9_-]{1,512}$/;
const ACTIONS = new Set<RecordedAnswer['action']>(['MigratePassword', 'UpdatePassword', 'Retry', 'Block']);

function isConflict(error: unknown): boolean {
  const status = tableFailure(error).status;
  return status === 409 || status === 412;
}

function storeError(error: unknown, operation: string): StateStoreError {
  return new StateStoreError(describeTableFailure(error, operation));
}

/** Randomized, growing pause between optimistic-concurrency rounds, so contenders stop colliding. */
function backoff(round: number): Promise<void> {
  const ms = Math.random() * Math.min(100, 4 * 2 ** round);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readOrUndefined<T extends object>(client: TableClient, partitionKey: string, rowKey: string, operation: string): Promise<TableEntityResult<T> | undefined> {
  try {
    return await client.getEntity<T>(partitionKey, rowKey);
  } catch (error) {
    if (isEntityNotFound(error)) return undefined;
    throw storeError(error, operation);
  }
}

interface NonceRow {
  state?: string;
  expiresAt?: Date;
  action?: string;
  title?: string;
  message?: string;
}

class TableNonceLedger implements NonceLedger {
  constructor(
    private readonly client: TableClient,
    private readonly now: () => number,
    private readonly maxAttempts: number,
  ) {}

  async claim(requestKey: string, expiresAt: Date): Promise<NonceClaim> {
    const keys = nonceKeys(requestKey);
    const pending = { ...keys, state: 'pending', expiresAt };
    for (let round = 0; round < this.maxAttempts; round++) {
      try {
        await this.client.createEntity(pending);
        return { status: 'claimed' };
      } catch (error) {
        if (tableFailure(error).status !== 409) throw storeError(error, 'claim the request');
      }
      const existing = await readOrUndefined<NonceRow>(this.client, keys.partitionKey, keys.rowKey, 'read the request');
      if (!existing) continue; // deleted in between: insert again
      if (!this.isExpired(existing)) {
        const answer = existing.state === 'answered' ? toAnswer(existing) : undefined;
        return answer ? { status: 'answered', answer } : { status: 'pending' };
      }
      // An abandoned claim or an old answer: take it over, but only if nobody else did since we read it.
      try {
        await this.client.updateEntity(pending, 'Replace', { etag: existing.etag });
        return { status: 'claimed' };
      } catch (error) {
        if (!isConflict(error) && !isEntityNotFound(error)) throw storeError(error, 'claim the request');
      }
    }
    throw new StateStoreError(`Table Storage: could not claim the request within ${this.maxAttempts} rounds (too much contention)`);
  }

  async record(requestKey: string, answer: RecordedAnswer, expiresAt: Date): Promise<void> {
    const row = {
      ...nonceKeys(requestKey),
      state: 'answered',
      expiresAt,
      action: answer.action,
      ...(answer.title !== undefined ? { title: answer.title } : {}),
      ...(answer.message !== undefined ? { message: answer.message } : {}),
    };
    try {
      // Upsert: the answer is worth keeping even when the claim itself could not be written.
      await this.client.upsertEntity(row, 'Replace');
    } catch (error) {
      throw storeError(error, 'record the answer');
    }
  }

  async lookup(requestKey: string): Promise<RecordedAnswer | undefined> {
    const keys = nonceKeys(requestKey);
    const existing = await readOrUndefined<NonceRow>(this.client, keys.partitionKey, keys.rowKey, 'read the request');
    if (!existing || existing.state !== 'answered' || this.isExpired(existing)) return undefined;
    return toAnswer(existing);
  }

  private isExpired(row: NonceRow): boolean {
    const expiresAt = row.expiresAt instanceof Date ? row.expiresAt.getTime() : Number.NaN;
    return !(expiresAt > this.now());
  }
}

function nonceKeys(requestKey: string): { partitionKey: string; rowKey: string } {
  if (!REQUEST_KEY.test(requestKey)) throw new StateStoreError('the request key is not base64url');
  return { partitionKey: `nonce-${keyShard(requestKey)}`, rowKey: requestKey };
}

function toAnswer(row: NonceRow): RecordedAnswer {
  if (!ACTIONS.has(row.action as RecordedAnswer['action'])) throw new StateStoreError('the recorded answer has no valid action');
  return {
    action: row.action as RecordedAnswer['action'],
    ...(typeof row.title === 'string' ? { title: row.title } : {}),
    ...(typeof row.message === 'string' ? { message: row.message } : {}),
  };
}

interface AttemptsRow {
  username?: string;
  failures?: string;
}

class TableAttemptCounter implements FailedAttemptCounter {
  constructor(
    private readonly client: TableClient,
    private readonly windowMs: number,
    private readonly maxTracked: number,
    private readonly maxAttempts: number,
  ) {}

  async count(username: string, now: Date): Promise<number> {
    const keys = userKeys('attempts', username);
    const row = await readOrUndefined<AttemptsRow>(this.client, keys.partitionKey, keys.rowKey, 'read failed attempts');
    return inWindow(parseFailures(row?.failures), now.getTime(), this.windowMs).length;
  }

  /** Read, add, write back conditionally; a lost race re-reads, so concurrent increments are never lost. */
  async increment(username: string, now: Date): Promise<number> {
    const keys = userKeys('attempts', username);
    const t = now.getTime();
    for (let round = 0; round < this.maxAttempts; round++) {
      if (round > 0) await backoff(round);
      const row = await readOrUndefined<AttemptsRow>(this.client, keys.partitionKey, keys.rowKey, 'read failed attempts');
      const failures = addFailure(parseFailures(row?.failures), t, this.windowMs, this.maxTracked);
      const entity = { ...keys, username, failures: JSON.stringify(failures) };
      try {
        if (row) await this.client.updateEntity(entity, 'Replace', { etag: row.etag });
        else await this.client.createEntity(entity);
        return inWindow(failures, t, this.windowMs).length;
      } catch (error) {
        if (!isConflict(error) && !isEntityNotFound(error)) throw storeError(error, 'record a failed attempt');
      }
    }
    throw new StateStoreError(`Table Storage: could not record a failed attempt within ${this.maxAttempts} rounds (too much contention)`);
  }
}

/** Epoch-ms numbers from the stored JSON; anything unreadable counts as no failures rather than failing sign-in. */
function parseFailures(text: string | undefined): number[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)) : [];
  } catch {
    return [];
  }
}

class TableMigrationMarks implements MigrationMarks {
  constructor(private readonly client: TableClient) {}

  async markMigrated(username: string, at: Date): Promise<void> {
    try {
      await this.client.upsertEntity({ ...userKeys('migrated', username), username, migratedAt: at.toISOString() }, 'Replace');
    } catch (error) {
      throw storeError(error, 'mark the user migrated');
    }
  }

  async isMigrated(username: string): Promise<boolean> {
    const keys = userKeys('migrated', username);
    return (await readOrUndefined(this.client, keys.partitionKey, keys.rowKey, 'read the migration mark')) !== undefined;
  }
}

function userKeys(kind: 'attempts' | 'migrated', username: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: `${kind}-${keyShard(username)}`, rowKey: encodeKey(username) };
}

export class TableStateStore implements StateStore {
  readonly kind = 'table' as const;
  readonly nonces: NonceLedger;
  readonly attempts: FailedAttemptCounter;
  readonly migrations: MigrationMarks;

  constructor(client: TableClient, options: TableStateStoreOptions) {
    if (!(options.lockoutWindowMs > 0)) throw new RangeError('lockoutWindowMs must be positive');
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.nonces = new TableNonceLedger(client, options.now ?? Date.now, maxAttempts);
    this.attempts = new TableAttemptCounter(client, options.lockoutWindowMs, options.maxTrackedFailures ?? DEFAULT_MAX_TRACKED_FAILURES, maxAttempts);
    this.migrations = new TableMigrationMarks(client);
  }

  /** The state table from settings (`StateTableEndpoint`/`StateTableConnectionString`, `StateTableName`). */
  static fromSettings(s: TableSettings & TableStateStoreOptions): TableStateStore {
    return new TableStateStore(createTableClient(s), s);
  }
}
